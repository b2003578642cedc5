"""The agent's answer to a booking, and the hand-off to a receptionist: pure functions of state and outcome."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from relay.conversation.context import aware, first_name
from relay.conversation.evolve import evolve
from relay.conversation.fields import names_an_insurer
from relay.conversation.freetext import normalize, read
from relay.conversation.intents import (
    another_person_too,
    detect,
    second_persons_part,
    self_among,
    wants_several,
    yes_and_more,
)
from relay.conversation.menus import (
    MAX_BUTTONS,
    MAX_LABEL,
    clock,
    fold,
    local_day,
    short_professional,
    slot_key,
    slot_start,
    time_label,
    unique_labels,
)
from relay.conversation.model import ClinicProfile, Reply, Turn
from relay.conversation.patient_language import in_language
from relay.conversation.replies import continuation
from relay.conversation.state import (
    CHOOSE_DAY,
    CHOOSE_TIME,
    CONFIRM_CANCEL,
    DONE,
    ConversationState,
    Option,
    new_conversation,
)
from relay.conversation.texts import Language, language
from wire.appointments import WireBooking
from wire.handoff import ASKED_OF_A_PERSON
from wire.messages import BookResult, WireError, WireSlot

BOOKING_FAILED = "booking_failed"  # a booking first told as not known yet turned out not to have happened
RUNNING_LATE = "running_late"  # "voy a llegar tarde": reception is told; the appointment stays as it is
NAME_CORRECTION = "name_correction"  # the name on a booked appointment: the web app's own screens, a person's job
# A person asked for: to write, or to phone ("que me llamen")
PERSON_REASONS = ("asked_for_person", "asked_for_call")
ELSEWHERE = {"cancel": "cancel_requested", "reschedule": "reschedule_requested", "my_bookings": "bookings_requested"}




def after_booking(
    state: ConversationState, turn: Turn, clinic: ClinicProfile, outcome: BookResult | WireError
) -> Reply:
    """The agent's answer to a Book: a confirmation, the nearest alternatives, a hand-off, or "not known yet"."""
    clinic = in_language(clinic, state.language)
    lang = language(clinic.language)
    turn = aware(turn)
    if isinstance(outcome, BookResult):
        return booked(lang, state, turn, clinic, outcome)
    if outcome.code == "slot_taken":
        # Told "Aún no sé…" first, reception was handed the case ("ofrézcale otra" once taken): another time booked
        # from the alternatives now settles it (relay/followup_texts.resolution), as a booking made after a hand-off
        reopened = "booking_requested" if state.gave_up else state.reopened
        return slot_taken(lang, evolve(state.seen(turn.now), gave_up=False, reopened=reopened), turn, clinic,
                          outcome)
    if not outcome.certainly_unwritten:
        return handoff(state, turn, clinic, outcome.code)  # it may have been written: keep asking
    if state.gave_up and state.pending is not None:
        return failed_late(lang, state, turn, clinic, outcome.code)
    not_made = _not_booked(lang, state.pending) if state.pending is not None else ""
    return handoff(evolve(state, stage=CHOOSE_DAY, pending=None), turn, clinic, outcome.code, why=not_made)


def _not_booked(lang: Language, slot: WireSlot) -> str:
    """ "Tu hora del miércoles 2 de diciembre a las 09:00 con la Dra. Ana Soto no se pudo reservar." """
    start = slot.start_dt()
    return lang.say("booking_failed_late", day=lang.day_long(start.date()), time=start.strftime("%H:%M"),
                    professional=lang.with_professional(slot.professional))


