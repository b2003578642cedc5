"""The stand-in portal's screens, one class each, read the way a receptionist reads them.

Locators go by role and label; a screen that does not look as expected raises PortalChanged naming
the screen and the element. No sleeps: Playwright waits for elements, and we wait for outcomes.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Locator, Page

from agent.portal.base import Patient
from agent.portal.drift import DeclaredElement, DeclaredScreen
from agent.portal.waiting import missing, require_visible


async def require(locator: Locator, screen: str, element: str, timeout_ms: float) -> Locator:
    """The locator once visible; else the screen changed (PortalChanged), or the web app is slow (still loading)."""
    return await require_visible(locator, screen, element, timeout_ms)


@dataclass(frozen=True)
class LoginOutcome:
    signed_in: bool
    message: str = ""  # the notice the page shows, when it shows one
    status: int = 0  # HTTP status of the page shown after submitting


class LoginScreen:
    name = "login"

    def __init__(self, page: Page, timeout_ms: float) -> None:
        self.page = page
        self.timeout_ms = timeout_ms
        self.user = page.get_by_label("Usuario", exact=True)
        self.password = page.get_by_label("Contraseña", exact=True)
        self.submit = page.get_by_role("button", name="Ingresar")
        self.notice = page.get_by_role("alert")

    async def ensure_shown(self) -> None:
        await require(self.user, self.name, 'field "Usuario"', self.timeout_ms)
        await require(self.password, self.name, 'field "Contraseña"', self.timeout_ms)
        await require(self.submit, self.name, 'button "Ingresar"', self.timeout_ms)

    async def sign_in(self, user: str, password: str) -> LoginOutcome:
        """Fill the form and submit it; reads where the web app took us."""
        await self.ensure_shown()
        await self.user.fill(user)
        await self.password.fill(password)
        try:
            async with self.page.expect_navigation(wait_until="domcontentloaded", timeout=self.timeout_ms) as nav:
                await self.submit.click()
            response = await nav.value
        finally:
            # If the page is still the form (no navigation), the password must not stay in it.
            if not self.page.is_closed() and await self.password.count():
                await self.password.fill("")
        status = response.status if response else 0
        if self.page.url.split("?")[0].endswith("/agenda") and status < 400:
            return LoginOutcome(True, status=status)
        message = ""
        if await self.notice.count():
            message = " ".join((await self.notice.first.inner_text()).split())
        return LoginOutcome(False, message, status)


class AgendaScreen:
    name = "agenda"

    def __init__(self, page: Page, timeout_ms: float) -> None:
        self.page = page
        self.timeout_ms = timeout_ms
        self.professional = page.get_by_label("Profesional", exact=True)
        self.previous_week = page.get_by_role("button", name="Semana anterior")
        self.next_week = page.get_by_role("button", name="Semana siguiente")
        self.calendar = page.get_by_role("region", name="Agenda semanal")
        self.banner = page.locator("#aviso").get_by_text("No se pudo cargar la agenda")
        self.toasts = page.get_by_role("status")
        self.signed_out_form = page.get_by_label("Contraseña", exact=True)  # the login screen's

    async def ensure_shown(self, *, or_signed_out: bool = False) -> None:
        """The agenda's controls; ``or_signed_out``: or the login screen the page went to (``signed_out``: then no
        control is required, the caller logs in again)."""
        if or_signed_out:
            # Each control or the login screen: the page's own read can take it there after the first control
            # showed (seen in CI: the next wait, for a control no longer there, ran out and was called a change).
            try:
                for control in (self.professional, self.next_week, self.calendar):
                    await control.or_(self.signed_out_form).first.wait_for(state="visible", timeout=self.timeout_ms)
                    if self.signed_out:
                        return
                return  # all three shown
            except PlaywrightError:
                if self.signed_out:
                    return
        await require(self.professional, self.name, 'selector "Profesional"', self.timeout_ms)
        await require(self.next_week, self.name, 'button "Semana siguiente"', self.timeout_ms)
        await require(self.calendar, self.name, 'calendar "Agenda semanal"', self.timeout_ms)

    def week(self, professional_key: str, monday: date) -> Locator:
        """The calendar once it shows that professional's week."""
        return self.page.locator(
            f'section[aria-label="Agenda semanal"][data-profesional="{professional_key}"][data-semana="{monday}"]'
        )

    async def wait_for_week(self, professional_key: str, monday: date) -> bool:
        """True once the week is drawn; False when the page says it could not load it (try again)."""
        drawn = self.week(professional_key, monday)
        # The page's own read of the week finding the session over takes it to the login page: said at once
        # (``signed_out``), not waited out and taken for a changed screen.
        try:
            await drawn.or_(self.banner).or_(self.signed_out_form).first.wait_for(state="visible",
                                                                                  timeout=self.timeout_ms)
        except PlaywrightError:
            if self.signed_out:
                return False
            raise await missing(self.page, self.name, f"week of {monday} for {professional_key}",
                                self.timeout_ms) from None
        return await drawn.count() > 0

    @property
    def signed_out(self) -> bool:
        """The page went to the login screen (the web app ended the session while the agenda was open)."""
        return "/login" in self.page.url.split("?")[0]

    def cell(self, local_start: datetime) -> Locator:
        return self.calendar.locator(f'button[data-inicio="{local_start:%Y-%m-%dT%H:%M}"]')

    async def cell_is_free(self, cell: Locator) -> bool:
        label = await cell.get_attribute("aria-label") or ""
        return label.startswith("Disponible")

    async def wait_for_toast(self, text: str) -> str:
        toast = self.toasts.get_by_text(text)
        await require(toast.first, self.name, f'confirmation "{text}"', self.timeout_ms)
        return " ".join((await toast.first.inner_text()).split())


