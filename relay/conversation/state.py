"""What the relay remembers about one lead between two widget_requests, as plain JSON.

Deterministic on purpose: the conversation id comes from the lead and the moment the conversation began,
and an idempotency key from the conversation and the slot, so a repeated delivery of the same pick books
once (the agent's journal returns the first outcome for a repeated key).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from relay.conversation.evolve import evolve
from wire.appointments import WireBooking
from wire.handoff import SAID_CHARS
from wire.handoff import SAID_MAX as SAID_KEPT  # the patient's messages a hand-off carries
from wire.messages import PATIENT_FIELDS, WireSlot

SILENCE_LIMIT = timedelta(minutes=30)
STATE_VERSION = 1

# Stages: which menu the patient is looking at.
CHOOSE_DAY = "choose_day"
CHOOSE_TIME = "choose_time"
BOOKING = "booking"  # a Book was handed to the core; its outcome has not come back yet
CONFIRM = "confirm"  # free text pinned one slot: "¿Confirmo …?" waits for "Sí" / "Otra hora"
BOOKINGS = "bookings"  # the patient's own appointments are listed: which one?
CONFIRM_CANCEL = "confirm_cancel"  # "¿Cancelo tu hora …?" waits for "Sí, cancelar" / "No"
CANCELLING = "cancelling"  # a cancel was handed to the core; its outcome has not come back yet
RESCHEDULING = "rescheduling"  # a reschedule was handed to the core; its outcome has not come back yet
ASK_FIELD = "ask_field"  # a patient field the clinic's web app requires (e-mail, national ID…) is asked for
HANDED_OFF = "handed_off"  # a receptionist was asked to write: the patient's next words are answered as waiting
CANCELLED = "cancelled"  # an appointment was just cancelled (``target``): "devuélvemela" offers its time again
# An appointment was just booked or moved: kept only when something goes on — another person's asked for too ("para
# mí y mi esposa": "sí", "dale", "ahora la de mi esposa" books it), or the patient's language ("ok" answered in it)
DONE = "done"
STAGES = (
    CHOOSE_DAY, CHOOSE_TIME, BOOKING, CONFIRM, BOOKINGS, CONFIRM_CANCEL, CANCELLING, RESCHEDULING, ASK_FIELD,
    HANDED_OFF, CANCELLED, DONE,
)

# The intent while the agent is asked whether the patient already has an appointment (before booking another).
CHECK_EXISTING = "check_existing"

# What a button does when tapped.
OPTION_KINDS = (
    "day", "slot", "more_days", "more_times", "other_days", "confirm", "other_time", "first_days", "any_professional",
    "any_time", "specialty", "any_specialty", "booking", "cancel_one", "cancel_yes", "cancel_no", "new_booking",
    "move_yes", "move_one", "service",
)
ANY_SPECIALTY = "*"  # the patient was asked and wants any specialty


@dataclass(frozen=True)
class Option:
    """One choice the patient was shown (a button, or a numbered line): its label and what choosing it means."""

    label: str
    kind: str
    day: str = ""  # ISO date, for kind "day"
    slot: WireSlot | None = None  # for kind "slot"
    number: int = 0  # its number in a numbered list (typing it chooses it); 0: a button
    key: str = ""  # for kind "specialty": the specialty's key
    # Not shown any more: a line of the list before it was shown again shorter; its number still chooses it, but no
    # place in the menu ("la última") is it.
    hidden: bool = False

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"label": self.label, "kind": self.kind}
        if self.day:
            out["day"] = self.day
        if self.slot is not None:
            out["slot"] = self.slot.to_json()
        if self.number:
            out["number"] = self.number
        if self.key:
            out["key"] = self.key
        if self.hidden:
            out["hidden"] = True
        return out

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> Option:
        slot = obj.get("slot")
        return cls(
            label=str(obj["label"]),
            kind=str(obj["kind"]),
            day=str(obj.get("day", "")),
            slot=WireSlot.from_json(slot) if slot is not None else None,
            number=int(obj.get("number", 0)),
            key=str(obj.get("key", "")),
            hidden=obj.get("hidden") is True,
        )


MAX_TOLD = 40  # appointment ids kept in ``told``
MAX_BOOKED_HERE = 6  # appointments kept in ``booked_here``
MAX_MISSES = 3  # messages in a row not understood before the bot hands the patient to a person


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
    specialty: str = ""  # the patient's specialty filter (a key of specialties.SPECIALTIES); "": not asked; "*": any
    window: tuple[str, str] = ("", "")  # the patient's time-of-day filter: ("HH:MM" from, "HH:MM" before)
    # ISO dates the patient ruled out ("menos el lunes", "ninguna me sirve"), and "YYYY-MM-DDTHH:MM" for one time of
    # a day ("a las 12 no puedo"), sorted
    skip_days: tuple[str, ...] = ()
    # professionals the patient does not want ("pero no con la Dra. Soto"), sorted; one picked later is wanted again
    skip_professionals: tuple[str, ...] = ()
    proposed: WireSlot | None = None  # the slot a confirmation asks about (stage CONFIRM)
    bookings: tuple[WireBooking, ...] = ()  # the patient's upcoming appointments, as the agent listed them
    target: WireBooking | None = None  # the appointment being cancelled or moved
    intent: str = ""  # what the patient came for when the appointments were listed ("cancel", "reschedule", …)
    service: str = ""  # the service the bot's earlier steps chose (widget data "service"), as the clinic names it
    wish: str = ""  # a message to act on once the specialty is chosen ("mañana a las 10", before "¿qué especialidad?")
    gave_up: bool = False  # the patient was told this booking could not be confirmed yet (stage BOOKING)
    patient: tuple[tuple[str, str], ...] = ()  # patient fields given (("email", "ana@x.cl"), …): personal data
    asking: str = ""  # the patient field being asked for (stage ASK_FIELD)
    for_other: bool = False  # the appointment is for someone else: their name is asked (``PATIENT_NAME``)
    patient_name: str = ""  # that person's name, as the patient wrote it: personal data
    # The patient's last messages (at most SAID_KEPT, each one line of at most SAID_CHARS): what a hand-off tells the
    # clinic's team the patient wanted. Personal data, kept only as long as the conversation.
    said: tuple[str, ...] = ()
    misses: int = 0  # messages in a row the bot did not understand: at MAX_MISSES a person takes over
    cancel_each: bool = False  # "cancela las dos": after each cancel, the next of ``bookings`` is asked about
    undo_wanted: bool = False  # "mejor no, cancela eso" while the booking's outcome was not known: asked once booked
    person_wanted: bool = False  # "quiero hablar con una persona" while it was not known: handed off once told
    language: str = ""  # the conversation's language when it is not the clinic's (an English-speaking patient)
    others_to_book: bool = False  # "para mí y mi hijo": one booked now, the confirmation says how to ask for the next
    more_asked: bool = False  # "sí, y de paso …" at a confirmation: the yes done, the rest asked for again after it
    late_said: bool = False  # "sí, pero llego un poco tarde" at a confirmation: booked, and the being late answered
    # Begun by the patient while reception had their failed cancel or move (the hand-off's reason): the same done
    # now settles reception's case (relay/followup_texts.resolution). Handed off, what the patient was asking for
    # ("cancel_requested", "reschedule_requested", "booking_requested"), for the conversation they begin again.
    reopened: str = ""
    # The patient's appointments this conversation listed to them (ids), kept once the list itself is let go: a
    # booking about to go out asks again only about others (relay/conversation/existing.before_booking).
    told: tuple[str, ...] = ()
    # Which of ``bookings`` are under another name than the writer's (ids): "¿Cancelo la hora de Rosa…?", never "tu
    # hora" for a relative's
    others: tuple[str, ...] = ()
    # Appointments booked earlier in this conversation, before the one at hand: one request for several people ("para
    # mí y mi hijo"), so that "¿quedó?" once both are booked says both (never only the last, as if the first were lost)
    booked_here: tuple[WireBooking, ...] = ()
    # Of ``booked_here`` and the appointments listed, those (ids) said at the time a booking was about to take («Ya
    # tienes hora … Si quieres una hora más, además de esa, confírmala»): not asked about again. Kept apart from
    # ``told``, which goes to the agent.
    beside: tuple[str, ...] = ()

    @property
    def ended(self) -> bool:
        """An appointment was booked or moved (``DONE``): the next message starts a new conversation, unless it is
        about that one ("¿a qué hora era?") or the next person's asked for in the same request."""
        return self.stage == DONE

    @property
    def booking_open(self) -> bool:
        """A booking was asked for and its outcome is not known: the next turn asks the agent again, same key."""
        return self.stage == BOOKING and self.pending is not None

    def expired(self, now: datetime) -> bool:
        if self.booking_open and self.pending is not None:
            # Never forgotten by silence: only once the appointment's time has passed is the question moot.
            return now > self.pending.start_dt()
        return now - self.last_seen > SILENCE_LIMIT

    def skipping(self, days: Iterable[str]) -> ConversationState:
        """With ``days`` (ISO dates) left out of the menus too."""
        return evolve(self, skip_days=tuple(sorted({*self.skip_days, *days})))

    def offering(self, days: Collection[str]) -> ConversationState:
        """With ``days`` (ISO dates) offered again, if they had been left out."""
        return evolve(self, skip_days=tuple(d for d in self.skip_days if d not in days))

    def seen(self, now: datetime) -> ConversationState:
        return evolve(self, last_seen=now)

    def handed_off(self, reason: str) -> ConversationState:
        """What is kept once a receptionist was asked to write: that it was, and why (``intent``), what the patient
        was asking for (``reopened``), and when and with whom this chat booked appointments (``booked_so_far``, never
        whose); no patient data. The patient's next words are answered as waiting (flow.py), for as long as a
        conversation lasts."""
        return ConversationState(
            conversation_id=self.conversation_id, lead_id=self.lead_id, last_seen=self.last_seen, stage=HANDED_OFF,
            intent=reason, reopened=self._asking_for(),
            booked_here=tuple(replace(b, patient="") for b in self.booked_so_far()),
        )

    def kept_after_closing(self) -> ConversationState | None:
        """What a conversation ended politely ("gracias", "ok", "chao") keeps: nothing, unless this chat booked or
        moved an appointment — then that it did (a ``DONE`` state), so that where the agent cannot list the phone's
        appointments "el jueves" a minute later is asked about the one just booked («Ya tienes hora…»), never a
        second appointment booked beside it unsaid; "¿a qué hora era?" is answered with it."""
        booked = self.booked_so_far()
        if not booked:
            return None
        moved = self.stage == DONE and self.intent == "reschedule"
        return ConversationState(
            conversation_id=self.conversation_id, lead_id=self.lead_id, last_seen=self.last_seen, stage=DONE,
            target=booked[-1], booked_here=booked[:-1], language=self.language,
            intent="reschedule" if moved else "", bookings=(self.moved_from,) if self.moved_from else (),
        )

    @property
    def moved_from(self) -> WireBooking | None:
        """Right after a move (``DONE``): the appointment it replaced, gone from the web app."""
        return self.bookings[0] if self.stage == DONE and self.intent == "reschedule" and self.bookings else None

    def booked_so_far(self) -> tuple[WireBooking, ...]:
        """The appointments this chat booked or moved a moment ago (``booked_here``, and the one just done): kept
        through a hand-off, so that where the agent cannot list the phone's appointments a day said while reception
        is awaited ("el martes", after «una recepcionista te escribirá» about moving it) is asked about them first,
        never a second appointment booked beside them unsaid."""
        gone = {self.moved_from.booking_id} if self.moved_from else set()
        if self.stage == CANCELLED and self.target is not None:
            gone.add(self.target.booking_id)  # "cancela la mía y agenda una para mi mamá": the writer's is gone
        done = (self.target,) if self.stage == DONE and self.target is not None else ()
        return tuple(b for b in (*self.booked_here, *done) if b.booking_id not in gone)[-MAX_BOOKED_HERE:]

    def _asking_for(self) -> str:
        """The request a hand-off left with reception, when this conversation says it: a cancel, a move, a booking."""
        if self.stage == HANDED_OFF:
            return self.reopened
        if self.intent == "cancel":
            return "cancel_requested"
        if self.intent == "reschedule":
            return "reschedule_requested"
        if self.intent in ("", "book") and self.stage in (CHOOSE_DAY, CHOOSE_TIME, CONFIRM, BOOKING, ASK_FIELD):
            return "booking_requested"
        return ""

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
            "specialty": self.specialty,
            "window": list(self.window),
            "skip_days": list(self.skip_days),
            "proposed": self.proposed.to_json() if self.proposed is not None else None,
            "wish": self.wish,
            "service": self.service,
            "bookings": [b.to_json() for b in self.bookings],
            "target": self.target.to_json() if self.target is not None else None,
            "intent": self.intent,
            "gave_up": self.gave_up,
            "patient": dict(self.patient),
            "asking": self.asking,
            "for_other": self.for_other,
            "patient_name": self.patient_name,
            "said": list(self.said),
            "misses": self.misses,
            **({"skip_professionals": list(self.skip_professionals)} if self.skip_professionals else {}),
            **({"cancel_each": True} if self.cancel_each else {}),
            **({"undo_wanted": True} if self.undo_wanted else {}),
            **({"person_wanted": True} if self.person_wanted else {}),
            **({"language": self.language} if self.language else {}),
            **({"others_to_book": True} if self.others_to_book else {}),
            **({"more_asked": True} if self.more_asked else {}),
            **({"late_said": True} if self.late_said else {}),
            **({"reopened": self.reopened} if self.reopened else {}),
            **({"told": list(self.told)} if self.told else {}),
            **({"others": list(self.others)} if self.others else {}),
            **({"booked_here": [b.to_json() for b in self.booked_here]} if self.booked_here else {}),
            **({"beside": list(self.beside)} if self.beside else {}),
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
            specialty=str(obj.get("specialty", "")),
            window=_window(obj.get("window")),
            skip_days=tuple(sorted(str(d) for d in obj.get("skip_days", ()))),
            skip_professionals=tuple(sorted(str(p) for p in obj.get("skip_professionals", ()))),
            proposed=WireSlot.from_json(proposed) if (proposed := obj.get("proposed")) is not None else None,
            wish=str(obj.get("wish", "")),
            service=str(obj.get("service", "")),
            bookings=tuple(WireBooking.from_json(b) for b in obj.get("bookings", ())),
            target=WireBooking.from_json(target) if (target := obj.get("target")) is not None else None,
            intent=str(obj.get("intent", "")),
            gave_up=bool(obj.get("gave_up", False)),
            patient=_patient(obj.get("patient")),
            asking=str(obj.get("asking", "")),
            for_other=bool(obj.get("for_other", False)),
            patient_name=str(obj.get("patient_name", "")),
            said=tuple(str(m)[:SAID_CHARS] for m in obj.get("said", ()) if isinstance(m, str))[-SAID_KEPT:],
            misses=int(obj.get("misses", 0) or 0),
            cancel_each=bool(obj.get("cancel_each", False)),
            undo_wanted=bool(obj.get("undo_wanted", False)),
            person_wanted=bool(obj.get("person_wanted", False)),
            language=str(obj.get("language", "")) if obj.get("language") in ("es", "en") else "",
            others_to_book=bool(obj.get("others_to_book", False)),
            more_asked=bool(obj.get("more_asked", False)),
            late_said=bool(obj.get("late_said", False)),
            reopened=str(obj.get("reopened", ""))[:40],
            told=tuple(str(i)[:200] for i in obj.get("told", ()))[-MAX_TOLD:],
            others=tuple(str(i)[:200] for i in obj.get("others", ()))[-MAX_TOLD:],
            booked_here=tuple(WireBooking.from_json(b) for b in obj.get("booked_here", ()))[-MAX_BOOKED_HERE:],
            beside=tuple(str(i)[:200] for i in obj.get("beside", ()))[-MAX_BOOKED_HERE:],
        )

    def named_for_reception(self) -> WireSlot | WireBooking | None:
        """The appointment a cancel's or move's hand-off names for reception: the new time chosen for a move (it
        may book it), else the one to cancel or move; None outside those."""
        if self.target is None:
            return None
        new = (self.proposed or self.pending) if self.intent == "reschedule" else None
        return new or self.target

    def listed(self, but: str = "") -> tuple[str, ...]:
        """``told`` with the appointments listed now (``bookings``), ``but`` the one of that id: for a state that
        lets its list go."""
        ids = [*self.told, *(b.booking_id for b in self.bookings if b.booking_id != but)]
        return tuple(dict.fromkeys(ids))[-MAX_TOLD:]

    def saying(self, message: str) -> ConversationState:
        """With ``message`` as the patient's latest (the oldest of those kept left out)."""
        printable = message if message.isprintable() else "".join(c if c.isprintable() else " " for c in message)
        line = " ".join(printable.split())[:SAID_CHARS]
        return evolve(self, said=(*self.said, line)[-SAID_KEPT:]) if line else self


