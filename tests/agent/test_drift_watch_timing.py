"""When the drift watch looks at the web app's screens again: nightly, and every ``min_gap_s`` while a change is
flagged (patients are handed off meanwhile, so no web app error would wake it before the night)."""

from __future__ import annotations

from datetime import datetime, time
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from agent.drift_watch import DriftWatch

NOON = datetime(2026, 12, 2, 12, 0, tzinfo=ZoneInfo("America/Santiago"))


def watch(drift: str) -> DriftWatch:
    portal = SimpleNamespace(drift=drift)
    return DriftWatch(portal, Path("unused.json"), nightly_at=time(3, 0), min_gap_s=900.0,  # type: ignore[arg-type]
                      clock=lambda: NOON)


def test_a_healthy_web_app_is_checked_at_night():
    assert watch("")._next_check_in() == 15 * 3600


def test_a_flagged_change_is_checked_again_within_two_minutes():
    # It was 15 minutes: every patient was handed off that long after a minute of a slow web app.
    assert watch("La agenda web cambió: no encuentro el botón Guardar")._next_check_in() == 120.0


async def test_a_screen_missed_once_is_looked_at_again_before_it_counts_as_a_change(tmp_path):
    from agent.portal.drift import SelfCheckResult

    missing = SelfCheckResult(ok=False, screen="la ficha de cita", element="una hora disponible",
                              screen_en="the appointment form", element_en="a free time")
    results = [missing, SelfCheckResult(ok=True), missing, missing]

    class Driver:
        async def selfcheck(self, raise_errors: bool = False) -> SelfCheckResult:
            return results.pop(0)

    portal = SimpleNamespace(drift="")
    checking = DriftWatch(portal, tmp_path / "selfcheck.json", clock=lambda: NOON)  # type: ignore[arg-type]
    await checking._selfcheck(Driver())  # a page still loading ("Cargando agenda…"): not a change yet
    assert portal.drift == "" and checking._next_check_in() == 20.0
    await checking._selfcheck(Driver())  # it loaded: nothing changed
    assert portal.drift == "" and checking._next_check_in() == 15 * 3600
    await checking._selfcheck(Driver())
    await checking._selfcheck(Driver())  # the same miss twice: the web app changed
    assert portal.drift.startswith("La agenda web cambió") and checking._next_check_in() == 120.0
