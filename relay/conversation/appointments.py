"""The patient's own appointments in the conversation: list them, cancel one. Pure, like the rest of the package.

"Quiero cancelar mi hora" / "¿cuándo es mi hora?" -> an ``AgentStep`` asking the agent ``my_bookings`` for the
WhatsApp phone (only appointments the agent ties to that phone come back) -> the list -> the one to cancel ->
"¿Cancelo tu hora del …?" -> "Sí, cancelar" -> an ``AgentStep`` ``cancel`` with a key stable for this
conversation and appointment (a repeat cancels once) -> status ``cancelled``. Moving one: the same list ->
"¿Cambio tu hora …?" -> the usual day and time menus (flow.py) -> the pick becomes an ``AgentStep``
``reschedule`` (the agent books the new slot first, then cancels the old one) -> status ``booked``, or a
hand-off when the old one could not be cancelled. Whenever the agent cannot (its driver lacks the capability,
it is offline or paused), the patient is handed to a receptionist, as before.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import replace
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from relay.conversation.context import first_name
from relay.conversation.evolve import evolve
from relay.conversation.freetext import WEEKDAY_NAMES, Reading, normalize, read
from relay.conversation.intents import (
    A_RELATIVE,
    RELATIVE,
    WHOSE,
    asked_besides,
    asks_if_cancelled,
    asks_if_still_on,
    cannot_come,
    confirms_attendance,
    means_every_one,
    move_aim_only,
    old_appointment_part,
    takes_cancel_back,
    takes_move_back,
)
from relay.conversation.layout import numbered
from relay.conversation.menus import MAX_LABEL, fold, short_professional, unique_labels
from relay.conversation.model import AgentStep, ClinicProfile, Reply, Turn
from relay.conversation.outcomes import booked_when, kept_after_done, rest_after_news, rest_asked_for, slot_taken
from relay.conversation.replies import continuation
from relay.conversation.state import (
    BOOKINGS,
    CANCELLED,
    CANCELLING,
    CHECK_EXISTING,
    CHOOSE_DAY,
    CHOOSE_TIME,
    CONFIRM_CANCEL,
    RESCHEDULING,
    ConversationState,
    Option,
    idempotency_key,
)
from relay.conversation.texts import Language, language
from wire.appointments import (
    NOT_AMONG_THE_PHONES,
    CancelArgs,
    CancelResult,
    MyBookingsArgs,
    MyBookingsResult,
    RescheduleArgs,
    RescheduleResult,
    WireBooking,
)
from wire.messages import _PHONE_RE, ProtocolError, Response, WireError, WireSlot

OPS_RESULTS: dict[str, Any] = {"my_bookings": MyBookingsResult, "cancel": CancelResult, "reschedule": RescheduleResult}
KEEP_CHECK = "keep_check"  # intent: a cancel not known yet was taken back; the next steps only read
MOVE_BACK_CHECK = "move_back_check"  # intent: a move not known yet was taken back; the next steps only read
KEEP_REQUESTED = "keep_requested"  # hand-off reason: that wish, while the web app could not be read
MOVE_BACK_REQUESTED = "move_back_requested"  # hand-off reason: a move taken back, while the web app could not be read
HANDOFF_REASONS = {
    "cancel": "cancel_requested", "my_bookings": "bookings_requested", "reschedule": "reschedule_requested",
}
# The appointment to cancel or move was no longer in the web app (reception deleted it?): reception is told so
GONE_REASONS = {"cancel": "cancel_target_gone", "reschedule": "move_target_gone"}
MAX_LISTED = 6


def ask_bookings(state: ConversationState, turn: Turn, intent: str, opening: Sequence[str] = ()) -> AgentStep | None:
    """Ask the agent for the patient's appointments (None: no usable phone, a person must help)."""
    phone = turn.phone.strip()
    if not _PHONE_RE.match(phone) or sum(c.isdigit() for c in phone) < 6:
        return None
    listing = evolve(state, stage=BOOKINGS, intent=intent, bookings=(), target=None, options=())
    return AgentStep(listing, "my_bookings", MyBookingsArgs(phone), tuple(opening))


def upcoming(bookings: Sequence[WireBooking], now: datetime) -> tuple[WireBooking, ...]:
    """The appointments still ahead, soonest first, as many as a message lists."""
    return tuple(sorted((b for b in bookings if _start(b) > now), key=lambda b: b.start))[:MAX_LISTED]


def resume_cancel(state: ConversationState | None, turn: Turn) -> AgentStep | None:
    """A cancel or a move whose outcome never came back is asked again, same key, whatever the patient says now;
    except a cancel the patient takes back meanwhile ("no, no la canceles"): then the appointments are only read,
    and the patient hears whether it is still there (never cancelled on a "no")."""
    if state is None or state.target is None or state.lead_id != turn.lead_id:
        return None
    if state.stage == CANCELLING and (state.intent == KEEP_CHECK or takes_cancel_back(normalize(turn.message))):
        phone = turn.phone.strip()
        if _PHONE_RE.match(phone):
            return AgentStep(evolve(state.seen(turn.now), intent=KEEP_CHECK), "my_bookings", MyBookingsArgs(phone))
    besides = asked_besides(normalize(turn.message))  # "¿se canceló? y necesito otra para mi hijo": said after
    if state.stage == CANCELLING:
        return _cancel_step(evolve(state.seen(turn.now), **besides), state.target, turn.phone)
    if (state.stage == RESCHEDULING and state.pending is not None
            and (state.intent == MOVE_BACK_CHECK or takes_move_back(normalize(turn.message)))):
        phone = turn.phone.strip()  # "me quedo con la original": never finished against it; only read
        if _PHONE_RE.match(phone):
            return AgentStep(evolve(state.seen(turn.now), intent=MOVE_BACK_CHECK), "my_bookings", MyBookingsArgs(phone))
    if state.stage == RESCHEDULING and state.pending is not None:
        return reschedule_step(evolve(state.seen(turn.now), **besides), state.pending, turn.phone)
    return None


def move_key(state: ConversationState, slot: WireSlot) -> str:
    """The idempotency key of moving ``state.target`` to ``slot`` (the outcome of its new booking carries it)."""
    assert state.target is not None
    return idempotency_key(state.conversation_id, f"move:{state.target.booking_id}:{slot.id}")


def reschedule_step(state: ConversationState, slot: WireSlot, phone: str = "") -> AgentStep:
    """Move ``state.target`` to ``slot``: the agent books the new one first, then cancels the old one."""
    assert state.target is not None
    key = move_key(state, slot)
    moving = evolve(state, stage=RESCHEDULING, pending=slot, proposed=None)
    args = RescheduleArgs(state.target.booking_id, slot.id, key, _phone(phone), **dict(state.patient))
    return AgentStep(moving, "reschedule", args)


def follow(state: ConversationState, turn: Turn, clinic: ClinicProfile, option: Option) -> Reply | AgentStep | None:
    """A tap (or its typed number / "sí" / "no") on one of these menus; None: not one of ours."""
    lang = language(clinic.language)
    if option.kind == "booking":
        target = next((b for b in state.bookings if b.booking_id == option.key), None)
        return _confirm_target(lang, state, clinic, target) if target is not None else None
    if option.kind in ("cancel_one", "move_one"):
        intent = "cancel" if option.kind == "cancel_one" else "reschedule"
        if state.intent == CHECK_EXISTING and len(state.bookings) == 1:  # "Cancelarla": the one just named
            return _confirm_target(lang, evolve(state, intent=intent), clinic, state.bookings[0])
        return _which(lang, evolve(state, intent=intent), clinic)
    if option.kind == "cancel_yes" and state.target is not None:
        return _cancel_step(evolve(state, stage=CANCELLING), state.target, turn.phone)
    if option.kind == "cancel_no":
        following = _next_in_round(state)
        if following is not None:  # "cancela todas": this one stays, the next is still asked about
            return _confirm_target(lang, evolve(state, gave_up=False), clinic, following, [lang.say("cancel_kept_one")])
        again = Option(lang.say("new_booking_button"), "new_booking")
        several = state.target is None and len(state.bookings) > 1  # "ninguna" at "¿Cuál quieres cancelar?"
        target = state.target  # "Entendido, la hora de Rosa Díaz sigue en pie": a relative's, said as hers
        whose = target.patient if target is not None and target.booking_id in state.others else ""
        # A move dropped leaves none of its choosing behind ("pal lunes en la mañana" would filter the next booking)
        state = evolve(state, stage=CHOOSE_DAY, target=None, intent="", options=(again,), cancel_each=False, day="",
                       professionals=(), time_filter="", window=("", ""), skip_days=(), proposed=None, pending=None,
                       specialty="" if state.intent == "reschedule" else state.specialty)
        data = {**_data(state, "kept"), "option_1": again.label}
        kept = (lang.say("cancel_kept_for", patient=whose) if whose
                else lang.say("cancel_kept_all" if several else "cancel_kept"))
        body = continuation(data, [kept], lang.say("another_booking_prompt"), [again.label],
                            clinic.bot_question_step)
        return Reply(state, body, "choose_day")
    return None


def outcome_of(op: str, response: Response) -> Any:
    """The agent's answer to an AgentStep: its result, or a WireError (also for an answer that does not read)."""
    if not response.ok:
        return response.error or WireError("internal", "")
    try:
        return OPS_RESULTS[op].from_json(response.result)
    except (ProtocolError, KeyError):
        return WireError("internal", "the agent's answer did not read")


