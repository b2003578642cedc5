"""The follow-up frames of the wire protocol: a hand-off the relay answered on its own, and the agent's ack.

relay -> agent: ``{"type": "event", "kind": "handoff", "id": "...", "at": "...", "lead_id": "...", "name": "...",
"phone": "...", "reason": "...", "chosen_start": "...", "chosen_professional": "...", "chosen_day": "...",
"kommo_lead_url": "...", "said": ["...", ...]}`` (``said``: the patient's last messages, oldest first, at most
5); agent -> relay: ``{"type": "ack", "id": "..."}`` (``wire.messages.Ack``, the same
receipt the relay gives an agent's booking outcome).

agent -> relay: ``{"type": "contacted", "id": "...", "lead_id": "...", "at": "...", "name": "...", "phone": "..."}``
(``Contacted``): reception marked the lead's last open follow-up "Contactado" in the tray at ``at``; the relay
completes the lead's open Cita Bridge tasks in Kommo made before then and answers ``{"type": "ack", "id":
"contacted:<id>"}``. The agent tells it on every connection until acknowledged; an older relay logs and drops it.

A case that settled by itself (the agent's answer came after the patient was handed off as "not known yet") is
one more event of the lead with a ``RESOLUTIONS`` reason: the agent closes the lead's follow-ups handed off before
its ``at``. Both frames are optional: an older agent ignores an unknown frame type (it answers only requests) and
an older relay drops an ack it cannot read. The agent does not trust the relay: every field is checked here, the
Kommo link must be a lead's page on a Kommo host, and nothing in an event makes the agent act on the clinic's web
app.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

from wire.messages import Ack, ProtocolError

__all__ = ["ASKED_OF_A_PERSON", "RESOLUTIONS", "Ack", "Contacted", "HandoffEvent", "decode_followup_frame",
           "kommo_lead_url", "kommo_lead_url_or_empty"]

# A hand-off whose case settled without the clinic's team (the agent's answer came after all) is closed by one more
# event of the lead with one of these reasons: every follow-up of the lead handed off before its ``at`` is done.
RESOLVED_BOOKED = "resolved_booked"  # booked (or moved) after all
RESOLVED_CANCELLED = "resolved_cancelled"  # cancelled after all
RESOLVED_KEPT = "resolved_kept"  # a cancel not known yet was taken back, and the appointment is still there
RESOLVED_SUPERSEDED = "resolved_superseded"  # the outcome is known; the event's own follow-up says what to do
RESOLVED_CONTACTED = "resolved_contacted"  # reception marked the patient "Contactado" in the tray (Contacted)
RESOLUTIONS = frozenset({RESOLVED_BOOKED, RESOLVED_CANCELLED, RESOLVED_KEPT, RESOLVED_SUPERSEDED, RESOLVED_CONTACTED})
# Hand-offs the patient asked of a person (to talk, to fix the name, to say they will be late): a case settling by
# itself says nothing about them, so a resolution never closes them; only reception does ("Contactado").
ASKED_OF_A_PERSON = frozenset({"asked_for_person", "asked_for_call", "name_correction", "running_late"})

SAID_MAX = 5  # the patient's last messages an event carries
SAID_CHARS = 200
_ID_RE = re.compile(r"^[A-Za-z0-9._:@+\-]{1,200}$")
_REASON_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_PHONE_RE = re.compile(r"^[0-9+()\-. ]{0,40}$")
_LEAD_PATH_RE = re.compile(r"^(/[a-z0-9][a-z0-9-]{0,62})?/leads/detail/[0-9]{1,20}$")
# Kommo's own hosts; loopback for the stand-in Kommo of the demo and the tests.
_KOMMO_HOST_SUFFIXES = (".kommo.com", ".amocrm.com", ".amocrm.ru")
_LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


ABOUT = frozenset({"cancel", "keep", "move_from", "move_to"})  # HandoffEvent.about, besides "" (a time being booked)


@dataclass(frozen=True)
class HandoffEvent:
    """A patient the bot handed to the clinic's team: who, why, what they had already chosen, and when."""

    id: str
    at: str  # ISO 8601 with offset: when the patient was handed off
    lead_id: str
    name: str
    phone: str
    reason: str  # a code: paused, agent_offline, timeout, asked_for_person, login_failed, ...
    chosen_start: str = ""  # ISO 8601: the slot being booked when the hand-off came
    chosen_professional: str = ""
    chosen_day: str = ""  # ISO date: the day whose times the patient was looking at
    kommo_lead_url: str = ""  # the lead's page in Kommo
    said: tuple[str, ...] = ()  # the patient's last messages, oldest first: what they wanted, in their words
    # What ``chosen_start`` is (one of ABOUT): "" a time being booked (as before this field), "cancel" the patient's
    # appointment they asked to cancel, "keep" one whose cancel they took back, "move_from" the one they asked to
    # change, "move_to" the new time for it.
    about: str = ""

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "type": "event",
            "kind": "handoff",
            "id": self.id,
            "at": self.at,
            "lead_id": self.lead_id,
            "name": self.name,
            "phone": self.phone,
            "reason": self.reason,
        }
        for key in ("chosen_start", "chosen_professional", "chosen_day", "kommo_lead_url"):
            value = getattr(self, key)
            if value:
                out[key] = value
        if self.said:
            out["said"] = list(self.said)
        if self.about:
            out["about"] = self.about
        return out

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> HandoffEvent:
        reason = obj.get("reason")
        if not isinstance(reason, str) or not _REASON_RE.match(reason):
            raise ProtocolError("event.reason must be a short code")
        return cls(
            id=_identifier(obj.get("id"), "event.id"),
            at=_time(obj.get("at"), "event.at"),
            lead_id=_identifier(obj.get("lead_id"), "event.lead_id"),
            name=_plain(obj.get("name", ""), "event.name", 120),
            phone=_phone(obj.get("phone", "")),
            reason=reason,
            chosen_start=_time(obj["chosen_start"], "event.chosen_start") if obj.get("chosen_start") else "",
            chosen_professional=_plain(obj.get("chosen_professional", ""), "event.chosen_professional", 120),
            chosen_day=_day(obj.get("chosen_day", "")),
            kommo_lead_url=kommo_lead_url_or_empty(obj.get("kommo_lead_url", "")),
            said=_said(obj.get("said", [])),
            about=obj["about"] if obj.get("about") in ABOUT else "",  # a newer relay's kind: read as a time chosen
        )


