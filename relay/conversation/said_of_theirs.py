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
from relay.conversation.freetext import Reading, normalize
from relay.conversation.intents import RELATIVE, for_someone_else, wants_another, wants_several
from relay.conversation.model import Reply
from relay.conversation.state import ConversationState
from wire.appointments import WireBooking


def the_one_they_have(ctx: Context, state: ConversationState, reading: Reading, norm: str) -> Reply | None:
    """At «Ya tienes hora el jueves 3 a las 10:00… ¿una hora más, cambiarla o cancelarla?», a message that names only
    that day and time ("ok, el jueves a las 10 entonces", "el jueves a las 10 con la dra soto"): «Sí, esa es tu hora…;
    sigue en pie.» and the same three choices — never the same time's other professionals offered as a new booking.
    None: it names another time, asks for one more ("otra el jueves a las 10", "una más…", "también…", "para mi
    hijo", "para Rosa Díaz"), or says they cannot come then ("el jueves a las10 no puedo")."""
    if (not reading.day or not reading.times or reading.intent not in ("book", "none") or wants_another(norm)
            or for_someone_else(norm) or wants_several(norm) or _ONE_MORE.search(norm) or _CANNOT.search(norm)):
        return None
    theirs = _at_the_time_said(state, reading)
    if len(theirs) != 1 or _for_another_than(theirs[0], norm) or _more_than_when(norm):
        return None
    booking = theirs[0]
    when = when_words(ctx.lang, booking)
    if booking.booking_id in state.others and booking.patient:
        return already(ctx, state, listing=[ctx.say("that_is_theirs", patient=booking.patient, **when)])
    return already(ctx, state, listing=[ctx.say("that_is_yours", **when)])


def cannot_make_theirs(state: ConversationState, reading: Reading, norm: str) -> tuple[WireBooking, ...]:
    """At «Ya tienes hora el jueves 3 a las 10:00…», a message ruling out that day or time ("el jueves no puedo", "a
    las 10 no me sirve", "el jueves no puedo, dame otra el viernes", "jueves 10:00 no puedo"): those it rules out, to
    be moved — never the day's other times offered as one more appointment beside the one they cannot keep. None
    when it is for someone else."""
    if reading.intent not in ("book", "none") or for_someone_else(norm) or wants_several(norm):
        return ()
    ruled_out = tuple(b for b in state.bookings if _local(b).date() in reading.skip_days
                      or ((_local(b).hour, _local(b).minute) in reading.skip_times
                          and reading.day in (None, _local(b).date())))
    if ruled_out or not _CANNOT.search(norm) or reading.skip_days or reading.skip_times:
        return ruled_out  # (another day or time ruled out: "el miércoles no puedo pero el jueves sí", "a las 4 no")
    if reading.day and reading.times:  # "el jueves a las10 no puedo": its day and time, and a "no puedo"
        return _at_the_time_said(state, reading)
    if reading.day:  # "el jueves se me complicó", "el jueves tengo trabajo"
        return tuple(b for b in state.bookings if _local(b).date() == reading.day)
    if len(state.bookings) == 1 and _THAT_ONE.search(norm):  # "ese día no puedo", "no puedo a esa hora"
        return state.bookings
    return ()


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


def _more_than_when(norm: str) -> bool:
    """Words that make it more than which one it is: someone else ("… ppara tomás", "… mi y i hijo"), or a wish to
    talk ("… para hablar con la doctora"). (What goes around their day and time — "ok", "dale", "porfa", "gracias",
    "confirmo", a typo of the day — says nothing more: never a second appointment at that time offered for it.)"""
    return bool(_SOMEONE.search(norm))


_SOMEONE = re.compile(rf"\b(?:{RELATIVE}|hablar|talk|speak)\b")


# "una más", "un turno más", "también", "agrega una": one more beside the one they have
_ONE_MORE = re.compile(r"\b(?:otra|otro|otras|otros|mas|tambien|tb|tbn|tmb|ademas|agrega\w*|agendame|sumale"
                       r"|another|more|also|too|add)\b")
# "no puedo", "no voy", "ya no", "se me complicó", "tengo trabajo", "doesn't work", "can't": they cannot come then
_CANNOT = re.compile(r"\b(?:no (?:puedo|podre|podemos|voy|vamos|alcanzo|llego|me sirve|me acomoda|me queda|estare)"
                     r"|ya no|no voy a (?:poder|estar|alcanzar|llegar)|se me complic\w*|me complica"
                     r"|tengo (?:un )?(?:trabajo|compromiso|reunion|turno)|estoy ocupad[oa]|imposible"
                     r"|no me (?:da|viene|conviene|resulta|funciona|alcanza)|(?:pilla|queda|viene|cae) mal"
                     r"|can ?t|cannot|won ?t|doesn ?t|don ?t|not|busy)\b")
_THAT_ONE = re.compile(r"\b(?:ese dia|esa fecha|esa hora|ese horario|ese turno|that day|that date|that time)\b")
_FOR_WHOM = re.compile(r"\b(?:p+ara|pa|for|a nombre de)\s+(\w+)")  # ("ppara tomás": a typo of it)
_NOT_A_PERSON = frozenset(
    """
    el la los las mi mis me ti ese esa este esta eso hoy manana pasado the my me that this today tomorrow lunes martes
    miercoles jueves viernes sabado domingo monday tuesday wednesday thursday friday saturday sunday
    """.split()
)


def _local(booking: WireBooking) -> datetime:
    return datetime.fromisoformat(booking.start)
