"""Specialties a patient may ask for, in Spanish and English, folded to one key per specialty.

The key is matched against the clinic's own specialty names (as its agent reports them on the slots), read
through the same patterns, so "Traumatología y Ortopedia" at the clinic answers "traumatólogo" in a message.
"""

from __future__ import annotations

import re
from functools import lru_cache

from relay.conversation.menus import fold

SPECIALTIES: dict[str, str] = {
    "general": r"medicina general|medic[oa] general|medicina familiar|medic[oa] de (?:cabecera|familia)"
    r"|general practitioner|family doctor|\bgp\b|general medicine|clinica medica|medicina interna|internista"
    r"|family medicine|primary care|general",
    "traumatologia": r"traumatolog\w*|trauma|ortoped\w*|orthop(?:a)?edi\w*|de (?:los )?huesos"
    r"|bones? (?:doctor|specialist)",
    "pediatria": r"pediatr\w*|paediatr\w*|pediatric\w*|(?:doctor|doctora|medic[oa]) de (?:los )?(?:ninos|guaguas|bebes)"
    r"|(?:kids|children ?s|child|baby) doctor",
    "dermatologia": r"dermatolog\w*|dermato|dermat\b|skin (?:doctor|specialist)|de la piel",
    "ginecologia": r"ginecolog\w*|gyn(?:a)?ecolog\w*|ob ?gyn|gyno\b|gine\b|(?:doctor|doctora|medic[oa]) de la mujer",
    "kinesiologia": r"kinesiolog\w*|kinesio|kine\b|fisioterap\w*|fisio\b|physiotherap\w*|physio\b|physical therap\w*",
    "psicologia": r"psicolog\w*|psycholog\w*|psicoterap\w*|psychotherap\w*|psico\b|salud mental|mental health"
    r"|therapist",
    "psiquiatria": r"psiquiatr\w*|psychiatr\w*",
    "nutricion": r"nutricion\w*|nutriolog\w*|nutrition\w*|nutri\b|dietitian|dietician|dietista",
    "odontologia": r"odontolog\w*|dentist\w*|dental|dentista|de (?:los )?dientes|muelas?\b|toothache",
    "cardiologia": r"cardiolog\w*|del corazon|heart (?:doctor|specialist)",
    "oftalmologia": r"oftalmolog\w*|ophthalmolog\w*|eye doctor|oculista|de (?:los )?ojos",
    "otorrinolaringologia": r"otorrino\w*|\bent\b",
    "neurologia": r"neurolog\w*",
    "urologia": r"urolog\w*",
    "endocrinologia": r"endocrinolog\w*|endocrino\b",
    "podologia": r"podolog\w*|podiatr\w*|foot doctor|chiropod\w*",
    "fonoaudiologia": r"fonoaudiolog\w*|speech therap\w*",
}

_PATTERNS = {key: re.compile(rf"\b(?:{pattern})") for key, pattern in SPECIALTIES.items()}
# Words worth correcting a typo towards (see typos.py).
SPECIALTY_WORDS = frozenset(
    """
    traumatologia traumatologo traumatologa pediatria pediatra dermatologia dermatologo dermatologa ginecologia
    ginecologo ginecologa kinesiologia kinesiologo kinesiologa psicologia psicologo psicologa psiquiatria
    psiquiatra nutricion nutricionista odontologia odontologo odontologa dentista cardiologia cardiologo
    oftalmologia oftalmologo otorrino neurologia neurologo urologia urologo dermatologist pediatrician podologo
    cardiologist dentist psychologist nutritionist physiotherapist orthopedic medicina general medico medica
    """.split()
)


# Said of a specialty the patient does not want: "no traumatólogo", "en vez de kine", "not a dentist".
_NOT_WANTED = re.compile(
    r"\b(?:no|ni|not|nor|sin|en vez de|en lugar de|instead of|rather than)"
    r"(?: (?:el|la|los|las|un|una|al|a la|con|con el|con la|de|a|an|the|para|quiero|queria|necesito|busco|want|need))*"
    r"\s*$"
)
# A specialty named as when ("el mismo día que la kine", "después de la hora de kine"): an appointment the patient
# has, not the one asked for now.
_AS_WHEN = re.compile(
    r"\b(?:mismo dia|misma hora|mismo horario|antes|despues|luego|same day|same time|before|after)"
    r"(?: (?:que|q|de|del|con|as|of|my|the|la|el|mi|mis|lo|hora|cita|consulta|control|turno|appointment))*\s*$"
)
# The specialty that sent the patient ("el traumatólogo me dio orden para kinesiología", "mi pediatra me derivó").
_REFERRED_BY = re.compile(
    r"^\w*\s*(?:me|nos|le|lo|la) (?:dio|dieron|mando|mandaron|derivo|derivaron|indico|indicaron|recomendo"
    r"|recomendaron|pidio|pidieron|dijo|dijeron|envio|enviaron|receto|ordeno)\b"
    r"|^\w*\s*(?:referred|sent|told) (?:me|us|him|her)\b"
)


