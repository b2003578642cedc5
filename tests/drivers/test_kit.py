"""The driver kit: errors a driver can say (busy, nothing written), slot ids checked, per-driver settings, and the
cache's probing after an outage. Against the stand-in web app in real Chromium where a web app is involved."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from portal.support import FROZEN_NOW, frozen_clock, make_driver, running_portal
from starlette.responses import Response

from agent.portal.base import (
    BadSlotId,
    BookingRejected,
    BrowserChoice,
    Credentials,
    LoginRejected,
    PortalBusy,
    PortalChanged,
    PortalUnavailable,
    Slot,
    SlotTaken,
    check_slot_id,
)
from agent.portal.driver_settings import DriverSetting, DriverSettingError, check_driver_settings, parse_assignments
from agent.portal.kit import BrowserDriver
from agent.slot_cache import PROBE_MAX_S, retry_delay


def rate_limited_agenda(app):
    """The web app limits its agenda calls: an empty 429 with Retry-After, as real ones do."""

    async def limited(scope, receive, send):
        if scope["type"] == "http" and scope["path"] == "/api/agenda":
            await Response(b"", status_code=429, headers={"Retry-After": "90"})(scope, receive, send)
        else:
            await app(scope, receive, send)

    return limited


async def test_a_rate_limit_is_portal_busy_with_its_wait_and_is_not_retried(browser_path, tmp_path):
    with running_portal(wrap=rate_limited_agenda, clock=frozen_clock(FROZEN_NOW)) as portal:
        async with make_driver(portal, browser_path, tmp_path) as driver:
            await driver.login()
            portal.requests.clear()
            with pytest.raises(PortalBusy) as busy:
                await driver.free_slots(1, "andres-rojas")  # one week (3 days from a Saturday span two)
    assert busy.value.retry_after_s == 90
    assert busy.value.nothing_written and busy.value.code == "portal_down"
    assert portal.requests.count("GET /api/agenda") == 1  # asked once: retrying would only spend the budget


class _OddDriver(BrowserDriver):
    """A driver with a bug: its slot ids hold a space and a slash."""

    async def _free_slots(self, days, professional):
        start = datetime(2030, 1, 7, 9, tzinfo=UTC)
        return [Slot("dra soto/09:00", start, start + timedelta(minutes=30), "Dra. Soto")]


async def test_a_driver_returning_a_bad_slot_id_fails_loudly(tmp_path):
    driver = _OddDriver("http://127.0.0.1:9", Credentials("u", "p"), BrowserChoice(), tmp_path)
    with pytest.raises(PortalChanged) as changed:
        await driver.free_slots(14)
    assert "dra soto/09:00" in str(changed.value) and "letters, digits" in str(changed.value)


def test_slot_ids_have_one_character_set_and_length():
    for good in ("camila-soto:2026-12-02T10:30", "da.3.7:2026-12-02T10:30", "a", "x" * 200):
        assert check_slot_id(good) == good
    for bad in ("", "a b", "a/b", "x" * 201, "ñandú", "a\nb"):
        with pytest.raises(BadSlotId):
            check_slot_id(bad)


def test_what_each_error_says_about_what_was_written():
    assert LoginRejected("x").nothing_written and SlotTaken("s").nothing_written
    assert BookingRejected("x").nothing_written and BookingRejected("x").code == "bad_request"
    assert not PortalUnavailable("no answer after saving").nothing_written
    assert PortalUnavailable("down before sending", nothing_written=True).nothing_written


def test_after_an_outage_the_cache_probes_again_within_15_seconds_but_respects_a_busy_web_app():
    down = PortalUnavailable("down")
    waits = [retry_delay(down, n, jitter=1.2) for n in range(1, 12)]
    assert waits[0] <= 3 and max(waits) == PROBE_MAX_S == 15
    assert retry_delay(PortalBusy("429", retry_after_s=90), 1, jitter=1.0) == 90
    assert retry_delay(LoginRejected("wrong"), 6, jitter=1.0) > 60  # a refused password is not hammered


def test_driver_settings_are_checked_against_what_the_driver_declares():
    declared = (DriverSetting("service", help_en="Service to book"), DriverSetting("minutes", kind="int", default=30),
                DriverSetting("notify", kind="bool", default=False))
    assert check_driver_settings(declared, {"service": "Consulta", "minutes": "45", "notify": "sí"}) == {
        "service": "Consulta", "minutes": 45, "notify": True}
    assert check_driver_settings(declared, {"service": "x"}) == {"service": "x", "minutes": 30, "notify": False}
    with pytest.raises(DriverSettingError, match="unknown driver setting 'sede'"):
        check_driver_settings(declared, {"service": "x", "sede": "Centro"})
    with pytest.raises(DriverSettingError, match="needs the setting 'service'"):
        check_driver_settings(declared, {})
    assert check_driver_settings(declared, {}, complete=False) == {"minutes": 30, "notify": False}
    with pytest.raises(DriverSettingError, match="whole number"):
        check_driver_settings(declared, {"service": "x", "minutes": "media hora"})
    assert parse_assignments(["service=Consulta general", "a=b=c"]) == {"service": "Consulta general", "a": "b=c"}
    with pytest.raises(DriverSettingError):
        parse_assignments(["novalue"])


def test_the_drift_watch_runs_nightly_and_after_a_failure_at_most_every_15_minutes():
    from datetime import time
    from zoneinfo import ZoneInfo

    from agent.drift_watch import DriftWatch, seconds_until

    tz = ZoneInfo("America/Santiago")
    assert seconds_until(time(3), datetime(2026, 12, 2, 2, 30, tzinfo=tz)) == 1800
    assert seconds_until(time(3), datetime(2026, 12, 2, 3, 0, tzinfo=tz)) == 24 * 3600
    now = [1000.0]
    watch = DriftWatch(portal=None, result_path=None, mono=lambda: now[0])  # type: ignore[arg-type]
    watch.web_app_failed()
    assert watch._wake.is_set()
    watch._wake.clear()
    watch._last_run = now[0]
    now[0] += 600
    watch.web_app_failed()
    assert not watch._wake.is_set()  # ten minutes after a check: not again yet
    now[0] += 301
    watch.web_app_failed()
    assert watch._wake.is_set()


def test_the_site_address_is_what_was_pasted_less_a_page_of_the_driver():
    from agent.portal.kit import site_address

    pages = ("/admin/login/", "/appointment/app-admin/appointments/")
    for pasted in ("https://agenda.clinica.cl/admin/login/?next=/appointment/app-admin/appointments/",
                   "https://agenda.clinica.cl/appointment/app-admin/appointments/#week", "https://agenda.clinica.cl/"):
        assert site_address(pasted, pages) == "https://agenda.clinica.cl"
    assert site_address("https://clinica.cl/agenda/admin/login/", pages) == "https://clinica.cl/agenda"  # a subpath
