"""The relay's requests, checked and answered before their deadline.

The relay is not trusted: a frame is decoded and validated field by field (wire.messages)
before anything acts on it, only the wire protocol's operations exist (the optional ones only as
the driver can: agent/appointments.py), and what goes back is built from the agent's own data
with fixed messages (no exception text, no paths, never a secret).
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from collections.abc import Callable

from agent.appointments import AppointmentDesk
from agent.booking import BookingDesk
from agent.events import Event, RequestServed
from agent.portal_session import PortalSession
from agent.slot_answer import DriverFacts, SlotListJson
from agent.slot_cache import SlotCache
from agent.slot_watch import SlotWatch
from wire.messages import (
    ERROR_CODES,
    Ack,
    BookArgs,
    ProtocolError,
    Request,
    Response,
    SlotsArgs,
    SlotsUpdate,
    WireError,
    decode,
    encode,
    error_response,
    ok_response,
)

log = logging.getLogger(__name__)

MAX_IN_FLIGHT = 64
_ID_RE = re.compile(r"^[A-Za-z0-9._:@+\-]{1,200}$")

# What the relay is told, by code. The relay speaks to the patient in its own words; these are for its logs.
MESSAGES = {
    "paused": "the clinic paused automatic booking",
    "login_failed": "the clinic web app refused the agent's password",
    "account_locked": "the clinic web app locked the agent's user",
    "login_needs_person": "the clinic web app asks for a code (or a captcha, or a new password) a person must type",
    "portal_down": "the clinic web app is not answering",
    "portal_changed": "the clinic web app looks different than the agent expects",
    "timeout": "no answer before the deadline",
    "internal": "the agent could not serve this request",
    "busy": "too many requests at once",
    "bad_request": "the clinic web app refused the patient's details",
}


def answer_margin(timeout_s: float) -> float:
    """How much of the relay's deadline is kept for the answer to travel back."""
    return min(0.5, timeout_s * 0.1)


