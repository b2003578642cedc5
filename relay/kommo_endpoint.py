"""``POST /kommo/{clinic}``: Kommo's Salesbot widget_request.

Everything that can refuse the request is checked here, quickly (size, clinic, body, JWT, return_url,
repeat); then the turn is handed to the ``TurnProcessor`` and Kommo gets its 200 at once — the agent
and the continuation happen afterwards.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import logging
import secrets
import sqlite3
import time
from collections.abc import Awaitable, Callable, Coroutine
from datetime import UTC, datetime
from typing import Any, TypeVar

from starlette.requests import Request
from starlette.responses import Response

from relay.conversation import Turn
from relay.conversation.patient import patient_problem
from relay.http_limits import BODY_DEADLINE, BODY_TIMED_OUT, RECEIVED_AT
from relay.kommo_requests_seen import KommoRequestsSeen, message_problem
from relay.log_throttle import EventThrottle
from relay.logs import log
from relay.metrics import RelayMetrics
from relay.overload import Admission, Shed
from relay.settings import RelaySettings
from relay.store import (
    CLINIC_NAME_RE,
    TURN_EXTRAS,
    PendingTurn,
    RelayStore,
    StoreUnavailable,
    store_write_problem,
)
from relay.turns import REPEAT_TURN_PREFIX, AcceptedTurn, TurnProcessor
from relay.widget_request import Refusal, parse_body, return_url_allowed, verify_token, widget_request
from wire.json_text import dumps_bytes

logger = logging.getLogger("relay.kommo_endpoint")

T = TypeVar("T")

_ACCEPTED = b'{"ok":true}'  # Kommo's 200: the same bytes every time
_OVERLOADED = b'{"error":"overloaded","detail":"the relay is over capacity right now; send it again shortly"}'
SHED_LOG_EVERY_S = 5.0
# A store that cannot take a turn (Redis away, a full or read-only disk) is seldom back within a second.
STORE_RETRY_AFTER_S = 30
UNWRITABLE_LOG_EVERY_S = 60.0  # one line when the data folder stops taking turns, then one a minute while it lasts
_JSON_TYPE = (b"content-type", b"application/json")

Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


class Answer:
    """What Kommo is answered: a status, a JSON body and its headers (as ASGI sends them)."""

    __slots__ = ("status", "body", "headers")

    def __init__(self, status: int, body: bytes, retry_after_s: int | None = None) -> None:
        self.status = status
        self.body = body
        self.headers = [_JSON_TYPE, (b"content-length", str(len(body)).encode())]
        if retry_after_s is not None:
            self.headers.append((b"retry-after", str(retry_after_s).encode()))

    async def send(self, send: Send) -> None:
        await send({"type": "http.response.start", "status": self.status, "headers": self.headers})
        await send({"type": "http.response.body", "body": self.body})

    def response(self) -> Response:
        response = Response(self.body, self.status)
        response.raw_headers = list(self.headers)
        return response


class _Disconnected(Exception):
    """Kommo went away before its body arrived: nobody to answer."""


class _TooLate(Exception):
    """The store could not be read within the request's own deadline: refuse before anything is stored."""


# Every 401 (missing, forged, expired or replayed token; unknown clinic) gets this same answer.
UNAUTHORIZED_ANSWER = {
    "error": "unauthorized",
    "detail": "the widget_request token was not accepted for this URL; the relay's log says why",
}


_UNAUTHORIZED_BODY = dumps_bytes(UNAUTHORIZED_ANSWER)
_BODY_TOO_SLOW = Refusal(408, "body_too_slow", "the body did not arrive in time")
_STORE_AWAY = Refusal(503, "store_unavailable", "the relay cannot reach its store right now; try again")
_STORE_UNWRITABLE_ANSWER = Answer(
    503,
    dumps_bytes({"error": "store_unavailable", "detail": "the relay cannot write its store right now; nothing was "
                 "accepted, send it again"}),
    STORE_RETRY_AFTER_S,
)
_ACCEPTED_ANSWER = Answer(200, _ACCEPTED)


