"""Right after a booking or a move (the conversation's ``DONE`` stage, for half an hour): whether the next message is
about the appointment just done ("¿a qué hora era?", the same time said again), about the one a move replaced ("¿y la
del jueves se canceló?"), or about something else (another appointment, another person, another professional, a
change: a new conversation). Pure reading of the message; flow.py answers."""

from __future__ import annotations

import re
from datetime import datetime

from relay.conversation.appointments import MINE
from relay.conversation.context import Context
from relay.conversation.freetext import Reading, normalize
from relay.conversation.intents import (
    FOR_WHOSE,
    RELATIVE,
    WHOSE,
    asks_about_clinic,
    asks_about_the_one_done,
    asks_other_professional,
    cannot_come,
    courtesy,
    for_me,
    for_someone_else,
    keeps_it,
    running_late,
    sounds_like_an_emergency,
    wants_another,
    wants_it_back,
    wants_several,
)
from relay.conversation.names import CAPITALISED_NAME, name_words
from relay.conversation.state import ConversationState
from wire.appointments import WireBooking


def asks_for_more(norm: str) -> bool:
    """Something besides the appointment just booked: another one, someone else's, the clinic's address, running
    late, an emergency, thanks (each answered as at a conversation's start)."""
    return (wants_another(norm) or for_someone_else(norm) or wants_several(norm) or asks_about_clinic(norm)
            or running_late(norm) or sounds_like_an_emergency(norm) or bool(courtesy(norm)))


def another_than_the_one_done(ctx: Context, state: ConversationState, norm: str, reading: Reading) -> bool:
    """The message is about another appointment than the one just done (``state.target``): another day or time
    ("¿sigue en pie la del lunes?", "ahí estaré el viernes" when it is on Thursday: the phone's appointments are
    looked at), another professional ("a las 10 pero con otro médico"), another person ("la de mi hijo", "Tomás Pérez
    jueves a las 10", "y yo también", "la mía" after a son's), "la otra", or its time given up ("a las 10 no puedo")."""
    done = state.target
    assert done is not None
    if asks_other_professional(norm) or cannot_come(norm) or reading.skip_times or reading.skip_days:
        return True
    if (reading.day or reading.times) and not names_the_one_done(done, reading, loosely=True):
        return True
    if reading.named and not set(reading.named) & name_words(done.professional):
        return True
    if _ALSO.search(norm) or _THE_OTHER_ONE.search(norm):
        return True
    if (_A_RELATIVE.search(norm) and not done.patient) or (done.patient and (for_me(norm) or MINE.search(norm))):
        return True
    return _names_another_person(ctx, done)


def corrects_the_one_done(done: WireBooking, message: str, norm: str, reading: Reading) -> bool:
    """Right after «¡Listo…!», another day or time said as a correction of the one just done ("perdón, era el martes",
    "no, el martes", "mejor a las 11", "sorry, I meant tuesday"), never one more asked for ("y otra el martes", "para
    mi hijo el martes", "también el martes"), a question ("¿cuál era la del viernes?") or another of theirs named
    ("no, la del jueves")."""
    if _WRONG_DAY_OR_TIME.search(norm) and not (reading.day or reading.times):
        return True  # "oops wrong day", "me equivoqué de hora" (was: the days, a tap away from a second one)
    if not (reading.day or reading.times) or names_the_one_done(done, reading, loosely=True):
        return False
    if "?" in message and not _INSTEAD.search(norm):  # ("¿cuál era la del viernes?"; "can we do 11:40 instead?")
        return False
    if (wants_another(norm) or for_someone_else(norm) or wants_several(norm) or _ALSO.search(norm)
            or _ONE_OF_THEIRS.search(norm)):
        return False
    return _CORRECTING.search(norm) is not None


def corrects_the_one_cancelled(cancelled: WireBooking, message: str, norm: str, reading: Reading) -> bool:
    """Right after «Listo, cancelé tu hora del jueves…», another of theirs named as the one meant ("no, era la del
    viernes", "me equivoqué, era la de las 4", "sorry, I meant the one on friday"): never a question, one more asked
    for, nor the cancelled one's own day or time."""
    if not (reading.day or reading.times) or names_the_one_done(cancelled, reading, loosely=True) or "?" in message:
        return False
    if (wants_another(norm) or for_someone_else(norm) or wants_several(norm) or _ALSO.search(norm)
            or keeps_it(norm) or _KEEP_WORD.search(norm)):  # ("no, mantén la del viernes": that one stays)
        return False
    return _ONE_OF_THEIRS.search(norm) is not None and _CORRECTING.search(norm) is not None


_KEEP_WORD = re.compile(r"\b(?:manten\w*|mantien\w*|deja|dejes|dejen|dejala|dejalo|conserv\w*|keep|leave)\b")


_WRONG_DAY_OR_TIME = re.compile(r"\b(?:wrong (?:day|date|time)|(?:dia|fecha|hora) equivocad[ao]"
                                r"|me equivoque de (?:dia|fecha|hora))\b")
