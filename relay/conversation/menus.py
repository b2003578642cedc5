"""Days and times turned into WhatsApp-sized pages: at most 3 buttons of at most 20 characters.

A page shows every remaining item when at most 3 remain, else 2 items and a "more" button. Times are
read in the clinic's own UTC offset, which every slot carries: nothing here converts to the relay's zone.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import date, datetime, tzinfo
from functools import lru_cache
from typing import TypeVar

from wire.messages import WireSlot

MAX_BUTTONS = 3
MAX_LABEL = 20

# Leading words of a professional's name that are titles, kept when the name is shortened.
TITLES = frozenset(
    {
        "dr", "dra", "doctor", "doctora", "lic", "licda", "licdo", "klgo", "klga", "ps", "psic", "psicol",
        "nut", "enf", "tm", "prof", "mr", "mrs", "ms", "miss", "sr", "sra", "srta", "odont", "dds", "mg",
        "psicologo", "psicologa", "nutricionista", "kinesiologo", "kinesiologa", "odontologo", "odontologa",
        "enfermero", "enfermera", "matron", "matrona", "fonoaudiologo", "fonoaudiologa", "terapeuta",
        "odontopediatra", "dentista", "dentist", "nurse", "dr/a",
    }
)


def fold(text: str) -> str:
    """Lower case without accents: how names and labels are compared."""
    if len(text) <= _FOLD_CACHED:
        return _fold(text)
    return _fold.__wrapped__(text)


_FOLD_CACHED = 800  # characters: labels, names and messages as read (freetext.MAX_READ); a longer text is folded anew


@lru_cache(maxsize=16_384)  # the same labels, names and messages come back every turn
def _fold(text: str) -> str:
    if text.isascii():
        return text.casefold()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def is_title(word: str) -> bool:
    return fold(word).rstrip(".") in TITLES


# ---------------------------------------------------------------------------
# Clinic-local time
# ---------------------------------------------------------------------------


@lru_cache(maxsize=65_536)
def _parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text)


_FACTS = "_conversation_facts"


def _facts(slot: WireSlot) -> tuple[float, date, str]:
    """(timestamp, local day, "HH:MM") of the slot's start, worked out once per slot object.

    Kept in the slot's own ``__dict__`` (as ``functools.cached_property`` does; a frozen dataclass's fields, equality
    and hash ignore it), so the same slots seen turn after turn cost a dictionary look-up, and go with their slot.
    """
    try:
        kept = slot.__dict__
    except AttributeError:  # a slot without a __dict__
        return _facts_of(slot.start)
    facts: tuple[float, date, str] | None = kept.get(_FACTS)
    if facts is None:  # a slot never seen (a new answer): no exception raised for each of its slots
        facts = kept[_FACTS] = _facts_of(slot.start)
    return facts


@lru_cache(maxsize=65_536)
def _facts_of(start_text: str) -> tuple[float, date, str]:
    start = _parse_time(start_text)
    return start.timestamp(), start.date(), start.strftime("%H:%M")


def slot_start(slot: WireSlot) -> datetime:
    return _parse_time(slot.start)


def local_day(slot: WireSlot) -> date:
    """The slot's day in the clinic's offset (the one written in the slot)."""
    return _facts(slot)[1]


def clock(slot: WireSlot) -> str:
    return _facts(slot)[2]


def slot_key(slot: WireSlot) -> tuple[float, str, str]:
    """Order of the menus: time, then professional; also what a "more" page continues after."""
    return (_facts(slot)[0], slot.professional, slot.id)


def slot_keys(slots: Sequence[WireSlot]) -> list[tuple[float, str, str]]:
    """``slot_key`` of each slot: a new answer's slots, all at once (the same as one by one, at less cost)."""
    keys = []
    for slot in slots:
        kept = getattr(slot, "__dict__", None)
        facts = kept.get(_FACTS) if kept is not None else None
        if facts is None:
            facts = _facts_of(slot.start)
            if kept is not None:
                kept[_FACTS] = facts
        keys.append((facts[0], slot.professional, slot.id))
    return keys


def encode_slot_key(slot: WireSlot) -> tuple[str, ...]:
    return (slot.start, slot.professional, slot.id)


def decode_slot_key(key: Sequence[str]) -> tuple[float, str, str] | None:
    if len(key) != 3:
        return None
    try:
        return (_parse_time(key[0]).timestamp(), key[1], key[2])
    except ValueError:
        return None


def clinic_zone(slots: Sequence[WireSlot]) -> tzinfo | None:
    """The clinic's offset, from the earliest slot (nearest to now, so right across a DST change)."""
    if not slots:
        return None
    return slot_start(min(slots, key=slot_key)).tzinfo


