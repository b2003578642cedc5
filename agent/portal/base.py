"""What every clinic web app driver implements, and the values and errors it speaks in.

A driver may assume no more of a web app than: log in, read the agenda, create an
appointment (ARCHITECTURE.md, "The agent inside"). Everything else lives above it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import Protocol, runtime_checkable


@dataclass(frozen=True)
class Slot:
    """A free cell of the agenda. ``id`` is stable: the driver maps it back to the same cell."""

    id: str
    start: datetime  # aware, in the clinic's time zone
    end: datetime
    professional: str
    specialty: str = ""  # the professional's specialty, when the web app shows it
    service: str = ""  # the service this slot is for, when the web app's slot length depends on it

    def to_json(self) -> dict[str, str]:
        out = {
            "id": self.id,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "professional": self.professional,
        }
        if self.specialty:
            out["specialty"] = self.specialty
        if self.service:
            out["service"] = self.service
        return out


@dataclass(frozen=True)
class Patient:
    """The patient as the booking gives them. ``email``, ``national_id`` and ``birth_date`` (ISO date) are set only
    when the driver declares it needs them (``patient_fields``) and the patient gave them: personal data, kept out
    of ``repr`` (and so of logs and tracebacks)."""

    name: str
    phone: str
    document: str = ""
    email: str = field(default="", repr=False)
    national_id: str = field(default="", repr=False)
    birth_date: str = field(default="", repr=False)


@dataclass(frozen=True)
class Booking:
    """An appointment the driver created (or found) in the web app."""

    id: str
    slot: Slot
    patient: Patient

    def to_json(self) -> dict[str, object]:
        return {
            "booking_id": self.id,
            "slot_id": self.slot.id,
            "start": self.slot.start.isoformat(),
            "end": self.slot.end.isoformat(),
            "professional": self.slot.professional,
            "patient": {"name": self.patient.name, "phone": self.patient.phone},
        }


@dataclass(frozen=True)
class Credentials:
    user: str
    password: str = field(repr=False)

    def __repr__(self) -> str:  # never show the password, even in a traceback
        return f"Credentials(user={self.user!r}, password=***)"


@dataclass(frozen=True)
class BrowserChoice:
    """Which browser Playwright drives: an executable (Debian's chromium) or an installed channel."""

    executable_path: str | None = None
    channel: str | None = None  # "msedge" or "chrome" on a clinic PC
    headless: bool = True


class PortalError(Exception):
    """Base of every driver error. ``screenshot`` names the picture taken at the failure, if any.

    ``nothing_written``: the driver knows the web app was not changed (it failed before the form was sent), so a
    booking that ends in this error needs no reconciliation. Errors that always mean it set it on the class.
    """

    code = "portal_down"
    nothing_written = False

    def __init__(self, message: str, *, screenshot: Path | None = None, nothing_written: bool | None = None) -> None:
        super().__init__(message)
        self.screenshot = screenshot
        if nothing_written is not None:
            self.nothing_written = nothing_written

    def __str__(self) -> str:
        text = super().__str__()
        if self.screenshot is not None:
            text += f" (screenshot: {self.screenshot})"
        return text


class LoginRejected(PortalError):
    """The web app refused the user or password. Never retried by itself."""

    code = "login_failed"
    nothing_written = True


class AccountLocked(PortalError):
    """The web app locked the user after too many failures."""

    code = "account_locked"
    nothing_written = True


class LoginNeedsPerson(PortalError):
    """After the password, the web app asks for what only a person can give: a verification code, a captcha, or a
    new password. Never retried by itself (each retry would spend the password again, toward the lockout); the
    receptionist finishes this login in a visible window and the agent takes the session from there.

    ``step``: "code", "captcha" or "new_password" (what the screen asks for); ``url``: the page that asks.
    """

    code = "login_needs_person"
    nothing_written = True
    STEPS = ("code", "captcha", "new_password")

    def __init__(self, message: str, step: str = "code", url: str = "", *, screenshot: Path | None = None) -> None:
        super().__init__(message, screenshot=screenshot)
        self.step = step if step in self.STEPS else "code"
        self.url = url


class SlotTaken(PortalError):
    """The slot is no longer free; nothing was written."""

    code = "slot_taken"
    nothing_written = True

    def __init__(self, slot_id: str, message: str = "", *, screenshot: Path | None = None) -> None:
        super().__init__(message or f"the slot {slot_id} is no longer free", screenshot=screenshot)
        self.slot_id = slot_id


class BookingRejected(PortalError):
    """The web app refused the patient's data (e.g. an invalid phone), or showed a warning the driver will not
    click through (an overlap it only *warns* about); nothing was written."""

    code = "bad_request"
    nothing_written = True


class PortalBusy(PortalError):
    """The web app refuses for now: a rate limit (HTTP 429) or a temporary login lockout. Not a wrong password and
    not an outage: wait ``retry_after_s`` seconds, then try again. Nothing was written."""

    code = "portal_down"  # on the wire: an older relay knows this code (the patient gets a hand-off)
    nothing_written = True

    def __init__(self, message: str, retry_after_s: float, *, screenshot: Path | None = None) -> None:
        super().__init__(message, screenshot=screenshot)
        self.retry_after_s = max(0.0, float(retry_after_s))


class PortalUnavailable(PortalError):
    """The web app did not answer, or answered with errors, after bounded retries."""

    code = "portal_down"


class PortalChanged(PortalError):
    """A screen did not look as the driver expects: names the screen and the element."""

    code = "portal_changed"

    def __init__(self, screen: str, element: str, *, screenshot: Path | None = None) -> None:
        super().__init__(f"the {screen} screen has no {element}", screenshot=screenshot)
        self.screen = screen
        self.element = element


class WrongAddress(PortalChanged):
    """A page the driver needs does not exist at this address (HTTP 404 or 410): a wrong address or the wrong web
    app when it is being set up; a moved page (the web app changed) once it worked."""

    def __init__(self, path: str, status: int) -> None:
        PortalError.__init__(self, f"the page {path} does not exist here (HTTP {status})")
        self.screen = path
        self.element = f"page (HTTP {status})"


# A slot id travels to the relay, into a WhatsApp menu's payload and back: one character set, one length, for every
# driver. Letters, digits and ``-_.:+@`` (so an ISO time like ``2026-12-02T10:30`` fits), 1 to 200 characters.
SLOT_ID_PATTERN = re.compile(r"[A-Za-z0-9_.:+@-]{1,200}")
SLOT_ID_RULE = "1 to 200 characters among letters, digits and - _ . : + @"


class BadSlotId(ValueError):
    """A driver produced a slot id outside SLOT_ID_PATTERN: a bug in the driver, reported loudly."""


def check_slot_id(value: str) -> str:
    if not isinstance(value, str) or not SLOT_ID_PATTERN.fullmatch(value):
        raise BadSlotId(f"the driver produced the slot id {value!r}; a slot id must be {SLOT_ID_RULE}")
    return value


@runtime_checkable
class PortalDriver(Protocol):
    """One clinic web app. Calls are made one at a time (the engine serializes them)."""

    async def start(self) -> None:
        """Launch the browser (no login yet)."""

    async def login(self) -> None:
        """Log in now. Raises LoginRejected, AccountLocked, LoginNeedsPerson or PortalUnavailable."""

    async def free_slots(self, days: int, professional: str | None = None) -> list[Slot]:
        """Free slots within ``days_window(days)``, sorted by start then professional."""

    async def book(self, slot_id: str, patient: Patient, reference: str) -> Booking:
        """Re-check the exact slot, create the appointment, confirm it exists.

        ``reference`` (the idempotency key) is written into the appointment's note so the
        appointment can be found again after a crash. Raises SlotTaken when not free.
        """

    async def find_booking(self, slot_id: str, reference: str) -> Booking | None:
        """The appointment at that slot carrying that reference, if the web app has one."""

    async def close(self) -> None:
        """Close the browser; safe to call twice."""


def days_window(days: int, now: datetime, tz: tzinfo) -> tuple[datetime, datetime]:
    """"N days": from now until midnight at the end of the N-th calendar day, today being day 1."""
    if days < 1:
        raise ValueError("days must be at least 1")
    local_now = now.astimezone(tz)
    last_day: date = local_now.date() + timedelta(days=days)
    return local_now, datetime.combine(last_day, time(0, 0), tzinfo=tz)
