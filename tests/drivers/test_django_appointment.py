"""The django-appointment driver against the real app (PyPI, unmodified) on 127.0.0.1, in real headless Chromium.

Ground truth is the app's own booking page availability (its JSON), asked over plain HTTP for each staff member,
service and day: the driver's 14 days must equal it, slot for slot."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import pytest_asyncio
from django_site import RECEPTION_USER, STAFF_PASSWORD, TIME_ZONE

from agent.drivers.django_appointment import DjangoAppointmentDriver
from agent.portal.base import BrowserChoice, Credentials, Patient
from agent.portal.retry import RetryPolicy

pytestmark = pytest.mark.asyncio(loop_scope="module")
FAST_RETRY = RetryPolicy(attempts=3, base_delay_s=0.05)


def make(django_app, browser_path, work_dir, password=STAFF_PASSWORD, **settings) -> DjangoAppointmentDriver:
    return DjangoAppointmentDriver(django_app.url, Credentials(RECEPTION_USER, password),
                                   BrowserChoice(executable_path=browser_path), work_dir,
                                   settings={"time_zone": TIME_ZONE, **settings}, retry=FAST_RETRY, timeout_s=20)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def driver(django_app, browser_path, tmp_path_factory):
    async with make(django_app, browser_path, tmp_path_factory.mktemp("agent-data")) as running:
        yield running


async def test_fourteen_days_equal_the_apps_own_booking_page_for_services_of_different_lengths(
        django_app, browser_path, tmp_path):
    for service, minutes in (("Consulta general", 30), ("Evaluación kinésica", 60), ("Control", 15)):
        async with make(django_app, browser_path, tmp_path, service=service, service_minutes=minutes) as d:
            slots = await d.free_slots(14)
        truth = django_app.truth(service, 14, minutes, datetime.now(UTC))
        assert [s.to_json() for s in slots] == truth, service
        assert truth, f"the seeded site offers {service}"


async def test_days_off_breaks_and_appointments_are_not_offered(driver, django_app):
    slots = await driver.free_slots(14)
    soto = [s for s in slots if s.professional == "Camila Soto"]
    rojas = [s for s in slots if s.professional == "Andrés Rojas"]
    assert soto and rojas
    assert all(s.start.weekday() < 5 for s in soto)  # Dra. Soto works Monday to Friday
    assert {s.start.weekday() for s in rojas} <= {0, 2, 4, 5}  # Dr. Rojas: Mon, Wed, Fri afternoons, Saturday
    booked = {(a["staff_member_id"], f"{a['date']}T{a['start_time'][:5]}") for a in django_app.appointments()}
    assert not [s for s in slots if (int(s.id.split(".")[1]), s.id.split(":", 1)[1]) in booked]


async def test_a_booking_goes_through_the_staff_calendar_and_is_no_longer_offered(driver, django_app):
    slot = (await driver.free_slots(14))[3]
    patient = Patient("Ana María Pérez", "+56 9 8765 4321")
    booking = await driver.book(slot.id, patient, reference="req-da-0001")
    assert booking.slot == slot and booking.patient.name == "Ana María Pérez"
    mine = [a for a in django_app.appointments() if "req-da-0001" in a["additional_info"]]
    assert len(mine) == 1 and mine[0]["start_time"].startswith(f"{slot.start:%H:%M}")
    assert slot.id not in {s.id for s in await driver.free_slots(14)}
    assert await driver.find_booking(slot.id, "req-da-0001") == booking


async def test_the_patients_own_email_is_used_when_given_and_asked_for_only_with_ask_email(
        driver, django_app, browser_path, tmp_path):
    import sqlite3

    assert driver.patient_fields == ()  # the default: an address is made up per phone
    assert make(django_app, browser_path, tmp_path, ask_email=True).patient_fields == ("email",)
    slot = (await driver.free_slots(14))[5]
    patient = Patient("Inés Correa", "+56 9 4444 5555", email="ines.correa@correo.example")
    await driver.book(slot.id, patient, reference="req-da-0002")
    with sqlite3.connect(django_app.folder / "clinic.sqlite3") as db:  # the app files the client by that e-mail
        rows = db.execute("SELECT id FROM auth_user WHERE email = ?", ("ines.correa@correo.example",)).fetchall()
    assert len(rows) == 1


async def test_the_self_check_walks_the_staff_screens_without_writing(driver, django_app):
    before = len(django_app.appointments())
    result = await driver.selfcheck()
    assert result.ok, result
    assert result.checked == ("el inicio de sesión", "la agenda del personal", "la ficha de cita")
    assert len(django_app.appointments()) == before


async def test_a_session_ending_while_the_appointment_dialog_is_open_still_books_once(django_app, browser_path,
                                                                                       tmp_path):
    # The clinic's session ended while the dialog was filled (an idle timeout, the receptionist logging in elsewhere):
    # the save was refused (HTTP 403, nothing written) and the booking failed — the patient heard it could not be
    # booked, of a time still free. The driver logs in again and makes the appointment once more, once.
    async with make(django_app, browser_path, tmp_path) as driver:
        slot = (await driver.free_slots(14))[5]
        checks = 0
        require_offered = driver._require_offered

        async def session_ends_before_the_second_check(*args):
            nonlocal checks
            checks += 1
            if checks == 2:  # the dialog is filled: the clinic's session ends now (an idle timeout, another login)
                await driver._context.clear_cookies()
            await require_offered(*args)

        driver._require_offered = session_ends_before_the_second_check
        booking = await driver.book(slot.id, Patient("Lucía Sesión", "+56 9 5555 0101"), reference="req-da-0101")
    mine = [a for a in django_app.appointments() if "req-da-0101" in a["additional_info"]]
    assert len(mine) == 1 and booking.id == str(mine[0]["id"]), mine