class RequestHandler:
    def __init__(
        self,
        cache: SlotCache,
        desk: BookingDesk,
        portal: PortalSession,
        *,
        is_paused: Callable[[], bool],
        emit: Callable[[Event], None],
        monotonic: Callable[[], float] = time.monotonic,
        on_ack: Callable[[str], None] | None = None,
        facts: Callable[[], DriverFacts] | None = None,
        connection: Callable[[], int] = lambda: 0,
        tell: Callable[[Callable[[], bytes | None]], None] | None = None,
    ) -> None:
        self._cache = cache
        self._desk = desk
        self._portal = portal
        self._is_paused = is_paused
        self._emit = emit
        self._mono = monotonic
        self._on_ack = on_ack  # the relay acknowledged a booking outcome (by its key)
        self.appointments = AppointmentDesk(portal, desk)
        self._in_flight = 0
        self._slot_json = SlotListJson()
        self._facts = facts or DriverFacts  # the driver's patient fields and find-by-phone, sent with the slots
        self._watch = SlotWatch(connection)  # the answer kept standing at the relay (agent/slot_watch.py)
        self._tell = tell  # sends a frame made just before it goes, on the open connection (RelayLink.tell)

    def slots_changed(self) -> None:
        """The answer may have changed (a read, a booking, a pause, the web app's state): the relay is told, if it
        watches it."""
        if self._tell is not None and self._watch.asked() is not None:
            self._tell(self.slots_update)

    def slots_update(self) -> bytes | None:
        """The ``slots_update`` frame for the question the relay watches on the open connection (None: none): the
        answer that stands now, "unchanged" when the relay holds it, or none (the relay asks, and hears why)."""
        asked = self._watch.asked()
        if asked is None:
            return None
        view = self._cache.view(asked.days, asked.professional)
        if self._refusal() or view.stale or view.age_s is None:
            self._watch.held = ""
            return encode(SlotsUpdate(asked.days, asked.professional, None)).encode()
        facts = self._facts()
        fresh_s = max(0.0, self._cache.stale_after_s() - view.age_s)
        frame = self._slot_json.update_frame(asked, fresh_s, view.slots, view.age_s, facts, self._watch.held or None)
        self._watch.held = self._slot_json.fingerprint(view.slots, facts)
        return frame

    async def handle_text(self, text: str) -> str | bytes | None:
        """One frame from the relay -> the frame to send back (None: nothing to answer; bytes: UTF-8 JSON text)."""
        try:
            frame = decode(text)
        except ProtocolError as exc:
            request_id = _salvage_id(text)
            log.warning("Refused a malformed frame from the relay: %s", exc)
            if request_id is None:
                return None
            self._emit(RequestServed("invalid", False, "bad_request"))
            return encode(error_response(request_id, "bad_request", str(exc)[:200]))
        if isinstance(frame, Ack):
            if self._on_ack is not None:
                self._on_ack(frame.id)
            return None
        if not isinstance(frame, Request):
            log.debug("Ignoring a %s frame from the relay", type(frame).__name__)
            return None
        answer = await self._serve(frame)
        return answer if isinstance(answer, bytes) else encode(answer)

    async def handle(self, request: Request) -> Response:
        """The response to one request, as a wire object."""
        answer = await self._serve(request)
        if isinstance(answer, bytes):
            frame = decode(answer)
            assert isinstance(frame, Response)
            return frame
        return answer

    async def _serve(self, request: Request) -> Response | bytes:
        """The response, or (a slots answer) the response frame already encoded: ``SlotListJson.frame``."""
        started = self._mono()
        deadline = started + request.timeout_s - answer_margin(request.timeout_s)
        response: Response | bytes
        if self._in_flight >= MAX_IN_FLIGHT:
            response = _error(request.id, "internal", MESSAGES["busy"])
        else:
            self._in_flight += 1
            try:
                async with asyncio.timeout(deadline - started):
                    response = await self._dispatch(request, deadline)
            except TimeoutError:
                response = _error(request.id, "timeout")
            except Exception:
                log.exception("Failed to serve a %s request", request.op)
                response = _error(request.id, "internal")
            finally:
                self._in_flight -= 1
        ok = isinstance(response, bytes) or response.ok
        code = "" if ok or response.error is None else response.error.code  # type: ignore[union-attr]
        duration_ms = (self._mono() - started) * 1000
        self._after_answer(RequestServed(request.op, ok, code, duration_ms))
        if not ok or not _routine(request):
            log.info("Answered %s %s in %.0f ms: %s", request.op, request.id, duration_ms, code or "ok")
        elif log.isEnabledFor(logging.DEBUG):
            log.debug("Answered %s %s in %.0f ms: ok", request.op, request.id, duration_ms)
        return response

    async def _dispatch(self, request: Request, deadline: float) -> Response | bytes:
        if isinstance(request.args, SlotsArgs):
            return await self._slots(request.id, request.args, deadline)
        if isinstance(request.args, BookArgs):
            return await self._book(request.id, request.args)
        if request.op in ("my_bookings", "cancel", "reschedule"):
            return await self._own_appointments(request)
        return _error(request.id, "bad_request", "unknown operation")

    async def _own_appointments(self, request: Request) -> Response:
        """The patient's own appointments (wire/appointments.py): only when the driver can, and never while paused."""
        refusal = self._refusal()
        if refusal:
            return _error(request.id, refusal)
        desk, args = self.appointments, request.args
        outcome = await {"my_bookings": desk.my_bookings, "cancel": desk.cancel, "reschedule": desk.reschedule}[
            request.op](args)
        if isinstance(outcome, WireError):  # "nothing written" goes on: the relay tells a failed move from an unknown
            code = outcome.code if outcome.code in ERROR_CODES else "internal"
            return error_response(request.id, code, outcome.message or MESSAGES.get(code, code),
                                  nothing_written=outcome.nothing_written)
        return Response(id=request.id, ok=True, result=outcome.to_json())

    async def _slots(self, request_id: str, args: SlotsArgs, deadline: float) -> Response | bytes:
        refusal = self._refusal()
        if refusal:
            return _error(request_id, refusal)
        # Leave a little of the budget to build and send the answer.
        await self._cache.ensure_fresh(args.days, deadline - 0.05)
        refusal = self._refusal()
        if refusal:
            return _error(request_id, refusal)
        view = self._cache.view(args.days, args.professional)
        if self._watch.watch(args):
            self.slots_changed()  # after this answer: what stands at the relay from now on
        if view.cold:
            failure = self._cache.last_error
            code = failure.code if failure is not None and failure.code in ERROR_CODES else "timeout"
            return _error(request_id, code)
        return self._slot_json.frame(request_id, view.slots, view.age_s or 0.0, self._facts(), args.known)

    async def _book(self, request_id: str, args: BookArgs) -> Response:
        outcome = await self._desk.book(args)
        if outcome.result is not None:
            return ok_response(request_id, outcome.result)
        error = outcome.error
        assert error is not None
        message = MESSAGES.get(error.code, error.message) if error.code != "slot_taken" else "the slot is taken"
        # "Nothing was written" goes on to the relay: without it a booking the agent knows failed stays "not known
        # yet" to the patient until the appointment's time.
        return error_response(request_id, error.code, message, error.alternatives,
                              nothing_written=error.nothing_written)

    def _after_answer(self, event: Event) -> None:
        """Tell the listeners once the answer is on its way, not before: the caller writes it to the relay before it
        next yields to the loop, and in the tray app a listener wakes the window's thread, which would otherwise
        take the interpreter from the engine's thread between the answer being made and being sent."""
        try:
            asyncio.get_running_loop().call_soon(self._emit, event)
        except RuntimeError:  # no loop (a synchronous caller): now
            self._emit(event)

    def _refusal(self) -> str:
        if self._is_paused():
            return "paused"
        blocked = self._portal.blocked
        if blocked is not None:
            return blocked.code
        # The self-check found a screen gone (agent/drift_watch.py): a hand-off that says so, not a failed booking.
        return "portal_changed" if getattr(self._portal, "drift", "") else ""


def _routine(request: Request) -> bool:
    """Asked with every patient question and answered from memory: logged only at DEBUG when it went well."""
    return request.op == "slots" or (request.op == "my_bookings" and getattr(request.args, "known_only", False) is True)


def _error(request_id: str, code: str, message: str = "") -> Response:
    return error_response(request_id, code, message or MESSAGES.get(code, code))


def _salvage_id(text: str | bytes) -> str | None:
    """The id of a frame that failed validation, if it has a usable one (so the relay is not left waiting)."""
    try:
        obj = json.loads(text)
    except ValueError:
        return None
    if not isinstance(obj, dict) or obj.get("type") != "request":
        return None
    request_id = obj.get("id")
    return request_id if isinstance(request_id, str) and _ID_RE.match(request_id) else None
