"""Calls from the relay to Kommo: the Salesbot continuation, and the OAuth refresh it may need first.

- Every call to an account (continuations and token refreshes alike) passes a ``KommoBudget``: at most
  7 in any sliding second, with a margin for the time a request spends on the wire (``AccountRateLimit`` in one
  process; ``relay.cluster.budget`` across instances sharing Redis).
- Network errors, 429 and 5xx are retried with exponential backoff (honouring Retry-After) for minutes; a POST
  already sent is waited for, never repeated while in flight; a 401 with OAuth tokens refreshes once.
- A refresh's new refresh token is persisted (atomically, fully synced) before its access token is used:
  Kommo hands out a new one every time and a lost refresh token means the clinic must re-install. One refresh
  per clinic at a time (``refresh_locks``: across instances too), so a refresh token is never spent twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import logging
import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from relay.http_client import HttpClient, HttpResponse, TransportError
from relay.locks import KeyedLocks, LockSet
from relay.logs import log
from relay.store import Clinic, KommoTokens, RelayStore

logger = logging.getLogger("relay.kommo")

# Refresh an access token this long before Kommo says it expires.
_EXPIRY_MARGIN_S = 300.0


class KommoBudget(Protocol):
    def hold(self, account: str) -> contextlib.AbstractAsyncContextManager[None]:
        """Wait until a call to ``account`` fits the budget; it counts until a window after the block ends."""
        ...

    def forget_idle(self) -> None: ...


class AccountRateLimit:
    """At most ``per_s`` calls per account in any window of ``1 + margin_s`` seconds, first come first served.

    A call counts from the moment it is admitted until ``window`` after its answer came back, so however long
    it waited in a socket buffer or a busy event loop, Kommo — whose count is over one second, and which
    restricts the IP (every clinic) for going over it — never sees more than ``per_s`` within a second.
    The memory is this process's: several relay instances share ``relay.cluster.budget`` instead.
    """

    def __init__(self, per_s: float, margin_s: float = 0.1, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = max(1, int(per_s))
        self.window_s = 1.0 + margin_s
        self._clock = clock
        self._calls: dict[str, list[list[float]]] = {}  # account -> [ends_at] cells (inf while in flight)
        self._locks: dict[str, asyncio.Lock] = {}
        self._finished: dict[str, asyncio.Event] = {}

    def hold(self, account: str) -> _Held:
        return _Held(self, account)

    async def _admit(self, account: str) -> tuple[list[float], asyncio.Event]:
        """Wait for room in ``account``'s window; the cell counting this call (in flight: inf) and its event."""
        lock = self._locks.get(account)
        if lock is None:
            lock = self._locks[account] = asyncio.Lock()
        finished = self._finished.get(account)
        if finished is None:
            finished = self._finished[account] = asyncio.Event()
        async with lock:
            calls = self._calls.get(account)
            if calls is None:
                calls = self._calls[account] = []
            while True:
                now = self._clock()
                if calls:
                    calls[:] = [c for c in calls if c[0] > now - self.window_s]
                if len(calls) < self.limit:
                    break
                earliest = min(c[0] for c in calls)
                if earliest == math.inf:  # all in flight: wait for one to finish, then for its window
                    finished.clear()
                    await finished.wait()
                else:
                    await asyncio.sleep(earliest + self.window_s - now)
            cell = [math.inf]
            calls.append(cell)
        return cell, finished

    def forget_idle(self) -> None:
        """Drop the bookkeeping of accounts with nothing in their window (called now and then)."""
        now = self._clock()
        for account, calls in list(self._calls.items()):
            lock = self._locks.get(account)
            if all(c[0] <= now - self.window_s for c in calls) and (lock is None or not lock.locked()):
                self._calls.pop(account, None)
                self._locks.pop(account, None)
                self._finished.pop(account, None)


class _Held(contextlib.AbstractAsyncContextManager[None]):
    """``AccountRateLimit.hold``: the call counts from its admission until a window after the block ends."""

    def __init__(self, limit: AccountRateLimit, account: str) -> None:
        self._limit = limit
        self._account = account

    async def __aenter__(self) -> None:
        self._cell, self._finished = await self._limit._admit(self._account)

    async def __aexit__(self, *exc: object) -> None:
        self._cell[0] = self._limit._clock()
        self._finished.set()


@dataclass(frozen=True)
class ContinuationOutcome:
    delivered: bool
    status_code: int | None  # Kommo's last answer; None when it was never reached
    attempts: int
    detail: str = ""