def handoff(
    state: ConversationState | None, turn: Turn, clinic: ClinicProfile, reason: str, opening: Sequence[str] = (),
    closing: Sequence[str] = (), why: str = "", told: Sequence[str] = (),
) -> Reply:
    """A polite hand-off to the clinic's receptionist (status "handoff").

    The conversation ends, except while a booking's outcome is unknown: then it is kept (``gave_up``), the
    patient is told the truth, and their next message asks the agent again with the same key.
    ``opening``: paragraphs said first (the greeting, when the conversation's first message asks for this);
    ``closing``: said last (not while a booking's outcome is unknown); ``why``: what went wrong, said instead of
    "no puedo revisar la agenda" (a booking the web app certainly did not take: "Tu hora del … no se pudo reservar");
    ``told``: said instead of the reason's own words (which may speak of an appointment this turn has not seen).
    """
    lang = language(clinic.language)
    data: dict[str, Any] = {"status": "handoff", "reason": reason}
    if state is not None:
        data["conversation_id"] = state.conversation_id
    if state is not None and state.booking_open and state.pending is not None:
        # The booking may or may not have been written: the bot must not guess, and must not forget it.
        pending = state.pending
        start = pending.start_dt()
        paragraphs = [
            lang.say(
                "booking_unconfirmed",
                day=lang.day_long(start.date()),
                time=start.strftime("%H:%M"),
                professional=pending.professional,
                why=lang.why_not_known(reason),
            ),
            lang.say("booking_unconfirmed_next"),
            *rest_after_news(lang, state),
        ]
        data.update(
            booking="unconfirmed",
            requested_start=pending.start,
            requested_professional=pending.professional,
            requested_slot_id=pending.id,
        )
        kept = evolve(state.seen(aware(turn).now), gave_up=True)
        return Reply(kept, continuation(data, paragraphs), "handoff")
    if state is not None and state.target is not None and state.intent in ("cancel", "reschedule"):
        # A cancel or move under way (the agent paused, away or failing): reception's task names the appointment —
        # the new time chosen for a move, else the one to cancel or move — never only "the day they looked at"
        named = state.named_for_reception()
        assert named is not None
        data.update(booking_id=state.target.booking_id, requested_start=named.start,
                    requested_professional=named.professional)
    if told:
        paragraphs = list(told)
    elif reason == "cancelled":
        paragraphs = [lang.say("cancelled")]
    elif reason in PERSON_REASONS:
        paragraphs = [lang.say(reason)]
    elif reason in ELSEWHERE.values() or reason in (NAME_CORRECTION, RUNNING_LATE, "not_understood"):
        paragraphs = [lang.say(reason)]
    elif reason == "no_slots":
        paragraphs = [lang.say("no_slots"), lang.say("receptionist")]
    elif why:
        paragraphs = [why, lang.say("receptionist")]
    else:
        paragraphs = [lang.say("cannot_check"), lang.say("receptionist")]
    # Waiting for a receptionist: the next message is answered as such (not greeted with the menus), for as long
    # as a conversation lasts. No patient data is kept: only that it was handed off.
    waiting = None if reason in QUIET_HANDOFFS else handed_off_state(state, turn, reason)
    return Reply(waiting, continuation(data, [*opening, *paragraphs, *closing]), "handoff")


# Hand-offs that promise nothing to the patient: "cancelled" is the patient saying they do not want a time.
QUIET_HANDOFFS = frozenset({"cancelled"})


# Hand-offs the patient asked for (a person, or what the bot cannot do for them): a greeting afterwards is still
# waiting for reception. After the others (the agent was away, the web app failed) it starts the bot again.
ASKED_FOR_RECEPTION = frozenset({*ASKED_OF_A_PERSON, *ELSEWHERE.values()})


def handed_off_state(state: ConversationState | None, turn: Turn, reason: str) -> ConversationState:
    """The conversation kept once reception was asked to write (a new one if there was none): only that it was, and
    what the patient was asking for (a first message handed off before it was read: as its words say)."""
    turn = aware(turn)
    if state is not None:
        waiting = state.seen(turn.now).handed_off(reason)
    else:
        asked = _ASKED_BY_INTENT.get(detect(normalize(turn.message)).intent, "")
        waiting = evolve(new_conversation(turn.lead_id, turn.now).seen(turn.now).handed_off(reason), reopened=asked)
    # Asked for a person (a question, the name, running late): what the bot does next never settles that
    return evolve(waiting, reopened="") if reason in ASKED_FOR_RECEPTION else waiting


# What a first message handed off before it was read asked reception for ("hola" is a patient who wants a time)
_ASKED_BY_INTENT = {"cancel": "cancel_requested", "reschedule": "reschedule_requested", "book": "booking_requested",
                    "none": "booking_requested"}