def after_agent_step(step: AgentStep, turn: Turn, clinic: ClinicProfile, outcome: Any) -> Reply:
    """The reply once the agent answered (or could not): the list, the cancellation, or a hand-off."""
    lang = language(clinic.language)
    state = step.state.seen(turn.now)
    intent = state.intent or "my_bookings"
    if isinstance(outcome, WireError) and step.op == "reschedule" and _outcome_unknown(state, outcome):
        return _move_unconfirmed(lang, state, outcome.code, step.opening)
    if step.op == "my_bookings" and state.intent == KEEP_CHECK and state.target is not None:
        return _kept_or_gone(lang, state, clinic, outcome, step.opening)
    if step.op == "my_bookings" and state.intent == MOVE_BACK_CHECK and state.target is not None:
        return _move_kept_or_done(lang, state, turn, clinic, outcome, step.opening)
    if isinstance(outcome, WireError) and step.op == "cancel" and state.target is not None:
        if state.cancel_each and outcome.message == NOT_AMONG_THE_PHONES:  # "cancela todas": that one went already
            outcome = CancelResult(state.target.booking_id, repeat=True)
        elif state.gave_up and outcome.code == "bad_request":  # asked again: no longer among the phone's: it went
            outcome = CancelResult(state.target.booking_id, repeat=True)
        elif _outcome_unknown(state, outcome):  # the agent went away with the cancel in hand
            return _cancel_unconfirmed(lang, state, outcome.code, step.opening)
    if isinstance(outcome, WireError) and step.op == "reschedule" and outcome.code == "slot_taken":
        # The new time went meanwhile: the nearest free ones, as for a new booking (the move goes on from there).
        return slot_taken(lang, evolve(state, stage=CHOOSE_TIME, gave_up=False), turn, clinic, outcome)
    if (isinstance(outcome, WireError) and outcome.code == "bad_request" and outcome.message == NOT_AMONG_THE_PHONES
            and step.op in ("cancel", "reschedule") and state.target is not None
            and not state.gave_up):  # no longer among the phone's: maybe deleted already
        return _not_in_the_agenda(lang, state, GONE_REASONS.get(intent, "bookings_requested"), step.opening)
    if isinstance(outcome, WireError):
        return _handoff(lang, state, HANDOFF_REASONS.get(intent, "bookings_requested"), step.opening,
                        failed=step.op)
    if isinstance(outcome, MyBookingsResult):
        ahead = upcoming(outcome.bookings, turn.now)
        return _listed(lang, evolve(state, bookings=ahead, others=others_of(ahead, turn.name)), clinic, step.opening,
                       turn.name, turn.now)
    if isinstance(outcome, CancelResult) and state.target is not None:
        following = _next_in_round(state)
        if following is not None:  # "cancela las dos": this one is done, the next is asked about
            return _confirm_target(lang, evolve(state, gave_up=False), clinic, following,
                                   [*step.opening, _cancel_done(lang, state.target, turn.name)])
        paragraphs = [_cancel_done(lang, state.target, turn.name),
                      *(rest_asked_for(lang, state) or [lang.say("cancel_done_closing")])]
        data = {
            "status": "cancelled", "conversation_id": state.conversation_id, "booking_id": state.target.booking_id,
            "start": state.target.start, "professional": state.target.professional, "repeat": outcome.repeat,
        }
        done = evolve(state, stage=CANCELLED, intent="", bookings=(), options=(), wish="", gave_up=False,
                      cancel_each=False, more_asked=False,  # another person's wanted too: "sí" books it next
                      told=state.listed(but=state.target.booking_id))  # undoable
        return Reply(done, continuation(data, [*step.opening, *paragraphs]), "cancelled")
    if isinstance(outcome, RescheduleResult) and state.target is not None:
        return _moved(lang, state, turn, clinic, outcome)
    return _handoff(lang, state, HANDOFF_REASONS.get(intent, "bookings_requested"), step.opening, failed=step.op)


# ---------------------------------------------------------------------------------------------------------------


def _next_in_round(state: ConversationState) -> WireBooking | None:
    """In "cancela todas" (``cancel_each``): the appointment asked about after the one at hand, None after the last."""
    if not state.cancel_each or state.target is None:
        return None
    ids = [b.booking_id for b in state.bookings]
    after = ids.index(state.target.booking_id) + 1 if state.target.booking_id in ids else len(ids)
    return state.bookings[after] if after < len(ids) else None


def _listed(
    lang: Language, state: ConversationState, clinic: ClinicProfile, opening: Sequence[str], owner: str = "",
    now: datetime | None = None,
) -> Reply:
    if not state.bookings:  # none found: "Pedir una hora", not "otra"
        # One to cancel or move that is not under this phone may be under another: a way to a person, said
        other = [lang.say("no_bookings_other_phone")] if state.intent in ("cancel", "reschedule") else []
        option = Option(lang.say("first_booking_button"), "new_booking")
        state = evolve(state, stage=CHOOSE_DAY, options=(option,), intent="")
        data = {"status": "choose_day", "conversation_id": state.conversation_id, "code": "no_bookings",
                "option_1": option.label}
        body = continuation(data, [*opening, lang.say("no_bookings"), *other], lang.say("new_booking_prompt"),
                            [option.label], clinic.bot_question_step)
        return Reply(state, body, "choose_day")
    if (state.intent == "cancel" and _MINE_AND_THEIRS.search(fold(state.wish))
            and any(under_another_name(b, owner) for b in state.bookings)):
        if len(state.bookings) == 1:  # "cancela la mía y la de mi hijo" with his only: none of hers, said so
            opening = [*opening, lang.say("no_booking_of_yours")]
        else:  # hers is asked about; which other one is the son's the bot cannot tell, so once hers is done it says
            state = evolve(state, more_asked=True)  # to write that one apart (never as if both were cancelled)
    if state.intent in ("cancel", "reschedule") and len(state.bookings) == 1:
        said = _wish_reading(state, now)
        only = state.bookings[0]
        told = len(opening)
        if _not_meant(state, owner, now):  # "keep thursday, cancel friday" with Thursday's only: never «¿Cancelo tu
            # hora del jueves…?», the one they keep; what they have shown, with the day they named said to be free
            named_day = [] if said is None or said.day is None else [
                lang.say("no_booking_that_day_list", day=lang.day_long(said.day))]
            return _which(lang, _wish_read(state), clinic, [*opening, *named_day], owner=owner)
        if said is not None and state.intent == "reschedule" and _start(only).date() in said.skip_days:
            said = None  # "no puedo el jueves, ¿puedo ir el lunes?": Thursday's named, Monday is where it goes
        elif (said is not None and state.intent == "reschedule"
              and (_start(only).hour, _start(only).minute) in said.skip_times):
            said = None  # "no puedo ir a las 10 el jueves, ¿puede ser a las 11?": theirs at 10, 11 where it goes
        elif (said is not None and state.intent == "reschedule" and said.skip_days
              and said.day not in said.skip_days):  # "no puedo ir el viernes, ¿puedo ir el lunes?" ("…, ¿la otra
            # semana?") with Thursday's:
            # the day they cannot come holds none (never «No tienes hora el lunes», the day they asked to go to)
            opening = [*opening, lang.say("no_booking_that_day", day=lang.day_long(min(said.skip_days)))]
            said = None
        if said is not None and said.day is not None and not named_bookings(
                state.bookings, said.day, (), by_weekday=said.by_weekday):  # "…el jueves": Wednesday
            if state.intent == "cancel" and asks_if_cancelled(fold(state.wish)):
                # "¿se canceló la del miércoles?" with none on Wednesday: that said, and what they have listed — never
                # «¿Cancelo tu hora del jueves…?», another appointment a "sí" away from a question
                listing = evolve(state, intent="my_bookings", wish="")
                return _listed(lang, listing, clinic, [*opening, lang.say("no_booking_that_day_list",
                                                                           day=lang.day_long(said.day))], owner, now)
            opening = [*opening, lang.say("no_booking_that_day", day=lang.day_long(said.day))]
        elif said is not None and (said.times or said.named) and not named_bookings(
                state.bookings, said.day, said.times, _named_professionals(said, only),
                by_weekday=said.by_weekday):  # "la de las 4 con soto"
            opening = [*opening, lang.say("no_booking_like_that")]
        elif ((_THEIR_APPOINTMENT.search(normalize(_old_part(state))) or _MINE_AND_THEIRS.search(fold(state.wish)))
              and not under_another_name(only, owner)):
            # "…la hora de mi mamá", "cancela la mía y la de mi hijo" with hers only: none of theirs, said so
            opening = [*opening, lang.say("no_booking_for_them")]
        elif under_another_name(only, owner) and not_the_kin_named(only, normalize(_old_part(state))):
            # "…la cita de mi mamá" with her son's only: none of hers, said so, and what there is shown (never
            # «¿Cancelo la hora de Tomás Pérez…?» as if it were hers)
            return _which(lang, _wish_read(state), clinic, [*opening, lang.say("no_booking_for_them_list")],
                          owner=owner)
        elif not under_another_name(only, owner) and NOT_OWNERS in naming_words(_old_part(state), owner):
            # "cancel the one that isn't mine" with the writer's own only: none of another's, said so (never
            # «Shall I cancel your appointment…?»)
            return _which(lang, _wish_read(state), clinic, [*opening, lang.say("no_booking_for_them_list")],
                          owner=owner)
        return _confirm_target(lang, _wish_read(state), clinic, only, _still_there(lang, state, opening, told, only))
    if state.intent == "cancel" and means_every_one(fold(state.wish)):  # "cancela las dos, la mía y la de mi mamá"
        left = all_but(state.bookings, fold(state.wish), now, owner)  # "…todas menos la del martes"
        if left is not None:
            return cancel_those(lang, _wish_read(state), clinic, left, opening)
        said = _wish_reading(state, now)  # "cancela las dos del jueves": that day's (a count, not 2 o'clock)
        among = (named_bookings(state.bookings, said.day, (), by_weekday=said.by_weekday)
                 if said is not None and said.day is not None else [])
        return cancel_every_one(lang, _wish_read(state), clinic, among, fold(state.wish), owner, opening)
    if state.intent in ("cancel", "reschedule"):
        told = len(opening)
        named = _named_in_wish(state, owner, now)  # "cancela la del viernes", "…la de mi mamá Rosa"
        if len(named) != 1 and asks_about_kins(normalize(_old_part(state))):
            # "move my son's appointment", "cambia la hora de mi hijo": those under another name than the writer's
            among = [b for b in named or state.bookings if b.booking_id in state.others]
            theirs = [b for b in among if not not_the_kin_named(b, normalize(_old_part(state)))]
            if among and not theirs:  # "la cita de mi mamá" with only her son's under another name: none of hers
                return _which(lang, _wish_read(state), clinic, [*opening, lang.say("no_booking_for_them_list")],
                          owner=owner)
            if len(theirs) == 1 or 1 < len(theirs) < len(named or state.bookings):
                said = _wish_reading(state, now) if not named else None
                if (len(theirs) == 1 and said is not None and said.day is not None and not said.skip_days
                        and not named_bookings(theirs, said.day, (), by_weekday=said.by_weekday)):
                    # "cancela la cita de mi hijo del viernes" with his on Thursday: said, as with one appointment
                    # (never «¿Cancelo la hora de Tomás Pérez del jueves…?» as if it were Friday's)
                    opening = [*opening, lang.say("no_booking_that_day", day=lang.day_long(said.day))]
                named = theirs
            if len(named) > 1:
                return _which(lang, _wish_read(state), clinic, opening, among=named)
        if len(named) == 1:
            opening = _still_there(lang, state, opening, told, named[0])
            return _confirm_target(lang, _wish_read(state), clinic, named[0], opening)
        said = _wish_reading(state, now)
        if (not named and said is not None and state.intent == "reschedule" and said.skip_days
                and said.day not in said.skip_days):  # "no puedo ir mañana, ¿puedo ir el lunes?": Monday is
            # where it goes, never «No tienes hora el lunes»; the day they cannot come is the one said, if empty
            gone = min(said.skip_days)
            if not named_bookings(state.bookings, gone, ()):
                opening = [*opening, lang.say("no_booking_that_day_list", day=lang.day_long(gone))]
        elif not named and said is not None and said.day is not None and not named_bookings(
                state.bookings, said.day, (), by_weekday=said.by_weekday):  # "cancela la del sábado": none then
            opening = [*opening, lang.say("no_booking_that_day_list", day=lang.day_long(said.day))]
        return _which(lang, _wish_read(state), clinic, opening)
    if state.intent == "my_bookings" and asks_if_still_on(normalize(state.wish)):
        said = _wish_reading(state, now)  # "¿sigue en pie lo del miércoles?": that one, said first
        named = (named_bookings(state.bookings, said.day, said.times, _named_professionals(said, state.bookings[0]),
                                by_weekday=said.by_weekday)
                 if said is not None and (said.day or said.times) else [])
        if len(named) == 1:
            opening = [*opening, lang.say("still_on", **when_words(lang, named[0]))]
        elif said is not None and said.day is not None and not named_bookings(
                state.bookings, said.day, (), by_weekday=said.by_weekday):  # reception cancelled it, say: said first
            opening = [*opening, lang.say("no_booking_that_day_list", day=lang.day_long(said.day))]
    if state.intent == "my_bookings" and confirms_attendance(normalize(state.wish)):
        said = _wish_reading(state, now)
        named = (named_bookings(state.bookings, said.day, said.times, _named_professionals(said, state.bookings[0]),
                                by_weekday=said.by_weekday)
                 if said is not None and (said.day or said.times or said.named) else list(state.bookings))
        if len(named) == 1 and (len(state.bookings) == 1 or named != list(state.bookings)):
            # "confirmo mi asistencia (para el jueves)": thanked, with the appointment they will come to
            only = named[0]
            thanks = lang.say("attendance_thanks", name=first_name(owner), **when_words(lang, only))
            data = {"status": "closed", "conversation_id": state.conversation_id, "code": "attendance_confirmed",
                    "booking_id": only.booking_id, "start": only.start}
            return Reply(None, continuation(data, [*opening, thanks]), "closed")
        # "…para mañana con el dr rojas" with none like that: said, and what they have listed (never thanked for
        # another appointment: they would come on the wrong day)
        opening = [*opening, lang.say("attendance_thanks_many" if named else "no_booking_like_that_list")]
    lines = [listed_line(lang, n, b, for_whom(state.bookings, b, owner)) for n, b in enumerate(state.bookings, start=1)]
    options = (Option(lang.say("move_one_button"), "move_one"), Option(lang.say("cancel_one_button"), "cancel_one"),
               Option(lang.say("new_booking_button"), "new_booking"))
    state = evolve(state, stage=BOOKINGS, options=options)
    data = _data(state, "bookings")
    body = continuation(data, [*opening, lang.say("bookings_intro"), *lines], lang.say("bookings_prompt"),
                        [o.label for o in options], clinic.bot_question_step)
    return Reply(state, body, "choose_day")


