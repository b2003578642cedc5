"""The driver for django-appointment's staff side (PyPI ``django-appointment`` 3.x, a Django scheduler).

The web app shows no free cells to staff: its calendar shows appointments, and free time follows from working hours,
days off, breaks, the slot length, buffers and each service's length. Rather than re-deriving those rules (and
drifting from them with each release), the driver asks the app the same question its own booking page asks:
``available_slots`` per staff member, service and day. The answer is exactly what the app would offer a patient.

- Log in as a **superuser** (the receptionist) through Django's staff login; the staff list needs that right.
- A slot is (staff member, service, start): the service is the driver setting ``service`` (name or id; the first
  service each staff member offers when empty); its length is the slot's length (setting ``service_minutes``
  gives it, as the JSON does not).
- Book through the staff calendar's "New Appointment" dialog, as a receptionist would, after re-checking that exact
  start is still offered. The app itself neither refuses nor warns about an overlap from staff, so that re-check,
  right before saving, is the first guard; the read-back after saving is the second: an appointment staff saved at
  that time in between (numbered before ours) makes ours the one deleted, and the slot taken. A dialog the app
  shows is dismissed, never accepted.
- The reference (idempotency key) and the patient's name go into "Additional Information" (the app files a
  staff-made appointment under the logged-in staff user, dropping the typed client name), and the appointment is
  read back from the staff calendar's JSON; ``find_booking`` looks it up there after a lost answer.
- The staff form requires the patient's e-mail (the app keeps a client account per e-mail). With the
  setting ``ask_email`` the driver declares ``patient_fields = ("email",)`` and the relay asks the patient for it;
  otherwise (and for a patient without one) the driver makes one per phone number under ``email_domain``.
"""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import date, datetime, tzinfo
from urllib.parse import urlencode
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from playwright.async_api import Error as PlaywrightError

from agent.drivers.django_appointment import answers
from agent.drivers.django_appointment.screens import (
    CALENDAR_PATH,
    LOGIN_PATH,
    AppointmentModal,
    CalendarScreen,
    LoginScreen,
    declared_screens,
)
from agent.portal.base import (
    AccountLocked,
    Booking,
    BookingRejected,
    LoginRejected,
    Patient,
    PortalChanged,
    PortalError,
    PortalUnavailable,
    Slot,
    SlotTaken,
    days_window,
)
from agent.portal.capabilities import DriverCapabilities
from agent.portal.driver_settings import DriverSetting
from agent.portal.kit import BrowserDriver, SessionExpired, first_line
from agent.portal.retry import TransientFailure, with_retries

log = logging.getLogger(__name__)
AJAX = "/appointment/ajax"
DISPLAY_PATH = "/appointment/app-admin/display-appointment/"  # + the appointment's id: its staff page
PARALLEL_READS = 4
SAVE_PATIENCE = 4  # a save, once sent, is waited for this many times a screen's wait (a slow app)


