"""Which of the clinic's professionals a message names: by any word of the name, accents and case ignored."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from relay.conversation.freetext import Reading, normalize
from relay.conversation.menus import fold, is_title

# A name as people write it: "Rosa Díaz", "María de la Fuente", "Tom Smith"
CAPITALISED_NAME = re.compile(r"[A-ZÁÉÍÓÚÑ][a-záéíóúñü'-]+(?:\s+(?:de\s+(?:la\s+)?)?[A-ZÁÉÍÓÚÑ][a-záéíóúñü'-]+){1,3}")
_TITLE_FORMS = {"dr": ("dr", "doctor"), "dra": ("dra", "doctora")}


def match_professionals(reading: Reading, professionals: Sequence[str]) -> tuple[str, ...]:
    """Professionals the patient named: by surname (any name word); "Dra." tells Dra. Soto from Dr. Soto."""
    if reading.named:
        return professionals_named(reading.named, reading.title, professionals)
    if not reading.words:
        return ()
    names = {p: name_words(p) for p in professionals}
    found = [p for p, words in names.items() if set(reading.words) & words]
    return _titled(found, reading.title)


def professionals_named(named: Sequence[str], title: str, professionals: Sequence[str]) -> tuple[str, ...]:
    """The professionals these name words name: all of the words if some have them all, else any of them."""
    query = set(named)
    names = {p: name_words(p) for p in professionals}
    found = [p for p, words in names.items() if query <= words] or [p for p, words in names.items() if query & words]
    return _titled(found, title)


def _titled(found: list[str], title: str) -> tuple[str, ...]:
    if title and len(found) > 1:
        found = [p for p in found if titled_as(title, p)] or found
    return tuple(sorted(found))


def titled_as(title: str, professional: str) -> bool:
    """Whether the professional's name starts with that title ("dra": "Dra. Ana Soto")."""
    return bool(professional) and fold(professional.split()[0]).rstrip(".") in _TITLE_FORMS.get(title, ())


# Titles that say a professional is a woman, or a man ("Klga. Paula Méndez", "Klgo. Andrés Muñoz")
_WOMAN_TITLES = frozenset(
    "dra doctora klga licda sra srta kinesiologa psicologa odontologa fonoaudiologa enfermera matrona mrs ms miss"
    .split()
)
_MAN_TITLES = frozenset(
    "dr doctor klgo licdo sr kinesiologo psicologo odontologo fonoaudiologo enfermero matron mr".split()
)


def women_first(professionals: Sequence[str]) -> tuple[str, ...]:
    """Of professionals some titled as women and some as men, all but the men ("la kinesióloga": Klga. Méndez, not
    Klgo. Muñoz); all of them when the titles do not tell both apart."""
    titles = {p: fold(p.split()[0]).rstrip(".") if p.split() else "" for p in professionals}
    if not set(titles.values()) & _WOMAN_TITLES or not set(titles.values()) & _MAN_TITLES:
        return tuple(professionals)
    return tuple(p for p in professionals if titles[p] not in _MAN_TITLES)


@lru_cache(maxsize=4096)  # every turn looks at the same few names
def name_words(name: str) -> frozenset[str]:
    """The words of a professional's name that identify them (no titles, initials or numbers)."""
    return frozenset(w for w in normalize(name).split() if not is_title(w) and len(w) > 1 and not w[:1].isdigit())
