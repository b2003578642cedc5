"""The django-appointment driver walked adversarially against the real app (PyPI, unmodified) on 127.0.0.1: the
receptionist saving the same time, the app failing mid-save, unusual patient data. Each test looks at what the app
itself holds afterwards (its appointments) and at what the driver answers."""

from __future__ import annotations

import asyncio
import json

import pytest
from django_site import RECEPTION_USER, STAFF_PASSWORD, TIME_ZONE

from agent.drivers.django_appointment import DjangoAppointmentDriver
from agent.drivers.django_appointment.screens import SAVE_PATH
from agent.portal.base import BrowserChoice, Credentials, Patient, PortalError, SlotTaken
from agent.portal.retry import RetryPolicy

pytestmark = pytest.mark.asyncio(loop_scope="module")
FAST_RETRY = RetryPolicy(attempts=3, base_delay_s=0.05)


def make(django_app, browser_path, work_dir, **settings) -> DjangoAppointmentDriver:
    return DjangoAppointmentDriver(django_app.url, Credentials(RECEPTION_USER, STAFF_PASSWORD),
                                   BrowserChoice(executable_path=browser_path), work_dir,
                                   settings={"time_zone": TIME_ZONE, **settings}, retry=FAST_RETRY, timeout_s=20)


def carrying(django_app, reference: str) -> list[dict]:
    return [a for a in django_app.appointments() if reference in (a["additional_info"] or "")]


def at(django_app, slot_id: str) -> list[dict]:
    staff, rest = slot_id[3:].split(".", 1)
    day, start = rest.split(":", 1)[1].split("T")
    return [a for a in django_app.appointments()
            if a["staff_member_id"] == int(staff) and a["date"] == day and a["start_time"][:5] == start]


async def test_two_agents_saving_the_same_time_at_once_leave_one_appointment(django_app, browser_path, tmp_path):
    # The bot and the receptionist (another browser on the same user) save the same free time at the same moment.
    async with make(django_app, browser_path, tmp_path / "a") as one, make(django_app, browser_path,
                                                                              tmp_path / "b") as two:
        slot = (await one.free_slots(14))[7]
        await two.free_slots(14)
        results = await asyncio.gather(
            one.book(slot.id, Patient("Rosa Primera", "+56 9 1111 0001"), reference="req-adv-0001"),
            two.book(slot.id, Patient("Rosa Segunda", "+56 9 1111 0002"), reference="req-adv-0002"),
            return_exceptions=True)
    booked = [r for r in results if not isinstance(r, BaseException)]
    taken = [r for r in results if isinstance(r, SlotTaken)]
    assert len(booked) == 1 and len(taken) == 1, results
    held = at(django_app, slot.id)
    assert len(held) == 1 and str(held[0]["id"]) == booked[0].id, held


async def test_a_save_the_app_answers_with_500_but_wrote_is_the_booking(django_app, browser_path, tmp_path):
    async with make(django_app, browser_path, tmp_path) as driver:
        slot = (await driver.free_slots(14))[9]

        async def written_then_500(route):
            await route.fetch()
            await route.fulfill(status=500, body="<h1>Server Error (500)</h1>", content_type="text/html")

        await driver._context.route(f"**{SAVE_PATH}", written_then_500)
        booking = await driver.book(slot.id, Patient("Pedro Quinientos", "+56 9 2222 0001"), reference="req-adv-0003")
    mine = carrying(django_app, "req-adv-0003")
    assert len(mine) == 1 and str(mine[0]["id"]) == booking.id


async def test_a_save_the_app_refuses_with_500_writes_nothing_and_says_so(django_app, browser_path, tmp_path):
    async with make(django_app, browser_path, tmp_path) as driver:
        slot = (await driver.free_slots(14))[11]

        async def refused(route):
            await route.fulfill(status=500, body="<h1>Server Error (500)</h1>", content_type="text/html")

        await driver._context.route(f"**{SAVE_PATH}", refused)
        with pytest.raises(PortalError):
            await driver.book(slot.id, Patient("Pedro Nada", "+56 9 2222 0002"), reference="req-adv-0004")
        await driver._context.unroute(f"**{SAVE_PATH}")
        assert slot.id in {s.id for s in await driver.free_slots(14)}
    assert carrying(django_app, "req-adv-0004") == []


