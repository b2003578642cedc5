"""Whether a phone field of the clinic's web app is the patient's WhatsApp phone, however reception typed it.

"+56 9 1234 5678", "912345678" and "56912345678" are one phone: the shorter one's digits end the longer one's. Nine
digits at least must agree — a Chilean number without its country code — so a landline and a mobile that share
their last eight ("+56 2 2111 0090", "+56 9 2111 0090") are never taken for one patient: matching them would list,
and let someone cancel, another patient's appointment. A field may hold more than one number ("9 2111 0080 /
22 334 4556", "… anexo 12"): each is looked at. Pure.
"""

from __future__ import annotations

from wire.messages import phone_numbers_in

MIN_DIGITS = 9


def digits_of(phone: str) -> str:
    return "".join(c for c in phone if c.isdigit())


def numbers_in(field: str) -> list[str]:
    """The digits of each phone number a field holds, in order."""
    return [digits_of(number) for number in phone_numbers_in(field)]


def same_phone(one: str, other: str) -> bool:
    """Two phones' digits are one phone: equal, or the shorter (nine digits at least) ends the longer."""
    shorter, longer = sorted((one, other), key=len)
    return len(shorter) >= MIN_DIGITS and longer.endswith(shorter)


def field_has_phone(field: str, phone: str) -> bool:
    """The web app's phone field holds this phone (the patient's WhatsApp number)."""
    wanted = digits_of(phone)
    return bool(wanted) and any(same_phone(number, wanted) for number in numbers_in(field))


def phone_key(digits: str) -> str:
    """Where an index files a phone's digits: its last nine ("" for a number too short to tell patients apart)."""
    return digits[-MIN_DIGITS:] if len(digits) >= MIN_DIGITS else ""
