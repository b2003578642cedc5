"""Forgetting on time: the journal's rows, the log files and the failure screenshots older than the retention.

The engine runs ``purge_expired`` when it starts and once a day after (``retention_days`` in the settings,
90 by default). A log file goes when its first line is older than the cutoff — the file this process is
writing is started afresh first — so no line older than the retention survives; a screenshot goes by the
time it was taken.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from agent.journal import BookingJournal
from agent.logging_setup import LOG_FILE, roll_over_log
from agent.paths import AgentPaths

log = logging.getLogger(__name__)

PURGE_EVERY = timedelta(days=1)
SCREENSHOT_SUFFIXES = (".png", ".jpg", ".jpeg")
_LOG_STAMP_LENGTH = len("2026-12-02 10:30:05")


@dataclass(frozen=True)
class PurgeReport:
    journal_rows: int
    log_files: int
    screenshots: int

    @property
    def total(self) -> int:
        return self.journal_rows + self.log_files + self.screenshots


def cutoff_for(now: datetime, retention_days: int) -> datetime:
    return now.astimezone(UTC) - timedelta(days=retention_days)


def purge_expired(
    paths: AgentPaths,
    journal: BookingJournal,
    retention_days: int,
    now: datetime,
    *,
    roll_over: Callable[[Path], bool] = roll_over_log,
) -> PurgeReport:
    """Delete what is older than ``retention_days``; then make sure what is left is private again."""
    cutoff = cutoff_for(now, retention_days)
    report = PurgeReport(
        journal_rows=journal.purge_before(cutoff),
        log_files=_purge_logs(paths.log_dir, cutoff, roll_over),
        screenshots=_purge_screenshots(paths.portal_work_dir, cutoff),
    )
    paths.make_private()
    if report.total:
        log.info(
            "Deleted what was older than %d days: %d bookings history rows, %d log files, %d screenshots",
            retention_days, report.journal_rows, report.log_files, report.screenshots,
        )
    return report


def _purge_logs(folder: Path, cutoff: datetime, roll_over: Callable[[Path], bool]) -> int:
    active = folder / LOG_FILE
    removed = 0
    if _began_before(active, cutoff) and not roll_over(active):
        removed += _remove(active)  # an earlier run's file that nothing in this process writes
    for path in sorted(folder.glob(f"{LOG_FILE}.*")):  # rotated files (the one just rolled over among them)
        if path.is_file() and _began_before(path, cutoff) and _remove(path):
            removed += 1
    return removed


def _began_before(path: Path, cutoff: datetime) -> bool:
    """Whether the file's first line was written before ``cutoff`` (by its time stamp, else the file's time)."""
    try:
        with path.open("r", encoding="utf-8", errors="replace") as handle:
            first = handle.readline(200)
        modified = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    except OSError:
        return False
    if not first:
        return False
    try:
        began = datetime.strptime(first[:_LOG_STAMP_LENGTH], "%Y-%m-%d %H:%M:%S").astimezone(UTC)  # local time
    except ValueError:
        began = modified
    return began < cutoff


def _purge_screenshots(folder: Path, cutoff: datetime) -> int:
    if not folder.is_dir():
        return 0
    removed = 0
    limit = cutoff.timestamp()
    for path in folder.rglob("*"):
        if path.suffix.lower() in SCREENSHOT_SUFFIXES and path.is_file() and not path.is_symlink():
            with contextlib.suppress(OSError):
                if path.stat().st_mtime < limit and _remove(path):
                    removed += 1
    return removed


def _remove(path: Path) -> bool:
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True
