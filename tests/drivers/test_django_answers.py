"""What django-appointment's JSON answers mean: pure functions, plain asserts."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from agent.drivers.django_appointment import answers
from agent.portal.base import SLOT_ID_PATTERN, PortalChanged

TZ = ZoneInfo("America/Santiago")


def test_slot_ids_round_trip_and_fit_the_shared_rule():
    start = datetime(2026, 12, 7, 9, 30)
    value = answers.slot_id(2, 3, start)
    assert value == "da.2.3:2026-12-07T09:30" and SLOT_ID_PATTERN.fullmatch(value)
    assert answers.parse_slot_id(value) == (2, 3, start)
    for bad in ("camila-soto:2026-12-07T09:30", "da.2:2026-12-07T09:30", "da.x.3:2026-12-07T09:30", ""):
        with pytest.raises(ValueError):
            answers.parse_slot_id(bad)


def test_a_day_answer_gives_its_starts_and_a_day_off_gives_none():
    body = {"success": True, "available_slots": [["2026-12-07T09:00:00", "09:00"], ["2026-12-07T09:30:00", "09:30"]]}
    assert answers.parse_day(body) == [datetime(2026, 12, 7, 9), datetime(2026, 12, 7, 9, 30)]
    assert answers.parse_day({"success": False, "no_availability": True, "available_slots": []}) == []
    with pytest.raises(PortalChanged):
        answers.parse_day({"success": True, "slots": []})
    with pytest.raises(PortalChanged):
        answers.parse_day({"success": True, "available_slots": [["mañana", "09:00"]]})


def test_slots_of_a_day_keep_to_the_window_and_last_the_services_length():
    member, service = answers.StaffMember(1, "Camila Soto"), answers.Service(3, "Evaluación kinésica")
    starts = [datetime(2026, 12, 7, 9), datetime(2026, 12, 7, 10)]
    window = (datetime(2026, 12, 7, 9, 15, tzinfo=TZ), datetime(2026, 12, 8, tzinfo=TZ))
    [slot] = answers.slots_of_day(starts, member, service, 60, TZ, *window)
    assert slot.id == "da.1.3:2026-12-07T10:00" and slot.professional == "Camila Soto"
    assert (slot.end - slot.start).total_seconds() == 3600 and slot.start.tzinfo is TZ
    assert slot.service == "Evaluación kinésica"  # named on the slot: the relay reports and filters by it


def test_the_service_is_chosen_by_name_or_id_or_is_the_first_offered():
    offered = [answers.Service(4, "Control"), answers.Service(1, "Consulta general")]
    assert answers.choose_service(offered, "").id == 1
    assert answers.choose_service(offered, "control").id == 4
    assert answers.choose_service(offered, "1").name == "Consulta general"
    assert answers.choose_service(offered, "Kinesiología") is None
    assert answers.choose_service([], "") is None


def test_the_note_carries_the_patients_name_and_the_reference():
    note = answers.note_for("k-123", "Ana | Pérez")
    assert answers.carries_reference(note, "k-123") and not answers.carries_reference(note, "k-12")
    assert answers.patient_name_in(note) == "Ana Pérez"
    assert answers.patient_name_in("Paciente de siempre") == ""


def test_a_patient_without_e_mail_gets_one_per_phone():
    assert answers.patient_email("+56 9 8765 4321", "pacientes.invalid") == "wa56987654321@pacientes.invalid"


def test_a_renamed_field_is_named():
    with pytest.raises(PortalChanged) as changed:
        answers.parse_staff({"staff": []})
    assert changed.value.element == "JSON field 'staff_members'"
    with pytest.raises(PortalChanged):
        answers.parse_appointments({"appointments": [{"id": 1}]})


def test_an_appointment_saved_first_at_the_same_time_makes_ours_the_second():
    def at(id_: str, staff: int, hour: int, minute: int) -> answers.CalendarAppointment:
        start = datetime(2026, 12, 7, hour, minute)
        return answers.CalendarAppointment(id_, staff, 1, start, start + timedelta(minutes=30), "", "", "")

    ours = at("41", 2, 10, 0)
    assert answers.saved_first_over([at("40", 2, 10, 0), ours], "41").id == "40"  # the desk's, saved first
    assert answers.saved_first_over([at("39", 2, 9, 45), ours], "41").id == "39"  # overlaps its first quarter
    assert answers.saved_first_over([ours, at("42", 2, 10, 0)], "41") is None  # saved after ours: ours stands
    assert answers.saved_first_over([at("40", 3, 10, 0), ours], "41") is None  # another professional
    assert answers.saved_first_over([at("40", 2, 9, 30), ours, at("38", 2, 10, 30)], "41") is None  # back to back
    assert answers.saved_first_over([at("40", 2, 10, 0)], "41") is None  # ours not in the calendar
