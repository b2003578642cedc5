"""The agent's one outbound connection: a websocket to the relay that never gives up.

The agent only dials out (no inbound port). It authenticates with the clinic's agent token
from the keyring, keeps the connection alive with pings, and reconnects forever with jittered
exponential backoff (about 1 s at first, capped near 60 s), at once when told the network is
back (``nudge``) or when it notices the computer slept. With several relay URLs it tries them
in order, and returns to the first one as soon as it answers again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import socket
import ssl
import time
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus, InvalidURI

from agent.settings import check_relay_url
from wire.messages import MAX_FRAME_BYTES

log = logging.getLogger(__name__)
# websockets logs the opening handshake's headers at DEBUG, the Authorization header among them:
# the connection gets its own logger that never goes below INFO, whatever the root logger allows.
_websocket_log = logging.getLogger("agent.link.websocket")
_websocket_log.setLevel(logging.INFO)

# A frame from the relay -> the answer to send back: text, or UTF-8 bytes already encoded (sent as a text frame).
FrameHandler = Callable[[str], Awaitable[str | bytes | None]]
StateListener = Callable[[str, str, str], None]  # (connecting | connected | disconnected, relay URL, detail)


class Backoff:
    """Delays between connection attempts: ``first_s`` doubling up to ``cap_s``, each within ±20 %."""

    def __init__(
        self, first_s: float = 1.0, cap_s: float = 60.0, *, rng: Callable[[], float] = random.random
    ) -> None:
        self.first_s = first_s
        self.cap_s = cap_s
        self._rng = rng
        self.attempt = 0

    def next_delay(self) -> float:
        base = min(self.cap_s, self.first_s * 2 ** min(self.attempt, 30))
        self.attempt += 1
        return base * (0.8 + 0.4 * self._rng())

    def reset(self) -> None:
        self.attempt = 0


# A relay that closes with "going away" (1001) or "service restart" (1012) is being restarted or
# redeployed and is usually back within seconds: retry at this pace for a while before backing off.
RESTART_CLOSE_CODES = (1001, 1012)
RESTART_RETRY_S = 0.4
RESTART_WINDOW_S = 20.0


# After a connection was lost, the relay is tried again every 1-4 s (uniformly jittered, so 1,000 clinics coming
# back are spread over those seconds) for OUTAGE_FAST_S: an outage of up to 10 minutes ends for the agent within
# about 4 s of the relay answering again, instead of after a backoff grown to a minute. A try while the relay's
# host is down costs it a refused TCP connection: the try is the cheap probe. Problems a person must fix (a refused
# token...) keep the ordinary backoff.
OUTAGE_RETRY_S = (1.0, 4.0)
OUTAGE_FAST_S = 660.0  # a 10-minute outage, with a margin


def outage_retry_delay(normal_delay: float, lost_at: float | None, now: float, problem: str, rng: float) -> float:
    """The delay before the next try after a lost connection: short and jittered during an outage."""
    if lost_at is None or problem or now - lost_at > OUTAGE_FAST_S:
        return normal_delay
    low, high = OUTAGE_RETRY_S
    return min(normal_delay, low + (high - low) * rng)


def restart_retry_delay(
    normal_delay: float, restarting_since: float | None, now: float, rng: float, problem: str = ""
) -> float:
    """The delay before the next attempt: short while a relay restart is expected, else the backoff's (and the
    backoff's for a problem a person must fix: a token the restarted relay refuses is not tried every 0.4 s)."""
    if restarting_since is None or problem or now - restarting_since > RESTART_WINDOW_S:
        return normal_delay
    return min(normal_delay, RESTART_RETRY_S * (0.8 + 0.4 * rng))


def looks_like_wake(wall_elapsed: float, mono_elapsed: float, expected: float, tolerance: float = 20.0) -> bool:
    """Did the computer sleep between two ticks ``expected`` seconds apart?

    During sleep the wall clock runs on while the monotonic clock stops (Linux) or the process
    is not scheduled at all (both clocks jump past the expected tick): either is a wake-up.
    """
    return abs(wall_elapsed - mono_elapsed) > tolerance or mono_elapsed > expected + tolerance


