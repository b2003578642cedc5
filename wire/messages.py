"""The agent <-> relay wire protocol: JSON text frames, as pure code with no I/O.

Both sides import this module. The agent does not trust the relay, so every frame is
validated field by field here; a frame that does not fit raises ``ProtocolError`` and is
never acted upon. See ARCHITECTURE.md, "The wire protocol between agent and relay".
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any, Literal

from wire import json_text

MAX_FRAME_BYTES = 256 * 1024
# The deepest frame (a response carrying an error with alternative slots) nests 4 levels; room for additions.
MAX_DEPTH = 10
MAX_DAYS = 31
MAX_TIMEOUT_S = 120.0
MAX_TOLD = 50  # book args.told: the appointments a patient was told of

Op = Literal["slots", "book"]
OPS: tuple[str, ...] = ("slots", "book")

# "login_needs_person": the web app asks for a code, a captcha or a new password after the password (an older
# relay reads it as "unknown"; either way the agent answers each request with that error and the patient is handed off).
PortalState = Literal["ok", "login_failed", "locked", "down", "unknown", "login_needs_person"]
PORTAL_STATES: tuple[str, ...] = ("ok", "login_failed", "locked", "down", "unknown", "login_needs_person")

# Error codes an agent may answer with. A relay must treat an unknown code like "internal".
ERROR_CODES: tuple[str, ...] = (
    "slot_taken",
    "paused",
    "login_failed",
    "account_locked",
    "login_needs_person",
    "portal_down",
    "portal_changed",
    "bad_request",
    "timeout",
    "internal",
    "other_booking",
)
# Codes an agent answers only when it refused before touching the web app: nothing was written, even from an
# older agent that does not say ``nothing_written``.
REFUSED_BEFORE_WRITING: frozenset[str] = frozenset({"paused", "login_failed", "account_locked", "bad_request",
                                                    "slot_taken", "other_booking"})

_ID_RE = re.compile(r"^[A-Za-z0-9._:@+\-]{1,200}$")
_PHONE_RE = re.compile(r"^[0-9+()\-. ]{3,40}$")
_SURROGATE_RE = re.compile("[\ud800-\udfff]")
_CONTROL_RE = re.compile("[\x00-\x1f\x7f-\x9f]")
_CONTROL_BUT_WHITESPACE_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class ProtocolError(ValueError):
    """A frame that is not valid JSON or does not follow the wire protocol."""


# ---------------------------------------------------------------------------
# Values
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class WireSlot:
    """A free slot as it crosses the wire: ISO 8601 times with the clinic's UTC offset.

    ``specialty`` and ``service`` are optional (an older agent sends neither; an older relay ignores them).
    """

    id: str
    start: str
    end: str
    professional: str
    specialty: str = ""
    service: str = ""

    def to_json(self) -> dict[str, Any]:
        out = {"id": self.id, "start": self.start, "end": self.end, "professional": self.professional}
        if self.specialty:
            out["specialty"] = self.specialty
        if self.service:
            out["service"] = self.service
        return out

    @classmethod
    def from_json(cls, obj: Any) -> WireSlot:
        if not isinstance(obj, dict):
            raise ProtocolError("a slot must be an object")
        get = obj.get
        values = (get("id"), get("start"), get("end"), get("professional"), get("specialty"), get("service"))
        if cls is WireSlot and type(obj) is dict:
            try:
                hash(values)
            except TypeError:  # a list or an object where a text belongs: refused below
                pass
            else:
                return _slot_of(*values)
        return _checked_slot(cls, *values)

    def start_dt(self) -> datetime:
        return datetime.fromisoformat(self.start)

    def end_dt(self) -> datetime:
        return datetime.fromisoformat(self.end)


SLOTS_CACHED = 16_384  # validated slots kept: agents answer the same slots over and over, relays store them in states


# A slot is a pure function of its six values, so the same values (same types: ``typed``) give the same slot, and
# only a valid slot is kept (a refused one raises every time). A value that is not a string, or None for the
# optional ones, is refused: such a key never meets a kept one.
@lru_cache(maxsize=SLOTS_CACHED, typed=True)
def _slot_of(id: Any, start: Any, end: Any, professional: Any, specialty: Any, service: Any) -> WireSlot:
    return _checked_slot(WireSlot, id, start, end, professional, specialty, service)


def _checked_slot(
    cls: type[WireSlot], id: Any, start: Any, end: Any, professional: Any, specialty: Any, service: Any
) -> WireSlot:
    """The slot with these values, each validated in the wire's order; ``ProtocolError`` names the first fault."""
    slot_id = _identifier(id, "slot.id")
    start_at = _iso_datetime(start, "slot.start")
    end_at = _iso_datetime(end, "slot.end")
    fields = {
        "id": slot_id,
        "start": start,
        "end": end,
        "professional": _text(professional, "slot.professional", 120),
        "specialty": _optional_text(specialty, "slot.specialty", 80),
        "service": _optional_text(service, "slot.service", 80),
    }
    if end_at <= start_at:
        raise ProtocolError("slot.end must be after slot.start")
    if cls is not WireSlot:
        return cls(**fields)
    # What WireSlot(**fields) makes, without a frozen __init__'s six object.__setattr__ calls (a third of a parse).
    slot = object.__new__(WireSlot)
    object.__setattr__(slot, "__dict__", fields)
    return slot