BOOKINGS_READ_DAYS = 120  # "la del 20 de enero": a day of an appointment is looked for this far ahead


def _still_there(lang: Language, state: ConversationState, opening: Sequence[str], told: int,
                 target: WireBooking) -> list[str]:
    """The opening before «¿Cancelo tu hora …?», with «No, no está cancelada: sigue en pie.» when the message asked
    whether it was cancelled ("¿se canceló la hora de mi hijo?") and nothing was said about it since the ``told``
    first paragraphs (a «No tienes hora el jueves…» answers that already). Never about the writer's own when it
    asked about a relative's ("was my son's cancelled?")."""
    said = fold(state.wish)
    if state.intent != "cancel" or len(opening) != told or not asks_if_cancelled(said):
        return list(opening)
    if target.booking_id not in state.others and A_RELATIVE.search(said):
        return list(opening)
    return [*opening, lang.say("not_cancelled")]


def _old_part(state: ConversationState) -> str:
    """The part of the first message that names the appointment (not a new one asked beside it, nor a move's aim)."""
    return _split_wish(state.wish, state.intent == "reschedule")[0]


@lru_cache(maxsize=1024)  # read several times a turn (_old_part, _not_meant)
def _split_wish(wish: str, moving: bool) -> tuple[str, tuple[str, ...]]:
    """A cancel's or move's first message split: the part that names the appointment — without the one they keep
    ("cancela la de Tomás y deja la mía", "deja la de las 10, cancela la otra") — and the parts that rule one out
    ("cancel the other one, not thursday": "not thursday")."""
    said, out = ruled_out(old_appointment_part(fold(wish), moving=moving))
    return _KEPT.sub(" ", said), tuple(out)


# A part of a message that says which appointment is NOT meant: "no la del jueves", "not thursday", "don't cancel
# the one on thursday", "keep friday's", "deja la de las 10", "la del jueves no" (never "no puedo ir el jueves":
# the one they cannot go to is the one meant)
_PARTS = re.compile(r"\s*(?:[,;.!?]+|\b(?:y|e|and|but|pero|sino|then)\b)\s*")
_NOT_THIS_ONE = re.compile(
    r"^(?:no|not|don ?'?t (?:cancel|move|change|touch)|do not (?:cancel|move|change|touch)"
    r"|no (?:me |le |nos )?(?:cancel|anul|toqu|muev|cambi)\w*|keep|leave|deja|dejen|dejame|manten\w*|conserv\w*)\s+"
    rf"(?=(?:la|el|lo|las|los|the|this|that|{WEEKDAY_NAMES}|tomorrow|today|manana|hoy|\d)\b)"
    r"|^(?:la|el|the)\b.* (?:no|alone|as is)$"
)


_CANNOT = re.compile(r"\b(?:no puedo|no podre|no alcanzo|no llego|can ?t|cannot|won ?t)\b")
_TAG_QUESTION = re.compile(r"[, ]*\bno\s*\?")  # "cancelas la del jueves, ¿no?": a question, not a "no"


def ruled_out(text: str) -> tuple[str, list[str]]:
    """``text`` (folded) without the parts that say which appointment is not meant, and those parts: "cancel the
    other one, not thursday" -> ("cancel the other one", ["not thursday"]). "La mía no", "not mine" stay (read
    by whose it is: ``naming_words``)."""
    parts = [part for part in _PARTS.split(_TAG_QUESTION.sub(" ", text.lower())) if part]
    out = [part for part in parts if _NOT_THIS_ONE.search(part) and not MINE.search(part)
           and not cannot_come(part) and not _CANNOT.search(part)]  # ("no, el jueves no puedo": that one meant)
    return (" , ".join(part for part in parts if part not in out), out) if out else (text, [])


def _not_meant(state: ConversationState, owner: str, now: datetime | None) -> list[WireBooking]:
    """The appointments the first message says are not the ones meant ("no la del jueves", "keep friday's")."""
    if now is None or not state.bookings:
        return []
    parts = _split_wish(state.wish, state.intent == "reschedule")[1]
    return _named_by(state.bookings, parts, _clinic_day(state.bookings, now), owner)


def not_meant(bookings: Sequence[WireBooking], text: str, today: date, owner: str) -> list[WireBooking]:
    """The appointments ``text`` says are not the ones meant ("no la del jueves", "keep friday's", "la del jueves
    no")."""
    return _named_by(bookings, ruled_out(text)[1], today, owner)


def _named_by(bookings: Sequence[WireBooking], parts: Sequence[str], today: date, owner: str) -> list[WireBooking]:
    """The appointments the parts that rule one out name, each read for its day, time and whose it is."""
    out: list[WireBooking] = []
    for part in parts:
        reading = read(part, today, window_days=BOOKINGS_READ_DAYS)
        # (read as the day, time or part of the day it rules out: "not thursday", "no la de las 10")
        named = named_bookings(bookings, None if reading.ambiguous else reading.day,
                               reading.times or reading.skip_times, (), naming_words(part, owner),
                               by_weekday=reading.by_weekday, part=reading.part or reading.skip_part)
        if reading.day is None and reading.skip_days:
            named = [b for b in named or bookings if _start(b).date() in reading.skip_days]
        out += [b for b in named if b not in out]
    return out


def _wish_reading(state: ConversationState, now: datetime | None) -> Reading | None:
    """The cancel's or move's first message read for the day and time of the appointment it names (None: not read)."""
    if now is None or not state.bookings:
        return None
    reading = read(_old_part(state), _clinic_day(state.bookings, now), window_days=BOOKINGS_READ_DAYS)
    return None if reading.ambiguous else reading


def _clinic_day(bookings: Sequence[WireBooking], now: datetime) -> date:
    """Today where the clinic is (its appointments' offset)."""
    return now.astimezone(_start(bookings[0]).tzinfo).date()


def _named_professionals(reading: Reading, booking: WireBooking) -> tuple[str, ...]:
    """The appointment's professional when the message names someone ("con la dra soto") who is that one, ("",)
    when it names someone else (no appointment matches), () when it names no one."""
    if not reading.named:
        return ()
    theirs = _name_words(booking)
    return (booking.professional,) if any(word in theirs for word in reading.named) else ("",)