class SleepWatch:
    """Calls ``on_wake`` when the computer seems to have slept (ticks every ``tick_s``)."""

    def __init__(self, on_wake: Callable[[], None], tick_s: float = 5.0) -> None:
        self._on_wake = on_wake
        self.tick_s = tick_s

    async def run(self) -> None:
        wall, mono = time.time(), time.monotonic()
        while True:
            await asyncio.sleep(self.tick_s)
            now_wall, now_mono = time.time(), time.monotonic()
            if looks_like_wake(now_wall - wall, now_mono - mono, self.tick_s):
                log.info("The computer seems to have slept (or its clock jumped): reconnecting now")
                self._on_wake()
            wall, mono = now_wall, now_mono


def display_url(url: str) -> str:
    """The relay URL as shown in logs and events: no user info, query or fragment."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


class RelayLink:
    def __init__(
        self,
        urls: Sequence[str],
        token: Callable[[], str | None],
        handle_frame: FrameHandler,
        status_frame: Callable[[], str],
        *,
        outbox: Callable[[], Sequence[str]] | None = None,
        on_state: StateListener | None = None,
        backoff: Backoff | None = None,
        user_agent: str = "cita-agent",
        ping_interval_s: float = 20.0,
        ping_timeout_s: float = 20.0,
        open_timeout_s: float = 10.0,
        healthy_after_s: float = 10.0,
        primary_retry_s: float = 60.0,
    ) -> None:
        self._urls = tuple(check_relay_url(u) for u in urls)
        self._token = token
        self._handle_frame = handle_frame
        self._status_frame = status_frame
        self._outbox = outbox  # frames told after each status until the relay acknowledges them
        self._on_state = on_state
        self.backoff = backoff or Backoff()
        self._user_agent = user_agent
        self._ping_interval_s = ping_interval_s
        self._ping_timeout_s = ping_timeout_s
        self._open_timeout_s = open_timeout_s
        self._healthy_after_s = healthy_after_s
        self.primary_retry_s = primary_retry_s

        self.state = "disconnected"
        self.url = display_url(self._urls[0]) if self._urls else ""
        self.detail = ""
        # Why the last attempt failed when a person must fix something (link_problems.LINK_PROBLEMS), else "".
        self.problem = ""
        self._last_failure: tuple[str, str] = ("", "")  # logged once, until the next connection or another failure
        self._lost_at: float | None = None  # monotonic time the last connection was lost (None: never connected)
        self.connections = 0  # how many times a connection was made (for tests and the UI)
        self._ws: ClientConnection | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake = asyncio.Event()
        self._stopping = False
        self._switch_to_primary = False
        self._relay_restarting_since: float | None = None  # when the relay last said it was restarting
        self._answers: set[asyncio.Task[None]] = set()
        self._chores: set[asyncio.Task[None]] = set()  # status sends and liveness checks, kept until done
        self._told: set[Callable[[], str | bytes | None]] = set()  # ``tell`` frames waiting to be made and sent

    @property
    def urls(self) -> tuple[str, ...]:
        return self._urls

    # -- controls (nudge and status_changed may be called from any thread) -------------

    def nudge(self) -> None:
        """The network came back or the computer woke up: try at once (and check a live connection)."""
        loop = self._loop
        if loop is None:
            return
        if _on_loop_thread(loop):
            self._nudge_here()
        else:
            loop.call_soon_threadsafe(self._nudge_here)

    def status_changed(self) -> None:
        """Send the agent's status again (paused, portal state changed), and whatever the outbox holds."""
        loop = self._loop
        if loop is None:
            return
        if _on_loop_thread(loop):
            self._send_status_soon()
        else:
            loop.call_soon_threadsafe(self._send_status_soon)

    def tell(self, frame: Callable[[], str | bytes | None]) -> None:
        """Send ``frame()``, made just before it goes, on the connection open then (nothing if it makes None, or
        no connection is open). A tell already waiting to go is not doubled. Safe from any thread."""
        loop = self._loop
        if loop is None:
            return
        if _on_loop_thread(loop):
            self._tell_soon(frame)
        else:
            loop.call_soon_threadsafe(self._tell_soon, frame)

    async def set_urls(self, urls: Sequence[str]) -> None:
        """New relay URLs (the settings changed): reconnect to the first one."""
        self._urls = tuple(check_relay_url(u) for u in urls)
        self.backoff.reset()
        await self._drop_connection(1000, "relay address changed")
        self._wake.set()

    async def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        await self._drop_connection(1001, "agent stopping")

    async def finish_answers(self, grace_s: float) -> bool:
        """Let the answers under way reach the relay, the connection still open (at most ``grace_s``).

        Called before ``stop``: a booking answered a moment after the agent was told to stop is the patient's
        "reservada" instead of "Aún no sé". Requests that arrive meanwhile are answered too, but not waited for.
        False if some answers were still under way."""
        answers = set(self._answers)
        if not answers or self._ws is None:
            return not answers
        _, unfinished = await asyncio.wait(answers, timeout=grace_s)
        return not unfinished

    async def cancel_answers(self) -> None:
        """Stop working on answers the relay can no longer receive (the agent is stopping)."""
        for answer in list(self._answers):
            answer.cancel()
        if self._answers:
            await asyncio.gather(*self._answers, return_exceptions=True)

    # -- the loop --------------------------------------------------------------------

    async def run(self) -> None:
        """Connect, serve, reconnect: forever (until ``stop``)."""
        self._loop = asyncio.get_running_loop()
        while not self._stopping:
            if not self._urls:
                self._set_state("disconnected", "", "no relay address configured")
                await self._pause(None)
                continue
            token = await asyncio.to_thread(self._read_token)
            if not token:
                self._set_state("disconnected", self.url, "no agent token stored: run cita-agent login")
                await self._pause(self.backoff.next_delay())
                continue
            served = await self._connect_in_order(token)
            if self._stopping:
                break
            if served and self._switch_to_primary:
                self._switch_to_primary = False
                continue  # the first relay is back: go there now
            now = time.monotonic()
            delay = restart_retry_delay(
                outage_retry_delay(self.backoff.next_delay(), self._lost_at, now, self.problem, random.random()),
                self._relay_restarting_since, now, random.random(), self.problem,
            )
            log.debug("Reconnecting to the relay in %.1f s", delay)  # one line per change of state, not per try
            self._set_state("disconnected", self.url, self.detail or "connection lost")
            await self._pause(delay)
        self._set_state("disconnected", self.url, "stopped")

    def _read_token(self) -> str | None:
        try:
            return self._token()
        except Exception as exc:  # the keyring may be locked or gone
            log.warning("Cannot read the agent token from the keyring: %s", exc)
            return None

    async def _connect_in_order(self, token: str) -> bool:
        """Try each relay URL in turn; serve the first that accepts. True if a connection was served."""
        for index, url in enumerate(self._urls):
            shown = display_url(url)
            self._set_state("connecting", shown, "")
            try:
                ws = await self._open(url, token)
            except Exception as exc:
                detail = describe_failure(exc)
                problem = failure_kind(exc)
                if (shown, detail) != self._last_failure:  # one line per change, not one per attempt
                    log.warning("Cannot connect to the relay %s: %s", shown, detail)
                    self._last_failure = (shown, detail)
                self.problem = problem
                self._set_state("connecting", shown, detail)
                if self._stopping:
                    return False
                continue
            opened = time.monotonic()
            await self._serve(ws, shown, index)
            if time.monotonic() - opened >= self._healthy_after_s:
                self.backoff.reset()
            return True
        return False

    async def _open(self, url: str, token: str) -> ClientConnection:
        return await connect(
            url,
            additional_headers={"Authorization": f"Bearer {token}"},
            user_agent_header=self._user_agent,
            open_timeout=self._open_timeout_s,
            ping_interval=self._ping_interval_s,
            ping_timeout=self._ping_timeout_s,
            close_timeout=5,
            max_size=MAX_FRAME_BYTES,
            max_queue=64,
            logger=_websocket_log,
        )

    async def _serve(self, ws: ClientConnection, shown: str, index: int) -> None:
        self._ws = ws
        self.connections += 1
        self.problem = ""
        self._last_failure = ("", "")
        log.info("Connected to the relay %s", shown)
        self._set_state("connected", shown, "")
        helpers = []
        try:
            await self._send_status(ws)
            if index > 0:
                helpers.append(asyncio.get_running_loop().create_task(self._watch_primary(ws)))
            async for message in ws:
                if isinstance(message, bytes):
                    log.warning("Ignoring a binary frame from the relay")
                    continue
                answer = asyncio.get_running_loop().create_task(self._answer(ws, message))
                self._answers.add(answer)
                answer.add_done_callback(self._answers.discard)
        except ConnectionClosed:
            pass
        finally:
            for helper in helpers:
                helper.cancel()
            self._ws = None
        code = ws.close_code
        # Closed on purpose by the relay (refused token, replaced by another agent): no quick tries then.
        self._lost_at = None if code in _CLOSE_REASONS else time.monotonic()
        self._relay_restarting_since = time.monotonic() if code in RESTART_CLOSE_CODES else None
        if code == 4401:
            self.problem = "token_refused"
        elif code == 4409:  # another agent of the clinic took over: the ordinary backoff, and said in `status`
            self.problem = "replaced"
        if code in _CLOSE_REASONS:
            self.detail = _CLOSE_REASONS[code]
        elif code is not None and code not in (1000, 1001, 1006):
            self.detail = f"the relay closed the connection ({code} {ws.close_reason or ''})".strip()
        else:
            self.detail = "connection lost"
        if not self._stopping:
            log.warning("Disconnected from the relay %s: %s", shown, self.detail)

    async def _answer(self, ws: ClientConnection, text: str) -> None:
        reply = await self._handle_frame(text)
        if reply is None:
            return
        try:
            await ws.send(reply, text=True)  # bytes go out as they are, in a text frame: no decode, no re-encode
        except ConnectionClosed:
            # Lost with the connection; the relay asks again (a booking's key makes that safe).
            log.info("An answer could not be sent: the connection to the relay closed")

    async def _watch_primary(self, current: ClientConnection) -> None:
        """While on a fallback relay, check the first one now and then; move back when it answers."""
        while True:
            await asyncio.sleep(self.primary_retry_s * (0.8 + 0.4 * random.random()))
            token = await asyncio.to_thread(self._read_token)
            if not token or not self._urls:
                continue
            try:
                probe = await self._open(self._urls[0], token)
            except Exception as exc:
                log.debug("The first relay is still unreachable: %s", describe_failure(exc))
                continue
            await probe.close(1000, "agent returning")
            log.info("The first relay answers again: moving back to it")
            while self._answers:  # let answers under way reach the relay first
                await asyncio.wait(set(self._answers), timeout=30)
            self._switch_to_primary = True
            await current.close(1000, "returning to the first relay")
            return

    # -- helpers ------------------------------------------------------------------------

    async def _pause(self, delay: float | None) -> None:
        """Sleep ``delay`` seconds (forever if None), cut short by a nudge, new URLs or stop."""
        if self._stopping:
            return
        try:
            async with asyncio.timeout(delay):
                await self._wake.wait()
        except TimeoutError:
            pass
        self._wake.clear()

    def _nudge_here(self) -> None:
        self.backoff.reset()
        self._wake.set()
        ws = self._ws
        if ws is not None:
            self._chore(self._check_alive(ws))

    async def _check_alive(self, ws: ClientConnection) -> None:
        """After a wake-up an old connection may be dead without knowing it: a quick ping tells."""
        try:
            pong = await ws.ping()
            async with asyncio.timeout(5):
                await pong
        except (TimeoutError, ConnectionClosed):
            log.info("The relay connection did not survive; reconnecting")
            ws.transport.abort()

    def _send_status_soon(self) -> None:
        ws = self._ws
        if ws is not None:
            self._chore(self._send_status(ws))

    def _tell_soon(self, frame: Callable[[], str | bytes | None]) -> None:
        ws = self._ws
        if ws is not None and frame not in self._told:
            self._told.add(frame)
            self._chore(self._send_told(ws, frame))

    async def _send_told(self, ws: ClientConnection, frame: Callable[[], str | bytes | None]) -> None:
        self._told.discard(frame)
        made = frame()
        if made is not None:
            with contextlib.suppress(ConnectionClosed):
                await ws.send(made, text=True)

    def _chore(self, job: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(job)
        self._chores.add(task)
        task.add_done_callback(self._chores.discard)

    async def _send_status(self, ws: ClientConnection) -> None:
        with contextlib.suppress(ConnectionClosed):
            await ws.send(self._status_frame())
            for frame in self._outbox() if self._outbox is not None else ():
                await ws.send(frame)

    async def _drop_connection(self, code: int, reason: str) -> None:
        ws = self._ws
        if ws is not None:
            with contextlib.suppress(Exception):
                await ws.close(code, reason)

    def _set_state(self, state: str, url: str, detail: str) -> None:
        changed = (state, url, detail) != (self.state, self.url, self.detail)
        self.state, self.url, self.detail = state, url, detail
        if changed and self._on_state is not None:
            self._on_state(state, url, detail)


# The relay's own close codes (relay/agents.py), in words an operator can act on.
_CLOSE_REASONS = {
    4401: "the relay refused the agent token: store a new one with cita-agent login",
    4403: "the relay accepts agents only over wss:// (TLS)",
    4409: "another agent of this clinic connected to the relay (is the agent running on two computers?)",
}


async def check_token(urls: Sequence[str], token: str, *, timeout_s: float = 10.0) -> str:
    """Whether a relay takes this agent token: "" when one accepted it, else the first relay's failure kind
    (``failure_kind``; "unreachable" when none answered). The connection closes at once, before any status, so an
    agent already connected with this token keeps its link (the relay hands over only at a new link's status)."""
    found = "unreachable"
    for url in urls:
        try:
            ws = await connect(url, additional_headers={"Authorization": f"Bearer {token}"}, open_timeout=timeout_s,
                               close_timeout=2, logger=_websocket_log)
        except Exception as exc:
            kind = failure_kind(exc)
            if kind and found == "unreachable":
                found = kind
            continue
        await ws.close()
        return ""
    return found


def failure_kind(exc: BaseException) -> str:
    """What a person must fix after this failure ("" when it is the network or the relay, which retrying cures).

    ``token_refused``: the relay does not know the agent token (HTTP 401); ``tls_required``: plain ws:// to a
    relay elsewhere; ``not_a_relay``: the address answers, but not as a Cita Bridge relay's /agent (a wrong path:
    404, or the 403 a web server gives a websocket it has no route for); ``tls``: the certificate cannot be
    trusted; ``no_tls``: the address answers, but not with TLS (a relay without it, reached as wss://: a bare
    host name is taken as wss://); ``dns``: no such host name.
    """
    if isinstance(exc, InvalidStatus):
        status = exc.response.status_code
        if status == 401:
            return "token_refused"
        if status == 403 and b"tls_required" in (exc.response.body or b""):
            return "tls_required"
        return "" if status >= 500 or status == 429 else "not_a_relay"
    if isinstance(exc, InvalidURI):
        return "not_a_relay"
    if isinstance(exc, InvalidHandshake):
        return "not_a_relay"
    if isinstance(exc, ssl.SSLError):
        return "no_tls" if _plain_answer(exc) else "tls"
    if isinstance(exc, socket.gaierror):
        return "dns"
    return ""


def _plain_answer(exc: ssl.SSLError) -> bool:
    """The TLS handshake got a plain-text answer (an http:// server), not a certificate it could not trust."""
    reason = getattr(exc, "reason", None) or ""
    return reason in ("WRONG_VERSION_NUMBER", "HTTP_REQUEST", "RECORD_LAYER_FAILURE") or \
        "wrong version number" in str(exc).lower()


def describe_failure(exc: BaseException) -> str:
    """A connection failure in words an operator can act on (never the request headers)."""
    if isinstance(exc, InvalidStatus):
        status = exc.response.status_code
        if status == 401:
            return "the relay refused the agent token (HTTP 401): store a new one with cita-agent login"
        kind = failure_kind(exc)
        if kind == "tls_required":
            return "the relay accepts agents only over wss:// (TLS)"
        if kind == "not_a_relay":
            return f"this address is not a Cita Bridge relay's /agent (HTTP {status}): check the relay address"
        return f"the relay answered HTTP {status}"
    if isinstance(exc, InvalidURI):
        return "the relay address is not valid"
    if isinstance(exc, InvalidHandshake):
        return f"the relay's answer was not a websocket handshake ({type(exc).__name__})"
    if isinstance(exc, TimeoutError):
        return "the relay did not answer in time"
    if isinstance(exc, ssl.SSLError) and _plain_answer(exc):
        return "the relay answered without TLS: use ws:// (a closed network only) or give the relay TLS"
    if isinstance(exc, ssl.SSLError):
        return f"the relay's certificate cannot be trusted ({getattr(exc, 'reason', None) or type(exc).__name__})"
    if isinstance(exc, socket.gaierror):
        return "no such relay host name (DNS)"
    if isinstance(exc, OSError):
        return f"cannot reach the relay ({exc.strerror or type(exc).__name__})"
    return type(exc).__name__


def _on_loop_thread(loop: asyncio.AbstractEventLoop) -> bool:
    try:
        return asyncio.get_running_loop() is loop
    except RuntimeError:
        return False
