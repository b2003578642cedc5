"""The Playwright driver against the stand-in portal: real headless Chromium, real HTTP on 127.0.0.1."""

from __future__ import annotations

import asyncio
import shutil
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import pytest_asyncio
from starlette.responses import JSONResponse

from agent.portal.base import (
    AccountLocked,
    BookingRejected,
    LoginRejected,
    Patient,
    PortalChanged,
    PortalError,
    PortalUnavailable,
    SlotTaken,
)
from agent.portal.retry import RetryPolicy
from portal.support import FROZEN_NOW, STAFF_PASSWORD, frozen_clock, make_driver, running_portal

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.usefixtures("no_secret_leaks")]
TZ = ZoneInfo("America/Santiago")


@pytest.fixture(scope="module")
def portal():
    with running_portal(clock=frozen_clock(FROZEN_NOW)) as running:
        yield running


@pytest.fixture(scope="module")
def work_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("agent-data")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def driver(portal, browser_path, work_dir):
    """One driver for the module, as the agent keeps one: browser and context reused across calls."""
    async with make_driver(portal, browser_path, work_dir) as running:
        yield running


def logins(portal) -> int:
    return portal.requests.count("POST /login")


def site_requests(portal) -> list[str]:
    """The pages and JSON calls the portal answered (not its static files)."""
    return [r for r in portal.requests if not r.split()[1].startswith(("/static/", "/favicon"))]


async def test_login_accepted(driver, portal):
    await driver.login()
    assert "/agenda" in driver._page.url


async def test_fourteen_days_of_every_professional_equal_the_portals_ground_truth(driver, portal):
    slots = await driver.free_slots(14)
    truth = portal.admin.free_slots(14)
    assert [s.to_json() for s in slots] == truth
    assert {s.professional for s in slots} == {"Dra. Camila Soto", "Dr. Andrés Rojas", "Klga. Paula Méndez"}
    assert {s.specialty for s in slots} == {"Medicina general", "Traumatología", "Kinesiología"}  # as the app shows
    weeks = {s.start.isocalendar()[:2] for s in slots}
    assert len(weeks) >= 2  # the window crosses at least one week boundary
    last_day = FROZEN_NOW.astimezone(TZ).date() + timedelta(days=13)
    assert max(s.start.date() for s in slots) <= last_day
    assert all(s.start >= FROZEN_NOW for s in slots)
    assert all(s.start.utcoffset() is not None for s in slots)


async def test_one_professional_by_name_equals_the_ground_truth(driver, portal):
    slots = await driver.free_slots(14, "Dr. Andrés Rojas")
    assert [s.to_json() for s in slots] == portal.admin.free_slots(14, "andres-rojas")
    assert slots and {s.professional for s in slots} == {"Dr. Andrés Rojas"}
    assert await driver.free_slots(14, "Dr. Nadie") == []


async def test_a_booking_appears_in_the_portals_appointment_list(driver, portal):
    slot = (await driver.free_slots(14))[5]
    patient = Patient("Ana María Pérez Soto", "+56 9 8765 4321", "15.234.567-9")
    booking = await driver.book(slot.id, patient, reference="req-0001")
    assert booking.slot == slot and booking.patient == patient
    listed = [a for a in portal.admin.appointments(slot.start.date(), slot.start.date()) if a["id"] == booking.id]
    assert len(listed) == 1
    appointment = listed[0]
    assert appointment["slot_id"] == slot.id
    assert appointment["start"] == slot.start.isoformat() and appointment["professional"] == slot.professional
    assert appointment["patient_name"] == patient.name and appointment["patient_phone"] == patient.phone
    assert appointment["created_by"] == portal.settings.staff_user
    assert "req-0001" in appointment["note"]
    assert slot.to_json() not in portal.admin.free_slots(14)
    assert await driver.find_booking(slot.id, "req-0001") == booking
    assert await driver.find_booking(slot.id, "req-9999") is None