class BodyTooLarge(Exception):
    pass


def _headers(scope: dict[str, Any]) -> tuple[bytes | None, bytes]:
    """The request's Content-Length (None when absent) and Content-Type (b"" when absent)."""
    length, kind = None, b""
    for name, value in scope["headers"]:
        if name == b"content-length":
            length = value
        elif name == b"content-type":
            kind = value
    return length, kind


async def _read_limited(receive: Receive, declared: bytes | None, limit: int) -> bytes:
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            raise _Disconnected
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def jti_key(jti: str | int) -> str:
    return f"jti:{jti}"


def jti_lead_key(jti: str | int, lead_id: str) -> str:
    digest = hashlib.sha256(f"{jti}\x00{lead_id}".encode()).hexdigest()[:32]
    return f"jtilead:{digest}"


def delivery_keys(
    claims: dict, lead_id: str, message: str, revision: str, now: float, settings: RelaySettings
) -> list[tuple[str, float]]:
    """(key, expires_at) pairs that identify this delivery if it comes again.

    The same lead + message counts as a repeat only while it answers the same conversation ``revision``:
    once the bot moved on (a new menu was shown), the same text again — "Más días" tapped on the next
    page — is the patient's new answer, not a repeat.
    """
    keys: list[tuple[str, float]] = []
    jti = claims.get("jti")
    if isinstance(jti, str | int) and str(jti):
        # Remembered until the token expires (plus leeway): after that a repeat of it is refused anyway.
        # ``verify_token`` refused any token whose exp lies beyond the memory, so none outlives its jti.
        remember_until = now + settings.jti_memory_s
        exp = claims.get("exp")
        if isinstance(exp, int | float) and not isinstance(exp, bool):
            remember_until = max(float(exp) + settings.jwt_leeway_s, now + settings.duplicate_window_s)
        keys.append((jti_key(jti), remember_until))
        # The lead the token was first used for: a repeat of this jti counts only with the same lead.
        keys.append((jti_lead_key(jti, lead_id), remember_until))
    text = f"{lead_id}\x00{message.strip().casefold()}\x00{revision}"
    digest = hashlib.sha256(text.encode()).hexdigest()[:32]
    keys.append((f"msg:{digest}", now + settings.duplicate_window_s))
    return keys


