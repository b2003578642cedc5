"""The stand-in's seeded agenda and its pure parts: no server, no browser."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from agent.drivers.demo import agenda as demo_agenda
from agent.portal.base import BrowserChoice, PortalChanged, days_window
from agent.portal.browser import BrowserNotFound, choose_browser, launch_arguments
from agent.portal.retry import RetryPolicy
from demo.portal.agenda import Agenda, BookingRefused, slot_id
from demo.portal.schedule import PROFESSIONALS, cells, rut_check_digit, seeded_day, week_start
from demo.portal.sessions import LoginThrottle, SessionStore

TZ = ZoneInfo("America/Santiago")
TODAY = date(2026, 12, 2)  # a Wednesday
SOTO, ROJAS, MENDEZ = PROFESSIONALS


def whole_schedule(seed: int, today: date, days: int = 35):
    return [seeded_day(seed, p, today + timedelta(days=n), today) for p in PROFESSIONALS for n in range(days)]


def test_same_seed_same_agenda_other_seed_other_agenda():
    assert whole_schedule(3, TODAY) == whole_schedule(3, TODAY)
    assert whole_schedule(3, TODAY) != whole_schedule(4, TODAY)


def test_three_professionals_with_their_own_hours_slot_lengths_breaks_and_days_off():
    assert [p.slot_minutes for p in PROFESSIONALS] == [20, 30, 45]
    monday = date(2026, 11, 30)
    soto = cells(SOTO, monday)
    assert soto[0][0].time() == time(9, 0) and soto[-1][1].time() == time(18, 0)
    assert not any(time(13, 0) <= start.time() < time(14, 0) for start, _ in soto)  # lunch
    assert cells(ROJAS, monday + timedelta(days=2)) == []  # Wednesday off
    assert cells(MENDEZ, monday + timedelta(days=3)) == []  # Thursday off
    assert all(end - start == timedelta(minutes=45) for start, end in cells(MENDEZ, monday))
    assert cells(SOTO, monday + timedelta(days=6)) == []  # Sunday


def test_seeded_days_have_appointments_and_some_absences():
    days = whole_schedule(1, TODAY, days=120)
    assert sum(len(d.appointments) for d in days) > 300
    assert any(d.absence for d in days)
    ids = [a.id for d in days for a in d.appointments]
    assert len(ids) == len(set(ids))
    taken = next(a for d in days for a in d.appointments)
    number, digit = taken.patient_document.replace(".", "").split("-")
    assert rut_check_digit(int(number)) == digit


def test_rut_check_digit():
    assert rut_check_digit(12345678) == "5"
    assert rut_check_digit(11111111) == "1"


def test_free_cells_follow_the_n_days_window_across_a_week_boundary():
    agenda = Agenda(5, TZ, TODAY)
    now = datetime(2026, 12, 5, 11, 10, tzinfo=TZ)  # Saturday 11:10
    start, end = days_window(3, now, TZ)  # Saturday (rest of), Sunday, Monday
    found = agenda.free_cells(start, end)
    days = {cell.start.date() for _, cell in found}
    assert days <= {date(2026, 12, 5), date(2026, 12, 7)}
    assert date(2026, 12, 7) in days  # the next week is read
    assert all(cell.start >= now for _, cell in found)
    assert all(cell.start < datetime(2026, 12, 8, tzinfo=TZ) for _, cell in found)
    keys = [(cell.start, p.name) for p, cell in found]
    assert keys == sorted(keys)
    # exactly the free cells of the seeded agenda in that window
    expected = set()
    for day in (date(2026, 12, 5), date(2026, 12, 6), date(2026, 12, 7)):
        for p in PROFESSIONALS:
            for cell in agenda.day(p, day).cells:
                if cell.appointment is None and cell.start >= now:
                    expected.add(slot_id(p, cell.start))
    assert {slot_id(p, cell.start) for p, cell in found} == expected


def test_a_booked_cell_is_no_longer_free_and_cannot_be_booked_twice():
    agenda = Agenda(5, TZ, TODAY)
    now = datetime(2026, 12, 2, 8, 0, tzinfo=TZ)
    start, end = days_window(14, now, TZ)
    professional, cell = agenda.free_cells(start, end)[0]
    booked = agenda.book(professional, cell.start, patient_name="Ana Pérez", patient_phone="+56 9 1234 5678",
                         created_by="recepcion", now=now)
    assert (professional, cell.start) not in [(p, c.start) for p, c in agenda.free_cells(start, end)]
    assert booked in agenda.appointments(cell.start.date(), cell.start.date())
    with pytest.raises(BookingRefused) as refused:
        agenda.book(professional, cell.start, patient_name="Otro", patient_phone="+56 9 1111 1111",
                    created_by="mgonzalez", now=now)
    assert refused.value.reason == "taken"
    with pytest.raises(BookingRefused) as refused:
        agenda.book(professional, cell.start + timedelta(minutes=7), patient_name="Otro",
                    patient_phone="+56 9 1111 1111", created_by="mgonzalez", now=now)
    assert refused.value.reason == "not_a_cell"


def test_login_lock_after_five_wrong_passwords_for_fifteen_minutes():
    now = [0.0]
    throttle = LoginThrottle(5, 15 * 60, clock=lambda: now[0])
    assert [throttle.failed("recepcion") for _ in range(4)] == [4, 3, 2, 1]
    assert throttle.locked_for("recepcion") == 0
    assert throttle.failed("Recepcion") == 0
    assert throttle.locked_for("recepcion") == 15 * 60
    now[0] += 15 * 60 - 1
    assert throttle.locked_for("recepcion") == 1
    now[0] += 1
    assert throttle.locked_for("recepcion") == 0
    assert throttle.failed("recepcion") == 4  # a fresh count after the lock


def test_a_success_resets_the_count():
    throttle = LoginThrottle(5, 900, clock=lambda: 0.0)
    for _ in range(4):
        throttle.failed("recepcion")
    throttle.succeeded("recepcion")
    assert throttle.failed("recepcion") == 4


def test_sessions_expire_after_idle_time_not_after_activity():
    now = [0.0]
    store = SessionStore(60, clock=lambda: now[0])
    session = store.open("recepcion")
    for _ in range(5):
        now[0] += 59
        assert store.touch(session.id) is session
    now[0] += 61
    assert store.touch(session.id) is None


def test_slot_ids_round_trip_and_weeks_cover_the_window():
    start = datetime(2026, 12, 2, 10, 30, tzinfo=TZ)
    assert demo_agenda.slot_id("camila-soto", start) == "camila-soto:2026-12-02T10:30"
    assert demo_agenda.parse_slot_id("camila-soto:2026-12-02T10:30") == ("camila-soto", start.replace(tzinfo=None))
    for bad in ("camila-soto", ":2026-12-02T10:30", "camila-soto:mañana"):
        with pytest.raises(ValueError):
            demo_agenda.parse_slot_id(bad)
    window = days_window(14, datetime(2026, 12, 2, 15, 0, tzinfo=TZ), TZ)
    assert demo_agenda.mondays_covering(*window) == [date(2026, 11, 30), date(2026, 12, 7), date(2026, 12, 14)]
    window = days_window(14, datetime(2026, 11, 30, 9, 0, tzinfo=TZ), TZ)  # a Monday: exactly two weeks
    assert demo_agenda.mondays_covering(*window) == [date(2026, 11, 30), date(2026, 12, 7)]
    assert week_start(date(2026, 12, 6)) == date(2026, 11, 30)


def test_an_agenda_answer_without_the_expected_fields_is_a_changed_portal():
    professional = demo_agenda.Professional("camila-soto", "Dra. Camila Soto")
    with pytest.raises(PortalChanged) as changed:
        demo_agenda.parse_week({"days": []}, professional, TZ)
    assert changed.value.screen == "agenda" and "dias" in changed.value.element
    with pytest.raises(PortalChanged):
        demo_agenda.parse_clinic({"zona_horaria": "Mars/Olympus", "profesionales": []})


def test_reference_matching_is_by_whole_word():
    note = demo_agenda.note_for("key-123")
    assert demo_agenda.carries_reference(note, "key-123")
    assert not demo_agenda.carries_reference(note, "key-12")
    assert not demo_agenda.carries_reference(note, "")


def test_browser_choice_order():
    assert choose_browser("/opt/chromium").executable_path == "/opt/chromium"
    assert choose_browser(channel="msedge").channel == "msedge"
    env = {"CHROMIUM_PATH": "/env/chromium"}
    assert choose_browser(env=env, which=lambda _: "/usr/bin/chromium").executable_path == "/env/chromium"
    assert choose_browser(env={}, which=lambda _: "/usr/bin/chromium").executable_path == "/usr/bin/chromium"
    assert choose_browser(env={}, which=lambda _: None, platform="win32").channel == "msedge"
    assert choose_browser(env={}, which=lambda _: None, platform="darwin").channel == "chrome"
    with pytest.raises(BrowserNotFound):
        choose_browser(env={}, which=lambda _: None, platform="linux")
    with pytest.raises(ValueError):
        choose_browser("/x", "msedge")
    assert "--no-sandbox" in launch_arguments(choose_browser("/opt/chromium"))["args"]
    assert "--no-sandbox" not in launch_arguments(choose_browser(channel="chrome"))["args"]


def test_a_choice_naming_no_browser_means_this_machines_default(monkeypatch):
    monkeypatch.setenv("CHROMIUM_PATH", "/env/chromium")
    assert launch_arguments(BrowserChoice())["executable_path"] == "/env/chromium"


def test_retry_delays_are_bounded():
    assert RetryPolicy(attempts=4, base_delay_s=0.2, factor=2).delays() == [0.2, 0.4, 0.8]
    assert RetryPolicy(attempts=6, base_delay_s=1, factor=3, max_delay_s=2).delays() == [1, 2, 2, 2, 2]