PATIENT_NAME = "patient_name"  # the field asked when the appointment is for someone else (not a wire field)


def _patient(value: Any) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, dict):
        return ()
    return tuple((k, v) for k, v in value.items() if k in PATIENT_FIELDS and isinstance(v, str) and v)


def _window(value: Any) -> tuple[str, str]:
    if isinstance(value, list | tuple) and len(value) == 2:
        return (str(value[0]), str(value[1]))
    return ("", "")


def new_conversation(lead_id: str, now: datetime) -> ConversationState:
    """A conversation of ``lead_id`` beginning ``now``, nothing said yet."""
    # Every other field at its default: the blank state with these three set (``evolve`` copies its fields, cheaper
    # than ``__init__`` setting each of the forty through a frozen dataclass's ``object.__setattr__``).
    return evolve(_BLANK, conversation_id=conversation_id(lead_id, now), lead_id=lead_id, last_seen=now)


_BLANK = ConversationState(conversation_id="", lead_id="", last_seen=datetime.min)


def conversation_id(lead_id: str, began: datetime) -> str:
    """Deterministic: the lead and the second the conversation began.

    A readable prefix of the lead (letters and digits) plus a hash of the *whole* lead id, so two leads that
    differ only in punctuation or beyond the prefix ("a-1" and "a1") never share an id, nor a booking key.
    """
    lead = _NOT_ALPHANUMERIC.sub("", lead_id)[:24] or "lead"
    digest = hashlib.sha256(lead_id.encode("utf-8", errors="surrogatepass")).hexdigest()[:16]
    return f"{lead}.{digest}.{int(began.timestamp())}"


_NOT_ALPHANUMERIC = re.compile(r"[^A-Za-z0-9]")


def idempotency_key(conversation: str, slot_id: str) -> str:
    """Same conversation and slot -> same key; fits the wire protocol's identifier rule."""
    digest = hashlib.sha256(f"{conversation}\n{slot_id}".encode()).hexdigest()[:40]
    return f"cb1.{digest}"
