"""What a message says of the appointment the patient was just told of («Ya tienes hora el jueves 3 a las 10:00 con la
Dra. Ana Soto. ¿Quieres una hora más, cambiarla o cancelarla?»): that one said back ("ok, el jueves a las 10
entonces": «Sí, esa es tu hora…», never the same time's other professionals offered as a new booking), or that one
ruled out ("el jueves no puedo", "ese día no puedo": to be moved, never one more beside it). Pure code.
"""

from __future__ import annotations

import re
from datetime import datetime

from relay.conversation.appointments import when_words
from relay.conversation.context import Context
from relay.conversation.existing import already
from relay.conversation.freetext import WEEKDAY_NAMES, WEEKDAYS, Reading, normalize
from relay.conversation.intents import RELATIVE, for_me, for_someone_else, wants_another, wants_several
from relay.conversation.model import Reply
from relay.conversation.negation import asks_another_day, names_a_day
from relay.conversation.state import ConversationState
from wire.appointments import WireBooking


def the_one_they_have(ctx: Context, state: ConversationState, reading: Reading, norm: str) -> Reply | None:
    """At «Ya tienes hora el jueves 3 a las 10:00… ¿una hora más, cambiarla o cancelarla?», a message that names only
    that day and time ("ok, el jueves a las 10 entonces", "el jueves a las 10 con la dra soto"): «Sí, esa es tu hora…;
    sigue en pie.» and the same three choices — never the same time's other professionals offered as a new booking.
    None: it names another time, asks for one more ("otra el jueves a las 10", "una más…", "también…", "una
    segunda…") or for someone else ("para mi hijo", "para Rosa Díaz", "Tomás el jueves a las 10"; "para mí" of a
    relative's), or says they cannot come then ("el jueves a las10 no puedo")."""
    if (not reading.day or not (reading.times or _come_at(norm)) or reading.intent not in ("book", "none")
            or wants_another(norm) or for_someone_else(norm) or wants_several(norm) or _ONE_MORE.search(norm)):
        return None
    if _cannot(state, reading, norm):
        return None
    theirs = _theirs_said(state, reading, norm)
    if (len(theirs) != 1 or _for_another_than(theirs[0], norm) or _more_than_when(norm)
            or _names_someone(ctx, theirs[0])):
        return None
    booking = theirs[0]
    if booking.booking_id in state.others and (for_me(norm) or _I.search(norm)):
        return None  # the son's time, "el jueves a las 10 para mí", "yo el jueves a las 10": one for the writer
    when = when_words(ctx.lang, booking)
    if booking.booking_id in state.others and booking.patient:
        return already(ctx, state, listing=[ctx.say("that_is_theirs", patient=booking.patient, **when)])
    return already(ctx, state, listing=[ctx.say("that_is_yours", **when)])


def cannot_make_theirs(state: ConversationState, reading: Reading, norm: str) -> tuple[WireBooking, ...]:
    """At «Ya tienes hora el jueves 3 a las 10:00…», a message ruling out that day or time ("el jueves no puedo", "a
    las 10 no me sirve", "el jueves no puedo, dame otra el viernes", "jueves 10:00 no puedo"): those it rules out, to
    be moved — never the day's other times offered as one more appointment beside the one they cannot keep. None
    when it is for someone else."""
    # "no puedo asistir el jueves, ¿se puede otro día?", "no voy a poder ir el jueves pero sí el viernes": a move,
    # Thursday ruled out (never "otro" read as one more); other moves are read as before
    theirs_on = {_local(b).date() for b in state.bookings}
    another_day = reading.intent == "reschedule" and (asks_another_day(norm) or reading.day not in (None, *theirs_on))
    if reading.intent not in ("book", "none") and not another_day or for_someone_else(norm) or wants_several(norm):
        return ()
    ruled_out = tuple(b for b in state.bookings if _local(b).date() in reading.skip_days
                      or ((_local(b).hour, _local(b).minute) in reading.skip_times
                          and reading.day in (None, _local(b).date())))
    if ruled_out or reading.skip_days or reading.skip_times:
        return ruled_out  # (another day or time ruled out: "el miércoles no puedo pero el jueves sí", "a las 4 no")
    replaced = _INSTEAD_OF_A_DAY.search(norm)
    if replaced is not None:  # "puedo ir el viernes en vez del jueves?": Thursday's, to be moved there
        return tuple(b for b in state.bookings if _local(b).weekday() == WEEKDAYS[replaced.group(1)])
    if not _cannot(state, reading, norm):
        return ()
    at_the_time = _at_the_time_said(state, reading) if reading.day and reading.times else ()
    if at_the_time:  # "el jueves a las10 no puedo": its day and time, and a "no puedo"
        return at_the_time
    if reading.day and _names_its_day(norm):  # "el jueves se me complicó", "el jueves tengo trabajo" (never "me
        # surgió algo, necesito hora para el viernes": the day wanted)
        return tuple(b for b in state.bookings if _local(b).date() == reading.day)
    if len(state.bookings) == 1 and _THAT_ONE.search(norm):  # "ese día no puedo", "no puedo a esa hora"
        return state.bookings
    return ()


