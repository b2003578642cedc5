"""`cita-agent check` run as the clinic's IT person runs it, against the stand-in portal."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from portal.support import STAFF_PASSWORD, running_portal

CITA_AGENT = Path(sys.executable).parent / "cita-agent"


@pytest.fixture(scope="module")
def portal():
    with running_portal() as running:  # the real clock: the command reads "now" itself
        yield running


def check(portal, *args: str, password: str = STAFF_PASSWORD, home: Path, browser_path: str):
    env = {**os.environ, "CHROMIUM_PATH": browser_path}
    command = [str(CITA_AGENT), "--home", str(home), "check", "--portal", "demo", "--url", portal.url,
               "--user", portal.settings.staff_user, "--password-stdin", *args]
    return subprocess.run(command, input=password + "\n", capture_output=True, text=True, env=env, timeout=120)


def test_json_lists_the_free_slots_the_portal_has(portal, tmp_path, browser_path):
    before = portal.admin.free_slots(14)
    done = check(portal, "--json", home=tmp_path, browser_path=browser_path)
    after = portal.admin.free_slots(14)
    assert done.returncode == 0, done.stderr
    printed = json.loads(done.stdout)
    assert printed in (before, after)  # equal to the ground truth read just before or just after
    assert {"id", "start", "end", "professional"} <= set(printed[0])
    assert STAFF_PASSWORD not in done.stdout + done.stderr


def test_text_output_lists_days_times_and_professionals(portal, tmp_path, browser_path):
    done = check(portal, "--days", "3", "--browser-path", browser_path, home=tmp_path, browser_path=browser_path)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[-1].endswith("en los próximos 3 días (hora de America/Santiago).")
    first = portal.admin.free_slots(3)[-1]
    assert any(first["id"] in line and first["professional"] in line for line in lines)


def test_book_prints_the_booking_and_the_portal_has_it(portal, tmp_path, browser_path):
    slot = portal.admin.free_slots(14)[-1]
    done = check(portal, "--book", slot["id"], "--patient-name", "Camila Reyes Soto", "--patient-phone",
                 "+56 9 6543 2100", home=tmp_path, browser_path=browser_path)
    assert done.returncode == 0, done.stderr
    booking = json.loads(done.stdout)
    assert booking["slot_id"] == slot["id"] and booking["start"] == slot["start"]
    assert booking["patient"] == {"name": "Camila Reyes Soto", "phone": "+56 9 6543 2100"}
    day = date.fromisoformat(slot["start"][:10])
    listed = [a for a in portal.admin.appointments(day, day) if a["id"] == booking["booking_id"]]
    assert len(listed) == 1 and booking["reference"] in listed[0]["note"]


def test_a_taken_slot_exits_non_zero_with_one_line_saying_so(portal, tmp_path, browser_path):
    slot = portal.admin.free_slots(14)[-2]
    portal.admin.book(slot["professional"], slot["start"], patient_name="Paciente del mesón")
    done = check(portal, "--book", slot["id"], "--patient-name", "Ana Pérez", "--patient-phone", "+56 9 1234 5678",
                 home=tmp_path, browser_path=browser_path)
    assert done.returncode == 4
    assert done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1
    assert "[slot_taken]" in done.stderr and slot["id"] in done.stderr


def test_a_wrong_password_exits_non_zero_with_one_line_and_never_shows_it(portal, tmp_path, browser_path):
    wrong = "Otra-Clave-5531"
    done = check(portal, "--json", password=wrong, home=tmp_path, browser_path=browser_path)
    portal.state.throttle.unlock_all()
    assert done.returncode == 3
    assert done.stdout == ""
    line, = done.stderr.strip().splitlines()
    assert "[login_failed]" in line and "screenshot:" in line
    assert wrong not in done.stderr and STAFF_PASSWORD not in done.stderr
    shots = list((tmp_path / "data" / "portal" / "screenshots").glob("*.png"))  # the agent's own data folder
    assert len(shots) == 1 and str(shots[0]) in line


def test_usage_errors_exit_2(portal, tmp_path, browser_path):
    done = check(portal, "--book", "camila-soto:2030-01-07T09:00", home=tmp_path, browser_path=browser_path)
    assert done.returncode == 2 and "--patient-name" in done.stderr


def test_an_address_that_is_not_the_web_apps_says_so_in_spanish_not_that_it_changed(portal, tmp_path, browser_path):
    class OwnPage:  # one of the web app's own pages pasted from the browser: the site is the address before it
        url = f"{portal.url}/agenda/semana?profesional=1"
        settings = portal.settings

    assert check(OwnPage, "--json", home=tmp_path, browser_path=browser_path).returncode == 0

    class Elsewhere:  # another site's page (or a path the web app does not have): its sign-in page is not under it
        url = f"{portal.url}/intranet/inicio"
        settings = portal.settings

    done = check(Elsewhere, "--json", home=tmp_path, browser_path=browser_path)
    assert done.returncode == 6
    line, = done.stderr.strip().splitlines()
    assert "esa dirección no lleva a la página de inicio de sesión de la agenda web" in line, line
    assert "revise --url" in line and "la agenda cambió" not in line
    assert STAFF_PASSWORD not in done.stderr