class DetailModal:
    """An appointment's detail, where the receptionist cancels it ("Anular cita", then "Confirmar anulación")."""

    name = "appointment detail"

    def __init__(self, page: Page, timeout_ms: float) -> None:
        self.page = page
        self.timeout_ms = timeout_ms
        self.dialog = page.get_by_role("dialog", name="Detalle de la cita")
        self.cancel_button = self.dialog.get_by_role("button", name="Anular cita")
        self.confirm_button = self.dialog.get_by_role("button", name="Confirmar anulación")

    async def ensure_shown(self) -> None:
        await require(self.dialog, self.name, 'dialog "Detalle de la cita"', self.timeout_ms)
        await require(self.cancel_button, self.name, 'button "Anular cita"', self.timeout_ms)

    async def cancel_appointment(self) -> int:
        """Cancel it; the HTTP status of the web app's answer (0: no answer)."""
        await self.cancel_button.click()
        await require(self.confirm_button, self.name, 'button "Confirmar anulación"', self.timeout_ms)
        try:
            async with self.page.expect_response(
                lambda r: r.request.method == "POST" and r.url.split("?")[0].endswith("/anular"),
                timeout=self.timeout_ms,
            ) as answer:
                await self.confirm_button.click()
            return (await answer.value).status
        except PlaywrightError:
            return 0


REFUSAL_GRACE_S = 1.0  # after the form's alert, how long an answer from the web app may still come