# Patient fields a clinic's web app may require beyond name and phone (the driver declares which; the relay asks
# the patient for them). Optional on the wire: an older relay sends none, an older agent ignores them.
PATIENT_FIELDS: tuple[str, ...] = ("email", "national_id", "birth_date")
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_EMAIL_RE = re.compile(rf"^[^@\s]{{1,64}}@{_LABEL}(?:\.{_LABEL})+$")
_NATIONAL_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.\-]{3,23}$")


@dataclass(frozen=True)
class WirePatient:
    name: str
    phone: str
    email: str = ""  # optional (PATIENT_FIELDS): only when the clinic's web app needs them
    national_id: str = ""
    birth_date: str = ""  # ISO date

    def __repr__(self) -> str:  # personal data: never whole in a log or a traceback
        return f"WirePatient(name=<{len(self.name)} chars>, phone=***{self.phone[-2:]})"

    def fields(self) -> dict[str, str]:
        """The optional patient fields that are set: {"email": ..., ...}."""
        return {name: getattr(self, name) for name in PATIENT_FIELDS if getattr(self, name)}

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "phone": self.phone, **self.fields()}

    @classmethod
    def from_json(cls, obj: Any) -> WirePatient:
        if not isinstance(obj, dict):
            raise ProtocolError("patient must be an object")
        phone = obj.get("phone")
        if not isinstance(phone, str) or not _PHONE_RE.match(phone.strip()):
            raise ProtocolError("patient.phone must be a phone number")
        name = _text(obj.get("name"), "patient.name", 120)
        return cls(name=name, phone=phone.strip(), **patient_fields(obj, "patient"))


def patient_fields(obj: dict[str, Any], where: str) -> dict[str, str]:
    """The optional patient fields of ``obj`` (PATIENT_FIELDS), validated; absent or empty ones are ""."""
    email = _optional_text(obj.get("email"), f"{where}.email", 254)
    if email and not _EMAIL_RE.match(email):
        raise ProtocolError(f"{where}.email must be an e-mail address")
    national_id = _optional_text(obj.get("national_id"), f"{where}.national_id", 24)
    if national_id and not _NATIONAL_ID_RE.match(national_id):
        raise ProtocolError(f"{where}.national_id must be 4-24 letters, digits, dots and dashes")
    birth_date = _optional_text(obj.get("birth_date"), f"{where}.birth_date", 10)
    if birth_date:
        try:
            date.fromisoformat(birth_date)
        except ValueError:
            raise ProtocolError(f"{where}.birth_date must be an ISO date (YYYY-MM-DD)") from None
    return {"email": email, "national_id": national_id, "birth_date": birth_date}


@dataclass(frozen=True)
class WireService:
    """A service the clinic's web app offers, with its length (optional, reported with the slots)."""

    name: str
    minutes: int
    specialty: str = ""
    professional: str = ""  # "" : every professional offers it

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "minutes": self.minutes}
        if self.specialty:
            out["specialty"] = self.specialty
        if self.professional:
            out["professional"] = self.professional
        return out

    @classmethod
    def from_json(cls, obj: Any) -> WireService:
        if not isinstance(obj, dict):
            raise ProtocolError("a service must be an object")
        minutes = obj.get("minutes")
        if isinstance(minutes, bool) or not isinstance(minutes, int) or not 1 <= minutes <= 24 * 60:
            raise ProtocolError("service.minutes must be a whole number from 1 to 1440")
        return cls(
            name=_text(obj.get("name"), "service.name", 80),
            minutes=minutes,
            specialty=_optional_text(obj.get("specialty"), "service.specialty", 80),
            professional=_optional_text(obj.get("professional"), "service.professional", 120),
        )


