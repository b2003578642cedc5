"""The stand-in clinic web app as staff use it, in real headless Chromium (screenshots in test-output/portal)."""

from __future__ import annotations

import re
from datetime import date

import httpx
import pytest
import pytest_asyncio
from playwright.async_api import async_playwright, expect

from agent.portal.base import BrowserChoice
from agent.portal.browser import launch_browser
from agent.portal.screenshots import capture_failure
from portal.support import ADMIN_TOKEN, STAFF_PASSWORD, running_portal

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest.fixture(scope="module")
def portal():
    with running_portal() as running:
        yield running


@pytest.fixture(scope="module")
def shots(test_output):
    folder = test_output / "portal"
    folder.mkdir(exist_ok=True)
    return folder


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def browser(browser_path):
    async with async_playwright() as playwright:
        browser = await launch_browser(playwright, BrowserChoice(executable_path=browser_path))
        yield browser
        await browser.close()


@pytest_asyncio.fixture(loop_scope="module")
async def page(browser):
    context = await browser.new_context(locale="es-CL", viewport={"width": 1366, "height": 900})
    context.set_default_timeout(20_000)
    page = await context.new_page()
    yield page
    await context.close()


async def sign_in(page, portal, password=STAFF_PASSWORD):
    await page.goto(f"{portal.url}/login")
    await page.get_by_label("Usuario", exact=True).fill(portal.settings.staff_user)
    await page.get_by_label("Contraseña", exact=True).fill(password)
    await page.get_by_role("button", name="Ingresar").click()


async def shown_week(page):
    calendar = page.get_by_role("region", name="Agenda semanal")
    await expect(calendar).to_have_attribute("aria-busy", "false")
    await expect(calendar.locator("button.cell").first).to_be_visible()
    return calendar


async def test_agenda_shows_a_week_per_professional_with_free_and_taken_cells(page, portal, shots):
    await sign_in(page, portal)
    await expect(page).to_have_url(re.compile(r"/agenda"))
    calendar = await shown_week(page)
    selector = page.get_by_label("Profesional", exact=True)
    assert await selector.locator("option").all_inner_texts() == [
        "Dra. Camila Soto — Medicina general", "Dr. Andrés Rojas — Traumatología", "Klga. Paula Méndez — Kinesiología"]
    # Next week's: this week may have no free time left (a Saturday afternoon, a Sunday).
    await page.get_by_role("button", name="Semana siguiente").click()
    await expect(calendar).to_have_attribute("aria-busy", "false")
    free = calendar.locator("button.cell.libre").first
    taken = calendar.locator("button.cell.ocupado").first
    await expect(free).to_contain_text("Disponible")
    free_bg = await free.evaluate("e => getComputedStyle(e).backgroundColor")
    taken_bg = await taken.evaluate("e => getComputedStyle(e).backgroundColor")
    assert free_bg != taken_bg
    await page.screenshot(path=str(shots / "agenda-week.png"))

    title = page.locator("#titulo-semana")
    this_week = await title.inner_text()
    await page.get_by_role("button", name="Semana siguiente").click()
    await expect(title).not_to_have_text(this_week)
    await page.get_by_role("button", name="Semana anterior").click()
    await expect(title).to_have_text(this_week)
    await selector.select_option("paula-mendez")
    await expect(calendar).to_have_attribute("data-profesional", "paula-mendez")
    await expect(calendar.locator("button.cell").first).to_have_attribute("data-fin", re.compile(r"T\d\d:(00|15|30|45)$"))
    await page.screenshot(path=str(shots / "agenda-other-professional.png"))


async def test_booking_from_a_free_cell_shows_a_toast_and_the_appointment_exists(page, portal, shots):
    await sign_in(page, portal)
    calendar = await shown_week(page)
    await page.get_by_role("button", name="Semana siguiente").click()
    await expect(calendar).to_have_attribute("aria-busy", "false")
    cell = calendar.locator("button.cell.libre").nth(2)
    start = await cell.get_attribute("data-inicio")
    await cell.click()
    dialog = page.get_by_role("dialog", name="Nueva cita")
    await expect(dialog).to_be_visible()
    await dialog.get_by_label("Nombre del paciente").fill("Valentina Fuentes Araya")
    await dialog.get_by_label("Teléfono").fill("+56 9 7777 1234")
    await dialog.get_by_label("RUT / Documento").fill("18.765.432-7")
    await dialog.get_by_label("Nota").fill("Primera consulta")
    await page.screenshot(path=str(shots / "booking-modal.png"))
    await dialog.get_by_role("button", name="Guardar cita").click()
    await expect(page.get_by_role("status").get_by_text("Cita agendada")).to_be_visible()
    await expect(dialog).to_be_hidden()
    await expect(calendar.locator(f'button[data-inicio="{start}"]')).to_contain_text("Valentina Fuentes Araya")
    await page.screenshot(path=str(shots / "booking-toast.png"))
    professional = await calendar.get_attribute("data-profesional")
    day = date.fromisoformat(start[:10])
    listed = [a for a in portal.admin.appointments(day, day) if a["slot_id"] == f"{professional}:{start}"]
    assert [(a["patient_name"], a["created_by"], a["note"]) for a in listed] == [
        ("Valentina Fuentes Araya", portal.settings.staff_user, "Primera consulta")]


