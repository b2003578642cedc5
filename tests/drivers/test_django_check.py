"""`cita-agent check --portal django-appointment ... --json` against the real app prints what its booking page offers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django_site import RECEPTION_USER, STAFF_PASSWORD, TIME_ZONE


# The site's address, or — as an IT person copies it from the address bar — its login page's (it was "the web
# app does not answer": the driver's paths were added to the login page's)
@pytest.mark.parametrize("page", ["", "/admin/login/?next=/appointment/app-admin/appointments/"])
def test_the_check_command_prints_fourteen_days_equal_to_the_apps_booking_page(django_app, tmp_path, page):
    launcher = Path(__file__).with_name("agent_with_cdn.py")
    done = subprocess.run(
        [sys.executable, str(launcher), "--home", str(tmp_path / "home"), "check", "--portal", "django-appointment",
         "--url", django_app.url + page, "--user", RECEPTION_USER, "--password-stdin", "--json",
         "--set", f"time_zone={TIME_ZONE}"],
        input=STAFF_PASSWORD + "\n", capture_output=True, text=True, timeout=300, env={**os.environ},
    )
    assert done.returncode == 0, done.stderr
    printed = json.loads(done.stdout)
    assert printed == django_app.truth("Consulta general", 14, 30, datetime.now(UTC))
    assert STAFF_PASSWORD not in done.stdout + done.stderr
