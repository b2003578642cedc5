"""The stand-in Kommo: plays Kommo's side of a Salesbot widget_request for the relay's tests, benchmark and demo.

It signs widget_request JWTs with an account's client_secret, serves the ``return_url`` of each and
records every continuation POSTed there, rejecting loudly (log line at WARNING and the reason in the
JSON answer) any that breaks a rule of KOMMO.md or exceeds the account's request budget. It also
plays OAuth as Kommo does (an authorization code: one use, 20 minutes; then refreshes with rotation), the
integration's install (a code sent to the redirect URI) and ``GET /api/v4/account``. One server holds many
accounts, each under ``/<subdomain>/``; ``POST /_stand_in/accounts/<subdomain>/authorization_code`` mints a code.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import secrets
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from demo.kommo.accounts import AUTH_CODE_LIFETIME_S, KommoAccount, TokenRefusal
from demo.kommo.lead_records import LeadRecord, LeadRecords, lead_page, responsible_user
from demo.kommo.rate import SlidingWindowLimit
from demo.kommo.recording import ContinuationLog, RecordedContinuation
from demo.kommo.rules import continuation_violation
from demo.kommo.webhooks import account_webhook_form
from demo.kommo.widget import return_url, sign_widget_token
from demo.serving import ServerThread

log = logging.getLogger("demo.kommo")

_SUBDOMAIN_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
_BOT_KINDS = ("salesbot", "marketingbot")
_FIRST_ACCOUNT_ID = 31_000_001
_SLOW_WIDGET_ANSWER_S = 1.0
_MAX_SHED_RETRY_AFTER_S = 30.0
_ARRIVED_AT = "cita.stand_in.arrived_at"  # the scope key: when the request reached this stand-in


class RelayUnreachable(Exception):
    """The relay's widget URL could not be reached at all."""


def _shed_retry_after_s(response: httpx.Response) -> float | None:
    """Seconds to wait before sending a shed widget_request again, or None when the answer is not a shed."""
    if response.status_code != 503:
        return None
    try:
        return min(max(float(response.headers.get("retry-after", "")), 0.0), _MAX_SHED_RETRY_AFTER_S)
    except ValueError:
        return None


class RelayRefused(Exception):
    """The relay answered the widget_request with something other than 200."""

    def __init__(self, status_code: int, body: str) -> None:
        super().__init__(f"the relay answered the widget_request with HTTP {status_code}: {body[:200]}")
        self.status_code = status_code
        self.body = body


@dataclass(frozen=True)
class _IssuedContinuation:
    subdomain: str
    bot_kind: str
    bot_id: str
    data: dict


@dataclass
class _InjectedFailures:
    remaining: int
    status: int