@pytest.mark.parametrize(("name", "phone", "ref"), [
    ("María José de los Ángeles " + "Ñuñez-Öberg " * 30, "+56 9 8765 4321", "req-adv-0005"),
    ("José Peña", "9 8765 4321", "req-adv-0006"),
    ("Zoë O'Brien | Müller", "(+56) 987-654-321", "req-adv-0007"),
])
async def test_unusual_names_and_phones_are_booked_as_given(django_app, browser_path, tmp_path, name, phone, ref):
    async with make(django_app, browser_path, tmp_path) as driver:
        slot = (await driver.free_slots(14))[13]
        booking = await driver.book(slot.id, Patient(name, phone), reference=ref)
        assert await driver.find_booking(slot.id, ref) == booking
    mine = carrying(django_app, ref)
    assert len(mine) == 1 and str(mine[0]["id"]) == booking.id
    assert " ".join(name.replace("|", " ").split()) in mine[0]["additional_info"]


async def as_reception(driver: DjangoAppointmentDriver, path: str, payload: dict) -> int:
    """What the staff calendar's own scripts send (a drag to another time, "Delete"), on the receptionist's session."""
    token = next(c["value"] for c in await driver._context.cookies(driver.url) if c["name"] == "csrftoken")
    answer = await driver._context.request.post(
        f"{driver.url}/appointment/ajax/{path}", data=json.dumps(payload),
        headers={"X-Requested-With": "XMLHttpRequest", "Content-Type": "application/json", "X-CSRFToken": token,
                 "Referer": f"{driver.url}/appointment/app-admin/appointments/"})
    return answer.status


def _a_time_and_a_later_one(slots: list) -> tuple:
    """A free time (from the 18th on, past the first hours) and a later free time of the same professional that day:
    whatever the hour the test runs at (at 18:00 UTC the 18th was a day's last time, and there was none later)."""
    for slot in [*slots[17:], *slots[:17]]:
        later = next((s for s in slots if s.professional == slot.professional and s.start.date() == slot.start.date()
                      and s.start > slot.start), None)
        if later is not None:
            return slot, later
    raise AssertionError("no professional has two free times on one day")


async def test_an_appointment_reception_moved_is_found_where_it_is_and_never_booked_twice(
        django_app, browser_path, tmp_path):
    # The bot booked; its answer was lost (the agent restarted, the request is carried out again with the same
    # reference) while reception had already dragged the appointment to another time in the staff calendar.
    async with make(django_app, browser_path, tmp_path) as driver:
        slot, later = _a_time_and_a_later_one(await driver.free_slots(14))
        booking = await driver.book(slot.id, Patient("Marta Movida", "+56 9 6666 0001"), reference="req-adv-0009")
        moved = await as_reception(driver, "update_appt_date_time/", {
            "appointment_id": int(booking.id), "date": f"{later.start:%Y-%m-%d}",
            "start_time": f"{later.start:%H:%M}:00.000Z"})
        assert moved == 200
        found = await driver.find_booking(slot.id, "req-adv-0009")
        again = await driver.book(slot.id, Patient("Marta Movida", "+56 9 6666 0001"), reference="req-adv-0009")
    mine = carrying(django_app, "req-adv-0009")
    assert len(mine) == 1, mine  # one appointment for her, where reception put it
    assert mine[0]["start_time"][:5] == f"{later.start:%H:%M}"
    for answer in (found, again):
        assert answer is not None and answer.id == booking.id
        assert answer.slot.start == later.start and answer.slot.professional == slot.professional


async def test_reception_saving_the_time_while_the_bot_saves_leaves_one_appointment_though_the_session_ends(
        django_app, browser_path, tmp_path):
    # Reception saves the very time between the bot's last look and its save (the app keeps both without a word):
    # the bot's, the second, must go. The clinic's session ended right then (an idle timeout, another login): before,
    # the delete was refused, the driver gave up and answered "booked" — two patients at one time.
    async with make(django_app, browser_path, tmp_path) as driver:
        slot = (await driver.free_slots(14))[19]
        staff_id, rest = slot.id[3:].split(".", 1)
        service_id, local = rest.split(":", 1)
        checks = 0
        require_offered, alone_at_its_time = driver._require_offered, driver._alone_at_its_time

        async def reception_saves_right_after_the_last_check(*args):
            nonlocal checks
            await require_offered(*args)
            checks += 1
            if checks == 2:
                assert await as_reception(driver, "update_appt_min_info/", {
                    "isCreating": True, "service_id": service_id, "staff_member": staff_id,
                    "date": local[:10], "start_time": local[11:], "client_name": "Paciente Mesón",
                    "client_email": "meson@aromos.example", "client_phone": "+56911113333",
                    "additional_info": "reception-adv-0010", "want_reminder": "false"}) == 200

        async def session_ends_once_the_save_is_read_back(*args):
            await driver._context.clear_cookies()
            return await alone_at_its_time(*args)

        driver._require_offered = reception_saves_right_after_the_last_check
        driver._alone_at_its_time = session_ends_once_the_save_is_read_back
        with pytest.raises(SlotTaken):
            await driver.book(slot.id, Patient("Bot Segundo", "+56 9 7777 0001"), reference="req-adv-0010")
    held = at(django_app, slot.id)
    assert [a["additional_info"] for a in held] == ["reception-adv-0010"], held
    assert carrying(django_app, "req-adv-0010") == []


