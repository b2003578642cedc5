"""End to end against a scheduler nobody here wrote: a patient books on WhatsApp (stand-in Kommo) through the relay
and a headless agent driving django-appointment, and the appointment is in django-appointment's own database."""

from __future__ import annotations

import secrets
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest
from continuations import buttons, data, status
from django_site import RECEPTION_USER, STAFF_PASSWORD, TIME_ZONE

from agent.paths import resolve_paths
from agent.runtime_state import load_state
from demo.system import DemoSystem, SystemConfig

LAUNCHER = Path(__file__).with_name("agent_with_cdn.py")


@pytest.fixture(scope="module")
def system(django_app, tmp_path_factory, browser_path):
    config = SystemConfig(
        root=tmp_path_factory.mktemp("system"), browser_path=browser_path, timezone=TIME_ZONE,
        portal_kind="django-appointment", portal_url=django_app.url, portal_user=RECEPTION_USER,
        portal_password=STAFF_PASSWORD, driver_settings={"time_zone": TIME_ZONE},
        agent_command=(sys.executable, str(LAUNCHER)),
    )
    with DemoSystem(config) as running:
        # A clinic's agent has read the web app long before the first patient writes: wait for its first read.
        state_file = resolve_paths(str(running.agent_home)).state_file
        deadline = time.monotonic() + 180
        while not load_state(state_file).last_refresh:
            assert time.monotonic() < deadline, "the agent never read django-appointment's free slots"
            time.sleep(0.2)
        yield running


async def test_a_patient_books_through_the_chat_into_django_appointment(system, django_app):
    lead_id, name, phone = str(secrets.randbelow(90_000_000) + 10_000_000), "Ana Django", "+56 9 8765 1111"

    async def say(message: str):
        reply = await system.kommo.say(system.widget_url, system.config.subdomain, lead_id, message, name=name,
                                       phone=phone, timeout=90)
        assert reply.accepted, reply.reason
        return reply

    days = await say("Hola")
    assert status(days) == "choose_day", days.body
    times = await say(buttons(days)[0])
    assert status(times) == "choose_time", times.body
    booked = await say(buttons(times)[0])

    assert status(booked) == "booked", booked.body
    confirmation = data(booked)
    mine = [a for a in django_app.appointments() if f"Paciente: {name} |" in (a["additional_info"] or "")]
    assert len(mine) == 1
    start = datetime.fromisoformat(confirmation["start"])
    assert (mine[0]["date"], mine[0]["start_time"][:5]) == (start.date().isoformat(), f"{start:%H:%M}")
    assert str(mine[0]["id"]) == confirmation["booking_id"]
    assert confirmation["professional"] in ("Camila Soto", "Andrés Rojas")

    # The same phone again, from another chat: the driver cannot look a phone up in django-appointment, yet the
    # agent knows the appointment it booked — "Ya tienes hora…" before a second one (it was booked unasked).
    other_chat = str(int(lead_id) + 1)
    again = await system.kommo.say(system.widget_url, system.config.subdomain, other_chat, "Hola, quiero una hora",
                                   name=name, phone=phone, timeout=90)
    assert again.accepted, again.reason
    assert data(again).get("code") == "already_booked", again.body
    assert f"{start:%H:%M}" in str(again.body)
    assert len([a for a in django_app.appointments() if f"Paciente: {name} |" in (a["additional_info"] or "")]) == 1
