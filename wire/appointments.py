"""The optional operations on a patient's own appointments, as pure values: my_bookings, cancel, reschedule.

An agent that cannot do one (its driver lacks the capability) answers ``bad_request``, and the relay hands the
patient to a person; an older agent refuses the unknown op the same way. Every field is validated here, as in
``wire.messages`` (the agent does not trust the relay).

- ``my_bookings {phone}`` -> ``{bookings: [{booking_id, start, end, professional, service?, patient?}]}``: only the
  appointments the agent's journal or the web app ties to that phone; ``patient`` (added): whose name the
  appointment is under (one phone books for a whole family: "la de mi mamá Rosa"); ``was`` (added): for the bot's
  own, the id it was listed by while still being written (``under-way:<key>``), so a patient told of it then is not
  told of it again as a new one.
- ``cancel {booking_id, idempotency_key, phone?}`` -> ``{booking_id, repeat}``.
- ``reschedule {booking_id, slot_id, idempotency_key, phone?}`` -> the new booking ``{booking_id, start, end,
  professional, previous_cancelled, repeat}``: the new slot is booked first, then the old one cancelled;
  ``previous_cancelled: false`` says the old one could not be (the patient keeps both and a person sorts it out).

``email`` / ``national_id`` / ``birth_date`` (optional on ``reschedule``, as on ``book``'s patient): fields the
clinic's web app requires for the new appointment.

``phone`` (optional, added to the operations of ARCHITECTURE.md): the WhatsApp phone asking; an agent only
cancels or moves an appointment the web app or its journal ties to that phone, and refuses one without it.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from wire.messages import (
    _PHONE_RE,
    PATIENT_FIELDS,
    BookArgs,
    ProtocolError,
    SlotsArgs,
    _identifier,
    _iso_time,
    _optional_text,
    _text,
    patient_fields,
)

APPOINTMENT_OPS: tuple[str, ...] = ("my_bookings", "cancel", "reschedule")
MAX_BOOKINGS = 20
# The agent's bad_request message when the appointment to cancel or move is not among the phone's in the web app
# (deleted by a receptionist meanwhile, say): the relay then says so, never "it still stands".
NOT_AMONG_THE_PHONES = "the appointment is not one of this phone's"


@dataclass(frozen=True)
class MyBookingsArgs:
    phone: str
    # Optional: answer from what the agent already knows (its journal of bookings, what its reads saw), without
    # looking the phone up in the web app: the relay's "you already have an appointment" check before every new
    # booking conversation. Only when it has some to tell does it read their days again first (one reception
    # cancelled meanwhile is not told as still there). An older agent ignores it and reads the web app.
    known_only: bool = False

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"phone": self.phone}
        if self.known_only:
            out["known_only"] = True
        return out

    @classmethod
    def from_json(cls, obj: Any) -> MyBookingsArgs:
        if not isinstance(obj, dict):
            raise ProtocolError("args must be an object")
        phone = obj.get("phone")
        if not isinstance(phone, str) or not _PHONE_RE.match(phone.strip()):
            raise ProtocolError("args.phone must be a phone number")
        known_only = obj.get("known_only", False)
        if not isinstance(known_only, bool):
            raise ProtocolError("args.known_only must be true or false")
        return cls(phone=phone.strip(), known_only=known_only)


@dataclass(frozen=True)
class CancelArgs:
    booking_id: str
    idempotency_key: str
    phone: str = ""

    def to_json(self) -> dict[str, Any]:
        out = {"booking_id": self.booking_id, "idempotency_key": self.idempotency_key}
        if self.phone:
            out["phone"] = self.phone
        return out

    @classmethod
    def from_json(cls, obj: Any) -> CancelArgs:
        if not isinstance(obj, dict):
            raise ProtocolError("args must be an object")
        return cls(
            booking_id=_identifier(obj.get("booking_id"), "args.booking_id"),
            idempotency_key=_identifier(obj.get("idempotency_key"), "args.idempotency_key"),
            phone=_optional_phone(obj.get("phone")),
        )


@dataclass(frozen=True)
class RescheduleArgs:
    booking_id: str
    slot_id: str
    idempotency_key: str
    phone: str = ""
    # Optional patient fields the web app requires for the new appointment (wire.messages.PATIENT_FIELDS).
    email: str = field(default="", repr=False)
    national_id: str = field(default="", repr=False)
    birth_date: str = field(default="", repr=False)

    def fields(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in PATIENT_FIELDS if getattr(self, name)}

    def to_json(self) -> dict[str, Any]:
        out = {"booking_id": self.booking_id, "slot_id": self.slot_id, "idempotency_key": self.idempotency_key}
        if self.phone:
            out["phone"] = self.phone
        out.update(self.fields())
        return out

    @classmethod
    def from_json(cls, obj: Any) -> RescheduleArgs:
        if not isinstance(obj, dict):
            raise ProtocolError("args must be an object")
        return cls(
            booking_id=_identifier(obj.get("booking_id"), "args.booking_id"),
            slot_id=_identifier(obj.get("slot_id"), "args.slot_id"),
            idempotency_key=_identifier(obj.get("idempotency_key"), "args.idempotency_key"),
            phone=_optional_phone(obj.get("phone")),
            **patient_fields(obj, "args"),
        )


@dataclass(frozen=True)
class WireBooking:
    """One of the patient's upcoming appointments."""

    booking_id: str
    start: str
    end: str
    professional: str
    service: str = ""
    patient: str = ""  # the name the appointment is under, when the agent knows it
    was: str = ""  # the id it was told by while the bot was still writing it ("under-way:<key>"), for the bot's own

    def to_json(self) -> dict[str, Any]:
        out = {"booking_id": self.booking_id, "start": self.start, "end": self.end, "professional": self.professional}
        if self.service:
            out["service"] = self.service
        if self.patient:
            out["patient"] = self.patient
        if self.was:
            out["was"] = self.was
        return out

    def told_in(self, told: Collection[str]) -> bool:
        """Whether a patient told of ``told`` (ids) was told of this one, by its id or the one it had before."""
        return self.booking_id in told or (bool(self.was) and self.was in told)

    @classmethod
    def from_json(cls, obj: Any) -> WireBooking:
        if not isinstance(obj, dict):
            raise ProtocolError("a booking must be an object")
        return cls(
            booking_id=_identifier(obj.get("booking_id"), "booking.booking_id"),
            start=_iso_time(obj.get("start"), "booking.start"),
            end=_iso_time(obj.get("end"), "booking.end"),
            professional=_text(obj.get("professional"), "booking.professional", 120),
            service=_optional_text(obj.get("service"), "booking.service", 80),
            patient=_optional_text(obj.get("patient"), "booking.patient", 120),
            was=_identifier(obj["was"], "booking.was") if obj.get("was") is not None else "",
        )