def closed(lang: Language, state: ConversationState, turn: Turn, said: str) -> Reply:
    """A conversation that opens with courtesy only ("¡muchas gracias!" after a booking, "chao"): a short answer
    in kind, no greeting and no menus; the bot ends (nothing for reception to do), keeping only what this chat booked
    (``ConversationState.kept_after_closing``)."""
    paragraphs = [lang.say(f"closing_{said}", name=first_name(turn.name))]
    data = {"status": "closed", "conversation_id": state.conversation_id}
    return Reply(state.kept_after_closing(), continuation(data, paragraphs), "closed")


def booked_when(lang: Language, start: datetime, professional: str) -> str:
    """The line that says when and with whom an appointment is: "Jueves 3 de diciembre a las 10:00, con la Dra. Ana
    Soto."."""
    when = lang.say("booked_when", day=lang.day_long(start.date()), time=start.strftime("%H:%M"),
                    professional=lang.with_professional(professional))
    return when[:1].upper() + when[1:]


def the_booking(result: BookResult, state: ConversationState) -> WireBooking:
    """The appointment a booking made, under the name it was booked under ("": the writer's)."""
    return WireBooking(result.booking_id, result.start, result.end, result.professional, patient=state.patient_name)


def as_booked(lang: Language, state: ConversationState, turn: Turn) -> Reply:
    """Right after a booking or a move, asked how it stands ("¿a qué hora era?", "¿quedó?", "ok, el jueves a las 10
    entonces", "¿y la anterior se canceló?"): the appointment as it was booked (``state.target``) said again, after a
    move with the old one said to be gone; the conversation stays as it was."""
    done = state.target
    assert done is not None
    name = first_name(turn.name)
    data = {"status": "closed", "conversation_id": state.conversation_id}
    if state.booked_here and state.intent != "reschedule":  # "para mí y mi hijo", both booked: both said, whose each
        lines = [_whose_line(lang, b) for b in (*state.booked_here, done)]
        paragraphs = [lang.say("as_booked_all", name=name), *lines, lang.say("booked_closing_all")]
        return Reply(state, continuation(data, paragraphs), "closed")
    start = datetime.fromisoformat(done.start)
    when = booked_when(lang, start, done.professional)
    key = "as_moved" if state.intent == "reschedule" else "as_booked"  # (after a move: the old one is gone, said)
    opening = lang.say(f"{key}_for", patient=done.patient, name=name) if done.patient else lang.say(key, name=name)
    paragraphs = [opening, when, lang.say("booked_closing")]
    return Reply(state, continuation(data, paragraphs), "closed")  # (its half hour counted from the booking)


def booked_so_far(lang: Language, state: ConversationState, turn: Turn) -> list[str]:
    """«Hasta ahora reservé, Ana:» and each appointment booked in this conversation (``booked_here``), whose it is."""
    return [lang.say("booked_so_far", name=first_name(turn.name)), *(_whose_line(lang, b) for b in state.booked_here)]


def _whose_line(lang: Language, booking: WireBooking) -> str:
    """"Jueves 3 de diciembre a las 09:00, con la Dra. Ana Soto, para Tomás Pérez." ("…, para ti." for the writer's)."""
    when = booked_when(lang, datetime.fromisoformat(booking.start), booking.professional).rstrip(".")
    if booking.patient:
        return lang.say("booked_whose", when=when, patient=booking.patient)
    return lang.say("booked_yours", when=when)


def rest_after_news(lang: Language, state: ConversationState) -> list[str]:
    """While a booking, cancel or move is not known yet: what else the patient asked ("¿cómo quedó? y necesito otra
    para mi hijo") is answered once it is (``rest_asked_for``), and they are told so instead of hearing nothing."""
    return [lang.say("rest_after_news")] if state.others_to_book or state.more_asked else []