_INSTEAD_WORDS = r"instead|en vez|en lugar"
_INSTEAD = re.compile(rf"\b(?:{_INSTEAD_WORDS})\b")
_ONE_OF_THEIRS = re.compile(r"\b(?:la|el|las|los) (?:del|de la|de las|de el)\b|\bthe one\b")


# "perdón, era el martes", "no, el martes", "mejor…", "uy, me equivoqué…", "sorry, I meant…", "it was…"
_CORRECTING = re.compile(
    r"^(?:(?:no+|perdon|perdona|disculpa|disculpe|ups|uy|oops|sorry|mejor|better|rather|ay|ah|oh|actually|wait|espera"
    r"|pucha)\b[\s,.!]*)+|\b(?:era|eran|it was|i meant|quise decir|queria decir|me equivoque|my bad|should be"
    rf"|deberia ser|{_INSTEAD_WORDS}|make it)\b"
)


def about_the_one_moved_from(
    ctx: Context, state: ConversationState, old: WireBooking, norm: str, reading: Reading, intent: str
) -> bool:
    """Right after a move, the message is about the appointment moved from (gone): its day or time ("¿y la del jueves
    se canceló?", "cancela la del jueves", "ahí estaré el jueves"), "la anterior" / "la otra", or whether one was
    cancelled with no other named ("¿se canceló?"). ``intent``: the message's, as ``detect`` reads it."""
    if _A_RELATIVE.search(norm) or MINE.search(norm) or _names_another_person(ctx, old):
        return False  # ("¿y la de mi hijo sigue?": another one)
    if intent in ("reschedule", "book") or wants_it_back(norm) or keeps_it(norm) or _PUT_IT_BACK.search(norm):
        return False  # "vuelve a ponerla el jueves", "mejor déjala el jueves": a change asked for
    if _THE_OTHER_ONE.search(norm):  # "cancela la otra": the old one (never the new one offered for cancelling);
        return intent == "cancel"  # "¿la otra sigue?": the phone may hold others (looked at)
    if reading.day or reading.times:  # (the old one's, not the new one's: both may be on the same day)
        new = state.target
        return names_the_one_done(old, reading, loosely=True) and not (
            new is not None and names_the_one_done(new, reading, loosely=True))
    return bool(_THE_OLD_ONE.search(norm) or _ASKS_OLD_ONE_GONE.search(norm))


def about_those_done(ctx: Context, state: ConversationState, norm: str, reading: Reading, intent: str) -> bool:
    """After several appointments were booked in this conversation (``booked_here`` and ``target``: "para mí y mi
    hijo"), the message asks how they stand and names none but them: "¿quedó?", "¿quedaron las dos?", "¿y la mía?",
    "¿a qué hora era la de mi hijo?", "ok, entonces el jueves a las 9 y a las 10". Never another one asked for ("¿y
    para mi esposa también se puede?"), a change, a cancel, another professional or another day or time."""
    done = (*state.booked_here, state.target)
    if intent in ("cancel", "reschedule", "person") or wants_another(norm) or asks_other_professional(norm):
        return False
    if cannot_come(norm) or reading.skip_times or reading.skip_days or _FOR_A_RELATIVE.search(norm):
        return False
    asked = "?" in ctx.turn.message
    if asked and _BOTH.search(norm) and not reading.day:  # "¿quedaron las dos?" (never 2 o'clock)
        return True
    if reading.day or reading.times:  # every day and time it says is one of those booked
        starts = [datetime.fromisoformat(b.start) for b in done if b is not None]
        days = {s.date() for s in starts}
        times = {(s.hour, s.minute) for s in starts}
        return (reading.day is None or reading.day in days) and set(reading.times) <= times
    if asks_about_the_one_done(norm):
        return True
    return asked and bool(MINE.search(norm) or _THEIRS.search(norm) or for_me(norm))


def asks_how_those_stand(message: str, norm: str) -> bool:
    """While one more appointment is chosen after others were booked in this conversation (``booked_here``: "para mí y
    mi hijo", his booked), a question of how those stand: "¿quedó la de mi hijo?", "¿quedaron las dos?", "¿la mía
    quedó?", "¿ya quedó?" — never "las 2" picked at the times, nor another one asked for."""
    if ("?" not in message or wants_another(norm) or asks_other_professional(norm) or cannot_come(norm)
            or _ASKS_IF_FREE.search(norm)):  # ("¿quedó libre el lunes?": a free time asked for)
        return False
    return asks_about_the_one_done(norm) or bool(_STANDS.search(norm))


def _names_another_person(ctx: Context, done: WireBooking) -> bool:
    """A person's name written in capitals ("Tomás Pérez jueves a las 10", "for Tom Smith") who is not the one the
    appointment just done is for (nor a professional, nor the writer when it was theirs)."""
    message = ctx.turn.message
    words = message.split()
    if len(words) > 2 and all(w[:1].isupper() for w in words):  # "Ok Gracias Nos Vemos": every word capitalised
        return False
    known = {w for name in ctx._view().staff for w in name} | _NOT_A_NAME
    known |= set(normalize(done.patient).split()) if done.patient else set(normalize(ctx.turn.name).split())
    runs = [*CAPITALISED_NAME.findall(message), *_A_NAME_AFTER.findall(message)]
    return any(set(normalize(run).split()) - known for run in runs)


