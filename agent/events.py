"""What the engine tells its listeners (the tray UI, the headless log, tests).

Plain frozen values with no Qt in them: the UI turns each one into a Qt signal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

LinkState = Literal["connecting", "connected", "disconnected"]
PortalHealth = Literal["ok", "login_failed", "locked", "down", "unknown", "login_needs_person"]


@dataclass(frozen=True)
class LinkChanged:
    state: LinkState
    relay: str
    detail: str = ""


@dataclass(frozen=True)
class PortalChangedState:
    state: PortalHealth
    detail: str = ""


@dataclass(frozen=True)
class PauseChanged:
    paused: bool
    until: datetime | None = None  # a timed pause: when it ends by itself
    ended_by_itself: bool = False  # a timed pause that just ran out


@dataclass(frozen=True)
class SlotsRefreshed:
    at: datetime
    count: int


@dataclass(frozen=True)
class RequestServed:
    op: str
    ok: bool
    code: str = ""
    duration_ms: float = 0.0


@dataclass(frozen=True)
class BookingRecorded:
    """A journal row was written or changed (booked, failed, handed off, cancelled for the patient)."""

    key: str
    status: str
    patient_name: str
    start: str
    professional: str
    error_code: str = ""
    moved_from_start: str = ""  # a booking that moved the patient's appointment: the old one's start
    moving: bool = False  # the new booking of a move under way: the move itself is told next


@dataclass(frozen=True)
class FollowUpReceived:
    """The relay handed a patient to the clinic's team (stored in the follow-up book): someone should write."""

    id: str
    patient_name: str
    phone: str
    reason: str


Event = (
    LinkChanged | PortalChangedState | PauseChanged | SlotsRefreshed | RequestServed | BookingRecorded
    | FollowUpReceived
)