class AppointmentModal:
    name = "new appointment"

    def __init__(self, page: Page, timeout_ms: float) -> None:
        self.page = page
        self.timeout_ms = timeout_ms
        self.dialog = page.get_by_role("dialog", name="Nueva cita")
        self.patient_name = self.dialog.get_by_label("Nombre del paciente")
        self.phone = self.dialog.get_by_label("Teléfono")
        self.document = self.dialog.get_by_label("RUT / Documento")
        self.note = self.dialog.get_by_label("Nota")
        self.save_button = self.dialog.get_by_role("button", name="Guardar cita")
        self.cancel_button = self.dialog.get_by_role("button", name="Cancelar")
        self.error = self.dialog.get_by_role("alert")
        self.refused_before_sending = ""  # the form's own refusal at the last save ("" if it sent the appointment)

    async def ensure_shown(self) -> None:
        await require(self.dialog, self.name, 'dialog "Nueva cita"', self.timeout_ms)
        await require(self.patient_name, self.name, 'field "Nombre del paciente"', self.timeout_ms)
        await require(self.save_button, self.name, 'button "Guardar cita"', self.timeout_ms)

    async def fill(self, patient: Patient, note: str) -> None:
        await self.patient_name.fill(patient.name)
        await self.phone.fill(patient.phone)
        if patient.document:
            await self.document.fill(patient.document)
        await self.note.fill(note)

    async def save(self) -> int:
        """Click "Guardar cita"; the HTTP status of the web app's answer (0: no answer). A form that refuses before
        sending anything (its own check: "Ingrese el nombre del paciente.") shows its alert at once: then 0, and
        ``refused_before_sending`` holds the alert's words, without waiting out the timeout for an answer that
        will never come."""
        self.refused_before_sending = ""
        answered = asyncio.ensure_future(self.page.wait_for_event(
            "response", lambda r: r.request.method == "POST" and r.url.split("?")[0].endswith("/api/citas"),
            timeout=self.timeout_ms,
        ))
        sent: list[Any] = []  # the save's request, once the page sent it: after that, an alert is no refusal

        def on_request(request: Any) -> None:
            if request.method == "POST" and request.url.split("?")[0].endswith("/api/citas"):
                sent.append(request)

        self.page.on("request", on_request)
        alerted: asyncio.Future[Any] | None = None
        try:
            shown_before = await self.error.is_visible()  # an earlier try's alert: not this save's refusal
            await self.save_button.click()
            if shown_before:
                return (await answered).status
            alerted = asyncio.ensure_future(self.error.wait_for(state="visible", timeout=self.timeout_ms))
            await asyncio.wait({answered, alerted}, return_when=asyncio.FIRST_COMPLETED)
            if not answered.done() and alerted.done() and alerted.exception() is None:
                await asyncio.wait({answered}, timeout=REFUSAL_GRACE_S)  # an answer may still be on its way
                if not answered.done() and not sent:  # refused by the form itself: nothing left the page
                    self.refused_before_sending = " ".join((await self.error.inner_text()).split())
                    return 0
            return (await answered).status
        except PlaywrightError:
            return 0
        finally:
            self.page.remove_listener("request", on_request)
            for pending in (answered, alerted):
                if pending is not None and not pending.done():
                    pending.cancel()
                if pending is not None:
                    with contextlib.suppress(BaseException):
                        await pending

    async def error_text(self) -> str:
        await require(self.error, self.name, "error message", self.timeout_ms)
        return " ".join((await self.error.inner_text()).split())

    async def cancel(self) -> None:
        if await self.dialog.is_visible():
            await self.cancel_button.click()
            await self.dialog.wait_for(state="hidden", timeout=self.timeout_ms)


def screens_of_the_stand_in() -> tuple[DeclaredScreen, ...]:
    """What the driver depends on, for the drift watch: the same locators as the page objects above."""

    def login(attr: str):
        return lambda page: getattr(LoginScreen(page, 0), attr)

    def agenda(attr: str):
        return lambda page: getattr(AgendaScreen(page, 0), attr)

    def modal(attr: str):
        return lambda page: getattr(AppointmentModal(page, 0), attr)

    return (
        DeclaredScreen("el inicio de sesión", "/login", logged_in=False, name_en="the login", elements=(
            DeclaredElement('el campo "Usuario"', login("user"), 'the field "Usuario"'),
            DeclaredElement('el campo "Contraseña"', login("password"), 'the field "Contraseña"'),
            DeclaredElement('el botón "Ingresar"', login("submit"), 'the button "Ingresar"'),
        )),
        DeclaredScreen("la agenda", "/agenda", name_en="the agenda", elements=(
            DeclaredElement('el selector "Profesional"', agenda("professional"), 'the selector "Profesional"'),
            DeclaredElement('el botón "Semana siguiente"', agenda("next_week"), 'the button "Semana siguiente"'),
            DeclaredElement('la "Agenda semanal"', agenda("calendar"), 'the "Agenda semanal"'),
        )),
        DeclaredScreen(
            "la ficha de cita", "/agenda", name_en="the appointment form",
            opener=DeclaredElement("una hora disponible", lambda page: AgendaScreen(page, 0).calendar.locator(
                'button[aria-label^="Disponible"]').first, "a free time"),
            opener_from_data=True,  # a week with every time taken shows none: the form is checked another time
            more_data=DeclaredElement('el botón "Semana siguiente"', agenda("next_week"),
                                      'the button "Semana siguiente"'),
            elements=(
                DeclaredElement('el campo "Nombre del paciente"', modal("patient_name"),
                                'the field "Nombre del paciente"'),
                DeclaredElement('el campo "Teléfono"', modal("phone"), 'the field "Teléfono"'),
                DeclaredElement('el campo "Nota"', modal("note"), 'the field "Nota"'),
                DeclaredElement('el botón "Guardar cita"', modal("save_button"), 'the button "Guardar cita"'),
            ),
            closer=DeclaredElement('el botón "Cancelar"', modal("cancel_button"), 'the button "Cancelar"'),
        ),
    )