def _named_in_wish(state: ConversationState, owner: str, now: datetime | None) -> list[WireBooking]:
    """The appointments a cancel's or move's first message names by day, time, professional or person — in the part
    that names the one to act on: not "… y pídeme otra con la dra soto", nor a move's "… para el viernes"."""
    words = naming_words(_old_part(state), owner)
    reading = _wish_reading(state, now)  # None also for "mañana no puedo ir a mi hora del viernes": not one day
    kept_from = [b for b in state.bookings if reading is not None and _start(b).date() in reading.skip_days]
    if state.intent == "reschedule" and len(kept_from) == 1:
        # "no puedo ir el jueves, quiero hora el viernes", "…, ¿puedo ir la otra semana?", "…, ¿otro día?": the one
        # on the day ruled out, never the one on the day wanted
        return kept_from
    # "cancel the afternoon one" (a move's part of the day is where it goes: "move my appointment to the afternoon")
    part = reading.part if reading is not None and state.intent == "cancel" else ""
    named = named_bookings(state.bookings, None, (), (), words) if reading is None else named_bookings(
        state.bookings, reading.day, reading.times, (), words, by_weekday=reading.by_weekday, part=part
    )
    if len(named) != 1 and state.booked_here and _THE_ONE_JUST_DONE.search(fold(state.wish)):
        # "actually, cancel it", "uy, mejor cancélala", "cancela la que acabo de tomar" right after «¡Listo!»: that one
        last = state.booked_here[-1]
        just = [b for b in state.bookings if b.start == last.start and b.professional == last.professional]
        if len(just) == 1:
            return just
    not_meant = _not_meant(state, owner, now)
    if not not_meant:
        return named
    # "cancel the other one, not thursday", "la del jueves no, cancela la otra": never the one ruled out
    left = [b for b in named or state.bookings if b not in not_meant]
    return left if len(left) == 1 else [b for b in named if b not in not_meant]


# The appointment just booked, named only as "it": "cancel it / that", "cancélala", "la que acabo de tomar", "the one
# I just booked"
_THE_ONE_JUST_DONE = re.compile(
    r"\b(?:cancel|move|change|reschedule) (?:it|that|that one)\b|\b(?:cancel|anul|cambi|mov|muev|reagend)\w*(?:la|lo)\b"
    r"|\b(?:la|el|esa|ese) que (?:acabo|acabamos) de\b|\b(?:the one|that one|the appointment) (?:i|we) just\b"
    r"|\bjust booked\b")


def named_bookings(
    bookings: Sequence[WireBooking], day: date | None, times: Sequence[tuple[int, int]], who: Collection[str] = (),
    words: Collection[str] = (), *, by_weekday: bool = False, part: str = "",
) -> list[WireBooking]:
    """The appointments a message names by their day and/or time ("la del viernes", "la de las 6"), and/or by their
    professional (``who``: the professionals it names, or those of the specialty it names: "la de kine"); else by
    whose they are (``words``, the message's: "la de mi mamá Rosa"). ``by_weekday``: the day was said as a weekday
    ("la del sábado"), the nearest such one: with no appointment that day, the one on a later such weekday.
    ``part``: "am" / "pm" / "evening" ("la de la tarde"), when no time is said."""
    if day is not None and by_weekday and not any(_start(b).date() == day for b in bookings):
        later = sorted({_start(b).date() for b in bookings if _start(b).weekday() == day.weekday()})
        day = later[0] if later else day
    said = {*words}
    if who and said and _a_patient_named(bookings, who, words):  # "la de Pedro Pérez", "la de mi esposo Pedro" beside
        who = ()  # Dr. Pedro Lagos: the husband's, by his name (never the one with the doctor of his first name)
    if NOT_OWNERS in said:  # "la mía no, la de mi mamá": those under another first name, then named among them
        owner = words[1:2]
        others = [b for b in bookings if _patient_words(b, first=True) != set(owner)]
        among = named_bookings(others, day, times, who, [w for w in words if w != NOT_OWNERS and w not in owner],
                               by_weekday=by_weekday, part=part) if len(others) > 1 else []
        return among or (others if len(others) < len(bookings) else [])
    if OWNERS in said:  # "la mía": by the patient's names only (never the professional's), theirs first
        owner = [w for w in words if w != OWNERS]
        scores = {b.booking_id: 2 * len(_patient_words(b) & said) + (_patient_words(b, first=True) == set(owner[:1]))
                  for b in bookings}
    else:
        scores = {b.booking_id: len(_name_words(b) & said) for b in bookings}
        # As many words named, the patient's names win ("la de Pedro Pérez": his, not Ana Pérez's with Dr. Pedro
        # Lagos); never after a title or "con" ("la del Dr. Pedro"), nor a professional's full name ("la de Ana Soto")
        whose = _whose_words(words) - _professionals_named_in_full(bookings, said)
        if whose:
            scores = {b.booking_id: 16 * scores[b.booking_id] + len(_patient_words(b) & whose) for b in bookings}
    best = max(scores.values(), default=0)  # "Rosa Muñoz" names hers more than Carmen Muñoz's
    by_name = [b for b in bookings if best and scores[b.booking_id] == best]
    part = "" if times else part
    if day is None and not times and not who and not part:
        return by_name if len(by_name) < len(bookings) else []
    starts = [(b, _start(b)) for b in bookings]
    named = [
        b for b, start in starts
        if (day is None or start.date() == day) and (not times or (start.hour, start.minute) in times)
        and (not who or b.professional in who) and (not part or _in_part(start, part))
    ]
    narrower = [b for b in named if b in by_name]  # "la mía del miércoles" with two that day
    return narrower if len(named) > 1 and narrower else named


_KEPT = re.compile(
    r"\b(?:la|el|lo) (?:mi[ao]|de (?:la |el |mi |mis )?\w+(?: (?!(?:y|e|and|pero)\b)\w+)?)\s*,?\s*"
    r"(?:la |lo |esa |ese )?"
    r"(?:dejamos|dejemos|deja|dejala|dejalo|dejo|se queda|queda|mantenemos|mantenla|mantengo|se mantiene|conservo"
    r"|sigue|no (?:la |lo |se )(?:cancel|anul|toqu|toca|muev|mueve|cambi)\w*|no(?=\s*(?:[,.;!?]|$)))\b"
    # "…, la del jueves la dejamos" (never "la del martes sigue vigente?", a question about it)
    r"|\b(?:la|el) del \w+(?: (?!(?:y|e|and|pero)\b)\w+)?\s*,?\s*(?:la |lo )?"
    r"(?:dejamos|dejemos|dejala|dejalo|dejo|mantenemos|mantenla|mantengo|conservo)\b"
    # the verb first: "cancela la de Tomás y deja la mía (igual)", "no cancelen la mía, solo la de mi esposo", "keep
    # mine and cancel my son's"
    # ("dejar la de las 10 y tomar la de las 11:30" gives it up; "deja la de la Dra. Soto" keeps the doctor)
    r"|\b(?:no (?:me |nos |le )?(?:cancel|anul|toqu|muev|cambi)\w*|deja|dejen|manten|mantener|mantenga"
    r"|mantengan|conserva|conserven|conservar|keep|leave|don t (?:cancel|move|change|touch))"
    r" (?:(?:la|el|lo) (?:mi[ao]|(?:del |de (?:la |el |mi |mis |las |los )?)(?!(?:dr|dra|doctor|doctora|klga|klgo)\b)"
    r"\w+(?: (?!(?:y|e|and|pero)\b)\w+)?)"
    r"|mine|my own"
    r"|my appointment)"
    r"(?: (?:igual|tal cual|como esta|as it is|as is|alone))?\b"
)
# "la mía", "las mías", "mine": the writer's own (also read right after a booking: relay/conversation/just_done.py)
MINE = re.compile(r"\b(?:(?:la|el|las|los) mi[ao]s?|mine|my own)\b")
_TITLE_WORDS = frozenset("dr dra doctor doctora klgo klga kine ps psic sr sra don dona".split())


def _in_part(start: datetime, part: str) -> bool:
    """Whether an appointment is in that part of the day: the morning before 12:00, the afternoon from 12:00, the
    evening from 18:00."""
    minutes = start.hour * 60 + start.minute
    return minutes < 720 if part == "am" else minutes >= 1080 if part == "evening" else minutes >= 720


def naming_words(text: str, owner: str, written: str = "") -> tuple[str, ...]:
    """The words of a message that may name an appointment by whose it is or whom it is with: "la de mi mamá Rosa",
    "la del Dr. Rojas". "La mía" is the phone owner's (their WhatsApp name), and then what the message says of the
    others ("la de la Josefa la dejamos") is not read as naming them. ``written``: the message as typed, whose commas
    tell "la mía no, la otra" from "la mía, no la de mi mamá"."""
    folded = _KEPT.sub(" ", fold(text))  # "la mía la dejamos": not the one meant
    if _NOT_MINE.search(fold(written or text).lower()):  # "la mía no, la otra", "no la mía, la de mi mamá"
        return (NOT_OWNERS, *re.findall(r"\w+", fold(owner)), *re.findall(r"\w+", _NOT_MINE.sub(" ", folded)))
    if MINE.search(folded):
        return (OWNERS, *re.findall(r"\w+", fold(owner)))
    return tuple(re.findall(r"\w+", folded))


# Among ``naming_words``: the words after it are the phone owner's name ("la mía"), not words of the message;
# NOT_OWNERS: the same name, of the one that is not meant ("la mía no")
OWNERS = "\x00mine"
NOT_OWNERS = "\x00not-mine"
_NOT_MINE = re.compile(r"\b(?:no (?:es |era |(?:quiero |quisiera )?(?:cancelar|cambiar|mover|anular) )?"
                       r"(?:la|el) mi[ao]s?|(?:la|el) mi[ao]s? no(?! (?:la|el) de\b)|not mine"
                       # "the one that isn't mine", "la que no es mía", "the one that's not for me"
                       r"|(?:is|are|was)(?: not|n ?'?t) (?:mine|for me)|not for me"
                       r"|no (?:es|son|era) (?:para )?mi[ao]?s?)\b")


