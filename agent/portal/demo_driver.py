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
import os
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlencode

from playwright.async_api import APIResponse, Browser, BrowserContext, Page, Playwright, async_playwright
from playwright.async_api import Error as PlaywrightError

from agent.portal import demo_agenda
from agent.portal.base import (
    AccountLocked,
    Booking,
    BrowserChoice,
    Credentials,
    LoginRejected,
    Patient,
    PortalChanged,
    PortalError,
    PortalUnavailable,
    Slot,
    SlotTaken,
    days_window,
)
from agent.portal.browser import launch_browser
from agent.portal.demo_agenda import AgendaCell, ClinicInfo
from agent.portal.demo_screens import AgendaScreen, AppointmentModal, DetailModal, LoginScreen
from agent.portal.retry import RetryPolicy, TransientFailure, with_retries
from agent.portal.screenshots import capture_failure

log = logging.getLogger(__name__)
T = TypeVar("T")


class BookingRejected(PortalError):
    """The web app refused the patient's data (e.g. an invalid phone); nothing was written."""

    code = "bad_request"


class _SessionExpired(Exception):
    pass


def _utc_now() -> datetime:
    return datetime.now(UTC)


class DemoPortalDriver:
    """``DemoPortalDriver(url, credentials, browser, work_dir)``; screenshots go to work_dir/"screenshots".

    ``clock`` (tests) is the driver's "now"; ``retry`` bounds the retries on 5xx and dropped
    connections; ``timeout_s`` bounds each wait for a screen or an answer.
    """

    def __init__(
        self,
        url: str,
        credentials: Credentials,
        browser: BrowserChoice,
        work_dir: Path,
        *,
        clock: Callable[[], datetime] = _utc_now,
        retry: RetryPolicy | None = None,
        timeout_s: float = 15.0,
    ) -> None:
        self.url = url.rstrip("/")
        self._credentials = credentials
        self._browser_choice = browser
        self.screenshots = Path(work_dir) / "screenshots"
        self._clock = clock
        self._retry = retry or RetryPolicy()
        self._timeout_ms = timeout_s * 1000
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None
        self._context: BrowserContext | None = None
        self._page: Page | None = None
        self._logged_in = False
        self._refusal: LoginRejected | AccountLocked | None = None

    # --- life cycle -------------------------------------------------------------------------------

    async def start(self) -> None:
        """Launch the browser, or launch it again if it went away (crashed, or closed by someone)."""
        if self._context is not None:
            if self._browser is not None and self._browser.is_connected() and self._page and not self._page.is_closed():
                return
            log.warning("the browser closed unexpectedly; starting it again")
            await self.close()
        _silence_protocol_log()
        self._playwright = await async_playwright().start()
        try:
            self._browser = await launch_browser(self._playwright, self._browser_choice)
            self._context = await self._browser.new_context(
                locale="es-CL", viewport={"width": 1366, "height": 900}, service_workers="block"
            )
            self._context.set_default_timeout(self._timeout_ms)
            self._page = await self._context.new_page()
        except BaseException:
            await self.close()
            raise

    async def close(self) -> None:
        context, browser, playwright = self._context, self._browser, self._playwright
        self._context = self._browser = self._playwright = self._page = None
        self._logged_in = False
        for closing in (context and context.close(), browser and browser.close(), playwright and playwright.stop()):
            if closing is not None:
                try:
                    await closing
                except PlaywrightError:
                    pass  # already gone (the browser crashed or was closed): nothing left to release

    async def __aenter__(self) -> DemoPortalDriver:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # --- the interface ----------------------------------------------------------------------------

    async def login(self) -> None:
        """Log in now, even after a refusal (the caller decided to try again, e.g. a new password)."""
        self._refusal = None
        await self._guarded("login", self._login)

    async def free_slots(self, days: int, professional: str | None = None) -> list[Slot]:
        return await self._guarded("agenda", lambda: self._free_slots(days, professional))

    async def book(self, slot_id: str, patient: Patient, reference: str) -> Booking:
        return await self._guarded("new appointment", lambda: self._book(slot_id, patient, reference))

    async def find_booking(self, slot_id: str, reference: str) -> Booking | None:
        return await self._guarded("agenda", lambda: self._find_booking(slot_id, reference))

    # Optional capabilities (agent/appointments.py): a patient's own appointments, and cancelling one.
    can_find_bookings = True
    can_cancel = True

    # Patients book within the relay's 14-day window: a day more covers them, at a few JSON reads per week.
    async def find_bookings(self, phone: str, days: int = 15) -> list[Booking]:
        """Upcoming appointments whose patient phone is this one (the web app's own tie to the patient)."""
        return await self._guarded("agenda", lambda: self._find_bookings(phone, days))

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
        answers = await asyncio.gather(*(self._week(p, monday, clinic) for p in chosen for monday in weeks))
        return demo_agenda.free_slots([cell for week in answers for cell in week], start, end)

    async def _upcoming(self, days: int) -> list[AgendaCell]:
        clinic = await self._clinic()
        start, end = days_window(days, self._clock(), clinic.tz)
        weeks = demo_agenda.mondays_covering(start, end)
        answers = await asyncio.gather(
            *(self._week(p, monday, clinic) for p in clinic.professionals for monday in weeks)
        )
        return [c for week in answers for c in week if c.appointment is not None and start <= c.start < end]

    async def _find_bookings(self, phone: str, days: int) -> list[Booking]:
        wanted = demo_agenda.phone_digits(phone)
        found = []
        for cell in await self._upcoming(days):
            appointment = cell.appointment
            assert appointment is not None
            if wanted and demo_agenda.phone_digits(appointment.patient_phone) == wanted:
                patient = Patient(appointment.patient_name, appointment.patient_phone, appointment.patient_document)
                found.append(Booking(appointment.id, cell.slot, patient))
        return sorted(found, key=lambda b: b.slot.start)

    async def _cancel(self, booking_id: str, days: int) -> bool:
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
        if status != 200:
            raise PortalUnavailable(f"the clinic web app did not cancel appointment {booking_id} "
                                    f"(answer: {status or 'none'})")
        await agenda.wait_for_toast("Cita anulada")
        log.info("cancelled appointment %s", booking_id)
        return True

    async def _clinic(self) -> ClinicInfo:
        return demo_agenda.parse_clinic(await self._json("/api/profesionales", {}))

    async def _week(self, professional: demo_agenda.Professional, monday: date, clinic: ClinicInfo) -> list[AgendaCell]:
        body = await self._json("/api/agenda", {"profesional": professional.key, "semana": monday.isoformat()})
        return demo_agenda.parse_week(body, professional, clinic.tz)

    async def _cell(self, key: str, local_start: datetime, clinic: ClinicInfo) -> AgendaCell | None:
        professional = clinic.find(key)
        if professional is None:
            return None
        monday = local_start.date() - timedelta(days=local_start.weekday())
        cells = await self._week(professional, monday, clinic)
        wanted = local_start.replace(tzinfo=clinic.tz)
        return next((c for c in cells if c.start == wanted), None)

    async def _json(self, path: str, params: dict[str, str]) -> Any:
        """GET one of the agenda's JSON calls with the session's cookies; logs in again once if expired."""
        await self._ensure_session()
        try:
            return await with_retries(lambda: self._get_json(path, params), self._retry, f"reading {path}")
        except _SessionExpired:
            log.info("the clinic web app's session expired; logging in again")
            self._logged_in = False
            await self._ensure_session()
            try:
                return await with_retries(lambda: self._get_json(path, params), self._retry, f"reading {path}")
            except _SessionExpired:
                raise PortalUnavailable("the clinic web app ended the session right after logging in") from None

    async def _get_json(self, path: str, params: dict[str, str]) -> Any:
        assert self._context is not None
        url = f"{self.url}{path}" + (f"?{urlencode(params)}" if params else "")
        try:
            response: APIResponse = await self._context.request.get(
                url, headers={"Accept": "application/json"}, timeout=self._timeout_ms, max_redirects=0
            )
        except PlaywrightError as error:
            raise TransientFailure(f"no answer: {_first_line(error)}") from None
        try:
            if response.status == 401:
                raise _SessionExpired()
            if response.status >= 500:
                raise TransientFailure(f"HTTP {response.status}")
            if response.status != 200:
                raise PortalChanged("agenda", f"JSON call {path} (it answered HTTP {response.status})")
            try:
                return await response.json()
            except (PlaywrightError, ValueError):
                raise PortalChanged("agenda", f"JSON answer of {path}") from None
        finally:
            await response.dispose()

    # --- logging in -------------------------------------------------------------------------------

    async def _ensure_session(self) -> None:
        await self.start()
        if self._logged_in:
            return
        if self._refusal is not None:
            raise self._refusal
        await self._login()

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
            if outcome.message:
                raise LoginRejected(f"the clinic web app refused the user {self._credentials.user!r} or its "
                                    f"password: {outcome.message}")
            raise PortalChanged("login", "message after signing in")

        try:
            await with_retries(attempt, self._retry, "logging in")
        except (LoginRejected, AccountLocked) as refusal:
            self._refusal = refusal
            self._logged_in = False
            raise
        await AgendaScreen(page, self._timeout_ms).ensure_shown()
        self._logged_in = True
        log.info("logged in to the clinic web app at %s as %s", self.url, self._credentials.user)

    async def _goto(self, path: str) -> None:
        """Navigate; a 5xx page or a dropped connection is a TransientFailure (for with_retries)."""
        page = self._require_page()
        try:
            response = await page.goto(f"{self.url}{path}", wait_until="domcontentloaded", timeout=self._timeout_ms)
        except PlaywrightError as error:
            raise TransientFailure(f"no answer: {_first_line(error)}") from None
        if response is not None and response.status >= 500:
            raise TransientFailure(f"HTTP {response.status}")

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
            status = await modal.save()
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
            await agenda.ensure_shown()
            if not await agenda.wait_for_week(professional_key, monday):
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

    # --- failures ---------------------------------------------------------------------------------

    async def _guarded(self, screen: str, action: Callable[[], Awaitable[T]]) -> T:
        """Run one operation; turn leftovers into typed errors, with a screenshot for the IT person."""
        try:
            return await action()
        except SlotTaken:
            raise
        except TransientFailure as failure:
            error: PortalError = PortalUnavailable(
                f"the clinic web app at {self.url} is not answering properly ({failure}) after "
                f"{self._retry.attempts} tries"
            )
            error.screenshot = await self._screenshot(f"{screen} unavailable")
            raise error from None
        except PortalError as error:
            if error.screenshot is None and error.code != "browser_missing":
                where = error.screen if isinstance(error, PortalChanged) else screen
                if isinstance(error, LoginRejected | AccountLocked):
                    where = LoginScreen.name
                error.screenshot = await self._screenshot(f"{where} {error.code}")
            raise
        except PlaywrightError as error:
            wrapped = PortalUnavailable(f"the browser failed while on the {screen} screen: {_first_line(error)}")
            wrapped.screenshot = await self._screenshot(f"{screen} browser error")
            raise wrapped from None

    async def _screenshot(self, label: str) -> Path | None:
        path = await capture_failure(self._page, self.screenshots, label, [self._credentials.password])
        if path is not None:
            log.info("saved a screenshot of the failure: %s", path)
        return path

    def _require_page(self) -> Page:
        if self._page is None:
            raise PortalUnavailable("the browser is not running (the driver was closed)")
        return self._page


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def _silence_protocol_log() -> None:
    """Playwright's DEBUG=pw:api log would print what is typed (the password): never let it run here."""
    debug = os.environ.get("DEBUG", "")
    if "pw:" in debug:
        kept = ",".join(part for part in debug.split(",") if part and not part.startswith("pw:"))
        log.warning("ignoring DEBUG=pw:* for the browser: its protocol log would show the typed password")
        if kept:
            os.environ["DEBUG"] = kept
        else:
            os.environ.pop("DEBUG", None)