CONTACTED_ACK_PREFIX = "contacted:"


@dataclass(frozen=True)
class Contacted:
    """agent -> relay: reception contacted the patient of a lead (the tray's "Contactado" on its last open row)."""

    id: str  # the follow-up marked last
    lead_id: str
    at: str  # ISO 8601 with offset: when it was marked
    name: str = ""
    phone: str = ""

    @property
    def ack_id(self) -> str:
        return CONTACTED_ACK_PREFIX + self.id

    def to_json(self) -> dict[str, Any]:
        out = {"type": "contacted", "id": self.id, "lead_id": self.lead_id, "at": self.at}
        out.update({key: value for key in ("name", "phone") if (value := getattr(self, key))})
        return out

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> Contacted:
        followup_id = _identifier(obj.get("id"), "contacted.id")
        if len(CONTACTED_ACK_PREFIX + followup_id) > 200:
            raise ProtocolError("contacted.id is too long")
        return cls(id=followup_id, lead_id=_identifier(obj.get("lead_id"), "contacted.lead_id"),
                   at=_time(obj.get("at"), "contacted.at"), name=_plain(obj.get("name", ""), "contacted.name", 120),
                   phone=_phone(obj.get("phone", "")))


def decode_followup_frame(obj: dict[str, Any]) -> HandoffEvent | Ack | Contacted:
    """An ``event``, ``ack`` or ``contacted`` frame (already parsed JSON). Raises ``ProtocolError`` for anything off."""
    kind = obj.get("type")
    if kind == "ack":
        return Ack(_identifier(obj.get("id"), "ack.id"))
    if kind == "contacted":
        return Contacted.from_json(obj)
    if kind == "event":
        if obj.get("kind") != "handoff":
            raise ProtocolError(f"unknown event kind {obj.get('kind')!r}")
        return HandoffEvent.from_json(obj)
    raise ProtocolError(f"not a follow-up frame: {kind!r}")


def kommo_lead_url(base_url: str, lead_id: str) -> str:
    """The lead's page in Kommo, e.g. ``https://clinica.kommo.com/leads/detail/123`` ("" if it cannot be built)."""
    return kommo_lead_url_or_empty(f"{base_url.rstrip('/')}/leads/detail/{lead_id}")


def kommo_lead_url_or_empty(value: Any) -> str:
    """``value`` when it is a lead's page on a Kommo host (or on loopback: the stand-in), else ""."""
    if not isinstance(value, str) or not value or len(value) > 300:
        return ""
    try:
        parts = urlsplit(value)
        host = (parts.hostname or "").lower()
        port = parts.port
    except ValueError:
        return ""
    if parts.username or parts.password or parts.query or parts.fragment or not _LEAD_PATH_RE.match(parts.path):
        return ""
    if host in _LOOPBACK_HOSTS and parts.scheme in ("http", "https"):
        return value
    if parts.scheme == "https" and port is None and host.endswith(_KOMMO_HOST_SUFFIXES):
        return value if parts.path.startswith("/leads/") else ""
    return ""


def _identifier(value: Any, name: str) -> str:
    if not isinstance(value, str) or not _ID_RE.match(value):
        raise ProtocolError(f"{name} must be 1-200 characters of letters, digits and ._:@+-")
    return value


def _time(value: Any, name: str) -> str:
    if not isinstance(value, str):
        raise ProtocolError(f"{name} must be an ISO 8601 time")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ProtocolError(f"{name} must be an ISO 8601 time") from None
    if parsed.tzinfo is None:
        raise ProtocolError(f"{name} must carry a UTC offset")
    return value


def _day(value: Any) -> str:
    if value in ("", None):
        return ""
    if not isinstance(value, str):
        raise ProtocolError("event.chosen_day must be an ISO date")
    try:
        date.fromisoformat(value)
    except ValueError:
        raise ProtocolError("event.chosen_day must be an ISO date") from None
    return value


def _said(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or len(value) > SAID_MAX:
        raise ProtocolError(f"event.said must be a list of at most {SAID_MAX} messages")
    return tuple(line for line in (_plain(m, "event.said", SAID_CHARS) for m in value) if line)


def _plain(value: Any, name: str, limit: int) -> str:
    """Free text from the patient's Kommo contact: control characters dropped, cut to ``limit``."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ProtocolError(f"{name} must be a string")
    return " ".join("".join(c if ord(c) >= 32 else " " for c in value).split())[:limit]


def _phone(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str) or not _PHONE_RE.match(value.strip()):
        raise ProtocolError("event.phone must be a phone number")
    return value.strip()
