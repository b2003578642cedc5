"""Which of the clinic's professionals a message names: by any word of the name, accents and case ignored."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from relay.conversation.freetext import Reading, normalize
from relay.conversation.menus import fold, is_title

_TITLE_FORMS = {"dr": ("dr", "doctor"), "dra": ("dra", "doctora")}


def match_professionals(reading: Reading, professionals: Sequence[str]) -> tuple[str, ...]:
    """Professionals the patient named: by surname (any name word); "Dra." tells Dra. Soto from Dr. Soto."""
    if not (reading.named or reading.words):
        return ()
    names = {p: name_words(p) for p in professionals}
    if reading.named:
        query = set(reading.named)
        found = [p for p, words in names.items() if query <= words] or [
            p for p, words in names.items() if query & words
        ]
    else:
        found = [p for p, words in names.items() if set(reading.words) & words]
    if reading.title and len(found) > 1:
        titled = [p for p in found if titled_as(reading.title, p)]
        found = titled or found
    return tuple(sorted(found))


def titled_as(title: str, professional: str) -> bool:
    """Whether the professional's name starts with that title ("dra": "Dra. Ana Soto")."""
    return bool(professional) and fold(professional.split()[0]).rstrip(".") in _TITLE_FORMS.get(title, ())


@lru_cache(maxsize=4096)  # every turn looks at the same few names
def name_words(name: str) -> frozenset[str]:
    """The words of a professional's name that identify them (no titles, initials or numbers)."""
    return frozenset(w for w in normalize(name).split() if not is_title(w) and len(w) > 1 and not w[:1].isdigit())
