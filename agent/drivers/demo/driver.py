"""The driver for the stand-in clinic web app (demo/portal), on Playwright's async API.

One browser and one context live as long as the driver; the first call that needs the web app logs
in, and an expired session is noticed (a 401 from the agenda's JSON, or the login page where the
agenda should be) and the login redone without the caller seeing it. A refused password is never
retried by the driver itself: every later call raises the same refusal until ``login()`` is called
on purpose, so the clinic's account cannot be locked by us.

The agenda is read through the same JSON calls the agenda page makes, from inside the logged-in
context (its cookies); a booking goes through the screens like a receptionist: open the week, click
the free cell, fill the form, re-check the exact slot, save, see the confirmation, then read the
appointment back.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import date, datetime, timedelta
from urllib.parse import urlencode

from agent.drivers.demo import agenda as demo_agenda
from agent.drivers.demo.agenda import AgendaCell, ClinicInfo
from agent.drivers.demo.screens import (
    AgendaScreen,
    AppointmentModal,
    DetailModal,
    LoginScreen,
    screens_of_the_stand_in,
)
from agent.phone_match import field_has_phone
from agent.portal.base import (
    AccountLocked,
    Booking,
    BookingRejected,
    LoginRejected,
    Patient,
    PortalChanged,
    PortalUnavailable,
    Slot,
    SlotTaken,
    days_window,
)
from agent.portal.capabilities import DriverCapabilities
from agent.portal.kit import BrowserDriver
from agent.portal.retry import TransientFailure, with_retries
from agent.seen_bookings import SeenBookings

__all__ = ["BookingRejected", "DemoPortalDriver"]  # BookingRejected lives in the kit now; kept importable here

log = logging.getLogger(__name__)


class DemoPortalDriver(BrowserDriver):
    """``DemoPortalDriver(url, credentials, browser, work_dir)``; screenshots go to work_dir/"screenshots".

    The stand-in paints free cells ("Disponible") and refuses overlaps outright. ``clock``, ``retry`` and
    ``timeout_s``: see BrowserDriver.
    """

    title = "Demo (agenda de prueba)"
    title_en = "Demo (test agenda)"
    # It finds a patient's appointments by phone and cancels one (agent/appointments.py).
    capabilities = DriverCapabilities(free_time="cells", can_cancel=True, can_find_by_phone=True)
    screens = screens_of_the_stand_in()
    landing_path = "/agenda"
    _seen: SeenBookings | None = None  # the appointments the latest full read of the free slots saw

    # Patients book within the relay's 14-day window: a day more covers them, at a few JSON reads per week.
    async def find_bookings(self, phone: str, days: int = 15) -> list[Booking]:
        """Upcoming appointments whose patient phone is this one (the web app's own tie to the patient)."""
        return await self._guarded("agenda", lambda: self._find_bookings(phone, days))

    @classmethod
    def appointment_url(cls, base_url: str, booking_id: str, slot_id: str = "") -> str:
        """The agenda week of the appointment, with its detail open (agent/portal/links.py); "" without its slot."""
        try:
            key, local_start = demo_agenda.parse_slot_id(slot_id)
        except ValueError:
            return ""
        monday = local_start.date() - timedelta(days=local_start.weekday())
        query = urlencode({"profesional": key, "semana": monday.isoformat(), "cita": booking_id})
        return f"{base_url.rstrip('/')}/agenda?{query}"

    async def cancel(self, booking_id: str, reference: str = "") -> bool:
        """Cancel the appointment through its detail modal; False when the web app no longer has it."""
        return await self._guarded("appointment detail", lambda: self._cancel(booking_id, days=15))

    # --- reading ----------------------------------------------------------------------------------

    async def _free_slots(self, days: int, professional: str | None) -> list[Slot]:
        clinic = await self._clinic()
        start, end = days_window(days, self._clock(), clinic.tz)
        if professional is None:
            chosen = list(clinic.professionals)
        else:
            found = clinic.find(professional)
            if found is None:
                log.info("the clinic web app has no professional called %r", professional)
                return []
            chosen = [found]
        weeks = demo_agenda.mondays_covering(start, end)
        asked_at = self._clock()
        answers = await asyncio.gather(*(self._week(p, monday, clinic) for p in chosen for monday in weeks))
        cells = [cell for week in answers for cell in week]
        if professional is None:  # every professional's agenda: its booked cells are every appointment of the days
            self._seen = SeenBookings(start, end, tuple(_booking(c) for c in cells if c.appointment is not None
                                                        and start <= c.start < end), asked_at)
        return demo_agenda.free_slots(cells, start, end)

    def bookings_seen(self) -> SeenBookings | None:
        """The appointments the latest read of every professional's free slots saw (reception's included)."""
        return self._seen

    async def _upcoming(self, days: int) -> list[AgendaCell]:
        clinic = await self._clinic()
        start, end = days_window(days, self._clock(), clinic.tz)
        weeks = demo_agenda.mondays_covering(start, end)
        answers = await asyncio.gather(
            *(self._week(p, monday, clinic) for p in clinic.professionals for monday in weeks)
        )
        return [c for week in answers for c in week if c.appointment is not None and start <= c.start < end]

    async def _find_bookings(self, phone: str, days: int) -> list[Booking]:
        found = [_booking(cell) for cell in await self._upcoming(days)
                 if cell.appointment and field_has_phone(cell.appointment.patient_phone, phone)]
        return sorted(found, key=lambda b: b.slot.start)

    async def _cancel(self, booking_id: str, days: int, relogged: bool = False) -> bool:
        cell = next((c for c in await self._upcoming(days) if c.appointment and c.appointment.id == booking_id), None)
        if cell is None:
            return False
        local_start = cell.start.replace(tzinfo=None)
        agenda = await self._open_week(cell.professional.key, local_start)
        target = agenda.cell(local_start)
        if await target.count() == 0 or await agenda.cell_is_free(target):
            return False
        await target.click()
        modal = DetailModal(self._require_page(), self._timeout_ms)
        await modal.ensure_shown()
        status = await modal.cancel_appointment()
        if status == 404:
            return False
        if status == 401 and not relogged:  # refused before anything was done: the session ended meanwhile
            log.info("the clinic web app's session expired while cancelling; logging in again")
            self._logged_in = False
            return await self._cancel(booking_id, days, relogged=True)
        if status != 200:
            raise PortalUnavailable(f"the clinic web app did not cancel appointment {booking_id} "
                                    f"(answer: {status or 'none'})")
        await agenda.wait_for_toast("Cita anulada")
        log.info("cancelled appointment %s", booking_id)
        return True

    async def _clinic(self) -> ClinicInfo:
        return demo_agenda.parse_clinic(await self.read_json("/api/profesionales", {}))

    async def _week(self, professional: demo_agenda.Professional, monday: date, clinic: ClinicInfo) -> list[AgendaCell]:
        body = await self.read_json("/api/agenda", {"profesional": professional.key, "semana": monday.isoformat()})
        return demo_agenda.parse_week(body, professional, clinic.tz)

    async def _cell(self, key: str, local_start: datetime, clinic: ClinicInfo) -> AgendaCell | None:
        professional = clinic.find(key)
        if professional is None:
            return None
        monday = local_start.date() - timedelta(days=local_start.weekday())
        cells = await self._week(professional, monday, clinic)
        wanted = local_start.replace(tzinfo=clinic.tz)
        return next((c for c in cells if c.start == wanted), None)

    # --- logging in -------------------------------------------------------------------------------

    async def _login(self) -> None:
        await self.start()
        page = self._require_page()
        screen = LoginScreen(page, self._timeout_ms)

        async def attempt() -> None:
            await self._goto("/login")
            if page.url.split("?")[0].endswith("/agenda"):
                return  # the session was still alive
            outcome = await screen.sign_in(self._credentials.user, self._credentials.password)
            if outcome.signed_in:
                return
            if outcome.status >= 500:
                raise TransientFailure(f"HTTP {outcome.status} after signing in")
            text = outcome.message.casefold()
            if "bloquead" in text or outcome.status == 423:
                raise AccountLocked(f"the clinic web app has locked the user {self._credentials.user!r}: "
                                    f"{outcome.message or 'account locked'}")
            if outcome.status == 400 and "formulario" in text:
                raise TransientFailure("the login form had expired")
            stop = await self.needs_person(page)  # a verification code, a captcha, a new password
            if stop is not None:
                raise stop
            if outcome.message:
                raise LoginRejected(f"the clinic web app refused the user {self._credentials.user!r} or its "
                                    f"password: {outcome.message}")
            raise PortalChanged("login", "message after signing in")

        await with_retries(attempt, self._retry, "logging in")
        await AgendaScreen(page, self._timeout_ms).ensure_shown()
        log.info("logged in to the clinic web app at %s as %s", self.url, self._credentials.user)

    # --- booking ----------------------------------------------------------------------------------

    async def _book(self, slot_id: str, patient: Patient, reference: str, relogged: bool = False) -> Booking:
        try:
            key, local_start = demo_agenda.parse_slot_id(slot_id)
        except ValueError as error:
            raise SlotTaken(slot_id, str(error)) from None
        clinic = await self._clinic()
        professional = clinic.find(key)
        if professional is None:
            raise SlotTaken(slot_id, f"the clinic web app has no professional {key!r}")
        start = local_start.replace(tzinfo=clinic.tz)
        if start < self._clock():
            raise SlotTaken(slot_id, f"the slot {slot_id} has already started")
        page = self._require_page()
        agenda = await self._open_week(professional.key, local_start)
        cell = agenda.cell(local_start)
        if await cell.count() == 0:
            raise SlotTaken(slot_id, f"the agenda has no cell {slot_id}")
        if not await agenda.cell_is_free(cell):
            raise SlotTaken(slot_id)
        await cell.click()
        modal = AppointmentModal(page, self._timeout_ms)
        await modal.ensure_shown()
        note = demo_agenda.note_for(reference)
        await modal.fill(patient, note)
        for attempt in range(self._retry.attempts):
            # Right before saving: is this exact slot still free? (Another receptionist may have taken it.)
            current = await self._cell(key, local_start, clinic)
            if current is not None and current.state == "ocupado" and current.appointment \
                    and demo_agenda.carries_reference(current.appointment.note, reference):
                break  # an earlier save went through although its answer was lost
            if current is None or current.state != "libre":
                await modal.cancel()
                raise SlotTaken(slot_id)
            if not await modal.dialog.is_visible():
                # The check just above found the session gone and logged in again: the login took the page, and the
                # filled form with it (the slot is still free: nothing of this booking was saved). Clicking "Guardar
                # cita" on a page without it waits out every try; the form is opened again instead, once.
                if relogged:
                    raise PortalUnavailable(f"the booking form of {slot_id} closed again after logging in again")
                log.info("the clinic web app's session expired while the booking form was open; opening it again")
                return await self._book(slot_id, patient, reference, relogged=True)
            dialogs_before = len(self.dismissed_dialogs)
            status = await modal.save()
            if status == 0 and modal.refused_before_sending:  # the form's own check: nothing was sent
                await modal.cancel()
                raise BookingRejected(f"the clinic web app's form refused the patient's details: "
                                      f"{modal.refused_before_sending}")
            if len(self.dismissed_dialogs) > dialogs_before and status == 0:
                await modal.cancel()  # a warning the driver will not click through: nothing was sent
                raise BookingRejected(f"the clinic web app warned before saving and the warning was not accepted: "
                                      f"{self.dismissed_dialogs[-1]}")
            if status == 201:
                await agenda.wait_for_toast("Cita agendada")
                break
            if status == 409:
                message = await modal.error_text()
                await modal.cancel()
                raise SlotTaken(slot_id, f"the slot {slot_id} was taken meanwhile: {message}")
            if status == 422:
                message = await modal.error_text()
                await modal.cancel()
                raise BookingRejected(f"the clinic web app refused the appointment: {message}")
            if status == 401 and not relogged:
                log.info("the clinic web app's session expired while booking; logging in again")
                self._logged_in = False
                return await self._book(slot_id, patient, reference, relogged=True)
            if status and status < 500:
                raise PortalChanged(AppointmentModal.name, f"answer to saving (HTTP {status})")
            if attempt + 1 >= self._retry.attempts:
                raise PortalUnavailable(f"the clinic web app did not save the appointment "
                                        f"({self._retry.attempts} tries, last: {status or 'no answer'})")
            delay = self._retry.delays()[attempt]
            log.warning("saving the appointment failed (%s); checking the slot and retrying in %.1f s",
                        status or "no answer", delay)
            await asyncio.sleep(delay)
        booking = await self._find_booking(slot_id, reference)
        if booking is None:
            raise PortalUnavailable(f"the clinic web app confirmed the appointment {slot_id} but it is not "
                                    f"in the agenda")
        log.info("booked %s (appointment %s)", slot_id, booking.id)
        return booking

    async def _open_week(self, professional_key: str, local_start: datetime) -> AgendaScreen:
        """The agenda page showing that professional's week; logs in again if the session expired."""
        page = self._require_page()
        agenda = AgendaScreen(page, self._timeout_ms)
        monday = local_start.date() - timedelta(days=local_start.weekday())
        query = urlencode({"profesional": professional_key, "semana": monday.isoformat()})

        async def attempt() -> None:
            await self._ensure_session()
            await self._goto(f"/agenda?{query}")
            if "/login" in page.url:
                log.info("the clinic web app's session expired; logging in again")
                self._logged_in = False
                await self._ensure_session()
                await self._goto(f"/agenda?{query}")
            await agenda.ensure_shown(or_signed_out=True)
            if agenda.signed_out or not await agenda.wait_for_week(professional_key, monday):
                if agenda.signed_out:  # the page's own read found the session over: logged in again next try
                    log.info("the clinic web app's session expired while the agenda loaded; logging in again")
                    self._logged_in = False
                    raise TransientFailure("the session ended while the agenda page loaded")
                raise TransientFailure("the agenda page could not load the week")

        await with_retries(attempt, self._retry, "opening the agenda")
        return agenda

    async def _find_booking(self, slot_id: str, reference: str) -> Booking | None:
        try:
            key, local_start = demo_agenda.parse_slot_id(slot_id)
        except ValueError:
            return None
        clinic = await self._clinic()
        cell = await self._cell(key, local_start, clinic)
        if cell is None or cell.appointment is None:
            return None
        if not demo_agenda.carries_reference(cell.appointment.note, reference):
            return None
        appointment = cell.appointment
        return Booking(
            appointment.id,
            cell.slot,
            Patient(appointment.patient_name, appointment.patient_phone, appointment.patient_document),
        )


def _booking(cell: AgendaCell) -> Booking:
    """The appointment of a booked cell, as the agent knows appointments."""
    appointment = cell.appointment
    assert appointment is not None
    patient = Patient(appointment.patient_name, appointment.patient_phone, appointment.patient_document)
    return Booking(appointment.id, cell.slot, patient)