def _a_patient_named(bookings: Sequence[WireBooking], who: Collection[str], words: Sequence[str]) -> bool:
    """The words that name the professionals ``who`` are all words of a patient's name on the phone too, and none
    follows a title or "con" ("la de Pedro Pérez", "la de mi esposo Pedro"; never "la con Pedro", "la del Dr. Pedro",
    "la de Pedro Lagos")."""
    theirs = {w for p in who for w in re.findall(r"\w+", fold(p)) if w not in _TITLE_WORDS}
    patients = {w for b in bookings for w in _patient_words(b)}
    at = [i for i, word in enumerate(words) if word in theirs]
    return bool(at) and all(words[i] in patients and not _after_title(words, i) for i in at)


_WITH_WHOM = _TITLE_WORDS | frozenset(
    "con with del w doc dotor dotora dctor dctora medico medica doctorcito doctorcita profesional donde".split())


def _professionals_named_in_full(bookings: Sequence[WireBooking], said: set[str]) -> set[str]:
    """The words of the professionals two or more of whose name words were said ("ana soto": Dra. Ana Soto's)."""
    named: set[str] = set()
    for booking in bookings:
        theirs = {w for w in re.findall(r"\w+", fold(booking.professional)) if w not in _TITLE_WORDS}
        if len(theirs & said) >= 2:
            named |= theirs
    return named


def _whose_words(words: Sequence[str]) -> set[str]:
    """The words of a message that may be a patient's name: not the first, not right after a title, "con" or "del"
    ("la de Pedro Pérez": pedro, perez; "la del Dr. Pedro": none of "pedro")."""
    return {word for i, word in enumerate(words)
            if _words_before(words, i) and not _after_title(words, i) and word not in _WITH_WHOM}


def _after_title(words: Sequence[str], i: int) -> bool:
    """Whether the word at ``i`` follows a title, "con" or "del", articles apart ("con la Ana": the doctor)."""
    before = _words_before(words, i)
    return bool(before) and before[-1] in _WITH_WHOM


def _words_before(words: Sequence[str], i: int) -> list[str]:
    """The (up to three) words before the one at ``i``, without their articles."""
    return [w for w in words[max(0, i - 3):i] if w not in _ARTICLES]


_ARTICLES = frozenset(("la", "el", "los", "las", "the"))


def _name_words(booking: WireBooking) -> set[str]:
    """The words that name an appointment: its patient's names and its professional's surname and names."""
    words = re.findall(r"\w+", f"{fold(booking.patient)} {fold(booking.professional)}")
    return {w for w in words if len(w) > 2 and w not in _TITLE_WORDS}


def _patient_words(booking: WireBooking, *, first: bool = False) -> set[str]:
    """The words of the appointment's patient's name (``first``: the first one only)."""
    words = re.findall(r"\w+", fold(booking.patient))
    return set(words[:1] if first else words)


def act_on_named(
    lang: Language, state: ConversationState, clinic: ClinicProfile, intent: str, day: date | None,
    times: Sequence[tuple[int, int]], who: Collection[str] = (), words: Collection[str] = (), *,
    by_weekday: bool = False,
) -> Reply | None:
    """At appointments already listed, "quiero cambiar la del viernes", "cancela la de kine": straight to that one's
    confirmation."""
    named = named_bookings(state.bookings, day, times, who, words, by_weekday=by_weekday)
    return _confirm_target(lang, evolve(state, intent=intent), clinic, named[0]) if len(named) == 1 else None


def _wish_read(state: ConversationState) -> ConversationState:
    """A cancel's first message, once it picked the appointment (a move keeps it: it says where to)."""
    return evolve(state, wish="") if state.intent == "cancel" else state


def for_whom(bookings: Sequence[WireBooking], booking: WireBooking, owner: str = "") -> str:
    """" (Rosa Muñoz)" after an appointment's line when the list holds more than one person's appointments, or one
    that is not the phone owner's (``owner``: their WhatsApp name)."""
    whose = {fold(b.patient) for b in bookings if b.patient}
    others = bool(owner) and under_another_name(booking, owner)
    return f" ({booking.patient})" if booking.patient and (len(whose) > 1 or others) else ""


def _cancel_done(lang: Language, booking: WireBooking, owner: str) -> str:
    """"Listo, cancelé tu hora …", or "… la hora de Rosa Muñoz …" when it was under another name than the writer's."""
    if _someone_elses(booking, owner):
        return lang.say("cancel_done_for", patient=booking.patient, **when_words(lang, booking))
    return lang.say("cancel_done", **when_words(lang, booking))


# "la hora de mi hijo", "la de mi hija", "my son's appointment", "the one for my mom": whose the appointment is, by
# kin alone (never "la reunión del colegio de mi hijo": a reason)
_KIN_APPOINTMENT = re.compile(
    rf"\b(?:hora|horas|cita|citas|consulta|turno|control|reserva|la|el|las|los) (?:de|del|para|a) {WHOSE} {RELATIVE}\b"
    rf"|\b{WHOSE} {RELATIVE} s\b|\b(?:appointment|booking|one)s? (?:of|for) {WHOSE} {RELATIVE}\b"
)


# "cancela la mía y la de mi hijo" (with only hers on the phone, his is said not to be found)
_MINE_AND_THEIRS = re.compile(
    rf"\b(?:la|el) mi[ao] (?:y|e) (?:tambien )?(?:la|el) de {WHOSE} {RELATIVE}\b"
    rf"|\b(?:la|el) de {WHOSE} {RELATIVE} (?:y|e) (?:tambien )?(?:la|el) mi[ao]\b"
    rf"|\bmine and {WHOSE} {RELATIVE}\b|\b{WHOSE} {RELATIVE} s and mine\b"
)


def kins_only(bookings: Sequence[WireBooking], norm: str, owner: str) -> list[WireBooking] | None:
    """ "Cancela todas las de mi hijo y mi esposo", "all of my son's and my husband's": the appointments the phone
    holds under another name than the writer's that may be theirs (never the writer's own; [] when none may be: a
    man's name for "my daughters'"); None when the message does not say so (or names the writer's too: "la mía y las
    de mis hijos")."""
    if not _KINS_ONES.search(norm) or _OWN_APPOINTMENT.search(norm) or _MINE_TOO.search(norm):
        return None
    others = [b for b in bookings if under_another_name(b, owner)]
    theirs = [b for b in others if not _not_of_the_kin(b, norm)]
    kins = re.findall(rf"\b(?:{WHOSE}|los|las) ({RELATIVE})\b", norm)
    if len(theirs) > 1 and len(kins) == 1 and not kins[0].endswith("s"):  # "todas las de mi hijo" with the husband's
        return others  # there too: which are the son's is not known (each one is asked about, by its name)
    return theirs


def cancel_every_one(lang: Language, state: ConversationState, clinic: ClinicProfile, among: Sequence[WireBooking],
                     said: str, owner: str, opening: Sequence[str] = ()) -> Reply:
    """"Cancela las dos", at the first message or at the list: each of ``among`` (those ``said`` named: "las dos del
    jueves") asked about in turn; "todas las de mis hijos": those that may be theirs (``kins_only``) — none: said so,
    and the appointments shown, never the writer's own asked about in their place; else every one."""
    theirs = None if among else kins_only(state.bookings, said, owner)
    if theirs is None:
        return cancel_each(lang, state, clinic, opening, among=among)
    if not theirs:
        return _which(lang, evolve(state, cancel_each=False), clinic,
                      [*opening, lang.say("no_booking_for_them_list")], owner=owner)
    return cancel_those(lang, state, clinic, theirs, opening)


_KINS_ONES = re.compile(rf"\b(?:(?:las|los|horas|citas) de|of) (?:{WHOSE}|los|las) {RELATIVE}|\b{WHOSE} {RELATIVE} s\b")
_MINE_TOO = re.compile(r"\b(?:la|las|el|los) mi[ao]s?\b|\bmine\b|\b(?:y|and) (?:yo|me)\b|\b(?:para|for) (?:mi|me)\b")


def asks_about_kins(norm: str) -> bool:
    """The relative's appointment is the one asked about: what the verb acts on ("cambia la hora de mi hijo", "move
    my son's appointment") or what the message begins with ("la hora de mi hijo hay que cambiarla"). Never with the
    writer's own named ("cancela mi hora, la de mi hijo no", "move my appointment, not my son's", "la mía y la de mi
    hijo"), nor a reason ("cambia la hora, coincide con la de mi hijo", "…porque tengo la hora de mi hijo")."""
    if _OWN_APPOINTMENT.search(norm):
        return False
    for kin in _KIN_APPOINTMENT.finditer(norm):
        before = norm[: kin.start()].split()
        while before and before[-1] in _BEFORE_THE_KIN:
            before.pop()
        if not before or _ACTS_ON.fullmatch(before[-1]):
            return True
    return False


def not_the_kin_named(booking: WireBooking, norm: str) -> bool:
    """The message asks about a relative's appointment ("cancela la cita de mi mamá") and this one, under another
    name, cannot be theirs: a man's name for a woman relative ("Tomás Pérez" for "mi mamá"), or a woman's for a man.
    False when either is not told (a name like "Alex", "mi pareja", "mi hijo" and "mis hijas" both)."""
    return asks_about_kins(norm) and _not_of_the_kin(booking, norm)


def _not_of_the_kin(booking: WireBooking, norm: str) -> bool:
    """Under a man's name when the relatives named are women ("las de mis hijas"), or the other way round."""
    named = list(_KIN_APPOINTMENT.finditer(norm)) or list(A_RELATIVE.finditer(norm))  # ("la de mi hijo", else "mi
    # mamá" alone: "no, my mom's")
    genders = {_KIN_GENDER.get(kin[0].split()[-1].split("-")[-1], "") for found in named
               for kin in re.finditer(rf"\b{RELATIVE}\b", found[0])}  # ("my older brother": a brother's)
    said = _name_gender(booking.patient)
    return len(genders) == 1 and "" not in genders and said != "" and said not in genders


