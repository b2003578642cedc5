"""Days and parts of the day a patient rules out: "el lunes no puedo", "no puedo el lunes", "menos el lunes",
"tomorrow doesn't work", "not Monday". They are cut out of the message before the day is read, so "hoy no puedo,
mañana sí" asks for tomorrow and "cualquier día menos el lunes" for any day.

Works on the folded message with its punctuation (a comma ends a negation's reach); pure regular expressions.
"""

from __future__ import annotations

import re

_WEEKDAY = (
    r"(?:lunes|martes|miercoles|jueves|viernes|sabado|domingo|monday|tuesday|wednesday|thursday|friday|saturday"
    r"|sunday|lun|mar|mie|mier|jue|vie|sab|dom|mon|tue|tues|wed|weds|thu|thur|thurs|fri|sat|sun)"
)
_PART = (
    r"(?:mananas|tardes|noches|manana|tarde|noche|mornings|afternoons|evenings|morning|afternoon|evening|night"
    r"|mediodia|noon|temprano|early)"
)
# A day or a part of the day, with the article or preposition that goes with it.
_DAYISH = (
    rf"(?:(?:el |la |los |las |un |una |en la |por la |a la |en las |por las |on |on a |a |this |el dia |on the "
    r"|(?:la|el|lo) de (?=las? \d)|the one (?=at \d)"  # "menos la de las 9", "not the one at 9"
    rf"|(?:este|el proximo|la proxima|next) (?={_WEEKDAY})"  # "no puedo ir este jueves", "…el próximo viernes"
    r"|in the )?"
    rf"(?:pasado manana|hoy|manana(?!s)|today|tomorrow|tonight|{_WEEKDAY}s?(?: \d{{1,2}})?|{_PART}"
    r"|fin de semana|finde|weekend|semana (?:que viene|proxima|siguiente|entrante)|(?:proxima|siguiente|otra) semana"
    r"|(?:the )?(?:next|following) week|the week after(?! next)|esta semana|this week"
    r"|(?:a las |at |las )\d{1,2}(?::\d\d)?(?: ?[ap]\.? ?m\.?)?"
    r"|(?:el|the) (?:dia )?\d{1,2}(?:st|nd|rd|th)?\b(?![:.]\d)(?! (?:dias|days|horas|hours|hrs|am|pm)\b))"
    rf"(?: (?:de la |en la |por la |a la |in the )?{_PART})?)"
)
# After a comma, a day said with its time or a yes is the one wanted, not one more ruled out: "no puedo el jueves,
# el viernes a las 10", "…, el viernes sí", "…, el viernes mejor" — unless its clause says no to it as well ("…, el
# viernes a las 10 tampoco", "…, el viernes mejor no", "…, el martes a las 10 trabajo")
_WANTED_NEXT = (
    rf"\s*{_DAYISH}\s+(?:(?:como |tipo )?(?:a las?|at) \d|\d{{1,2}}:\d\d|si\b|mejor\b"
    # "…, el lunes puede ser?", "…, el lunes se puede?", "…, monday maybe?": the day asked for
    r"|(?:puede|podria|pudiera) ser\b|se (?:puede|podria)\b|(?:me |te |le )?(?:sirve|serviria)\b|maybe\b|perhaps\b"
    r"|would work\b|works\b|instead\b)"
    r"(?![^,.;:!?]*\b(?:no|ni|tampoco|not|nor|neither|either|imposible|impossible|can'?t|cannot|complica\w*"
    r"|ocupad[oa]s?|trabaj\w*|tengo)\b)"
)
# After a comma, another week (or a day of it) is the one wanted: "no puedo el jueves, ¿la otra semana?", "can't do
# thursday, next week?", "…, ¿el jueves de la otra semana?" (never that week, or that Thursday, ruled out too) —
# unless its clause says no to it as well ("…, la otra semana tampoco")
_WEEK_WANTED = (
    rf"\s*(?:{_DAYISH}\s+(?:de |of )?)?"  # "…, ¿el jueves de la otra semana?", "…, thursday next week?": that day
    r"(?:la |the )?(?:semana (?:que viene|proxima|siguiente|entrante)|(?:proxima|siguiente|otra) semana"
    r"|(?:next|following) week|week after)(?![^,.;:!?]*\b(?:no|ni|tampoco|not|nor|neither|either|imposible"
    r"|impossible|can'?t|cannot|complica\w*|ocupad[oa]s?|trabaj\w*|tengo)\b)"
)
# After a comma, a day put as a question is the one asked for: "no llego el jueves, el lunes?", "can't do thursday,
# monday?" (never Monday ruled out as well)
_ASKED_DAY = rf"\s*(?:y |o |or |mejor |pero |but )?{_DAYISH}\s*\?"
# Several of them: "el jueves y el viernes", "lunes ni martes", "jueves, viernes".
# At most a week of them, never given back once read: an unbounded, backtracking list made a long message cost
# 8 ms to read (800 characters of "el lunes y el lunes y…"), 1.6 ms now.
# A comma before "en la tarde" starts another clause ("menos el miércoles, en la tarde": afternoons, not Wednesdays).
_DAYS = (
    rf"(?:{_DAYISH}(?:\s*(?:,(?!\s*(?:en|por|a|in) (?:la|las|the)\b|{_WANTED_NEXT}|{_WEEK_WANTED}|{_ASKED_DAY})"
    r"|y|e|ni|o|u|and|or|nor)\s*"
    rf"{_DAYISH}){{0,6}}+)"
)
# The same list without commas: after "no …" a comma starts the correction ("no el jueves, el viernes": Friday is
# the day wanted), and before "… imposible" it ends the day asked for ("a las 10 del viernes, el jueves imposible")
_DAYS_JOINED = rf"(?:{_DAYISH}(?:\s*(?:y|e|ni|o|u|and|or|nor)\s*{_DAYISH}){{0,6}}+)"
_NEG = (
    # "no puede", "no pueden", "no podrá": someone else's day ruled out as well ("hora para mi hijo, el jueves no
    # puede")
    r"(?:no (?:puedo|podre|podria|podemos|voy a poder|vamos a poder|alcanzo|pueden|puede|podran|podra|podrian"
    r"|podriamos|podremos|va a poder|van a poder|alcanzan|alcanzamos|alcanza|voy a alcanzar|vamos a alcanzar"
    r"|llego|llegamos|llegare|llegaremos|me (?:da|dara|alcanza|va a dar|va a alcanzar) (?:el )?tiempo"
    r"|me (?:sirve|acomoda|queda|resulta|viene|va|conviene|funciona|sirven|acomodan|quedan)(?: bien)?"
    r"|(?:me )?es posible|hay caso|voy a estar|vamos a estar|estare|estaremos)|me complica"  # "no voy a estar"
    r"|imposible|can(?:'| )?t|cannot|can not|could ?n(?:'| )?t"  # "can t": as a message reads normalized
    r"|(?:wo ?n(?:'| )?t|will not) be able to|(?:am|'m|m) not able to|unable to"  # "I won't be able to make it"
    r"|(?:wo ?n(?:'| )?t|will not)(?= (?:make it|come|be there|be around))"  # "I won't make it thursday"
    r"|(?:does|do|will|would|is)(?: not|n(?:'| )?t) (?:work|suit|be good|good|possible)|wo ?n(?:'| )?t work|not good"
    r"|no good"
    r"|impossible|is out)"
)
# Busy then with something else: "tengo otra cita", "tengo una reunión", "estoy ocupada", "I have a meeting", "I'm
# busy". Never an appointment alone ("el jueves a las 10 tengo hora con la Dra. Soto" says theirs back): only "otra",
# or something that is not one.
_BUSY = (
    r"(?:(?:ya |yo )?(?:tengo|tenemos|tiene|tienen) (?:otr[oa]s? (?:cita|hora|consulta|turno|control|atencion"
    r"|compromiso|reunion|clase|cosa|examen|actividad)\w*(?: medic[oa]s?)?"
    r"|(?:una? |mis? )?(?:reunion|clases?|compromiso|examen|entrevista|junta|prueba|viaje|vuelo|ensayo|partido"
    r"|dentista|pega|colegio|universidad|trabajo)\b)"
    r"|(?:ya |yo )?(?:estoy|estamos|estare|estaremos|voy a estar|ando|andamos) (?:ocupad[oa]s?|trabajando"
    r"|en (?:el )?trabajo"
    r"|en (?:clases?|una reunion|el colegio|la universidad))"
    r"|(?:ya |yo )?(?:tengo|tenemos|tiene|tienen) que (?:ir a )?(?:trabajar|estudiar|viajar)|me toca trabajar"
    r"|ocupad[oa]s?|trabajo|trabajamos"
    r"|(?:i|we)(?:'?m|'?re| am| are) (?:busy|working|at work|in class|in a meeting|not free|not available)"
    r"|(?:i|we) (?:have|'?ve got|got) (?:another \w+|to work|(?:a |an |my )?(?:meeting|class|classes|school|work"
    r"|exam|test|interview|shift|flight|commitment|call|lesson|game)\b)"
    r"|(?:i|we) work"
    r")"
)
# Said to be bad for them, after the day or time only ("thursday is bad for me", "el jueves me queda mal", "a las 10
# está difícil"; never "my tooth is bad thursday")
_BAD = r"(?:bad|not good|tough|hard|difficult|complicated)(?: for (?:me|us))?"
_BAD_THEN = (
    rf"(?: (?:is|s|would be)|'s) {_BAD}"
    r"| (?:me |nos )?(?:queda|quedaria|viene|va) (?:mal|complicado|dificil)| (?:es|esta|estaria) (?:complicado|dificil)"
)
# With whom, where or of what: "…con el dentista", "…en el trabajo", "…with my boss" (never when: "…en la mañana" is
# the part of the day ruled out)
_BUSY_WITH = (
    r"(?: (?:con|en|al|a la|del|de la|de|with|at|in) (?:el |la |los |las |mi |mis |my |the |a |an )?"
    rf"(?!(?:el|la|los|las|mi|mis|my|the|a|an|{_PART}|{_WEEKDAY}|hoy|today|tomorrow|semana|week)\b)[a-z]+)?"
)
# Only when the busy words end the clause: "el jueves trabajo de 9 a 13, ¿tienes a las 16?", "el jueves trabajo pero
# puedo a las 11" rule out no whole day (read as before)
_BUSY_END = r"(?=\s*(?:[,.;:!?]|$))"
_THIS_THEN_OTHER = rf"este {_WEEKDAY}[\s,;.?!]+(?:\w+ ){{0,3}}?(?:el |la )?(?:otr[oa]|proxim[oa]|siguiente)\b"
_END = r"(?=\s*(?:[,.;:!?]|$|\bpero\b|\bmejor\b|\bbut\b|\bsino\b))"
_A_WEEK = (r"(?:la |el )?(?:(?:otra|proxima|siguiente) semana|semana (?:que viene|proxima|siguiente|entrante))"
           r"\s*[?!.]*\s*$")  # the whole reply: never "no la otra semana, esta semana"