async def test_details_the_form_itself_refuses_are_rejected_at_once_with_its_words_and_nothing_sent(driver, portal):
    """A name the web app's own form refuses before sending ("Li": under its three letters) is the patient's details
    refused, at once: not an outage retried for a minute while every other booking waits behind it."""
    slot = (await driver.free_slots(14))[7]
    portal.requests.clear()
    started = asyncio.get_running_loop().time()
    with pytest.raises(BookingRejected) as refused:
        await driver.book(slot.id, Patient("Li", "+56 9 8765 4321"), reference="req-0002")
    assert asyncio.get_running_loop().time() - started < 10  # one check, no 4 × 15 s of "no answer"
    assert refused.value.nothing_written and "Ingrese el nombre del paciente" in str(refused.value)
    assert "POST /api/citas" not in portal.requests
    assert slot.to_json() in portal.admin.free_slots(14)
    booking = await driver.book(slot.id, Patient("Li Wei", "+56 9 8765 4321"), reference="req-0003")
    assert booking.slot == slot  # the modal was closed: the next booking goes through


async def test_a_patients_appointments_are_found_by_phone_and_one_is_cancelled_through_the_detail(driver, portal):
    slot = (await driver.free_slots(14))[14]
    patient = Patient("Teresa Anulada", "+56 9 4444 1212")
    booking = await driver.book(slot.id, patient, reference="req-cancel-1")
    mine = await driver.find_bookings("56944441212")  # the same phone, written another way
    assert [b.id for b in mine] == [booking.id] and mine[0].slot.start == slot.start
    assert await driver.find_bookings("+56 9 0000 0000") == []
    assert await driver.cancel(booking.id) is True
    day = slot.start.date()
    assert [a for a in portal.admin.appointments(day, day) if a["id"] == booking.id] == []
    assert slot.to_json() in portal.admin.free_slots(14)  # the cell is free again
    assert await driver.cancel(booking.id) is False  # already gone: nothing to do
    assert await driver.find_bookings(patient.phone) == []


async def test_a_slot_taken_by_staff_a_moment_earlier_gives_slot_taken_and_nothing_written(driver, portal):
    slot = (await driver.free_slots(14))[8]
    staff = portal.admin.book(slot.professional, slot.start, patient_name="Paciente del mesón")
    before = portal.admin.appointments(slot.start.date(), slot.start.date())
    with pytest.raises(SlotTaken) as taken:
        await driver.book(slot.id, Patient("Ana Pérez", "+56 9 1234 5678"), reference="req-0002")
    assert taken.value.slot_id == slot.id
    assert portal.admin.appointments(slot.start.date(), slot.start.date()) == before
    assert [a["id"] for a in before if a["slot_id"] == slot.id] == [staff["id"]]
    assert await driver.find_booking(slot.id, "req-0002") is None


async def test_a_slot_taken_while_the_form_is_being_saved_is_refused_and_reported(driver, portal):
    """Staff take the slot between the driver's re-check and its click on "Guardar cita"."""
    slot = (await driver.free_slots(14))[11]

    async def staff_first(route):
        await asyncio.to_thread(portal.admin.book, slot.professional, slot.start, "Paciente telefónico")
        await route.continue_()

    await driver._context.route("**/api/citas", staff_first)
    try:
        with pytest.raises(SlotTaken) as taken:
            await driver.book(slot.id, Patient("Ana Pérez", "+56 9 1234 5678"), reference="req-0003")
    finally:
        await driver._context.unroute("**/api/citas")
    assert "ya fue tomado" in str(taken.value)
    same_slot = [a for a in portal.admin.appointments(slot.start.date(), slot.start.date()) if a["slot_id"] == slot.id]
    assert [a["patient_name"] for a in same_slot] == ["Paciente telefónico"]


async def test_a_session_that_expires_between_two_calls_is_recovered(driver, portal, caplog):
    await driver.free_slots(2)
    before = logins(portal)
    assert portal.admin.expire_sessions() >= 1
    slots = await driver.free_slots(14)
    assert [s.to_json() for s in slots] == portal.admin.free_slots(14)
    assert logins(portal) == before + 1
    # and when the agenda page is the first to notice (the session ends just before it is opened)
    expired_once = []

    async def expire_then_serve(route):
        if not expired_once:
            expired_once.append(await asyncio.to_thread(portal.admin.expire_sessions))
        await route.continue_()

    await driver._context.route("**/agenda?*", expire_then_serve)
    try:
        booking = await driver.book(slots[2].id, Patient("Luis Tapia", "+56 9 2222 3333"), reference="req-0004")
    finally:
        await driver._context.unroute("**/agenda?*")
    assert expired_once == [1]
    assert booking.slot == slots[2]
    assert logins(portal) == before + 2
    assert "logging in again" in caplog.text