# "Same as before" (optional on both sides): an agent may put a ``fingerprint`` in a full slots answer, a short digest
# of everything in it but ``age_s``. A relay that holds that answer sends the fingerprint back as ``args.known`` when
# it asks again; an agent whose answer to the question still has that fingerprint answers ``SlotsUnchanged``
# (``{"unchanged": <fingerprint>, "age_s": ...}``) instead of the whole answer. An older agent ignores ``known`` and
# answers in full; an older relay never sends it and ignores ``fingerprint``.
_FINGERPRINT_RE = re.compile(r"^[A-Za-z0-9_\-]{8,64}$")


@dataclass(frozen=True)
class SlotsArgs:
    days: int = 14
    professional: str | None = None
    specialty: str | None = None  # optional: only slots of that specialty / service
    service: str | None = None
    known: str | None = None  # optional: the fingerprint of the answer the relay holds (see SlotsUnchanged)
    # optional: keep the answer standing at the relay (SlotsUpdate frames on this connection); older agents ignore it
    watch: bool = False

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"days": self.days, "professional": self.professional}
        if self.specialty:
            out["specialty"] = self.specialty
        if self.service:
            out["service"] = self.service
        if self.known:
            out["known"] = self.known
        if self.watch:
            out["watch"] = True
        return out

    @classmethod
    def from_json(cls, obj: Any) -> SlotsArgs:
        if not isinstance(obj, dict):
            raise ProtocolError("args must be an object")
        days = obj.get("days", 14)
        if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
            raise ProtocolError(f"args.days must be a whole number from 1 to {MAX_DAYS}")
        professional = obj.get("professional")
        if professional is not None:
            professional = _text(professional, "args.professional", 120)
        specialty = _optional_text(obj.get("specialty"), "args.specialty", 80) or None
        service = _optional_text(obj.get("service"), "args.service", 80) or None
        known = obj.get("known")
        if known is not None:
            known = fingerprint_of(known, "args.known")
        watch = obj.get("watch", False)
        if not isinstance(watch, bool):
            raise ProtocolError("args.watch must be true or false")
        return cls(days=days, professional=professional, specialty=specialty, service=service, known=known,
                   watch=watch)


@dataclass(frozen=True)
class BookArgs:
    """``told`` (optional; an older relay sends none, an older agent ignores it): the ids of the phone's appointments
    the patient was told of before confirming this new booking. Given, the agent refuses the booking
    (``other_booking``, nothing written) when it knows another one for the phone at that moment (booked from another
    chat of the same phone an instant before, or seen at the desk): the relay's own check just before asking can
    pass for two chats at once; this one, made where both bookings meet, cannot."""

    slot_id: str
    patient: WirePatient
    idempotency_key: str
    told: tuple[str, ...] | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "slot_id": self.slot_id,
            "patient": self.patient.to_json(),
            "idempotency_key": self.idempotency_key,
        }
        if self.told is not None:
            out["told"] = list(self.told)
        return out

    @classmethod
    def from_json(cls, obj: Any) -> BookArgs:
        if not isinstance(obj, dict):
            raise ProtocolError("args must be an object")
        told = obj.get("told")
        if told is not None:
            if not isinstance(told, list) or len(told) > MAX_TOLD:
                raise ProtocolError(f"args.told must be a list of at most {MAX_TOLD} ids")
            told = tuple(_identifier(booking_id, "args.told[]") for booking_id in told)
        return cls(
            slot_id=_identifier(obj.get("slot_id"), "args.slot_id"),
            patient=WirePatient.from_json(obj.get("patient")),
            idempotency_key=_identifier(obj.get("idempotency_key"), "args.idempotency_key"),
            told=told,
        )


MAX_SERVICES = 200


