"""Numbers and clock phrases written in words, rewritten as digits before the day and time are read.

"a las diez y media" -> "a las 10:30", "half past ten" -> "10:30", "a las 11 menos cuarto" -> "10:45",
"el quince" -> "el 15", "quarter to eleven" -> "10:45", "4ish" -> "around 4", "17 hs" / "10h" -> "17:00h" /
"10:00h" (a 24-hour time: the "h" tells freetext.py not to offer 22:00 too). Pure string rewriting on a
normalized message (lower case, no accents), Spanish and English alike.

Words that are also everyday words ("una", "one", "once" in English) are only read as numbers where a clock or
a date makes them one ("a la una", "at one", "las once", "el once").
"""

from __future__ import annotations

import re

_UNITS = {
    "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6, "siete": 7, "ocho": 8, "nueve": 9, "diez": 10,
    "doce": 12, "trece": 13, "catorce": 14, "quince": 15, "dieciseis": 16, "diecisiete": 17, "dieciocho": 18,
    "diecinueve": 19, "veinte": 20, "veintiuno": 21, "veintiun": 21, "veintidos": 22, "veintitres": 23,
    "veinticuatro": 24, "veinticinco": 25, "veintiseis": 26, "veintisiete": 27, "veintiocho": 28,
    "veintinueve": 29, "treinta": 30, "cuarenta": 40, "cincuenta": 50,
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
}
_SMALL = {"uno": 1, "un": 1, "una": 1, "one": 1, **{w: n for w, n in _UNITS.items() if n < 10}}
# Words that are numbers only next to a clock or a date word.
_GUARDED = {"una": 1, "uno": 1, "one": 1, "once": 11}
_ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13, "fourteenth": 14, "fifteenth": 15,
    "sixteenth": 16, "seventeenth": 17, "eighteenth": 18, "nineteenth": 19, "twentieth": 20, "thirtieth": 30,
    "primero": 1,
}

_WORD = "|".join(sorted(_UNITS, key=len, reverse=True))
_SMALL_WORD = "|".join(sorted(_SMALL, key=len, reverse=True))
_COMPOUND = re.compile(rf"\b(veinte|treinta|cuarenta|cincuenta|twenty|thirty|forty|fifty)(?: y | |-)({_SMALL_WORD})\b")
_CARDINAL = re.compile(rf"\b({_WORD})\b")
_ORDINAL = re.compile(
    r"\b(?:(twenty|thirty)[ -])?(" + "|".join(_ORDINALS) + r")\b"
)
_NOT_A_DATE = re.compile(
    r" (?:available|disponible|free|open|opening|slot|appointment|one|thing|hora|cita|turno|time|libre|que|in line)\b"
)
_GUARDED_BEFORE = re.compile(
    rf"\b(a la|la|las|el|dia|para el|tipo|at|around|by|before|after|until) ({'|'.join(_GUARDED)})\b"
)
_GUARDED_AFTER = re.compile(
    rf"\b({'|'.join(_GUARDED)}) (?=y (?:media|cuarto)\b|menos (?:cuarto|\d)|[ap] ?m\b|o ?clock\b|thirty\b|fifteen\b"
    r"|de la (?:tarde|manana|noche)\b)"
)
_ENGLISH_BEFORE = frozenset({"at", "around", "by", "before", "after", "until"})


def _guarded_before(match: re.Match[str]) -> str:
    prefix, word = match.group(1), match.group(2)
    if word == "once" and prefix in _ENGLISH_BEFORE:  # "at once": now, not 11 o'clock
        return match.group(0)
    if word == "one" and prefix not in _ENGLISH_BEFORE:
        return match.group(0)
    return f"{prefix} {_GUARDED[word]}"


def digits(text: str) -> str:
    """``text`` with numbers written in words turned into digits, and clock phrases into ``H:MM``."""
    text = _ORDINAL.sub(_ordinal, text)
    text = _GUARDED_BEFORE.sub(_guarded_before, text)
    text = _GUARDED_AFTER.sub(lambda m: f"{_GUARDED[m.group(1)]} ", text)
    text = _COMPOUND.sub(lambda m: str(_UNITS[m.group(1)] + _SMALL[m.group(2)]), text)
    text = _CARDINAL.sub(lambda m: str(_UNITS[m.group(1)]), text)
    return clock(text)