class DjangoAppointmentDriver(BrowserDriver):
    title = "django-appointment (agenda del personal)"
    title_en = "django-appointment (staff calendar)"
    capabilities = DriverCapabilities(free_time="derived", needs_service=True)
    settings = (
        DriverSetting("service", default="", help="Servicio que se agenda (nombre o número); vacío: el primero",
                      help_en="Service to book (name or id); empty: each staff member's first"),
        DriverSetting("service_minutes", kind="int", default=30, help="Duración de ese servicio en minutos",
                      help_en="That service's length in minutes"),
        DriverSetting("time_zone", default="", help="Zona horaria de la clínica (p. ej. America/Santiago); "
                      "vacía: la de este PC", help_en="The clinic's time zone; empty: this PC's"),
        DriverSetting("email_domain", default="pacientes.invalid",
                      help="Dominio de los correos que se inventan para pacientes sin correo",
                      help_en="Domain of the e-mails made up for patients without one"),
        DriverSetting("ask_email", kind="bool", default=False,
                      help="Pedir al paciente su correo real por WhatsApp (si no, se inventa uno por teléfono)",
                      help_en="Ask the patient for their real e-mail on WhatsApp (else one is made up per phone)"),
    )
    screens = declared_screens()
    login_path = LOGIN_PATH
    landing_path = CALENDAR_PATH

    @classmethod
    def appointment_url(cls, base_url: str, booking_id: str, slot_id: str = "") -> str:
        """The app's own page for one appointment (its staff "display appointment" view); "" for a foreign id."""
        return f"{base_url.rstrip('/')}{DISPLAY_PATH}{booking_id}/" if booking_id.isdigit() else ""
    leave_pages = True  # the staff calendar keeps scripts running: never leave it open between calls
    json_headers = {"Accept": "application/json", "X-Requested-With": "XMLHttpRequest"}  # its views check for AJAX

    @property
    def patient_fields(self) -> tuple[str, ...]:
        """The patient fields the relay asks for before booking: the real e-mail when the clinic wants it."""
        return ("email",) if self.driver_settings.get("ask_email") is True else ()

    # --- time ------------------------------------------------------------------------------------

    @property
    def tz(self) -> tzinfo:
        name = str(self.driver_settings.get("time_zone") or "")
        if not name:
            local = datetime.now().astimezone().tzinfo
            assert local is not None
            return local
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise PortalChanged("settings", f"known time zone (time_zone={name!r})") from None

    # --- reading ---------------------------------------------------------------------------------

    async def _free_slots(self, days: int, professional: str | None) -> list[Slot]:
        tz = self.tz
        start, end = days_window(days, self._clock(), tz)
        staff = await self._staff()
        if professional is not None:
            wanted = professional.strip().casefold()
            staff = [s for s in staff if wanted in (s.name.casefold(), str(s.id))]
            if not staff:
                log.info("the clinic web app has no staff member called %r", professional)
                return []
        services = await asyncio.gather(*(self._service_of(member) for member in staff))
        reads = [(member, service, day) for member, service in zip(staff, services, strict=True) if service
                 for day in answers.days_between(start, end)]
        minutes = int(self.driver_settings.get("service_minutes") or 30)
        gate = asyncio.Semaphore(PARALLEL_READS)  # a few at a time: a clinic's web app is not a load-test target

        async def starts(member: answers.StaffMember, service: answers.Service, day: date) -> list[datetime]:
            async with gate:
                return await self._starts(member.id, service.id, day)

        days_read = await asyncio.gather(*(starts(member, service, day) for member, service, day in reads))
        slots = [slot for (member, service, _), starts in zip(reads, days_read, strict=True)
                 for slot in answers.slots_of_day(starts, member, service, minutes, tz, start, end)]
        return sorted(slots, key=lambda s: (s.start, s.professional))

    async def _staff(self) -> list[answers.StaffMember]:
        return answers.parse_staff(await self.read_json(f"{AJAX}/fetch_staff_list/", {}))

    async def _service_of(self, member: answers.StaffMember) -> answers.Service | None:
        body = await self.read_json(f"{AJAX}/fetch_service_list_for_staff/", {"staff_member": str(member.id)})
        chosen = answers.choose_service(answers.parse_services(body), str(self.driver_settings.get("service") or ""))
        if chosen is None:
            log.info("%s does not offer the service %r", member.name, self.driver_settings.get("service"))
        return chosen

    async def _starts(self, staff_id: int, service_id: int, day: date) -> list[datetime]:
        body = await self.read_json(f"{AJAX}/available_slots/", {
            "selected_date": day.isoformat(), "staff_member": str(staff_id), "service_id": str(service_id)})
        return answers.parse_day(body)

    async def _appointments(self) -> list[answers.CalendarAppointment]:
        return answers.parse_appointments(await self.read_json(f"{CALENDAR_PATH}json/", {}))

    def refuse_json(self, path: str, status: int) -> None:
        if status == 403:
            raise PortalChanged("agenda", f"permission to read {path} (the user must be a superuser)")

    # --- logging in ------------------------------------------------------------------------------

    async def _login(self) -> None:
        page = self._require_page()
        screen = LoginScreen(page, self._timeout_ms)

        async def attempt() -> None:
            await self._goto(f"{LOGIN_PATH}?{urlencode({'next': CALENDAR_PATH})}")
            if CALENDAR_PATH in page.url:
                return  # the session was still alive
            outcome = await screen.sign_in(self._credentials.user, self._credentials.password)
            if outcome.signed_in:
                return
            if outcome.status >= 500:
                raise TransientFailure(f"HTTP {outcome.status} after signing in")
            if outcome.status == 403 and "csrf" in outcome.message.casefold():
                raise TransientFailure("the login form had expired")
            text = outcome.message.casefold()
            if "locked" in text or "bloquead" in text:
                raise AccountLocked(f"the clinic web app has locked the user {self._credentials.user!r}: "
                                    f"{outcome.message}")
            stop = await self.needs_person(page)  # a verification code, a captcha, a new password
            if stop is not None:
                raise stop
            if outcome.message:
                raise LoginRejected(f"the clinic web app refused the user {self._credentials.user!r} or its "
                                    f"password: {outcome.message}")
            raise PortalChanged("login", "message after signing in (.errornote)")

        await with_retries(attempt, self._retry, "logging in")
        log.info("logged in to the clinic web app at %s as %s", self.url, self._credentials.user)

    # --- booking ---------------------------------------------------------------------------------

    async def _book(self, slot_id: str, patient: Patient, reference: str, relogged: bool = False) -> Booking:
        try:
            staff_id, service_id, local_start = answers.parse_slot_id(slot_id)
        except ValueError as error:
            raise SlotTaken(slot_id, str(error)) from None
        if local_start.replace(tzinfo=self.tz) < self._clock():
            raise SlotTaken(slot_id, f"the slot {slot_id} has already started")
        found = await self._find_booking(slot_id, reference)
        if found is not None:
            return found  # an earlier save went through although its answer was lost
        await self._require_offered(slot_id, staff_id, service_id, local_start)
        modal = await self._open_new_appointment()
        await modal.choose(staff_id, service_id)
        email = patient.email or answers.patient_email(
            patient.phone, str(self.driver_settings.get("email_domain") or "pacientes.invalid"))
        await modal.fill(day=local_start.date().isoformat(), start=f"{local_start:%H:%M}", name=patient.name,
                         email=email, phone=patient.phone, note=answers.note_for(reference, patient.name))
        # Right before saving: is this exact start still offered? (Staff may have taken it meanwhile, and the
        # app would save an overlap from this dialog without a word.)
        await self._require_offered(slot_id, staff_id, service_id, local_start)
        dialogs_before = len(self.dismissed_dialogs)
        status = await modal.save(self._timeout_ms * SAVE_PATIENCE)
        if len(self.dismissed_dialogs) > dialogs_before:
            warning = self.dismissed_dialogs[-1]
            appointments = await self._appointments()
            booking = await self._booking_in(appointments, slot_id, reference)
            if booking is None:
                raise BookingRejected(f"the clinic web app warned before saving and the warning was not accepted: "
                                      f"{warning}")
            return await self._alone_at_its_time(booking, appointments)
        if status in (401, 403):
            # Refused before saving: the session ended while the dialog was open (an idle timeout, the receptionist
            # logging in elsewhere). Nothing was written; logged in again, the appointment is made once more, once.
            self._logged_in = False
            if not relogged:
                log.info("the clinic web app's session ended while the appointment dialog was open; logging in again")
                return await self._book(slot_id, patient, reference, relogged=True)
            raise PortalUnavailable(f"the clinic web app ended the session while saving (HTTP {status})",
                                    nothing_written=True)
        if 400 <= status < 500:
            raise BookingRejected(f"the clinic web app refused the appointment (HTTP {status})")
        appointments = await self._appointments()
        booking = await self._booking_in(appointments, slot_id, reference)
        if booking is None:
            raise PortalUnavailable(f"the clinic web app did not confirm the appointment {slot_id} "
                                    f"({status or 'no answer'})")
        booking = await self._alone_at_its_time(booking, appointments)
        log.info("booked %s (appointment %s)", slot_id, booking.id)
        return booking

    async def _alone_at_its_time(self, booking: Booking, appointments: list[answers.CalendarAppointment]) -> Booking:
        """``booking``, unless staff saved the same time between the re-check and the save (the app keeps both
        without a word): then ours, the second, is deleted and the slot is taken — one patient per time."""
        first = answers.saved_first_over(appointments, booking.id)
        if first is None:
            return booking
        log.warning("the clinic saved appointment %s at %s while the bot saved %s: the bot's is deleted",
                    first.id, f"{first.start:%Y-%m-%d %H:%M}", booking.id)
        if await self._delete_appointment(booking.id):
            raise SlotTaken(booking.slot.id, "the clinic took that time while the bot was saving it")
        log.warning("appointment %s could not be deleted: two patients are booked at %s", booking.id,
                    f"{first.start:%Y-%m-%d %H:%M}")
        return booking

    async def _delete_appointment(self, appointment_id: str) -> bool:
        """Delete one appointment as the staff calendar's own "Delete" does (its AJAX call, the session's CSRF
        token); True once the calendar no longer shows it. A passing failure (5xx, no answer) is retried, a session
        that ended meanwhile (401/403: no session, no CSRF token) logged in again once: an appointment left here is
        a second patient at a time already taken."""
        assert self._context is not None
        url = f"{self.url}{AJAX}/delete_appointment/"

        async def attempt() -> None:
            assert self._context is not None
            token = next((c["value"] for c in await self._context.cookies(self.url) if c["name"] == "csrftoken"), "")
            try:
                response = await self._context.request.post(
                    url, data=json.dumps({"appointment_id": int(appointment_id)}),
                    headers={**self.json_headers, "Content-Type": "application/json", "X-CSRFToken": token,
                             "Referer": f"{self.url}{CALENDAR_PATH}"},
                    timeout=self._timeout_ms, max_redirects=0)
            except PlaywrightError as error:
                raise TransientFailure(f"no answer: {first_line(error)}") from None
            try:
                if response.status in (401, 403):
                    raise SessionExpired()
                self.check_answer(url, response.status, response.headers)
                if response.status != 200:
                    log.warning("deleting appointment %s: the web app answered HTTP %s", appointment_id,
                                response.status)
            finally:
                await response.dispose()

        what = f"deleting appointment {appointment_id}"
        try:
            await self._with_session(lambda: with_retries(attempt, self._retry, what))
        except (PortalError, TransientFailure, SessionExpired) as error:
            log.warning("deleting appointment %s failed: %s", appointment_id, error)
        return all(a.id != appointment_id for a in await self._appointments())

    async def _require_offered(self, slot_id: str, staff_id: int, service_id: int, local_start: datetime) -> None:
        if local_start not in await self._starts(staff_id, service_id, local_start.date()):
            raise SlotTaken(slot_id)

    async def _open_new_appointment(self) -> AppointmentModal:
        page = self._require_page()
        calendar = CalendarScreen(page, self._timeout_ms)

        async def attempt() -> None:
            await self._ensure_session()
            response = await self._goto(CALENDAR_PATH)
            if LOGIN_PATH in page.url or (response is not None and response.status == 401):
                raise SessionExpired()  # its staff pages answer a lost session with a bare 401 "Not authorized."
            await calendar.ensure_shown()

        await self._with_session(lambda: with_retries(attempt, self._retry, "opening the staff calendar"))
        await calendar.new_appointment.click()
        modal = AppointmentModal(page, self._timeout_ms)
        await modal.ensure_shown()
        return modal

    async def _find_booking(self, slot_id: str, reference: str) -> Booking | None:
        return await self._booking_in(await self._appointments(), slot_id, reference)

    async def _booking_in(self, appointments: list[answers.CalendarAppointment], slot_id: str,
                          reference: str) -> Booking | None:
        """The appointment carrying ``reference``, where the web app holds it now: reception may have moved it to
        another time or staff member in the staff calendar since (its slot is then that time, never the one asked
        for). The reference is the booking's identity: found anywhere, the appointment is never made twice."""
        try:
            answers.parse_slot_id(slot_id)
        except ValueError:
            return None
        mine = [a for a in appointments if answers.carries_reference(a.additional_info, reference)]
        if not mine:
            return None
        found = mine[0]
        where = answers.slot_id(found.staff_id, found.service_id, found.start)
        if where != slot_id:
            log.info("appointment %s (asked for %s) is at %s in the clinic web app now", found.id, slot_id, where)
        staff = {s.id: s.name for s in await self._staff()}
        tz = self.tz
        services = answers.parse_services(
            await self.read_json(f"{AJAX}/fetch_service_list_for_staff/", {"staff_member": str(found.staff_id)}))
        service = next((s.name for s in services if s.id == found.service_id), "")  # named as free_slots names it
        slot = Slot(where, found.start.replace(tzinfo=tz), found.end.replace(tzinfo=tz),
                    staff.get(found.staff_id, str(found.staff_id)), service=service)
        name = answers.patient_name_in(found.additional_info) or found.client_name
        return Booking(found.id, slot, Patient(name, found.client_phone))