_RULED_OUT = (
    # "el lunes no puedo", "mañana no me sirve", "tomorrow doesn't work", "monday is not good"
    # ("el jueves no se puede" too: never "¿no se puede el jueves?", which asks for it)
    # (never "el jueves no llego a las 10, ¿puede ser a las 11?": a time of that day ruled out, not the day)
    re.compile(rf"\b({_DAYS_JOINED})(?: (?:me|i|is|para mi|for me|really|tampoco))?\s+(?:{_NEG}|no se puede)"
               r"(?!\s+(?:a las?|at|antes|despues|hasta|before|after|until) \d)"),
    # "no puedo el lunes", "no puedo ir el lunes", "I can't do Monday", "can't make it tomorrow"
    re.compile(rf"{_NEG}(?: (?:ir|venir|asistir|acudir|llegar|a|do|make it|come|go|on|ese|el))*\s+({_DAYS})\b"),
    # "menos el lunes", "except Monday", "not Monday", "no el lunes"
    re.compile(
        # (a reply that is "no" and a week is the answer and the week wanted: "no la otra semana", as a wish kept
        # without its comma, is "no, la otra semana")
        # ("no este martes, el otro" asks for the one after it: never this one ruled out, the other one lost)
        rf"\b(?:menos|excepto|salvo|except|but not|other than|not|no(?!(?<=^no)\s+{_A_WEEK})(?!\s+{_THIS_THEN_OTHER})"
        r"|ni|nor|tampoco"
        rf"|(?:(?:que|q) )?no sea"
        rf"|ningun[oa]? (?:(?:que|q) sea|el|la)|nada|anything but)\s+({_DAYS_JOINED})\b"
    ),
    # "trabajo en la mañana", "trabajo los lunes", "I work mornings"
    re.compile(rf"\b(?:trabajo|trabajamos|estoy trabajando|i work|i'?m at work)\s+({_DAYS})\b"),
    # "mañana no, el jueves", "a las 10 mejor no"
    re.compile(rf"\b({_DAYS})(?: tampoco| no| mejor no| better not)(?: puedo)?{_END}"),
)
_BUSY_THEN = (
    # "a las 10 tengo otra cita", "el jueves estoy ocupada", "at 10 I have a meeting"
    re.compile(rf"\b({_DAYS_JOINED})(?: {_BUSY}{_BUSY_WITH}|{_BAD_THEN}){_BUSY_END}"),
    # "tengo otra cita a las 10", "estoy ocupada el jueves", "I'm busy on thursday", "tengo clases en la mañana"
    re.compile(rf"\b{_BUSY}{_BUSY_WITH} ({_DAYS_JOINED}){_BUSY_WITH}{_BUSY_END}"),
)