async def test_a_browser_that_went_away_is_started_again(driver, portal):
    await driver._browser.close()  # as if it had crashed
    slots = await driver.free_slots(3)
    assert [s.to_json() for s in slots] == portal.admin.free_slots(3)


async def test_a_wrong_password_is_refused_once_and_never_retried_by_the_driver(portal, browser_path, tmp_path,
                                                                                 test_output):
    async with make_driver(portal, browser_path, tmp_path, password="not-the-password") as wrong:
        before = logins(portal)
        with pytest.raises(LoginRejected) as rejected:
            await wrong.free_slots(14)
        assert "Usuario o contraseña incorrectos" in str(rejected.value)
        assert rejected.value.screenshot is not None and rejected.value.screenshot.exists()
        assert rejected.value.screenshot.parent == tmp_path / "screenshots"
        (test_output / "portal").mkdir(exist_ok=True)
        shutil.copy(rejected.value.screenshot, test_output / "portal" / "driver-login-rejected.png")
        with pytest.raises(LoginRejected):
            await wrong.free_slots(14)
        with pytest.raises(LoginRejected):
            await wrong.book("camila-soto:2030-01-07T09:00", Patient("Ana", "+56 9 1234 5678"), "r")
        assert logins(portal) == before + 1  # the later calls did not try again
    portal.state.throttle.unlock_all()


async def test_five_wrong_passwords_lock_the_account_and_the_page_says_so(browser_path, tmp_path):
    with running_portal() as portal:
        async with make_driver(portal, browser_path, tmp_path, password="guess") as wrong:
            for _ in range(4):
                with pytest.raises(LoginRejected):
                    await wrong.login()  # an explicit login() is the caller's own decision to try again
            with pytest.raises(AccountLocked) as locked:
                await wrong.login()
            assert "bloqueada por 15 minutos" in str(locked.value)
        async with make_driver(portal, browser_path, tmp_path) as right:
            with pytest.raises(AccountLocked):
                await right.free_slots(1)  # even the right password is refused while locked
        assert logins(portal) == 6


async def test_5xx_from_the_portal_gives_portal_unavailable_after_bounded_retries(browser_path, tmp_path):
    with running_portal(clock=frozen_clock(FROZEN_NOW)) as portal:
        async with make_driver(portal, browser_path, tmp_path) as flaky:
            await flaky.login()
            portal.admin.set_faults(fail_rate=1.0)
            portal.requests.clear()
            with pytest.raises(PortalUnavailable) as down:
                await flaky.free_slots(14)
            assert site_requests(portal) == ["GET /api/profesionales"] * 3  # FAST_RETRY: 3 attempts, then stop
            assert "3 tries" in str(down.value)
            portal.admin.set_faults(fail_rate=0.0)
            assert [s.to_json() for s in await flaky.free_slots(14)] == portal.admin.free_slots(14)

        async with make_driver(portal, browser_path, tmp_path) as fresh:
            portal.admin.set_faults(fail_rate=1.0)
            portal.requests.clear()
            with pytest.raises(PortalUnavailable) as down:
                await fresh.login()
            assert site_requests(portal) == ["GET /login"] * 3
            assert down.value.screenshot is not None and down.value.screenshot.exists()


async def test_a_slow_and_flaky_portal_is_still_read_exactly(browser_path, tmp_path):
    patient_retry = RetryPolicy(attempts=8, base_delay_s=0.02)  # 0.15**8: a read that never gets through is unheard of
    with running_portal(clock=frozen_clock(FROZEN_NOW), latency_ms=20, fail_rate=0.15) as portal:
        async with make_driver(portal, browser_path, tmp_path, retry=patient_retry) as driver:
            slots = await driver.free_slots(14)
            assert [s.to_json() for s in slots] == portal.admin.free_slots(14)  # admin calls are never degraded
            slot = slots[3]
            booking = await driver.book(slot.id, Patient("Rosa Araya", "+56 9 4444 5555"), reference="req-flaky")
        mine = [a for a in portal.admin.appointments(slot.start.date(), slot.start.date()) if "req-flaky" in a["note"]]
        assert [a["id"] for a in mine] == [booking.id]  # exactly one appointment, whatever was retried