async def test_a_receptionist_cancels_an_appointment_from_its_detail_and_the_cell_is_free_again(page, portal, shots):
    await sign_in(page, portal)
    calendar = await shown_week(page)
    await page.get_by_role("button", name="Semana siguiente").click()
    await expect(calendar).to_have_attribute("aria-busy", "false")
    cell = calendar.locator("button.cell.ocupado").first
    start = await cell.get_attribute("data-inicio")
    await cell.click()
    dialog = page.get_by_role("dialog", name="Detalle de la cita")
    await expect(dialog).to_be_visible()
    await dialog.get_by_role("button", name="Anular cita").click()  # first click only arms it
    await expect(dialog.get_by_role("button", name="Confirmar anulación")).to_be_visible()
    await page.screenshot(path=str(shots / "cancel-modal.png"))
    await dialog.get_by_role("button", name="Confirmar anulación").click()
    await expect(page.get_by_role("status").get_by_text("Cita anulada")).to_be_visible()
    await expect(dialog).to_be_hidden()
    await expect(calendar.locator(f'button[data-inicio="{start}"]')).to_have_class(re.compile(r"\blibre\b"))
    professional = await calendar.get_attribute("data-profesional")
    day = date.fromisoformat(start[:10])
    assert [a for a in portal.admin.appointments(day, day) if a["slot_id"] == f"{professional}:{start}"] == []


async def test_the_modal_shows_the_error_when_the_slot_was_taken_meanwhile(page, portal, shots):
    await sign_in(page, portal)
    calendar = await shown_week(page)
    await page.get_by_role("button", name="Semana siguiente").click()
    await expect(calendar).to_have_attribute("aria-busy", "false")
    cell = calendar.locator("button.cell.libre").nth(4)
    start = await cell.get_attribute("data-inicio")
    professional = await calendar.get_attribute("data-profesional")
    await cell.click()
    dialog = page.get_by_role("dialog", name="Nueva cita")
    await dialog.get_by_label("Nombre del paciente").fill("Jorge Castro")
    await dialog.get_by_label("Teléfono").fill("+56 9 3333 2222")
    portal.admin.book(professional, start, patient_name="Paciente telefónico")  # another receptionist was faster
    await dialog.get_by_role("button", name="Guardar cita").click()
    await expect(dialog.get_by_role("alert")).to_contain_text("Este horario ya fue tomado")
    await page.screenshot(path=str(shots / "booking-slot-taken.png"))
    await expect(calendar.locator(f'button[data-inicio="{start}"]')).to_contain_text("Paciente telefónico")


async def test_an_expired_session_goes_back_to_the_login_page_which_says_why(page, portal, shots):
    await sign_in(page, portal)
    await shown_week(page)
    portal.admin.expire_sessions()
    await page.get_by_role("button", name="Semana siguiente").click()
    await expect(page).to_have_url(re.compile(r"/login\?expirada=1"))
    await expect(page.get_by_role("status")).to_contain_text("Su sesión expiró por inactividad")
    await page.screenshot(path=str(shots / "login-session-expired.png"))


async def test_wrong_passwords_show_an_error_then_lock_the_user_for_15_minutes(page, shots):
    with running_portal() as portal:
        for attempt in range(1, 6):
            await sign_in(page, portal, password=f"wrong-{attempt}")
            if attempt == 1:
                await expect(page.get_by_role("alert")).to_contain_text("Le quedan 4 intentos")
                await page.screenshot(path=str(shots / "login-wrong-password.png"))
        await expect(page.get_by_role("alert")).to_contain_text("Cuenta bloqueada por 15 minutos")
        await sign_in(page, portal)  # the right password, too late
        await expect(page.get_by_role("alert")).to_contain_text("Cuenta bloqueada por 15 minutos")
        await expect(page).to_have_url(re.compile(r"/login$"))
        await page.screenshot(path=str(shots / "login-locked.png"))