def kept_after_done(
    state: ConversationState, turn: Turn, done: WireBooking | None = None, *, moved_from: WireBooking | None = None
) -> ConversationState | None:
    """What is kept once an appointment was booked or moved (``DONE``, for as long as a conversation lasts): the
    appointment ``done`` as it was booked (its ``target``: "¿a qué hora era?" and "sí, ahí estaré" are answered about
    it, never taken as a new request); whether the same request asked for another person's too ("para mí y mi
    esposa": "sí" books it next); the patient's language when it is not the clinic's ("hi" after an English booking
    is answered in English). Its ``patient_name`` is the name the one done was booked under ("": the writer's),
    ``for_other`` whether the next one is another person's; when ``done`` replaced another (``moved_from``), its
    ``intent`` is "reschedule" and its ``bookings`` that one (gone: "¿se canceló la del jueves?" is about it). None:
    nothing to keep."""
    if state.more_asked:  # «Lo otro que me pediste, escríbemelo…»: what comes next is that, not about this one
        done = None
    if done is None and not state.others_to_book and not state.language:
        return None
    rest = yes_and_more(normalize(turn.message))  # "sí, y otra para mi mamá Rosa Díaz el viernes": hers, said
    wish = turn.message[:500] if state.others_to_book and rest is not None and another_person_too(rest) else ""
    # "para mí y mi hijo con la dra soto el miércoles a las 9 y 10": one request for both, a time for each — the
    # next one's is the 10 (the time just booked taken)
    joint = next((line for line in state.said if wants_several(normalize(line))), "")
    taken: tuple[str, ...] = ()
    asked = read(joint, turn.now.date()) if state.others_to_book and not wish and joint else None
    if asked is not None and asked.next_times:
        wish, booked = joint, state.pending
        taken = (f"{local_day(booked).isoformat()}T{clock(booked)}",) if booked is not None else ()
    for line in reversed(state.said if state.others_to_book and not wish else ()):
        lowered = fold(line).lower()  # "… el jueves a las 9 y para mi hijo con el kine el viernes": his part
        at = second_persons_part(lowered) if len(lowered) == len(line) else None
        if at is not None:
            wish = line[at:].strip()
            break
    if asked is not None and not wish and asked.found:
        wish = joint  # "mi hijo y yo necesitamos hora con medicina general el jueves en la mañana": for both
    # Who is left: another person (whose name is asked, or said) — or the writer, when the one just booked was
    # someone else's and the request said "para mí" too ("para mí y para mi esposa María López")
    return evolve(new_conversation(turn.lead_id, turn.now), stage=DONE, language=state.language,
                  others_to_book=state.others_to_book, wish=wish, patient_name=state.patient_name,
                  for_other=not _writer_left(state), skip_days=taken, target=done,
                  booked_here=state.booked_here if done is not None and moved_from is None else (),
                  **({"intent": "reschedule", "bookings": (moved_from,)} if moved_from and done else {}))


def _writer_left(state: ConversationState) -> bool:
    """The one just booked was another person's, and the request said "para mí" too: the writer's own is next."""
    return bool(state.patient_name) and any(self_among(normalize(line)) for line in state.said)


def rest_asked_for(lang: Language, state: ConversationState) -> list[str]:
    """Once a booking, move or cancel is done: how to ask for what the same message asked besides it — another
    person's appointment ("para mí y mi hijo", "sí, y tb una para mi hija") or anything else ("sí, y de paso …")."""
    if state.others_to_book:
        return [lang.say("booked_next_yours" if _writer_left(state) else "booked_next_person")]
    late = [lang.say("late_noted")] if state.late_said else []  # "sí, pero llego un poco tarde"
    return [*late, lang.say("more_apart")] if state.more_asked else late


def greeted_name(state: ConversationState, turn: Turn, lines: Sequence[str] = ()) -> str:
    """The name the writer is greeted by (", Carla"; "" for none): the WhatsApp contact's, unless the writer said who
    they are ("soy Carla Muñoz, quiero hora" from Ana Pérez's phone) — then theirs when the appointment is theirs,
    else none (never the contact's, whom the writer said they are not). ``lines``: what was said (else
    ``state.said``). The same at the first greeting and at «¡Listo…!»."""
    writer = _writer_said(state, turn, lines or state.said)
    return first_name(turn.name) if not writer else first_name(writer) if writer == state.patient_name else ""