def free_slots(slots: Iterable[WireSlot], now: datetime) -> tuple[WireSlot, ...]:
    """Slots that still lie ahead, each once, in the order the patient sees them."""
    unique: dict[str, WireSlot] = {}
    after = now.timestamp()
    for slot in slots:
        if _facts(slot)[0] > after and slot.id not in unique:
            unique[slot.id] = slot
    return tuple(sorted(unique.values(), key=slot_key))


# ---------------------------------------------------------------------------
# Labels
# ---------------------------------------------------------------------------


PARTICLES = frozenset(
    {"de", "del", "la", "las", "los", "da", "das", "do", "dos", "di", "du", "van", "von", "der", "le"}
)


_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "phd", "md", "msc"})
_PERSON_WORD = re.compile(r"[^\W\d_][^\W\d_.'’-]*(?:[.'’-][^\W\d_]*)*\.?")


def _name_units(words: list[str]) -> list[str]:
    """Words with their particles: "de la Fuente" is one surname, "Castillo y Soto" too."""
    units: list[str] = []
    pending: list[str] = []
    for word in words:
        if fold(word) in PARTICLES:
            pending.append(word)
        elif fold(word) == "y" and units and not pending:
            pending = [units.pop(), word]
        else:
            units.append(" ".join([*pending, word]))
            pending = []
    if pending:
        units.append(" ".join(pending))
    return units


def _initial(unit: str) -> str:
    main = unit.split(" ")[-1]
    return main[0] + "." if main else ""


@lru_cache(maxsize=16_384)  # the clinics' few professionals, at the few lengths menus leave them
def short_professional(name: str, limit: int) -> str:
    """The professional's name cut to ``limit`` characters sensibly: first names go before the title
    and the surname ("Dra. Ana Soto" -> "Dra. Soto"), and only then is the text cut."""
    name = " ".join(name.split())
    if len(name) <= limit:
        return name
    tokens = name.split(" ")
    if not all(_PERSON_WORD.fullmatch(t) for t in tokens):  # "Box 3 (procedimientos)": not a person's name
        return name[: max(limit - 1, 1)].rstrip() + "…"
    titles: list[str] = []
    while len(tokens) > 1 and is_title(tokens[0]):
        titles.append(tokens.pop(0))
    while len(tokens) > 1 and fold(tokens[-1]).rstrip(".") in _SUFFIXES:
        tokens.pop()
    units = _name_units(tokens)

    forms: list[list[str]] = []
    if len(units) >= 2:
        given = 1 if len(units) <= 3 else len(units) - 2  # with four names or more, the last two are surnames
        surnames = units[given:]
        forms.append([*(_initial(u) for u in units[:given]), *surnames])  # A. Soto Pérez
        forms.append(surnames)  # Soto Pérez
        if len(surnames) >= 2:
            forms.append([surnames[0], *(_initial(u) for u in surnames[1:])])  # Soto P.
        forms.append([surnames[0]])  # Soto
    elif units:
        forms.append(units)
    candidates: list[str] = []
    for title in dict.fromkeys([" ".join(titles), titles[-1] if titles else "", ""]):
        candidates.extend(" ".join(p for p in [title, *form] if p) for form in forms)
    for candidate in candidates:
        if 0 < len(candidate) <= limit:
            return candidate
    best = candidates[-1] if candidates else name
    return best[: max(limit - 1, 1)].rstrip() + "…" if limit > 1 else best[:limit]


def time_label(slot: WireSlot, with_professional: bool) -> str:
    """"10:30" or "10:30 Dra. Soto"."""
    text = clock(slot)
    if with_professional:
        text = f"{text} {short_professional(slot.professional, MAX_LABEL - len(text) - 1)}"
    return text


def unique_labels(labels: Sequence[str], reserved: Iterable[str] = ()) -> list[str]:
    """Labels of one message must differ (a tap is recognised by its text): number the repeats."""
    taken = {fold(r) for r in reserved}
    out: list[str] = []
    for label in labels:
        label = label[:MAX_LABEL]
        candidate, n = label, 1
        while fold(candidate) in taken:
            n += 1
            suffix = f" ({n})"
            candidate = label[: MAX_LABEL - len(suffix)].rstrip() + suffix
        taken.add(fold(candidate))
        out.append(candidate)
    return out


# ---------------------------------------------------------------------------
# Paging
# ---------------------------------------------------------------------------


T = TypeVar("T")


def page(items: Sequence[T], start: int) -> tuple[list[T], bool]:
    """The page beginning at ``start``: (items shown, whether a "more" button follows)."""
    rest = list(items[start:])
    if len(rest) <= MAX_BUTTONS:
        return rest, False
    return rest[: MAX_BUTTONS - 1], True