async def test_a_failing_portal_shows_an_error_banner_and_a_retry_button(page, shots):
    with running_portal() as portal:
        await sign_in(page, portal)
        await shown_week(page)
        portal.admin.set_faults(fail_rate=1.0)
        await page.get_by_role("button", name="Semana siguiente").click()
        banner = page.get_by_role("alert")
        await expect(banner).to_contain_text("No se pudo cargar la agenda")
        await expect(banner.get_by_role("button", name="Reintentar")).to_be_visible()
        await page.screenshot(path=str(shots / "agenda-server-error.png"))
        portal.admin.set_faults(fail_rate=0.0)
        await banner.get_by_role("button", name="Reintentar").click()
        await expect(banner).to_be_hidden()


async def test_a_failure_screenshot_never_shows_the_password(page, portal, tmp_path):
    await page.goto(f"{portal.url}/login")
    user = page.get_by_label("Usuario", exact=True)
    password = page.get_by_label("Contraseña", exact=True)
    await user.fill(STAFF_PASSWORD)  # typed into the wrong, visible box
    await password.fill(STAFF_PASSWORD)
    exposed = await page.screenshot(animations="disabled", caret="hide")

    path = await capture_failure(page, tmp_path, "login failed", [STAFF_PASSWORD])
    assert path is not None and path.parent == tmp_path
    assert await user.input_value() == "" and await password.input_value() == ""
    # the saved picture is exactly the page with both boxes empty, and differs from the page with them filled
    empty = await page.screenshot(animations="disabled", caret="hide")
    assert path.read_bytes() == empty
    assert exposed != empty


async def test_the_login_form_needs_its_csrf_token_and_the_json_calls_a_session(portal):
    async with httpx.AsyncClient(base_url=portal.url) as client:
        form = await client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
        assert token and "agendamed_login_csrf" in form.headers["set-cookie"]
        forged = await client.post("/login", data={"usuario": "recepcion", "clave": STAFF_PASSWORD,
                                                   "csrf_token": "forged"})
        assert forged.status_code == 400 and "El formulario expiró" in forged.text
        assert (await client.get("/api/agenda?profesional=camila-soto")).status_code == 401
        assert (await client.get("/agenda")).headers["location"] == "/login"
        good = await client.post("/login", data={"usuario": "recepcion", "clave": STAFF_PASSWORD,
                                                 "csrf_token": re.search(r'name="csrf_token" value="([^"]+)"',
                                                                         forged.text).group(1)})
        assert good.status_code == 303 and good.headers["location"] == "/agenda"
        assert (await client.get("/api/agenda?profesional=camila-soto")).status_code == 200
        no_csrf = await client.post("/api/citas", json={"profesional": "camila-soto", "inicio": "2030-01-07T09:00",
                                                        "paciente": {"nombre": "Ana", "telefono": "+56 9 1234 5678"}})
        assert no_csrf.status_code == 403


async def test_the_admin_interface_needs_its_token_and_exists_only_when_configured():
    with running_portal() as portal:
        async with httpx.AsyncClient(base_url=portal.url) as client:
            assert (await client.get("/_admin/free-slots")).status_code == 401
            wrong = await client.get("/_admin/free-slots", headers={"X-Admin-Token": "nope"})
            assert wrong.status_code == 401
            right = await client.get("/_admin/free-slots?days=2", headers={"X-Admin-Token": ADMIN_TOKEN})
            assert right.status_code == 200 and isinstance(right.json(), list)
    with running_portal(admin_token=None) as portal:
        async with httpx.AsyncClient(base_url=portal.url) as client:
            hidden = await client.get("/_admin/free-slots", headers={"X-Admin-Token": ADMIN_TOKEN})
            assert hidden.status_code == 404


async def test_admin_booking_is_refused_when_taken(portal):
    slot = portal.admin.free_slots(14)[0]
    created = portal.admin.book(slot["professional"], slot["start"], patient_name="Marta Silva")
    assert created["slot_id"] == slot["id"] and created["start"] == slot["start"]
    async with httpx.AsyncClient(base_url=portal.url, headers={"X-Admin-Token": ADMIN_TOKEN}) as client:
        again = await client.post("/_admin/appointments", json={
            "professional": slot["professional"], "start": slot["start"], "patient_name": "Otra",
            "patient_phone": "+56 9 1111 2222"})
        assert again.status_code == 409
    portal.admin.cancel(created["id"])
    assert slot in portal.admin.free_slots(14)
