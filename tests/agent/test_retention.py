"""Forgetting on time: journal rows, log files and screenshots older than the retention are deleted by the engine
(at start, then daily), with a real SQLite journal and real files with old times; what is recent stays."""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

from polling import wait_until

from agent.journal import BookingJournal
from agent.logging_setup import setup_logging
from agent.retention import purge_expired

NOW = datetime.now(UTC)
OLD_PHONE = "+56 9 0000 4242"  # the purged patient's phone: must be gone from the disk, not just from the table


def age(path: Path, days: float) -> Path:
    stamp = (NOW - timedelta(days=days)).timestamp()
    os.utime(path, (stamp, stamp))
    return path


def old_log_line(days: float, text: str) -> str:
    when = (NOW - timedelta(days=days)).astimezone()
    return f"{when:%Y-%m-%d %H:%M:%S},123 INFO    agent.engine: {text}\n"


def seed(paths, journal: BookingJournal) -> dict[str, Path]:
    """A PC that has run for half a year: old and recent rows, logs and screenshots."""
    for key, days, phone in (("lead-1:old", 200, OLD_PHONE), ("lead-2:old", 40, "+56 9 1111 0040"),
                             ("lead-3:new", 2, "+56 9 2222 0002")):
        journal.begin(key, f"slot-{key}", f"Paciente {key}", phone, now=NOW - timedelta(days=days))
        journal.mark_booked(key, f"B-{key}", "2026-01-01T10:00:00-03:00", "2026-01-01T10:30:00-03:00", "Dra. Soto")
    journal.begin("lead-4:stuck", "slot-x", "Paciente en curso", "+56 9 3333 0003", now=NOW - timedelta(days=200))
    logs, shots = paths.log_dir, paths.portal_work_dir / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    files = {
        "log.3": logs / "agent.log.3", "log.2": logs / "agent.log.2", "log.1": logs / "agent.log.1",
        "shot.old": shots / "20260101-100000-000-login-login_failed.png",
        "shot.new": shots / "20261130-100000-000-agenda-portal_down.png",
    }
    files["log.3"].write_text(old_log_line(120, "a line from long ago") + old_log_line(100, "still old"))
    files["log.2"].write_text(old_log_line(45, "six weeks ago"))
    files["log.1"].write_text(old_log_line(3, "three days ago"))
    age(files["log.3"], 100)
    age(files["log.2"], 45)
    for name in ("shot.old", "shot.new"):
        files[name].write_bytes(b"\x89PNG not really")
    age(files["shot.old"], 31)
    age(files["shot.new"], 1)
    return files


def test_purge_deletes_only_what_is_older_than_the_retention(agent_paths):
    journal = BookingJournal(agent_paths.journal_file)
    files = seed(agent_paths, journal)

    report = purge_expired(agent_paths, journal, 30, NOW, roll_over=lambda _path: False)

    keys = {e.key for e in journal.since(NOW - timedelta(days=3650))}
    assert keys == {"lead-3:new", "lead-4:stuck"}  # an unfinished booking is kept until it is checked
    assert (report.journal_rows, report.log_files, report.screenshots) == (2, 2, 1)
    assert {name for name, path in files.items() if path.exists()} == {"log.1", "shot.new"}
    for path in agent_paths.data_dir.glob("journal.sqlite3*"):
        assert OLD_PHONE.encode() not in path.read_bytes(), path.name


def test_the_log_file_being_written_starts_afresh_when_its_first_line_is_too_old(agent_paths):
    active = agent_paths.log_dir / "agent.log"
    active.write_text(old_log_line(95, "the first line of a quiet agent's log"))
    setup_logging(agent_paths, console=False)
    try:
        logging.getLogger("agent.test").warning("a line written today")
        purge_expired(agent_paths, BookingJournal(agent_paths.journal_file), 90, NOW)
        logging.getLogger("agent.test").warning("a line written after the purge")
    finally:
        setup_logging(None, console=False)
    text = active.read_text()
    assert "quiet agent" not in text and "after the purge" in text
    assert [p.name for p in agent_paths.log_dir.iterdir()] == ["agent.log"]


async def test_the_engine_purges_at_start_with_the_configured_retention(agent_paths, start_engine):
    journal = BookingJournal(agent_paths.journal_file)
    files = seed(agent_paths, journal)

    start_engine(retention_days=30)

    await wait_until(lambda: not files["shot.old"].exists() and not files["log.2"].exists())
    await wait_until(lambda: journal.get("lead-2:old") is None)
    assert journal.get("lead-1:old") is None and journal.get("lead-3:new") is not None
    assert files["log.1"].exists() and files["shot.new"].exists()


async def test_a_shorter_retention_saved_while_running_is_applied_at_once(agent_paths, start_engine):
    journal = BookingJournal(agent_paths.journal_file)
    files = seed(agent_paths, journal)
    run = start_engine()  # the default: 90 days

    await wait_until(lambda: not files["log.3"].exists())
    assert journal.get("lead-2:old") is not None and files["shot.old"].exists()
    await run.engine.reload_settings(start_engine.settings(retention_days=7))
    await wait_until(lambda: journal.get("lead-2:old") is None and not files["shot.old"].exists())
    assert journal.get("lead-3:new") is not None and files["shot.new"].exists() and files["log.1"].exists()
