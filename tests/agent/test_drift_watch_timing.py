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


def test_a_flagged_change_is_checked_again_within_the_gap():
    assert watch("La agenda web cambió: no encuentro el botón Guardar")._next_check_in() == 900.0
