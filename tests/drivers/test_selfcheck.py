"""The drift watch: the stand-in web app's markup changes (a renamed button, a moved field) and the self-check names
what is missing before any booking is tried; `cita-agent selfcheck` says it in a sentence and `status` keeps it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from portal.support import FROZEN_NOW, STAFF_PASSWORD, frozen_clock, make_driver, running_portal
from stand_in_markup import changed_markup

from agent.portal.base import PortalUnavailable

ROOT = Path(__file__).resolve().parents[2]


async def test_an_unchanged_web_app_passes_and_nothing_is_written(browser_path, tmp_path):
    with running_portal(clock=frozen_clock(FROZEN_NOW)) as portal:
        async with make_driver(portal, browser_path, tmp_path) as driver:
            result = await driver.selfcheck()
        assert result.ok, result
        assert result.checked == ("el inicio de sesión", "la agenda", "la ficha de cita")
        assert not [r for r in portal.requests if r.startswith("POST /api/citas")]


async def test_a_slow_web_app_that_still_books_is_not_called_changed(browser_path, tmp_path):
    # 2.6 s per call (its agenda takes ~5 s to draw) still books; the self-check gave up on each element after 5 s
    # and said "La agenda web cambió": two such misses hand every patient off until a check passes.
    with running_portal(latency_ms=2600, clock=frozen_clock(FROZEN_NOW)) as portal:
        async with make_driver(portal, browser_path, tmp_path) as driver:
            result = await driver.selfcheck()
    assert result.ok, result.sentence()


async def test_a_renamed_save_button_is_caught_before_any_booking(browser_path, tmp_path):
    wrap = changed_markup({"Guardar cita": "Grabar"})
    with running_portal(wrap=wrap, clock=frozen_clock(FROZEN_NOW)) as portal:
        async with make_driver(portal, browser_path, tmp_path, timeout_s=5) as driver:
            result = await driver.selfcheck(element_timeout_s=2)
        assert not result.ok and not result.error
        assert result.sentence() == 'La agenda web cambió: no encuentro el botón "Guardar cita" en la ficha de cita.'
        assert result.sentence("en") == ('The clinic web app changed: I cannot find the button "Guardar cita" on the '
                                         'appointment form.')
        assert Path(result.screenshot).exists()
        assert not [r for r in portal.requests if r.startswith("POST /api/citas")]


async def test_a_moved_field_is_caught(browser_path, tmp_path):
    wrap = changed_markup({">Teléfono<": ">Celular<"})
    with running_portal(wrap=wrap, clock=frozen_clock(FROZEN_NOW)) as portal:
        async with make_driver(portal, browser_path, tmp_path, timeout_s=5) as driver:
            result = await driver.selfcheck(element_timeout_s=2)
    assert (result.screen, result.element) == ("la ficha de cita", 'el campo "Teléfono"')


async def test_a_refused_password_is_not_called_drift(browser_path, tmp_path):
    with running_portal(clock=frozen_clock(FROZEN_NOW)) as portal:
        async with make_driver(portal, browser_path, tmp_path, password="wrong-password-1") as driver:
            result = await driver.selfcheck()
    assert not result.ok and result.error.startswith("login_failed")
    assert "No se pudo revisar" in result.sentence()


async def test_an_error_page_is_the_web_app_down_never_a_changed_screen(browser_path, tmp_path):
    # A few seconds of HTTP 500 during the self-check were read as "no encuentro el campo Usuario": every patient
    # was handed off for the next 15 minutes as if the web app had changed.
    with running_portal(fail_rate=1.0, clock=frozen_clock(FROZEN_NOW)) as portal:
        async with make_driver(portal, browser_path, tmp_path, timeout_s=5) as driver:
            result = await driver.selfcheck(element_timeout_s=2)
            assert not result.ok and result.error.startswith("portal_down"), result
            assert not result.screen and not result.element
            try:
                await driver.selfcheck(element_timeout_s=2, raise_errors=True)
            except PortalUnavailable as down:  # what the engine's drift watch gets: down, not drift
                assert "HTTP 5" in str(down)
            else:
                raise AssertionError("an error page passed the self-check")


def test_the_selfcheck_command_says_what_changed_and_status_keeps_it(browser_path, tmp_path):
    wrap = changed_markup({"Guardar cita": "Grabar"})
    env = {**os.environ, "PYTHONPATH": str(ROOT), "LANG": "es_CL.UTF-8"}
    home = tmp_path / "home"

    def agent(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "agent.cli", "--home", str(home), *args], input=stdin,
                              capture_output=True, text=True, env=env, timeout=300, cwd=ROOT)

    with running_portal(wrap=wrap) as portal:
        configured = agent("configure", "--relay", "ws://127.0.0.1:9/agent", "--portal", "demo", "--portal-url",
                           portal.url, "--user", portal.settings.staff_user, "--browser-path", browser_path,
                           "--language", "es")
        assert configured.returncode == 0, configured.stderr
        done = agent("selfcheck", "--password-stdin", stdin=STAFF_PASSWORD + "\n")
    assert done.returncode == 6, done.stderr
    assert 'La agenda web cambió: no encuentro el botón "Guardar cita" en la ficha de cita.' in done.stdout
    assert STAFF_PASSWORD not in done.stdout + done.stderr
    status = json.loads(agent("status", "--json").stdout)
    assert status["selfcheck"]["ok"] is False
    assert status["selfcheck"]["element"] == 'el botón "Guardar cita"'
    assert "Última revisión de las pantallas de la agenda web (" in agent("status").stdout  # said as a past check
    assert "La agenda web cambió" in agent("status").stdout


async def test_a_week_with_every_time_taken_is_not_called_changed(browser_path, tmp_path):
    """The appointment form is reached through a free time of the week the agenda shows: a full week (Friday evening,
    a busy clinic) had none, and the self-check said "La agenda web cambió" — every patient was handed off."""
    from datetime import datetime

    with running_portal(clock=frozen_clock(FROZEN_NOW)) as portal:
        free = portal.admin.free_slots(days=14)
        first = free[0]["professional"]
        week = datetime.fromisoformat(free[0]["start"]).isocalendar()[:2]
        for slot in free:  # reception fills the first professional's week shown
            if slot["professional"] == first and datetime.fromisoformat(slot["start"]).isocalendar()[:2] == week:
                portal.admin.book(first, slot["start"])
        async with make_driver(portal, browser_path, tmp_path, timeout_s=5) as driver:
            result = await driver.selfcheck(element_timeout_s=2)
    assert result.ok and not result.error, result.sentence()


def _saturday_evening() -> datetime:
    """The coming Saturday at 21:00 in Santiago (00:00 UTC on Sunday): the week shown has no free time left."""
    today = datetime.now(UTC).date()
    saturday = today + timedelta(days=(5 - today.weekday()) % 7)
    return datetime.combine(saturday + timedelta(days=1), time(0, 0), tzinfo=UTC)


async def test_on_a_saturday_evening_the_appointment_form_is_looked_for_in_next_week(browser_path, tmp_path):
    # The week shown has no free time left on a Saturday evening: the form was left unchecked until Monday, and a
    # changed one went unnoticed while every booking failed. Whatever day the tests run on, the clock says Saturday.
    clock = frozen_clock(_saturday_evening())
    with running_portal(clock=clock) as portal:
        async with make_driver(portal, browser_path, tmp_path, clock=clock) as driver:
            result = await driver.selfcheck()
        assert result.ok, result
        assert result.checked == ("el inicio de sesión", "la agenda", "la ficha de cita")
        assert not [r for r in portal.requests if r.startswith("POST /api/citas")]
    wrap = changed_markup({"Guardar cita": "Grabar"})
    with running_portal(wrap=wrap, clock=clock) as portal:
        async with make_driver(portal, browser_path, tmp_path, clock=clock, timeout_s=5) as driver:
            result = await driver.selfcheck(element_timeout_s=2)
    assert result.sentence() == 'La agenda web cambió: no encuentro el botón "Guardar cita" en la ficha de cita.'