@dataclass(frozen=True)
class SlotsResult:
    """The free slots, and (optional, an older agent sends none) what the relay needs to know with them:
    ``services`` the web app offers with their lengths, ``patient_fields`` its driver requires beyond name and
    phone (a subset of PATIENT_FIELDS; an unknown name is ignored), ``finds_bookings``: the agent can list a
    phone's appointments (``my_bookings``), so the relay checks for one before booking another; ``knows_bookings``:
    the agent answers ``my_bookings`` with ``known_only`` from what it knows (the appointments it booked, those its
    reads saw) even when its driver cannot look a phone up in the web app — that check, without the rest."""

    slots: tuple[WireSlot, ...]
    age_s: float
    services: tuple[WireService, ...] = ()
    patient_fields: tuple[str, ...] = ()
    finds_bookings: bool = False
    knows_bookings: bool = False

    @property
    def checks_bookings(self) -> bool:
        """Whether the relay can ask the agent, before a booking, for the appointments the phone already has."""
        return self.finds_bookings or self.knows_bookings

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"slots": [s.to_json() for s in self.slots], "age_s": round(self.age_s, 3)}
        out.update(self.extras_json())
        return out

    def extras_json(self) -> dict[str, Any]:
        """The optional fields that are set, as the wire carries them."""
        out: dict[str, Any] = {}
        if self.services:
            out["services"] = [s.to_json() for s in self.services]
        if self.patient_fields:
            out["patient_fields"] = list(self.patient_fields)
        if self.finds_bookings:
            out["finds_bookings"] = True
        if self.knows_bookings:
            out["knows_bookings"] = True
        return out

    @classmethod
    def from_json(cls, obj: Any) -> SlotsResult:
        if not isinstance(obj, dict) or not isinstance(obj.get("slots"), list):
            raise ProtocolError("result.slots must be a list")
        return cls(
            slots=tuple(WireSlot.from_json(s) for s in obj["slots"]),
            age_s=_non_negative(obj.get("age_s", 0.0), "result.age_s"),
            **extras_from_json(obj),
        )


def extras_from_json(obj: dict[str, Any]) -> dict[str, Any]:
    """SlotsResult's optional fields (services, patient_fields, finds_bookings, knows_bookings), validated."""
    services = obj.get("services", [])
    if not isinstance(services, list) or len(services) > MAX_SERVICES:
        raise ProtocolError(f"result.services must be a list of at most {MAX_SERVICES}")
    fields = obj.get("patient_fields", [])
    if not isinstance(fields, list) or not all(isinstance(f, str) for f in fields):
        raise ProtocolError("result.patient_fields must be a list of names")
    finds, knows = obj.get("finds_bookings", False), obj.get("knows_bookings", False)
    if not isinstance(finds, bool) or not isinstance(knows, bool):
        raise ProtocolError("result.finds_bookings and result.knows_bookings must be true or false")
    return {
        "services": tuple(WireService.from_json(s) for s in services),
        "patient_fields": tuple(f for f in PATIENT_FIELDS if f in fields),
        "finds_bookings": finds,
        "knows_bookings": knows,
    }


@dataclass(frozen=True)
class SlotsUnchanged:
    """agent -> relay, the result of a slots request that carried ``args.known``: the agent's answer still has that
    fingerprint, so the relay answers from the one it holds, with this fresh ``age_s``. A relay that no longer holds
    an answer with this fingerprint (restarted, evicted, replaced meanwhile) asks again without ``known``."""

    fingerprint: str
    age_s: float

    def to_json(self) -> dict[str, Any]:
        return {"unchanged": self.fingerprint, "age_s": round(self.age_s, 3)}

    @classmethod
    def from_json(cls, obj: Any) -> SlotsUnchanged | None:
        """The result as ``SlotsUnchanged``; None when it is not one (a full answer: ``SlotsResult``)."""
        if not isinstance(obj, dict) or "unchanged" not in obj:
            return None
        if "slots" in obj:
            raise ProtocolError("a result is either unchanged or carries slots, not both")
        fingerprint = fingerprint_of(obj["unchanged"], "result.unchanged")
        return cls(fingerprint, _non_negative(obj.get("age_s", 0.0), "result.age_s"))


MAX_FRESH_S = 3600.0  # slots_update.fresh_s: an answer stands an hour at most without a newer one


@dataclass(frozen=True)
class SlotsUpdate:
    """agent -> relay, only on a connection where the relay asked ``slots`` with ``args.watch``: the answer the agent
    would give that request (its ``days`` and ``professional``) right now, sent when it changes and after each read of
    the web app, so that the relay answers a patient's question without asking the agent each time.

    ``result``: a full answer with its ``fingerprint``, or ``SlotsUnchanged`` from the last one sent this way on this
    connection; None when no answer stands (paused, the web app not logged in, no fresh read): the relay asks, and
    hears why. ``fresh_s``: how long the answer stands without a newer update — past it the relay asks again.
    ``result`` is checked as a slots answer where it is used (relay.slot_answers), as a response's is."""

    days: int
    professional: str | None
    result: dict[str, Any] | None
    fresh_s: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {"type": "slots_update", "days": self.days, "professional": self.professional,
                "fresh_s": round(self.fresh_s, 3), "result": self.result}