# "¿quedó?", "¿quedaron bien?", "did it go through?": how something booked stands
_STANDS = re.compile(r"\b(?:quedo|quedaron|quedaria|quedarian|go through|went through)\b")
_ASKS_IF_FREE = re.compile(r"\b(?:libre|libres|disponible|disponibles|hay|free|available)\b")
_BOTH = re.compile(r"\b(?:las dos|los dos|ambas|ambos|las 2|los 2|both)\b")
# "¿y la de mi hijo?", "what about my son's?": a relative's appointment (never "y mi esposa", another person)
_THEIRS = re.compile(rf"\b(?:la|el|las|los|hora|horas|cita|citas|consulta|turno) (?:de|del) {WHOSE}"
                     rf" {RELATIVE}\b|\b{WHOSE} {RELATIVE}(?: s|'s)\b")
_FOR_A_RELATIVE = re.compile(rf"\b(?:para|pa|for) {FOR_WHOSE} {RELATIVE}\b")
# "y yo también", "a las 10 somos 2", "for both of us": one more person than the one booked
_ALSO = re.compile(r"\b(?:tambien|tb|tbn|tmb|ademas|somos|ambos|ambas|los dos|las dos|too|also|both)\b")
_PUT_IT_BACK = re.compile(r"\b(?:deja|dejala|dejalo|dejamos|ponla|ponlo|ponerla|ponerlo|vuelve|volver|vuelvela"
                          r"|regresa|regresala|devuelve|devuelvela|put it|move it|change it)\b")
_A_NAME_AFTER = re.compile(r"\b(?:de|del|para|for|of)\s+([A-ZÁÉÍÓÚÑ][a-záéíóúñü'-]+)")  # "y la de Tomás…?"
_THE_OTHER_ONE = re.compile(r"\b(?:la otra|el otro|las otras|los otros|the other one|the others)\b")
_THE_OLD_ONE = re.compile(r"\b(?:la|el) (?:anterior|antigua|antiguo|vieja|viejo|de antes)\b"
                          r"|\bthe (?:old|previous|first) one\b")
_A_RELATIVE = re.compile(rf"\b(?:{FOR_WHOSE}|de|del) {RELATIVE}\b")
# Capitalised words that are no one's name ("Jueves", "Ok", "Ahí Estaré", "Dra")
_NOT_A_NAME = frozenset(
    """
    lunes martes miercoles jueves viernes sabado domingo manana hoy ok okay si sii no hola gracias muchas perfecto
    listo dale ya bueno entonces y a la el las los de del con para por favor dr dra doctor doctora ahi alla alli
    estare estaremos nos vemos confirmo mi asistencia sin falta hasta pronto chao saludos buenas buenos dias tardes
    noches monday tuesday wednesday thursday friday saturday sunday today tomorrow yes thanks thank hi hello great
    the at on with i see you am pm ll will be there enero febrero marzo abril mayo junio julio agosto septiembre
    setiembre octubre noviembre diciembre january february march april may june july august september october
    november december
    """.split()
)
# Right after a move, whether the one moved from is gone: "¿se canceló?", "¿ya no está?", "¿sigue?", "was it
# cancelled?" (with its day, "la anterior" or nothing else named)
_ASKS_OLD_ONE_GONE = re.compile(
    r"\b(?:se|fue|quedo|ha sido|esta) (?:cancelad[oa]|anulad[oa]|borrad[oa]|eliminad[oa])\b"
    r"|\bse (?:cancelo|anulo|borro|elimino|cancel|anul)\b|\bya no (?:esta|existe|va|corre)\b"  # ("cancel": as read)
    r"|\b(?:me |la |lo )?(?:cancelaste|anulaste|cancelaron|anularon)\b"
    r"|\b(?:was|is|got|did) (?:it|that one) (?:cancel+ed|gone|get cancel+ed)\b|\bdid you cancel\b"
)
ALL_GOOD = re.compile(r"^(?:(?:no+|ok|oka|okay|ya) )?(?:(?:asi )?esta (?:bien|perfecto)(?: asi)?"
                      r"|todo (?:bien|ok|perfecto)|all good|that s fine|it s fine(?: as it is)?|its fine|it s ok"
                      r"|that s ok|no problem|no worries|(?:no hay|sin) problema|no te preocupes)$")


def names_the_one_done(done: WireBooking, reading: Reading, *, loosely: bool = False) -> bool:
    """The message names the time of the appointment ``done`` (and its day, if any): "ok, el jueves a las 10
    entonces", "entonces quedó para las 10?", "hola, quiero hora el jueves a las 10" sent again. ``loosely``: its
    day or its time is enough ("ahí estaré el jueves")."""
    start = datetime.fromisoformat(done.start)
    if reading.day not in (None, start.date()):
        return False
    if (start.hour, start.minute) in reading.times:
        return True
    return loosely and not reading.times