_WOMAN_KIN = (
    "mama mami mamita madre hija hijas nina ninas abuela abuelita esposa senora polola novia hermana tia"
    " suegra amiga sobrina prima nieta mom mother daughter wife grandma grandmother sister aunt hijita"
    " hijitas nena mujer conviviente companera bisabuela nona vieja viejita nuera cunada hijastra"
    " madrastra ahijada vecina bisnieta mum mommy mummy momma girlfriend fiancee granny grannie nana nanna"
    " granddaughter auntie niece stepdaughter stepmother stepmom stepmum chiquita pequena ninita hermanita primita"
    " sobrinita nietecita nietita regalona chamaca cria piba madrina comadre girl wifey missus missis goddaughter"
    " godmother mam grandmum grandmom chica lady wife"
)
# (never "hijos", "niños", "hijitos": in Spanish the men's plural names sons and daughters together)
_MAN_KIN = (
    "papa papi papito padre hijo nino abuelo abuelito esposo marido senor pololo novio"
    " hermano tio suegro amigo sobrino primo nieto dad father son husband grandpa grandfather brother"
    " uncle hijito nene companero bisabuelo tata nono viejo viejito yerno cunado hijastro"
    " padrastro ahijado vecino bisnieto daddy boyfriend grandad granddad grandson nephew stepson"
    " stepfather stepdad chiquito pequeno ninito hermanito primito sobrinito nietecito nietito regalon chamaco crio"
    " pibe padrino compadre boy lad hubby godson godfather taita pops chico man"
)
_KIN_GENDER = {**dict.fromkeys(_WOMAN_KIN.split(), "f"), **dict.fromkeys(_MAN_KIN.split(), "m")}
# First names that tell a man or a woman by more than their ending ("-a" a woman's, "-o" a man's, save these)
_MEN = frozenset(
    "tomas jose luis carlos andres jesus raul miguel daniel gabriel manuel felipe vicente martin agustin cristobal"
    " sebastian joaquin benjamin matias nicolas ignacio samuel david juan ivan oscar hector victor rafael angel"
    " esteban fernando hernan cesar adrian julian simon lucas jorge enrique alexis bastian damian fabian elias isaac"
    " axel gaspar emanuel emmanuel ismael abel noel saul josue borja luca thomas james john michael william george"
    " charles peter paul mark richard joseph robert steven kevin brian jason eric adam"
    .split()
)
_WOMEN = frozenset(
    "ines isabel carmen beatriz mercedes dolores pilar luz belen ruth noemi abigail raquel soledad trinidad ester"
    " esther maite anais ivonne denisse rocio consuelo amparo rosario socorro sarah elizabeth rachel"
    " alice grace catherine margaret jennifer karen allison nicole michelle"
    .split()
)


def _name_gender(patient: str) -> str:
    """"m" / "f" when the first name tells a man or a woman ("Tomás", "Rosa"), "" when it does not ("Alex")."""
    first = next(iter(normalize(patient).split()), "")
    if first in _MEN:
        return "m"
    if first in _WOMEN:
        return "f"
    if len(first) > 2 and first.endswith("a"):
        return "f"
    if len(first) > 2 and first.endswith("o"):
        return "m"
    return ""


_OWN_APPOINTMENT = re.compile(r"\b(?:mi|my) (?:hora|cita|turno|consulta|control|reserva|appointment|booking)\b"
                              r"|\b(?:la|el|lo) mi[ao]\b|\bmine\b|\bmio\b|\bmia\b")
_ACTS_ON = re.compile(r"(?:cambi|cancel|anul|mover|muev|reagend|reprogram|correr|corre|pasar|move|moving|reschedul"
                      r"|change|changing|push)\w*")
_BEFORE_THE_KIN = frozenset("la el las los the a an also tambien please porfa por favor ahora hola buenas".split())
# "la hora de mi mamá", "la cita de mi hijo", "la de mi esposo": a relative's appointment named (never "porque mi
# mamá está enferma": the writer's own, with a reason)
_THEIR_APPOINTMENT = re.compile(
    rf"\b(?:cancel|cambi|anul|mover|muev|reagend)\w* (?:la |el )?(?:(?:hora|cita|consulta|turno|control) )?"
    rf"(?:de|del|para) (?:{WHOSE}|la|el) {RELATIVE}\b"
    # "cancel my mum's appointment", "move the one for my son"
    rf"|\b(?:cancel|move|reschedul|chang)\w* (?:{WHOSE} {RELATIVE} s (?:appointment|appt|booking|one|visit)"
    rf"|the (?:one|appointment|appt|booking) (?:for|of) {WHOSE} {RELATIVE})\b"
    # "mi hijo no puede ir el jueves", "my son can't make it thursday": the one who will not come is another
    rf"|\b{WHOSE} {RELATIVE} (?:ya )?(?:no (?:puede|pueden|podra|podran|va a poder|van a poder|alcanza a"
    r"|alcanzan a) (?:ir|asistir|llegar)|(?:can ?t|cannot|won ?t be able to) (?:make it|come|go))\b"
)


def cancelled_before(lang: Language, state: ConversationState, owner: str) -> Reply:
    """«Sí, cancelar» again once that appointment is cancelled (a slow phone sends the old button's text once more):
    the cancellation said again, nothing else done — never the next appointment asked about, then cancelled."""
    assert state.target is not None
    data = {"status": "closed", "conversation_id": state.conversation_id, "code": "cancelled_before",
            "booking_id": state.target.booking_id}
    paragraphs = [_cancel_done(lang, state.target, owner), lang.say("cancel_done_closing")]
    return Reply(state, continuation(data, paragraphs), "closed")


def others_of(bookings: Sequence[WireBooking], owner: str) -> tuple[str, ...]:
    """The ids of those appointments that are another person's than the writer's (``ConversationState.others``)."""
    return tuple(b.booking_id for b in bookings if _someone_elses(b, owner))


def _someone_elses(booking: WireBooking, owner: str) -> bool:
    """The appointment is another person's than the writer's: its first name is not theirs (a WhatsApp name may be
    short or a nickname beside the full name booked: "Ana P" is Ana Pizarro)."""
    theirs, writer = fold(booking.patient).split()[:1], fold(owner).split()[:1]
    return bool(theirs) and bool(writer) and theirs != writer


def under_another_name(booking: WireBooking, owner: str) -> bool:
    """Whether the appointment is under a name other than ``owner``'s (the WhatsApp name of the phone writing)."""
    return bool(booking.patient) and fold(booking.patient) != fold(owner)


def move_from_the_start(lang: Language, state: ConversationState, clinic: ClinicProfile) -> Reply:
    """ "Empecemos de nuevo" while a move's new time is chosen: its «¿Cambio tu hora …?» again, with nothing chosen
    (never a new booking's menus that still move the appointment)."""
    assert state.target is not None
    fresh = evolve(state, day="", professionals=(), time_filter="", window=("", ""), skip_days=(), proposed=None,
                   pending=None, wish="")
    return _confirm_target(lang, fresh, clinic, state.target)


def confirm_again(lang: Language, state: ConversationState, clinic: ClinicProfile, *, unsure: bool = False,
                  waiting: bool = False) -> Reply:
    """"¿Cancelo (cambio) tu hora …?" again, when what the patient wrote answers neither yes nor no; ``unsure``:
    it was a yes asked back ("¿sí?"), and an appointment is not undone on a question; ``waiting``: the patient asked
    for a moment ("espera", "ok, let me check")."""
    assert state.target is not None
    said = "waiting" if waiting else "sure_first" if unsure else "reask_choice"
    return _confirm_target(lang, state, clinic, state.target, [lang.say(said)])


def cancel_instead(lang: Language, state: ConversationState, clinic: ClinicProfile) -> Reply:
    """At «¿Cambio tu hora …?», "no, cancélala": «¿Cancelo tu hora …?» of the same one (nothing undone yet)."""
    assert state.target is not None
    return _confirm_target(lang, evolve(state, intent="cancel", wish=""), clinic, state.target)


def the_only_one_named(
    lang: Language, state: ConversationState, clinic: ClinicProfile, turn: Turn, intent: str = "cancel"
) -> Reply:
    """Under «Ya tienes hora el viernes… ¿una hora más, cambiarla o cancelarla?», a typed "cancela la del jueves"
    ("cancela la de las 10", "cancela la de mi hijo", "cancela la otra, no la del viernes"): that one asked about as
    a first message asking it (``intent``: cancel or reschedule) would be, with «No tienes hora el jueves…» first when
    the words name another day, time or person. The message that found it stays the conversation's wish."""
    reply = _listed(lang, evolve(state, intent=intent, wish=turn.message[:500]), clinic, (), turn.name, turn.now)
    return replace(reply, state=evolve(reply.state, wish=state.wish)) if reply.state is not None else reply


def listed_again(
    lang: Language, state: ConversationState, clinic: ClinicProfile, opening: Sequence[str], owner: str = ""
) -> Reply:
    """The patient's appointments and the three choices again ("¿cambiar o cancelar alguna, o pedir otra?")."""
    return _listed(lang, state, clinic, opening, owner)


def another_of_theirs(
    lang: Language, state: ConversationState, clinic: ClinicProfile, place: int | None, day: date | None,
    times: Sequence[tuple[int, int]], who: Collection[str] = (), words: Collection[str] = (), *,
    by_weekday: bool = False,
) -> Reply:
    """At "¿Cancelo (cambio) tu hora …?" with several listed: "no, esa no, la más temprano", "no, la otra": the one
    they mean, asked about; the list again when it is not clear which (never a new booking's menus)."""
    others = [b for b in state.bookings if state.target is None or b.booking_id != state.target.booking_id]
    listed = sorted(state.bookings, key=lambda b: b.start)
    if place is not None and listed:
        chosen = [listed[-1] if place == -1 else listed[place - 1]] if place == -1 or place <= len(listed) else []
    elif day or times or who or words:  # named among all of them (whose: "la mía" against the others'), not this one
        chosen = [b for b in named_bookings(state.bookings, day, times, who, words, by_weekday=by_weekday)
                  if b in others]
    else:
        chosen = others
    # What the first message said of the one it meant is not about this one ("cambia la de las 10" … "no, la de mi
    # esposo": his is not moved to 10:00); where it asked to move to still is ("… para el viernes")
    back = evolve(state, target=None, cancel_each=False, wish=move_aim_only(normalize(state.wish)))
    if len(chosen) == 1:
        return _confirm_target(lang, back, clinic, chosen[0])
    return _which(lang, back, clinic, [lang.say("which_booking")])


