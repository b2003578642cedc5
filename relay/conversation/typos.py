"""Spelling tolerance: a patient's misspelt word is read as the nearest word the conversation knows.

Uses rapidfuzz (a small C extension, microseconds per word) rather than a language model: the relay reads every
message of every clinic, and the words that matter are few (days, months, parts of the day, intents,
specialties, the clinic's own professionals). Only words of 5 letters or more are corrected, by one edit (two
from 8 letters; two swapped letters count as one edit), so short everyday words ("hola", "dame") are never
turned into commands.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import OSA

MIN_LENGTH = 5

# Words the readers look for (accents folded, lower case). Names and specialties of the clinic are added per call.
KEYWORDS = frozenset(
    """
    lunes martes miercoles jueves viernes sabado domingo monday tuesday wednesday thursday friday saturday sunday
    enero febrero marzo abril junio julio agosto septiembre setiembre octubre noviembre diciembre january february
    march april june july august september october november december
    manana pasado tarde noche mediodia semana proxima proximo siguiente despues antes partir
    tomorrow today tonight morning afternoon evening after before until
    cancelar cancelarla cancelarlo anular desagendar desagendarla reagendar reprogramar cambiar cambiarla mover
    postergar posponer
    cancel reschedule change appointment appointments booking bookings
    recepcion recepcionista persona humano ejecutivo operador operadora secretaria receptionist person human
    someone somebody
    cualquier cualquiera profesional posible pronto primera disponible urgente earliest available soonest
    anytime whenever anyone anybody professional doctor doctora
    quiero necesito agendar reservar consulta atencion horario horarios
    puedo
    gracias perfecto confirmo confirmar correcto
    """.split()
)

# Everyday words that must stay as written although they are one edit from a keyword.
KNOWN = frozenset(
    """
    hola holaa buenas buenos gracias favor porfa quiero puede pueden pueda puedan tengo tiene necesito necesita
    quisiera queria podria sabado hijo hija mama papa esposa esposo marido mujer senora senor dolor
    nombre llamo tarda tardes noches mismo misma otras otros otra otro fecha horas citas turnos donde cuando
    cuanto cuesta valor precio where there these those would could should their thanks hello please
    right night about which other times think today month possible sooner whatever primero primer
    agendada agendado agendadas agendados reservada reservado tomada tomado cancelada cancelado anulada
    agendala agendalo reservala reservalo agendame reservame tomala tomalo
    quiera quieres quiere mande manda mandar manana
    sacado sacada sacados sacadas pasado pasada tomado quedado quede quedo anotado anotada hecho hecha
    pasas pasan pasar pasame cambias mueves tardes tarda meses cambiame cambiarme cambianos cambiarnos cambialo
    agendaron agendaste reservaron reservaste anotaron
    mananas schedule scheduled scheduling available availability appointed disappoint
    todas junto juntos juntas partes julia entero entera perdon perdona perdone perdoname coche cochera tardo
    calendar calendario calendars chance chances remember frida
    """.split()
)


def correct(text: str, extra: Iterable[str] = ()) -> str:
    """``text`` (already normalized) with each unknown long word replaced by the nearest keyword, if near."""
    extra_words = tuple(sorted({w for w in extra if len(w) >= MIN_LENGTH}))
    vocabulary = _vocabulary(extra_words)
    words = text.split(" ")
    changed = False
    for index, word in enumerate(words):
        squeezed = _squeezed(word, vocabulary)
        if squeezed:
            words[index] = word = squeezed
            changed = True
        if len(word) < MIN_LENGTH or not word.isalpha() or word in vocabulary or word in KNOWN:
            continue
        nearest = _nearest(word, extra_words)
        if nearest:
            words[index] = nearest
            changed = True
    return " ".join(words) if changed else text


_TITLE_WORDS = frozenset({"dr", "dra", "doctor", "doctora", "doc", "con", "with"})


# Short words worth un-stretching ("chaooo", "siii", "nooo"), besides the keywords.
_SHORT = frozenset("si no ok ya chao chau hola dale bye yes hi hey nop sip".split())


@lru_cache(maxsize=65_536)
def _squeezed(word: str, vocabulary: frozenset[str]) -> str:
    """A word typed with stretched letters ("holaa", "chaoo", "graciass") as the known word, else ""."""
    if len(word) < 3 or word in vocabulary or word in KNOWN or word in _SHORT or not _REPEAT.search(word):
        return ""
    for candidate in (_REPEAT_END.sub(r"\1", word), _REPEAT.sub(r"\1", word)):
        if candidate in vocabulary or candidate in KNOWN or candidate in _SHORT:
            return candidate
    return ""


_REPEAT = re.compile(r"(\w)\1+")
_REPEAT_END = re.compile(r"(\w)\1+$")


# Whom an appointment may be for, as a patient may misspell them after "mi" / "my" ("my doughter", "mi hermna"):
# each is a word of intents.RELATIVE (a test holds them to it)
RELATIVES_SPELT = tuple(sorted(
    """
    mama madre papa padre hijo hija hijos hijas esposo esposa marido senora pareja pololo polola novio novia abuelo
    abuela abuelito abuelita hermano hermana suegro suegra sobrino sobrina primo prima nieto nieta cunado cunada
    hijastro hijastra padrastro madrastra ahijado ahijada amigo amiga vecino vecina
    mother father daughter husband wife partner brother sister cousin nephew niece grandma grandmother grandpa
    grandfather grandson granddaughter boyfriend girlfriend friend neighbour neighbor auntie uncle
    """.split()
))
_AFTER_MY = re.compile(r"\b(mi|mis|my|su|his|her|our) ([a-z]{5,})\b")


def correct_relatives(text: str) -> str:
    """``text`` (normalized) with a misspelt relative after "mi" / "my" spelt right ("my doughter" -> "my daughter",
    "mi hermna" -> "mi hermana"): one edit, two from 8 letters; words the conversation knows stay."""
    return _AFTER_MY.sub(_relative_spelt, text)


def _relative_spelt(match: re.Match[str]) -> str:
    nearest = _nearest_relative(match.group(2))
    return f"{match.group(1)} {nearest}" if nearest else match.group(0)


@lru_cache(maxsize=4096)
def _nearest_relative(word: str) -> str:
    plural = word.endswith("s") and (word[:-1] in RELATIVES_SPELT or word[:-2] in RELATIVES_SPELT)
    if word in RELATIVES_SPELT or word in KNOWN or word in KEYWORDS or plural:
        return ""  # (never a plural made one: "mis padres", "my cousins" are several people)
    limit = 2 if len(word) >= 8 else 1
    best = process.extractOne(word, RELATIVES_SPELT, scorer=OSA.distance, score_cutoff=limit)
    return best[0] if best is not None else ""


def correct_names(text: str, names: Iterable[str], common: frozenset[str] = frozenset()) -> str:
    """A misspelt surname right after a title or "con" ("dra zoto", "doctor roja", "doctora sotto") as the name.

    Only where a name is expected, so everyday words stay as written: one edit (two from 7 letters). ``common``:
    words never taken for a misspelt name ("con cita" is not "con Rita").
    """
    known_names = tuple(sorted(n for n in names if len(n) >= 4))
    if not known_names:
        return text
    words = text.split(" ")
    changed = False
    for index in range(1, len(words)):
        word = words[index]
        if (len(word) < 4 or not word.isalpha() or word in known_names or words[index - 1] not in _TITLE_WORDS
                or word in KNOWN or word in KEYWORDS or word in common):
            continue
        limit = 2 if len(word) >= 7 else 1
        best = process.extractOne(word, known_names, scorer=OSA.distance, score_cutoff=limit)
        if best is not None:
            words[index] = best[0]
            changed = True
    return " ".join(words) if changed else text


@lru_cache(maxsize=256)
def _vocabulary(extra: tuple[str, ...]) -> frozenset[str]:
    return KEYWORDS | frozenset(extra)


@lru_cache(maxsize=256)
def _in_order(extra: tuple[str, ...]) -> tuple[str, ...]:
    """The vocabulary sorted: of two keywords as near ("cambiara": "cambiar", "cambiarla"), the first in this order
    wins, the same in every process (a set's order changes with Python's hash seed, and with it the reply)."""
    return tuple(sorted(_vocabulary(extra)))


@lru_cache(maxsize=65_536)  # patients repeat themselves: the same word is looked up once
def _nearest(word: str, extra: tuple[str, ...]) -> str:
    limit = 2 if len(word) >= 8 else 1
    best = process.extractOne(word, _in_order(extra), scorer=OSA.distance, score_cutoff=limit)
    return best[0] if best is not None else ""
