"""The language a conversation is held in: the clinic's, unless the patient's first message is plainly in the
other one the bot speaks (an English-speaking patient of a Spanish-speaking clinic is answered in English).

Pure: a first message's words against two small word lists. A mixed message ("hi, necesito hora") stays in the
clinic's language, a plainly English one with a Spanish word ("hola! I need an appointment…") is English;
Portuguese, which the bot does not speak, stays in Spanish (its patients read it).
"""

from __future__ import annotations

from dataclasses import replace

from relay.conversation.model import ClinicProfile

_ENGLISH = frozenset(
    """
    hi hello hey i im need want would like appointment appointments book booking please tomorrow today the my can
    you thanks thank morning afternoon evening next week available is are do does have an to for with see get
    could schedule reschedule cancel what when where how much move change possible it any there this that be
    someone somebody call phone back talk speak person human yes ok okay sure bye on at physio physiotherapy
    physiotherapist
    """.split()
)
_SPANISH = frozenset(
    """
    hola buenas buenos quiero necesito quisiera hora horas cita citas para por favor manana gracias tengo tiene el
    la los las de del que con una un mi si hoy tarde semana proxima dia doctora consulta agendar reservar
    """.split()
)


def _counted(norm: str) -> tuple[int, int]:
    """How many of a message's words are English and how many Spanish (of the two lists)."""
    words = set(norm.replace("'", "").split())
    return len(words & _ENGLISH), len(words & _SPANISH)


def patient_language(norm: str, clinic_language: str) -> str:
    """The language to answer a new conversation in, from its first message (normalized)."""
    english, spanish = _counted(norm)
    # "hola! sorry my spanish is bad, I need…": a Spanish greeting (or word) in a plainly English message
    if clinic_language in ("", "es") and english >= 2 and english > 2 * spanish:
        return "en"
    return clinic_language


def still_spoken(norm: str, current: str, clinic_language: str) -> str:
    """The language to answer in once a conversation is done (stage ``done``): the one it was held in, unless this
    message is plainly in the clinic's own ("quiero otra hora para el viernes" after an English booking)."""
    english, spanish = _counted(norm)
    if current == "en" and clinic_language in ("", "es") and spanish >= 2 and spanish > 2 * english:
        return ""
    return current


def in_language(clinic: ClinicProfile, language: str) -> ClinicProfile:
    """The clinic as this conversation speaks: its own language unless the conversation holds another."""
    return replace(clinic, language=language) if language and language != clinic.language else clinic