def aim_instead(norm: str) -> str:
    """Where a message that rules out theirs would go instead ("puedo ir el viernes en vez del jueves?": "puedo ir el
    viernes"; "el jueves trabajo pero puedo a las 16": all of it), "" when it says no such."""
    if _INSTEAD_OF_A_DAY.search(norm):
        return _INSTEAD_OF_A_DAY.sub(" ", norm)
    return norm if _CAN_AT.search(norm) else ""  # "el jueves trabajo pero puedo a las 16": Thursday at 16


def _cannot(state: ConversationState, reading: Reading, norm: str) -> bool:
    """They say they cannot come ("no puedo", "me surgió algo", "el jueves tengo reunión") — but not when, with no
    "no", they say they come at the very time of theirs ("el jueves tengo que trabajar hasta las 9, llego a las 10",
    "…estoy de turno hasta las 9, a las 10 puedo": that one stands)."""
    if not _CANNOT.search(norm):
        return False
    if _A_NO.search(norm):
        return True  # ("el jueves no puedo a las 10, llego a las 11", "…llego a las 10 de un viaje, no alcanzo")
    theirs = {(_local(b).hour, _local(b).minute) for b in _theirs_said(state, reading, norm)}
    return not theirs & set(_come_at(norm))


def _theirs_said(state: ConversationState, reading: Reading, norm: str) -> tuple[WireBooking, ...]:
    """The listed ones at the day and time the message says — or, when its times could not be read apart ("el jueves
    tengo una reunión a las 8, llego a las 10"), on that day at the time they say they come."""
    said = _at_the_time_said(state, reading)
    if said or reading.times or not reading.day:
        return said
    come = set(_come_at(norm))
    return tuple(b for b in state.bookings if _local(b).date() == reading.day
                 and (_local(b).hour, _local(b).minute) in come)


def _come_at(norm: str) -> list[tuple[int, int]]:
    """The times a message says they come or can come at ("llego a las 10", "a las 10 puedo", "i can at 10"), both
    readings of an hour under 12 ("a las 4": 04:00 and 16:00)."""
    found = []
    # "llego a las 10" read first: with the commas gone, "salgo de turno a las 10, llego a las 10:30" reads "a las 10
    # llego" too
    for match in list(_COMES_AT.finditer(norm)) or _AT_THEN_COMES.finditer(norm):
        hour, minute = int(match.group("h")), int(match.group("m") or 0)
        found += [(hour, minute), (hour + 12, minute)] if hour < 12 else [(hour, minute)]
    return found


def _names_its_day(norm: str) -> bool:
    """The day read is the one they cannot come: a clause that says they cannot names a day ("el jueves tengo
    reunión, …", "no puedo, el jueves tengo reunión"), or no other clause does ("el lune no puedo": a typo the reading
    put right) — never a day named only in another clause ("tengo una reunión así que para el viernes", "tengo un
    viaje y vuelvo el jueves")."""
    said = [m.span() for m in _CANNOT.finditer(norm)]
    at, clauses = 0, []
    for clause in _CLAUSE_BREAK.split(norm):
        cannot = any(at <= start < at + len(clause) or at < end <= at + len(clause) for start, end in said)
        clauses.append((cannot, names_a_day(clause)))
        at += len(clause)
    return any(cannot and day for cannot, day in clauses) or not any(day for _, day in clauses)


