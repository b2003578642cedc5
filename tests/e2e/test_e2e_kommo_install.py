"""A clinic set up on Kommo the way a real one is, end to end on loopback: the relay registers it with only the
integration's keys, the admin installs the integration (the stand-in Kommo sends a code to the relay's redirect
URI), the clinic's agent connects, `cita-relay check-clinic` is green, and a patient books."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from e2e_system import new_system
from patient import Patient, buttons, data, status, texts

from demo.system import DemoSystem


def cita_relay(system: DemoSystem, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    program = Path(sys.executable).with_name("cita-relay")
    return subprocess.run(
        [str(program), *args, "--data", str(system.relay_data)],
        input=stdin, capture_output=True, text=True, timeout=120, check=False, env=dict(os.environ),
    )


def wait_for_web_app(system: DemoSystem, timeout: float = 90) -> None:
    """Until the agent tells the relay that the clinic's web app is logged in (its first read may take a while)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        health = httpx.get(f"{system.relay_url}/healthz", timeout=5).json()
        if health["clinics"].get(system.config.clinic, {}).get("portal") == "ok":
            return
        time.sleep(0.2)
    raise TimeoutError("the agent never reported its web app as ok")


@pytest.fixture
def system(tmp_path: Path, browser_path: str):
    running = new_system(tmp_path, browser_path)
    try:
        yield running
    finally:
        running.stop()


async def test_install_through_the_code_check_clinic_then_a_patient_books(system, lead_id):
    clinic, sub = system.config.clinic, system.config.subdomain
    system.start_portal()
    system.start_kommo()
    redirect = f"{system.relay_url}/kommo/oauth/{clinic}"
    system.kommo.set_redirect_uri(sub, redirect)

    # The operator registers the clinic with its integration's keys only: no Kommo token yet.
    added = cita_relay(
        system, "add-clinic", clinic, "--kommo-subdomain", sub, "--kommo-client-id", system.kommo_client_id,
        "--kommo-secret-stdin", "--language", "es", "--display-name", system.config.clinic_display_name,
        "--address", system.config.clinic_address, "--kommo-base-url", system.kommo.account_base_url(sub),
        stdin=system.kommo_secret + "\n",
    )
    assert added.returncode == 0, added.stderr
    assert "set-kommo-oauth" in added.stdout
    system.agent_token = added.stdout.strip().splitlines()[-1]
    system.start_relay()

    # The admin opens the install link the operator printed; Kommo sends the code to the relay by itself.
    link = cita_relay(system, "kommo-install-link", clinic, "--public-url", system.relay_url)
    assert link.returncode == 0, link.stderr
    assert redirect in link.stdout
    state = re.search(r"[?&]state=([0-9a-f]+)", link.stdout).group(1)
    page = system.kommo.install(sub, redirect, state=state)
    assert page.status_code == 200 and "Cita Bridge quedó conectado con Kommo" in page.text, page.text
    assert system.kommo.code_exchanges(sub) == 1

    system.configure_agent()
    system.start_agent()
    system.wait_for_agent()
    wait_for_web_app(system)

    checked = cita_relay(system, "check-clinic", clinic, "--relay", system.relay_url)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.count("✔") == 3 and "✘" not in checked.stdout
    assert f"URL: {system.widget_url}" in checked.stdout

    patient = Patient(system, lead_id, "Inés Instalada")
    times = await patient.reach_time_menu()
    booked = await patient.say(buttons(times)[0])

    assert status(booked) == "booked", texts(booked)
    [appointment] = patient.appointments()
    assert appointment["id"] == data(booked)["booking_id"]
    assert appointment["patient_phone"] == patient.phone
    # Every continuation went out with the access token from the installed code: no refresh was needed.
    assert system.kommo.token_refreshes(sub) == 0
    assert all(r.authorization_ok for r in system.kommo.continuations(sub))

    listed = cita_relay(system, "list-clinics", "--relay", system.relay_url)
    row = next(line for line in listed.stdout.splitlines() if line.startswith(clinic + " "))
    assert "oauth" in row and "connected since" in row and row.split()[-1] == "1"