def _decode_slots_update(obj: dict[str, Any]) -> SlotsUpdate:
    asked = SlotsArgs.from_json({"days": obj.get("days"), "professional": obj.get("professional")})
    result = obj.get("result")
    if result is not None and not isinstance(result, dict):
        raise ProtocolError("slots_update.result must be an object or null")
    fresh_s = min(_non_negative(obj.get("fresh_s", 0.0), "slots_update.fresh_s"), MAX_FRESH_S)
    return SlotsUpdate(asked.days, asked.professional, result, fresh_s)


def answer_fingerprint(obj: dict[str, Any]) -> str:
    """The optional ``fingerprint`` of a full slots answer ("" when the agent gave none)."""
    value = obj.get("fingerprint")
    return "" if value is None else fingerprint_of(value, "result.fingerprint")


def fingerprint_of(value: Any, name: str) -> str:
    if not isinstance(value, str) or not _FINGERPRINT_RE.match(value):
        raise ProtocolError(f"{name} must be 8-64 letters, digits, _ and -")
    return value


@dataclass(frozen=True)
class BookResult:
    booking_id: str
    start: str
    end: str
    professional: str
    repeat: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "booking_id": self.booking_id,
            "start": self.start,
            "end": self.end,
            "professional": self.professional,
            "repeat": self.repeat,
        }

    @classmethod
    def from_json(cls, obj: Any) -> BookResult:
        if not isinstance(obj, dict):
            raise ProtocolError("result must be an object")
        return cls(
            booking_id=_identifier(obj.get("booking_id"), "result.booking_id"),
            start=_iso_time(obj.get("start"), "result.start"),
            end=_iso_time(obj.get("end"), "result.end"),
            professional=_text(obj.get("professional"), "result.professional", 120),
            repeat=bool(obj.get("repeat", False)),
        )


@dataclass(frozen=True)
class WireError:
    code: str
    message: str
    alternatives: tuple[WireSlot, ...] = ()
    # A booking's error: True when the agent knows nothing was written in the web app (the outcome is final).
    # False (or absent, from an older agent) leaves it open: the relay asks again with the same key later.
    nothing_written: bool = False

    @property
    def certainly_unwritten(self) -> bool:
        """The web app certainly holds nothing of this request: the agent says so, or its code is one only given
        before touching the web app."""
        return self.nothing_written or self.code in REFUSED_BEFORE_WRITING

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.alternatives:
            out["alternatives"] = [s.to_json() for s in self.alternatives]
        if self.nothing_written:
            out["nothing_written"] = True
        return out

    @classmethod
    def from_json(cls, obj: Any) -> WireError:
        if not isinstance(obj, dict):
            raise ProtocolError("error must be an object")
        code = obj.get("code")
        if not isinstance(code, str) or not code:
            raise ProtocolError("error.code must be a string")
        if code not in ERROR_CODES:
            code = "internal"
        message = obj.get("message", "")
        if not isinstance(message, str):
            raise ProtocolError("error.message must be a string")
        # Free text (often an exception's, with a browser's colour codes in it): control characters go, not the frame.
        message = _CONTROL_BUT_WHITESPACE_RE.sub("", message)
        alternatives = obj.get("alternatives", [])
        if not isinstance(alternatives, list):
            raise ProtocolError("error.alternatives must be a list")
        nothing_written = obj.get("nothing_written", False)
        if not isinstance(nothing_written, bool):
            raise ProtocolError("error.nothing_written must be true or false")
        return cls(
            code=code,
            message=message[:500],
            alternatives=tuple(WireSlot.from_json(s) for s in alternatives),
            nothing_written=nothing_written,
        )


# ---------------------------------------------------------------------------
# Frames
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    """relay -> agent. ``timeout_s`` is relative: a clinic PC's clock may be minutes off."""

    id: str
    op: str
    timeout_s: float
    args: Any  # SlotsArgs | BookArgs, or one of wire.appointments' args

    def to_json(self) -> dict[str, Any]:
        return {
            "type": "request",
            "id": self.id,
            "op": self.op,
            "timeout_s": self.timeout_s,
            "args": self.args.to_json(),
        }