def ask_about_one_of(
    lang: Language, state: ConversationState, clinic: ClinicProfile, among: Sequence[WireBooking]
) -> Reply:
    """«¿Cancelo (Cambio) tu hora …?» of the one appointment in ``among``; the list when there are several; the
    same question again when there is none (nothing is done on a message that rules out every one)."""
    if not among:
        return confirm_again(lang, state, clinic)
    back = evolve(state, target=None, cancel_each=False)
    if len(among) == 1:
        return _confirm_target(lang, back, clinic, among[0])
    return _which(lang, back, clinic, [lang.say("which_booking")])


def which_again(
    lang: Language, state: ConversationState, clinic: ClinicProfile, answered: Sequence[str] = ()
) -> Reply:
    """The list of the patient's appointments again, when what they wrote names none or several of them (or asked
    something else, ``answered`` first)."""
    return _which(lang, state, clinic, list(answered) or [lang.say("which_booking")])


def _which(lang: Language, state: ConversationState, clinic: ClinicProfile, opening: Sequence[str] = (),
           among: Sequence[WireBooking] = (), owner: str = "") -> Reply:
    """«¿Cuál quieres cancelar (cambiar)?» over their appointments listed; ``among``: only those (the son's, when
    the message said "la hora de mi hijo"), the others still known; ``owner``: the writer, whose appointments are
    listed without their name."""
    prompt = "which_to_move" if state.intent == "reschedule" else "which_to_cancel"
    listed = among or state.bookings
    lines, options = [], []
    for n, (booking, label) in enumerate(zip(listed, booking_labels(lang, listed), strict=True), start=1):
        lines.append(listed_line(lang, n, booking, for_whom(state.bookings, booking, owner)))
        options.append(Option(label, "booking", number=n, key=booking.booking_id))
    state = evolve(state, stage=BOOKINGS, options=tuple(options))
    body = continuation(_data(state, "bookings"), [*opening, lang.say("bookings_intro"), *lines], lang.say(prompt),
                        [o.label for o in options[:3]], clinic.bot_question_step)
    return Reply(state, body, "choose_day")


def booking_labels(lang: Language, bookings: Sequence[WireBooking]) -> list[str]:
    """A button per appointment: "Jue 3 10:00"; two at the same day and time (a mother's and her son's) are told
    apart by the patient's first name, else by the professional: a tap always names one appointment."""
    when = [f"{lang.day_label(_start(b).date())} {when_words(lang, b)['time']}" for b in bookings]
    labels = []
    for booking, label in zip(bookings, when, strict=True):
        twins = [b for b, other in zip(bookings, when, strict=True) if other == label]
        if len(twins) > 1:
            label = _told_apart(label, when_words(lang, booking)["time"], booking, twins)
        labels.append(label)
    return unique_labels(labels)


def _told_apart(label: str, time: str, booking: WireBooking, twins: Sequence[WireBooking]) -> str:
    """"Jue 3 dic 10:00 Ana", or "10:00 Tomás" when the day leaves no room (both are that day): the patient's given
    name when it differs among ``twins``, else the professional's."""
    def given(b: WireBooking, room: int) -> str:
        word = (b.patient or "").split()[:1]
        return word[0] if word and len(word[0]) <= room else ""

    def professional(b: WireBooking, room: int) -> str:
        short = short_professional(b.professional, room)
        return "" if short.endswith("…") else short

    for apart in (given, professional):
        for head in (label, time):
            room = MAX_LABEL - len(head) - 1
            words = [fold(apart(b, room)) for b in twins]
            if all(words) and len(set(words)) == len(twins):
                return f"{head} {apart(booking, room)}"
    return label


def cancel_each(lang: Language, state: ConversationState, clinic: ClinicProfile, opening: Sequence[str] = (),
                among: Sequence[WireBooking] = ()) -> Reply:
    """ "Cancela las dos": each appointment listed is asked about in turn, soonest first (each one confirmed, none
    left out in silence); ``among``: only those the message named ("las dos del jueves"), never the others."""
    named = [b for b in state.bookings if b in among]
    ordered = tuple(sorted(named if 1 < len(named) < len(state.bookings) else state.bookings, key=lambda b: b.start))
    count = lang.say("cancel_each" if len(ordered) == len(state.bookings) else "cancel_each_named",
                     count=str(len(ordered)))
    return _confirm_target(lang, evolve(state, bookings=ordered, cancel_each=True), clinic, ordered[0],
                           [*opening, count])


# "todas menos la del martes": what follows names the appointments kept
_EXCEPT = re.compile(r"\b(?:menos|excepto|exceptuando|salvo|sin contar|pero no|pero deja(?:me)?|except"
                     r"|but not|other than|but|exceto)\b")


def all_but(bookings: Sequence[WireBooking], norm: str, now: datetime | None, owner: str) -> list[WireBooking] | None:
    """The appointments "todas menos la del martes" means: all but those named after the exception ("menos",
    "excepto", "salvo", "except"). None: the message makes no exception; []: what it keeps names none of them,
    or all (never all cancelled by a guess — the list is shown instead)."""
    found = _EXCEPT.search(norm)
    if found is None or now is None or not bookings:
        return None
    kept_part = norm[found.end():]
    reading = read(kept_part, _clinic_day(bookings, now), window_days=BOOKINGS_READ_DAYS)
    who = tuple(b.professional for b in bookings if _named_professionals(reading, b) == (b.professional,))
    kept = named_bookings(bookings, None if reading.ambiguous else reading.day, reading.times, who,
                          naming_words(kept_part, owner), by_weekday=reading.by_weekday)
    left = [b for b in bookings if b not in kept]
    return left if kept and left else []


def cancel_those(lang: Language, state: ConversationState, clinic: ClinicProfile, those: Sequence[WireBooking],
                 opening: Sequence[str] = ()) -> Reply:
    """"Cancela todas menos la del martes": the ones left asked about in turn (one: its own question); none made
    out: which, asked."""
    if not those:
        back = evolve(state, target=None, cancel_each=False)
        return _which(lang, back, clinic, [*opening, lang.say("which_booking")])
    if len(those) == 1:
        return _confirm_target(lang, evolve(state, cancel_each=False), clinic, those[0], opening)
    return cancel_each(lang, state, clinic, opening, among=those)


def _confirm_target(lang: Language, state: ConversationState, clinic: ClinicProfile, target: WireBooking,
                    opening: Sequence[str] = ()) -> Reply:
    """"¿Cancelo tu hora …?" / "¿Cambio tu hora …?" with its two buttons."""
    move = state.intent == "reschedule"
    yes = Option(lang.say("move_yes"), "move_yes") if move else Option(lang.say("cancel_yes"), "cancel_yes")
    options = (yes, Option(lang.say("cancel_no"), "cancel_no"))
    state = evolve(state, stage=CONFIRM_CANCEL, target=target, options=options)
    data = _data(state, "confirm_move" if move else "confirm_cancel")
    data.update(booking_id=target.booking_id, start=target.start, professional=target.professional)
    when = when_words(lang, target)
    question = "confirm_move" if move else "confirm_cancel"
    if target.booking_id in state.others and target.patient:  # "¿Cancelo la hora de Rosa Muñoz del …?"
        question = f"{question}_for"
    else:
        when["professional"] += for_whom(state.bookings, target)  # "… con Dr. Rojas (Ana Pérez)?": whose, in a family
    body = continuation(data, list(opening), lang.say(question, patient=target.patient, **when),
                        [o.label for o in options], clinic.bot_question_step)
    return Reply(state, body, "choose_day")


def _moved(lang: Language, state: ConversationState, turn: Turn, clinic: ClinicProfile,
           result: RescheduleResult, opening: Sequence[str] = ()) -> Reply:
    assert state.target is not None
    start = datetime.fromisoformat(result.start)
    when = booked_when(lang, start, result.professional)
    data: dict[str, Any] = {
        "conversation_id": state.conversation_id, "booking_id": result.booking_id, "start": result.start,
        "end": result.end, "professional": result.professional, "day": start.date().isoformat(),
        "time": start.strftime("%H:%M"), "rescheduled_from": state.target.booking_id, "repeat": result.repeat,
        "previous_cancelled": result.previous_cancelled,
    }
    if not result.previous_cancelled:  # never leave the patient with neither: the new one stands, a person acts
        # The clinic's task names the one to cancel (the old one), never only the new one: that is the one left.
        data.update(status="handoff", reason="previous_not_cancelled", requested_start=state.target.start,
                    requested_professional=state.target.professional)
        paragraphs = [*opening, lang.say("moved_old_kept", **when_words(lang, state.target)),
                      when, lang.say("receptionist")]
        return Reply(None, continuation(data, paragraphs), "handoff")
    data["status"] = "booked"
    name = _first_name(turn.name)
    theirs = _someone_elses(state.target, turn.name)  # "Cambié la hora de Tomás Muñoz", not "tu hora"
    old = when_words(lang, state.target)  # which one is gone, said: a patient with two must not guess
    said = (lang.say("moved_for", name=name, patient=state.target.patient, day=old["day"], time=old["time"])
            if theirs else lang.say("moved", name=name, day=old["day"], time=old["time"]))
    paragraphs = [*opening, said, when]
    if clinic.address.strip():
        paragraphs.append(lang.say("booked_address", address=clinic.address.strip().rstrip(".")))
    paragraphs.extend(rest_asked_for(lang, state))  # "sí, y …" at the move's confirmation
    done = WireBooking(result.booking_id, result.start, result.end, result.professional,
                       patient=state.target.patient if theirs else "")
    return Reply(kept_after_done(state, turn, done, moved_from=state.target), continuation(data, paragraphs), "booked")


def _first_name(name: str) -> str:
    return first_name(name)  # ", Ana"; nothing for "yo", a placeholder or no name


def _cancel_step(state: ConversationState, target: WireBooking, phone: str) -> AgentStep:
    key = idempotency_key(state.conversation_id, f"cancel:{target.booking_id}")
    cancel = CancelArgs(target.booking_id, key, _phone(phone))
    return AgentStep(evolve(state, stage=CANCELLING, target=target), "cancel", cancel)


def _phone(phone: str) -> str:
    """The WhatsApp phone the agent checks the appointment against; "" when it is not one."""
    return phone.strip() if _PHONE_RE.match(phone.strip()) else ""


# Answers that say nothing of the move asked before: the relay could not ask (offline, paused, the web app changed)
# or the agent refused before looking at it.
_NOT_ASKED = frozenset({"agent_offline", "timeout", "paused", "portal_changed", "login_failed", "account_locked",
                        "login_needs_person"})


