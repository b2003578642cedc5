"""A message that picks a menu's line by its place: "la segunda", "the first one", "opción 3", "2 por favor",
"la última". Pure, on a normalized message (lower case, no accents; number words may already be digits)."""

from __future__ import annotations

import re
from functools import lru_cache

LAST = -1  # "la última", "the last one"

_PLACES = {
    "primera": 1, "primero": 1, "primer": 1, "first": 1, "1ra": 1, "1ro": 1, "1a": 1, "1o": 1, "1st": 1,
    "segunda": 2, "segundo": 2, "second": 2, "2da": 2, "2do": 2, "2a": 2, "2o": 2, "2nd": 2,
    "tercera": 3, "tercero": 3, "tercer": 3, "third": 3, "3ra": 3, "3ro": 3, "3a": 3, "3o": 3, "3rd": 3,
    "cuarta": 4, "cuarto": 4, "fourth": 4, "4ta": 4, "4to": 4, "4th": 4,
    "quinta": 5, "quinto": 5, "fifth": 5, "5ta": 5, "5to": 5, "5th": 5,
    "sexta": 6, "sexto": 6, "sixth": 6, "6ta": 6, "6to": 6, "6th": 6,
    "septima": 7, "septimo": 7, "seventh": 7, "7ma": 7, "7mo": 7, "7th": 7,
    "ultima": LAST, "ultimo": LAST, "last": LAST,
}
_POLITE = re.compile(
    r"\b(?:por favor|porfa|porfis|porfavor|xfa|pls|plz|please|plis|(?:muchas |mil )?gracias|thanks|thank you"
    r"|many thanks|thanks a lot|ok|okay|dale|ya|bueno|perfecto|listo|great|perfect|po|pues|nomas|no mas)\b"
)
# "la segunda (opción)", "the first one", "opción 2", "el número 3": an article, a word for the line, the place.
_PLACE = re.compile(
    r"(?:(?P<article>la|el|lo|the|a)\s+)?(?:(?P<line>opcion|option|numero|number|nro|n|no|linea|line)\s+)?"
    r"(?:(?P<digit>\d{1,2})|(?P<word>[a-z0-9]+))"
    r"(?:\s+(?:opcion|option|one|de la lista|on the list|dia|day|linea|line))?"
)


# "la más temprano", "la más tarde" (with its article: "más tarde" alone asks for a later time): the first or last line
_EARLIEST = re.compile(r"\b(la|el|lo|the) (?:mas (?:temprano|pronto)|earliest)\b")
_LATEST = re.compile(r"\b(la|el|lo|the) (?:mas tarde|latest)\b")


@lru_cache(maxsize=4096)  # asked of every message at a menu: patients repeat the same few
def place_in_menu(norm: str) -> int | None:
    """The place a short message names (1-based, or ``LAST``), or None when it is not only that."""
    norm = _LATEST.sub(r"\1 ultima", _EARLIEST.sub(r"\1 primera", norm))
    text = " ".join(_POLITE.sub(" ", norm).replace(",", " ").split())
    if not text or len(text) > 40:
        return None
    match = _PLACE.fullmatch(text)
    if match is None:
        return None
    if match.group("digit"):
        # A bare number is read by the menus themselves (a line's number, a day of the month, an hour), and so is
        # "el 5" (a date); here a number with its politeness ("2 por favor") or a word for the line ("opción 2").
        number = int(match.group("digit"))
        if match.group("line"):
            return number or None
        if match.group("article") == "la":  # "la 2": the second line ("el 2" is a date, "a la 2" an hour)
            return number or None
        if match.group("article") in ("el", "the", "a") or text == norm:
            return None
        return number or None
    return _PLACES.get(match.group("word"))
