"""What the relay remembers about one lead between two widget_requests, as plain JSON.

Deterministic on purpose: the conversation id comes from the lead and the moment the conversation began,
and an idempotency key from the conversation and the slot, so a repeated delivery of the same pick books
once (the agent's journal returns the first outcome for a repeated key).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from wire.messages import WireSlot

SILENCE_LIMIT = timedelta(minutes=30)
STATE_VERSION = 1

# Stages: which menu the patient is looking at.
CHOOSE_DAY = "choose_day"
CHOOSE_TIME = "choose_time"
BOOKING = "booking"  # a Book was handed to the core; its outcome has not come back yet
STAGES = (CHOOSE_DAY, CHOOSE_TIME, BOOKING)

# What a button does when tapped.
OPTION_KINDS = ("day", "slot", "more_days", "more_times", "other_days")


@dataclass(frozen=True)
class Option:
    """One button the patient was shown: its label and what tapping it means."""

    label: str
    kind: str
    day: str = ""  # ISO date, for kind "day"
    slot: WireSlot | None = None  # for kind "slot"

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"label": self.label, "kind": self.kind}
        if self.day:
            out["day"] = self.day
        if self.slot is not None:
            out["slot"] = self.slot.to_json()
        return out

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> Option:
        slot = obj.get("slot")
        return cls(
            label=str(obj["label"]),
            kind=str(obj["kind"]),
            day=str(obj.get("day", "")),
            slot=WireSlot.from_json(slot) if slot is not None else None,
        )


@dataclass(frozen=True)
class ConversationState:
    conversation_id: str
    lead_id: str
    last_seen: datetime
    stage: str = CHOOSE_DAY
    day: str = ""  # ISO date of the chosen day (time menu)
    professionals: tuple[str, ...] = ()  # the patient's professional filter; empty: anyone
    time_filter: str = ""  # "HH:MM" while asking which professional at that time
    options: tuple[Option, ...] = ()  # the buttons of the last menu
    page_first: tuple[str, ...] = ()  # key of the first item of the page shown (paging "more")
    page_last: tuple[str, ...] = ()  # key of the last item of the page shown
    day_slots: tuple[WireSlot, ...] = ()  # the chosen day's free slots: nearest alternatives if one is taken
    pending: WireSlot | None = None  # the slot being booked (stage BOOKING)
    pending_message: str = ""  # the normalized message that picked it: a repeat books with the same key
    gave_up: bool = False  # the patient was told this booking could not be confirmed yet (stage BOOKING)

    @property
    def booking_open(self) -> bool:
        """A booking was asked for and its outcome is not known: the next turn asks the agent again, same key."""
        return self.stage == BOOKING and self.pending is not None

    def expired(self, now: datetime) -> bool:
        if self.booking_open and self.pending is not None:
            # Never forgotten by silence: only once the appointment's time has passed is the question moot.
            return now > self.pending.start_dt()
        return now - self.last_seen > SILENCE_LIMIT

    def seen(self, now: datetime) -> ConversationState:
        return replace(self, last_seen=now)

    def to_json(self) -> dict[str, Any]:
        return {
            "v": STATE_VERSION,
            "conversation_id": self.conversation_id,
            "lead_id": self.lead_id,
            "last_seen": self.last_seen.isoformat(),
            "stage": self.stage,
            "day": self.day,
            "professionals": list(self.professionals),
            "time_filter": self.time_filter,
            "options": [o.to_json() for o in self.options],
            "page_first": list(self.page_first),
            "page_last": list(self.page_last),
            "day_slots": [s.to_json() for s in self.day_slots],
            "pending": self.pending.to_json() if self.pending is not None else None,
            "pending_message": self.pending_message,
            "gave_up": self.gave_up,
        }

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> ConversationState:
        stage = obj.get("stage", CHOOSE_DAY)
        pending = obj.get("pending")
        return cls(
            conversation_id=str(obj["conversation_id"]),
            lead_id=str(obj["lead_id"]),
            last_seen=datetime.fromisoformat(obj["last_seen"]),
            stage=stage if stage in STAGES else CHOOSE_DAY,
            day=str(obj.get("day", "")),
            professionals=tuple(str(p) for p in obj.get("professionals", ())),
            time_filter=str(obj.get("time_filter", "")),
            options=tuple(Option.from_json(o) for o in obj.get("options", ())),
            page_first=tuple(str(k) for k in obj.get("page_first", ())),
            page_last=tuple(str(k) for k in obj.get("page_last", ())),
            day_slots=tuple(WireSlot.from_json(s) for s in obj.get("day_slots", ())),
            pending=WireSlot.from_json(pending) if pending is not None else None,
            pending_message=str(obj.get("pending_message", "")),
            gave_up=bool(obj.get("gave_up", False)),
        )


def conversation_id(lead_id: str, began: datetime) -> str:
    """Deterministic: the lead (letters and digits only) and the second the conversation began."""
    lead = re.sub(r"[^A-Za-z0-9]", "", lead_id)[:40] or "lead"
    return f"{lead}.{int(began.timestamp())}"


def idempotency_key(conversation: str, slot_id: str) -> str:
    """Same conversation and slot -> same key; fits the wire protocol's identifier rule."""
    digest = hashlib.sha256(f"{conversation}\n{slot_id}".encode()).hexdigest()[:40]
    return f"cb1.{digest}"
