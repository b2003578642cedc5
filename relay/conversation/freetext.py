"""What a patient's free text asks for: a day, a time, a professional, or a command.

Spanish and English are both understood whatever the clinic's language (patients mix them). The reader
only reports what it found; whether it is enough, or ambiguous, is decided by the flow against the free
slots. Dates are relative to ``today``, the turn's day in the clinic's offset.

Before reading, a message is normalized, WhatsApp shorthand expanded ("q", "pa", "tmrw"), numbers written in
words turned into digits (numbers.py), misspelt keywords and names corrected (typos.py, rapidfuzz), and the
days the patient rules out ("el lunes no puedo") cut out (negation.py). Relative days ("el otro jueves",
"Friday next week", "en 3 días", "este finde") are rewritten as dates and read with the others.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import lru_cache

from relay.conversation.evolve import evolve
from relay.conversation.intents import (
    ARRIVING_EARLY,
    FOR_WHOSE,
    RELATIVE,
    asks_about_clinic,
    detect,
    running_late,
    wants_several,
)
from relay.conversation.menus import TITLES, fold
from relay.conversation.negation import asks_another_day, may_rule_out, names_a_day, rule_out
from relay.conversation.not_wanted import answers_no, every_name_word, not_wanted
from relay.conversation.numbers import digits
from relay.conversation.specialties import SPECIALTY_WORDS, asks_for_a_woman, find_specialty
from relay.conversation.typos import KNOWN, correct, correct_names, correct_relatives

MAX_READ = 800  # characters of a message worth reading (a patient's whole story); the rest is noise

WEEKDAYS: dict[str, int] = {}
for _i, _names in enumerate(
    (
        ("lunes", "lun", "monday", "mon"),
        ("martes", "mar", "tuesday", "tue", "tues"),
        ("miercoles", "mie", "mier", "mierc", "wednesday", "wed", "weds"),
        ("jueves", "jue", "juev", "thursday", "thu", "thur", "thurs"),
        ("viernes", "vie", "vier", "friday", "fri"),
        ("sabado", "sab", "saturday", "sat"),
        ("domingo", "dom", "sunday", "sun"),
    )
):
    for _n in _names:
        WEEKDAYS[_n] = _i

MONTHS: dict[str, int] = {}
for _i, _names in enumerate(
    (
        ("enero", "ene", "january", "jan"),
        ("febrero", "feb", "february"),
        ("marzo", "mar", "march"),
        ("abril", "abr", "april", "apr"),
        ("mayo", "may"),
        ("junio", "jun", "june"),
        ("julio", "jul", "july"),
        ("agosto", "ago", "august", "aug"),
        ("septiembre", "setiembre", "sep", "sept", "set", "september"),
        ("octubre", "oct", "october"),
        ("noviembre", "nov", "november"),
        ("diciembre", "dic", "december", "dec"),
    ),
    start=1,
):
    for _n in _names:
        MONTHS[_n] = _i

_MONTH_RE = "|".join(sorted(MONTHS, key=len, reverse=True))
# "mar" before a number reads as "martes 3" (our own labels), not "marzo 3".
_MONTH_FIRST_RE = "|".join(sorted((m for m in MONTHS if m != "mar"), key=len, reverse=True))
_WEEKDAY_RE = "|".join(sorted(WEEKDAYS, key=len, reverse=True))
# The weekdays' whole names, as a pattern's alternatives (no abbreviation: "mar", "lun" are other words too)
WEEKDAY_NAMES = (r"lunes|martes|miercoles|jueves|viernes|sabado|domingo"
                 r"|monday|tuesday|wednesday|thursday|friday|saturday|sunday")

COMMANDS: dict[str, tuple[str, ...]] = {
    "cancel": (
        "cancelar", "cancela", "cancelo", "salir", "salgo", "no gracias", "ya no", "no quiero", "cancel", "exit",
        "quit", "stop", "no thanks",
    ),
    "back": (
        "volver", "vuelve", "atras", "otro dia", "otros dias", "otra fecha", "cambiar dia", "ver otros dias",
        "back", "go back", "other day", "other days", "another day", "different day",
        "wrong day",
    ),
    "more": (
        "mas", "mas dias", "mas horas", "mas horarios", "otras horas", "otro horario", "siguientes", "ver mas",
        "more", "more days", "more times", "next", "show more", "other times",
    ),
    "restart": ("menu", "inicio", "empezar", "de nuevo", "start", "start over", "restart", "empecemos de nuevo",
                "empezar de nuevo", "volvamos a empezar", "volver a empezar", "reiniciar", "partir de cero",
                "quiero partir de cero", "desde cero", "de cero", "me equivoque de doctor", "me equivoque de doctora",
                "me equivoque de profesional", "me equivoque de especialidad", "me equivoque de especialista",
                "wrong doctor"),
}

# Whom the appointment is for and their name ("para mi hija paula vega", "pa mi papá que se llama juan"): up to three
# words, not a title (the professional's: "para mi mamá, con la dra soto")
_RELATIVES_NAME = re.compile(
    rf"\b(?:para|pa|for) {FOR_WHOSE} {RELATIVE}\b(?: (?:que se llama|se llama|llamad[oa]|named))?"
    r"(?: (?!(?:dr|dra|doctor|doctora|dr a|con|with|de|del|el|la|y|e|and)\b)\w+){0,3}"
)
# Words that never name a professional, whatever the clinic's staff is called.
STOPWORDS = frozenset(
    """
    a al con de del el la las los lo un una y o e en para por que quiero querria necesito me gustaria puede ser
    hora horas cita turno dia dias hoy manana pasado tarde noche mediodia proximo proxima siguiente semana este
    esta ese esa hola viene buenas buenos gracias si no por favor porfa mejor tipo como mi mis tu su pero
    cualquier cualquiera antes despues desde partir hasta primera posible pronto quien quienes who whom
    the an at on in for with and or of to i id like would want need please today tomorrow morning afternoon
    evening noon next this that day days time times appointment hello hi thanks yes week night tonight my
    any anyone after before from until first earliest available
    am pm hrs hs h
    """.split()
) | frozenset(WEEKDAYS) | frozenset(MONTHS) | TITLES

# ("con el médico", "con la especialista", "with the physician": no one named, the words that lead to a name)
_LEAD_INS = frozenset("el la los las al lo the a an dr dra doctor doctora medico medica profesional especialista"
                      " physician gp".split()) | TITLES
# What follows "con" when it is not who: how the patient is or feels ("mi hija está con fiebre", "con urgencia").
_NEVER_NAMED = frozenset(
    """
    fiebre urgencia urgente apuro prisa dolor dolores tos gripe resfrio resfriado diarrea vomito vomitos mareo mareos
    nauseas molestia molestias problema problemas sintoma sintomas covid alergia alergias infeccion hinchazon herida
    sangre sangrado picazon ardor presion puntadas crisis ansiedad depresion estres insomnio fractura esguince
    lesion golpe pena susto cuidado calma tiempo ganas miedo receta orden examen examenes resultados licencia bono
    fonasa isapre seguro prevision convenio ella el ellos ellas mi mis su sus usted ustedes ustedes alguien nadie
    fever pain cough cold flu urgency hurry headache her him them
    tarjeta efectivo transferencia debito credito cheque card cash insurance transfer
    otro otra otros otras another other different distinto distinta woman man female male mujer hombre someone
    familiar general cabecera familia family
    somebody else same misma mismo
    mucho mucha muchos muchas harto harta hartos hartas bastante poco poca tanto tanta demasiado algo
    asi entonces pero porque pues ya ahora tambien ademas cuando donde
    """.split()
)
_NAME_JOINERS = frozenset("y o e u and or".split())


def name_after_con(tail: list[str]) -> tuple[str, ...]:
    """The name right after "con"/"with" ("con la dra. Soto o Rojas, cualquiera" -> soto, rojas): articles and titles
    skipped, then the words up to the first everyday word ("con el traumatólogo la próxima semana, idealmente en la
    tarde" names nobody). A name is what the patient wrote next, not every leftover word of the message."""
    named: list[str] = []
    index = 0
    while index < len(tail) and tail[index] in _LEAD_INS:
        index += 1
    for word in tail[index:]:
        if named and word in _NAME_JOINERS:
            continue
        if (word in STOPWORDS or word in KNOWN or word in _NEVER_NAMED or not word.isalpha()
                or word.endswith("mente")) and word not in TITLES:
            break
        if word not in TITLES:
            named.append(word)
        if len(named) == 4:
            break
    return tuple(named)


_OWN_NAME = re.compile(r"\b(?:soy|me llamo|mi nombre es|habla|i am|i m|my name is|this is)\s+")


def _own_name_out(text: str) -> str:
    """``text`` without the writer's own name ("soy Ana Pérez", "my name is Ana"): up to three words after it that
    are not everyday words ("soy paciente de la Dra. Soto" keeps her)."""
    found = _OWN_NAME.search(text)
    if found is None:
        return text
    rest = text[found.end():].split()
    taken = 0
    while taken < min(3, len(rest)) and rest[taken].isalpha() and rest[taken] not in STOPWORDS and rest[taken] not in (
            "paciente", "patient", "mama", "papa", "hijo", "hija", "esposa", "esposo"):
        taken += 1
    return text[:found.start()] + " " + " ".join(rest[taken:]) if taken else text


WINDOW_DAYS = 14  # "el lunes 3" is looked for this far ahead (the booking window)


@dataclass(frozen=True)
class Reading:
    """What one message asked for. Empty fields: not mentioned."""

    day: date | None = None
    times: tuple[tuple[int, int], ...] = ()  # candidates, the likelier first ("4" -> 04:00, 16:00)
    named: tuple[str, ...] = ()  # words after "con"/"with": the patient named a professional
    skip_named: tuple[str, ...] = ()  # name words of professionals not wanted ("pero no con la Dra. Soto")
    skip_title: str = ""  # "dr" / "dra" said with them
    title: str = ""  # "dr" / "dra" when the patient said it, to tell "Dr. Soto" from "Dra. Soto"
    woman: bool = False  # "la kinesióloga", "la doctora": a woman professional asked for, none named
    words: tuple[str, ...] = ()  # every other word, in case one is a professional's name
    any_professional: bool = False
    ambiguous: bool = False  # contradictory day or time ("mañana o el jueves")
    part: str = ""  # "am" / "pm" / "evening": "en la tarde" without an hour
    week: date | None = None  # "la próxima semana": the days from then
    intent: str = "none"  # see intents.INTENTS
    answer: str = ""  # "yes" / "no" when the whole message answers a yes/no question
    tentative: bool = False  # an intent to cancel read only from "no puedo ir" (see intents.py)
    earliest: bool = False  # "lo antes posible"
    latest: bool = False  # "lo más tarde posible": the day's last free time
    any_time: bool = False  # "cualquier hora": drop the day and time filters, keep the others
    after: str = ""  # "HH:MM": "después de las 4"
    before: str = ""  # "HH:MM": "antes de las 11"
    specialty: str = ""  # a key of specialties.SPECIALTIES
    missing_day: date | None = None  # "el lunes 3" with no Monday the 3rd in the window: the next 3rd
    missing_weekday: int = -1  # ... and the weekday asked for
    by_weekday: bool = False  # ``day`` is the next such weekday ("el viernes"), not a date or "mañana"
    skip_days: tuple[date, ...] = ()  # days of the window the patient ruled out ("menos el lunes": every Monday)
    skip_part: str = ""  # "am" / "pm" / "evening": the part of the day ruled out ("no puedo en la mañana")
    alternatives: tuple[date, ...] = ()  # with ``ambiguous``: the days named as alternatives ("lunes o miércoles")
    skip_times: tuple[tuple[int, int], ...] = ()  # times ruled out ("a las 12 no puedo"), of the day being chosen
    # Several people asked for, several times ("para mí y mi hijo a las 9 y 10"): ``times`` is the first one's, these
    # the next ones' (candidates, in order: the 10's)
    next_times: tuple[tuple[int, int], ...] = ()

    @property
    def found(self) -> bool:
        return bool(
            self.day or self.times or self.named or self.any_professional or self.part or self.week
            or self.earliest or self.latest or self.any_time or self.after or self.before or self.specialty
            or self.missing_day or self.skip_days or self.skip_part or self.alternatives or self.skip_times
            or self.skip_named
        )


def normalize(message: str) -> str:
    """Lower case, no accents, punctuation that matters for dates and times kept, spaces collapsed; a relative
    misspelt after "mi" / "my" spelt right ("my doughter": whom the appointment is for is read from it)."""
    return _normalize(message[:MAX_READ])


@lru_cache(maxsize=16_384)  # patients repeat a few messages ("1", "hola", "sí", button labels) a lot
def _normalize(message: str) -> str:
    text = fold(message)
    if _THUMBS.search(text) or _THANKS_EMOJI.search(text) or _THUMBS_DOWN.search(text):
        # alone, a yes (a thanks); beside words, nothing — but a thumbs down is a no wherever it is
        alone = not re.search(r"[a-z0-9]", _THUMBS_DOWN.sub("", _THUMBS.sub("", _THANKS_EMOJI.sub("", text))))
        text = _THANKS_EMOJI.sub(" gracias " if alone else " ", _THUMBS.sub(" si " if alone else " ", text))
        text = _THUMBS_DOWN.sub(" no ", text)  # (beside a yes too: "sí 👎" is no yes)
    text = re.sub(r"[^a-z0-9:./@' -]+", " ", text)
    text = re.sub(r"(?<![0-9])[.'](?![0-9])", " ", text)  # "Dra." -> "dra", but "10.30" stays
    return correct_relatives(" ".join(text.split()))


_THUMBS = re.compile("[\U0001F44D\U0001F44C\u2705\u2714]")  # a thumbs up, OK hand or check mark: yes
_THUMBS_DOWN = re.compile("[\U0001F44E\u274C\u274E\U0001F645\U0001F6AB]")  # a thumbs down, a cross, "no" gestured: no
_THANKS_EMOJI = re.compile("[\U0001F64F\u2764\U0001F970\U0001F60A\U0001F917]")  # folded hands, hearts, smiles


_DURATION = re.compile(
    r"\b(?:hace|desde hace|hace como|hace unas|durante|por|for|about|like|en) \d{1,2} (?:horas|hours|hrs|hs|h)\b"
)
_TWO_HOURS = re.compile(r"\blas? (\d{1,2}) y (\d{1,2})\b(?! (?:min|minutos)\b| de (?!la\b))")  # (not "…de dic")
_TWO_HOURS_EN = re.compile(r"\bat (\d{1,2}(?::\d\d)?) and (\d{1,2}(?::\d\d)?)\b(?! (?:min|minutes|days|weeks)\b)")
_HOW_MANY = re.compile(
    r"(?<!\blas )(?<!\bla )(?<!\ba )\b(?:[2-5]|dos|tres|cuatro|un par de)"
    r" (?:horas|citas|turnos|consultas|sesiones|hrs)\b"
)
# WhatsApp shorthand, word by word.
_SHORTHAND = {
    "q": "que", "k": "que", "xq": "porque", "pq": "porque", "porq": "porque", "pa": "para", "pal": "para el",
    "d": "de", "dnd": "donde", "tb": "tambien", "tmb": "tambien", "prox": "proxima", "prox.": "proxima",
    "sem": "semana", "xfa": "por favor", "xfavor": "por favor", "porfis": "por favor", "plis": "please",
    "pls": "please", "plz": "please", "tmr": "tomorrow", "tmrw": "tomorrow", "tmw": "tomorrow", "tmrow": "tomorrow",
    "2moro": "tomorrow", "2morrow": "tomorrow", "tomoz": "tomorrow", "tonite": "tonight", "2nite": "tonight",
    "appt": "appointment", "appts": "appointments", "apt": "appointment", "apts": "appointments", "u": "you",
    "ur": "your", "thx": "thanks", "thnx": "thanks", "ty": "thanks", "hra": "hora", "hrs.": "hrs", "mñn": "manana",
    "mnn": "manana", "mna": "manana", "ora": "hora", "oras": "horas", "xa": "para", "wk": "week", "nxt": "next",
    "aft": "afternoon",
    # A weekday clipped as said ("pal lune", "el juev"): too short for typos.py's corrections
    "lune": "lunes", "juev": "jueves", "vier": "viernes", "mier": "miercoles", "sab": "sabado", "dom": "domingo",
    # Spelt as said: "ola kiero ora kon medisina jeneral" (longer words are corrected by typos.py)
    "ola": "hola", "olaa": "hola", "kiero": "quiero", "kero": "quiero", "qiero": "quiero", "kisiera": "quisiera",
    "kon": "con", "ke": "que", "gral": "general", "gral.": "general", "sita": "cita", "sitas": "citas",
    "kuando": "cuando", "aora": "ahora",
    # A Brazilian patient's everyday words (the replies stay in the clinic's language)
    "sim": "si", "hoje": "hoy", "amanha": "manana", "obrigado": "gracias", "obrigada": "gracias", "preciso": "necesito",
    "uma": "una", "marcar": "agendar", "geral": "general", "noite": "noche", "nao": "no",
    "remarcar": "reagendar", "desmarcar": "cancelar", "quero": "quiero",
}
# "segunda-feira" is Monday, "de manhã" the morning ("segunda" alone stays "the second")
_PORTUGUESE = (
    (re.compile(r"\b(segunda|terca|quarta|quinta|sexta)[- ]?feira\b"),
     lambda m: {"segunda": "lunes", "terca": "martes", "quarta": "miercoles", "quinta": "jueves", "sexta": "viernes"}[
         m.group(1)]),
    (re.compile(r"\b(?:de|pela|na) manha\b"), lambda m: "en la manana"),
    (re.compile(r"\bclinico geral\b"), lambda m: "medicina general"),
    # "tenho uma consulta marcada?", "minhas consultas", "quero marcar uma consulta"
    (re.compile(r"\b(?:minhas|meus) consultas\b"), lambda m: "mis horas"),
    (re.compile(r"\b(?:minha|meu) consulta\b"), lambda m: "mi hora"),
    (re.compile(r"\b(?:eu )?tenho (?:uma |alguma )?consulta(?: marcada| agendada)?\b"), lambda m: "tengo hora"),
    (re.compile(r"\bja tenho consulta\b"), lambda m: "ya tengo hora"),
    (re.compile(r"\b(?:quero|queria|gostaria de) marcar (?:uma )?consulta\b"), lambda m: "quiero una hora"),
)
_PORTUGUESE_WORDS = re.compile(r"feira|manha|geral|\b(?:tenho|minhas?|meus?|quero|queria|gostaria|consultas"
                               r"|remarcar|desmarcar|obrigad[ao])\b")


def _two_hours(first: int, second: int) -> bool:
    """"las 9 y 10", "las 15 y 16" for two people: two hours, one each (never 9:10); "las 15 y 20", "las 15 y 30" are
    still 15:20 and 15:30 (the minutes people say), unless the hour after ("las 14 y 15")."""
    return first < second <= 12 or 13 <= first < second <= 23 and (second == first + 1 or second % 5 != 0)


def _prepare(message: str, names: frozenset[str]) -> str:
    """The normalized message with numbers in digits and misspelt keywords and names corrected."""
    text = normalize(message)
    if not text:
        return ""
    if _PORTUGUESE_WORDS.search(text):
        for pattern, said in _PORTUGUESE:
            text = pattern.sub(said, text)
    text = " ".join(_SHORTHAND.get(w, w) for w in text.split())
    text = re.sub(r"\bmanana o pasado\b(?! manana)", "manana o pasado manana", text)
    text = _DURATION.sub(" ", text)  # "me duele hace 2 horas" says how long, not when
    text = _HOW_MANY.sub(" ", text)  # "necesito 2 horas para mis hijos" says how many, not when
    if wants_several(text):  # "para mí y mi hijo a las 9 y 10": 9 and 10 o'clock, one each, never 9:10
        text = _TWO_HOURS.sub(lambda m: f"las {m[1]} y a las {m[2]}" if _two_hours(int(m[1]), int(m[2])) else m[0],
                              text)
        text = _TWO_HOURS_EN.sub(r"at \1 and at \2", text)  # "for me and my son at 9 and 10"
    text = digits(text)
    text = correct(text, [*names, *SPECIALTY_WORDS])
    return correct_names(text, names, STOPWORDS)


def command(norm: str) -> str | None:
    """'cancel', 'back', 'more' or 'restart' when the whole message is one of those commands."""
    text = norm.strip(" .!?")
    for name, phrases in COMMANDS.items():
        if text in phrases:
            return name
    return None


def wants_person(norm: str) -> bool:
    """A sentence asking to talk to someone at the clinic."""
    return detect(norm).intent == "person"


def read(
    message: str,
    today: date,
    bare_number: str = "",
    window_days: int = WINDOW_DAYS,
    names: Iterable[str] = (),
    staff: Iterable[Iterable[str]] = (),
) -> Reading:
    """Read an intent, a day, a time, a specialty and a professional from free text.

    ``bare_number`` says what a message that is only a number means: "day" (day of the month, on the day
    menu), "hour" (on the time menu) or "" (nothing). ``names``: words of the clinic's professionals' names,
    so a misspelt one is still recognised. ``staff``: the same words, a set per professional ("no con Lagos, Soto"
    rules out Dr. Lagos, not Dra. Soto); without it ``names`` are read as one person's.
    """
    groups = frozenset(frozenset(words) for words in staff) or frozenset({frozenset(names)})
    return _read_cached(message[:MAX_READ], today, bare_number, window_days, groups)


_NOT_ANYONE = re.compile(
    r"(?i)\b(?:no|not) (?:con|with) (?:cualquiera|cualquier otr[oa]|otr[oa]|nadie m[aá]s|anyone(?: else)?"
    r"|anybody(?: else)?|someone else|any other)\b"
    # "…pero no con la doctora" (no name): never read as asking for a woman doctor
    r"|\b(?:no|not) (?:con |with )?(?:el |la |the )?(?:dr|dra|doctor|doctora)\.?(?=\s*(?:[,;!?]|$))"
)
# The words of each professional's name, a set per professional
Staff = frozenset[frozenset[str]]
READINGS_CACHED = 16_384  # distinct (message, day, menu, clinic staff) readings kept


# A reading is a pure function of exactly these: the message as read (its first MAX_READ characters), the day relative
# days count from, what a bare number means, the window, and the staff's name words. Patients repeat themselves.
@lru_cache(maxsize=READINGS_CACHED)
def _read_cached(message: str, today: date, bare_number: str, window_days: int, staff: Staff) -> Reading:
    message = _RUN_TOGETHER_CLOCK.sub(r"\1 \2:\3", message)  # "a las 1030", "at 930am": for every reader below
    message = _BOTH_FOR.sub(" ", message)  # "…y medicina general, las dos para mí": a count of appointments
    message = _NOT_ANYONE.sub(" ", message)  # "con Soto, no con cualquiera": nobody else, never anyone
    reading = _read(message, today, bare_number, window_days, staff)
    if reading.intent == "reschedule" and (reading.ambiguous or (reading.day and reading.week)):
        # "tengo hora el jueves y quiero cambiarla para el viernes": the day after "para" is the new one
        folded = fold(message[:MAX_READ])
        targets = list(_TARGET.finditer(folded))
        if targets:
            target = targets[-1]
            wanted = _read(folded[target.start():], today, bare_number, window_days, staff)
            if (wanted.day or wanted.week) and not wanted.ambiguous:
                return evolve(
                    reading, day=wanted.day, week=wanted.week, times=wanted.times or reading.times,
                    part=wanted.part or reading.part, after=wanted.after or reading.after,
                    before=wanted.before or reading.before, ambiguous=False, missing_day=wanted.missing_day,
                    missing_weekday=wanted.missing_weekday, by_weekday=wanted.by_weekday,
                )
    if reading.ambiguous and _SELF_CORRECTION.search(fold(message[:MAX_READ])):
        corrected = _as_corrected(reading, message[:MAX_READ], today, bare_number, window_days, staff)
        if corrected is not None:
            return corrected
    return reading


def without_the_day_replaced(message: str) -> str | None:
    """The message without the day it says is replaced ("¿podemos el lunes en vez del jueves?", "could we do monday
    instead of thursday?": "¿podemos el lunes?"), None when it says none. For choosing a new appointment's day: a
    move's "instead of" names the appointment it moves, read from the whole message."""
    folded = fold(message[:MAX_READ])
    replaced = _INSTEAD_OF_A_DAY.search(folded)
    return None if replaced is None else folded[: replaced.start()] + " " + folded[replaced.end():]


_INSTEAD_OF_A_DAY = re.compile(
    rf"\b(?:en (?:vez|lugar) (?:de|del)|instead of)\s+(?:(?:el|la|mi|my|the|hora|cita|appointment|on)\s+)*"
    rf"(?:{WEEKDAY_NAMES}|manana|tomorrow)\b(?:\s+\d{{1,2}}\b)?"
)


# Hours and minutes typed without a separator, only right after "a las" / "at" (never a phone number or a year, nor a
# street number: "I live at 1030 Main Street")
_RUN_TOGETHER_CLOCK = re.compile(
    r"\b(a las|las|at)\s+([01]?\d|2[0-3])([0-5]\d)(?=(?:am|pm|hrs?|hs|h)?\b)"
    r"(?![^,.;:!?\d]{0,30}\b(?:street|st|road|rd|avenue|ave|lane|drive|blvd|boulevard|calle|avenida|pasaje)\b)",
    re.IGNORECASE,
)
_BOTH_FOR = re.compile(r"\b(?:las|los) (?:dos|tres|2|3) (?:para|pa) (?:m[ií]|nosotr[oa]s|ell[oa]s?|[eé]l)\b",
                       re.IGNORECASE)


# "el viernes 11... no, mejor el lunes 14", "a las 10, no no, a las 11", "mañana a las 9, perdón, a las 10": the
# patient takes back what came before; what follows wins.
_SELF_CORRECTION = re.compile(
    r"(?:^|[\s,.;:!?…]+)(?:(?:bueno|ah|ay|oh|uy)\s+)?no+(?:\s*[,.!…]*\s*no+)*\s*[,.!…]*\s*"
    r"(?:mejor dicho|mejor|perdon|digo|sorry|i mean|better)\b"
    r"|[\s,.;:!?…]+(?:bueno|ah|ay|uy)\s+no\b[\s,.!…]*"
    r"|[\s,.;:!?…]+no+\s*[,.!…]*\s*no+\b[\s,.!…]*"
    r"|[\s,.;:!?…]+(?:mejor dicho|perdon|digo|o sea|sorry|i mean)\s*[,.!…]+"
)


def _as_corrected(
    whole: Reading, message: str, today: date, bare_number: str, window_days: int, staff: Staff
) -> Reading | None:
    """The message read as its last corrected part, with the day said before when that part only names a time
    ("…el lunes 14 a las 10 y media. no no, a las 11": Monday 14 at 11); None when that part says no day or time."""
    parts = [p for p in _SELF_CORRECTION.split(fold(message)) if p and p.strip(" ,.;:!?…")]
    if len(parts) < 2:
        return None
    readings = [_read(part, today, bare_number, window_days, staff) for part in parts]
    last = readings[-1]
    if last.ambiguous or not (last.day or last.week or last.times or last.part or last.after or last.before):
        return None
    day, week = last.day, last.week
    if day is None and week is None:
        earlier = next((r for r in reversed(readings[:-1]) if r.day is not None and not r.ambiguous), None)
        day = earlier.day if earlier is not None else None
    return evolve(
        last, day=day, week=week, intent=whole.intent if whole.intent != "none" else last.intent,
        specialty=last.specialty or whole.specialty, named=last.named or whole.named,
        title=last.title or whole.title, words=last.words or whole.words,
        skip_named=last.skip_named or whole.skip_named, skip_title=last.skip_title or whole.skip_title,
        woman=last.woman or whole.woman and not (last.named or last.specialty),
    )


_HAD_ONE_WITH = re.compile(
    r"\b(?:tengo|tenia|tuve|tenemos|tiene|tenga|i have|i had)(?: una| mi| la| an| my)?"
    r" (?:hora|cita|turno|consulta|control|appointment|booking)\s*$"
)


def forget_readings() -> None:
    """Drop every memoized reading and normalized message."""
    _read_cached.cache_clear()
    _normalize.cache_clear()


_TARGET = re.compile(
    r"\b(?:para|al|a|to|for|hacia|until|till)\s+(?=(?:el |la |the |on |next |este |esta |otro |otra |proxim[oa] )?"
    r"(?:lunes|martes|miercoles|jueves|viernes|sabado|domingo|monday|tuesday|wednesday|thursday|friday|saturday"
    r"|sunday|manana|pasado|hoy|tomorrow|today|semana|week|next|proxim|\d))"
)


_POLITE_AROUND = re.compile(r"\b(?:por favor|porfa|porfis|please|pls|gracias|thanks|thank you|no mas|nomas)\b")


def _read(message: str, today: date, bare_number: str, window_days: int, staff: Staff) -> Reading:
    names = every_name_word(staff)
    text = _later_than_said(_prepare(message, names))
    if not text:
        return Reading()
    # "pero no con la Dra. Soto": read apart, and never read again as who is wanted, or as a "no"
    raw = fold(message[:MAX_READ])
    answers = answers_no(raw)
    text, skip_named, skip_title = not_wanted(text, staff, answers, raw)
    full = text
    ruled_out: tuple[str, ...] = ()
    folded = _spelled(negated_bounds(_later_than_said(raw)), names)
    first = detect(full, True) if may_rule_out(folded) else None
    first_intent = first.intent if first is not None else ""
    moved_on = False  # "I won't be able to make it thursday, the following week?": not kept, and when to go instead
    if first is not None and first.intent == "cancel" and first.tentative:
        kept, ruled_out = rule_out(folded)
        moved_on = (bool(ruled_out) and (names_a_day(kept) or asks_another_day(kept))
                    and not running_late(full))  # never "no llego a las 10, llego como a las 10:20"
        ruled_out = ruled_out if moved_on else ()
        if moved_on:
            text = not_wanted(_prepare(kept, names), staff, answers, raw)[0]
    if first_intent not in ("cancel", "my_bookings"):  # their days are the booking's
        kept, ruled_out = rule_out(folded)
        if ruled_out and first_intent == "reschedule" and not (names_a_day(kept) or asks_another_day(kept)):
            ruled_out = ()  # "cambiar de hora, no puedo el jueves": the day of the booking to move (never with "…,
            # ¿puedo ir la otra semana?", "…, ¿otro día?": that day ruled out of the new one as well)
        if ruled_out:
            text = not_wanted(_prepare(kept, names), staff, answers, raw)[0]
    skip_days, skip_part, skip_times = _ruled_out_when(ruled_out, today, window_days)
    ambiguous = False

    bare = re.fullmatch(r"(\d{1,2})", _POLITE_AROUND.sub("", text).strip())  # "11 porfa", "eleven please"
    if bare:
        n = int(bare.group(1))
        if bare_number == "day" and 1 <= n <= 31:
            day = _day_of_month(n, today)
            return Reading(day=day, ambiguous=day is None, intent="book")
        if bare_number == "hour" and 0 <= n <= 23:
            return Reading(times=_candidates(n, 0, "", padded=False), intent="book")
        return Reading()

    this_part = bool(_TODAY_PART.search(text))
    woman = asks_for_a_woman(text)
    specialty, text = find_specialty(text)
    text = _ANY_WORDS.sub(" ", text)
    several = wants_several(normalize(message))  # "para mí y mi hijo, a las 9 y a las 10": one time each
    text, times, time_ambiguous, part, after, before, next_times = _read_times(text, several)
    ambiguous |= time_ambiguous
    text, bound = _read_day_bound(text, today)
    text, week = _read_weeks(text, today)
    text = _relative_days(text, today)
    weekend = _WEEKEND.search(text)
    if weekend:
        text = text[: weekend.start()] + " " + text[weekend.end():]
    text, day, day_ambiguous, missing, by_weekday, alternatives = _read_days(text, today, window_days)
    ambiguous |= day_ambiguous
    if weekend and day is None and not ambiguous and not missing:  # a day said elsewhere wins over "el finde"
        day = today + timedelta(days=(5 - today.weekday()) % 7)
    if this_part and day is None and not ambiguous and not missing:  # "this afternoon", "esta tarde"
        day = today
    if bound is not None:
        # "el jueves trabajo, después del viernes puedo", "tengo hora el jueves, quiero otra después del viernes": a
        # day outside the bound is of something else; one inside it ("después del jueves, el viernes") is the ask
        if day is not None and not bound.holds(day):
            day, by_weekday = None, False
        alternatives = tuple(d for d in alternatives if bound.holds(d))
        if day is None and week is None:
            week = bound.first
    if week is None and re.search(r"\b(?:(?:la )?(?:proxima|siguiente|otra) (?:semana|week)|(?:the )?following week"
                                  r"|(?:la )?semana (?:que viene|proxima|siguiente|entrante)|the week after(?! next)"
                                  r"|next week)\b", text):
        week = today + timedelta(days=7 - today.weekday())
    elif week is None and re.search(r"\b(?:esta semana|this week)\b", text):
        week = today

    named: tuple[str, ...] = ()
    title = next((w for w in text.split() if w in ("dr", "dra", "doctor", "doctora")), "")
    title = {"doctor": "dr", "doctora": "dra"}.get(title, title)
    withs = list(re.finditer(r"\b(?:con|with)\s+", text))
    for n, with_match in enumerate(withs):  # "está con fiebre…, hora con la dra soto": the first "con" naming someone
        if n + 1 < len(withs) and _HAD_ONE_WITH.search(text[:with_match.start()]):
            continue  # "ya tengo hora con rojas, necesito otra con soto": the one they have is not the one wanted
        named = name_after_con(text[with_match.end():].split())
        if named:
            break
    if withs:
        text = text[: withs[0].start()]
    text = _RELATIVES_NAME.sub(" ", text)  # "para mi hija Paula Vega": her name, never Klga. Paula Méndez
    text = _own_name_out(text)  # "hola, soy Ana Pérez": hers, never Dra. Ana Soto
    words = tuple(w for w in text.split() if w not in STOPWORDS and not w[:1].isdigit() and len(w) > 1)
    if title and not named:  # "hora para la dra soto", "la doctora soto": named with a title, as after "con"
        named = tuple(w for w in words if w in names)
    a_name = bool(set(words) & names)
    said = (day or times or named or part or week or specialty or after or before or missing or a_name or ruled_out
            or alternatives or skip_named)
    if specialty and not (said_when := day or times or named or part or week or after or before or missing or a_name):
        if asks_about_clinic(full) and not said_when:  # "¿cuánto cuesta una limpieza dental?"
            said, specialty = "", ""
    wishes = detect(full, bool(said))
    if moved_on and wishes.intent == "cancel" and wishes.tentative:
        wishes = replace(wishes, intent="reschedule", tentative=False)
    if wishes.any_professional:
        named = ()
    if wishes.intent in ("person", "stop"):
        named, words = (), ()
    return Reading(
        day=day,
        times=times,
        named=named,
        skip_named=skip_named,
        skip_title=skip_title,
        title=title,
        woman=woman and not named,
        words=words,
        any_professional=wishes.any_professional,
        ambiguous=ambiguous,
        part=part,
        week=week,
        by_weekday=by_weekday and not weekend,
        intent=wishes.intent,
        answer=wishes.answer,
        tentative=wishes.tentative,
        earliest=wishes.earliest,
        latest=wishes.latest,
        any_time=wishes.any_time,
        after=after,
        before=before,
        specialty=specialty,
        missing_day=missing[0] if missing else None,
        missing_weekday=missing[1] if missing else -1,
        skip_days=tuple(d for d in skip_days if d != day),
        alternatives=alternatives if day_ambiguous and not time_ambiguous else (),
        skip_part=skip_part if not (part or after or before) else "",
        skip_times=tuple(t for t in skip_times if t not in times),
        next_times=next_times,
    )


def _spelled(folded: str, names: frozenset[str]) -> str:
    """The folded message, its punctuation kept, with misspelt keywords corrected as ``_prepare`` does: the days
    ruled out are read from it ("no puedo ir el jeves, …" is Thursday ruled out, never Thursday asked for)."""
    return _LONG_WORD.sub(lambda word: _spelled_word(word[0], names), folded)


_LONG_WORD = re.compile(r"[a-z]{5,}")


# The words a day is ruled out with: only these are put right there ("imposible" stays, never "posible")
_RULING_WORDS = frozenset(
    "lunes martes miercoles jueves viernes sabado domingo monday tuesday wednesday thursday friday saturday sunday"
    " manana tarde noche mediodia semana proxima siguiente tomorrow today tonight morning afternoon evening puedo"
    .split()
)


@lru_cache(maxsize=16_384)
def _spelled_word(word: str, names: frozenset[str]) -> str:
    spelled = correct(word, [*names, *SPECIALTY_WORDS])
    return spelled if spelled in _RULING_WORDS else word


def days_ruled_out(message: str, today: date, window_days: int = WINDOW_DAYS) -> tuple[date, ...]:
    """The days of the window the message says the patient cannot come ("no puedo ir el jueves, …"), whatever else
    it asks — also the day of an appointment to move ("cambiar de hora, no puedo el jueves") — except a day it asks
    for again ("no puedo el jueves, ¿el jueves de la otra semana?")."""
    folded = _spelled(negated_bounds(_later_than_said(fold(message[:MAX_READ]))), frozenset())
    kept, ruled_out = rule_out(folded)
    days = _ruled_out_when(ruled_out, today, window_days)[0] if ruled_out else ()
    asked = read(kept, today, window_days=window_days).day if days else None
    return tuple(d for d in days if d != asked)


def days_from(today: date, count: int) -> list[date]:
    """``count`` days from ``today`` (the agenda's window, when ``count`` is its length)."""
    return [today + timedelta(days=n) for n in range(count)]


_PARTS_PLURAL = re.compile(r"\b(?:(?:en|por) )?(?:las |los )?(tarde|manana|noche)s\b")
_EACH_RULED_OUT = re.compile(r"\s*(?:,|\b(?:ni|nor|o|or|u|y|e|and)\b)\s*")


def _ruled_out_when(
    phrases: Sequence[str], today: date, window_days: int
) -> tuple[tuple[date, ...], str, tuple[tuple[int, int], ...]]:
    """The days of the window, the part of the day and the times that phrases the patient ruled out name: "el lunes"
    every Monday, "mañana" tomorrow, "el fin de semana" Saturdays and Sundays, "la próxima semana" its days, "en la
    mañana" the morning, "a las 12" that time (of the day being chosen). A day with a part or a time ("el lunes en
    la mañana") rules out none of them: too fine to act on."""
    days: set[date] = set()
    parts: set[str] = set()
    times: set[tuple[int, int]] = set()
    window = days_from(today, window_days)
    # "los viernes ni en la mañana", "Mondays or mornings": each one ruled out on its own (Fridays, and mornings),
    # not one Friday morning
    for each in (one for phrase in phrases for one in _EACH_RULED_OUT.split(phrase) if one.strip()):
        text = _prepare(_PARTS_PLURAL.sub(r"en la \1", each), frozenset())  # "las tardes": the afternoons
        text, clocks, _, part, _, _, _ = _read_times(text)
        text, week = _read_weeks(text, today)
        text = _relative_days(text, today)
        weekend = _WEEKEND.search(text)
        text, day, ambiguous, _, by_weekday, alternatives = _read_days(text, today, window_days)
        by_weekday = by_weekday and not _THIS_WEEKDAY.search(each)  # "no puedo ir este jueves": that one only
        if re.search(rf"\b{_NEXT_WEEK}\b", text):
            week = today + timedelta(days=7 - today.weekday())
        elif re.search(r"\b(?:esta semana|this week)\b", text):
            week = today
        named = [d for d in window if weekend and d.weekday() >= 5]
        if day is not None and not ambiguous:
            named = [d for d in window if d.weekday() == day.weekday()] if by_weekday else [day]
        elif alternatives:  # "el jueves y el viernes": every one of them
            named = [d for d in window if d in alternatives]
        elif week is not None:
            named = [d for d in window if week <= d < week - timedelta(days=week.weekday()) + timedelta(days=7)]
        if named and not part and not clocks:
            days.update(named)
        elif clocks and not named and week is None:
            times.update(clocks)
        elif part and not named and week is None:
            parts.add(part)
    return tuple(sorted(days)), next(iter(parts)) if len(parts) == 1 else "", tuple(sorted(times))


_THIS_WEEKDAY = re.compile(rf"\b(?:este|this) (?:{WEEKDAY_NAMES})\b")
_TODAY_PART = re.compile(r"\b(?:this (?:afternoon|morning|evening)|tonight|esta (?:tarde|manana|noche)|later today)\b")

# Phrases read by intents.py that must not leave words behind for the professional's name.
_ANY_WORDS = re.compile(
    r"\b(?:(?:a )?cualquier (?:hora|horario|momento|dia|profesional|doctor|doctora|medic[oa]|especialista|persona)"
    r"|con cualquiera|cualquiera|quien sea|da igual|me da lo mismo|no importa|sin preferencia|lo antes posible"
    r"|(?:el|la) (?:doctor|doctora|profesional|medic[oa]) que (?:este|haya|tenga)\w*(?: disponible| libre)?"
    r"|cuanto antes|lo mas pronto|(?:la )?(?:primera|proxima) (?:hora|cita|fecha|turno) (?:disponible|libre)"
    r"|anyone|anybody|any ?time|whenever|no preference|as soon as possible|asap)\b"
)


# ---------------------------------------------------------------------------
# Times
# ---------------------------------------------------------------------------

_PM = r"(?:p\s?\.?\s?m\b\.?)"
_AM = r"(?:a\s?\.?\s?m\b\.?)"
# "good morning" greets, it does not ask for the morning.
_EVENING_WORDS = (
    r"\b(?:(?:de|en|por|a|x) la noche(?:cita)?|(?:(?:en|por|a|todas) )?las noches|(?<!good )evening|tonight"
    r"|despues del trabajo|after work)\b"
)
_ARRIVING_EARLY = re.compile(rf"\b{ARRIVING_EARLY}\b")
_PM_WORDS = (
    r"\b(?:(?:de|en|por|a|x) la tarde(?:cita)?|(?:(?:en|por|a|todas) )?las tardes|(?<!good )afternoon|arvo"
    r"|tarde(?:cita)?|noche)\b"
)
_AM_WORDS = (
    r"\b(?:(?:(?:de|en|por|a|x|durante|toda|para) )?la manana(?:ita)?|(?:(?:en|por|a|todas) )?las mananas"
    r"|cualquier manana|media manana"
    r"|(?<!good )morning|temprano|early(?! (?:afternoon|evening))|a primera hora|first thing)\b"
)
_HALF = r"(?:\s+y\s+(media|cuarto))?"
_CLOCK = (
    r"(?:las?\s+|the\s+)?([01]?\d|2[0-3])(?:\s*[:.h]\s*([0-5]\d))?(?!\d)\s*(?:hrs?\b|hs\b|horas\b|h\b)?"
    rf"\s*({_AM}|{_PM})?"
)
_AFTER = re.compile(
    rf"\b(?:despues de|a partir de|desde|mas tarde (?:de|que)|pasad[ao]s? las|after|from|later than|past)\s+{_CLOCK}"
)
_AFTER_ONWARDS = re.compile(
    rf"\b(?:de\s+|desde\s+|from\s+)?{_CLOCK}\s+(?:en adelante|para adelante|pa(?:ra)? delante|onwards?|or later)\b"
)
_BEFORE = re.compile(rf"\b(?:antes de|hasta|before|by|until|no mas tarde de|not later than)\s+{_CLOCK}")
_AFTER_WORDS = (
    (re.compile(r"\b(?:despues (?:de|del) (?:almuerzo|almorzar|la comida|comer)|after lunch)\b"), "14:00"),
    (re.compile(r"\b(?:despues (?:de|del) mediodia|after noon)\b"), "12:00"),
)
_BEFORE_WORDS = (
    (re.compile(r"\b(?:antes (?:de|del) (?:almuerzo|almorzar|mediodia|las doce)|before (?:lunch|noon))\b"), "12:00"),
)

_TIME_PATTERNS = (
    # 10:30, 10.30, 10h30, 4:30pm
    re.compile(rf"\b([01]?\d|2[0-3])\s*[:.h]\s*([0-5]\d)(?!\d)\s*({_AM}|{_PM})?(h\b)?"),
    # 4pm, 4 p.m.
    re.compile(rf"\b(1[0-2]|0?[1-9])\s*({_AM}|{_PM})"),
    # a las 4, las 4 y media, at 10, @10
    re.compile(
        rf"(?:\ba\s+las?|\blas?|\bat|@|\bto\s+las?|\btipo|\baround|\bcerca de las|\b(?:how|what) about)\s*"
        rf"([01]?\d|2[0-3])\b(?![:./-]\d)"
        rf"{_HALF}"
    ),
    # 10 hrs, 10 horas, 10 o'clock, 10 y media
    re.compile(rf"\b([01]?\d|2[0-3])\s*(?:hrs?\b|hs\b|horas\b|o ?clock\b|(?=\s+y\s+(?:media|cuarto)\b)){_HALF}"),
)


def _read_times(
    text: str, several: bool = False
) -> tuple[str, tuple[tuple[int, int], ...], bool, str, str, str, tuple[tuple[int, int], ...]]:
    """(rest of the text, time candidates, contradictory, part of the day, after "HH:MM", before "HH:MM", the next
    people's time candidates). With ``several`` people asked for, of two times the first (one appointment at a time),
    the others the next ones'."""
    marker = ""
    part = ""
    text = _DAY_MARKER.sub(lambda m: f"{m.group(1)} {'en la manana' if m.group(2) == 'am' else 'en la tarde'}", text)
    text = _WORDED_BOUND.sub(_worded_bound, text)  # before "tarde" is read as the afternoon
    text = negated_bounds(text)
    text = re.sub(r"\b(?:early|late|temprano en la|a media) (afternoon|evening|tarde)\b", r"\1", text)
    text = _ARRIVING_EARLY.sub(" ", text)  # "can I come 15 min early?": when to arrive, not the morning
    text = _NOT_SO_LATE.sub(" ", text)  # "no tan tarde, tipo 10 y media": not the afternoon
    text = _OWN_PM.sub(r"\1 pm", text)  # "las 5 de la tarde": the hour's own marker, not a part of the day
    text = _OWN_AM.sub(r"\1 am", text)
    bounds = {"after": "", "before": ""}
    between = _BETWEEN.search(text)
    if between:
        bounds["after"], bounds["before"] = _between(between)
        text = text[: between.start()] + " " + text[between.end():]
    text = _HOUR_AND_MINUTES.sub(r"\1:\2", text)  # "4 y 20" is 4:20
    text = _HOUR_WITH_MINUTES.sub(r"\1:\2", text)  # "9 con 40" is 9:40 (Chile)
    said_with_day = _DAY_THEN_PART.search(text)  # "tomorrow afternoon" wins over "this morning" told in passing
    if re.search(_EVENING_WORDS, text):
        marker, part = "pm", "evening"
        text = re.sub(_EVENING_WORDS, " ", text)
    if re.search(_PM_WORDS, text):
        marker, part = "pm", part or "pm"
        text = re.sub(_PM_WORDS, " ", text)
    if re.search(_AM_WORDS, text):
        marker, part = ("", "") if marker else ("am", "am")  # both: contradictory, trust neither
        text = re.sub(_AM_WORDS, " ", text)
        if not part and said_with_day:
            word = said_with_day.group(1)
            part = "am" if word in ("manana", "morning") else "evening" if word in ("noche", "evening") else "pm"
            marker = "am" if part == "am" else "pm"
    for name, pattern, words in (("after", _AFTER, _AFTER_WORDS), ("before", _BEFORE, _BEFORE_WORDS)):
        for word_pattern, value in words:
            if word_pattern.search(text):
                bounds[name] = value
                text = word_pattern.sub(" ", text)
        match = pattern.search(text) or (_AFTER_ONWARDS.search(text) if name == "after" else None)
        if match:
            hour, minute = int(match.group(1)), int(match.group(2) or 0)
            own = _marker(match.group(3)) or marker
            if own == "pm" and hour < 12:
                hour += 12
            elif not own and 1 <= hour <= 7:  # "después de las 4": a clinic's afternoon
                hour += 12
            bounds[name] = f"{hour:02d}:{minute:02d}"
            text = text[: match.start()] + " " + text[match.end():]
    found: list[tuple[int, int, str, bool]] = []  # hour, minute, marker, zero-padded
    for index, pattern in enumerate(_TIME_PATTERNS):
        while True:
            match = pattern.search(text)
            if not match:
                break
            groups = match.groups()
            hour_text = groups[0]
            hour = int(hour_text)
            minute = 0
            own_marker = ""
            if index == 0:
                minute = int(groups[1])
                own_marker = _marker(groups[2])
            elif index == 1:
                own_marker = _marker(groups[1])
            else:
                minute = {"media": 30, "cuarto": 15}.get(groups[1] or "", 0)
            padded = hour_text.startswith("0") or (index == 0 and bool(groups[3]))  # "09:00", "10:00h"
            found.append((hour, minute, own_marker or marker, padded))
            text = text[: match.start()] + " " + text[match.end():]
    if not found and re.search(r"\b(?:mediodia|noon)\b", text):
        found.append((12, 0, "", False))
        text = re.sub(r"\b(?:mediodia|noon)\b", " ", text)
    later: tuple[tuple[int, int], ...] = ()
    if len(found) > 1 and several:  # "para mí y mi hijo, a las 9 y a las 10": one at a time, the first
        first, *rest = sorted(found)
        found = [first]
        later = tuple(dict.fromkeys(c for h, m, mk, padded in rest for c in _candidates(h, m, mk, padded)))
    sets = {_candidates(h, m, mk, padded) for h, m, mk, padded in found}
    if len(sets) > 1:
        return text, (), True, "", bounds["after"], bounds["before"], ()
    times = sets.pop() if sets else ()
    return text, times, False, "" if found else part, bounds["after"], bounds["before"], later


_HOUR_AND_MINUTES = re.compile(
    r"\b([01]?\d|2[0-3]) y ([1-5][05])\b(?! (?:anos|years|dias|days|meses|months|semanas|weeks|minutos|min)\b)"
    r"(?! (?:de )?(?:ene|feb|mar|abr|may|jun|jul|ago|sep|set|oct|nov|dic|jan|apr|aug|dec)[a-z]*\b)"
)
_HOUR_WITH_MINUTES = re.compile(
    r"\b([01]?\d|2[0-3]) con ([0-5]\d)\b(?! (?:anos|years|dias|days|meses|months|semanas|weeks|minutos|min|personas)\b)"
)
_DAY_THEN_PART = re.compile(
    r"\b(?:manana|hoy|pasado manana|tomorrow|today|lunes|martes|miercoles|jueves|viernes|sabado|domingo|monday"
    r"|tuesday|wednesday|thursday|friday|saturday|sunday)\s+(?:(?:en|por|a) la\s+)?(manana|tarde|noche|morning"
    r"|afternoon|evening)\b"
)
_DAY_MARKER = re.compile(
    r"\b(manana|hoy|tomorrow|today|lunes|martes|miercoles|jueves|viernes|sabado|domingo|monday|tuesday|wednesday"
    r"|thursday|friday|saturday|sunday)\s+(am|pm)\b(?!\s*\d)"
)
# "más tarde que las 4", "no más tarde de las 11", "más temprano que las 10": bounds, said with the afternoon's word.
_WORDED_BOUND = re.compile(r"\b(no |not )?mas (tarde|temprano) (?:de|que)\s+(?=(?:las?\s+)?\d)")
_OR_LATER = re.compile(
    r"(\d(?:\s*(?:hrs?|hs|horas|h|am|pm)\b|\s+(?:de|en|por) la (?:manana|tarde|noche))?)\s+o (?:mas tarde|despues)\b"
)


# Busy until a time: "estoy en la pega hasta las 5", "trabajo hasta las 6", "salgo (del trabajo) a las 7", "I work
# until 5", "I get off at 6": free after it.
_BUSY_UNTIL = re.compile(
    r"\b(?:(?:estoy|ando|sigo) (?:en (?:el|la) (?:pega|trabajo|oficina|universidad|u|colegio|clases?)|trabajando"
    r"|en clases?)|trabajo|pego|tengo (?:clases?|pega|turno)|estudio|i work|i m at work|i am at work)"
    r"[^.?!]{0,20}?\b(?:hasta|until|till) (?:las? )?(\d{1,2}(?::\d\d)?)\b"
    r"|\b(?:salgo|sale|salimos|i get off|i leave work|i finish work)"
    r"(?: (?:del|de la|de) (?:trabajo|pega|oficina|universidad|u|colegio|clases?))? (?:a las?|at) (\d{1,2}(?::\d\d)?)\b"
)
_AND_SOMETHING = re.compile(r"\b(?:a )?las? (\d{1,2}) y (?:algo|tanto|pico)\b|\b(\d{1,2}) y (?:algo|tanto|pico)\b")


def _hour_and_something(match: re.Match[str]) -> str:
    hour = int(match.group(1) or match.group(2))
    return f" entre las {hour}:00 y las {hour + 1}:00 " if hour < 23 else match.group(0)


def _worded_bound(match: re.Match[str]) -> str:
    later = match.group(2) == "tarde"
    if match.group(1):  # "no más tarde de las 11": until 11
        return "hasta " if later else "a partir de "
    return "despues de " if later else "antes de "


# A bound said negated is the other bound: "no puedo después de las 6", "ni antes de las 10", "nothing after 5",
# "después de las 5 no me sirve", "after 5 I can't" — until 6, from 10, until 5. (Read on the folded message too,
# before the days ruled out are cut, so "las 5 no puedo" is not taken for "not at 5" alone.)
_ABLE = (
    r"(?:(?:me )?(?:puedo|puede|podemos|podre|podria|alcanzo|sirve|sirven|acomoda|acomodan|queda|quedan|resulta"
    r"|viene|vienen|conviene))"
)
_CANNOT = r"(?:(?:i |we )?(?:can'?t|can t|cannot|could ?n'?t|couldn t)(?: do| make it| come)?)"
_BOUND_WORDS = r"(antes de|before|despues de|after|later than|mas tarde de)"
_NEGATED_BOUND = re.compile(
    rf"\b(?:(?:no|not|ni|nor|tampoco|(?<!hay )(?<!there )(?<!there s )(?<!there's )(?:nada|nothing))(?:\s+{_ABLE})?"
    rf"|{_CANNOT})\s+(?:ni\s+)?{_BOUND_WORDS}"
)
_BOUND_NEGATED = re.compile(
    rf"\b{_BOUND_WORDS}\s+((?:las?\s+)?\d{{1,2}}(?:[:.]\d\d)?(?:\s*(?:hrs?|hs|h|am|pm)\b)?)"
    rf"(?:\s+(?:ya|yo|i|we))?\s+(?:no\s+{_ABLE}|{_CANNOT})\b"
)


_A_BOUND_WORD = re.compile(r"antes|before|despues|after|later|tarde de")


def _other_bound(word: str) -> str:
    return "a partir de" if word in ("antes de", "before") else "hasta"


def negated_bounds(text: str) -> str:
    """The folded or normalized text with each bound said negated turned into the other bound."""
    if not _A_BOUND_WORD.search(text):
        return text
    text = _BOUND_NEGATED.sub(lambda m: f"{_other_bound(m.group(1))} {m.group(2)}", text)
    return _NEGATED_BOUND.sub(lambda m: _other_bound(m.group(1)), text)
# "a las 9 no puedo, más tarde", "9:30 es muy temprano, algo más tarde", "at 10? later please": later (earlier) than
# the time said — not the afternoon (the morning), and not that time.
_LATER_THAN_SAID = re.compile(
    r"(?:\b(?:a\s+)?las?\s+|\bat\s+|^)(\d{1,2}(?::\d\d)?)\b(?:\s*(?:(?:de|en|por) la (manana|tarde|noche)|(am|pm)\b))?"
    r"(?!\s*(?:hrs?\b|de (?:la|el) (?:semana|mes))).{0,40}?\b(?:mas (tarde|temprano)|(later|earlier)"
    r"|(?:muy|demasiado|tan|too|so) (temprano|tarde|early|late))\b(?!\s+(?:de|que|than|today|hoy))"
)


def _later_than_said(text: str) -> str:
    """"a las 9 no puedo, más tarde" -> "después de las 9:01" (before the negation drops "a las 9 no puedo"); "a
    las 5 es muy tarde" -> "antes de las 5"."""
    def bound(match: re.Match[str]) -> str:
        hour, _, minute = match.group(1).partition(":")
        afternoon = match.group(2) in ("tarde", "noche") or match.group(3) == "pm"
        later = (match.group(4) or match.group(5)) in ("tarde", "later") or match.group(6) in ("temprano", "early")
        hours = int(hour) + (12 if afternoon and int(hour) < 12 else 0)
        shifted = hours * 60 + int(minute or 0) + (1 if later else 0)  # strictly later; "antes de" is already
        return f" {'despues de' if later else 'antes de'} las {shifted // 60}:{shifted % 60:02d} "

    text = _OR_LATER.sub(r"\1 en adelante", text)  # "a las 4 o más tarde": from 4 on, 4 included
    text = _BUSY_UNTIL.sub(lambda m: f" despues de las {m.group(1) or m.group(2)} ", text)  # "salgo a las 7"
    text = _AND_SOMETHING.sub(_hour_and_something, text)  # "a las 12 y algo": within that hour
    said = ("mas t", "later", "earlier", "tarde", "temprano", "early", "late")
    if not any(word in text for word in said):
        return text
    bounded = _LATER_THAN_SAID.sub(bound, text)
    return _LATER_OR_EARLIER.sub(" ", bounded) if bounded != text else text  # "…muy temprano, algo más tarde"


_LATER_OR_EARLIER = re.compile(r"\b(?:(?:mas|muy|tan|demasiado|too|so) (?:tarde|temprano|late|early)|later|earlier)\b")


_NOT_SO_LATE = re.compile(r"\b(?:no )?(?:tan|muy|demasiado) (?:tarde|temprano)\b|\b(?:too|so) (?:late|early)\b"
                          # "ojalá no llegue tarde", "llego 5 minutos tarde": late, not the afternoon
                          r"|\b(?:llego|llegue|llegar|llegaria|lleguemos|llegamos|llegare) (?:(?:un|unos|poco|poquito"
                          r"|\d+|min|mins|minutos|minutitos) ){0,3}tarde\b")
_CLOCK_WORD = r"(?:\b(?:las?|at|tipo|around|hasta|desde|de)\s+\d{1,2}(?::\d\d)?h?|\b\d{1,2}:\d\d h?)"
_OWN_PM = re.compile(rf"({_CLOCK_WORD})\s+(?:de|en|por|a) la (?:tarde|noche)\b")
_OWN_AM = re.compile(rf"({_CLOCK_WORD})\s+(?:de|en|por) la (?:manana|madrugada)\b")
_SIDE = rf"(?:las?\s+)?([01]?\d|2[0-3])(?:\s*:\s*([0-5]\d))?\s*({_AM}|{_PM})?"
_BETWEEN = re.compile(
    rf"\b(?:entre|between)\s+{_SIDE}\s+(?:y|and|-)\s+{_SIDE}"
    rf"|\b{_SIDE}\s*-\s*(?=\d{{1,2}}(?::\d\d)?\s*(?:{_AM}|{_PM}|hs?\b))(?:las?\s+)?([01]?\d|2[0-3])(?:\s*:\s*([0-5]\d))?\s*({_AM}|{_PM})?"
    rf"|\b(?:desde|de|from)\s+{_SIDE}\s+(?:a|hasta|to|till|until|-)\s+{_SIDE}(?!\s*(?:dias|days|semanas|weeks))"
)


def _between(match: re.Match[str]) -> tuple[str, str]:
    """("HH:MM", "HH:MM") of "entre las 3 y las 5", "from 9 to 11am"."""
    groups = match.groups()
    sides = [groups[i:i + 3] for i in range(0, len(groups), 3)]
    first, second = next((sides[i], sides[i + 1]) for i in range(0, len(sides), 2) if sides[i][0])
    shared = _marker(second[2])
    out = []
    for hour_text, minute_text, own in (first, second):
        hour, minute = int(hour_text), int(minute_text or 0)
        mark = _marker(own) or shared
        if (mark == "pm" and hour < 12) or (not mark and 1 <= hour <= 7):
            hour += 12
        out.append(f"{hour:02d}:{minute:02d}")
    if out[0] >= out[1] and not _marker(first[2]) and int(first[0]) < 12 and out[0][:2] != "12":
        out[0] = f"{int(out[0][:2]) % 12:02d}{out[0][2:]}"  # "entre las 11 y las 2": 11:00-14:00
    return out[0], out[1]


def _marker(text: str | None) -> str:
    if not text:
        return ""
    return "pm" if text.lstrip().startswith("p") else "am"


def _candidates(hour: int, minute: int, marker: str, padded: bool) -> tuple[tuple[int, int], ...]:
    if marker == "pm" and hour < 12:
        return ((hour + 12, minute),)
    if marker == "am":
        return ((0 if hour == 12 else hour, minute),)
    if 1 <= hour <= 11 and not padded:
        return ((hour, minute), (hour + 12, minute))  # "a las 4": 04:00 if free, else 16:00
    return ((hour, minute),)


# ---------------------------------------------------------------------------
# Days
# ---------------------------------------------------------------------------

_RELATIVE = (
    (re.compile(r"\bpasado\s+manana\b|\b(?:the\s+)?day\s+after\s+tomorrow\b"), 2),
    (re.compile(r"\bmanana\b|\bmnn\b|\btomorrow\b|\btmrw?\b"), 1),
    (re.compile(r"\bhoy\b|\btoday\b"), 0),
)
_NUMERIC_DATE = re.compile(r"\b(\d{1,2})\s*[/-]\s*(\d{1,2})(?:\s*[/-]\s*(\d{4}|\d{2}))?\b")
_ISO_DATE = re.compile(r"\b(20\d\d)-(\d{1,2})-(\d{1,2})\b")  # groups: year, month, day
_DAY_MONTH = re.compile(
    rf"\b(\d{{1,2}})(?:st|nd|rd|th|ro|o)?\s+(?:de\s+|of\s+)?({_MONTH_RE})\b(?:\s+(?:de\s+|del\s+)?(\d{{4}}))?"
)
_MONTH_DAY = re.compile(rf"\b({_MONTH_FIRST_RE})\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?:\s*,?\s*(\d{{4}}))?")
_WEEKDAY = re.compile(rf"\b({_WEEKDAY_RE})\b(?:\s+(?:dia\s+|the\s+)?(\d{{1,2}})(?:st|nd|rd|th)?\b(?![:.]\d))?")
_DAY_NUMBER = re.compile(r"\b(?:el|al|dia|the|on the)\s+(\d{1,2})(?:st|nd|rd|th|ro)?\b(?![:./-]\d)")


@dataclass(frozen=True)
class DayBound:
    """The days a bound leaves: from ``first`` on, and before ``until`` when it is "antes del …"."""

    first: date
    until: date | None = None
    alternative: bool = False  # "el viernes o después del lunes": offered beside a day, which stays wanted

    def holds(self, day: date) -> bool:
        return self.alternative or self.first <= day and (self.until is None or day < self.until)


def _read_day_bound(text: str, today: date) -> tuple[str, DayBound | None]:
    """(rest of the text, the days wanted) for a weekday said as a bound: "después del jueves", "after thursday" —
    the days from the next day on; "antes del viernes", "before friday" — the days from today up to it (shown from
    today, the earliest first). Never the bound's own day, as the day reader would take it ("después del jueves":
    Thursday's times). The weekday is the next one from today, today's included ("después del miércoles" on a
    Wednesday: from tomorrow); "después del martes 8": that Tuesday."""
    match = _DAY_BOUND.search(text)
    if match is None:
        return text, None
    rest = text[: match.start()] + " " + text[match.end():]
    weekday = WEEKDAYS[match.group("after") or match.group("before")]
    number = match.group("date") or match.group("before_date")
    dated = _day_of_month(int(number), today, weekday) if number else None
    said = dated or today + timedelta(days=(weekday - today.weekday()) % 7)
    alternative = _OR_BEFORE.search(text, 0, match.start()) is not None
    if match.group("after") is None:
        return rest, DayBound(today, until=said, alternative=alternative)
    return rest, DayBound(said + timedelta(days=1), alternative=alternative)


_OR_BEFORE = re.compile(r"\b(?:o|u|or)\s*$")


_DAY_BOUND = re.compile(
    rf"\b(?:(?:despues|luego) (?:del|de el) (?:dia )?|after (?:the )?|later than (?:the )?)"
    rf"(?P<after>{WEEKDAY_NAMES})(?: (?P<date>\d{{1,2}})\b(?![:.]\d))?"
    rf"|\b(?:antes (?:del|de el) (?:dia )?|before (?:the )?|(?:sooner|earlier) than (?:the )?"
    rf"|mas (?:pronto|temprano) que (?:el )?)"
    rf"(?P<before>{WEEKDAY_NAMES})(?: (?P<before_date>\d{{1,2}})\b(?![:.]\d))?"
)


def _read_weeks(text: str, today: date) -> tuple[str, date | None]:
    """(rest of the text, the Monday of the week asked for): "en dos semanas", "la semana del 14"."""
    match = _IN_WEEKS.search(text)
    if match:
        count = match.group(1)
        weeks = int(count) if count and count.isdigit() else 2 if count and "par" in count else 1
        target = today + timedelta(days=7 * weeks)
        return text[: match.start()] + " " + text[match.end():], target - timedelta(days=target.weekday())
    match = _WEEK_OF.search(text)
    if match:
        day = _day_of_month(int(match.group(1) or match.group(2)), today)
        if day is not None:
            return text[: match.start()] + " " + text[match.end():], max(today, day - timedelta(days=day.weekday()))
    return text, None


_IN_WEEKS = re.compile(
    r"\b(?:en|dentro de|in|within)\s+(\d{1,2}|una|un par de|a couple of|a|one)?\s*(?:semanas?|weeks?)\b"
)
_WEEK_OF = re.compile(r"\b(?:la )?semana del (\d{1,2})\b|\bthe week of (?:the )?(\d{1,2})(?:st|nd|rd|th)?\b")
_NEXT_WEEK = (
    r"(?:(?:la )?semana que viene|(?:la )?(?:proxima|siguiente|otra) semana|(?:la )?semana (?:proxima|siguiente"
    r"|entrante)|next week|(?:the )?following week|the week after(?! next))"
)
_RELATIVE_DAYS: tuple[tuple[re.Pattern[str], str], ...] = (
    # "el miércoles de la semana que viene", "Friday next week", "la próxima semana el lunes"
    (re.compile(rf"\b({_WEEKDAY_RE})\s+(?:de |of )?{_NEXT_WEEK}\b"), "next_week"),
    (re.compile(rf"\b{_NEXT_WEEK}\s+(?:el |on )?({_WEEKDAY_RE})\b"), "next_week"),
    # "the Monday after next": a week after the coming Monday
    (re.compile(rf"\b(?:the )?({_WEEKDAY_RE}) after next\b"), "after_next"),
    (re.compile(rf"\ba week (?:on|from) ({_WEEKDAY_RE})\b"), "after_next"),
    # "no este martes, el otro", "el otro martes, no este que viene", "el martes subsiguiente": a week after the
    # coming one
    (re.compile(rf"\bno (?:este|esta|el|la) ({_WEEKDAY_RE})[\s,;.]+(?:sino |si no )?(?:el |la )?otr[oa]\b"),
     "after_next"),
    (re.compile(rf"\b(?:el |la )?otr[oa] ({_WEEKDAY_RE})[\s,;.]+no (?:este|esta|el|la)\b(?: {_WEEKDAY_RE})?"
                r"(?: que viene| proximo)?"), "after_next"),
    (re.compile(rf"\b({_WEEKDAY_RE}) subsiguiente\b"), "after_next"),
    # "el otro jueves": the Thursday of next week ("la otra semana")
    (re.compile(rf"\b(?:el |la )?otr[oa] ({_WEEKDAY_RE})\b"), "next_week"),
    # "el miércoles que viene", "el próximo lunes", "next Wednesday": the next one, tomorrow excepted
    (re.compile(rf"\b(?:el |the )?(?:proxim[oa]|next|this coming|coming)\s+({_WEEKDAY_RE})\b"), "next"),
    (re.compile(rf"\b({_WEEKDAY_RE})\s+(?:que viene|proximo|siguiente)\b"), "next"),
    # "en 3 días", "in 3 days", "dentro de 2 días"
    (re.compile(r"\b(?:en|dentro de|in|within)\s+(\d{1,2}|un par de|a couple of|a couple|2 o 3|2 or 3)"
                r"\s+(?:dias|days)(?: mas)?\b"),
     "in_days"),
    # "a week from today", "de hoy en 8 días": the same weekday next week
    (re.compile(r"\b(?:a|one|1) week from (?:today|now)\b|\bde hoy en (?:8|una semana)(?: dias)?\b"), "a_week"),
    # "para fin de mes", "a fines de mes", "end of the month": the month's last day (past the agenda: said so)
    (re.compile(r"\b(?:(?:a |para |hacia )?(?:el )?(?:fin|fines|final|finales) (?:de|del) (?:este )?mes"
                r"|(?:the )?end of (?:the |this )?month)\b"),
     "month_end"),
)


# "este finde", "this weekend", "el fin de semana": the coming Saturday, unless the message names a day
_WEEKEND = re.compile(
    r"\b(?:el |la |los |este |esta |the |this |on the |para el |next |el proximo |proximo |coming )?"
    r"(?:fin de semana|finde|fines de semana|weekend)\b"
)


def _relative_days(text: str, today: date) -> str:
    """Relative day phrases rewritten as the date they mean ("D/M/YYYY"), read with the other dates."""
    for pattern, kind in _RELATIVE_DAYS:
        while match := pattern.search(text):
            if kind == "in_days":
                count = match.group(1)
                found = today + timedelta(days=int(count) if count.isdigit() else 2)
            elif kind == "a_week":
                found = today + timedelta(days=7)
            elif kind == "month_end":
                found = (today.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
            else:
                weekday = WEEKDAYS[match.group(1)]
                if kind == "after_next":
                    found = today + timedelta(days=((weekday - today.weekday()) % 7 or 7) + 7)
                elif kind == "next_week":
                    monday = today + timedelta(days=7 - today.weekday())
                    found = monday + timedelta(days=weekday)
                else:
                    ahead = (weekday - today.weekday()) % 7 or 7
                    found = today + timedelta(days=ahead + (7 if ahead == 1 else 0))  # tomorrow is "mañana"
            text = f"{text[: match.start()]} {found.day}/{found.month}/{found.year} {text[match.end():]}"
    return text


def _read_day(
    text: str, today: date, window_days: int = WINDOW_DAYS
) -> tuple[str, date | None, bool, tuple[date, int] | None, bool]:
    """(rest of the text, the day, contradictory, (the next such date, weekday) when "el lunes 3" has no match,
    the day is only a weekday's next date)."""
    text, day, ambiguous, missing, by_weekday, _ = _read_days(text, today, window_days)
    return text, day, ambiguous, missing, by_weekday


def _read_days(
    text: str, today: date, window_days: int = WINDOW_DAYS
) -> tuple[str, date | None, bool, tuple[date, int] | None, bool, tuple[date, ...]]:
    """``_read_day``, and the days of the window a message names as alternatives ("el lunes o el miércoles": every
    Monday and Wednesday, "jueves o viernes", "mañana o el jueves"); () when it names one, or contradicts itself."""
    original, said_or = text, bool(_OR.search(text))
    days: set[date] = set()
    weekdays: set[int] = set()
    invalid = False
    dated_weekday = False  # "lunes 3": the weekday belongs to the date (a Thursday is a contradiction)
    missing: tuple[date, int] | None = None

    def cut(match: re.Match[str]) -> str:
        return text[: match.start()] + " " + text[match.end():]

    for pattern, offset in _RELATIVE:
        match = pattern.search(text)
        if match:
            days.add(today + timedelta(days=offset))
            text = cut(match)
    for pattern, order in ((_ISO_DATE, "ymd"), (_NUMERIC_DATE, "dm"), (_DAY_MONTH, "dm"), (_MONTH_DAY, "md")):
        while match := pattern.search(text):
            first, second, year = match.groups()
            if order == "ymd":  # "2026-12-10"
                year, day_n, month = first, int(year), int(second)
            elif order == "dm":
                day_n, month = int(first), (int(second) if second.isdigit() else MONTHS[second])
            else:
                day_n, month = int(second), MONTHS[first]
            found = _calendar_date(day_n, month, year, today)
            passed = _recently_passed(day_n, month, year, today)
            if passed is not None:  # "el 3 de diciembre" on the 4th: yesterday, not next year's
                missing = (passed, passed.weekday())
            elif found is None:
                invalid = True
            else:
                days.add(found)
            text = cut(match)
    while match := _WEEKDAY.search(text):
        weekday = WEEKDAYS[match.group(1)]
        weekdays.add(weekday)
        if match.group(2):
            dated_weekday = True
            n = int(match.group(2))
            found = _day_of_month(n, today, weekday, limit=window_days)
            if found is not None:
                days.add(found)
            elif (passed := _weekday_just_passed(n, weekday, today)) is not None:
                missing = (passed, weekday)  # "el martes 1" on Friday 4: that Tuesday, behind us
            elif (plain := _day_of_month(n, today)) is not None:
                missing = (plain, weekday)
            else:
                invalid = True
        text = cut(match)
    while match := _DAY_NUMBER.search(text):
        found = _day_of_month(int(match.group(1)), today)
        if found is None:
            invalid = True
        else:
            days.add(found)
        text = cut(match)

    alternatives: tuple[date, ...] = ()
    if said_or and not (invalid or dated_weekday or missing):
        alternatives = tuple(sorted({*days, *(d for d in days_from(today, window_days) if d.weekday() in weekdays)}))
    if len(days) > 1 or len(weekdays) > 1:
        return text, None, True, None, False, alternatives
    if missing is not None:
        return text, None, invalid, missing if not days or missing[0] in days else None, False, ()
    if days:
        day = days.pop()
        if weekdays and day.weekday() not in weekdays:  # "mañana o el jueves", "lunes 3 dic" (a Thursday)
            return text, None, True, None, False, alternatives
        return text, day, invalid, None, False, ()
    if weekdays:
        weekday = weekdays.pop()
        if _ONLY.search(original) and not invalid:  # "solo puedo los sábados": every Saturday, no other day
            every = tuple(d for d in days_from(today, window_days) if d.weekday() == weekday)
            return text, None, True, None, False, every
        ahead = (weekday - today.weekday()) % 7 or 7  # "el martes" said on a Tuesday: next week's
        return text, today + timedelta(days=ahead), invalid, None, True, ()
    return text, None, invalid, None, False, ()


_ONLY = re.compile(r"\b(?:solo|solamente|unicamente|nomas|nada mas|only|just)\b")
_OR = re.compile(r"\b(?:o|u|or|y|e|and|ni|nor)\b|/")


def _calendar_date(day_n: int, month: int, year_text: str | None, today: date) -> date | None:
    if year_text:
        year = int(year_text)
        year = year + 2000 if year < 100 else year
        try:
            return date(year, month, day_n)
        except ValueError:
            return None
    for year in (today.year, today.year + 1):
        try:
            found = date(year, month, day_n)
        except ValueError:
            continue
        if found >= today:
            return found
    return None


def _recently_passed(day_n: int, month: int, year_text: str | None, today: date) -> date | None:
    """A calendar date with no year that was within the last two months (said of a day just gone), else None."""
    if year_text:
        return None
    try:
        day = date(today.year, month, day_n)
    except ValueError:
        return None
    if day > today:
        day = day.replace(year=today.year - 1) if not (month == 2 and day_n == 29) else day
    return day if timedelta(0) < today - day <= timedelta(days=62) else None


def _weekday_just_passed(day_n: int, weekday: int, today: date) -> date | None:
    """The day of the last month that is that weekday and that day of the month ("el lunes 30" on 1 December:
    Monday 30 November), or None."""
    for back in range(1, 32):
        candidate = today - timedelta(days=back)
        if candidate.day == day_n and candidate.weekday() == weekday:
            return candidate
    return None


def _day_of_month(day_n: int, today: date, weekday: int | None = None, limit: int = 62) -> date | None:
    """The next date (from today, within ``limit`` days) with that day of the month, and that weekday if given."""
    if not 1 <= day_n <= 31:
        return None
    for ahead in range(0, limit):
        candidate = today + timedelta(days=ahead)
        if candidate.day == day_n and (weekday is None or candidate.weekday() == weekday):
            return candidate
    return None
