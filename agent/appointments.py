"""A patient's own appointments, asked by the relay: my_bookings, cancel, reschedule (wire/appointments.py).

Only when the driver declares the capability (``can_find_by_phone``, ``can_cancel``); otherwise ``bad_request``
and the relay hands the patient to a person. The relay is not trusted: an appointment is listed, cancelled or
moved only when the web app ties it to the WhatsApp phone of the request (its patient phone), so a relay can
never cancel someone else's appointment. A repeated cancel (same key) gives the first outcome again; a move
books the new slot first (through the booking desk and its journal, same key), then cancels the old one.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC, datetime
from typing import Any

from agent.booking import BookingDesk
from agent.journal import CANCEL_PREFIX, JournalEntry, MoveSource, phone_digits
from agent.known_bookings import wire_booking
from agent.portal.base import Booking, PortalDriver, PortalError
from agent.portal_session import PortalSession, Priority
from wire.appointments import (
    NOT_AMONG_THE_PHONES,
    CancelArgs,
    CancelResult,
    MyBookingsArgs,
    MyBookingsResult,
    RescheduleArgs,
    RescheduleResult,
)
from wire.messages import BookArgs, WireError, WirePatient

log = logging.getLogger(__name__)

NOT_TIED = NOT_AMONG_THE_PHONES
# A cancel that failed after this long (a page that never answered, not an error the web app showed at once) may
# still be written by the web app: it is looked up again after each of these waits before "not cancelled" is said.
CANCEL_SLOW_S = 5.0
CANCEL_SETTLE_S = (5.0, 10.0, 15.0)
FINISH_RETRY_FIRST_S = 5.0
FINISH_RETRY_MAX_S = 300.0


# The driver's declared capabilities (agent/portal/capabilities.py) for each operation it is asked.
_CAPABILITY = {"find_bookings": "can_find_by_phone", "cancel": "can_cancel"}


def can(driver: Any, capability: str) -> bool:
    """Whether the driver declares the capability (its ``capabilities``), and has the method for it."""
    declared = getattr(getattr(driver, "capabilities", None), _CAPABILITY.get(capability, capability), False)
    return declared is True and callable(getattr(driver, capability, None))


class AppointmentDesk:
    def __init__(self, portal: PortalSession, desk: BookingDesk) -> None:
        self._portal = portal
        self._desk = desk
        self._cancelled: dict[str, CancelResult] = {}  # key -> first outcome
        # Cancels and moves under way, by key, with the phone they are for: carried through even when the relay
        # stops waiting (its deadline), joined by a repeat of the same key, and waited for by a read of that phone.
        self._running: dict[str, tuple[str, asyncio.Task[Any]]] = {}

    async def my_bookings(self, args: MyBookingsArgs) -> MyBookingsResult | WireError:
        if args.known_only:  # the relay's check before a new booking: a read only of the days of those it tells
            return MyBookingsResult(tuple((await self._desk.known_in_web_app(args.phone))[:20]))
        # A cancel or move of this phone still under way: read once it is done, never half-way (a patient told
        # "tienes las dos" while the old one is being cancelled would cancel the new one too).
        await self._settled_for(args.phone)
        found = await self._find(args.phone)
        if isinstance(found, WireError):
            return found
        return MyBookingsResult(tuple(wire_booking(b) for b in found[:20]))

    async def cancel(self, args: CancelArgs) -> CancelResult | WireError:
        return await self._carried_through(args.idempotency_key, args.phone, lambda: self._cancel(args))

    async def reschedule(self, args: RescheduleArgs) -> RescheduleResult | WireError:
        return await self._carried_through(args.idempotency_key, args.phone, lambda: self._reschedule(args))

    async def _carried_through(self, key: str, phone: str, work: Any) -> Any:
        """``work()`` once per key, shielded: a request that runs out of time stops waiting, the web app's steps
        (book the new one, cancel the old one) go on to the end."""
        running = self._running.get(key)
        if running is None:
            task = asyncio.get_running_loop().create_task(work(), name=f"appointment:{key}")
            running = self._running[key] = (phone_digits(phone), task)
            task.add_done_callback(lambda done, key=key: self._finished(key, done))
        return await asyncio.shield(running[1])

    def _finished(self, key: str, task: asyncio.Task[Any]) -> None:
        if self._running.get(key, ("", None))[1] is task:
            del self._running[key]
        if not task.cancelled() and task.exception() is not None:  # retrieved here when nobody waits any more
            log.warning("The appointment operation %s failed: %s", key, task.exception())

    async def _settled_for(self, phone: str) -> None:
        digits = phone_digits(phone)
        under_way = [task for for_phone, task in self._running.values() if for_phone == digits]
        if under_way:
            await asyncio.wait(under_way)

    async def _cancel(self, args: CancelArgs) -> CancelResult | WireError:
        first = self._cancelled.get(args.idempotency_key)
        recorded = self._desk.journal.cancellation(args.idempotency_key) if first is None else None
        if recorded is not None and recorded.finished:
            first = CancelResult(recorded.booking_id)  # cancelled before a restart: the journal remembers
        if first is not None:
            return CancelResult(first.booking_id, repeat=True)
        if not args.phone:
            return WireError("bad_request", "a cancel needs the patient's phone")
        found = await self._find(args.phone, "cancel")
        if isinstance(found, WireError):
            return found
        booking = next((b for b in found if b.id == args.booking_id), None)
        if booking is None:
            if recorded is not None and recorded.booking_id == args.booking_id:
                # Begun by an agent stopped before it wrote the outcome, and gone from the web app: it was cancelled.
                return self._finish_cancel(recorded)
            return WireError("bad_request", NOT_TIED)
        patient_name = booking.patient.name or args.phone
        slot = booking.slot
        self._desk.journal.begin_cancel(
            args.idempotency_key, booking.id, patient_name, args.phone, slot_id=slot.id, start=slot.start.isoformat(),
            end=slot.end.isoformat(), professional=slot.professional,
        )
        done = await self._cancel_in_web_app(args.booking_id, args.idempotency_key, args.phone)
        if isinstance(done, WireError):
            if done.nothing_written:  # still in the web app: no cancellation to remember
                self._desk.journal.drop_cancel(args.idempotency_key)
            return done
        result = CancelResult(args.booking_id)
        self._cancelled[args.idempotency_key] = result
        self._desk.seen.drop(args.booking_id)
        await self._desk.freed(booking.slot.start.date())
        entry, created = self._desk.journal.record_cancel(
            args.idempotency_key, booking.id, patient_name, args.phone,
            slot_id=slot.id, start=slot.start.isoformat(), end=slot.end.isoformat(), professional=slot.professional,
        )
        if created:
            self._desk.record(entry)  # the bookings window shows it, with a notification
        log.info("Cancelled appointment %s for the patient's phone (key %s)", args.booking_id, args.idempotency_key)
        return result

    def _finish_cancel(self, begun: JournalEntry) -> CancelResult:
        """A cancellation begun before the agent stopped, its appointment gone from the web app: recorded as done (the
        bookings window shows it) and answered as a repeat (the patient was told "Aún no sé" of the first ask)."""
        key = begun.key.removeprefix(CANCEL_PREFIX)
        self._desk.seen.drop(begun.booking_id)
        entry, created = self._desk.journal.record_cancel(
            key, begun.booking_id, begun.patient_name, begun.patient_phone, slot_id=begun.slot_id, start=begun.start,
            end=begun.end, professional=begun.professional,
        )
        if created:
            self._desk.record(entry)
        log.info("The interrupted cancel %s is done: appointment %s is gone from the web app", key, begun.booking_id)
        result = CancelResult(begun.booking_id)
        self._cancelled[key] = result
        return CancelResult(begun.booking_id, repeat=True)

    async def _reschedule(self, args: RescheduleArgs) -> RescheduleResult | WireError:
        if not args.phone:
            return WireError("bad_request", "a move needs the patient's phone")
        entry = self._desk.journal.get(args.idempotency_key)
        found = await self._find(args.phone, "cancel")
        if isinstance(found, WireError):
            return found
        old = next((b for b in found if b.id == args.booking_id), None)
        if old is None and entry is None:  # a repeat after the old one was cancelled has a journal entry
            return WireError("bad_request", NOT_TIED)
        patient = WirePatient(old.patient.name if old else "Paciente WhatsApp", args.phone, **args.fields())
        source = _source(old) if old else None
        self._desk.moving.add(args.idempotency_key)
        try:
            booked = await self._desk.book(BookArgs(args.slot_id, patient, args.idempotency_key), moving_from=source)
        finally:
            self._desk.moving.discard(args.idempotency_key)
        if booked.result is None:
            return booked.error or WireError("internal", "")
        cancelled = old is None  # already gone on an earlier try
        if old is not None:
            done = await self._cancel_in_web_app(old.id, args.idempotency_key, args.phone)
            # False: the web app no longer has it (a receptionist deleted it meanwhile): gone, as the move wants.
            # Told "not cancelled", reception would cancel the one left — the patient's new one.
            cancelled = not isinstance(done, WireError)
            self._desk.seen.drop(old.id)  # cancelled, or gone already
            if cancelled:
                await self._desk.freed(old.slot.start.date())
            else:
                log.warning("Moved appointment %s to %s but could not cancel the old one", old.id,
                            booked.result.booking_id)
        new = booked.result
        if old is not None:
            self._record_move(args.idempotency_key, old, cancelled, told=new.repeat)
        return RescheduleResult(new.booking_id, new.start, new.end, new.professional, cancelled, new.repeat)

    def _record_move(self, key: str, old: Booking | MoveSource, cancelled: bool, *, told: bool) -> None:
        """``told``: the bookings window heard of this move already (a repeat): told again only if it changed."""
        before = self._desk.journal.get(key)
        if before is None:
            return
        source = _source(old) if isinstance(old, Booking) else old
        moved = self._desk.journal.record_move(
            key, from_booking=source.booking_id, from_start=source.start, from_professional=source.professional,
            old_cancelled=cancelled,
        )
        if not told or before.moved_old_cancelled != moved.moved_old_cancelled:
            self._desk.record(moved)  # the booking's row becomes the move's row, with a notification

    async def finish_interrupted_moves(self) -> None:
        """Moves cut short between booking the new appointment and cancelling the old one (the agent stopped or
        crashed): the old one is cancelled now, as the patient asked, once the interrupted bookings are settled,
        the web app answers and automation is not paused. The patient who writes again is told the move's outcome
        by the relay's repeat of the same request, which finds it done. Cancellations cut short are settled here too,
        from what the web app shows (``_settle_cancel``)."""
        delay = FINISH_RETRY_FIRST_S
        while True:
            if not self._desk.unreconciled and not self._desk.paused():
                cancels = [e for e in self._desk.journal.interrupted_cancels()
                           if e.key.removeprefix(CANCEL_PREFIX) not in self._running]
                left = [e for e in self._desk.journal.unfinished_moves()
                        if e.key not in self._desk.moving and not _passed(e.moved_from_start)]
                if not left and not cancels:
                    return
                try:
                    settled = [await self._settle_cancel(entry) for entry in cancels]
                    if all([*settled, *[await self._finish_move(entry) for entry in left]]):
                        return
                except Exception:  # never the agent's end: the next try, later
                    log.exception("Finishing the interrupted moves failed; trying again later")
            await asyncio.sleep(delay)
            delay = min(FINISH_RETRY_MAX_S, delay * 2)

    async def _settle_cancel(self, begun: JournalEntry) -> bool:
        """A cancellation the agent began and stopped before it wrote the outcome (killed, the power cut): gone from
        the patient's appointments, it was cancelled (the bookings window is told, no longer "reservada"); still there,
        it was not (the row goes: the relay's repeat of the same request carries it out). False: not read yet."""
        found = await self._find(begun.patient_phone, "cancel")
        if isinstance(found, WireError):
            return found.code == "bad_request"
        if any(b.id == begun.booking_id for b in found):
            self._desk.journal.drop_cancel(begun.key.removeprefix(CANCEL_PREFIX))
            log.info("The interrupted cancel %s did not happen: appointment %s is still there", begun.key,
                     begun.booking_id)
            return True
        self._finish_cancel(begun)
        return True

    async def _finish_move(self, entry: JournalEntry) -> bool:
        """True once this move's old appointment is gone (cancelled now, or no longer in the patient's list)."""
        found = await self._find(entry.patient_phone, "cancel")
        if isinstance(found, WireError):
            log.warning("Cannot finish the interrupted move %s yet: %s", entry.key, found.code)
            return found.code == "bad_request"  # the driver cannot cancel: nothing to retry
        old = next((b for b in found if b.id == entry.moved_from_booking), None)
        if old is not None and not any(b.id == entry.booking_id for b in found):
            # The new one is gone (the patient kept the original and cancelled the new one, or reception did):
            # the move is over, and the original stays.
            self._desk.journal.record_move_dropped(entry.key)
            log.info("The interrupted move %s was called off: its new appointment is gone, %s stays", entry.key,
                     old.id)
            return True
        if old is None:  # cancelled meanwhile (by the receptionist, or by the relay's repeat of the move)
            source = MoveSource(entry.moved_from_booking, entry.moved_from_start, entry.moved_from_professional)
            self._record_move(entry.key, source, cancelled=True, told=True)
            return True
        done = await self._call("cancel", lambda driver: driver.cancel(old.id, entry.key))
        if isinstance(done, WireError):  # False: gone meanwhile, as the move wants
            log.warning("Cannot cancel %s, the old appointment of the interrupted move %s, yet", old.id, entry.key)
            return False
        self._desk.seen.drop(old.id)
        await self._desk.freed(old.slot.start.date())
        log.info("Finished the interrupted move %s: cancelled the old appointment %s", entry.key, old.id)
        self._record_move(entry.key, old, cancelled=True, told=True)
        return True

    async def _cancel_in_web_app(self, booking_id: str, key: str, phone: str) -> Any:
        """The driver's cancel (True, or False: already gone); a failure once the cancel may have been sent is looked
        up (``_cancel_outcome``), the slow ones again a while later."""
        started = time.monotonic()
        done = await self._call("cancel", lambda driver: driver.cancel(booking_id, key))
        if isinstance(done, WireError) and not done.nothing_written:
            slow = time.monotonic() - started >= CANCEL_SLOW_S
            done = await self._cancel_outcome(booking_id, phone, done, CANCEL_SETTLE_S if slow else ())
        return done

    async def _cancel_outcome(
        self, booking_id: str, phone: str, failed: WireError, settle: tuple[float, ...] = ()
    ) -> WireError | bool:
        """A cancel that failed part-way: the patient's appointments read again say what it did. Gone: it was (its
        answer was lost); unread: not known; still there: it was not cancelled (the patient is told so, and it is
        never carried out later behind reception's back) — after ``settle`` more reads when the failure was slow
        to come: a web app that took its time to answer may still be writing the cancel the agent gave up on."""
        for wait in (0.0, *settle):
            await asyncio.sleep(wait)
            after = await self._find(phone)
            if isinstance(after, WireError):
                return failed
            if not any(b.id == booking_id for b in after):
                return True
        log.info("The cancel of %s failed before the web app changed: it is still there", booking_id)
        return WireError(failed.code, failed.message, nothing_written=True)

    async def _find(self, phone: str, also: str = "") -> list[Booking] | WireError:
        return await self._call("find_bookings", lambda driver: driver.find_bookings(phone), also)

    async def _call(self, capability: str, action: Any, also: str = "") -> Any:
        async def run(driver: PortalDriver) -> Any:
            for needed in (capability, also):
                if needed and not can(driver, needed):
                    return WireError("bad_request", f"this clinic web app's driver cannot {needed.replace('_', ' ')}")
            return await action(driver)

        try:
            return await self._portal.call(Priority.BOOKING, capability, run)
        except PortalError as exc:  # "nothing written" goes on: the relay tells a failed cancel from an unknown one
            return WireError(exc.code, "the clinic web app could not do it", nothing_written=exc.nothing_written)


def _passed(start: str) -> bool:
    """An appointment whose time is over (nothing left to cancel); False when its time is not known."""
    try:
        moment = datetime.fromisoformat(start)
    except ValueError:
        return False
    return moment.tzinfo is not None and moment < datetime.now(UTC)


def _source(booking: Booking) -> MoveSource:
    return MoveSource(booking.id, booking.slot.start.isoformat(), booking.slot.professional)
