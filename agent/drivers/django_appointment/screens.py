"""django-appointment's staff screens, one class each.

Its staff UI is translated per user and its buttons carry icons, so locators go by the stable ids the app's own
scripts use (``#id_username``, ``#djappt-new-appointment``, ``#eventSubmitBtn``), never by label text. A screen that
does not look as expected raises PortalChanged naming the screen and the element.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Locator, Page

from agent.portal.base import PortalChanged
from agent.portal.drift import DeclaredElement, DeclaredScreen
from agent.portal.waiting import require_visible

LOGIN_PATH = "/admin/login/"
CALENDAR_PATH = "/appointment/app-admin/appointments/"
SAVE_PATH = "/appointment/ajax/update_appt_min_info/"


async def require(locator: Locator, screen: str, element: str, timeout_ms: float) -> Locator:
    """The locator once visible; else the screen changed (PortalChanged), or the web app is slow (still loading)."""
    return await require_visible(locator, screen, element, timeout_ms)


@dataclass(frozen=True)
class LoginOutcome:
    signed_in: bool
    message: str = ""
    status: int = 0


class LoginScreen:
    """Django's staff login (the admin site's), a plain form that navigates on submit."""

    name = "login"
    elements = (("#id_username", 'field "username"'), ("#id_password", 'field "password"'),
                ("input[type=submit]", "button to log in"))

    def __init__(self, page: Page, timeout_ms: float) -> None:
        self.page = page
        self.timeout_ms = timeout_ms
        self.user = page.locator("#id_username")
        self.password = page.locator("#id_password")
        self.submit = page.locator("#login-form input[type=submit], form input[type=submit]").first
        self.notice = page.locator(".errornote, .errorlist")

    async def ensure_shown(self) -> None:
        await require(self.user, self.name, 'field "username" (#id_username)', self.timeout_ms)
        await require(self.password, self.name, 'field "password" (#id_password)', self.timeout_ms)
        await require(self.submit, self.name, "button to log in", self.timeout_ms)

    async def sign_in(self, user: str, password: str) -> LoginOutcome:
        await self.ensure_shown()
        await self.user.fill(user)
        await self.password.fill(password)
        try:
            async with self.page.expect_navigation(wait_until="domcontentloaded", timeout=self.timeout_ms) as nav:
                await self.submit.click()
            response = await nav.value
        finally:
            if not self.page.is_closed() and await self.password.count():
                await self.password.fill("")
        status = response.status if response else 0
        if CALENDAR_PATH in self.page.url and status < 400:
            return LoginOutcome(True, status=status)
        message = ""
        if await self.notice.count():
            message = " ".join((await self.notice.first.inner_text()).split())
        return LoginOutcome(False, message, status)


class CalendarScreen:
    """The staff calendar (FullCalendar) with its "New Appointment" button."""

    name = "calendar"
    elements = (("#calendar", "calendar"), ("#djappt-new-appointment", 'button "New Appointment"'))

    def __init__(self, page: Page, timeout_ms: float) -> None:
        self.page = page
        self.timeout_ms = timeout_ms
        self.calendar = page.locator("#calendar .fc-view-harness").first
        self.new_appointment = page.locator("#djappt-new-appointment")

    async def ensure_shown(self) -> None:
        await require(self.calendar, self.name, "calendar (#calendar)", self.timeout_ms)
        await require(self.new_appointment, self.name, 'button "New Appointment" (#djappt-new-appointment)',
                      self.timeout_ms)
        try:  # the button only works once the page has asked whether this user may add appointments
            await self.page.wait_for_function(
                "() => typeof AppState !== 'undefined' && AppState.isUserStaffAdmin === true", timeout=self.timeout_ms
            )
        except PlaywrightError:
            raise PortalChanged(self.name, "permission to add appointments (is the user a superuser?)") from None


class AppointmentModal:
    """The "New Appointment" dialog of the staff calendar."""

    name = "new appointment"
    elements = (("#staffSelect", "staff selector"), ("#serviceSelect", "service selector"),
                ("#clientName", 'field "Client Name"'), ("#clientEmail", 'field "Client Email"'),
                ("#clientPhone", 'field "Phone Number"'), ("#additional_info", 'field "Additional Information"'),
                ("#startTime", 'field "Start time"'), ("#eventSubmitBtn", 'button "Submit"'))

    def __init__(self, page: Page, timeout_ms: float) -> None:
        self.page = page
        self.timeout_ms = timeout_ms
        self.dialog = page.locator("#eventDetailsModal")
        self.staff = self.dialog.locator("#staffSelect")
        self.service = self.dialog.locator("#serviceSelect")
        self.client_name = self.dialog.locator("#clientName")
        self.email = self.dialog.locator("#clientEmail")
        self.phone = self.dialog.locator("#clientPhone")
        self.note = self.dialog.locator("#additional_info")
        self.start_time = self.dialog.locator("#startTime")
        self.date = self.dialog.locator('input[name="date"]')
        self.submit = self.dialog.locator("#eventSubmitBtn")

    async def ensure_shown(self) -> None:
        for selector, element in self.elements:
            await require(self.dialog.locator(selector), self.name, f"{element} ({selector})", self.timeout_ms)

    async def choose(self, staff_id: int, service_id: int) -> None:
        await self.staff.select_option(str(staff_id))
        # Choosing the staff member reloads the services it offers.
        option = self.service.locator(f'option[value="{service_id}"]')
        try:
            await option.wait_for(state="attached", timeout=self.timeout_ms)
        except PlaywrightError:
            raise PortalChanged(self.name, f"service {service_id} among the staff member's services") from None
        await self.service.select_option(str(service_id))

    async def fill(self, *, day: str, start: str, name: str, email: str, phone: str, note: str) -> None:
        await self.client_name.fill(name)
        await self.email.fill(email)
        await self.phone.fill(phone)
        await self.note.fill(note)
        await self.start_time.fill(start)
        # The dialog is opened for today; the day travels in its hidden field (what a right-click on a day sets).
        await self.date.evaluate("(field, day) => { field.value = day; }", day)

    async def save(self, patience_ms: float) -> int:
        """Click Submit; the HTTP status of the web app's answer (0: never sent, or no answer in ``patience_ms``).

        Once sent, the save is waited for up to ``patience_ms`` (longer than a screen's wait): a slow web app still
        writes it, and reading the calendar back before its answer would find nothing and call it failed."""
        try:
            async with self.page.expect_request(
                lambda r: r.method == "POST" and r.url.split("?")[0].endswith(SAVE_PATH), timeout=self.timeout_ms,
            ) as sent:
                await self.submit.click()
            request = await sent.value
        except PlaywrightError:
            return 0  # never sent: the dialog refused it (its own checks)
        try:
            response = await asyncio.wait_for(request.response(), timeout=patience_ms / 1000)
        except (PlaywrightError, TimeoutError):
            return 0
        return response.status if response is not None else 0


STAFF_READY_JS = "() => typeof AppState !== 'undefined' && AppState.isUserStaffAdmin === true"


def declared_screens() -> tuple[DeclaredScreen, ...]:
    """What the driver depends on, for the drift watch (ids, as the page objects above use them)."""

    def by_id(name: str, selector: str, name_en: str) -> DeclaredElement:
        return DeclaredElement(name, lambda page: page.locator(selector), name_en)

    return (
        DeclaredScreen("el inicio de sesión", LOGIN_PATH, logged_in=False, name_en="the login", elements=(
            by_id("el campo de usuario (#id_username)", "#id_username", "the user field (#id_username)"),
            by_id("el campo de contraseña (#id_password)", "#id_password", "the password field (#id_password)"),
            by_id("el botón para entrar", "form input[type=submit]", "the log-in button"),
        )),
        DeclaredScreen("la agenda del personal", CALENDAR_PATH, name_en="the staff calendar", elements=(
            by_id("el calendario", "#calendar .fc-view-harness", "the calendar"),
            by_id('el botón "Nueva cita" (#djappt-new-appointment)', "#djappt-new-appointment",
                  'the "New Appointment" button (#djappt-new-appointment)'),
        )),
        DeclaredScreen(
            "la ficha de cita", CALENDAR_PATH, name_en="the appointment form", ready_js=STAFF_READY_JS,
            opener=by_id('el botón "Nueva cita"', "#djappt-new-appointment", 'the "New Appointment" button'),
            elements=tuple(by_id(f"{element} ({selector})", f"#eventDetailsModal {selector}", f"{element} ({selector})")
                           for selector, element in AppointmentModal.elements),
            closer=by_id('el botón "Cerrar"', "#eventDetailsModal .btn-close", 'the "Close" button'),
        ),
    )