@dataclass(frozen=True)
class Response:
    """agent -> relay: either ``result`` (ok) or ``error``."""

    id: str
    ok: bool
    result: dict[str, Any] | None = None
    error: WireError | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "response", "id": self.id, "ok": self.ok}
        if self.ok:
            out["result"] = self.result or {}
        else:
            out["error"] = (self.error or WireError("internal", "")).to_json()
        return out

    def slots_result(self) -> SlotsResult:
        return SlotsResult.from_json(self.result)

    def book_result(self) -> BookResult:
        return BookResult.from_json(self.result)


@dataclass(frozen=True)
class Status:
    """agent -> relay, on connect and on every change."""

    paused: bool
    portal: str = "unknown"
    version: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    # Optional: the web app changed (a failed self-check), in the receptionist's words. While set, the relay hands
    # patients off with reason "portal_changed" instead of asking the agent. Older relays ignore it.
    portal_changed: str = ""

    def to_json(self) -> dict[str, Any]:
        out = {"type": "status", "paused": self.paused, "portal": self.portal, "version": self.version, **self.extra}
        if self.portal_changed:
            out["portal_changed"] = self.portal_changed
        return out


@dataclass(frozen=True)
class Outcome:
    """agent -> relay: the final outcome of the booking with idempotency ``key``, told once it is known.

    Sent for every booking, also when the relay stopped waiting (its deadline passed, it restarted) or the
    connection dropped before the answer left: the relay keeps it, so a patient who writes again hears the
    truth even while the agent is away. The agent repeats it on every reconnect until the relay acks it.
    """

    key: str
    ok: bool
    result: BookResult | None = None
    error: WireError | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "outcome", "key": self.key, "ok": self.ok}
        if self.ok:
            out["result"] = (self.result or BookResult("", "", "", "")).to_json()
        else:
            out["error"] = (self.error or WireError("internal", "")).to_json()
        return out


@dataclass(frozen=True)
class Ack:
    """Receipt of a frame that is re-sent until acknowledged (relay -> agent: an ``Outcome``, by its key)."""

    id: str

    def to_json(self) -> dict[str, Any]:
        return {"type": "ack", "id": self.id}


Frame = Request | Response | Status | Outcome | Ack | SlotsUpdate


def slots_request(id: str, args: SlotsArgs, timeout_s: float) -> Request:
    return Request(id=id, op="slots", timeout_s=timeout_s, args=args)


def book_request(id: str, args: BookArgs, timeout_s: float) -> Request:
    return Request(id=id, op="book", timeout_s=timeout_s, args=args)


def ok_response(id: str, result: SlotsResult | BookResult) -> Response:
    return Response(id=id, ok=True, result=result.to_json())


def error_response(
    id: str, code: str, message: str, alternatives: tuple[WireSlot, ...] = (), *, nothing_written: bool = False
) -> Response:
    return Response(id=id, ok=False, error=WireError(code=code, message=message, alternatives=alternatives,
                                                     nothing_written=nothing_written))


def encode(frame: Frame) -> str:
    return json_text.dumps(frame.to_json())


def decode(text: str | bytes) -> Frame:
    """Parse and validate one frame. Raises ``ProtocolError`` for anything off."""
    if isinstance(text, bytes):
        if len(text) > MAX_FRAME_BYTES:
            raise ProtocolError("frame too large")
        try:
            text = text.decode("utf-8", errors="strict")
        except UnicodeDecodeError:
            raise ProtocolError("a binary frame that is not UTF-8") from None
    if len(text) > MAX_FRAME_BYTES:
        raise ProtocolError("frame too large")
    obj = checked_json(text)
    if not isinstance(obj, dict):
        raise ProtocolError("a frame must be a JSON object")
    kind = obj.get("type")
    if kind == "request":
        return _decode_request(obj)
    if kind == "response":
        return _decode_response(obj)
    if kind == "status":
        return _decode_status(obj)
    if kind == "outcome":
        return _decode_outcome(obj)
    if kind == "ack":
        return Ack(id=_identifier(obj.get("id"), "id"))
    if kind == "slots_update":
        return _decode_slots_update(obj)
    if kind in ("event", "contacted"):  # follow-up frames (wire.handoff): optional, an older peer drops them
        from wire.handoff import decode_followup_frame

        return decode_followup_frame(obj)  # type: ignore[return-value]
    raise ProtocolError(f"unknown frame type {kind!r}")