def _at_the_time_said(state: ConversationState, reading: Reading) -> tuple[WireBooking, ...]:
    """The listed appointments on the day and at a time the message says (with the professional it names, if any)."""
    named = set(reading.named)
    return tuple(b for b in state.bookings if _local(b).date() == reading.day
                 and (_local(b).hour, _local(b).minute) in reading.times
                 and named <= set(normalize(b.professional).replace(".", " ").split()))


def _for_another_than(booking: WireBooking, norm: str) -> bool:
    """"… para Rosa Díaz", "for Tom": the message names whom it is for, and that is not whose ``booking`` is."""
    said = _FOR_WHOM.search(norm)
    if said is None or said.group(1) in _NOT_A_PERSON:
        return False
    return not (booking.patient and said.group(1) in normalize(booking.patient).split())


def _names_someone(ctx: Context, booking: WireBooking) -> bool:
    """A name written as one that is nobody the conversation knows ("Tomás el jueves a las 10", "resérvale a Sofía…",
    "book Tom thursday at 10"): someone else's appointment asked for — never a professional, a day or month, the
    writer, whose ``booking`` is, nor words that are all capitalised ("Ok El Jueves A Las 10")."""
    words = ctx.turn.message.split()
    if len(words) > 2 and all(w[:1].isupper() for w in words if w[:1].isalpha()):
        return False
    known = {w for name in ctx._view().staff for w in name} | set(normalize(ctx.turn.name).split())
    known |= set(normalize(booking.patient).split()) if booking.patient else set()
    capitalised = {normalize(w) for w in re.findall(r"\b[A-ZÁÉÍÓÚÑ][a-záéíóúñü'-]+", ctx.turn.message)}
    return any(w and w not in known and w not in _NOT_A_PERSON and w not in _CAPITALISED_WORDS for w in capitalised)


def _more_than_when(norm: str) -> bool:
    """Words that make it more than which one it is: someone else ("… ppara tomás", "… mi y i hijo"), or a wish to
    talk ("… para hablar con la doctora"). (What goes around their day and time — "ok", "dale", "porfa", "gracias",
    "confirmo", a typo of the day — says nothing more: never a second appointment at that time offered for it.)"""
    return bool(_SOMEONE.search(norm))


# (a relative after "mi", "para", "i" — "para mi y i hijo" — never "gracias tía" nor "¿son el jueves…?")
_SOMEONE = re.compile(rf"\b(?:(?:mi|mis|su|sus|tu|i|my|his|her|our|para|pa|de|del|for) {RELATIVE}|hablar|talk|speak)\b")
_I = re.compile(r"\b(?:yo|me|i|myself|mine|mia|mio)\b")
# Capitalised words that are no one's name: the start of a sentence, greetings, fillers
_CAPITALISED_WORDS = frozenset(
    """
    ok okay oka okey si sii ya ah oh dale perfecto genial listo bueno entonces gracias hola buenas buenos confirmo
    yes yeah yep great thanks thank hi hello sure cool perfect right fine esa ese eso es era sera con dr dra doctor
    doctora jaja jajaja nos vemos hasta luego chao porfa please enero febrero marzo abril mayo junio julio agosto
    septiembre setiembre octubre noviembre diciembre january february march april may june july august september
    october november december lun mar mie jue vie sab dom mon tue wed thu fri sat sun ene abr ago sep set oct nov dic
    feb jan aug dec
    """.split()
)


# "una más", "un turno más", "también", "agrega una": one more beside the one they have
_ONE_MORE = re.compile(r"\b(?:otra|otro|otras|otros|mas|ms|tambien|tb|tbn|tmb|ademas|agrega\w*|agendame|sumale"
                       r"|segunda|segundo|reservale|agendale|sacale|pidele|another|more|also|too|add|second)\b")