async def test_a_save_the_web_app_answers_late_is_the_booking_not_a_failure(django_app, browser_path, tmp_path):
    # The clinic's web app is slow: the save is answered (and written) after the driver's usual wait. Before, the
    # driver read the calendar back at once, found nothing and said the web app did not confirm; the agent's
    # look-up right after found nothing either and told the patient it failed — then the appointment appeared.
    async with DjangoAppointmentDriver(django_app.url, Credentials(RECEPTION_USER, STAFF_PASSWORD),
                                       BrowserChoice(executable_path=browser_path), tmp_path,
                                       settings={"time_zone": TIME_ZONE}, retry=FAST_RETRY, timeout_s=6) as driver:
        slot = (await driver.free_slots(14))[21]

        async def slow_save(route):
            await asyncio.sleep(9)
            answer = await route.fetch()
            await route.fulfill(response=answer)

        await driver._context.route(f"**{SAVE_PATH}", slow_save)
        booking = await driver.book(slot.id, Patient("Lenta Espera", "+56 9 8888 0001"), reference="req-adv-0011")
    mine = carrying(django_app, "req-adv-0011")
    assert len(mine) == 1 and str(mine[0]["id"]) == booking.id
    assert booking.slot == slot


async def test_a_day_off_set_after_the_read_is_not_booked(django_app, browser_path, tmp_path):
    # Reception gives the staff member that day off after the agent read the free slots (the admin's "Days off"
    # form; written here straight into its table, as that form does): the patient's pick is taken, nothing saved.
    import sqlite3

    async with make(django_app, browser_path, tmp_path) as driver:
        slot = (await driver.free_slots(14))[23]
        staff_id = int(slot.id[3:].split(".", 1)[0])
        day = f"{slot.start:%Y-%m-%d}"
        with sqlite3.connect(django_app.folder / "clinic.sqlite3") as db:
            db.execute("INSERT INTO appointment_dayoff (start_date, end_date, description, created_at, updated_at, "
                       "staff_member_id) VALUES (?, ?, 'Licencia', datetime('now'), datetime('now'), ?)",
                       (day, day, staff_id))
        try:
            with pytest.raises(SlotTaken):
                await driver.book(slot.id, Patient("Día Libre", "+56 9 9999 0001"), reference="req-adv-0012")
            assert not [s for s in await driver.free_slots(14)
                        if s.professional == slot.professional and s.start.date() == slot.start.date()]
        finally:
            with sqlite3.connect(django_app.folder / "clinic.sqlite3") as db:
                db.execute("DELETE FROM appointment_dayoff WHERE description = 'Licencia'")
    assert carrying(django_app, "req-adv-0012") == []


@pytest.mark.parametrize("ends_before_read", [1, 2, 4, 5, 6])
async def test_the_session_ending_before_any_read_of_a_booking_still_books_once(
        django_app, browser_path, tmp_path, ends_before_read):
    # A booking reads the web app six times (look for an earlier save, check the time is free, check again, read
    # the saved appointment back, its staff member, its service): the clinic's session ends right before one.
    reference = f"req-adv-002{ends_before_read}"
    async with make(django_app, browser_path, tmp_path) as driver:
        slot = (await driver.free_slots(14))[25 + ends_before_read]
        reads = 0
        read_json = driver.read_json

        async def session_ends_before_one_read(*args, **kwargs):
            nonlocal reads
            reads += 1
            if reads == ends_before_read:
                await driver._context.clear_cookies()
            return await read_json(*args, **kwargs)

        driver.read_json = session_ends_before_one_read
        booking = await driver.book(slot.id, Patient("Sesión Corta", "+56 9 1212 0001"), reference=reference)
    mine = carrying(django_app, reference)
    assert len(mine) == 1 and str(mine[0]["id"]) == booking.id and booking.slot == slot