class StandInKommo:
    """``kommo = StandInKommo(); server = kommo.serve()`` (or ``ServerThread(kommo.app)`` then ``bind(url)``)."""

    def __init__(
        self,
        *,
        rate_limit_per_s: float = 7.0,
        access_token_ttl_s: int = 86400,
        strict_whatsapp: bool = True,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.rate_limit_per_s = rate_limit_per_s
        self.access_token_ttl_s = access_token_ttl_s
        self.strict_whatsapp = strict_whatsapp
        self._clock = clock
        self._lock = threading.Lock()
        self._base_url: str | None = None
        self._accounts: dict[str, KommoAccount] = {}
        self._limits: dict[str, SlidingWindowLimit] = {}
        self._issued: dict[str, _IssuedContinuation] = {}
        self._used: set[str] = set()
        self._failures: dict[str, _InjectedFailures] = {}
        self._api_failures: dict[str, _InjectedFailures] = {}  # lead/task API calls (refuse_api)
        self._task_write_delay: dict[str, float] = {}  # subdomain -> seconds a new task takes to be written
        self._redirect_uris: dict[str, str] = {}
        self._account_reads: dict[str, int] = {}
        self._log = ContinuationLog()
        self.shed_retries = 0  # widget_requests sent again after a 503 + Retry-After
        self._lead_records = LeadRecords()
        routes = Starlette(
            routes=[
                Route("/_stand_in/say", self._say_endpoint, methods=["POST"]),
                Route("/_stand_in/accounts", self._accounts_endpoint, methods=["GET"]),
                Route("/_stand_in/continuations", self._continuations_endpoint, methods=["GET"]),
                Route(
                    "/_stand_in/accounts/{sub}/authorization_code", self._authorization_code_endpoint, methods=["POST"]
                ),
                Route("/{sub}/oauth2/access_token", self._token_endpoint, methods=["POST"]),
                Route("/{sub}/api/v4/account", self._account_api_endpoint, methods=["GET"]),
                Route("/_stand_in/lead_records", self._lead_records_endpoint, methods=["GET"]),
                Route("/{sub}/api/v4/tasks", self._tasks_endpoint, methods=["POST"]),
                Route("/{sub}/api/v4/tasks", self._tasks_list_endpoint, methods=["GET"]),
                Route("/{sub}/api/v4/tasks/{task}", self._task_patch_endpoint, methods=["PATCH"]),
                Route("/{sub}/api/v4/leads/{lead}/notes", self._notes_endpoint, methods=["POST"]),
                Route("/{sub}/api/v4/leads/{lead}", self._lead_patch_endpoint, methods=["PATCH"]),
                Route("/{sub}/api/v4/leads/{lead}", self._lead_get_endpoint, methods=["GET"]),
                Route("/{sub}/leads/detail/{lead}", self._lead_page_endpoint, methods=["GET"]),
                Route(
                    "/{sub}/api/v4/{kind}/{bot_id}/continue/{continue_id}", self._continue_endpoint, methods=["POST"]
                ),
            ]
        )

        async def app(scope: dict[str, Any], receive: Callable[..., Any], send: Callable[..., Any]) -> None:
            # A request's arrival is stamped before any routing: Kommo's cloud notes a continuation when it arrives,
            # and the benchmarks must not count this stand-in's own framework as the relay's time (received_at).
            scope[_ARRIVED_AT] = self._clock()
            await routes(scope, receive, send)

        self.app = app  # a plain ASGI 3 function, as uvicorn and Starlette's TestClient take it

    # ------------------------------------------------------------------ set-up

    def bind(self, base_url: str) -> None:
        """Where this stand-in is served, e.g. ``http://127.0.0.1:8701``: return URLs are built from it."""
        self._base_url = base_url.rstrip("/")

    def serve(self, host: str = "127.0.0.1", port: int | None = None) -> ServerThread:
        """Start a ``demo.serving.ServerThread`` for this stand-in, bind to it, and return it (call ``stop()``)."""
        server = ServerThread(self.app, host=host, port=port).start()
        self.bind(server.url)
        return server

    def add_account(
        self,
        subdomain: str,
        client_id: str,
        client_secret: str,
        *,
        long_lived_token: str | None = None,
        redirect_uri: str = "",
    ) -> None:
        """``redirect_uri``: the integration's redirect URI; when given, token requests must name exactly it."""
        if not _SUBDOMAIN_RE.match(subdomain):
            raise ValueError(f"subdomain {subdomain!r}: use lowercase letters, digits and '-'")
        if not client_secret:
            raise ValueError("client_secret must not be empty")
        with self._lock:
            self._accounts[subdomain] = KommoAccount(
                subdomain=subdomain,
                client_id=client_id,
                client_secret=client_secret,
                account_id=_FIRST_ACCOUNT_ID + len(self._accounts),
                long_lived_token=long_lived_token,
                access_token_ttl_s=self.access_token_ttl_s,
            )
            self._limits[subdomain] = SlidingWindowLimit(self.rate_limit_per_s)
            if redirect_uri:
                self._redirect_uris[subdomain] = redirect_uri

    def account_base_url(self, subdomain: str) -> str:
        """``<base_url>/<subdomain>``: what the relay stores as the clinic's Kommo base URL."""
        self._account(subdomain)
        return f"{self._bound_url()}/{subdomain}"

    def subdomains(self) -> list[str]:
        with self._lock:
            return list(self._accounts)

    def issue_refresh_token(self, subdomain: str) -> str:
        """A fresh refresh token, as if the clinic had just exchanged an authorization code (a shortcut for tests)."""
        with self._lock:
            return self._account(subdomain).issue_refresh_token()

    def set_redirect_uri(self, subdomain: str, redirect_uri: str) -> None:
        """The integration's redirect URI, as the admin typed it in Kommo (token requests must name it)."""
        with self._lock:
            self._account(subdomain)
            self._redirect_uris[subdomain] = redirect_uri

    def issue_authorization_code(self, subdomain: str, *, lifetime_s: float = AUTH_CODE_LIFETIME_S) -> str:
        """An authorization code (one use, 20 minutes), as Kommo shows it under the integration's keys."""
        with self._lock:
            return self._account(subdomain).issue_authorization_code(self._clock(), lifetime_s)

    def install(self, subdomain: str, redirect_uri: str, *, state: str = "") -> httpx.Response:
        """The admin installs the integration: Kommo sends a fresh code to the redirect URI, as a browser GET
        ``?code=…&referer=<subdomain>.kommo.com&state=…&from_widget=1``. Returns the page the admin then sees."""
        code = self.issue_authorization_code(subdomain)
        with self._lock:
            client_id = self._account(subdomain).client_id
        params = {"code": code, "referer": f"{subdomain}.kommo.com", "client_id": client_id, "from_widget": "1"}
        if state:
            params["state"] = state
        return httpx.get(redirect_uri, params=params, timeout=30.0)

    def code_exchanges(self, subdomain: str) -> int:
        """How many authorization codes were exchanged for tokens."""
        with self._lock:
            return self._account(subdomain).code_exchanges

    def account_reads(self, subdomain: str) -> int:
        """How many ``GET /api/v4/account`` calls were answered with the account."""
        with self._lock:
            return self._account_reads.get(subdomain, 0)

    def token_refreshes(self, subdomain: str) -> int:
        """How many times the relay refreshed this account's tokens."""
        with self._lock:
            return self._account(subdomain).refreshes

    def expire_access_tokens(self, subdomain: str) -> None:
        """Every access token handed out so far stops working (as 24 h later): the relay must refresh."""
        with self._lock:
            self._account(subdomain).expire_access_tokens()

    def fail_next(self, subdomain: str, count: int = 1, status: int = 503) -> None:
        """Answer the next ``count`` continuations of the account with ``status`` (Kommo having a bad moment).

        These calls are recorded with ``injected=True``; they neither use up the continue_id nor settle a
        waiter, so a relay that retries gets through.
        """
        with self._lock:
            self._account(subdomain)
            self._failures[subdomain] = _InjectedFailures(remaining=count, status=status)

    def refuse_api(self, subdomain: str, count: int, status: int = 503) -> None:
        """Answer the next ``count`` lead and task API calls of the account (tasks, notes, tags, lead and task
        reads) with ``status``: Kommo down for a while. Nothing is written by a refused call."""
        with self._lock:
            self._account(subdomain)
            self._api_failures[subdomain] = _InjectedFailures(remaining=count, status=status)

    def slow_task_writes(self, subdomain: str, seconds: float) -> None:
        """Each ``POST /api/v4/tasks`` of the account takes ``seconds`` before it is written (Kommo slow)."""
        with self._lock:
            self._task_write_delay[subdomain] = seconds

    # ------------------------------------------------------------------ the widget_request side

    def widget_request(
        self,
        subdomain: str,
        data: dict,
        *,
        bot_id: str = "77",
        jti: str | None = None,
        lifetime_s: int = 300,
        secret: str | None = None,
        now: float | None = None,
        bot_kind: str = "salesbot",
    ) -> tuple[dict, str]:
        """The body Kommo POSTs to the relay's widget URL, and the continue_id of its return_url.

        ``secret`` signs with another key (a forgery); ``now`` and ``lifetime_s`` make expired or
        not-yet-valid tokens. To model Kommo repeating a delivery, POST the same body twice (same jti, same
        return_url): a relay that continues both gets the second refused as "already continued".
        """
        if bot_kind not in _BOT_KINDS:
            raise ValueError(f"bot_kind must be one of {_BOT_KINDS}")
        base = self.account_base_url(subdomain)
        continue_id = uuid.uuid4().hex
        with self._lock:
            account = self._account(subdomain)
            self._issued[continue_id] = _IssuedContinuation(subdomain, bot_kind, str(bot_id), dict(data))
        token = sign_widget_token(
            secret=account.client_secret if secret is None else secret,
            issuer=base,
            client_id=account.client_id,
            jti=jti or uuid.uuid4().hex,
            account_id=account.account_id,
            subdomain=subdomain,
            now=self._clock() if now is None else now,
            lifetime_s=lifetime_s,
        )
        body = {
            "token": token,
            "data": dict(data),
            "return_url": return_url(base, str(bot_id), continue_id, bot_kind=bot_kind),
        }
        return body, continue_id

    async def say(
        self,
        relay_widget_url: str,
        subdomain: str,
        lead_id: str,
        message: str,
        *,
        name: str = "Ana Pérez",
        phone: str = "+56 9 1234 5678",
        timeout: float = 30.0,  # noqa: ASYNC109 (the contract: seconds to wait for the continuation)
        client: httpx.AsyncClient | None = None,
        retry_shed: bool = True,
    ) -> RecordedContinuation:
        """One patient turn: the widget_request goes to the relay, which must answer 200; then its continuation.

        As Kommo does with a non-2xx answer, a ``503`` with ``Retry-After`` (a relay shedding load on purpose) is
        sent again after that many seconds while ``timeout`` allows; ``retry_shed=False`` reports it instead.
        """
        data = {"lead_id": str(lead_id), "message": message, "name": name, "phone": phone}
        body, continue_id = self.widget_request(subdomain, data)
        own_client = client is None
        http = client or httpx.AsyncClient(timeout=10.0)
        give_up_at = time.monotonic() + timeout
        try:
            while True:
                started = time.perf_counter()
                try:
                    response = await http.post(relay_widget_url, json=body)
                except httpx.TransportError as exc:
                    raise RelayUnreachable(f"cannot reach the relay at {relay_widget_url}: {exc!r}") from exc
                retry_in = _shed_retry_after_s(response) if retry_shed else None
                if retry_in is None or time.monotonic() + retry_in >= give_up_at:
                    break
                self.shed_retries += 1
                log.info("the relay shed a widget_request (503): sending it again in %.1f s", retry_in)
                await asyncio.sleep(retry_in)
        finally:
            if own_client:
                await http.aclose()
        answered_in = time.perf_counter() - started
        if answered_in > _SLOW_WIDGET_ANSWER_S:
            log.warning(
                "the relay took %.2f s to answer a widget_request (%s): Kommo waits about 2 s, answer 200 at once",
                answered_in,
                relay_widget_url,
            )
        if response.status_code != 200:
            raise RelayRefused(response.status_code, response.text)
        return await self.wait_for_continuation(continue_id, timeout)

    def account_webhook(self, subdomain: str, *, kind: str = "message") -> str:
        """A form-encoded account webhook body (no token, no return_url), to POST with
        ``Content-Type: application/x-www-form-urlencoded`` where a relay must refuse it with a clear 4xx."""
        with self._lock:
            account = self._account(subdomain)
        return account_webhook_form(
            subdomain, account.account_id, self.account_base_url(subdomain), kind=kind, now=int(self._clock())
        )

    # ------------------------------------------------------------------ what was received

    def continuations(self, subdomain: str | None = None) -> list[RecordedContinuation]:
        """Every call received on a return URL, accepted or not, oldest first."""
        return self._log.records(subdomain)

    def lead_continuations(self, lead_id: str, subdomain: str | None = None) -> list[RecordedContinuation]:
        """The calls on return URLs of widget_requests made for ``lead_id`` (by ``say`` or with that data)."""
        return [r for r in self._log.records(subdomain) if str(r.widget_data.get("lead_id")) == str(lead_id)]

    def rejections(self) -> list[RecordedContinuation]:
        """The calls refused for breaking a rule (injected failures are not counted: they were asked for)."""
        return [r for r in self._log.records() if not r.accepted and not r.injected]

    def clear_records(self) -> None:
        self._log.clear()
        self._lead_records.clear()

    def tasks(self, subdomain: str | None = None, lead_id: str | None = None) -> list[LeadRecord]:
        """Tasks the relay put on leads (a hand-off for the clinic's team), oldest first."""
        return self._lead_records.records(subdomain, "task", lead_id)

    def notes(self, subdomain: str | None = None, lead_id: str | None = None) -> list[LeadRecord]:
        return self._lead_records.records(subdomain, "note", lead_id)

    def tags(self, subdomain: str | None = None, lead_id: str | None = None) -> list[LeadRecord]:
        return self._lead_records.records(subdomain, "tag", lead_id)

    async def wait_for_continuation(self, continue_id: str, timeout: float = 30.0) -> RecordedContinuation:  # noqa: ASYNC109
        """The first call for ``continue_id`` that settles it: accepted, or rejected for a rule (check ``.accepted``).

        Injected failures and 401s do not settle it: a correct relay retries after those.
        """
        return await self._log.wait(continue_id, timeout)

    def wait_for_continuation_sync(self, continue_id: str, timeout: float = 30.0) -> RecordedContinuation:
        return self._log.wait_sync(continue_id, timeout)

    # ------------------------------------------------------------------ HTTP

    async def _continue_endpoint(self, request: Request) -> JSONResponse:
        sub = request.path_params["sub"]
        kind = request.path_params["kind"]
        bot_id = request.path_params["bot_id"]
        continue_id = request.path_params["continue_id"]
        raw = await request.body()
        bearer = _bearer(request)
        now = self._clock()
        arrived_at = request.scope.get(_ARRIVED_AT, now)
        try:
            body = json.loads(raw) if raw else None
        except (ValueError, UnicodeDecodeError):
            body = None
        status, reason, authorized, injected = self._judge_continuation(
            sub, kind, bot_id, continue_id, bearer, raw, body, now
        )
        record = RecordedContinuation(
            subdomain=sub,
            bot_id=bot_id,
            continue_id=continue_id,
            body=body if isinstance(body, dict) else {},
            accepted=status == 200,
            reason=reason,
            received_at=arrived_at,
            authorization_ok=authorized,
            status_code=status,
            injected=injected,
            widget_data=self._widget_data(continue_id, sub),
        )
        self._log.add(record)
        if status == 200:
            if log.isEnabledFor(logging.INFO):
                log.info(
                    "continuation accepted: %s/%s bot %s status=%s", sub, continue_id[:8], bot_id, _data_status(record)
                )
            return JSONResponse({"accepted": True})
        if injected:
            log.info("continuation refused on purpose (fail_next): %s/%s HTTP %d", sub, continue_id[:8], status)
        else:
            log.warning(
                "STAND-IN KOMMO REJECTED a continuation: %s/%s/%s bot %s (HTTP %d): %s",
                sub,
                kind,
                continue_id[:8],
                bot_id,
                status,
                reason,
            )
        return JSONResponse(
            {"accepted": False, "status": status, "title": _TITLES.get(status, "Error"), "detail": reason}, status
        )

    def _judge_continuation(
        self, sub: str, kind: str, bot_id: str, continue_id: str, bearer: str, raw: bytes, body: Any, now: float
    ) -> tuple[int, str, bool, bool]:
        """(HTTP status, reason, authorization ok, injected) for one call on a return URL; marks it used if accepted."""
        with self._lock:
            account = self._accounts.get(sub)
            if account is None:
                return 404, f"no Kommo account {sub!r} on this stand-in", False, False
            authorized = account.authorizes(bearer, now)
            # Every call counts against the account's budget, as on Kommo, whatever becomes of it.
            if not self._limits[sub].admit(now):
                return (
                    429,
                    f"more than {self.rate_limit_per_s:g} requests in one second for account {sub!r}",
                    authorized,
                    False,
                )
            failure = self._failures.get(sub)
            if failure is not None and failure.remaining > 0:
                failure.remaining -= 1
                return failure.status, f"injected failure (HTTP {failure.status})", authorized, True
            if not authorized:
                why = (
                    "no Authorization: Bearer header"
                    if not bearer
                    else "the bearer token is not valid (unknown or expired)"
                )
                return 401, why, False, False
            if kind not in _BOT_KINDS:
                return 404, f"unknown bot kind {kind!r} (expected salesbot or marketingbot)", True, False
            issued = self._issued.get(continue_id)
            if issued is None or issued.subdomain != sub:
                return 404, f"continue_id {continue_id} was never issued for account {sub!r}", True, False
            if issued.bot_kind != kind or issued.bot_id != bot_id:
                return (
                    404,
                    f"continue_id {continue_id} belongs to {issued.bot_kind} {issued.bot_id}, not {kind} {bot_id}",
                    True,
                    False,
                )
            if continue_id in self._used:
                return 409, f"continue_id {continue_id} was already continued (a return_url works once)", True, False
            if body is None:
                return 400, f"the body is not JSON ({len(raw)} bytes)", True, False
            violation = continuation_violation(body, strict_whatsapp=self.strict_whatsapp)
            if violation:
                return 400, violation, True, False
            self._used.add(continue_id)
            return 200, "", True, False

    async def _token_endpoint(self, request: Request) -> JSONResponse:
        sub = request.path_params["sub"]
        form = await _json_or_form(request)
        now = self._clock()
        grant_type = str(form.get("grant_type", ""))
        with self._lock:
            account = self._accounts.get(sub)
            if account is None:
                return _token_error(404, f"no Kommo account {sub!r} on this stand-in")
            if not self._limits[sub].admit(now):
                return _token_error(429, f"more than {self.rate_limit_per_s:g} requests in one second")
            secret_field = _GRANT_FIELDS.get(grant_type)
            if secret_field is None:
                return _token_error(
                    400, f"grant_type {grant_type!r} is not supported (use authorization_code or refresh_token)"
                )
            missing = [k for k in ("client_id", "client_secret", secret_field, "redirect_uri") if k not in form]
            if missing:
                return _token_error(400, f"missing fields: {', '.join(missing)}")
            registered = self._redirect_uris.get(sub)
            if registered and str(form["redirect_uri"]) != registered:
                return _token_error(400, "redirect_uri does not match the integration's redirect URI")
            try:
                if grant_type == "authorization_code":
                    grant = account.exchange_code(
                        client_id=str(form["client_id"]),
                        client_secret=str(form["client_secret"]),
                        code=str(form["code"]),
                        now=now,
                    )
                else:
                    grant = account.refresh(
                        client_id=str(form["client_id"]),
                        client_secret=str(form["client_secret"]),
                        refresh_token=str(form["refresh_token"]),
                        now=now,
                    )
            except TokenRefusal as refusal:
                return _token_error(refusal.status, refusal.hint)
        log.info("tokens granted for account %s (%s)", sub, grant_type)
        return JSONResponse(grant.as_json())

    async def _account_api_endpoint(self, request: Request) -> JSONResponse:
        """``GET /api/v4/account``: the account's id and subdomain, for a valid bearer."""
        sub = request.path_params["sub"]
        now = self._clock()
        with self._lock:
            account = self._accounts.get(sub)
            if account is None:
                return JSONResponse({"title": "Not Found", "status": 404, "detail": f"no account {sub!r}"}, 404)
            if not self._limits[sub].admit(now):
                return JSONResponse({"title": "Too Many Requests", "status": 429}, 429)
            if not account.authorizes(_bearer(request), now):
                return JSONResponse({"title": "Unauthorized", "status": 401, "detail": "invalid or expired token"}, 401)
            self._account_reads[sub] = self._account_reads.get(sub, 0) + 1
            answer = {
                "id": account.account_id,
                "name": f"Cuenta {sub}",
                "subdomain": sub,
                "country": "CL",
                "currency": "CLP",
                "_links": {"self": {"href": f"{self.account_base_url(sub)}/api/v4/account"}},
            }
        return JSONResponse(answer)

    async def _authorization_code_endpoint(self, request: Request) -> JSONResponse:
        """``POST /_stand_in/accounts/{sub}/authorization_code``: a fresh code, as Kommo → Integrations → Keys shows."""
        sub = request.path_params["sub"]
        try:
            code = self.issue_authorization_code(sub)
        except KeyError as exc:
            return JSONResponse({"error": "unknown_account", "detail": str(exc)}, 404)
        return JSONResponse({"code": code, "expires_in": int(AUTH_CODE_LIFETIME_S)})

    async def _tasks_endpoint(self, request: Request) -> JSONResponse:
        with self._lock:
            delay = self._task_write_delay.get(request.path_params["sub"], 0.0)
        if delay:  # Kommo read the request, then took its time: the task is written even if the caller gave up
            await request.body()
            await asyncio.sleep(delay)
        return await self._lead_call(request, lambda sub, body, now: self._lead_records.add_tasks(sub, body, now))

    async def _tasks_list_endpoint(self, request: Request) -> Response:
        """``GET /api/v4/tasks?filter[entity_type]=leads&filter[entity_id][]=…&filter[is_completed]=0``: a lead's
        tasks as Kommo lists them (204 with no body when none matches)."""
        sub = request.path_params["sub"]
        refused = self._api_refusal(request, sub, self._clock())
        if refused is not None:
            return refused
        query = request.query_params
        entity_ids = {*query.getlist("filter[entity_id][]"), *query.getlist("filter[entity_id]")}
        done = query.get("filter[is_completed]")
        tasks = [
            {"id": t.id, "entity_id": int(t.lead_id), "entity_type": "leads", "text": t.text,
             "is_completed": t.completed, "complete_till": t.complete_till, "created_at": int(t.at),
             "result": {"text": t.result} if t.result else []}
            for t in self._lead_records.records(sub, "task")
            if (query.get("filter[entity_type]") in (None, "leads"))
            and (not entity_ids or t.lead_id in entity_ids)
            and (done is None or t.completed == (done == "1"))
        ]
        if not tasks:
            return Response(status_code=204)
        return JSONResponse({"_embedded": {"tasks": tasks}})

    async def _task_patch_endpoint(self, request: Request) -> JSONResponse:
        task = request.path_params["task"]
        if not task.isdigit():
            return _api_error(404, f"no task {task!r}")
        return await self._lead_call(
            request, lambda sub, body, now: self._lead_records.complete_task(sub, int(task), body)
        )

    async def _notes_endpoint(self, request: Request) -> JSONResponse:
        lead = request.path_params["lead"]
        return await self._lead_call(request, lambda sub, body, now: self._lead_records.add_notes(sub, lead, body, now))

    async def _lead_patch_endpoint(self, request: Request) -> JSONResponse:
        lead = request.path_params["lead"]
        return await self._lead_call(request, lambda sub, body, now: self._lead_records.add_tags(sub, lead, body, now))

    async def _lead_get_endpoint(self, request: Request) -> JSONResponse:
        """``GET /api/v4/leads/{id}``: every lead of the stand-in belongs to the account's one responsible user."""
        sub, lead = request.path_params["sub"], request.path_params["lead"]
        now = self._clock()
        with self._lock:
            account = self._accounts.get(sub)
            if account is None or not lead.isdigit():
                return _api_error(404, f"no lead {lead!r} in account {sub!r}")
            injected = self._injected_api_failure(sub)
            if injected is not None:
                return injected
            if not self._limits[sub].admit(now):
                return _api_error(429, f"more than {self.rate_limit_per_s:g} requests in one second for {sub!r}")
            if not account.authorizes(_bearer(request), now):
                return _api_error(401, "the bearer token is not valid (unknown or expired)")
        return JSONResponse({"id": int(lead), "name": f"Lead {lead}", "responsible_user_id": responsible_user(sub)})

    def _api_refusal(self, request: Request, sub: str, now: float) -> JSONResponse | None:
        """Kommo's answer to an API call it refuses before reading it (no account, over budget, bad token)."""
        with self._lock:
            account = self._accounts.get(sub)
            if account is None:
                return _api_error(404, f"no Kommo account {sub!r} on this stand-in")
            injected = self._injected_api_failure(sub)
            if injected is not None:
                return injected
            if not self._limits[sub].admit(now):
                return _api_error(429, f"more than {self.rate_limit_per_s:g} requests in one second for {sub!r}")
            if not account.authorizes(_bearer(request), now):
                return _api_error(401, "the bearer token is not valid (unknown or expired)")
        return None

    def _injected_api_failure(self, sub: str) -> JSONResponse | None:
        """A refusal the test asked for (refuse_api); the caller holds the lock."""
        failure = self._api_failures.get(sub)
        if failure is None or failure.remaining <= 0:
            return None
        failure.remaining -= 1
        return _api_error(failure.status, f"injected failure (HTTP {failure.status})")

    async def _lead_call(self, request: Request, record: Callable[[str, Any, float], str | list[int]]) -> JSONResponse:
        """A Kommo API call on a lead: authorized, inside the account's budget, of the right shape."""
        sub = request.path_params["sub"]
        now = self._clock()
        refused = self._api_refusal(request, sub, now)
        if refused is not None:
            return refused
        try:
            body = await request.json()
        except ValueError:
            return _api_error(400, "the body is not JSON")
        refusal = record(sub, body, now)
        if isinstance(refusal, list):  # new tasks: their ids, as Kommo answers
            tasks = [{"id": task_id, "request_id": str(n)} for n, task_id in enumerate(refusal)]
            log.info("%s %s recorded for account %s", request.method, request.url.path, sub)
            return JSONResponse({"_embedded": {"tasks": tasks}}, 200)
        if refusal:
            return _api_error(400, refusal)
        log.info("%s %s recorded for account %s", request.method, request.url.path, sub)
        return JSONResponse({"_embedded": {}}, 200)

    async def _lead_page_endpoint(self, request: Request) -> HTMLResponse:
        sub, lead = request.path_params["sub"], request.path_params["lead"]
        return HTMLResponse(lead_page(sub, lead, self._lead_records.records(sub, lead_id=lead)))

    async def _lead_records_endpoint(self, request: Request) -> JSONResponse:
        records = self._lead_records.records(request.query_params.get("subdomain"), request.query_params.get("kind"))
        return JSONResponse({"records": [r.as_json() for r in records]})

    async def _say_endpoint(self, request: Request) -> JSONResponse:
        try:
            ask = await request.json()
            relay_widget_url = str(ask["relay_widget_url"])
            subdomain = str(ask["subdomain"])
            lead_id = str(ask["lead_id"])
            message = str(ask["message"])
        except (ValueError, KeyError, TypeError):
            return JSONResponse(
                {"error": "bad_request", "detail": "JSON with relay_widget_url, subdomain, lead_id, message"}, 400
            )
        if subdomain not in self.subdomains():
            return JSONResponse({"error": "unknown_account", "detail": f"no account {subdomain!r}"}, 404)
        options = {k: str(ask[k]) for k in ("name", "phone") if ask.get(k)}
        timeout = float(ask.get("timeout", 30.0))
        try:
            record = await self.say(relay_widget_url, subdomain, lead_id, message, timeout=timeout, **options)
        except RelayUnreachable as exc:
            return JSONResponse({"error": "relay_unreachable", "detail": str(exc)}, 502)
        except RelayRefused as exc:
            return JSONResponse({"error": "relay_refused", "status": exc.status_code, "detail": exc.body[:500]}, 502)
        except TimeoutError as exc:
            return JSONResponse({"error": "no_continuation", "detail": str(exc)}, 504)
        return JSONResponse(record.as_json())

    async def _accounts_endpoint(self, request: Request) -> JSONResponse:
        accounts = [{"subdomain": s, "base_url": self.account_base_url(s)} for s in self.subdomains()]
        return JSONResponse({"accounts": accounts})

    async def _continuations_endpoint(self, request: Request) -> JSONResponse:
        records = self.continuations(request.query_params.get("subdomain"))
        return JSONResponse({"continuations": [r.as_json() for r in records]})

    # ------------------------------------------------------------------ internals

    def _account(self, subdomain: str) -> KommoAccount:
        account = self._accounts.get(subdomain)
        if account is None:
            raise KeyError(f"no Kommo account {subdomain!r} on this stand-in (add_account first)")
        return account

    def _widget_data(self, continue_id: str, subdomain: str) -> dict:
        issued = self._issued.get(continue_id)
        return issued.data if issued is not None and issued.subdomain == subdomain else {}

    def _bound_url(self) -> str:
        if self._base_url is None:
            raise RuntimeError("StandInKommo.bind(base_url) must be called once the server is running")
        return self._base_url


_GRANT_FIELDS = {"authorization_code": "code", "refresh_token": "refresh_token"}
_TITLES = {400: "Bad Request", 401: "Unauthorized", 404: "Not Found", 409: "Conflict", 429: "Too Many Requests"}


def _bearer(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


def _data_status(record: RecordedContinuation) -> str:
    data = record.body.get("data")
    return str(data.get("status", "-")) if isinstance(data, dict) else "-"


async def _json_or_form(request: Request) -> dict[str, Any]:
    if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        return dict(await request.form())
    try:
        parsed = await request.json()
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def _api_error(status: int, detail: str) -> JSONResponse:
    log.warning("STAND-IN KOMMO REFUSED an API call (HTTP %d): %s", status, detail)
    return JSONResponse({"title": _TITLES.get(status, "Error"), "status": status, "detail": detail}, status)


def _token_error(status: int, hint: str) -> JSONResponse:
    log.warning("stand-in Kommo refused a token request (HTTP %d): %s", status, hint)
    return JSONResponse({"title": _TITLES.get(status, "Error"), "status": status, "hint": hint, "detail": hint}, status)


def new_secret() -> str:
    """A client secret of Kommo's length, for tests and the demo."""
    return secrets.token_urlsafe(48)