# "no puedo", "no voy", "ya no", "se me complicó", "tengo trabajo", "doesn't work", "can't": they cannot come then
_CANNOT = re.compile(r"\b(?:no (?:puedo|podre|podemos|voy|vamos|alcanzo|llego|me sirve|me acomoda|me queda|estare)"
                     r"|ya no|no voy a (?:poder|estar|alcanzar|llegar)|se me complic\w*|me complica"
                     r"|tengo (?:un |una )?(?:trabajo|compromiso|reunion|turno|viaje|junta|examen|matrimonio|funeral)"
                     r"|estoy ocupad[oa]|imposible|estoy de turno|(?:dia|hora|fecha|horario) (?:yo )?(?:trabajo"
                     r"|estoy trabajando)|(?:el )?(?:lunes|martes|miercoles|jueves|viernes|sabado|domingo) trabajo"
                     # "me surgió algo el jueves", "el jueves se me cruzó una reunión", "me salió un viaje" (never
                     # "me surgió una duda", "se me cruzó la idea", "me salió algo en la piel", "me toca turno")
                     r"|me surgio (?:algo|un (?:imprevisto|problema|compromiso|viaje|tema|trabajo)|una (?:reunion"
                     r"|urgencia|emergencia))|se me (?:cruzo|presento|atraveso|junto) (?:algo|un|una|otr[oa])"
                     r"|me salio (?:un viaje|un compromiso|un imprevisto|un trabajo|una reunion)|me toca (?:trabajar"
                     r"|viajar)|tengo que (?:trabajar|viajar)|came up|i have (?:a meeting|a trip|to work|work)"
                     r"|(?:is|s) (?:a )?bad(?: day)?(?: for (?:me|us)|$)"
                     r"|no me (?:da|viene|conviene|resulta|funciona|alcanza)|(?:pilla|queda|viene|cae) mal"
                     r"|can ?t|cannot|won ?t|doesn ?t|don ?t|not|busy)\b")
# Where one clause of a message ends and the next begins (split keeping the separators, so offsets add up)
_CLAUSE_BREAK = re.compile(r"([,.;:!?]|\b(?:asi que|so|pero|but|y|and|necesito|quiero|para el|please|porfa)\b)")
# "…pero puedo a las 16", "…i can at 4": a time they can come at, said with the cannot
_CAN_AT = re.compile(r"(?<!no )\b(?:puedo|podria|me sirve|estoy libre|i can|i m free|free)(?: \w+)? (?:a las|at) \d")
_A_NO = re.compile(r"\b(?:no|ya no|not|can ?t|cannot|won ?t|don ?t)\b")
# "llego a las 10", "puedo a las 10", "a las 10 puedo", "i can make it at 10": the time they come at
_COMES_AT = re.compile(
    r"\b(?:llego|puedo|podria|voy|estoy (?:libre|ahi)|me sirve|i can(?: make it| come)?|i ll be there|i m free)"
    r" (?:a las|at|tipo|como a las) (?P<h>\d{1,2})(?:[:.](?P<m>\d\d))?(?! y (?:media|cuarto))\b"
)
_AT_THEN_COMES = re.compile(r"\ba las (?P<h>\d{1,2})(?:[:.](?P<m>\d\d))? (?:puedo|llego|voy|me sirve|estoy)\b")
# "el viernes en vez del jueves", "friday instead of thursday": the day replaced
_INSTEAD_OF_A_DAY = re.compile(r"\b(?:en (?:vez|lugar) (?:de|del)|instead of)\s+(?:el |la |de |on )?"
                               rf"({WEEKDAY_NAMES})\b")
_THAT_ONE = re.compile(r"\b(?:ese dia|esa fecha|esa hora|ese horario|ese turno|that day|that date|that time)\b")
_FOR_WHOM = re.compile(r"\b(?:p+ara|pa|for|a nombre de)\s+(?:(?:el|la) (?!(?:lunes|martes|miercoles|jueves|viernes"
                       r"|sabado|domingo)\b))?(\w+)")  # ("ppara tomás", "pa la Sofía")
_NOT_A_PERSON = frozenset(
    """
    el la los las mi mis me ti ese esa este esta eso hoy manana pasado the my me that this today tomorrow lunes martes
    miercoles jueves viernes sabado domingo monday tuesday wednesday thursday friday saturday sunday
    """.split()
)


def _local(booking: WireBooking) -> datetime:
    return datetime.fromisoformat(booking.start)
