"""The values that cross between the relay core and the conversation (see the contract in the package doc)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from relay.conversation.state import ConversationState
from wire.messages import SlotsResult, WireSlot

STATUSES: tuple[str, ...] = ("choose_day", "choose_time", "booked", "cancelled", "handoff", "closed", "error")


@dataclass(frozen=True)
class ClinicProfile:
    name: str
    language: str = "es"  # "es" (default) or "en"
    address: str = ""
    bot_question_step: int = 1  # the widget_request step the bot loops on


@dataclass(frozen=True)
class Turn:
    """One widget_request's data, as the conversation sees it."""

    lead_id: str
    message: str  # the patient's last message or the tapped button's text
    name: str
    phone: str
    now: datetime  # aware; the conversation expires after 30 minutes of silence
    # Optional widget_request data keys, filled by earlier bot steps: a new conversation starts with them.
    specialty: str = ""
    service: str = ""
    professional: str = ""
    # Optional widget_request data keys with patient fields the clinic's web app may require (read when valid).
    email: str = ""
    national_id: str = ""
    birth_date: str = ""


@dataclass(frozen=True)
class Reply:
    state: ConversationState | None  # None: forget the lead (the conversation ended)
    continuation: dict[str, Any]  # the exact JSON body for Kommo's return_url
    status: str  # == continuation["data"]["status"]


@dataclass(frozen=True)
class Book:
    """Ask the agent to book ``slot``; then call ``after_booking`` with this ``state``."""

    state: ConversationState
    slot: WireSlot
    idempotency_key: str  # stable for this conversation + slot: a repeated pick yields the same key

    def patient(self) -> dict[str, str]:
        """The patient fields the web app requires, as the patient gave them (wire.messages.PATIENT_FIELDS)."""
        return dict(self.state.patient)


@dataclass(frozen=True)
class AgentStep:
    """Ask the agent one of the optional appointment operations (wire.appointments); then call
    ``after_agent_step`` with this step and the agent's answer. ``state`` is saved before the agent acts."""

    state: ConversationState
    op: str  # "my_bookings" | "cancel"
    args: Any  # the op's args (wire.appointments)
    opening: tuple[str, ...] = ()  # said first in the reply (the greeting, on a conversation's first message)
    slots: SlotsResult | None = None  # the free slots the turn saw: booking goes on from them after the agent answers