def checked_json(text: str, max_depth: int = MAX_DEPTH) -> Any:
    """``json.loads`` for a peer's text: nesting beyond ``max_depth`` or a lone surrogate anywhere (key or
    value) is a ``ProtocolError``, never a RecursionError or a string that cannot be written back out."""
    try:
        obj = json_text.loads(text)
    except (ValueError, RecursionError) as exc:  # RecursionError: nested far too deep for the parser
        raise ProtocolError(f"not JSON: {type(exc).__name__}") from None
    _check_tree(obj, max_depth)
    return obj


_CONTAINERS = frozenset((dict, list))


def _check_tree(obj: Any, max_depth: int) -> None:
    if json_text.REFUSES_SURROGATES:
        _check_depth(obj, max_depth)
    else:
        _check_tree_and_strings(obj, max_depth)


def _check_depth(obj: Any, max_depth: int) -> None:
    """Nesting beyond ``max_depth`` is a ``ProtocolError``: walked a level at a time, the values of each level
    gathered and their types checked by C loops (``extend``, ``isdisjoint(map(...))``), since a frame is mostly
    strings (forty slots of four strings: a level of 160 values, no container among them, where the walk ends)."""
    level = [obj] if type(obj) is dict or type(obj) is list else []
    depth = 0
    while level:
        if depth >= max_depth:
            raise ProtocolError(f"nested deeper than {max_depth} levels")
        values: list[Any] = []
        for item in level:
            values.extend(item.values() if type(item) is dict else item)
        if _CONTAINERS.isdisjoint(map(type, values)):
            return
        level = [value for value in values if type(value) is dict or type(value) is list]
        depth += 1


def _check_tree_and_strings(obj: Any, max_depth: int) -> None:
    """As ``_check_depth``, and a lone surrogate in any key or string is a ``ProtocolError`` (the standard library's
    parse lets them through; orjson refuses them)."""
    stack: list[tuple[Any, int]] = [(obj, 0)] if type(obj) is dict or type(obj) is list else []
    if type(obj) is str and _SURROGATE_RE.search(obj):
        raise ProtocolError("a string holds a lone surrogate (not valid Unicode)")
    while stack:
        item, depth = stack.pop()
        if depth >= max_depth:
            raise ProtocolError(f"nested deeper than {max_depth} levels")
        if type(item) is dict:
            if any(_SURROGATE_RE.search(key) for key in item):
                raise ProtocolError("a string holds a lone surrogate (not valid Unicode)")
            children: Any = item.values()
        else:
            children = item
        for child in children:
            kind = type(child)
            if kind is dict or kind is list:
                stack.append((child, depth + 1))
            elif kind is str and _SURROGATE_RE.search(child):
                raise ProtocolError("a string holds a lone surrogate (not valid Unicode)")


def is_phone(text: str) -> bool:
    """Whether ``text`` is a phone number as a booking carries it (``patient.phone``)."""
    return _PHONE_RE.match(text.strip()) is not None and any(c.isdigit() for c in text)


_BETWEEN_NUMBERS = re.compile(r"[/,;|]|\b(?:y|o|or|and|anexo|ext|extension|int|interno)\b\.?", re.IGNORECASE)
_NOT_OF_A_NUMBER = re.compile(r"[^0-9+()\-. ]")


def phone_numbers_in(field: str) -> list[str]:
    """Each phone number a phone field holds, as written, in order: a field typed by hand may hold more than one
    ("+56 9 8765 4321 / +56 2 2345 6789", "9 2111 0080 y 22 334 4556") or an extension ("… anexo 12")."""
    parts = (_NOT_OF_A_NUMBER.sub(" ", part).strip(" .-") for part in _BETWEEN_NUMBERS.split(field))
    return [part for part in parts if any(c.isdigit() for c in part)]


def first_phone(text: str) -> str:
    """``text`` when it is one phone number; else the first number in it of 8 digits or more; else ``text``."""
    if is_phone(text):
        return text.strip()
    return next((number for number in phone_numbers_in(text) if sum(c.isdigit() for c in number) >= 8), text)


def has_control_characters(text: str, *, allow_whitespace: bool = False) -> bool:
    """C0 and C1 control characters and DEL; with ``allow_whitespace``, tab, newline and carriage return pass."""
    if text.isprintable():  # no control character is printable: the common case, without a regex
        return False
    pattern = _CONTROL_BUT_WHITESPACE_RE if allow_whitespace else _CONTROL_RE
    return pattern.search(text) is not None