@dataclass(frozen=True)
class MyBookingsResult:
    bookings: tuple[WireBooking, ...]

    def to_json(self) -> dict[str, Any]:
        return {"bookings": [b.to_json() for b in self.bookings]}

    @classmethod
    def from_json(cls, obj: Any) -> MyBookingsResult:
        if not isinstance(obj, dict) or not isinstance(obj.get("bookings"), list):
            raise ProtocolError("result.bookings must be a list")
        if len(obj["bookings"]) > MAX_BOOKINGS:
            raise ProtocolError(f"result.bookings holds more than {MAX_BOOKINGS}")
        return cls(bookings=tuple(WireBooking.from_json(b) for b in obj["bookings"]))


@dataclass(frozen=True)
class CancelResult:
    booking_id: str
    repeat: bool = False  # the key had already cancelled it: the first outcome, again

    def to_json(self) -> dict[str, Any]:
        return {"booking_id": self.booking_id, "repeat": self.repeat}

    @classmethod
    def from_json(cls, obj: Any) -> CancelResult:
        if not isinstance(obj, dict):
            raise ProtocolError("result must be an object")
        return cls(_identifier(obj.get("booking_id"), "result.booking_id"), bool(obj.get("repeat", False)))


@dataclass(frozen=True)
class RescheduleResult:
    booking_id: str  # the new appointment
    start: str
    end: str
    professional: str
    previous_cancelled: bool = True
    repeat: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "booking_id": self.booking_id, "start": self.start, "end": self.end, "professional": self.professional,
            "previous_cancelled": self.previous_cancelled, "repeat": self.repeat,
        }

    @classmethod
    def from_json(cls, obj: Any) -> RescheduleResult:
        if not isinstance(obj, dict):
            raise ProtocolError("result must be an object")
        previous = obj.get("previous_cancelled", True)
        if not isinstance(previous, bool):
            raise ProtocolError("result.previous_cancelled must be true or false")
        return cls(
            booking_id=_identifier(obj.get("booking_id"), "result.booking_id"),
            start=_iso_time(obj.get("start"), "result.start"),
            end=_iso_time(obj.get("end"), "result.end"),
            professional=_text(obj.get("professional"), "result.professional", 120),
            previous_cancelled=previous,
            repeat=bool(obj.get("repeat", False)),
        )


def _optional_phone(value: Any) -> str:
    if value is None or value == "":
        return ""
    if not isinstance(value, str) or not _PHONE_RE.match(value.strip()):
        raise ProtocolError("args.phone must be a phone number")
    return value.strip()


AppointmentArgs = MyBookingsArgs | CancelArgs | RescheduleArgs


def args_from_json(op: str, obj: Any) -> SlotsArgs | BookArgs | AppointmentArgs:
    """The args of any operation, validated; ProtocolError for an unknown op."""
    if op == "slots":
        return SlotsArgs.from_json(obj)
    if op == "book":
        return BookArgs.from_json(obj)
    if op == "my_bookings":
        return MyBookingsArgs.from_json(obj)
    if op == "cancel":
        return CancelArgs.from_json(obj)
    if op == "reschedule":
        return RescheduleArgs.from_json(obj)
    raise ProtocolError(f"unknown op {op!r}")