async def test_the_n_days_window_across_a_weekend_equals_the_ground_truth(browser_path, tmp_path):
    today = FROZEN_NOW.astimezone(TZ).date()
    sunday = today + timedelta(days=6 - today.weekday() + 7)
    at = datetime.combine(sunday, datetime.min.time(), tzinfo=TZ).replace(hour=17, minute=30)
    with running_portal(clock=frozen_clock(at), seed=23) as portal:
        async with make_driver(portal, browser_path, tmp_path) as driver:
            slots = await driver.free_slots(3)
        truth = portal.admin.free_slots(3)
    assert [s.to_json() for s in slots] == truth
    assert {s.start.date() for s in slots} <= {sunday + timedelta(days=1), sunday + timedelta(days=2)}
    assert any(s.start.date() == sunday + timedelta(days=1) for s in slots)


async def test_a_login_screen_that_changed_is_named_with_the_missing_element(portal, browser_path, tmp_path):
    async with make_driver(portal, browser_path, tmp_path, timeout_s=3) as driver:
        async def without_password_field(route):
            response = await route.fetch()
            html = (await response.text()).replace('<label for="clave">Contraseña</label>', "")
            await route.fulfill(response=response, body=html)

        await driver._context.route("**/login", without_password_field)
        with pytest.raises(PortalChanged) as changed:
            await driver.free_slots(14)
    assert (changed.value.screen, changed.value.element) == ("login", 'field "Contraseña"')
    assert changed.value.screenshot is not None and changed.value.screenshot.exists()
    assert str(changed.value).startswith('the login screen has no field "Contraseña"')


def renamed_agenda_fields(app):
    """The web app after an update: its week answer says "days" where it said "dias"."""

    async def changed(scope, receive, send):
        if scope["type"] == "http" and scope["path"] == "/api/agenda":
            await JSONResponse({"semana": "2030-01-07", "days": []})(scope, receive, send)
        else:
            await app(scope, receive, send)

    return changed


async def test_an_agenda_answer_that_changed_is_named_with_the_missing_field(browser_path, tmp_path):
    with running_portal(wrap=renamed_agenda_fields) as portal:
        async with make_driver(portal, browser_path, tmp_path, timeout_s=3) as driver:
            with pytest.raises(PortalChanged) as changed:
                await driver.free_slots(14)
    assert (changed.value.screen, changed.value.element) == ("agenda", "JSON field 'dias'")


async def test_no_screenshot_file_name_or_error_holds_the_password(work_dir, tmp_path):
    for folder in (work_dir, tmp_path.parent):
        for path in folder.rglob("*"):
            assert STAFF_PASSWORD not in path.name
            if path.is_file():
                assert STAFF_PASSWORD.encode() not in path.read_bytes()


async def test_a_page_still_loading_when_the_wait_ends_is_a_slow_web_app_not_a_changed_one(browser_path, tmp_path):
    """A web app at 8 s a page: the agenda still said "Cargando agenda…" when the driver stopped waiting, and that was
    "the web app looks different than expected" — the drift alert, and the booking dropped as failed. A page still
    loading is the web app being slow: PortalUnavailable (retried, a booking looked up again)."""
    with running_portal(clock=frozen_clock(FROZEN_NOW)) as portal:
        async with make_driver(portal, browser_path, tmp_path, timeout_s=1.5) as driver:
            slot = (await driver.free_slots(14))[2]
            portal.admin.set_faults(latency_ms=1000)
            with pytest.raises(PortalError) as slow:
                await driver.book(slot.id, Patient("Lenta Carga", "+56 9 4444 6666"), reference="req-slow")
            portal.admin.set_faults(latency_ms=0)
        assert not isinstance(slow.value, PortalChanged), slow.value
        assert slow.value.code == "portal_down" and "still loading" in str(slow.value), slow.value
