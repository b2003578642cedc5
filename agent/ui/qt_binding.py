"""A check that the installed Qt binding can run this app for days, not minutes.

PySide6 6.12.0's wheels return None (and the bool from `Signal.emit`) without taking a reference,
which is harmless on Python 3.12+ (None is immortal there) but on Python 3.11 every call of a
void Qt method drops None's reference count by one until the interpreter aborts
("none_dealloc: deallocating None"). The check measures it rather than trusting version numbers.
"""

from __future__ import annotations

import sys

PROBE_CALLS = 200
FIX = "install PySide6-Essentials 6.11 (pip install 'PySide6-Essentials>=6.6,<6.12') or use Python 3.12+"


def binding_drops_references(calls: int = PROBE_CALLS) -> bool:
    """True when each call of a void Qt method costs None one reference."""
    from PySide6.QtCore import QObject

    probe = QObject()
    before = sys.getrefcount(None)
    for _ in range(calls):
        probe.setObjectName("probe")
    dropped = before - sys.getrefcount(None)
    return dropped >= calls // 2


def binding_problem() -> str:
    """Empty when fine; else what is wrong and how to fix it, for the user and the log."""
    if not binding_drops_references():
        return ""
    import PySide6

    return (
        f"PySide6 {PySide6.__version__} on Python {sys.version_info.major}.{sys.version_info.minor} drops a reference "
        f"to None on every Qt call and would crash the tray app within hours: {FIX}."
    )
