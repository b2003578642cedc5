"""Issue 11's demo scenario through the whole system (stand-in Kommo -> relay -> agent -> stand-in web app):
the first message already asks for a specialty, a day and a part of the day; the bot asks before it books; the
patient cancels from the chat, books again and moves it; the stand-in web app's agenda shows every step.

Nothing here depends on today's date: the Friday the bot understood is read from its answers, and the clinic's
Friday afternoons are cleared of the seeded appointments first, so there is room whatever day the test runs.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from e2e_system import new_system
from patient import Patient, buttons, data, status, texts

from demo.system import DemoSystem

TRAUMATOLOGIST = "Dr. Andrés Rojas"
FRIDAY = 4
_CLOCK = re.compile(r"\b(\d{1,2}):(\d{2})\b")


@pytest.fixture(scope="module")
def spanish(tmp_path_factory: pytest.TempPathFactory, browser_path: str) -> Iterator[DemoSystem]:
    with new_system(tmp_path_factory.mktemp("es"), browser_path) as running:
        clear_friday_afternoons(running)
        yield running


@pytest.fixture(scope="module")
def english(tmp_path_factory: pytest.TempPathFactory, browser_path: str) -> Iterator[DemoSystem]:
    with new_system(tmp_path_factory.mktemp("en"), browser_path, language="en") as running:
        clear_friday_afternoons(running)
        yield running


def clear_friday_afternoons(system: DemoSystem) -> None:
    """The clinic's staff cancel what the seed put on the traumatologist's Friday afternoons (two weeks ahead)."""
    today = date.today()
    for appointment in system.admin.appointments(today - timedelta(days=1), today + timedelta(days=16)):
        start = datetime.fromisoformat(appointment["start"])
        if appointment["professional"] == TRAUMATOLOGIST and start.weekday() == FRIDAY and start.hour >= 12:
            system.admin.cancel(appointment["id"])


def new_patient(system: DemoSystem, name: str) -> Patient:
    """Each patient with a phone of their own (the relay ties appointments to it)."""
    digits = secrets.randbelow(90_000_000) + 10_000_000
    return Patient(system, str(secrets.randbelow(90_000_000) + 10_000_000), name,
                   phone=f"+56 9 {digits // 10_000} {digits % 10_000:04d}")


def first_time_offered(reply) -> str:
    """The first time of a time menu ("15:30"), from its options as the bot's data names them."""
    for key in sorted(k for k in data(reply) if k.startswith("option_")):
        found = _CLOCK.search(str(data(reply)[key]))
        if found:
            return f"{int(found.group(1)):02d}:{found.group(2)}"
    raise AssertionError(f"no time offered: {texts(reply)}")


async def asked_to_confirm(patient: Patient, first_message: str, pick_time: str, weekday: int = FRIDAY
                          ) -> tuple[object, str]:
    """The first message, then (if the bot offered several times) the patient writes one: the bot must ask
    "¿Confirmo …?" before booking anything. Returns the confirmation and the start it proposes."""
    reply = await patient.say(first_message)
    assert data(reply).get("code") != "specialty", texts(reply)  # the message said which specialty
    if data(reply).get("code") != "confirm":
        assert status(reply) == "choose_time", texts(reply)
        day = date.fromisoformat(data(reply)["day"])
        assert day.weekday() == weekday, texts(reply)
        assert "Rojas" in texts(reply), texts(reply)
        reply = await patient.say(pick_time.format(time=first_time_offered(reply)))
    assert data(reply).get("code") == "confirm", texts(reply)
    assert status(reply) == "choose_time"  # waiting for the answer: nothing booked yet
    assert patient.appointments() == []
    proposed = datetime.fromisoformat(data(reply)["confirm_start"])
    assert proposed.weekday() == weekday and proposed.hour >= 12, texts(reply)  # that day, en la tarde
    assert data(reply)["confirm_professional"] == TRAUMATOLOGIST
    return reply, data(reply)["confirm_start"]


def shown_in_agenda(patient: Patient) -> list[tuple[str, datetime, str]]:
    """The patient's appointments as the clinic web app's agenda has them."""
    return [(a["id"], datetime.fromisoformat(a["start"]), a["professional"]) for a in patient.appointments()]


