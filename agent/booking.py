"""Booking a slot through the journal, so that no request is lost and none is carried out twice.

The request is written with its idempotency key before the browser acts, and its outcome
after. A repeat of the key gets the first outcome back (``repeat``), waiting for it when the
first attempt is still under way. When the outcome is unknown (the agent was killed mid-booking,
or the web app stopped answering after the form was sent) the row stays ``in_progress`` and is
reconciled by looking the appointment up in the web app: never by guessing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime

from agent.events import BookingRecorded, Event
from agent.journal import BOOKED, FAILED, HANDOFF, BookingJournal, JournalEntry, MoveSource, phone_digits
from agent.known_bookings import UNDER_WAY, known_for
from agent.portal.base import AccountLocked, Booking, LoginRejected, Patient, PortalError, Slot, SlotTaken
from agent.portal_session import PortalNotReady, PortalSession, Priority
from agent.seen_bookings import SeenBookingsIndex
from agent.slot_cache import SlotCache
from wire.appointments import WireBooking
from wire.messages import ERROR_CODES, BookArgs, BookResult, Outcome, WireError, WireSlot

log = logging.getLogger(__name__)

NOT_FOUND_AFTER_INTERRUPTION = "not found in the clinic web app after an interrupted attempt"
RECONCILE_RETRY_FIRST_S = 30.0
RECONCILE_RETRY_MAX_S = 600.0
# A taken slot: its day is read again before the alternatives are offered, waited for this long at most
TAKEN_REREAD_WAIT_S = 6.0
# The phone's appointments told to a patient: the days they are on read again first, waited for this long at most
# (the relay asks just before a booking with 3 s to spare)
KNOWN_REREAD_WAIT_S = 2.0


@dataclass(frozen=True)
class BookOutcome:
    result: BookResult | None = None
    error: WireError | None = None

    @property
    def ok(self) -> bool:
        return self.result is not None


class BookingDesk:
    def __init__(
        self,
        journal: BookingJournal,
        portal: PortalSession,
        cache: SlotCache,
        *,
        emit: Callable[[Event], None],
        is_paused: Callable[[], bool],
        seen: SeenBookingsIndex | None = None,
    ) -> None:
        self.journal = journal
        # The appointments the free-slot reads saw (reception's too): told with the journal's before a new booking
        self.seen = seen if seen is not None else SeenBookingsIndex()
        self._portal = portal
        self._cache = cache
        self._emit = emit
        self._is_paused = is_paused
        # key -> the final journal entry, for repeats arriving while the outcome is not known yet
        self._outcomes: dict[str, asyncio.Future[JournalEntry]] = {}
        self._attempts: set[asyncio.Task[JournalEntry | None]] = set()
        self._unreconciled: set[str] = set()
        self._reconcile_wake = asyncio.Event()
        self.moving: set[str] = set()  # keys booked to move an appointment (agent.appointments): told as a move
        # key -> the booking being written now: a phone's appointment for the "ya tienes hora" check before another
        self.under_way: dict[str, JournalEntry] = {}
        # A new booking's check and start, one at a time per phone: the lock, and how many hold or wait for it
        self._phone_locks: dict[str, tuple[asyncio.Lock, int]] = {}

    def paused(self) -> bool:
        return self._is_paused()

    # -- a booking request ------------------------------------------------------

    async def book(self, args: BookArgs, moving_from: MoveSource | None = None) -> BookOutcome:
        """``moving_from``: the patient's appointment this booking replaces (agent.appointments cancels it after)."""
        key = args.idempotency_key
        pending = self._outcomes.get(key)
        if pending is not None:
            return self._outcome(await asyncio.shield(pending), repeat=True)

        entry = self.journal.get(key)
        if entry is not None:
            return await self._repeat(entry)

        if args.told is None or moving_from is not None:
            started = self._start(args, moving_from)
        else:
            # The check and the start in one step per phone: two chats of one phone confirming at the same instant
            # meet here, and the second finds the first under way.
            async with self._phone_lock(args.patient.phone):
                if await self._untold_booking(args.patient.phone, args.told):
                    log.info("Not booked: the phone has an appointment the patient was not told of (key %s)", key)
                    return BookOutcome(error=WireError(
                        "other_booking", "the phone has another appointment; ask the patient again",
                        nothing_written=True,
                    ))
                started = self._start(args, moving_from)
        if isinstance(started, BookOutcome):
            return started
        if isinstance(started, JournalEntry):  # another request with this key got there first
            return await self._repeat(started)
        attempt, slot = started
        # Shielded: a request that runs out of time stops waiting, but a booking under way is never cut short.
        final = await asyncio.shield(attempt)
        if final is None:
            return BookOutcome(error=WireError(
                "portal_down", "the clinic web app did not confirm the booking; it is being checked",
            ))
        return self._outcome(final, repeat=False, near=slot)

    def _start(
        self, args: BookArgs, moving_from: MoveSource | None
    ) -> BookOutcome | JournalEntry | tuple[asyncio.Task[JournalEntry | None], Slot | None]:
        """The journal row and the browser's attempt, with nothing awaited (so a booking is under way for its phone
        the moment it is checked): the attempt and its slot; an outcome when it is not tried; or the entry another
        request with the same key wrote first."""
        key = args.idempotency_key
        slot = self._cache.find(args.slot_id)
        blocked = self._portal.blocked
        reason = "paused" if self._is_paused() else (blocked.code if blocked is not None else "")
        if not reason and getattr(self._portal, "drift", ""):  # a screen it needs is gone: not tried
            reason = "portal_changed"
        if reason:
            # Not served, but kept: the receptionist follows up with this patient.
            entry = self.journal.record_handoff(
                key, args.slot_id, args.patient.name, args.patient.phone, reason,
                start=slot.start.isoformat() if slot else "", professional=slot.professional if slot else "",
            )
            self._record(entry)
            return self._outcome(entry, repeat=False)

        entry, created = self.journal.begin(
            key, args.slot_id, args.patient.name, args.patient.phone,
            start=slot.start.isoformat() if slot else "",
            end=slot.end.isoformat() if slot else "",
            professional=slot.professional if slot else "",
            moving_from=moving_from,
        )
        if not created:
            return entry
        self._outcomes[key] = asyncio.get_running_loop().create_future()
        self._record(entry)
        log.info("Booking %s for %s (key %s)", args.slot_id, args.patient.name, key)
        attempt = asyncio.get_running_loop().create_task(
            self._carry_out(entry, Patient(args.patient.name, args.patient.phone, **args.patient.fields())),
            name=f"book:{key}",
        )
        self._attempts.add(attempt)
        attempt.add_done_callback(self._attempts.discard)
        if moving_from is None:
            self.under_way[key] = entry
            attempt.add_done_callback(lambda _, key=key: self.under_way.pop(key, None))
        return attempt, slot

    async def known(self, phone: str) -> list[WireBooking]:
        """The phone's appointments ahead as this agent knows them, without a read of the web app."""
        return await known_for(self.journal, self.seen, self.under_way.values(), phone)

    async def known_in_web_app(self, phone: str) -> list[WireBooking]:
        """``known``, the days of those in the web app read again first (a few seconds at most): one reception
        cancelled since the last read is not told to the patient as still theirs. No read when there is none to
        tell (most conversations): the check before every new booking must not cost the web app a read each time."""
        known = await self.known(phone)
        days = [datetime.fromisoformat(b.start).date() for b in known if not b.booking_id.startswith(UNDER_WAY)]
        if not days:
            return known
        if not await self._reread_through(max(days), KNOWN_REREAD_WAIT_S):
            return known  # the read goes on; this answer is the agent's memory, as before it
        return await self.known(phone)

    async def _untold_booking(self, phone: str, told: Collection[str]) -> bool:
        return any(not booking.told_in(told) for booking in await self.known(phone))

    @contextlib.asynccontextmanager
    async def _phone_lock(self, phone: str) -> AsyncIterator[None]:
        digits = phone_digits(phone)
        lock, users = self._phone_locks.get(digits, (asyncio.Lock(), 0))
        self._phone_locks[digits] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._phone_locks[digits]
            if users > 1:
                self._phone_locks[digits] = (lock, users - 1)
            else:  # nobody else holds it or waits for it
                del self._phone_locks[digits]

    async def _repeat(self, entry: JournalEntry) -> BookOutcome:
        if entry.status == FAILED:
            entry = await self._booked_by_reception(entry)
        if entry.finished:
            return self._outcome(entry, repeat=True)
        # In progress with nobody here carrying it out: left by a crash, not reconciled yet.
        waiting = self._await_reconciliation(entry.key)
        self._reconcile_wake.set()
        final = await asyncio.shield(waiting)
        return self._outcome(final, repeat=True)

    async def _carry_out(self, entry: JournalEntry, patient: Patient) -> JournalEntry | None:
        key, slot_id = entry.key, entry.slot_id
        try:
            booking = await self._portal.call(
                Priority.BOOKING, "book an appointment", lambda d: d.book(slot_id, patient, reference=key)
            )
        except SlotTaken as exc:
            taken = _slot_of(entry)
            self._cache.forget(slot_id)
            log.info("The slot %s was taken meanwhile (key %s)", slot_id, key)
            if taken is not None:  # the alternatives offered next come from that day as it is now
                await self._reread_through(taken.start.date())
            held = self._held_for(entry, taken)
            if held is not None:
                # Taken by this patient's own appointment at that very time: reception booked it at the desk while
                # the agent was held up (the PC asleep, the web app slow), as the task it had been given asked.
                # Hers — not "someone else took it" (she would be offered another, and reception told to book one).
                log.info("The slot %s was taken by the patient's own appointment %s (key %s)", slot_id, held.id, key)
                final = self.journal.mark_booked(key, held.id, held.slot.start.isoformat(),
                                                 held.slot.end.isoformat(), held.slot.professional)
            else:
                final = self.journal.mark_failed(key, "slot_taken", str(exc))
        except (LoginRejected, AccountLocked, PortalNotReady) as exc:
            # Refused before the browser acted: certainly nothing was written.
            final = self.journal.mark_failed(key, exc.code, str(exc))
        except PortalError as exc:
            if exc.code == "bad_request" or exc.nothing_written:  # the driver knows nothing was written
                final = self.journal.mark_failed(key, exc.code, str(exc))
                self._settle(final)
                return final
            # The form may or may not have been saved: look, do not guess.
            log.warning("The booking %s ended without a clear answer (%s); checking the agenda", key, exc)
            final = await self._look_up(entry, not_there=(exc.code, str(exc)))
            if final is None:
                self._await_reconciliation(key)
                self._reconcile_wake.set()
                return None
        else:
            final = self._mark_booked(key, booking)
        self._settle(final)
        return final

    async def _reread_through(self, day: date, wait_s: float = TAKEN_REREAD_WAIT_S) -> bool:
        """The free slots read again through ``day`` before a taken slot's alternatives are offered: the cache was
        wrong about that day (reception booked it, a day off, hours changed). Waited for ``wait_s`` at most (False:
        not done by then); a slower read goes on in the background and updates the cache for the next question."""
        try:
            async with asyncio.timeout(wait_s):
                await self._cache.refresh(Priority.REQUESTED_READ, through=day)
        except TimeoutError:
            return False
        return True

    async def _booked_by_reception(self, entry: JournalEntry) -> JournalEntry:
        """A booking that failed, asked about again ("¿quedó mi hora?"): reception may have booked that very time for
        the patient since, acting on the task it was given. Its day is read again (a couple of seconds at most);
        the patient's own appointment there makes it booked — never "no se pudo reservar" about an appointment the
        web app holds for them."""
        slot = _slot_of(entry)
        if slot is None:
            return entry
        held = self._held_for(entry, slot)
        if held is None and await self._reread_through(slot.start.date(), KNOWN_REREAD_WAIT_S):
            held = self._held_for(entry, slot)
        if held is None:
            return entry
        log.info("The failed booking %s was booked at the desk since: appointment %s", entry.key, held.id)
        return self.journal.mark_booked(entry.key, held.id, held.slot.start.isoformat(), held.slot.end.isoformat(),
                                        held.slot.professional)

    def _held_for(self, entry: JournalEntry, taken: Slot | None) -> Booking | None:
        """The appointment the agenda shows at the taken slot's time, with its professional, for the patient's own
        phone (as reception types it), if any."""
        if taken is None:
            return None
        return next((b for b in self.seen.for_phone(entry.patient_phone, datetime.now(UTC))
                     if b.slot.start == taken.start and b.slot.professional == taken.professional), None)

    async def freed(self, day: date) -> None:
        """An appointment that day was cancelled (from the chat, or moved away): the day is read again before the
        cancel is answered (a few seconds at most), so the time is free in the very next answer — a patient who
        regrets it at once ("no, déjala") gets it back instead of "no está libre" until the next read."""
        await self._reread_through(day)

    def _mark_booked(self, key: str, booking: Booking) -> JournalEntry:
        final = self.journal.mark_booked(
            key, booking.id, booking.slot.start.isoformat(), booking.slot.end.isoformat(), booking.slot.professional
        )
        self._cache.forget(booking.slot.id, booking.slot)
        self._cache.refresh_day_soon(booking.slot.start.date())
        log.info("Booked %s at %s with %s (key %s)", booking.id, final.start, final.professional, key)
        return final

    # -- reconciliation -------------------------------------------------------------

    def claim_interrupted(self) -> list[JournalEntry]:
        """Rows left in progress by a previous run: repeats of their keys wait for reconciliation."""
        entries = [e for e in self.journal.in_progress() if e.key not in self._outcomes]
        for entry in entries:
            self._await_reconciliation(entry.key)
        if entries:
            log.info("%d booking(s) were interrupted last time; checking them in the web app", len(entries))
        return entries

    async def reconcile_forever(self) -> None:
        """Settle every interrupted booking, retrying with backoff while the web app cannot be read."""
        delay = RECONCILE_RETRY_FIRST_S
        while True:
            for key in sorted(self._unreconciled):
                entry = self.journal.get(key)
                if entry is None:
                    self._unreconciled.discard(key)
                    continue
                final = entry if entry.finished else await self._look_up(entry)
                if final is not None:
                    self._settle(final)
            self._reconcile_wake.clear()
            if not self._unreconciled:
                delay = RECONCILE_RETRY_FIRST_S
                await self._reconcile_wake.wait()
                continue
            try:
                async with asyncio.timeout(delay):
                    await self._reconcile_wake.wait()
            except TimeoutError:
                delay = min(RECONCILE_RETRY_MAX_S, delay * 2)

    def retry_reconciliation(self) -> None:
        """Try the interrupted bookings again now (the web app is back, or the password was fixed)."""
        if self._unreconciled:
            self._reconcile_wake.set()

    @property
    def unreconciled(self) -> frozenset[str]:
        return frozenset(self._unreconciled)

    async def _look_up(
        self, entry: JournalEntry, not_there: tuple[str, str] = ("internal", NOT_FOUND_AFTER_INTERRUPTION)
    ) -> JournalEntry | None:
        """Booked or failed from what the web app shows; None when it cannot be read now. ``not_there``: the code
        and message it failed with when the web app holds no such appointment (the booking's own error, when one
        came: "the calendar screen has no calendar" is the web app changed, not the agent failing)."""
        try:
            found = await self._portal.call(
                Priority.BOOKING, "check an interrupted booking", lambda d: d.find_booking(entry.slot_id, entry.key)
            )
        except PortalError as exc:
            log.warning("Cannot check the interrupted booking %s yet: %s", entry.key, exc)
            return None
        if found is not None:
            return self._mark_booked(entry.key, found)
        log.info("The interrupted booking %s is not in the web app: recorded as failed", entry.key)
        code, message = not_there
        return self.journal.mark_failed(entry.key, code if code in ERROR_CODES else "internal", message)

    def _await_reconciliation(self, key: str) -> asyncio.Future[JournalEntry]:
        self._unreconciled.add(key)
        future = self._outcomes.get(key)
        if future is None:
            future = self._outcomes[key] = asyncio.get_running_loop().create_future()
        return future

    def _settle(self, final: JournalEntry) -> None:
        self._unreconciled.discard(final.key)
        future = self._outcomes.pop(final.key, None)
        if future is not None and not future.done():
            future.set_result(final)
        self._record(final)

    # -- shutdown -------------------------------------------------------------------

    async def finish_attempts(self, grace_s: float) -> bool:
        """Let bookings under way finish (at most ``grace_s``). False if some had to be left in progress."""
        attempts = list(self._attempts)
        if not attempts:
            return True
        _, unfinished = await asyncio.wait(attempts, timeout=grace_s)
        for attempt in unfinished:
            attempt.cancel()
        return not unfinished

    # -- answers ----------------------------------------------------------------------

    def _outcome(self, entry: JournalEntry, *, repeat: bool, near: Slot | None = None) -> BookOutcome:
        if entry.status == BOOKED:
            return BookOutcome(result=BookResult(entry.booking_id, entry.start, entry.end, entry.professional, repeat))
        code = entry.error_code if entry.error_code in ERROR_CODES else "internal"
        # A journal row ends failed or handed off only when the web app certainly holds no appointment for it.
        if entry.status == HANDOFF:
            message = _HANDOFF_MESSAGES.get(code, "not served; handed to the clinic")
            return BookOutcome(error=WireError(code, message, nothing_written=True))
        alternatives: tuple[WireSlot, ...] = ()
        if entry.status == FAILED and code == "slot_taken":
            near = near or _slot_of(entry)
            alternatives = tuple(WireSlot(**s.to_json()) for s in self._cache.alternatives(near, entry.slot_id))
        return BookOutcome(
            error=WireError(code, entry.error_message or code, alternatives, nothing_written=entry.status == FAILED)
        )

    def owed_outcomes(self) -> list[Outcome]:
        """Final outcomes the relay has not acknowledged: told on every connection until it does."""
        owed = []
        for entry in self.journal.owed_to_relay():
            outcome = self._outcome(entry, repeat=True)
            owed.append(Outcome(entry.key, outcome.ok, result=outcome.result, error=outcome.error))
        return owed

    def _record(self, entry: JournalEntry) -> None:
        self.record(entry)

    def record(self, entry: JournalEntry) -> None:
        """Tell the listeners (the tray) that this journal row was written or changed."""
        self._emit(BookingRecorded(
            key=entry.key, status=entry.status, patient_name=entry.patient_name, start=entry.start,
            professional=entry.professional, error_code=entry.error_code,
            # A move under way is told once, when its old appointment was dealt with (agent.appointments).
            moved_from_start=entry.moved_from_start if entry.moved and entry.key not in self.moving else "",
            moving=entry.key in self.moving,
        ))


_HANDOFF_MESSAGES = {
    "paused": "the clinic paused automatic booking; the request was kept for the receptionist",
    "login_failed": "the clinic web app refused the agent's password; the request was kept for the receptionist",
    "account_locked": "the clinic web app locked the agent's user; the request was kept for the receptionist",
    "login_needs_person": "the clinic web app waits for a person to finish the login; the request was kept for the "
                          "receptionist",
    "portal_changed": "the clinic web app changed its screens; the request was kept for the receptionist",
}


def _slot_of(entry: JournalEntry) -> Slot | None:
    """The slot as the journal remembers it, when it knew it."""
    if not (entry.start and entry.end):
        return None
    try:
        return Slot(entry.slot_id, datetime.fromisoformat(entry.start), datetime.fromisoformat(entry.end),
                    entry.professional)
    except ValueError:
        return None