class KommoEndpoint:
    def __init__(
        self,
        store: RelayStore,
        turns: TurnProcessor,
        settings: RelaySettings,
        metrics: RelayMetrics,
        admission: Admission | None = None,
        seen: KommoRequestsSeen | None = None,
        store_lost: Callable[[], bool] = lambda: False,
    ) -> None:
        self._store = store
        # The store came back empty (Redis without its data): an unknown clinic is then the store's loss, answered
        # 503 (Kommo sends it again once the backup is restored), not 401 (dropped for good)
        self._store_lost = store_lost
        self.seen = seen or KommoRequestsSeen()  # for `check-clinic`: the last accepted and refused, per clinic
        self._turns = turns
        self._settings = settings
        self._metrics = metrics
        # A flood of bad requests is counted in /metrics, and only a few lines a second reach the log.
        self._refusals = EventThrottle(burst=10)
        self._admission = admission
        self._shed_since_log = 0
        self._shed_logged_at = -SHED_LOG_EVERY_S
        self._unwritable_since_log = 0
        self._unwritable_logged_at = -UNWRITABLE_LOG_EVERY_S
        self._bounded_reads = getattr(store, "reads_wait", True)  # False: reads never wait, no deadline to keep

    async def __call__(self, request: Request) -> Response:
        """As a Starlette endpoint (the app hands the hot route to ``asgi`` directly)."""
        try:
            answer = await self.answer(request.scope, request.receive, request.path_params["clinic"])
        except _Disconnected:
            return Response(b"", 400)
        return answer.response()

    async def asgi(self, scope: dict[str, Any], receive: Receive, send: Send, name: str) -> None:
        """``POST /kommo/{name}`` as plain ASGI: no Request or Response object on the way."""
        try:
            answer = await self.answer(scope, receive, name)
        except _Disconnected:
            if scope.get(BODY_TIMED_OUT):  # the HTTP protocol answered 408 and closed: counted and logged here
                self._refuse(name, _BODY_TOO_SLOW)
            return
        await answer.send(send)

    async def answer(self, scope: dict[str, Any], receive: Receive, name: str) -> Answer:
        shed = None
        if self._admission is not None:
            arrived = scope.get(RECEIVED_AT)  # stamped by the HTTP protocol (relay/http_limits.py)
            queued = asyncio.get_running_loop().time() - arrived if arrived is not None else 0.0
            shed = self._admission.check(queued)
        if shed is not None:  # before reading anything: the cheapest answer the relay has
            return self._shed(shed)
        try:
            return await self._accept(scope, receive, name)
        except _TooLate:
            return self._shed(Shed("store_slow", self._admission.retry_after_s if self._admission else 1))
        except StoreUnavailable:
            # Several instances share Redis and it is away: nothing was accepted, so Kommo may send it again.
            return self._refuse(name, _STORE_AWAY, retry_after_s=STORE_RETRY_AFTER_S)
        except sqlite3.DatabaseError as exc:
            # The SQLite file cannot take the turn (disk full, read-only, an I/O error): the claim's transaction was
            # rolled back, so nothing was accepted either. Kommo sends a 503 again; not a 500: that message is lost.
            return self._store_unwritable(exc)

    async def _accept(self, scope: dict[str, Any], receive: Receive, name: str) -> Answer:
        # From its arrival (the HTTP protocol's stamp, on the loop's monotonic clock): the wait before the handler
        # ran counts in the latency /metrics shows.
        received_at = scope.get(RECEIVED_AT) or time.monotonic()
        declared, content_type = _headers(scope)
        try:
            if scope.get(BODY_DEADLINE):  # the HTTP protocol closes the connection if the body is too slow
                raw = await _read_limited(receive, declared, self._settings.max_body_bytes)
            else:
                async with asyncio.timeout(self._settings.http_header_timeout_s):
                    raw = await _read_limited(receive, declared, self._settings.max_body_bytes)
        except BodyTooLarge:
            return self._refuse(name, Refusal(413, "body_too_large", f"at most {self._settings.max_body_bytes} bytes"))
        except TimeoutError:
            return self._refuse(name, _BODY_TOO_SLOW)
        # Reads before the claim are bounded by the request's own deadline; the claim itself never is (cut short,
        # it could be stored yet answered 503). A store whose reads never wait needs no deadline.
        deadline = asyncio.get_running_loop().time() + self._settings.accept_deadline_s if self._bounded_reads else 0.0
        if not CLINIC_NAME_RE.match(name):
            clinic = None
        elif self._bounded_reads:
            clinic = await _within(deadline, self._store.get_clinic(name))
        else:
            clinic = await self._store.get_clinic(name)
        try:
            body = parse_body(raw, content_type.decode("latin-1"))
            ask = widget_request(body)
            if clinic is None and self._store_lost():
                return self._refuse(name, _STORE_AWAY, retry_after_s=STORE_RETRY_AFTER_S)
            if clinic is None:
                # Answered exactly as a bad token is: the URL does not tell who is a clinic here.
                raise Refusal(401, "unknown_clinic", "no clinic with this name on this relay")
            claims = verify_token(
                ask.token,
                clinic.kommo_client_secret,
                base_url=clinic.kommo_base_url,
                leeway_s=self._settings.jwt_leeway_s,
                memory_s=self._settings.jti_memory_s,
            )
            if not return_url_allowed(ask.return_url, clinic.kommo_base_url):
                raise Refusal(
                    400,
                    "foreign_return_url",
                    "return_url is not a Salesbot continue URL on this clinic's Kommo account",
                )
        except Refusal as refusal:
            if clinic is not None:
                self.seen.refused(clinic.name, refusal.error, refusal.detail)
            elif refusal.error == "unknown_clinic":
                self.seen.unknown(name)
            return self._refuse(name, refusal)

        if ask.unknown_keys:  # ignored, never refused: a typo in the bot must not fail every patient; said, though
            self._refusals.log(logger, logging.WARNING, "kommo_unknown_data_keys", clinic=clinic.name,
                               keys=",".join(ask.unknown_keys))
        now = time.time()
        has_extras = any(getattr(ask, key) for key in TURN_EXTRAS)

        def plan(revision: str) -> tuple[list[tuple[str, float]], PendingTurn]:
            keys = delivery_keys(claims, ask.lead_id, ask.message, revision, now, self._settings)
            return keys, PendingTurn(
                clinic=clinic.name,
                turn_id=keys[0][0],
                keys=tuple(key for key, _ in keys),
                lead_id=ask.lead_id,
                message=ask.message,
                name=ask.name,
                phone=ask.phone,
                received_at=now,
                return_url=ask.return_url,
                owner=self._turns.owner,
                extras={key: value for key in TURN_EXTRAS if (value := getattr(ask, key))} if has_extras else {},
            )

        # Durable before the 200: a relay stopped or killed from here on re-runs this turn when it starts.
        claim_turn = getattr(self._store, "claim_turn", None)
        if claim_turn is not None:  # the revision and the claim in one step (relay/store.py, relay/cluster/store.py)
            keys, pending, prior = await claim_turn(clinic.name, ask.lead_id, plan, ask.return_url, now)
        else:
            revision = await self._read(deadline, self._store.conversation_revision(clinic.name, ask.lead_id))
            keys, pending = plan(revision)
            prior = await self._store.claim_delivery(clinic.name, keys, ask.return_url, now, turn=pending)
        if prior is not None and await self._token_reused_for_another_lead(clinic.name, claims, ask.lead_id, now):
            return self._refuse(name, Refusal(401, "invalid_token", "token already used"))
        turn_id = pending.turn_id if prior is None else ""
        if prior is not None and prior.return_url != ask.return_url:
            # A repeat with a return_url of its own (the patient tapped twice) is owed the first one's reply there: a
            # pending turn of its own too, or a relay stopped before it went would leave that bot waiting for good.
            turn_id = await self._repeat_turn(clinic.name, pending, now, prior.turn_id)
        turn = Turn(
            lead_id=ask.lead_id,
            message=ask.message,
            name=ask.name,
            phone=ask.phone,
            now=datetime.fromtimestamp(now, UTC),
            specialty=ask.specialty,
            service=ask.service,
            professional=ask.professional,
            email=ask.email,
            national_id=ask.national_id,
            birth_date=ask.birth_date,
        )
        self._turns.submit(
            AcceptedTurn(
                clinic=clinic,
                turn=turn,
                return_url=ask.return_url,
                delivery_keys=tuple(key for key, _ in keys),
                received_at=received_at,
                repeat_of=prior,
                turn_id=turn_id,
            )
        )
        if self._admission is not None:
            self._admission.accepted()
        # For check-clinic: a step that never sends the patient's text first (every answer is "no te entendí").
        problem = message_problem(body["data"], ask.message) or patient_problem(ask.name, ask.phone) or ""
        self.seen.accepted(clinic.name, now, problem)
        if prior is None:
            self._metrics.webhooks.labels("accepted").inc()  # a child appears in /metrics once it counted
        else:
            self._metrics.webhooks.labels("repeat").inc()
            log(logger, logging.INFO, "kommo_repeat_delivery", clinic=clinic.name, lead=ask.lead_id)
        return _ACCEPTED_ANSWER

    async def _repeat_turn(self, clinic: str, pending: PendingTurn, now: float, first: str) -> str:
        """The pending turn of a repeat owed a continuation on its own return_url (``REPEAT_TURN_PREFIX``): its id.

        Its keys: that id, its first delivery's turn id (``first``: found as long as that delivery's token is
        remembered, when the repeat window of lead + message is long over), then its own delivery keys."""
        turn_id = REPEAT_TURN_PREFIX + secrets.token_hex(12)
        firsts = (first,) if first and first not in pending.keys else ()
        repeat = dataclasses.replace(pending, turn_id=turn_id, keys=(turn_id, *firsts, *pending.keys))
        await self._store.claim_delivery(
            clinic, [(turn_id, now + self._settings.duplicate_window_s)], pending.return_url, now, turn=repeat
        )
        return turn_id

    async def _read(self, deadline: float, read: Coroutine[Any, Any, T]) -> T:
        return await _within(deadline, read) if self._bounded_reads else await read

    def _shed(self, shed: Shed) -> Answer:
        self._metrics.shed.labels(shed.reason).inc()
        self._shed_since_log += 1
        now = time.monotonic()
        if now - self._shed_logged_at >= SHED_LOG_EVERY_S:  # a flood is a count in /metrics, a line now and then
            log(
                logger,
                logging.WARNING,
                "relay_overloaded",
                reason=shed.reason,
                shed=self._shed_since_log,
                turns_in_flight=self._turns.in_flight,
                action="Kommo sends these again; if it lasts, add an instance or CPU",
            )
            self._shed_logged_at, self._shed_since_log = now, 0
        return Answer(503, _OVERLOADED, shed.retry_after_s)

    def _store_unwritable(self, exc: sqlite3.DatabaseError) -> Answer:
        self._metrics.webhooks.labels("store_unavailable").inc()
        self._unwritable_since_log += 1
        now = time.monotonic()
        if now - self._unwritable_logged_at >= UNWRITABLE_LOG_EVERY_S:  # not a traceback per patient's message
            log(
                logger,
                logging.ERROR,
                "store_unwritable",
                reason=store_write_problem(exc) or f"sqlite: {str(exc)[:100]}",
                folder=str(self._settings.data_dir),
                refused=self._unwritable_since_log,
                action="free disk space or make the folder writable; Kommo sends these again",
            )
            self._unwritable_logged_at, self._unwritable_since_log = now, 0
        return _STORE_UNWRITABLE_ANSWER

    async def _token_reused_for_another_lead(self, clinic: str, claims: dict, lead_id: str, now: float) -> bool:
        """A known jti whose first use was for another lead: a replayed token, not Kommo repeating itself."""
        jti = claims["jti"]
        if await self._store.find_delivery(clinic, [jti_key(jti)], now) is None:
            return False  # the repeat was recognised by lead + message, with a token never seen before
        return await self._store.find_delivery(clinic, [jti_lead_key(jti, lead_id)], now) is None

    def _refuse(self, clinic: str, refusal: Refusal, retry_after_s: int | None = None) -> Answer:
        self._metrics.webhooks.labels(refusal.error).inc()
        self._refusals.log(
            logger,
            logging.WARNING,
            "kommo_request_refused",
            clinic=clinic[:64],
            status=refusal.status,
            error=refusal.error,
            detail=refusal.detail,
        )
        if refusal.status == 401:  # the reason is for the operator's log; the caller learns only "not accepted"
            return Answer(401, _UNAUTHORIZED_BODY)
        return Answer(refusal.status, dumps_bytes(refusal.as_json()), retry_after_s)


async def _within(deadline: float, read: Coroutine[Any, Any, T]) -> T:
    try:
        async with asyncio.timeout_at(deadline):
            return await read
    except TimeoutError:
        raise _TooLate from None