def _writer_said(state: ConversationState, turn: Turn, lines: Sequence[str]) -> str:
    """Who the writer said they are ("soy Carla Muñoz, quiero una hora"), when not the WhatsApp contact: the patient's
    name when it is theirs, else the capitalised words after "soy"; "" when they did not say."""
    for line in lines:
        said = _I_AM.search(line)
        if said is None:
            continue
        if state.patient_name and fold(line[said.start(1):]).startswith(fold(state.patient_name)):
            return state.patient_name
        if (fold(said.group(1)) not in (*fold(turn.name).split(), *_WHAT_ONE_IS)
                and not names_an_insurer(said.group(1))):
            return said.group(1)
    return ""


_WHAT_ONE_IS = ("nueva", "nuevo", "paciente", "yo")  # "Soy Nueva": who the contact is, not another writer
# "soy Carla …", "me llamo Carla …": the writer's own name, as written (capitalised)
_I_AM = re.compile(r"\b(?:[Ss]oy|[Mm]e llamo|[Mm]i nombre es|(?:[Tt]e|[Ll]es?) escribe|I am|I'm|[Mm]y name is"
                   r"|[Tt]his is)\s+([A-ZÁÉÍÓÚÑ][\wáéíóúñ]+)\b"
                   r"(?!(?:\s+[A-ZÁÉÍÓÚÑ][\wáéíóúñ]+)*'s\b)")  # never "this is John Smith's mum": John's, not theirs


def booked(lang: Language, state: ConversationState, turn: Turn, clinic: ClinicProfile, result: BookResult) -> Reply:
    if state.undo_wanted and state.gave_up:
        return _booked_but_unwanted(lang, state, clinic, result)
    start = datetime.fromisoformat(result.start)
    when = booked_when(lang, start, result.professional)
    opening = "booked_late" if state.gave_up else "booked_for" if state.patient_name else "booked"
    greeted = greeted_name(state, turn)  # "soy Carla Muñoz": "¡Listo, Carla!", never the phone's Ana
    said = lang.say(opening, name=greeted, patient=state.patient_name)
    paragraphs = [said, when]
    if clinic.address.strip():
        paragraphs.append(lang.say("booked_address", address=clinic.address.strip().rstrip(".")))
    closing = len(paragraphs)
    paragraphs.append(lang.say("booked_closing"))  # of this appointment ("cambiarla"), before what comes next
    paragraphs.extend(rest_asked_for(lang, state))
    data: dict[str, Any] = {
        "status": "booked",
        "conversation_id": state.conversation_id,
        "booking_id": result.booking_id,
        "start": result.start,
        "end": result.end,
        "professional": result.professional,
        "day": start.date().isoformat(),
        "time": start.strftime("%H:%M"),
        "address": clinic.address.strip(),
        "repeat": result.repeat,
    }
    if state.person_wanted:  # asked for a person while it was not known: told, and handed to reception all the same
        paragraphs[closing] = lang.say("asked_for_person")
        data.update(status="handoff", reason="asked_for_person", booking="booked")
        return Reply(handed_off_state(state, turn, "asked_for_person"), continuation(data, paragraphs), "handoff")
    done = kept_after_done(state, aware(turn), the_booking(result, state))
    return Reply(done, continuation(data, paragraphs), "booked")


def _booked_but_unwanted(lang: Language, state: ConversationState, clinic: ClinicProfile, result: BookResult
                         ) -> Reply:
    """Booked after all, but the patient asked meanwhile to call it off: said, and "¿La cancelo?" (yes or no)."""
    start = datetime.fromisoformat(result.start)
    when = booked_when(lang, start, result.professional)
    target = the_booking(result, state)
    options = (Option(lang.say("cancel_yes"), "cancel_yes"), Option(lang.say("cancel_no"), "cancel_no"))
    asking = evolve(state, stage=CONFIRM_CANCEL, intent="cancel", target=target, options=options, pending=None,
                    pending_message="", gave_up=False, undo_wanted=False)
    data: dict[str, Any] = {
        "status": "choose_day", "conversation_id": state.conversation_id, "code": "booked_undo",
        "booking_id": result.booking_id, "start": result.start, "professional": result.professional,
        "option_1": options[0].label, "option_2": options[1].label,
    }
    paragraphs = [lang.say("booked_late", name=""), when]
    body = continuation(data, paragraphs, lang.say("booked_undo_question"), [o.label for o in options],
                        clinic.bot_question_step)
    return Reply(asking, body, "choose_day")


