"""The system under the things that happen at a clinic: a relay restart, a crash mid-booking, a pause, a wrong password."""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import time

import pytest
from e2e_system import new_system
from patient import Patient, buttons, data, status, texts

from agent.paths import resolve_paths
from demo.system import _bin


def _wait(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def _journal_rows(system) -> list[tuple[str, str, str]]:
    path = resolve_paths(system.agent_home).journal_file
    if not path.exists():
        return []
    with sqlite3.connect(path) as db:
        return db.execute("SELECT key, status, booking_id FROM bookings").fetchall()


def _clinic_health(system) -> dict:
    import httpx

    health = httpx.get(f"{system.relay_url}/healthz", timeout=5).json()
    clinics = health["clinics"]
    if isinstance(clinics, list):
        return next(c for c in clinics if c.get("name") == system.config.clinic)
    return clinics[system.config.clinic]


async def test_the_relay_restarted_mid_conversation_and_the_booking_completes(fresh_system, lead_id):
    system = fresh_system
    patient = Patient(system, lead_id, "Diego Reinicio")
    days = await patient.open_days()
    assert status(days) == "choose_day"

    system.restart_relay()
    system.wait_for_agent(timeout=30)

    times = await patient.say(buttons(days)[0])
    assert status(times) == "choose_time", texts(times)
    booked = await patient.say(buttons(times)[0])
    assert status(booked) == "booked", texts(booked)
    assert len(patient.appointments()) == 1


async def test_the_agent_killed_mid_booking_reconciles_on_start_without_a_duplicate(fresh_system, lead_id):
    system = fresh_system
    patient = Patient(system, lead_id, "Elena Corte")
    times = await patient.reach_time_menu()
    pick = buttons(times)[0]
    system.admin.set_faults(latency_ms=1200)  # a slow web app: the booking takes seconds

    booking = asyncio.create_task(patient.say(pick, timeout=90))
    # The power goes out right after the web app saved the appointment, before the agent wrote the outcome.
    await asyncio.to_thread(_wait, lambda: bool(patient.appointments()), 60, "the appointment to be saved")
    system.kill_agent()
    assert [row[1] for row in _journal_rows(system)] == ["in_progress"]
    reply = await booking
    assert status(reply) == "handoff", texts(reply)  # the patient is never left waiting

    system.admin.set_faults(latency_ms=0)
    system.start_agent()
    system.wait_for_agent(timeout=60)
    await asyncio.to_thread(
        _wait, lambda: [r[1] for r in _journal_rows(system)] == ["booked"], 60, "the journal to be reconciled"
    )

    [appointment] = patient.appointments()
    [(key, state, booking_id)] = _journal_rows(system)
    assert booking_id == appointment["id"]
    # Kommo delivers the same pick again: still one appointment.
    await patient.say(pick)
    assert len(patient.appointments()) == 1


async def test_pause_gives_the_patient_a_hand_off(fresh_system, lead_id):
    system = fresh_system
    env = system.agent_env()
    agent_bin = _bin("cita-agent")
    subprocess.run([agent_bin, "pause"], env=env, check=True, capture_output=True, timeout=30)
    await asyncio.to_thread(_wait, lambda: _clinic_health(system).get("paused") is True, 20, "the relay to see paused")

    patient = Patient(system, lead_id, "Fabián Pausa")
    reply = await patient.say("Hola")
    assert status(reply) == "handoff", texts(reply)
    assert data(reply)["reason"] == "paused"
    assert "recepcionista" in texts(reply).lower()

    subprocess.run([agent_bin, "resume"], env=env, check=True, capture_output=True, timeout=30)
    await asyncio.to_thread(_wait, lambda: _clinic_health(system).get("paused") is False, 20, "the relay to see resumed")
    assert status(await patient.say("Hola")) == "choose_day"


@pytest.fixture
def wrong_password_system(tmp_path, browser_path):
    system = new_system(tmp_path, browser_path)
    system.start(agent=False)
    system.configure_agent()
    # The clinic changed the web app's password; the agent still holds the old one.
    from keyrings.alt.file import PlaintextKeyring

    backend = PlaintextKeyring()
    backend.file_path = str(system.root / "keyring" / "python_keyring" / "keyring_pass.cfg")
    backend.set_password(resolve_paths(system.agent_home).keyring_service, "portal-password", "old-password-2025")
    system.start_agent()
    system.wait_for_agent()
    yield system
    system.stop()


async def test_a_wrong_password_is_tried_once_and_reported(wrong_password_system, lead_id):
    system = wrong_password_system
    await asyncio.to_thread(
        _wait, lambda: _clinic_health(system).get("portal") == "login_failed", 60, "the relay to see login_failed"
    )
    patient = Patient(system, lead_id, "Gina Clave")
    reply = await patient.say("Hola")
    assert status(reply) == "handoff", texts(reply)

    assert system.portal_state.throttle.failures_in_a_row(system.config.portal_user) == 1
    log_text = "\n".join(p.read_text(errors="replace") for p in (system.agent_home / "logs").glob("*.log*"))
    assert "login_failed" in log_text or "contraseña" in log_text.lower() or "password" in log_text.lower()