# "general" alone is medicina general next to a word for doctor or medicine, or as the whole answer ("la general").
_GENERAL_OK = re.compile(r"\b(?:medic\w*|doctora?|dra?)\b|^\s*(?:(?:la|el|a|con|con la|con el|en|de) )?general\s*$")
_LEADING = re.compile(r"\b(?:con|with|to|see)\s+(?:(?:el|la|los|las|un|una|the|a|an)\s+)?$")


def find_specialty(text: str) -> tuple[str, str]:
    """(the specialty key a normalized message asks for, the text without it); ("", text) when none, or when it
    names two and does not say which it wants (the specialty question then asks).

    "general" alone only counts next to a word for doctor or medicine, so "en general" is not a specialty. A
    specialty the message rules out ("es kine, no traumatólogo") or names as the one that sent the patient ("el
    traumatólogo me dio orden para kinesiología") is not the one asked for.
    """
    named: list[tuple[str, re.Match[str]]] = []
    for key, pattern in _PATTERNS.items():
        for match in pattern.finditer(text):
            if key == "general" and match.group(0) == "general" and not _GENERAL_OK.search(text):
                continue
            named.append((key, match))
    if not named:
        return "", text
    # "physical therapist" is physiotherapy, not therapy ("therapist"): a match inside a longer one is not another
    named = [
        (key, match) for key, match in named
        if not any(other is not match and other.start() <= match.start() and match.end() <= other.end()
                   and other.end() - other.start() > match.end() - match.start() for _, other in named)
    ]
    wanted = [
        (key, match) for key, match in named
        if not _NOT_WANTED.search(text[: match.start()]) and not _REFERRED_BY.search(text[match.end():])
        and not _AS_WHEN.search(text[: match.start()])
    ]
    keys = {key for key, _ in wanted}
    for _, match in sorted(named, key=lambda item: item[1].start(), reverse=True):
        # "turno con kinesiología, ¿tenés algo…?": the "con" goes with it (what follows is not a professional)
        before = _LEADING.sub(" ", text[: match.start()])
        text = before + " " + text[match.end():]
    return (keys.pop(), text) if len(keys) == 1 else ("", text)


# A woman asked for: "la kinesióloga", "la doctora", "una pediatra", "con la kine", "a female doctor" (never "el
# doctor", the generic word for any)
_A_WOMAN = re.compile(
    r"\b(?:doctora|dra|medica|matrona|enfermera|klga|licda|\w+ologa"
    r"|(?:la|una) (?:pediatra|psiquiatra|dentista|nutricionista|terapeuta|especialista|otorrino|fonoaudiologa)"
    r"|con la (?:kine|kinesio|fono|nutri|psico|gine|dermato|traumato)"
    r"|(?:female|woman|lady) (?:doctor|gp|physio\w*|therapist|dentist|pediatrician|paediatrician|specialist)"
    r"|que sea mujer)\b"
)


# A man asked for as well ("con la kine o con el kine, da igual"): then anyone
_A_MAN = re.compile(
    r"\b(?:(?:el|un) (?:doctor|dr|medico|kine|kinesio|\w+ologo|pediatra|dentista|nutricionista|especialista)"
    r"|klgo|\w+ologo|(?:male|man) (?:doctor|gp|physio\w*|therapist|dentist))\b"
)
# Said of the writer or another, not of whom they want: "soy doctora", "mi hija es kinesióloga"
_WHAT_ONE_IS = re.compile(r"\b(?:soy|es|somos|era|fui|trabajo de|trabajo como|i am|i m)(?: (?:una|un|a))?\s*$")


def asks_for_a_woman(text: str) -> bool:
    """Whether a normalized message asks for a woman professional ("hora con la kinesióloga el viernes"): not one it
    rules out ("no con la doctora"), who sent the patient ("la doctora me mandó al kine") or what someone is ("soy
    doctora"); nor when it asks for a man too ("con la kine o con el kine, da igual")."""
    def wanted(match: re.Match[str]) -> bool:
        before = text[: match.start()]
        return not (_NOT_WANTED.search(before) or _WHAT_ONE_IS.search(before)
                    or _REFERRED_BY.search(text[match.end():]))

    return any(map(wanted, _A_WOMAN.finditer(text))) and not any(map(wanted, _A_MAN.finditer(text)))


@lru_cache(maxsize=4096)  # the clinics' few specialty names, every turn
def specialty_key(name: str) -> str:
    """The key of a clinic's specialty name ("Traumatología" -> "traumatologia"); its folded name if unknown."""
    folded = " ".join(re.sub(r"[^a-z0-9 ]+", " ", fold(name)).split())
    for key, pattern in _PATTERNS.items():
        if pattern.search(folded):
            return key
    return folded