def _outcome_unknown(state: ConversationState, error: WireError) -> bool:
    """Whether a move or a cancel may have happened (a move: the new appointment booked, the old one maybe not
    cancelled yet): the agent went away or ran out of time with it in hand, or the patient was already told it was
    not known and this answer does not settle it."""
    if state.gave_up:
        return not error.nothing_written or error.code in _NOT_ASKED
    return not error.certainly_unwritten


def _move_unconfirmed(lang: Language, state: ConversationState, reason: str, opening: Sequence[str]) -> Reply:
    """The truth when a move's outcome is not known: never "your old time still stands" (the new one may be booked);
    the next message asks the agent again with the same key, which finishes the move or says it failed."""
    assert state.pending is not None
    new = state.pending
    start = new.start_dt()
    said = lang.say("move_unconfirmed", day=lang.day_long(start.date()), time=start.strftime("%H:%M"),
                    why=lang.why_not_known(reason))
    return _not_known_yet(state, reason, opening, [said, lang.say("booking_unconfirmed_next"),
                                                   *rest_after_news(lang, state)], new.start, new.id,
                          new.professional)


def _kept_or_gone(lang: Language, state: ConversationState, clinic: ClinicProfile, outcome: Any,
                  opening: Sequence[str]) -> Reply:
    """The patient took back a cancel whose outcome was not known: the appointments read say whether it is still
    there ("sigue en pie") or went before the message ("ya quedó cancelada"); unread, it stays not known (and the
    next message reads again: it is never cancelled after the "no")."""
    assert state.target is not None
    if not isinstance(outcome, MyBookingsResult):  # unread: the wish is noted, the outcome still not known
        paragraphs = [lang.say("cancel_keep_noted", **when_words(lang, state.target)),
                      lang.say("booking_unconfirmed_next")]
        reply = _not_known_yet(state, KEEP_REQUESTED, opening, paragraphs, state.target.start, state.target.booking_id)
        reply.continuation["data"]["taken_back"] = True  # the clinic's team: the case changed, see the new task
        return reply
    target = state.target
    if any(b.booking_id == target.booking_id for b in outcome.bookings):
        again = Option(lang.say("new_booking_button"), "new_booking")
        kept = evolve(state, stage=CHOOSE_DAY, target=None, intent="", options=(again,), gave_up=False,
                      cancel_each=False)
        data = {**_data(kept, "kept"), "option_1": again.label, "booking_id": target.booking_id}
        body = continuation(data, [*opening, lang.say("cancel_taken_back", **when_words(lang, target))],
                            lang.say("another_booking_prompt"), [again.label], clinic.bot_question_step)
        return Reply(kept, body, "choose_day")
    paragraphs = [lang.say("cancel_went_before", **when_words(lang, target)), lang.say("cancel_done_closing")]
    data = {"status": "cancelled", "conversation_id": state.conversation_id, "booking_id": target.booking_id,
            "start": target.start, "professional": target.professional, "repeat": True}
    done = evolve(state, stage=CANCELLED, intent="", bookings=(), options=(), wish="", gave_up=False,
                  cancel_each=False, told=state.listed(but=target.booking_id))  # "devuélvemela" can book it again
    return Reply(done, continuation(data, [*opening, *paragraphs]), "cancelled")


def _move_kept_or_done(lang: Language, state: ConversationState, turn: Turn, clinic: ClinicProfile, outcome: Any,
                       opening: Sequence[str]) -> Reply:
    """The patient took back a move whose outcome was not known ("me quedo con la original"): the appointments read
    say what is there. The old one alone: it stands. Both: the new one is offered to be cancelled ("¿la cancelo?").
    The new one alone: the move went before the message, said. Unread: the wish is noted, still not known (the
    next message reads again: the move is never finished against it)."""
    assert state.target is not None and state.pending is not None
    old, new = state.target, state.pending
    if not isinstance(outcome, MyBookingsResult):
        paragraphs = [lang.say("move_keep_noted", **when_words(lang, old)), lang.say("booking_unconfirmed_next")]
        reply = _not_known_yet(state, MOVE_BACK_REQUESTED, opening, paragraphs, new.start, new.id, new.professional)
        reply.continuation["data"]["taken_back"] = True  # the clinic's team: the case changed, see the new task
        return reply
    new_start = new.start_dt()
    made = next((b for b in outcome.bookings
                 if b.professional == new.professional and _start(b) == new_start and b.booking_id != old.booking_id),
                None)
    still = any(b.booking_id == old.booking_id for b in outcome.bookings)
    if still and made is None:
        again = Option(lang.say("new_booking_button"), "new_booking")
        kept = evolve(state, stage=CHOOSE_DAY, target=None, pending=None, intent="", options=(again,), gave_up=False)
        data = {**_data(kept, "kept"), "option_1": again.label, "booking_id": old.booking_id}
        body = continuation(data, [*opening, lang.say("move_taken_back", **when_words(lang, old))],
                            lang.say("another_booking_prompt"), [again.label], clinic.bot_question_step)
        return Reply(kept, body, "choose_day")
    if still and made is not None:  # both: the one they did not want any more is offered to be cancelled
        both = lang.say("move_both_booked", new_day=lang.day_long(new_start.date()),
                        new_time=new_start.strftime("%H:%M"), **when_words(lang, old))
        # Still "gave_up": once the new one is cancelled (or kept), the clinic's task about the move is settled.
        asking = evolve(state, intent="cancel", pending=None, bookings=(made,))
        return _confirm_target(lang, asking, clinic, made, [*opening, both])
    moved = RescheduleResult(made.booking_id, made.start, made.end, made.professional, True, True) if made else None
    if moved is None:  # neither is there any more: a person looks at it
        return _handoff(lang, state, HANDOFF_REASONS.get("reschedule", "bookings_requested"), opening,
                        failed="reschedule")
    return _moved(lang, state, turn, clinic, moved, [*opening, lang.say("move_went_before", **when_words(lang, old))])


def _cancel_unconfirmed(lang: Language, state: ConversationState, reason: str, opening: Sequence[str]) -> Reply:
    """The truth when a cancel's outcome is not known: never "no pude cancelar" (it may be gone already); the next
    message asks the agent again with the same key."""
    assert state.target is not None
    paragraphs = [lang.say("cancel_unconfirmed", why=lang.why_not_known(reason), **when_words(lang, state.target)),
                  lang.say("cancel_unconfirmed_next"), *rest_after_news(lang, state)]
    return _not_known_yet(state, reason, opening, paragraphs, state.target.start, state.target.booking_id)


def _not_known_yet(state: ConversationState, reason: str, opening: Sequence[str], paragraphs: Sequence[str],
                   start: str, requested_id: str, professional: str = "") -> Reply:
    """A hand-off that keeps the conversation (``gave_up``) so the next message asks the agent again."""
    assert state.target is not None
    data: dict[str, Any] = {
        "status": "handoff", "reason": reason, "conversation_id": state.conversation_id, "booking": "unconfirmed",
        "booking_id": state.target.booking_id, "requested_start": start,
    }
    if professional:
        data["requested_professional"] = professional
    data["requested_slot_id"] = requested_id
    return Reply(evolve(state, gave_up=True), continuation(data, [*opening, *paragraphs]), "handoff")


def _handoff(lang: Language, state: ConversationState, reason: str, opening: Sequence[str], *, failed: str) -> Reply:
    """``failed``: the op that failed; a listing that failed only says a person will help."""
    data: dict[str, Any] = {"status": "handoff", "reason": reason, "conversation_id": state.conversation_id}
    if state.target is not None:
        data.update(booking_id=state.target.booking_id, requested_start=state.target.start)
    if failed == "cancel":
        paragraphs = [lang.say("cancel_failed"), lang.say("receptionist")]
    elif failed == "reschedule" and state.target is not None:
        paragraphs = [lang.say("move_failed", **when_words(lang, state.target)), lang.say("receptionist")]
    else:
        paragraphs = [lang.say(reason)]
    return Reply(state.handed_off(reason), continuation(data, [*opening, *paragraphs]), "handoff")


def _not_in_the_agenda(lang: Language, state: ConversationState, reason: str, opening: Sequence[str]) -> Reply:
    """The web app no longer has the appointment among the phone's (a receptionist may have deleted it): never
    "tu hora sigue en pie" nor "no pude cancelar"; a person confirms."""
    assert state.target is not None
    named = state.named_for_reception()  # a move's new time chosen; a cancel's, the appointment that was gone
    assert named is not None
    data: dict[str, Any] = {"status": "handoff", "reason": reason, "conversation_id": state.conversation_id,
                            "booking_id": state.target.booking_id, "requested_start": named.start,
                            "requested_professional": named.professional, "code": "not_in_agenda"}
    paragraphs = [lang.say("not_in_agenda", **when_words(lang, state.target)), lang.say("receptionist")]
    return Reply(state.handed_off(reason), continuation(data, [*opening, *paragraphs]), "handoff")


def _data(state: ConversationState, code: str) -> dict[str, Any]:
    data: dict[str, Any] = {"status": "choose_day", "conversation_id": state.conversation_id, "code": code}
    for index, option in enumerate(state.options, start=1):
        data[f"option_{index}"] = option.label
    return data


def _start(booking: WireBooking) -> datetime:
    return datetime.fromisoformat(booking.start)


def listed_line(lang: Language, number: int, booking: WireBooking, whose: str = "") -> str:
    """"2. jueves 3 de diciembre a las 10:00 con la Dra. Ana Soto (Rosa Muñoz)", within Kommo's 80 characters: the
    professional's article goes before any of the line is cut (never the end of whose appointment it is)."""
    when = when_words(lang, booking)
    line = numbered(number, lang.say("booking_line", **when) + whose)
    if line.endswith("…"):
        line = numbered(number, lang.say("booking_line", **{**when, "professional": booking.professional}) + whose)
    return line


def when_words(lang: Language, booking: WireBooking) -> dict[str, str]:
    """An appointment's day, time and professional as sentences say them ("con la Dra. Ana Soto")."""
    start = _start(booking)
    return {"day": lang.day_long(start.date()), "time": start.strftime("%H:%M"),
            "professional": lang.with_professional(booking.professional)}
