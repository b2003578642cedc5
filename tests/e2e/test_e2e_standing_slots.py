"""The free slots the agent keeps standing at the relay (wire.messages.SlotsUpdate): a patient's "when can I come?"
is answered without a round trip to the clinic's PC, and what the agent knows reaches that answer at once — a time
reception booked in the web app, a pause, a relay restarted."""

from __future__ import annotations

import asyncio
import re
import subprocess
from datetime import UTC, datetime

import httpx
from e2e_system import new_system
from patient import Patient, buttons, data, status, texts
from polling import wait_for

from demo.system import _bin

STANDING = re.compile(r'cita_relay_agent_requests_total\{kind="slots",outcome="standing"\} ([0-9.]+)')


def _answered_standing(system) -> int:
    """How many slots questions the relay answered from the agent's standing answer (its /metrics)."""
    found = STANDING.search(httpx.get(f"{system.relay_url}/metrics", timeout=5).text)
    return int(float(found.group(1))) if found else 0


def _clinic_paused(system) -> bool | None:
    clinics = httpx.get(f"{system.relay_url}/healthz", timeout=5).json()["clinics"]
    clinic = next(c for c in clinics if c.get("name") == system.config.clinic) if isinstance(clinics, list) \
        else clinics[system.config.clinic]
    return clinic.get("paused")


async def test_questions_are_answered_from_the_standing_answer_and_a_pause_ends_it_at_once(fresh_system, lead_id):
    system = fresh_system
    first = await Patient(system, lead_id, "Ana Primera").open_days()
    assert status(first) == "choose_day", texts(first)
    standing = _answered_standing(system)

    second = await Patient(system, lead_id + "1", "Bruno Segundo").open_days()
    assert status(second) == "choose_day", texts(second)
    assert buttons(second) == buttons(first)
    assert _answered_standing(system) > standing  # asked once, then kept standing by the agent

    env, agent_bin = system.agent_env(), _bin("cita-agent")
    subprocess.run([agent_bin, "pause"], env=env, check=True, capture_output=True, timeout=30)
    await asyncio.to_thread(wait_for, lambda: _clinic_paused(system) is True, 20, "the relay to see paused")
    paused = await Patient(system, lead_id + "2", "Carla Pausa").say("Hola")
    assert status(paused) == "handoff" and data(paused)["reason"] == "paused", texts(paused)

    subprocess.run([agent_bin, "resume"], env=env, check=True, capture_output=True, timeout=30)
    await asyncio.to_thread(wait_for, lambda: _clinic_paused(system) is False, 20, "the relay to see resumed")
    again = await Patient(system, lead_id + "3", "Diego Vuelta").open_days()
    assert status(again) == "choose_day", texts(again)

    system.restart_relay()  # a new connection: the relay holds nothing of the agent's until it asks again
    system.wait_for_agent(timeout=30)
    after = await Patient(system, lead_id + "4", "Elisa Reinicio").open_days()
    assert status(after) == "choose_day", texts(after)
    booked_from = await Patient(system, lead_id + "5", "Fabián Reserva").reach_time_menu()
    assert _answered_standing(system) >= 1  # the restarted relay's own count
    picked = await Patient(system, lead_id + "5", "Fabián Reserva").say(buttons(booked_from)[0])
    assert status(picked) == "booked", texts(picked)


async def test_a_time_reception_booked_in_the_web_app_is_not_offered_after_the_agent_s_next_read(
        tmp_path, browser_path, lead_id):
    with new_system(tmp_path, browser_path, refresh_minutes=0.1) as system:
        system.wait_for_first_read()
        first = Patient(system, lead_id, "Gloria Antes")
        times = await first.reach_time_menu()
        offered = buttons(times)
        standing_before = _answered_standing(system)

        # Reception books the first time offered, at the desk, in the web app itself
        slot = next(s for s in system.admin.free_slots(days=14) if s["start"][11:16] in offered[0])
        system.admin.book(slot["professional"], slot["start"], patient_name="Por Teléfono", patient_phone="+56 2 2222")
        system.wait_for_a_read_since(datetime.now(UTC))

        later = Patient(system, lead_id + "1", "Hugo Después")
        again = await later.reach_time_menu()
        assert offered[0] not in buttons(again), (offered, buttons(again))
        assert _answered_standing(system) > standing_before  # from the agent's update, not from asking it
        booked = await later.say(buttons(again)[0])
        assert status(booked) == "booked", texts(booked)
        assert len(later.appointments()) == 1