async def test_book_from_the_first_message_confirm_cancel_book_again_and_move(spanish):
    patient = new_patient(spanish, "Daniela Demo")

    # 1. Booked from the first message, after a confirmation.
    confirm, proposed = await asked_to_confirm(
        patient, "hola, quiero hora con traumatología el viernes en la tarde", "a las {time} porfa"
    )
    assert "¿Confirmo el viernes" in texts(confirm) and buttons(confirm)[0] == "Sí"
    booked = await patient.say("sí")
    assert status(booked) == "booked", texts(booked)
    assert shown_in_agenda(patient) == [
        (data(booked)["booking_id"], datetime.fromisoformat(proposed), TRAUMATOLOGIST)
    ]

    # 2. Cancelled from the chat: gone from the agenda.
    asked = await patient.say("necesito cancelar la hora que acabo de tomar")
    assert data(asked).get("code") == "confirm_cancel", texts(asked)
    assert shown_in_agenda(patient) != []  # not before the patient says so
    done = await patient.say("Sí, cancelar")
    assert status(done) == "cancelled", texts(done)
    assert data(done)["booking_id"] == data(booked)["booking_id"]
    assert shown_in_agenda(patient) == []

    # 3. Booked again, in other words, then moved to another day: only the new one is in the agenda.
    confirm, proposed = await asked_to_confirm(
        patient, "buenas!! necesito un traumatologo pal viernes x la tarde", "el de las {time}"
    )
    again = await patient.say(buttons(confirm)[0])  # tapping "Sí"
    assert status(again) == "booked", texts(again)
    [(first_id, first_start, _)] = shown_in_agenda(patient)
    assert first_id == data(again)["booking_id"] and first_start == datetime.fromisoformat(proposed)

    asked = await patient.say("me podrías cambiar la hora a otro día?")
    assert data(asked).get("code") == "confirm_move", texts(asked)
    days = await patient.say("Sí, cambiarla")
    assert status(days) == "choose_day", texts(days)
    assert shown_in_agenda(patient) == [(first_id, first_start, TRAUMATOLOGIST)]  # the old one stays meanwhile
    other_day = next(
        label for key, label in sorted(data(days).items())
        if key.startswith("option_") and label != data(days)["option_1"]
    ) if data(days).get("option_2") else data(days)["option_1"]
    times = await patient.say(other_day)
    assert status(times) == "choose_time", texts(times)
    moved = await patient.say(buttons(times)[0])  # a tapped time books at once
    assert status(moved) == "booked", texts(moved)
    assert data(moved)["rescheduled_from"] == first_id
    [(new_id, new_start, professional)] = shown_in_agenda(patient)
    assert new_id == data(moved)["booking_id"] != first_id
    assert new_start == datetime.fromisoformat(data(moved)["start"]) != first_start
    assert professional == TRAUMATOLOGIST  # moving keeps the professional


async def test_other_spanish_phrasings_reach_the_same_confirmation(spanish):
    patient = new_patient(spanish, "Tomás Variante")
    # Monday: the scenario test before this one books and moves Friday afternoons of the same demo agenda.
    confirm, proposed = await asked_to_confirm(
        patient, "Hola buenas tardes, me gustaría agendar con el traumatólogo el lunes después de almuerzo",
        "mejor a las {time} si se puede",  # typed, not the button's title: it is asked, not booked
        weekday=0,
    )
    assert "Dr. Andrés Rojas" in texts(confirm)
    other = await patient.say("Otra hora")  # not this one: nothing is booked, times are offered again
    assert status(other) in ("choose_time", "choose_day"), texts(other)
    assert patient.appointments() == []


async def test_the_english_demo_books_confirms_and_cancels_in_english(english):
    patient = new_patient(english, "Emma Wilson")
    confirm, proposed = await asked_to_confirm(
        patient, "Hi, I'd like an appointment with traumatology on Friday afternoon", "at {time} please"
    )
    assert "Shall I book Friday" in texts(confirm) and "Traumatology" in texts(confirm)
    assert buttons(confirm)[0] == "Yes"
    booked = await patient.say("yes")
    assert status(booked) == "booked", texts(booked)
    assert "Your appointment is booked" in texts(booked)
    [(booking_id, start, _)] = shown_in_agenda(patient)
    assert booking_id == data(booked)["booking_id"] and start == datetime.fromisoformat(proposed)

    asked = await patient.say("please cancel my appointment")
    assert data(asked).get("code") == "confirm_cancel", texts(asked)
    done = await patient.say(buttons(asked)[0])
    assert status(done) == "cancelled", texts(done)
    assert shown_in_agenda(patient) == []
    spanish_words = ("hora", "cita", "sí", "reserv", "cancelé", "Traumatología", "Kinesiología")
    assert not any(word in texts(reply) for reply in (confirm, booked, asked, done) for word in spanish_words)


def test_the_demo_command_in_english_prints_english_and_sums_up(tmp_path: Path, browser_path: str):
    """`cita-demo all --lang en` as a person runs it, scripted: every line it prints is English, the summary too."""
    import subprocess
    import sys

    script = "\n".join([
        "Hi, I'd like an appointment with traumatology on Friday afternoon",
        "1",  # the first time offered (or "Yes" when the bot pinned one)
        "yes",
        "I need to cancel my appointment",
        "1",
        "exit",
    ]) + "\n"
    demo = Path(sys.executable).with_name("cita-demo")
    result = subprocess.run(
        [str(demo), "all", "--lang", "en", "--relay-port", "0", "--data", str(tmp_path), "--browser-path",
         browser_path],
        input=script, capture_output=True, text=True, timeout=300,
    )
    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    assert "password aromos-demo-2026" in out and "Kommo (stand-in):" in out
    assert "[status:" not in out
    assert "Appointments this demo made (America/Santiago time):" in out
    summary = out.split("Appointments this demo made", 1)[1]
    assert "cancelled: Friday" in summary and "no longer in the agenda" in summary
    # Spanish only where it is a name: the clinic, its address, the professionals, the patient's surname.
    allowed = ("Centro Médico Los Aromos", "Av. Providencia", "Andrés", "Camila", "Méndez", "Pérez")
    cleaned = out
    for name in allowed:
        cleaned = cleaned.replace(name, "")
    for word in ("Hola", "hora ", "Tú ›", "reservada", "cancelada", "salir", "Deteniendo", "contraseña", "Sí",
                 "Traumatología", "Kinesiología"):
        assert word not in cleaned, f"{word!r} in the English demo:\n{out}"
