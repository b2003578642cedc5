"""Shared steps for the tray app's tests: set an agent home up, seed its journal, build the app."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from agent.journal import BookingJournal
from agent.paths import AgentPaths
from agent.secrets import PORTAL_PASSWORD, RELAY_TOKEN, SecretStore
from agent.settings import AgentSettings, save_settings

CLINIC_TZ = timezone(timedelta(hours=-3))
PORTAL_PASSWORD_VALUE = "recepcion-Secreta-1"
RELAY_TOKEN_VALUE = "agent-token-Secreto-2"


def configure(paths: AgentPaths, *, relay_url: str = "ws://127.0.0.1:9/agent", portal_url: str = "http://127.0.0.1:9",
              portal_user: str = "recepcion", language: str = "", **extra: Any) -> AgentSettings:
    """A complete set-up: settings file plus both secrets in the (test) keyring."""
    settings = AgentSettings(relay_url=relay_url, portal_kind="demo", portal_url=portal_url, portal_user=portal_user,
                             language=language, **extra)
    save_settings(paths, settings)
    secrets = SecretStore(paths.keyring_service)
    secrets.set(PORTAL_PASSWORD, PORTAL_PASSWORD_VALUE)
    secrets.set(RELAY_TOKEN, RELAY_TOKEN_VALUE)
    return settings


def clinic_time(days: int, hour: int, minute: int = 0) -> str:
    day = datetime.now(CLINIC_TZ).date() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=CLINIC_TZ).isoformat()


def seed_journal(path: Path) -> None:
    """A realistic morning: bookings for today and the coming days, one failed, one handed off while paused."""
    journal = BookingJournal(path)
    now = datetime.now(UTC)
    rows = [
        ("k-101", "María José Fernández", "+56 9 8765 4321", clinic_time(0, 16, 30), "Dra. Camila Soto", "booked", ""),
        ("k-102", "Juan Pablo Muñoz", "+56 9 5555 0101", clinic_time(1, 9, 0), "Dr. Andrés Pérez", "booked", ""),
        ("k-103", "Catalina Rojas", "+56 9 4444 2020", clinic_time(1, 10, 30), "Dra. Camila Soto", "failed",
         "slot_taken"),
        ("k-104", "Sebastián González", "+56 9 3333 3030", "", "", "handoff", "paused"),
        ("k-105", "Valentina Contreras Sepúlveda", "+56 9 2222 4040", clinic_time(3, 11, 0), "Dr. Andrés Pérez",
         "booked", ""),
    ]
    for minutes_ago, (key, name, phone, start, professional, status, code) in zip(
        (150, 95, 60, 40, 20), rows, strict=True
    ):
        journal.begin(key, f"slot-{key}", name, phone, start=start, professional=professional,
                      now=now - timedelta(minutes=minutes_ago))
        if status == "booked":
            journal.mark_booked(key, f"b-{key}", start, start, professional)
        elif status == "failed":
            journal.mark_failed(key, code, "the slot was taken")
        else:
            journal.record_handoff(key, f"slot-{key}", name, phone, code)


def table_texts(window: Any) -> list[list[str]]:
    """What the table shows, in view order."""
    model = window.table.model()
    return [
        [str(model.index(r, c).data()) for c in range(model.columnCount())]
        for r in range(model.rowCount())
    ]


def recorder() -> tuple[list[Any], Callable[..., None]]:
    calls: list[Any] = []
    return calls, lambda *args: calls.append(args)


def real_app_without_relay(qtbot: Any, paths: AgentPaths, portal_url: str, browser_path: str,
                           password: str) -> Iterator[Any]:
    """A fixture's body: the tray app on the real engine (browser, web app at ``portal_url``, its ``password`` in the
    test keyring), in Spanish, no tray; no relay listens at its address, so the link keeps retrying. Quit and shut
    down at the end."""
    from agent.ui.app import TrayApp
    from demo.serving import free_port

    configure(paths, relay_url=f"ws://127.0.0.1:{free_port()}/agent", portal_url=portal_url,
              browser_path=browser_path)
    SecretStore(paths.keyring_service).set(PORTAL_PASSWORD, password)
    _, on_quit = recorder()
    app = TrayApp(paths, tray_available=False, system_locale="es_CL", on_quit=on_quit)
    app.start()
    yield app
    quit_and_shut_down(qtbot, app)


def quit_and_shut_down(qtbot: Any, app: Any, timeout_ms: int = 90_000) -> None:
    """Quit the tray app (unless it is quitting already), wait until its engine has stopped, and shut it down."""
    if not app.quitting:
        app.quit()
    qtbot.waitUntil(lambda: app.quit_done, timeout=timeout_ms)
    app.shutdown()