class KommoClient:
    """Continuations to Kommo's return_url, delivered once, in order per lead, for as long as Kommo needs.

    - Retried (network errors, 429, 5xx) with exponential backoff for ``retry_for_s`` (at least two minutes by
      default), never sooner than a ``Retry-After`` asks.
    - A POST that was sent is waited for (``answer_wait_s``) and never sent again while Kommo may still be working
      on it: a return_url continues the bot once, and a second POST of the same continuation could only fail.
    - A lead's continuations leave in the order their turns reached ``continue_bot``: a later one waits until the
      earlier one is delivered (or given up), so a patient never reads the answers out of order.
    """

    def __init__(
        self,
        store: RelayStore,
        http: HttpClient,
        limiter: KommoBudget,
        *,
        refresh_locks: LockSet | None = None,
        attempts: int = 40,
        backoff_s: float = 0.5,
        max_backoff_s: float = 15.0,
        timeout_s: float = 10.0,
        answer_wait_s: float = 120.0,
        retry_for_s: float = 150.0,
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._store = store
        self._http = http
        self._limiter = limiter
        self._attempts = max(1, attempts)
        self._backoff_s = backoff_s
        self._max_backoff_s = max_backoff_s
        self._timeout_s = timeout_s
        self._answer_wait_s = answer_wait_s
        self._retry_for_s = retry_for_s
        self._clock = clock
        self._monotonic = monotonic
        self._refresh_locks = refresh_locks if refresh_locks is not None else KeyedLocks()
        self._lead_tails: dict[tuple[str, str], asyncio.Future[None]] = {}
        # Why each clinic's last token refresh failed ((problem, HTTP status)), until one succeeds: what
        # `cita-relay check-clinic` tells the operator instead of "no token".
        self._refresh_problems: dict[str, tuple[str, int | None]] = {}

    async def continue_bot(
        self, clinic: Clinic, return_url: str, body: dict[str, Any], *, lead: str | None = None
    ) -> ContinuationOutcome:
        """POST ``body`` to ``return_url`` (already checked to be on the clinic's own Kommo host).

        With ``lead``, after every earlier continuation of that lead that is still on its way.
        """
        if lead is None:
            return await self._deliver(clinic, return_url, body)
        key = (clinic.name, lead)
        earlier = self._lead_tails.get(key)
        mine: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._lead_tails[key] = mine  # taken before any await: the order is the order of the calls
        try:
            if earlier is not None:
                await asyncio.shield(earlier)
            return await self._deliver(clinic, return_url, body)
        finally:
            mine.set_result(None)
            if self._lead_tails.get(key) is mine:
                del self._lead_tails[key]

    async def _deliver(self, clinic: Clinic, return_url: str, body: dict[str, Any]) -> ContinuationOutcome:
        status: int | None = None
        detail = ""
        refreshed_after_401 = False
        attempt = 0
        give_up_at = self._monotonic() + self._retry_for_s
        while attempt < self._attempts:
            attempt += 1
            bearer = await self._bearer(clinic)
            if bearer is None:
                detail = "no Kommo token for this clinic (add one: cita-relay add-clinic/set-kommo-oauth)"
                log(logger, logging.ERROR, "continuation_no_token", clinic=clinic.name)
                return ContinuationOutcome(False, None, attempt - 1, detail)
            retry_after: float | None = None
            try:
                async with self._limiter.hold(clinic.kommo_base_url):
                    response = await self._http.post_json(
                        return_url,
                        body,
                        headers={"Authorization": f"Bearer {bearer}"},
                        timeout=self._timeout_s,
                        answer_timeout=self._answer_wait_s,
                    )
            except TransportError as exc:
                status, detail = None, f"network error: {exc}"
                if exc.request_sent:
                    # Kommo has it, and may still act on it: a second POST could only be refused (or worse).
                    log(logger, logging.ERROR, "continuation_unanswered", clinic=clinic.name, detail=detail)
                    return ContinuationOutcome(False, None, attempt, detail)
            else:
                status = response.status_code
                if 200 <= status < 300:
                    return ContinuationOutcome(True, status, attempt)
                detail = _short_detail(response)
                if status == 401 and not refreshed_after_401:
                    refreshed_after_401 = True
                    if await self._refresh_after_401(clinic, bearer):
                        attempt -= 1  # the retry with fresh tokens is not a new attempt
                        continue
                if status < 500 and status != 429:
                    break  # Kommo refused this body or token: repeating it would not help
                retry_after = retry_after_s(response.header("retry-after"), self._clock())
            if attempt >= self._attempts:
                break
            delay = min(self._max_backoff_s, self._backoff_s * 2 ** (attempt - 1)) * random.uniform(0.8, 1.2)
            if retry_after is not None:
                delay = max(delay, retry_after)
            if self._monotonic() + delay > give_up_at:
                break
            log(
                logger,
                logging.WARNING,
                "continuation_retry",
                clinic=clinic.name,
                status=status,
                detail=detail,
                attempt=attempt,
                retry_in_s=round(delay, 2),
                retry_after_s=retry_after,
            )
            await asyncio.sleep(delay)
        log(
            logger,
            logging.ERROR,
            "continuation_failed",
            clinic=clinic.name,
            status=status,
            detail=detail,
            attempts=attempt,
        )
        return ContinuationOutcome(False, status, attempt, detail)

    async def account_bearer(self, clinic: Clinic) -> str | None:
        """The clinic's Kommo bearer (refreshed when due), for the relay's other calls to its API (follow-ups)."""
        return await self._bearer(clinic)

    # -- tokens ----------------------------------------------------------------------------------------

    async def bearer(self, clinic: Clinic) -> str | None:
        """A usable bearer for the clinic's Kommo (refreshed first if needed), or None when it has no token."""
        return await self._bearer(clinic)

    def refresh_problem(self, clinic: Clinic) -> tuple[str, int | None] | None:
        """Why the clinic's last token refresh failed, if it did and none succeeded since: ``refresh_refused``
        (Kommo said no: re-authorize), ``not_found`` (no Kommo account at that address), ``unreachable`` or
        ``kommo_error``; with Kommo's HTTP status."""
        return self._refresh_problems.get(clinic.name)

    async def _bearer(self, clinic: Clinic) -> str | None:
        tokens = await self._store.kommo_tokens(clinic.name)
        if tokens is None:
            return None
        if tokens.long_lived_token:
            return tokens.long_lived_token
        if not tokens.refresh_token:
            return None
        if self._fresh(tokens):
            return tokens.access_token
        return await self._refresh(clinic, stale_access=tokens.access_token)

    async def _refresh_after_401(self, clinic: Clinic, rejected_bearer: str) -> bool:
        tokens = await self._store.kommo_tokens(clinic.name)
        if tokens is None or not tokens.uses_oauth:
            return False
        return await self._refresh(clinic, stale_access=rejected_bearer) is not None

    def _fresh(self, tokens: KommoTokens) -> bool:
        return bool(
            tokens.access_token
            and tokens.access_expires_at is not None
            and tokens.access_expires_at - _EXPIRY_MARGIN_S > self._clock()
        )

    async def _refresh(self, clinic: Clinic, *, stale_access: str | None) -> str | None:
        """A usable access token: rotated here, or by whoever held the lock before us."""
        async with self._refresh_locks.hold(clinic.name):
            tokens = await self._store.kommo_tokens(clinic.name)
            if tokens is None or not tokens.refresh_token:
                return None
            if tokens.access_token != stale_access and self._fresh(tokens):
                return tokens.access_token  # someone refreshed while we waited
            payload = {
                "client_id": clinic.kommo_client_id,
                "client_secret": clinic.kommo_client_secret,
                "grant_type": "refresh_token",
                "refresh_token": tokens.refresh_token,
                "redirect_uri": tokens.redirect_uri,
            }
            try:
                async with self._limiter.hold(clinic.kommo_base_url):
                    response = await self._http.post_json(
                        f"{clinic.kommo_base_url}/oauth2/access_token", payload, timeout=self._timeout_s
                    )
            except TransportError as exc:
                log(logger, logging.WARNING, "kommo_refresh_unreachable", clinic=clinic.name, error=str(exc))
                self._refresh_problems[clinic.name] = ("unreachable", None)
                return None
            if response.status_code != 200:
                self._refresh_problems[clinic.name] = (_refusal(response.status_code), response.status_code)
                log(
                    logger,
                    logging.ERROR,
                    "kommo_refresh_refused",
                    clinic=clinic.name,
                    status=response.status_code,
                    detail=_short_detail(response),
                    action="if the refresh token was revoked: re-authorize (cita-relay set-kommo-oauth)",
                )
                return None
            try:
                grant = response.json()
                access, refresh = str(grant["access_token"]), str(grant["refresh_token"])
                expires_at = self._clock() + float(grant.get("expires_in", 86400))
            except (ValueError, KeyError, TypeError):
                log(logger, logging.ERROR, "kommo_refresh_unreadable", clinic=clinic.name)
                self._refresh_problems[clinic.name] = ("kommo_error", 200)
                return None
            self._refresh_problems.pop(clinic.name, None)
            # Persist before use: if this write fails, the access token is not used either.
            stored = await self._store.store_rotated_tokens(
                clinic.name, tokens.refresh_token, access, refresh, expires_at
            )
            if not stored:
                latest = await self._store.kommo_tokens(clinic.name)
                log(logger, logging.WARNING, "kommo_refresh_raced", clinic=clinic.name)
                return latest.access_token if latest and self._fresh(latest) else None
            log(logger, logging.INFO, "kommo_tokens_rotated", clinic=clinic.name)
            return access


def _refusal(status: int) -> str:
    """A refused refresh: a wrong address (404), Kommo saying no to this integration or token (4xx), or its error."""
    return "not_found" if status == 404 else "refresh_refused" if 400 <= status < 500 else "kommo_error"


def retry_after_s(value: str | None, now: float) -> float | None:
    """Seconds a ``Retry-After`` header asks to wait (delta-seconds or an HTTP date), or None."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    if text.isdigit():
        return float(min(int(text), 3600))
    try:
        moment = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        return None
    return max(0.0, min(moment.timestamp() - now, 3600.0))


def _short_detail(response: HttpResponse) -> str:
    try:
        payload = response.json()
    except ValueError:
        return response.text[:200]
    if isinstance(payload, dict):
        for key in ("detail", "hint", "title"):
            if isinstance(payload.get(key), str):
                return payload[key][:200]
    return str(payload)[:200]