def _ordinal(match: re.Match[str]) -> str:
    start = match.start()
    before = match.string[max(0, start - 8):start]
    after = match.string[match.end():match.end() + 4]
    if _NOT_A_DATE.match(match.string, match.end()):
        return match.group(0)  # "the first available", "el primero disponible"
    if not (re.search(r"\b(?:the|el|on)\s*$", before) or after.startswith(" of") or after.startswith(" de")):
        return match.group(0)  # "a second opinion", "my first appointment"
    n = _ORDINALS[match.group(2)] + {"twenty": 20, "thirty": 30}.get(match.group(1) or "", 0)
    return f"{n}th"


_HOUR = r"([01]?\d|2[0-3])"
_CLOCK_REWRITES: tuple[tuple[re.Pattern[str], object], ...] = (
    # 4ish, 4-ish -> around 4
    (re.compile(rf"\b{_HOUR}\s*-?\s*ish\b"), lambda m: f"around {m.group(1)}"),
    # half past ten, quarter past nine, quarter to eleven
    (re.compile(rf"\b(?:a )?half past {_HOUR}\b(?![:.]\d)"), lambda m: f"{m.group(1)}:30"),
    (re.compile(rf"\b(?:a )?quarter past {_HOUR}\b(?![:.]\d)"), lambda m: f"{m.group(1)}:15"),
    # ten past three, 20 past 4, 25 minutes past 9 ("ten" is 10 by now); "half four" is 4:30 in Britain
    (re.compile(rf"\b([1-5]?\d) (?:minutes? )?past {_HOUR}\b(?![:.]\d)"),
     lambda m: f"{m.group(2)}:{int(m.group(1)):02d}" if 0 < int(m.group(1)) < 60 else m.group(0)),
    (re.compile(rf"\b(?:at|around|about|by|tipo) half {_HOUR}\b(?![:.]\d| ?(?:an|a)\b)"),
     lambda m: f"{m.group(0).split()[0]} {m.group(1)}:30"),
    (re.compile(rf"\b(?:a )?quarter (?:to|til|till|before) {_HOUR}\b(?![:.]\d)"),
     lambda m: _minus(int(m.group(1)), 15)),
    # cuarto para las 10, un cuarto pa las 10 (9:45: said so in Chile and Mexico, never the 10:00 itself)
    (re.compile(rf"\b(?:un )?cuarto (?:para|pa) (?:las?|the) {_HOUR}\b(?![:.]\d)"),
     lambda m: _minus(int(m.group(1)), 15)),
    # 11 menos cuarto, 11 menos 10
    (re.compile(rf"\b{_HOUR} menos (cuarto|\d{{1,2}})\b"),
     lambda m: _minus(int(m.group(1)), 15 if m.group(2) == "cuarto" else int(m.group(2)))),
    # 10 y media, 10 y cuarto, 10 y 20 (after a clock word)
    (re.compile(rf"\b{_HOUR} y (media|cuarto)\b"),
     lambda m: f"{m.group(1)}:{30 if m.group(2) == 'media' else 15:02d}"),
    (re.compile(rf"(?:\blas?|\bat|\btipo|\baround) {_HOUR} (?:y )?([0-5]\d)\b(?! (?:de|del|dias|days|min))"),
     lambda m: f"{m.group(0)[: m.start(1) - m.start(0)]}{m.group(1)}:{m.group(2)}"),
    # 17 hs, 10h, 16 hrs: a 24-hour time
    (re.compile(rf"\b{_HOUR}\s*(?:h|hs|hrs?)\b(?!\s*\d)"), lambda m: f"{int(m.group(1)):02d}:00h"),
    # 17h30 / 17:30 hs keep their minutes and say they are 24-hour
    (re.compile(rf"\b{_HOUR}\s*[:.]\s*([0-5]\d)\s*(?:h|hs|hrs?)\b"),
     lambda m: f"{int(m.group(1)):02d}:{m.group(2)}h"),
)


def _minus(hour: int, minutes: int) -> str:
    total = (hour * 60 - minutes) % (24 * 60)
    if hour == 1 and total < 60:  # "cuarto para la una", "quarter to one": 12:45 on the clock, never 00:45
        total += 12 * 60
    return f"{total // 60}:{total % 60:02d}"


def clock(text: str) -> str:
    """Clock phrases ("10 y media", "half past 10", "11 menos cuarto", "17 hs") as ``H:MM``."""
    for pattern, replace in _CLOCK_REWRITES:
        text = pattern.sub(replace, text)  # type: ignore[arg-type]
    return text