# A cheap look first: most messages have no negation at all.
_MAYBE = re.compile(
    r"\b(?:no|ni|nor|not|can(?:'| )?t|cannot|could ?n(?:'| )?t|menos|excepto|salvo|except|other|imposible"
    r"|impossible|doesn(?:'| )?t|don(?:'| )?t|won(?:'| )?t|wo|isn(?:'| )?t|is|tampoco|nada|anything|trabajo"
    r"|trabajamos|trabajando|work|complica)\b"
)
_MAYBE_BUSY = re.compile(
    r"\b(?:tengo|tenemos|tiene|tienen|ocupad[oa]s?|trabajo|trabajamos|estoy|estamos|estare|estaremos|estar|ando"
    r"|andamos|toca|busy|working|work|have|got|free|available|class|meeting|bad|tough|hard|difficult|complicated"
    r"|mal|complicado|dificil)\b"
)


def may_rule_out(folded: str) -> bool:
    """Whether the message has a word that can rule a day out (cheaper than ``rule_out``)."""
    return bool(_MAYBE.search(folded) or _MAYBE_BUSY.search(folded))


def rule_out(folded: str) -> tuple[str, tuple[str, ...]]:
    """(the folded message without the days it rules out, the days and parts of the day it ruled out)."""
    patterns = (*(_RULED_OUT if _MAYBE.search(folded) else ()), *(_BUSY_THEN if _MAYBE_BUSY.search(folded) else ()))
    if not patterns:
        return folded, ()
    found: list[str] = []
    for pattern in patterns:
        while match := pattern.search(folded):
            folded = folded[: match.start()] + " , " + folded[match.end():]
            found.append(match.group(1))
    return folded, tuple(found)


_A_DAY = re.compile(rf"\b{_DAYISH}\b")
# Another day asked for, with no day named: "no puedo el jueves, ¿puedo ir otro día?", "can I come another day?"
_ANOTHER_DAY = re.compile(r"\b(?:otro dia|otros dias|otra fecha|another (?:day|date)|a different (?:day|date))\b")


def names_a_day(folded: str) -> bool:
    """Whether the (folded) text still names a day or a part of the day."""
    return bool(_A_DAY.search(folded))


def asks_another_day(folded: str) -> bool:
    """Whether the (folded) text asks for another day than one it ruled out ("…, ¿puedo ir otro día?")."""
    return bool(_ANOTHER_DAY.search(folded))


# What may go around a day or time said alone: "y a las 11?", "ok, ¿y el viernes?", "what about friday?"
_AROUND_A_WHEN = frozenset("y e o u and or pero but mejor entonces then what about how que tal hrs hr am pm".split())


def only_a_when(folded: str) -> bool:
    """Whether the (folded) text says a day or time and nothing else ("y a las 11", "what about friday")."""
    rest = _A_DAY.sub(" ", folded)
    return rest != folded and all(word in _AROUND_A_WHEN for word in rest.split())