def failed_late(lang: Language, state: ConversationState, turn: Turn, clinic: ClinicProfile, code: str) -> Reply:
    """A booking the patient was told was not confirmed yet turned out not to have happened: say so, hand off."""
    assert state.pending is not None
    failed = _not_booked(lang, state.pending)
    data: dict[str, Any] = {
        "status": "handoff",
        "reason": BOOKING_FAILED,  # the clinic's team learns it did NOT happen (the agent's code is in its journal)
        "conversation_id": state.conversation_id,
        "booking": "failed",
        "requested_start": state.pending.start,
        "requested_professional": state.pending.professional,
    }
    return Reply(None, continuation(data, [failed, lang.say("receptionist")]), "handoff")


def slot_taken(lang: Language, state: ConversationState, turn: Turn, clinic: ClinicProfile, error: WireError) -> Reply:
    taken = state.pending
    if taken is not None:  # never offer it again from memory
        state = evolve(state, day_slots=tuple(s for s in state.day_slots if s.id != taken.id))
    # Only what the patient was choosing among: the taken time's specialty (the agent's nearest may be any).
    specialty = taken.specialty if taken is not None else ""
    pool = [s for s in error.alternatives if slot_start(s) > turn.now and (not specialty or s.specialty == specialty)]
    if not pool:
        pool = [s for s in state.day_slots if slot_start(s) > turn.now]
    if taken is not None:
        pool = [s for s in pool if s.id != taken.id]
    unique = list({s.id: s for s in pool}.values())
    data: dict[str, Any] = {"status": "choose_time", "conversation_id": state.conversation_id, "code": "slot_taken"}
    if taken is not None:
        data.update(taken_start=taken.start, taken_professional=taken.professional)
    step = clinic.bot_question_step
    # Which time it was: the patient may read this long after picking it ("Aún no sé…", then their next message)
    when = f" ({lang.day_label(local_day(taken))} {clock(taken)})" if taken is not None else ""
    if taken is None or not unique:
        option = Option(lang.say("other_days"), "other_days")
        state = evolve(state, stage=CHOOSE_DAY, options=(option,), pending=None, pending_message="")
        data.update(status="choose_day", option_1=option.label)
        body = continuation(data, [], lang.say("slot_taken_no_alternatives", when=when), [option.label], step)
        return Reply(state, body, "choose_day")

    start, end = state.window

    def nearness(slot: WireSlot) -> tuple[bool, bool, float]:
        """Within what the patient asked for first ("en la tarde", that professional), then the nearest."""
        other_professional = bool(state.professionals) and slot.professional not in state.professionals
        outside_window = bool(start and clock(slot) < start) or bool(end and clock(slot) >= end)
        return (other_professional, outside_window, abs((slot_start(slot) - slot_start(taken)).total_seconds()))

    nearest = sorted(sorted(unique, key=nearness)[:MAX_BUTTONS], key=slot_key)
    taken_day = local_day(taken)
    several = len({s.professional for s in [*state.day_slots, *nearest, taken]}) > 1
    labels = []
    for slot in nearest:
        if local_day(slot) == taken_day:
            labels.append(time_label(slot, several))
        else:
            day = local_day(slot)
            if several:  # no room for the month beside the professional
                text = f"{lang.weekdays_short[day.weekday()]} {day.day} {clock(slot)}"
                text = f"{text} {short_professional(slot.professional, MAX_LABEL - len(text) - 1)}"
            else:
                text = f"{lang.day_label(day)} {clock(slot)}"
            labels.append(text)
    labels = unique_labels(labels)
    options = tuple(Option(label, "slot", slot=s) for label, s in zip(labels, nearest, strict=True))
    state = evolve(
        state,
        stage=CHOOSE_TIME,
        day=taken_day.isoformat(),
        time_filter="",
        options=options,
        page_first=(),
        page_last=(),
        pending=None,
        pending_message="",
    )
    for index, option in enumerate(options, start=1):
        data[f"option_{index}"] = option.label
    body = continuation(
        data, [lang.say("slot_taken_alternatives", when=when)], lang.say("alternatives_prompt"), list(labels), step
    )
    return Reply(state, body, "choose_time")