def _decode_request(obj: dict[str, Any]) -> Request:
    rid = _identifier(obj.get("id"), "id")
    op = obj.get("op")
    timeout_s = obj.get("timeout_s")
    if isinstance(timeout_s, bool) or not isinstance(timeout_s, int | float):
        raise ProtocolError("timeout_s must be a number")
    if not math.isfinite(timeout_s) or not 0 < timeout_s <= MAX_TIMEOUT_S:
        raise ProtocolError(f"timeout_s must be between 0 and {MAX_TIMEOUT_S:g}")
    args_obj = obj.get("args", {})
    args: Any
    if op == "slots":
        args = SlotsArgs.from_json(args_obj)
    elif op == "book":
        args = BookArgs.from_json(args_obj)
    elif op in ("my_bookings", "cancel", "reschedule"):  # optional capabilities (wire.appointments)
        from wire.appointments import args_from_json

        args = args_from_json(str(op), args_obj)
    else:
        raise ProtocolError(f"unknown op {op!r}")
    return Request(id=rid, op=str(op), timeout_s=float(timeout_s), args=args)


def _decode_response(obj: dict[str, Any]) -> Response:
    rid = _identifier(obj.get("id"), "id")
    ok = obj.get("ok")
    if not isinstance(ok, bool):
        raise ProtocolError("ok must be true or false")
    if ok:
        result = obj.get("result")
        if not isinstance(result, dict):
            raise ProtocolError("result must be an object")
        return Response(id=rid, ok=True, result=result)
    return Response(id=rid, ok=False, error=WireError.from_json(obj.get("error")))


def _decode_outcome(obj: dict[str, Any]) -> Outcome:
    key = _identifier(obj.get("key"), "key")
    ok = obj.get("ok")
    if not isinstance(ok, bool):
        raise ProtocolError("ok must be true or false")
    if ok:
        return Outcome(key=key, ok=True, result=BookResult.from_json(obj.get("result")))
    return Outcome(key=key, ok=False, error=WireError.from_json(obj.get("error")))


MAX_CHANGED = 300  # status.portal_changed: one sentence


def _decode_status(obj: dict[str, Any]) -> Status:
    paused = obj.get("paused")
    if not isinstance(paused, bool):
        raise ProtocolError("status.paused must be true or false")
    portal = obj.get("portal", "unknown")
    if portal not in PORTAL_STATES:
        portal = "unknown"
    version = obj.get("version", "")
    if not isinstance(version, str) or has_control_characters(version):
        raise ProtocolError("status.version must be a string with no control characters")
    changed = obj.get("portal_changed", "")
    if not isinstance(changed, str) or has_control_characters(changed):
        raise ProtocolError("status.portal_changed must be a string with no control characters")
    return Status(paused=paused, portal=portal, version=version[:40], portal_changed=changed.strip()[:MAX_CHANGED])


# ---------------------------------------------------------------------------
# Field checks
# ---------------------------------------------------------------------------


def _identifier(value: Any, name: str) -> str:
    if not isinstance(value, str) or not _ID_RE.match(value):
        raise ProtocolError(f"{name} must be 1-200 characters of letters, digits and ._:@+-")
    return value


def _text(value: Any, name: str, limit: int) -> str:
    if not isinstance(value, str):
        raise ProtocolError(f"{name} must be a string")
    value = value.strip()
    if not value or len(value) > limit:
        raise ProtocolError(f"{name} must be 1-{limit} characters")
    if has_control_characters(value):
        raise ProtocolError(f"{name} must not hold control characters")
    return value


def _optional_text(value: Any, name: str, limit: int) -> str:
    """An optional text field: absent, null or empty is ""."""
    if value is None or value == "":
        return ""
    return _text(value, name, limit)


def _iso_time(value: Any, name: str) -> str:
    _iso_datetime(value, name)
    return value  # type: ignore[no-any-return]


def _iso_datetime(value: Any, name: str) -> datetime:
    if not isinstance(value, str):
        raise ProtocolError(f"{name} must be an ISO 8601 time")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ProtocolError(f"{name} must be an ISO 8601 time") from None
    if parsed.tzinfo is None:
        raise ProtocolError(f"{name} must carry a UTC offset")
    return parsed


def _non_negative(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
        raise ProtocolError(f"{name} must be a non-negative number")
    return float(value)
