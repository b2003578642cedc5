"""What this relay last heard from each clinic's Kommo bot: the last widget_request it accepted, the last it
refused and why. `cita-relay check-clinic` shows it, so a Kommo admin sees "every message is refused: the client
secret stored is not the integration's" instead of "all set" while patients get silence.

In memory, per instance, since it started; only for clinics that exist (an unknown name is never remembered).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

MAX_CLINICS = 10_000


@dataclass
class _Seen:
    accepted_at: float = 0.0
    refused_at: float = 0.0
    error: str = ""
    detail: str = ""


class KommoRequestsSeen:
    def __init__(self) -> None:
        self._clinics: dict[str, _Seen] = {}

    def accepted(self, clinic: str, now: float) -> None:
        seen = self._clinics.get(clinic)
        if seen is None:
            seen = self._add(clinic)
        seen.accepted_at = now

    def refused(self, clinic: str, error: str, detail: str, now: float | None = None) -> None:
        seen = self._clinics.get(clinic) or self._add(clinic)
        seen.refused_at, seen.error, seen.detail = now or time.time(), error, detail[:200]

    def report(self, clinic: str, now: float | None = None) -> dict[str, Any]:
        """Seconds since the last accepted and the last refused one (None: none since the relay started)."""
        seen = self._clinics.get(clinic) or _Seen()
        now = now or time.time()
        return {
            "accepted_s_ago": round(now - seen.accepted_at) if seen.accepted_at else None,
            "refused_s_ago": round(now - seen.refused_at) if seen.refused_at else None,
            "refused_error": seen.error,
            "refused_detail": seen.detail,
        }

    def _add(self, clinic: str) -> _Seen:
        if len(self._clinics) >= MAX_CLINICS:
            self._clinics.clear()
        seen = self._clinics[clinic] = _Seen()
        return seen
