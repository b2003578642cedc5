"""The conversation: one widget_request step that the bot loops on, as pure functions of (state, turn, slots).

greeting + day menu -> time menu for the chosen day -> Book (the core asks the agent) -> confirmation.
Every reply either waits for the patient's answer (a menu, ``goto question``) or ends the conversation
(booked, handoff: the state is forgotten and the bot moves on to its next step).

This module routes one message (a tap, a command, free text) to the module that answers it:
``pages`` builds the booking menus, ``interpret`` acts on free text, ``appointments`` handles the patient's own
appointments, ``outcomes`` turns the agent's answer to a booking into the reply, ``context`` is what a turn knows,
``picks`` finds the option of the menu shown that a message picks.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from relay.conversation.appointments import (
    MINE,
    act_on_named,
    all_but,
    another_of_theirs,
    ask_about_one_of,
    ask_bookings,
    cancel_each,
    cancel_every_one,
    cancel_instead,
    cancel_those,
    cancelled_before,
    confirm_again,
    follow,
    listed_again,
    move_from_the_start,
    named_bookings,
    naming_words,
    not_meant,
    others_of,
    reschedule_step,
    resume_cancel,
    the_only_one_named,
    under_another_name,
    when_words,
    which_again,
)
from relay.conversation.appointments import after_agent_step as appointments_after_agent_step
from relay.conversation.asking import WHOSE_OWN, answer, ask, missing
from relay.conversation.context import Context, aware, make_context, read_message
from relay.conversation.evolve import evolve
from relay.conversation.existing import (
    already,
    check_step,
    choice,
    found,
    same_time_as_booked,
)
from relay.conversation.fields import (
    A_NAME_WRITTEN,
    check,
    check_person_name,
    names_an_insurer,
    not_a_name,
    only_a_name,
    without_closing_words,
    without_insurer,
)
from relay.conversation.freetext import (
    WEEKDAY_NAMES,
    WEEKDAYS,
    WINDOW_DAYS,
    Reading,
    command,
    days_ruled_out,
    normalize,
)
from relay.conversation.intents import (
    A_RELATIVE,
    BRINGING_FORWARD,
    FOR_WHOSE,
    NOT_GETTING_THERE,
    OURS,
    RELATIVE,
    WHOSE,
    acknowledges,
    and_one_more_for_another,
    another_person_too,
    asked_besides,
    asks_about_clinic,
    asks_about_the_one_done,
    asks_for_call,
    asks_how_long,
    asks_if_cancelled,
    asks_if_confirmed,
    asks_if_still_on,
    asks_other_professional,
    asks_price,
    asks_to_book,
    asks_to_move,
    asks_to_repeat,
    asks_to_wait,
    asks_where,
    attendance_aside,
    booked_for_another,
    calls_it_off,
    cancel_then_book_for_another,
    cannot_come,
    comes_another_day,
    confirms_attendance,
    corrects_a_booking,
    courtesy,
    detect,
    for_me,
    for_someone_else,
    greeting_only,
    keeps_it,
    leaves_it_for,
    means_every_one,
    media_only,
    move_aim_part,
    names_own_booking,
    new_one_for_another,
    none_fits,
    nothing_else,
    old_appointment_part,
    one_more_besides,
    one_more_for_another_only,
    opts_out,
    refuses_the_change,
    running_late,
    says_cancel,
    says_no_change,
    second_persons_part,
    sooner_or_later,
    sounds_like_an_emergency,
    stops_here,
    surely_for_another,
    takes_move_back,
    two_of_a_kind_each,
    wants_another,
    wants_it_back,
    wants_name_fixed,
    wants_several,
    whichever,
    without_attendance,
    yes_and_more,
    yes_for_someone,
)
from relay.conversation.interpret import PART_HOURS, after_specialty, beyond_window_month, interpret
from relay.conversation.just_done import (
    ALL_GOOD,
    about_the_one_moved_from,
    about_those_done,
    another_than_the_one_done,
    asks_for_more,
    asks_how_those_stand,
    corrects_the_one_cancelled,
    corrects_the_one_done,
    names_the_one_done,
)
from relay.conversation.menu_place import place_in_menu
from relay.conversation.menus import (
    clock,
    decode_slot_key,
    fold,
    local_day,
    slot_key,
)
from relay.conversation.model import AgentStep, Book, ClinicProfile, Reply, Turn
from relay.conversation.names import CAPITALISED_NAME, match_professionals, name_words, titled_as
from relay.conversation.negation import asks_another_day, names_a_day, only_a_when, rule_out
from relay.conversation.outcomes import (
    ASKED_FOR_RECEPTION,
    ELSEWHERE,
    NAME_CORRECTION,
    PERSON_REASONS,
    RUNNING_LATE,
    after_booking,
    as_booked,
    booked_so_far,
    closed,
    greeted_name,
    handoff,
)
from relay.conversation.pages import (
    confirm,
    day_menu,
    first_menu,
    missed,
    offered_choices,
    page_day,
    reask,
    reception_hint,
    time_menu,
    which_one,
)
from relay.conversation.patient import patient_handoff, patient_problem
from relay.conversation.patient_language import in_language, patient_language, still_spoken
from relay.conversation.picks import picked, place_named, tapped
from relay.conversation.said_of_theirs import aim_instead, cannot_make_theirs, the_one_they_have
from relay.conversation.services import named_in, offered
from relay.conversation.specialties import find_specialty, specialty_key
from relay.conversation.state import (
    ANY_SPECIALTY,
    ASK_FIELD,
    BOOKING,
    BOOKINGS,
    CANCELLED,
    CHECK_EXISTING,
    CHOOSE_DAY,
    CHOOSE_TIME,
    CONFIRM,
    CONFIRM_CANCEL,
    DONE,
    HANDED_OFF,
    MAX_BOOKED_HERE,
    PATIENT_NAME,
    ConversationState,
    Option,
    idempotency_key,
    new_conversation,
)
from wire.appointments import MyBookingsResult, WireBooking
from wire.messages import SlotsResult, WireSlot

__all__ = ["after_agent_step", "after_booking", "decide", "handoff", "resume_booking", "without_agenda"]

_CHOOSING = (CHOOSE_DAY, CHOOSE_TIME, CONFIRM)  # the stages of choosing a time (a new one, or a move's)

OWN_APPOINTMENTS = ("cancel", "my_bookings", "reschedule")  # asked of the agent (conversation/appointments.py)


def decide(
    state: ConversationState | None, turn: Turn, clinic: ClinicProfile, slots: SlotsResult
) -> Reply | Book | AgentStep:
    """The answer to one patient message, given the agent's fresh free slots; the conversation it goes on with
    keeps the message among the patient's last ones (``said``: what a hand-off tells the clinic's team), and the
    language it is held in (the patient's, when their first message is plainly in the other one the bot speaks)."""
    spoken = _spoken(state, turn, clinic)
    step = _decide(state, turn, in_language(clinic, spoken), slots)
    if step.state is None:
        return step
    missed = state is not None and step.state.misses > state.misses  # else understood: the count starts over
    going_on = step.state if missed or not step.state.misses else evolve(step.state, misses=0)
    if spoken and spoken != clinic.language:
        going_on = evolve(going_on, language=spoken)
    return evolve(step, state=going_on.saying(turn.message))


def _decide(
    state: ConversationState | None, turn: Turn, clinic: ClinicProfile, slots: SlotsResult
) -> Reply | Book | AgentStep:
    turn = aware(turn)
    media = media_only(normalize(turn.message))
    if media:  # a voice note or a photo: nothing to read (never "0:32" o'clock); said, and the menu shown again
        turn = replace(turn, message="")
    # A patient whose phone or name cannot go into a booking is handed over before any menu (and at any later
    # turn, except that a booking already under way is asked about again, under its own key, first).
    problem = patient_problem(turn.name, turn.phone)
    ctx = make_context(turn, clinic, slots)
    if media:
        ctx = evolve(ctx, opening=(*ctx.opening, ctx.say("media_only")))
    free = ctx.free
    if state is None or state.expired(turn.now) or state.lead_id != turn.lead_id:
        return _start(ctx) if problem is None else patient_handoff(turn, clinic, problem)
    resumed = resume_booking(state, turn) or resume_cancel(state, turn)
    if resumed is not None:
        return resumed
    if state.stage == HANDED_OFF and problem is None:
        return _while_handed_off(ctx, state)
    if state.stage == CANCELLED and problem is None:
        return _after_cancel(ctx, state)
    if state.stage == DONE and problem is None:
        return _next_person(ctx, state) if state.others_to_book else _after_done(ctx, state)
    if problem is not None:
        return patient_handoff(turn, clinic, problem, state)
    state = state.seen(turn.now)
    norm = normalize(turn.message)
    if sounds_like_an_emergency(norm):  # said before whatever else this turn answers
        ctx = evolve(ctx, opening=(*ctx.opening, ctx.say("emergency")))
    if state.stage == CONFIRM and state.proposed is not None and state.for_other and state.patient_name:
        renamed = _name_set_right(ctx, state, norm)  # (before "me equivoqué": "me equivoqué, es María Colmenares")
        if renamed is not None:
            return renamed
        if _NAME_SAID_WRONG.search(norm) and not CAPITALISED_NAME.search(turn.message):  # "sí, aunque el nombre
            # está mal escrito", "yes but the surname is Lee-Smith": the full name asked (was booked under the one
            # said to be wrong); "yes, but his name is Tom Smith" read as before
            return ask(ctx, evolve(state, patient_name=""), state.proposed, norm, PATIENT_NAME)
    mistake = _only_a_mistake(ctx, state, norm)
    if mistake is not None:
        return mistake
    if (state.booked_here and state.stage in (CHOOSE_DAY, CHOOSE_TIME, CONFIRM)
            and asks_how_those_stand(turn.message, norm)):
        # "¿quedó la de mi hijo?", "¿quedaron las dos?" while the next one is chosen: those booked said, the same
        # menu again (was: "las dos" read as 14:00, or the one being chosen made the son's)
        return reask(ctx, state, booked_so_far(ctx.lang, state, turn), understood=True)
    if state.stage == CONFIRM_CANCEL and state.target is not None:
        wanted = _wanted_after_all(ctx, state, norm)
        if wanted is not None:
            return wanted
    if state.stage == CONFIRM_CANCEL and state.target is not None and (asks_to_wait(norm) or _PUT_OFF.search(norm)):
        # "espera", "ok, dame un minuto", "sí, déjame ver", "yes, let me check", "ya, pero confirmo después": the same
        # question, waited for (was: «no te entendí»; or cancelled on the leading yes)
        return confirm_again(ctx.lang, state, ctx.clinic, waiting=True)
    if state.stage == CONFIRM_CANCEL and state.target is not None and (
            _yes_asked_back(turn.message, norm) or _YES_BUT_NOT_YET.search(norm)
            or asks_if_confirmed(fold(turn.message))  # "¿está confirmada?", "is it confirmed?": never a yes
            or (_LEADING_YES.match(norm) and (_YES_TAKEN_BACK.search(norm) or _on_a_condition(norm)))
            or _yes_with_a_question(turn.message, norm)):
        # "¿sí?", "sí pero espera", "dale pero primero dime…", "ok but wait", "si, ah no, mejor no", "ya, después te
        # confirmo": asked again, nothing undone on it (was cancelled on its leading yes); "dale, aunque era la del
        # doctor Rojas": that one asked about
        named = _another_named(ctx, state, norm, turn.name)
        return named if named is not None else confirm_again(ctx.lang, state, ctx.clinic, unsure=True)
    if (state.stage == CONFIRM and state.proposed is not None and state.intent == "reschedule"
            and state.target is not None):
        but_not_this = _move_confirm_but_not_this(ctx, state, norm)
        if but_not_this is not None:
            return but_not_this
    if state.stage == CONFIRM and state.proposed is not None and _PUT_OFF.search(norm) and tapped(state, norm) is None:
        # "mañana te confirmo", "te confirmo en la tarde", "I'll confirm tomorrow": the answer put off — never that
        # day's times shown as if asked for; said that nothing is held meanwhile
        return reask(ctx, state, [ctx.say("not_held")], understood=True)
    if state.stage == CONFIRM and state.proposed is not None and (
            _unsure_yes(turn.message, norm) or asks_if_confirmed(fold(turn.message))
            or (state.intent != "reschedule" and _LEADING_YES.match(norm) and _UNWANTED_AFTER_ALL.search(norm)
                and yes_and_more(norm) is None)):
        # ("sí, bórrala", "yes I don't need it anymore", "sure, free up the slot" at a new one's «¿Confirmo…?»: never
        # booked on their yes)
        return reask(ctx, state, [ctx.say("sure_first")], understood=True)  # "¿sí?", "sí? con quién?": not booked
    if state.stage == CONFIRM_CANCEL and state.target is not None and _cannot_come_another_time(ctx, state, norm):
        # «¿Cancelo tu hora del jueves 3…?» "la otra semana no voy a estar": not that one's day; asked again
        return confirm_again(ctx.lang, state, ctx.clinic, unsure=True)
    if state.stage == CONFIRM_CANCEL and state.target is not None:
        answered = _answered_by_what_they_say(ctx, state, norm)
        if answered is not None:
            return answered
    if (state.stage == CONFIRM_CANCEL and state.intent != "reschedule" and state.target is not None
            and detect(norm).intent == "reschedule" and not _OTHER_ONE.search(norm)
            and not _only_its_day_ruled_out(ctx, state.target, norm)
            and not _only_days_they_cannot(ctx, state, norm)):
        # "Sí, cambiarla", "no, mejor cámbiala para el jueves" at «¿Cancelo…?»: that one moved, never cancelled
        return _follow(ctx, evolve(state, intent="reschedule", wish=turn.message), Option(norm, "move_yes"), norm)
    if state.stage == CONFIRM and state.proposed is not None:
        coming = _coming_to_the_proposal(ctx, state, norm)
        if coming is not None:
            return coming
        aside = attendance_aside(norm)
        if aside and _NOT_SURE_YET.search(norm):  # "ahí estaré si me dan permiso", "…a menos que llueva": not yet
            return reask(ctx, state)
        if aside is not None and not _says_no(norm) and not _of_another_person(aside):
            # "ahí estaré, pero ¿puede ser más tarde?": the rest read as said at «¿Confirmo…?» (never a look at
            # appointments they do not have yet)
            turn = replace(turn, message=without_attendance(norm))
            ctx = evolve(ctx, turn=turn)
            norm = normalize(turn.message)
    # "Sí, y de paso …" at a confirmation: the yes is acted on; the rest is not this booking's (asked for after it).
    more = yes_and_more(norm) if state.stage in (CONFIRM, CONFIRM_CANCEL) else None
    if (more is not None and state.stage == CONFIRM and state.proposed is not None and not another_person_too(more)
            and not _BESIDES.search(more) and (_ASKS_IF_IT_CAN.search(more) or (
                _only_another_when(ctx, state, more) and not _BESIDES.search(norm)))  # ("ok, también a las 11")
            and read_message(ctx, state, more).found):
        more = None  # "sí, ¿y puede ser con el dr rojas?", "ok, ¿y a las 10 se puede?", "ok y a las 11?": this one
        # elsewhere, asked (never booked at the time proposed, the other asked for after it)
    if state.stage == CONFIRM and state.proposed is not None and more is None:
        besides = one_more_besides(norm)
        if besides:  # "y una más para mí el viernes", "y otra para mi hijo" before a yes: this one is still asked
            # about (never dropped for the other, never made the other person's); the other is asked for once booked
            this_one = ctx.say("name_this_one_first", day=ctx.lang.day_long(local_day(state.proposed)),
                               time=clock(state.proposed))
            more_flag = {"others_to_book": True} if besides == "others" else {"more_asked": True}
            return reask(ctx, evolve(state, **more_flag), [this_one], understood=True)
    if state.stage == CONFIRM and state.proposed is not None and more is None:  # "ok pero otro día", "sí, pero
        elsewhere = _elsewhere_from_confirm(ctx, state, norm)  # con otra doctora" (never "sí, y otra para mi hijo…")
        if elsewhere is not None:
            return elsewhere
    if more is not None and another_person_too(more):
        state = evolve(state, others_to_book=True)  # "…y tb una para mi hijo": how to ask for it, said once booked
    elif more is not None and not courtesy(more):
        state = evolve(state, more_asked=True)
    if more is None and not state.for_other and for_someone_else(norm) and not asks_to_wait(norm):
        # "es para mi hijo": whose name, asked later (never "espera que le pregunto a mi marido": a wait)
        # The writer's own RUT or birth date, given as theirs («¿Cuál es tu número de documento?»), are not the
        # other person's: asked again, of them (never the mother's RUT sent with the son's appointment)
        theirs = tuple((k, v) for k, v in state.patient if k not in WHOSE_OWN)
        state = evolve(state, for_other=True, patient=theirs)
    if more is None and not state.others_to_book and wants_several(norm):  # "y otra para mi hija": one now, one after
        state = evolve(state, for_other=True, others_to_book=True)
    if more is None or not another_person_too(more):  # "sí, y otra para mi mamá Rosa Díaz": not this one's name
        state = _named_for(state, turn.message, turn.name)
    if state.stage == BOOKINGS and state.intent == CHECK_EXISTING and not state.bookings:
        # The check was saved but never answered (the relay stopped meanwhile): book, acting on this message.
        return _booking_start(ctx, evolve(state, stage=CHOOSE_DAY, intent="", wish=""), turn.message)
    if state.stage == BOOKINGS and state.intent == CHECK_EXISTING and tapped(state, norm) is None:
        another = next((o for o in state.options if o.kind == "new_booking"), None)
        if another is not None and _came_to_book(state) and _plain_yes(norm):
            move = next((o for o in state.options if o.kind == "move_one"), None)
            if move is not None and _instead_of_theirs(ctx, state):  # "no, mejor otra hora, a las 10" … "sí": that
                return _follow(ctx, state, move, norm)  # one moved there, never a second appointment beside it
            return _follow(ctx, state, another, norm)  # "¿puedo agendar el lunes?" … "sí" / "ya" / "dale": another
        if acknowledges(turn.message, norm):  # "👍", "ok" at "Ya tienes hora… ¿otra, cambiarla o cancelarla?"
            return closed(ctx.lang, state, turn, "ok")  # got it: nothing to do (never a new booking's menus)
        if norm.strip() in ("si", "yes", "si po", "sip"):  # "hola" … "sí": yes to which of the three? asked
            return already(ctx, state, [ctx.say("tap_an_option")])
    if (state.stage == BOOKINGS and state.intent == CHECK_EXISTING and tapped(state, norm) is None
            and says_no_change(norm) and detect(norm).intent not in ("cancel", "reschedule")):
        # "no, no quiero cancelarla", "I don't want to cancel it", "no me cambien la hora" under «Ya tienes hora…
        # ¿una hora más, cambiarla o cancelarla?»: it stands, said so (was «¿Cancelo tu hora…?»: the word read as the
        # choice); "agéndala pero no canceles la otra": one more, beside it
        another = next((o for o in state.options if o.kind == "new_booking"), None)
        if another is not None and (asks_to_book(norm) or _one_more_said(norm)):
            return _follow(ctx, state, another, norm)
        return _follow(ctx, state, Option(norm, "cancel_no"), norm)
    if state.stage == BOOKINGS and state.intent == CHECK_EXISTING and opts_out(norm):  # "baja", "número equivocado"
        return closed(ctx.lang, state, turn, "stop")  # (never «¿Cambio tu hora…?» of "equivocado")
    if (state.stage == BOOKINGS and state.intent == CHECK_EXISTING and len(state.bookings) == 1
            and tapped(state, norm) is None and asks_about_the_one_done(norm)
            and not (said := read_message(ctx, state, turn.message)).day and not said.times):
        # "¿a qué hora es?", "¿con quién es?", "quería saber a qué hora era" under «Ya tienes hora el jueves…»: the
        # menu again, which says it (was «no te entendí», or a new booking's days)
        return already(ctx, state, [])
    if (state.stage == BOOKINGS and state.intent == CHECK_EXISTING and tapped(state, norm) is None
            and _says_only(_ONLY_ANOTHER_DAY, norm)):
        # "otro día", "mejor otro día", "another day" under «Ya tienes hora… ¿una hora más, cambiarla o
        # cancelarla?»: that one at another time, or one more? asked (was one more: a tap booked a second one)
        return _one_more_or_move(ctx, state)
    if state.stage == BOOKINGS and state.intent == CHECK_EXISTING:  # "Ya tienes hora…": otra, cambiarla, cancelarla
        option = tapped(state, norm) or choice(state, norm)
        named_here = option is not None and tapped(state, norm) is None and not norm.strip().isdigit()
        typed_new = option is None or option.kind == "new_booking" and named_here
        said = read_message(ctx, state, turn.message)
        theirs = the_one_they_have(ctx, state, said, norm) if typed_new else None
        if theirs is not None:  # "ok, el jueves a las 10 entonces", "sí, esa del jueves a las 10": the one they have
            return theirs
        ruled_out = cannot_make_theirs(state, said, norm) if typed_new else ()
        if typed_new and ((option is None and _said_instead(ctx, state, turn.message)) or ruled_out):
            # "mejor a las 11", "prefiero el jueves", "el miércoles no puedo(, dame otra el jueves)" to "Ya tienes
            # hora el miércoles a las 10…": that one moved (there), never a second appointment beside it
            option = next((o for o in state.options if o.kind == "move_one"), None)  # its aim kept just below
        elif option is None and said.intent in ("cancel", "none") and _says_only(_ONLY_NOT_GOING, norm):
            # "no voy a poder ir", "no podré asistir", "ya no la necesito": theirs, as "el jueves no voy a poder ir" is
            # (was: not understood)
            option = next((o for o in state.options if o.kind == "cancel_one"), None)
        elif (option is None and not said.found and said.intent in ("book", "none") and "?" not in turn.message
              and (for_someone_else(norm) or wants_several(norm)) and _A_NEW_ONE.search(norm)
              and not _LEADING_NO.match(norm) and not surely_for_another(norm) and not wants_name_fixed(norm)):
            # "una para mi hijo", "y una más para mi hija": one more, his (was «no te entendí»; never "¿puedo llevar a
            # mi hijo?", nor "para mi hijo", "no, es para mi hija": whose the one they have is)
            option = next((o for o in state.options if o.kind == "new_booking"), None)
        elif (option is None and said.intent == "book" and not said.found and "?" not in turn.message
              and detect(norm).intent == "book"):  # (never a name alone, "Juan Pérez": whose, not asked)
            # "necesito una hora", "necesito un turno con el médico": one more (was «Perdona, no te entendí»)
            option = next((o for o in state.options if o.kind == "new_booking"), None)
        typed_aim = (option is not None and option.kind in ("move_one", "new_booking") and not tapped(state, norm)
                     and not norm.strip().isdigit())
        if typed_aim and said.found and (not ruled_out or said.skip_days or said.skip_times):
            # "me equivoqué, quería medicina general": the move's aim; "otra hora de traumatología": the new one's;
            # "el jueves no puedo, dame otra el viernes": Friday, Thursday left out
            state = evolve(state, wish=turn.message[:500])
        elif ruled_out:  # "el jueves a las10 no puedo", "ese día no puedo": its "no puedo" not read with the day or
            # time, nor anything said before of that time ("quiero hora el jueves a las 10"): never kept as wanted —
            # but where they would go instead ("puedo ir el viernes en vez del jueves?": Friday)
            state = evolve(state, wish=aim_instead(norm))
        if len(ruled_out) == 1 and len(state.bookings) > 1:  # "el jueves no puedo" under «Ya tienes 2 horas…»
            start = datetime.fromisoformat(ruled_out[0].start)
            named = act_on_named(ctx.lang, state, ctx.clinic, "reschedule", start.date(), ((start.hour, start.minute),))
            if named is not None:  # «¿Cambio tu hora del jueves…?» (never the list to choose from again)
                return named
        if (option is not None and option.kind in ("cancel_one", "move_one") and len(state.bookings) > 1
                and tapped(state, norm) is None):
            # "cancela la 2", "cancela la del viernes", "cambia la del viernes al lunes" right under «Ya tienes 2
            # horas reservadas: 1. … 2. …»: that one asked about (never the list again)
            named = _one_listed_named(ctx, state, norm, moving=option.kind == "move_one")
            if named is not None:
                return named
        if named_here and option is not None and option.kind == "cancel_one" and len(state.bookings) == 1:
            # "cancela la del jueves" under «Ya tienes hora el viernes…»: read as a first message would be, with «No
            # tienes hora el jueves…» before «¿Cancelo tu hora del viernes…?» (never asked as if it were Thursday's;
            # a move's words mix the one it is with where it goes — "cambia la del jueves a las 11" — asked plainly)
            return the_only_one_named(ctx.lang, state, ctx.clinic, ctx.turn)
        if option is not None:
            return _follow(ctx, state, option, norm)
    if media and state.stage in _CHOOSING:  # counted as not understood: three in a row, and a person listens
        counted = missed(ctx, state)
        if isinstance(counted, Reply):
            return counted
        return reask(ctx, counted, reception_hint(ctx, counted), understood=True)
    if media and state.stage == ASK_FIELD and state.asking and state.proposed is not None:
        return ask(ctx, state, state.proposed, state.pending_message, state.asking)  # the same question again
    moving_from = state.target if state.intent == "reschedule" and state.target is not None else None
    if moving_from is not None and _SAME_DAY.search(norm):  # "el mismo día, a las 9 y media": the old one's day
        day = datetime.fromisoformat(moving_from.start).date()
        turn = replace(turn, message=_SAME_DAY.sub(f" el {day.day}/{day.month}/{day.year} ", norm))
        ctx = evolve(ctx, turn=turn)
        norm = normalize(turn.message)
    reading = read_message(ctx, state, turn.message)
    if state.stage in (CHOOSE_DAY, CHOOSE_TIME) and (
            reading.intent == "cancel" and reading.tentative
            or reading.intent == "reschedule" and cannot_come(norm) and reading.day is not None
            and not (says_cancel(norm) or asks_to_move(norm) or names_own_booking(norm))
            and reading.day in days_ruled_out(turn.message, ctx.today, WINDOW_DAYS)):
        # "no llego el miércoles", "mi hijo no puede ir el miércoles" while choosing: that day left out
        reading = _days_they_cannot_come(ctx, reading)
    if state.stage == CONFIRM and state.proposed is not None:
        reading = _later_than_offered(state.proposed, reading, norm)

    action = command(norm)
    moving = state.intent == "reschedule" and state.target is not None and state.stage in _CHOOSING
    not_that_time = state.stage == CONFIRM and _BARE_NO.fullmatch(norm.strip(" .!")) is not None
    if action is None and _cancels_the_one_moved(ctx, state, reading, norm):
        # "actually just cancel it", "mejor cancélala nomás" while moving Thursday's: «¿Cancelo tu hora del jueves…?»
        # (was: every appointment listed again, «¿Cuál quieres cancelar?»)
        return cancel_instead(ctx.lang, evolve(state, proposed=None, pending=None), ctx.clinic)
    if moving and action is None and len(state.bookings) > 1 and not keeps_it(norm):
        switched = _moving_another(ctx, state, norm)
        if switched is not None:
            return switched
    if moving and (action == "cancel" or ((keeps_it(norm) or takes_move_back(norm)) and not not_that_time)
                   or _keeps_the_one_moved(ctx, state, norm)):
        # "mejor no", "déjala como estaba", "mejor me quedo con la que tenía": the move is dropped, the old one stands
        return _follow(ctx, state, Option(norm, "cancel_no"), norm)
    if (action is None and stops_here(norm) and not reading.found and reading.intent != "cancel"
            and state.stage in _CHOOSING):
        action = "cancel"  # "mmm mejor no, dejémoslo hasta aquí nomás" at «¿Confirmo…?»: as "no, gracias"
    if action == "cancel" and (state.stage == CONFIRM_CANCEL and state.target is not None
                               or state.stage == BOOKINGS and state.intent in ("cancel", "reschedule")):
        # "no, gracias", "nada, gracias" at «¿Cancelo tu hora…?» or «¿Cuál quieres cancelar?»: «Entendido, tu hora
        # sigue en pie.» (was «Entendido, no reservé nada», as if the appointment were not theirs)
        return _follow(ctx, state, Option(norm, "cancel_no"), norm)
    if action == "cancel":
        return _stopped(ctx, state, norm)
    if state.stage == CONFIRM_CANCEL and action is None:  # "ok, la de Rojas", "sí, y la del viernes también" at
        switched = _another_named(ctx, state, norm, turn.name)  # «¿Cancelo tu hora del jueves…?»: never Thursday's
        if switched is not None:  # done on its "ok", nor the other one dropped
            return switched
    if state.stage == CONFIRM_CANCEL and state.target is not None and action is None:
        instead = _when_said_at_cancel(ctx, state, reading, norm)
        if instead is not None:
            return instead
    if more is not None and action is None:  # "sí, y de paso cancela la otra": the yes first, never lost to the
        return _follow(ctx, state, Option(norm, _yes_kind(state)), norm)  # rest (asked for apart once this is done)
    if (action is None and reading.intent == "cancel" and state.intent != "reschedule"
            and drops_the_new_booking(state, norm, reading.day is not None)):
        return _dropped_new_booking(ctx, state)  # "no, mejor cancela" while booking: nothing booked, nothing cancelled
    if action is None and reading.intent == "person":
        return _end(ctx, state, _person_reason(turn.message))
    if (action is None and reading.intent in ("cancel", "reschedule", "my_bookings")
            and [o.kind for o in state.options] == ["new_booking"]):
        # "necesito cancelar la hora de mi esposo" after "No encontré horas… ¿Quieres pedir una?" (reception may have
        # booked it since) or after keeping one: read again, never a booking "for another person"
        return _own_appointments(ctx, evolve(state, options=()), reading.intent)
    if state.stage not in (ASK_FIELD, CONFIRM) and action is None and wants_name_fixed(norm):
        return _end(ctx, state, NAME_CORRECTION)
    if (action is None and running_late(norm) and (reading.intent not in ("cancel", "reschedule") or reading.tentative)
            and not _yes_and_late(state, norm) and not _a_time_and_late(state, reading, norm)):
        return _end(ctx, state, RUNNING_LATE)
    if (state.for_other and state.patient_name and action is None and state.stage != BOOKINGS
            and (state.stage != ASK_FIELD or state.asking == PATIENT_NAME)  # "el rut de mi hijo es …": his field
            and (for_someone_else(norm) or surely_for_another(norm))):
        # "perdón, mejor es para mi papá José": the name given before is not this person's — the one said now, or
        # none (asked before booking), never the withdrawn one
        state = _named_for(evolve(state, patient_name=""), turn.message, turn.name)
    # Of an appointment already made (their appointments on the table); while choosing a time, "no es para mí, es
    # para mi hija" is whom this booking is for: said back, the same menu kept (never "no te entendí")
    if (state.stage in (CHOOSE_DAY, CHOOSE_TIME, CONFIRM) and action is None and not reading.found and state.for_other
            and reading.answer != "yes" and not yes_for_someone(norm)
            and not (reading.intent == "cancel" and not reading.tentative)  # "cancela la hora de mi mamá"
            and (for_someone_else(norm) or surely_for_another(norm))):  # at «¿Confirmo…?» too: then asked again
        if state.intent == "reschedule" and state.target is not None:  # a move keeps the name it has: never
            # «te pediré su nombre» of a name the move does not ask
            noted = ctx.say("move_keeps_name", name=state.target.patient or ctx.turn.name)
        else:
            noted = (ctx.say("for_other_named", name=state.patient_name) if state.patient_name
                     else ctx.say("for_other_noted"))
        return reask(ctx, state, [noted], understood=True)
    if state.stage == BOOKINGS and state.bookings and action is None and booked_for_another(norm):
        return _end(ctx, state, NAME_CORRECTION)  # "no, la hora es para mi hija Sofía": a person fixes the name
    if state.stage == ASK_FIELD and action is None and _says_only(_ONLY_ANOTHER_TIME, norm):
        # "mejor otra hora", "quiero otra hora" at «¿A nombre de quién…?»: its «Otra hora» button, typed (never a
        # name it cannot read)
        other = next((o for o in state.options if o.kind == "other_time"), None)
        if other is not None:
            return _follow(ctx, state, other, norm)
    if (state.stage == ASK_FIELD and action is None and _NEVER_MIND.match(norm)  # "mejor no, déjala como estaba"
            and not (_MY_NAME.search(norm) or for_me(norm) or reading.found)):  # "no, mejor a mi nombre": whose
        if _ANOTHER_DAY.search(norm):  # "no, mejor otro día": the days, the appointment still wanted
            return day_menu(ctx, evolve(state, stage=CHOOSE_DAY, asking="", proposed=None))
        if state.intent == "reschedule" and state.target is not None:
            return _follow(ctx, state, Option(norm, "cancel_no"), norm)  # the move is dropped: the old one stands
        return _dropped_new_booking(ctx, state)
    if (state.stage == ASK_FIELD and state.asking == PATIENT_NAME and action is None
            and (reading.week or reading.skip_days) and not (reading.day or reading.times)):
        # "no, mejor la otra semana", "next week", "esta semana no puedo" at «¿A nombre de quién…?»: when, not who
        # (never a name "Next Week"): those days, the appointment still wanted
        return interpret(ctx, evolve(state, stage=CHOOSE_DAY, asking="", proposed=None), reading, norm)
    if (state.stage == ASK_FIELD and action is None and reading.intent in ("cancel", "reschedule")
            and not reading.tentative and names_own_booking(norm)):
        # "no espera, mejor cambia mi hora del jueves al viernes" at "¿A nombre de quién…?": the one they have, and
        # the new booking asked about dropped (never booked beside it)
        return _own_appointments(ctx, evolve(state, stage=CHOOSE_DAY, asking="", pending=None, proposed=None),
                                 reading.intent)
    if (state.stage == ASK_FIELD and state.asking and state.asking != PATIENT_NAME and state.proposed is not None
            and action is None and state.for_other and for_someone_else(norm) and not _valid_answer(ctx, state)):
        # "ah no, es para mi mamá" at «¿Cuál es tu número de documento?»: whose, then theirs — never "tu RUT" again
        whose = _named_for(state, turn.message, turn.name)
        whose, still = missing(ctx, evolve(whose, asking=""))
        if still:
            return ask(ctx, whose, state.proposed, state.pending_message, still[0], [ctx.say("for_other_noted")]
                       if not whose.patient_name else [ctx.say("for_other_named", name=whose.patient_name)])
    if state.stage == ASK_FIELD and state.asking and action is None and tapped(state, norm) is None:
        return _field_answer(ctx, state, turn.message)
    if state.stage == BOOKING:  # a damaged record (no pending slot): start the menus again
        state = evolve(state, stage=CHOOSE_TIME if state.day else CHOOSE_DAY, pending=None, pending_message="")
    # A tap is exactly a menu's choice; "2", "la segunda", "opción 2 por favor" are its place in the menu.
    who = _professionals_named(ctx, reading) if state.bookings else ()  # "la de kine": an appointment listed
    words = naming_words(norm, turn.name, turn.message) if state.bookings else ()  # "la de Tomás", "la mía"
    if (state.stage == BOOKINGS and state.intent in ("cancel", "reschedule") and tapped(state, norm) is None
            and _NEW_ONE_ASKED.search(norm) and not (says_cancel(norm) or asks_to_move(norm))):
        # "quiero agendar otra hora el viernes", "I need an appointment on friday", "hora para mi sobrino el viernes"
        # at «¿Cuál quieres cancelar?»: a new one (was «¿Cancelo tu hora del viernes…?», whose "sí" cancelled it)
        return _booking_start(ctx, evolve(state, stage=CHOOSE_DAY, intent="", options=(), target=None, wish=""),
                              turn.message)
    option = picked(state, norm, reading, who, words)
    if state.bookings and any(o.kind == "booking" for o in state.options):
        option = _not_the_one_ruled_out(ctx, state, option)  # "no la del jueves", "the other one, not thursday"
        if _named_by_where_it_goes(ctx, state, option, norm):
            # "cámbiala para el viernes", "move my appointment to friday" at «¿Cuál quieres cambiar?»: where it goes,
            # never Friday's the one moved; asked again, the day kept for the one they pick
            aimed = evolve(state, wish=turn.message)  # ("la del jueves, pásala al viernes": Thursday's, named first)
            return _one_listed_named(ctx, aimed, norm, moving=True) or which_again(ctx.lang, aimed, ctx.clinic)
    if option is not None and option.slot is not None and _may_be_an_hour(state, norm, option.slot):
        # "2" at time buttons with no numbers shown, "la 2" where 14:00 is listed too: the second one, or 2 o'clock?
        # asked, never booked (or moved) on it
        counted = ctx.still_free(option.slot.id)
        if counted is not None:
            return confirm(ctx, state, counted)
    if option is None and state.stage == CHOOSE_TIME and reading.day is not None and not reading.times:
        listed = _the_line_said(state, norm)
        fresh = next((s for s in ctx.free if listed is not None and s.id == listed.slot.id), None)
        if fresh is not None:  # "el 4", "quiero el 4" under a numbered list of times: its 4th line, or the 4th of
            return confirm(ctx, state, fresh)  # the month? The line, asked (its day said): never the day at once
    if option is None and state.time_filter and not reading.named and (reading.words or reading.title):
        fitting = _whom_at_that_time(ctx, state, reading)  # "rojas", "la doctora" at «¿Con quién?»: typed, so asked
        if fitting is not None:
            return confirm(ctx, state, fitting)
    if option is None and _A_DOCTOR.fullmatch(norm):  # "médico", "un doctor" at «¿Qué especialidad…?»: general
        option = next((o for o in state.options if o.kind == "specialty" and o.key == "general"), None)
    if option is None and whichever(norm) and any(o.kind == "specialty" for o in state.options):
        option = Option(norm, "any_specialty")  # "me da lo mismo" at «¿Qué especialidad…?»: what was said before, kept
    if option is None and not reading.named and asks_other_professional(norm):  # "mejor con otro doctor"
        dated = bool(reading.day or reading.times)
        others, none_else = _other_professionals(ctx, state) if dated and state.professionals else (state, ["-"])
        if not none_else:  # "otro profesional el lunes": the others, on the day said (never the day dropped)
            return interpret(ctx, others, reading, norm)
        option = None if dated else next((o for o in state.options if o.kind == "any_professional"), None)
        if option is None and state.professionals and state.stage in (CHOOSE_DAY, CHOOSE_TIME) and not dated:
            option = Option(norm, "any_professional")  # the times filled the buttons: typed, it is still there
        if option is not None and reading.specialty in ctx.specialties:  # "otro kinesiólogo": of kinesiología
            state = evolve(state, specialty=reading.specialty)
    if (option is None and not reading.found and [o.label for o in state.options] == [ctx.say("new_booking_button")]
            and (courtesy(norm) or acknowledges(turn.message, norm) and norm not in ("si", "dale"))):
        # "ok", "perfecto", "ok gracias" to «Entendido, tu hora sigue en pie. Si quieres, puedes pedir otra hora»: got
        # it, nothing to do (never a new booking's days); "sí" still takes the offer
        return closed(ctx.lang, state, turn, courtesy(norm) or "ok")
    if option is None and reading.answer == "yes" and len(state.options) == 1 and not reading.found:
        option = state.options[0]  # "¿Quieres pedir una?" — "sí" taps its only button
    # "cualquiera está bien" at the times: the first one, to confirm; at the days, the first day (unless a filter
    # the patient set could be what "cualquiera" drops: "con Soto" … "cualquiera" is anyone).
    leaves_it = option is None and action is None and whichever(norm)
    if leaves_it and state.stage == CHOOSE_DAY and (state.professionals or any(state.window)):
        leaves_it = False
    first_offered = offered_choices(state)[:1] if leaves_it else ()
    first_slot = first_offered[0].slot if first_offered else None
    first_free = ctx.still_free(first_slot.id) if first_slot is not None else None
    if first_free is not None:
        return confirm(ctx, state, first_free)  # "cualquiera está bien": the first time offered, to confirm
    if first_offered:
        option = first_offered[0]  # "cualquier día": the first day's times (a time gone: said so)
    yes_to_menu = option is None and action is None and reading.answer == "yes" and not reading.found
    choices = offered_choices(state) if yes_to_menu and reading.intent != "stop" else ()
    if len(choices) == 1:
        option = choices[0]  # one time (or one day) offered: "sí" takes it, as a receptionist would
    if state.stage == CONFIRM_CANCEL and option is None:
        answered = _at_shall_i_cancel(ctx, state, reading, norm, action, who, words)
        if isinstance(answered, Option):
            option = answered
        elif answered is not None:
            return answered
    thanked = courtesy(norm) if option is None and action is None and not reading.found else ""
    if (thanked and (reading.answer != "yes" or state.stage == BOOKINGS)
            and state.stage in (CHOOSE_DAY, CHOOSE_TIME, BOOKINGS)):
        if offered_choices(state):  # "gracias" at the days or times: nothing was booked, said so
            return _stopped(ctx, state, norm)
        return closed(ctx.lang, state, turn, thanked)  # at "Ya tienes hora…", after "tu hora sigue en pie"
    listing = option is None and action is None and any(o.kind == "booking" for o in state.options)
    if listing and state.intent == "cancel" and asks_to_move(norm):
        # "¿Cuál quieres cancelar?" … "no la quiero cancelar, mejor cambiarla pal viernes": a move of the one named
        return _own_appointments(ctx, evolve(state, options=(), intent="reschedule"), "reschedule")
    held = {b.start[:10] for b in state.bookings} & {d.isoformat() for d in reading.skip_days} if listing else set()
    if (len(held) == 1 and state.intent in ("cancel", "reschedule") and not (reading.day or reading.times or who)
            and not (_THE_ONE_OF.search(norm) or keeps_it(norm))):
        # "no me queda bien el jueves", "no puedo ir el jueves, ¿otro día?" at «¿Cuál quieres cambiar?»: the one on
        # the day they cannot come (was «Entendido, tus horas siguen en pie», or the list again)
        if state.intent == "reschedule":  # what they said kept with the move: the day ruled out is not offered
            state = evolve(state, wish=", ".join(w for w in (state.wish, ctx.turn.message) if w.strip()))  # for it
        named = act_on_named(ctx.lang, state, ctx.clinic, state.intent, date.fromisoformat(held.pop()), ())
        if named is not None:
            return named
    if listing and state.intent == "cancel" and (cannot_come(norm) and _NEITHER.search(norm)
                                                 or _CANT_MAKE_EITHER.search(norm)):
        # "no puedo ir a ninguna de las dos", "I can't make either": each asked about (was «tus horas siguen en pie»)
        return cancel_every_one(ctx.lang, state, ctx.clinic, [], norm, turn.name)
    if listing and (reading.answer == "no" or keeps_it(norm) or none_fits(norm) or nothing_else(norm)
                    or _NONE_OF_THEM.search(norm)):  # "no", "mejor no", "ninguna, déjalas" at "¿Cuál cancelo?"
        return _follow(ctx, state, Option(norm, "cancel_no"), norm)
    if listing and asks_about_clinic(norm) and not reading.found:  # "¿cuánto dura?": answered, the list kept
        return which_again(ctx.lang, state, ctx.clinic, [_about_the_clinic(ctx, norm)])
    if listing and (courtesy(norm) or reading.intent == "stop") and not reading.found:  # "gracias, chao"
        return _follow(ctx, state, Option(norm, "cancel_no"), norm)
    if listing and state.intent == "cancel" and means_every_one(norm):  # "las dos" at "¿Cuál de tus horas?"
        left = all_but(state.bookings, norm, turn.now, turn.name)  # "todas menos la del martes"
        if left is not None:
            return cancel_those(ctx.lang, state, ctx.clinic, left)
        among = (named_bookings(state.bookings, reading.day, (), who, words, by_weekday=reading.by_weekday)
                 if reading.day or who else [])  # "las dos del jueves" (a count, not 2 o'clock): not Friday's too
        return cancel_every_one(ctx.lang, state, ctx.clinic, among, norm, turn.name)  # ("todas las de mi hijo")
    if listing and state.intent == "reschedule" and old_appointment_part(norm, True).strip() != norm.strip():
        # "la del viernes al lunes", "la 1 para el viernes", "muévela al lunes": the one it names by what comes before
        # where it goes (or the list again), the day it goes to kept for the move
        aimed = evolve(state, wish=turn.message)
        return _one_listed_named(ctx, aimed, norm, moving=True) or which_again(ctx.lang, aimed, ctx.clinic)
    if listing and reading.alternatives and state.intent in ("cancel", "reschedule"):
        # "solo la del jueves", "only the thursday one", "las dos no, solo la del viernes": "solo" made the day every
        # such weekday (as "solo puedo los jueves" is); the one listed on one of them (was «¿Cuál de tus horas?»)
        on_those = {datetime.fromisoformat(b.start).date() for b in state.bookings} & set(reading.alternatives)
        if len(on_those) == 1:
            named = act_on_named(ctx.lang, state, ctx.clinic, state.intent, on_those.pop(), reading.times)
            if named is not None:
                return named
    if listing and reading.intent not in ("stop", "person"):  # "la del jueves" with two that day, "la de mi mamá"
        return which_again(ctx.lang, state, ctx.clinic)
    if (option is not None and option.kind == "booking" and state.intent == "cancel" and tapped(state, norm) is None
            and asks_to_move(norm) and (not says_cancel(norm) or detect(norm).intent == "reschedule")):
        # "mejor muévela al jueves", "¿se puede mover mi turno al viernes?" at «¿Cuál quieres cancelar?»: a move now,
        # the day said where it goes (was «¿Cancelo tu hora del jueves…?», the one named by its aim, a "sí" away)
        aimed = evolve(state, intent="reschedule", wish=turn.message[:500])
        return _one_listed_named(ctx, aimed, norm, moving=True) or which_again(ctx.lang, aimed, ctx.clinic)
    if option is not None and option.kind in ("booking", "cancel_one", "move_one", "cancel_yes", "cancel_no"):
        if (option.kind == "booking" and state.intent == "reschedule"
                and days_ruled_out(turn.message, ctx.today, WINDOW_DAYS)):  # "no llego el jueves" at «¿Cuál
            # quieres cambiar?»: kept with the move, the day they cannot come never offered for the new one
            state = evolve(state, wish=", ".join(w for w in (state.wish, turn.message) if w.strip()))
        return _follow(ctx, state, option, norm)  # the patient's own appointments need no free slots
    if (option is None and action is None and reading.intent in ("cancel", "reschedule") and state.bookings
            and state.intent == CHECK_EXISTING and len(state.bookings) == 1
            and not_meant(state.bookings, fold(turn.message), ctx.today, turn.name)):
        # "cancela la otra, no la del jueves", "don't cancel thursday's, the other one" under «Ya tienes hora el
        # jueves…»: read as a first message would be — theirs listed, «¿Cuál…?» (was «¿Cancelo tu hora del
        # jueves…?», the one they ruled out, a "sí" away)
        return the_only_one_named(ctx.lang, state, ctx.clinic, turn, reading.intent)
    if option is None and action is None and reading.intent in ("cancel", "reschedule") and state.bookings:
        named = act_on_named(ctx.lang, state, ctx.clinic, reading.intent, reading.day, reading.times, who, words,
                             by_weekday=reading.by_weekday)
        if named is not None:  # "quiero cambiar la del viernes" at the appointments listed
            return named
    # ("déjala para el viernes", "ponla el lunes" at a new one's days: that one, that day — never theirs moved)
    offer_shown = state.stage in (CHOOSE_TIME, CONFIRM) or (state.stage == CHOOSE_DAY and (
        corrects_a_booking(norm) or (leaves_it_for(norm) and state.intent not in ("cancel", "reschedule"))))
    days_shown = any(o.kind == "day" for o in state.options)
    ruled_out = (days_ruled_out(turn.message, ctx.today, WINDOW_DAYS)
                 if reading.intent == "reschedule" and days_shown and not state.bookings
                 and state.intent not in ("cancel", "reschedule") and not names_own_booking(norm)
                 and not asks_to_move(norm) else ())
    if ruled_out:  # "no puedo ir el jueves(, la otra semana)" at a new booking's days, from a phone with none of its
        # own: the days of this one without Thursday (was «No encontré horas próximas…», the professional forgotten)
        reading = replace(reading, intent="book", day=None if reading.day in ruled_out else reading.day,
                          skip_days=tuple(sorted({*reading.skip_days, *ruled_out})))
    if (reading.intent == "reschedule" and offer_shown and reading.found
            and not names_own_booking(norm)):  # "¿se puede correr para la tarde?" of the time offered: another
        reading = replace(reading, intent="book")
    if option is None and action is None and reading.intent in ELSEWHERE and not reading.tentative:
        return _own_appointments(ctx, state, reading.intent)
    if ((state.stage == BOOKINGS or _just_kept(state)) and option is None and action is None and not reading.found
            and (nothing_else(norm) or keeps_it(norm) or ALL_GOOD.match(norm) or _NONE_OF_THEM.search(norm)
                 or _says_only(_LEFT_AS_IT_IS, norm) or refuses_the_change(norm))):
        return closed(ctx.lang, state, turn, "ok")  # "no nada, solo eso gracias" at "¿otra, cambiarla o …?"
        # ("no quiero cancelar nada" at «¿Quieres cambiar o cancelar alguna…?» too: was a new booking's days)
    if (state.stage == BOOKINGS and state.intent != CHECK_EXISTING and option is None and action is None
            and not reading.found and reading.answer == "yes" and reading.intent == "none"):
        # "👍", "ok", "sí" at "¿cambiar o cancelar alguna, o pedir otra?" (the patient only asked what they have)
        if acknowledges(turn.message, norm):  # nothing chosen, nothing to do: no days menu
            return closed(ctx.lang, state, turn, "ok")
        return listed_again(ctx.lang, state, ctx.clinic, [ctx.say("tap_an_option")], turn.name)
    if state.stage == BOOKINGS and state.intent == CHECK_EXISTING and option is None and not reading.found:
        if asks_about_clinic(norm):  # "¿dónde quedan?": answered, the same three choices kept
            return already(ctx, state, [_about_the_clinic(ctx, norm)])
        return already(ctx, state, [ctx.say("already_reask")])  # neither "otra", "cambiarla" nor "cancelarla"
    if state.stage == BOOKINGS and state.intent == CHECK_EXISTING and option is not None:
        return _follow(ctx, state, option, norm)  # "1": its first button, counted — with the wish said before it
    if (state.stage == BOOKINGS and state.intent == CHECK_EXISTING and _only_when(reading)
            and not _one_more_said(norm) and not asks_to_book(norm) and not _WANTS_ONE.search(norm)):
        # "el jueves", "el viernes a las 9", "¿hay algo antes?" under «Ya tienes hora el lunes… ¿Quieres una hora más,
        # cambiarla o cancelarla?»: one more, or that one moved there? asked, what was said kept for either (was: that
        # day's times, a tap on which booked a second appointment beside the one just said); "necesito hora para el
        # viernes", "y otra el viernes" go on to a new one as before
        return _one_more_or_move(ctx, evolve(state, wish=turn.message))
    if state.stage == BOOKINGS and state.intent == CHECK_EXISTING:  # a new wish ("mañana a las 10"): another one
        state = evolve(state, stage=CHOOSE_DAY, intent="", bookings=(), wish="", told=state.listed(),
                       for_other=state.for_other or _another_beside(state, turn.message))
    if (option is None and action is None and reading.intent == "stop" and not reading.found
            and not (state.stage == CONFIRM and reading.answer)):  # "gracias, chao" at any menu ends politely
        return _stopped(ctx, state, norm)
    if option is None and action is None and not reading.found and not names_a_day(norm) and none_fits(norm):
        none_fits_reply = _none_fits(ctx, state)  # "ninguna me sirve": other days, or a polite end
        if none_fits_reply is not None:
            return none_fits_reply
    if not free:
        return _end(ctx, state, "no_slots")
    if option is None and action is None and not reading.found and asks_to_wait(norm):
        return reask(ctx, state, [ctx.say("waiting")], understood=True)  # "espera", "déjame ver mi agenda"
    if option is None and action is None and not reading.found and greeting_only(norm):
        return reask(ctx, state, understood=True)  # "hola" again: the same menu, no reproach
    if (option is None and action is None and not reading.found and reading.intent == "book"
            and state.stage in (CHOOSE_DAY, CHOOSE_TIME) and not wants_another(norm) and not for_someone_else(norm)):
        return reask(ctx, state, understood=True)  # "hola" then "necesito hora": the wish again, this is its menu
    if option is None and action is None and not reading.found and asks_to_repeat(norm):
        return reask(ctx, state, understood=True)  # "¿me repites las horas?": the same page
    if option is None and action is None and not reading.found and asks_about_clinic(norm):
        return reask(ctx, state, [_about_the_clinic(ctx, norm)], understood=True)  # "¿dónde queda?", "¿cuánto sale?"

    if (option is not None or reading.found) and asks_about_clinic(norm):  # "10:30 está bien, ¿dónde queda?"
        ctx = evolve(ctx, opening=(*ctx.opening, _about_the_clinic(ctx, norm)))
    if state.stage == CONFIRM and _UNLESS.search(norm) and tapped(state, norm) is None:
        # "sí, salvo que haya algo antes", "yes, unless there's something earlier": not a yes yet — what it asks
        # about is read as any wish is, else the question again (never booked on the condition)
        if not reading.found:
            return reask(ctx, state)
        option = None
    if (state.stage == CONFIRM and not reading.found and tapped(state, norm) is None
            and _yes_with_a_question(turn.message, norm)):
        # "yes but do I need to fast?", "ok but is it at the main branch?": a yes that waits on its answer (never
        # booked on it; the clinic's answer, when there is one, goes first)
        return reask(ctx, state, [ctx.say("sure_first")], understood=True)
    if option is not None:
        return _follow(ctx, state, option, norm)
    named_after_yes = ""
    if state.stage == CONFIRM and not (reading.found or action) and more is None and (
            yes_for_someone(norm) or (named_after_yes := _another_name_after_yes(turn.message, turn.name))
            or _for_another_named_after_yes(turn.message, turn.name)):
        # "sí, es para mi hijo Tomás Vega", "sí, va Juan Pérez": their name, not asked ("ok, es para Pedro": asked)
        name = check_person_name(named_after_yes or turn.message).value
        state = evolve(state, for_other=True, patient_name=name or state.patient_name)
        return _follow(ctx, state, Option(norm, "confirm"), norm)
    if state.stage == CONFIRM and reading.answer and not reading.found:
        kind = "confirm" if reading.answer == "yes" else "other_time"
        if kind == "other_time" and state.proposed is not None:  # "no puedo a esa hora": not offered again
            state = state.skipping([f"{local_day(state.proposed).isoformat()}T{clock(state.proposed)}"])
        return _follow(ctx, state, Option(norm, kind), norm)
    if (state.stage == CONFIRM and not (reading.found or action) and _LEADING_YES.match(norm)
            and not (_ANY_NO.search(norm) or _INSTEAD.search(norm) or _HESITATING.search(norm))
            and reading.intent in ("", "none", "book")):
        # "sí!! muchas gracias, son lo máximo", "ya bacán": a yes with thanks or cheer around it
        return _follow(ctx, state, Option(norm, "confirm"), norm)
    if state.stage == CONFIRM and not (reading.found or action):
        return reask(ctx, state)
    if state.stage == CONFIRM:  # anything else: read as a new wish about that day
        state = evolve(state, stage=CHOOSE_TIME, proposed=None)
    if action == "more":
        if state.stage == CHOOSE_TIME and state.day and not ("dia" in norm or "day" in norm):
            return time_menu(ctx, state, date.fromisoformat(state.day), after=decode_slot_key(state.page_last))
        after = page_day(state.page_last) if state.stage == CHOOSE_DAY else page_day((state.day,))
        return day_menu(ctx, state, after=after)
    if action == "back":
        return day_menu(ctx, state)
    if action == "restart" and state.intent == "reschedule" and state.target is not None:
        return move_from_the_start(ctx.lang, state, ctx.clinic)
    if action == "restart":
        return first_menu(ctx, evolve(state, professionals=(), specialty="", window=("", ""), skip_days=()))

    if len(choices) > 1:  # "sí" to several times: which one?
        return which_one(ctx, state)
    when_said = reading.day or reading.times or reading.part or reading.week
    if state.wish and not when_said and any(o.kind == "specialty" for o in state.options):
        # "medicina general, con la dra soto" typed at the specialty question after "la de las 15 del lunes": the
        # day and time said before it still stand (a tapped specialty acts on them too)
        both = f"{state.wish} {turn.message}"
        return interpret(ctx, state, read_message(ctx, state, both), normalize(both))
    if state.intent == "reschedule" and state.target is not None and option is None and action is None:
        reading = _from_the_old_one(state, state.target, reading, norm)
    return interpret(ctx, state, reading, norm)


def _later_than_offered(offered: WireSlot, reading: Reading, norm: str) -> Reading:
    """At «¿Confirmo el lunes a las 10…?», "anything later?", "¿no hay más tarde?", "yes, but later": that day's times
    after it (was: «Responde Sí…», or only the afternoon's for "tarde")."""
    start = offered.start_dt()
    if (not _LATER.search(norm) or reading.times or reading.after or reading.before or reading.week
            or reading.day not in (None, start.date()) or _PUT_OFF.search(norm) or _DAYS_WORD.search(norm)):
        return reading
    return replace(reading, intent="book", day=start.date(), part="", after=f"{start + timedelta(minutes=1):%H:%M}")


_DAYS_WORD = re.compile(r"\b(?:semanas?|dias?|weeks?|days?)\b")  # "later in the week", "otro día más tarde"


def _from_the_old_one(state: ConversationState, target: WireBooking, reading: Reading, norm: str) -> Reading:
    """At a move's days (or its old day's times), "same day but later", "un poco más temprano", "una semana después":
    from the appointment being moved, as when the move was first asked (was: every time that day, the earlier ones
    too, or «no te entendí»)."""
    old = datetime.fromisoformat(target.start)
    if state.stage != CHOOSE_DAY and not (state.stage == CHOOSE_TIME and state.day == old.date().isoformat()):
        return reading  # (another day's times: "later" is later on that day)
    relative = _relative_to_old(norm, reading, old)
    if relative is None:
        return reading
    # (the window is the old one's: "más tarde" is no afternoon)
    return replace(reading, intent="book", day=relative.day, times=relative.times or reading.times, part="",
                   after=relative.after or reading.after, before=relative.before or reading.before)


def _at_shall_i_cancel(ctx: Context, state: ConversationState, reading: Reading, norm: str, action: str | None,
                       who: tuple[str, ...], words: tuple[str, ...]) -> Reply | AgentStep | Option | None:
    """At «¿Cancelo tu hora…?» / «¿Cambio tu hora…?», an answer no button was tapped for: where a move goes, another
    of theirs ("no, la de mi hijo"), a yes or no (the Option to act on), or the same question again — never a time
    list whose tap would move or book unasked. None: read as at any step (a cancel of both, "¿tengo hora?")."""
    turn = ctx.turn
    if (action is None and state.intent == "reschedule"
            and (reading.day or reading.times or reading.part) and _TO_WHEN.search(norm)
            and not (_OTHER_ONE.search(norm) or _THE_ONE_OF.search(norm))
            and not _another_that_day(state, reading)):
        # «¿Cambio tu hora del jueves…?» "no, para el viernes", "pásala al viernes": where it goes, never Friday's
        # appointment moved instead (the days' message says which one will be cancelled)
        return _follow(ctx, evolve(state, wish=_with_the_day_asked_before(ctx, state, reading)),
                       Option(norm, "move_yes"), norm)
    # "no no, la de mi hijo", "no espera, la de mi esposo" with several listed: read as "no, la de mi hijo"
    not_that = _NO_AND_FILLERS.sub("no,", norm) if len(state.bookings) > 1 and not state.cancel_each else norm
    if (action is None and len(state.bookings) > 1
            and not state.cancel_each  # in "cancela las dos", "no, esa no" keeps that one (the round goes on)
            and (_OTHER_ONE.search(not_that) or _LEADING_NO.match(norm) and (reading.day or reading.times or who
                                                                             or _names_another(state, words)))
            and not keeps_it(norm)):  # "no, esa no. la más temprano", "no, la otra", "no, la que tengo con la doctora"
        rest = re.sub(r"^[\s,.;:!]*(?:no+\b)?[\s,.;:!]*", "", _OTHER_ONE.sub(" ", not_that)).strip(" .,;:!")
        return another_of_theirs(ctx.lang, state, ctx.clinic, place_in_menu(rest), reading.day, reading.times, who,
                                 naming_words(rest, turn.name), by_weekday=reading.by_weekday)
    if (action is None and state.intent == "reschedule"
            and (reading.day or reading.times or reading.part) and _LEADING_YES.match(norm)):
        # "sí, para el jueves": the move, to that day (not a new booking's menus, nor every professional's times)
        aim = _with_the_day_asked_before(ctx, state, reading)
        return _follow(ctx, evolve(state, wish=aim), Option(norm, "move_yes"), norm)
    if reading.answer:
        return Option(norm, _yes_kind(state) if reading.answer == "yes" else "cancel_no")
    if action is None and keeps_it(norm):
        return _follow(ctx, state, Option(norm, "cancel_no"), norm)  # "ah, era el miércoles? entonces déjala"
    if action is None and not _asks_for_anything(reading):
        if _LEADING_NO.match(norm) or keeps_it(norm):  # "no, la hora está bien…", "ya no, déjala": it stays
            return _follow(ctx, state, Option(norm, "cancel_no"), norm)
        if _LEADING_YES.match(norm):  # "sí, cancélala", "sí porfa, es que no puedo ir"
            return _follow(ctx, state, Option(norm, _yes_kind(state)), norm)
        if state.target is not None and (reading.intent not in ("person", "stop", *ELSEWHERE) or reading.tentative):
            # the same question, not a booking's menus ("mi mamá no puede ir, yo sí", "la otra semana no voy a
            # estar": why, or whose, never a new appointment asked for)
            return confirm_again(ctx.lang, state, ctx.clinic, unsure=reading.found)
    if (state.target is not None
            and reading.intent not in ("cancel", "reschedule", "person", "my_bookings")  # "cancela las dos", "¿tengo
            and not confirms_attendance(norm)):  # hora?", "ahí estaré": read as before
        # Neither a yes, a no, nor where a move goes (read above): "para mi esposo el lunes", "deja la del jueves",
        # "4", "atrás" — the same question again, never a time list whose tap moved the appointment (no «…se
        # cancelará cuando la nueva quede reservada») or booked a second one beside it
        if action is None and reading.intent == "stop":  # "gracias, chao": it stays
            return _follow(ctx, state, Option(norm, "cancel_no"), norm)
        if (state.intent == "reschedule" and action is None and _asks_for_anything(reading)
                and ("?" not in turn.message or _LEADING_YES.match(norm))  # ("¿la del viernes sigue?": asked again)
                and not (for_someone_else(norm) or wants_several(norm) or _LEAVES_IT.match(norm)
                         or _LEADING_NO.match(norm) or _OTHER_ONE.search(norm) or _BARE_DIGIT.fullmatch(norm.strip())
                         or reading.day == datetime.fromisoformat(state.target.start).date())):  # (its own day)
            # «¿Cambio tu hora…?» "sí, con rojas", "lo antes posible", "en la tarde": where it goes, with the move
            # explained first (as "sí, para el jueves"), on the day the first message asked for
            return _follow(ctx, evolve(state, wish=_with_the_day_asked_before(ctx, state, reading)),
                           Option(norm, "move_yes"), norm)
        return confirm_again(ctx.lang, state, ctx.clinic, unsure=True)


def resume_booking(state: ConversationState | None, turn: Turn) -> Book | None:
    """A booking whose outcome is not known yet is asked for again, with the same key, whatever the patient says.

    Its message is never read as a new answer: the agent's journal returns the first outcome (or the booking
    under way), so a patient who writes again after a restart, a time-out or an offline agent hears the truth
    and never ends up with a second appointment. A wish to call it off said meanwhile ("mejor no, cancela eso") is
    kept: once it turns out booked, the patient is asked whether to cancel it.
    """
    turn = aware(turn)
    if state is None or state.lead_id != turn.lead_id or not state.booking_open or state.expired(turn.now):
        return None
    assert state.pending is not None
    norm = normalize(turn.message)
    undo = state.undo_wanted or calls_it_off(norm) or detect(norm).intent == "cancel"  # "mejor no, cancela eso"
    going_on = evolve(state.seen(turn.now), undo_wanted=undo, **asked_besides(norm))
    return Book(going_on, state.pending, idempotency_key(state.conversation_id, state.pending.id))


def _thanks_to_check(ctx: Context, said: str) -> bool:
    """Courtesy (``said``) that names a day or a time ("gracias, nos vemos el jueves a las 9"): checked against the
    patient's appointments when the agent can tell them — "¡De nada!" would leave one who got the day wrong
    believing it."""
    if not said or not ctx.checks_bookings:
        return False
    reading = read_message(ctx, None, ctx.turn.message)
    return reading.day is not None or bool(reading.times) or reading.missing_day is not None


def without_agenda(state: ConversationState | None, turn: Turn, clinic: ClinicProfile, reason: str) -> Reply:
    """The reply when the clinic's computer cannot be asked (``reason``: off, paused, slow): a patient asking for a
    person is handed off as that (their task says so, never only "the PC was off"); anyone else, for ``reason``."""
    if detect(normalize(turn.message)).intent == "person":
        step = decide(state, turn, clinic, SlotsResult((), 0.0))
        if isinstance(step, Reply) and step.continuation.get("data", {}).get("reason") in PERSON_REASONS:
            return step
    return handoff(state, turn, in_language(clinic, _spoken(state, turn, clinic)), reason)  # the patient's language


def _spoken(state: ConversationState | None, turn: Turn, clinic: ClinicProfile) -> str:
    """The language this turn is answered in: a new conversation's from its first message; else the one it is held
    in (once done, unless this message is plainly in the clinic's own)."""
    if state is None or state.expired(aware(turn).now) or state.lead_id != turn.lead_id:
        return patient_language(normalize(turn.message), clinic.language)
    if state.stage == DONE and not state.language:  # done in the clinic's language: as a new conversation
        return patient_language(normalize(turn.message), clinic.language)
    if state.stage == DONE:
        return still_spoken(normalize(turn.message), state.language, clinic.language)
    return state.language


def _person_reason(message: str) -> str:
    return "asked_for_call" if asks_for_call(normalize(message)) else "asked_for_person"


def _plain_yes(norm: str) -> bool:
    """"sí", "sii", "ya", "dale", "ok": a yes and nothing else (not "ya, gracias": that one closes)."""
    return detect(norm).answer == "yes" and not _THANKS.search(norm)


_THANKS = re.compile(r"\b(?:gracias|thanks|thank you|thx)\b")


def _came_to_book(state: ConversationState) -> bool:
    """The message that led to "Ya tienes hora…" asked for a new appointment in so many words ("¿puedo agendar para
    el lunes a las 10?", "necesito hora para mañana"): not a greeting, nor one that only named a day or a time ("gracias
    por lo del lunes a las 10", "el viernes a las 10 ¿voy en ayunas?": their own appointment)."""
    wish = normalize(state.wish)  # "¿tienen algo más temprano?": theirs sooner, or another one? asked, not assumed
    # "la misma hora pero el viernes": theirs, at its time, on another day — moved, or one more? asked, not assumed
    # "¿mi hora puede ser el viernes?": theirs, on another day — asked, not one more
    return (bool(wish) and detect(wish).intent == "book" and not sooner_or_later(wish)
            and _SAME_AS_THEIRS.search(wish) is None and not (names_own_booking(wish) and not wants_another(wish)))


_SAME_AS_THEIRS = re.compile(r"\b(?:la|a la|el|al) mism[oa] (?:hora|horario)\b|\b(?:the )?same time\b")


def _fresh_state(turn: Turn) -> ConversationState:
    """A new conversation's state for this lead, from this turn."""
    return new_conversation(turn.lead_id, turn.now)


# A message that goes on from an earlier one ("ah, y una para mi hijo", "¿y dónde queda?", "and one for my son")
_FOLLOWING_ON = re.compile(r"(?:(?:ah+|oh+|ok|oka|okay|ya|gracias|perfecto|listo|genial|bueno|thanks|great)\s+){0,3}"
                           r"(?:y|e|and|ademas|also)\b")


def _start(ctx: Context, booked: tuple[WireBooking, ...] = ()) -> Reply | AgentStep:
    """The first message: greet, then act on what it already says (a day, a time, a professional, an intent).
    ``booked``: appointments this chat booked a moment ago (a conversation begun right after «¡Listo!»)."""
    turn = ctx.turn
    state = _fresh_state(turn)
    if booked:
        state = evolve(state, booked_here=booked[-MAX_BOOKED_HERE:])
    lowered = fold(turn.message).lower()
    second = second_persons_part(lowered) if len(lowered) == len(turn.message) else None
    if second is not None and read_message(ctx, None, turn.message[:second]).found:
        # "hora para mí con la dra soto el jueves a las 9 y para mi hijo con el kine el viernes": this one first (what
        # it says alone), then the son's, with what was said of it (kept in ``said``: outcomes.kept_after_done)
        ctx = evolve(ctx, turn=replace(turn, message=turn.message[:second]))
        turn = ctx.turn
        state = evolve(state, others_to_book=True)
    norm = normalize(turn.message)
    said = courtesy(norm) or ("ok" if acknowledges(turn.message, norm) else "")
    if _thanks_to_check(ctx, said):  # thanked with the right appointment, or shown the ones they have
        return _own_appointments(evolve(ctx, opening=()), state, "my_bookings")
    if said:  # "¡gracias!", "ok", "👍" after a booking: answered in kind, not greeted and shown the menus again
        return closed(ctx.lang, state, turn, said)
    if opts_out(norm):  # "STOP", "no me escriban más", "número equivocado": no greeting, no menus
        return closed(ctx.lang, state, turn, "stop")
    state = _preset(ctx, state)
    if for_someone_else(norm):
        state = evolve(state, for_other=True)
    if (wants_several(norm) and not says_cancel(norm)
            and detect(norm).intent != "my_bookings"):  # "para mí y mi hijo": whose name first is
        # asked; the next one after (never "cancela las de mi hijo y mi esposo", "¿tengo dos horas?": nothing to book)
        state = evolve(state, for_other=True, others_to_book=True)
    elif and_one_more_for_another(norm) or cancel_then_book_for_another(norm):
        state = evolve(state, others_to_book=True)  # "…, y también una para mi hija": hers after this one
    elif two_of_a_kind_each(norm):  # "una con kine y otra con medicina general": the second after
        state = evolve(state, more_asked=True)
    state = _named_for(state, turn.message, turn.name)
    put_right = _name_put_right(ctx, turn.message)
    if put_right:  # "perdón, es Carla Muñoz Soto" after «¡Listo…!»: the name of the one just booked, for reception
        surname = _SURNAME.search(norm) is not None  # "perdón, el apellido es Muñoz Soto"
        # Nothing here says an appointment exists (a conversation keeps none once booked): never "sigue reservada"
        noted = ctx.say("surname_correction_noted" if surname else "name_correction_noted", name=put_right)
        return handoff(state, turn, ctx.clinic, NAME_CORRECTION, opening=ctx.opening, told=(noted,))
    # "soy Carla Muñoz, quiero hora" from Ana Pérez's phone: «¡Hola, Carla!», as «¡Listo, Carla!» will be
    key = "greeting" if ctx.clinic.name.strip() else "greeting_anonymous"
    if _FOLLOWING_ON.match(norm) or booked:  # "y una para mi hijo…", "¿y dónde queda?", "uy no" after «¡Listo!»:
        key = "follow_on"  # «Claro, Ana.», never the introduction again
        if booked and norm.split()[:1] and norm.split()[0] in _HELLO:
            key = "hello_again"  # "hola" a while after «¡Listo…!»: «¡Hola, Ana!» (never «Claro» to a hello)
    greeting = ctx.say(key, name=greeted_name(state, turn, (turn.message,)), clinic=ctx.clinic.name.strip())
    ctx = evolve(ctx, opening=(greeting, *ctx.opening))  # after the greeting: what this turn says first
    reading = read_message(ctx, None, turn.message)
    if asks_about_clinic(norm):  # "gracias! y ¿dónde queda?", "hora para mañana, ¿dónde queda?"
        about = _about_the_clinic(ctx, norm)
        if reading.intent != "person" or about != ctx.say("clinic_question"):  # "…write «recepción»" to one who did
            ctx = evolve(ctx, opening=(greeting, about))
    if sounds_like_an_emergency(norm):  # "me duele mucho el pecho": not a wait of days, first
        ctx = evolve(ctx, opening=(*ctx.opening, ctx.say("emergency")))
    if reading.intent == "person":
        return _end(ctx, state, _person_reason(turn.message))
    if running_late(norm) and (reading.intent not in ("cancel", "reschedule") or reading.tentative):
        # "voy a llegar tarde a mi hora", "no alcanzo a llegar a las 11, llego 11:15": never a booking or a cancel
        return _end(ctx, state, RUNNING_LATE)
    if wants_name_fixed(norm) or surely_for_another(norm):
        # "quedó mal el nombre de mi hora", "no es para mí, es para mi hija": a person fixes it
        return _end(ctx, state, NAME_CORRECTION)
    if reading.intent in ELSEWHERE:
        return _own_appointments(ctx, state, reading.intent)
    # About to book: a patient who already has an appointment is told first (when the agent can tell).
    theirs_booked = any(under_another_name(b, turn.name) for b in booked)  # "¿y la mía…?" after a son's: whose
    known_here = (bool(booked) and not ctx.checks_bookings and not _one_more_said(norm)
                  and not (theirs_booked and (for_me(norm) or MINE.search(norm))))
    step = check_step(ctx, state, turn.message, anyway=known_here)
    if step is not None and known_here:
        # Where the agent cannot list the phone's appointments, the ones this chat booked a moment ago are told as it
        # would tell them: "el jueves 3", "is it possible to switch to friday?", "¿hay algo antes?" right after
        # «¡Listo…!» ask «Ya tienes hora… ¿una hora más, cambiarla o cancelarla?» (were that day's times, a tap on
        # which booked a second appointment beside it); one more said in so many words is booked as before
        return after_agent_step(step, turn, ctx.clinic, MyBookingsResult(booked))
    return step or _booking_start(ctx, state, turn.message)


def _one_more_or_move(ctx: Context, state: ConversationState) -> Reply:
    """The three choices again, asking whether what was said is one more appointment or theirs moved there."""
    return already(ctx, state, prompt=ctx.say("another_or_move" if len(state.bookings) == 1 else "another_or_move_one"))


_HELLO = frozenset({"hola", "ola", "holi", "holis", "buenas", "buenos", "hi", "hello", "hey"})


def _only_when(reading: Reading) -> bool:
    """The message says when and nothing besides ("el viernes", "el jueves a las 9", "¿hay algo antes?", "what about
    friday?", "anything earlier?"): no professional, specialty, words of its own or anything ruled out."""
    when = (reading.day or reading.times or reading.part or reading.week or reading.earliest or reading.latest
            or reading.after or reading.before)
    return bool(when) and all(word in _ASKING_WORDS for word in reading.words) and not (
        reading.named or reading.skip_named or reading.specialty or reading.skip_days or reading.skip_part
        or reading.skip_times or reading.any_professional or reading.ambiguous)


# Words that only ask ("¿hay algo…?", "is there anything…?", "what about…?", "ok…", "entonces…")
_ASKING_WORDS = frozenset({
    "hay", "algo", "tienes", "tiene", "tienen", "tendras", "tendran", "mas", "ok", "ya", "entonces", "que", "y",
    "anything", "something", "is", "there", "what", "about", "do", "you", "have", "any", "then", "earlier", "later",
})


def _one_more_said(norm: str) -> bool:
    """"y otra el viernes", "también el martes", "una para mi hijo", "another one on friday": one more appointment
    said in so many words (never asked whether it is instead of the one just booked)."""
    return bool(wants_another(norm) or one_more_besides(norm) or for_someone_else(norm) or wants_several(norm)
                or _ONE_MORE_SAID.search(norm))


# "y otra…", "y una…", "and another…", "también…", "another one", "one more": one more appointment
_ONE_MORE_SAID = re.compile(r"^(?:(?:ok|ya|si|gracias|perfecto|listo|genial|bueno|thanks|great|yes)\s+){0,3}"
                            r"(?:y|e|and)\s+(?:(?:tambien|also)\s+)?(?:otra|otro|una|uno|another|one)\b"
                            r"|\b(?:tambien|ademas|also|another one|one more|otra mas|una mas)\b"
                            r"(?! (?:question|thing|doubt|query|pregunta|duda|cosa|consultita))"
                            r"|\btoo\b(?! (?:early|late|soon|far|much|long|bad))")  # (never "isn't 9 too early?")


def _after_cancel(ctx: Context, state: ConversationState) -> Reply | AgentStep:
    """Right after a cancellation: "me arrepentí, devuélvemela" proposes the same time with the same professional
    again (or, taken meanwhile, the times around it); "…pero el martes a la misma hora" that day. Anything else
    starts a new conversation, as after any ending."""
    cancelled = state.target
    norm = normalize(ctx.turn.message)
    if cancelled is not None and norm == normalize(ctx.say("cancel_yes")):  # the old question's button, again
        return cancelled_before(ctx.lang, state, ctx.turn.name)
    if cancelled is not None and asks_if_cancelled(fold(ctx.turn.message)) and _about_the_one_cancelled(ctx, cancelled):
        return cancelled_before(ctx.lang, state, ctx.turn.name)  # "¿se canceló?": «Listo, cancelé tu hora del …»
        # again (never «No, no está cancelada» of another one the phone still has)
    if state.others_to_book and not wants_it_back(norm):  # "cancela la mía y agenda una para mi mamá" … "sí"
        return _next_person(ctx, state)
    if (cancelled is not None and state.told and corrects_the_one_cancelled(
            cancelled, ctx.turn.message, norm, read_message(ctx, None, ctx.turn.message))):
        # "no, era la del viernes", "me equivoqué, era la del viernes" with another appointment listed: that one asked
        # about, the one cancelled said gone (was «¿Cambio tu hora del viernes…?», or the cancelled one's professional's
        # Friday times, a tap booking one more)
        gone = ctx.say("cancelled_already", **when_words(ctx.lang, cancelled))
        return _own_appointments(evolve(ctx, opening=(*ctx.opening, gone)), _fresh_state(ctx.turn), "cancel")
    wanted_back = cancelled is not None and (wants_it_back(norm) or _SAME_TIME.search(norm) is not None)
    if cancelled is None or not wanted_back or cancelled.professional not in {s.professional for s in ctx.free}:
        return _start(ctx)
    start = datetime.fromisoformat(cancelled.start)
    someone_else = under_another_name(cancelled, ctx.turn.name)
    again = evolve(  # under the same name as before ("la hora de mi papá")
        _fresh_state(ctx.turn), professionals=(cancelled.professional,), specialty=ANY_SPECIALTY,
        service=cancelled.service, for_other=someone_else, patient_name=cancelled.patient if someone_else else "",
        told=state.told,  # the others listed a moment ago: not said again as new before this booking goes out
    )
    wanted = _new_time_wished(ctx, again, ctx.turn.message, start)
    if wanted is None:
        wanted = Reading(day=start.date(), times=((start.hour, start.minute),), intent="book")
    return interpret(ctx, again, wanted, norm)


def _about_the_one_cancelled(ctx: Context, cancelled: WireBooking) -> bool:
    """A message right after a cancel names no other appointment than the one cancelled: no other day or time, and no
    relative when it was the writer's own ("¿se canceló?", "¿quedó cancelada la del viernes?")."""
    reading = read_message(ctx, None, ctx.turn.message)
    start = datetime.fromisoformat(cancelled.start)
    if reading.day not in (None, start.date()) or any(t != (start.hour, start.minute) for t in reading.times):
        return False
    return under_another_name(cancelled, ctx.turn.name) or not A_RELATIVE.search(normalize(ctx.turn.message))


def _after_done(ctx: Context, state: ConversationState) -> Reply | AgentStep:
    """Right after a booking or a move (``DONE``): "sí", "ahí estaré" are answered in kind (never the introduction
    and the days again); "¿a qué hora era?", "¿quedó?", "ok, el jueves a las 10 entonces" — or the same request sent
    again — with the appointment as it was booked (never a second one at the same time); after a move, anything said
    of the old one ("¿se canceló la del jueves?", "cancela la anterior") with «Tu hora anterior quedó cancelada…»
    (never «¿Cancelo…?» of the new one). Anything about another appointment, another person, another professional, a
    change, free times, starts a new conversation, as after any ending."""
    done = state.target
    norm = normalize(ctx.turn.message)
    booked = state.booked_so_far()  # kept by a new conversation:
    # a button of an earlier menu tapped now never books a second one at the same time unasked
    if done is None or not norm:
        return _start(ctx, booked)
    if norm == normalize(ctx.say("other_time")):  # «¿Confirmo…?»'s "Otra hora" tapped once it was booked: another
        # time instead, or one more? asked about the one just booked (was: a new booking's days, a second appointment
        # booked beside it unsaid when the agent cannot list the phone's appointments)
        return already(ctx, evolve(state, bookings=(done,), others=others_of((done,), ctx.turn.name)))
    reading = read_message(ctx, None, ctx.turn.message)
    wishes = detect(norm)
    moved_from = state.moved_from
    if moved_from is not None and about_the_one_moved_from(ctx, state, moved_from, norm, reading, wishes.intent):
        return as_booked(ctx.lang, state, ctx.turn)
    if state.booked_here and about_those_done(ctx, state, norm, reading, wishes.intent):
        return as_booked(ctx.lang, state, ctx.turn)  # "¿quedaron las dos?", "¿y la mía?", "¿a qué hora era la de
        # mi hijo?" once both were booked: both said (never the days again, as if the writer's were not booked)
    said = courtesy(norm)
    if said and not _thanks_to_check(ctx, said):  # "ok gracias": answered in kind, this conversation kept as it is
        return closed(ctx.lang, state, ctx.turn, said)  # (after a move, "¿se canceló la anterior?" still answered)
    if asks_for_more(norm) or wishes.intent in ("cancel", "reschedule", "person"):
        return _start(ctx, booked)
    if corrects_the_one_done(done, ctx.turn.message, norm, reading):
        # "perdón, era el martes", "no, el martes", "sorry, I meant tuesday": another time instead, or one more?
        # asked about the one just booked (was: Tuesday's times, a tap on which booked a second appointment); the day
        # said kept for either
        return already(ctx, evolve(state, bookings=(done,), others=others_of((done,), ctx.turn.name),
                                   wish=ctx.turn.message))
    if refuses_the_change(norm) or (_says_only(_LEFT_AS_IT_IS, norm) and not ALL_GOOD.match(norm)):
        # "no, no la canceles", "no la cambies", "déjala así": it stands, said so (was: the days, or «¿una hora más…?»)
        return as_booked(ctx.lang, state, ctx.turn)
    if another_than_the_one_done(ctx, state, norm, reading):
        return _start(ctx, booked)
    if asks_about_the_one_done(norm) or _BARE_NO.fullmatch(norm):  # (a bare "no": nothing more, or "that is wrong")
        return as_booked(ctx.lang, state, ctx.turn)
    if nothing_else(norm):  # "no, eso es todo", "nada más"
        return closed(ctx.lang, state, ctx.turn, "bye")
    if confirms_attendance(norm) and ctx.checks_bookings:  # "ahí estaré": «¡Gracias por confirmar! Te esperamos el
        return _start(ctx, booked)  # jueves…», with the appointments the web app has (as at any conversation's start)
    if (ALL_GOOD.match(norm) or (wishes.intent in ("none", "stop") and wishes.answer == "yes")
            or attendance_aside(norm) == ""):
        return closed(ctx.lang, state, ctx.turn, "ok")  # "sí", "sip", "sí, ahí estaré", "no, está bien"
    if reading.times and names_the_one_done(done, reading):
        return as_booked(ctx.lang, state, ctx.turn)
    return _start(ctx, booked)


def _next_person(ctx: Context, state: ConversationState) -> Reply | AgentStep:
    """After one of several appointments asked for at once ("para mí y mi esposa", "cancela la mía y agéndame una para
    mi mamá") was done, and told so: "sí", "dale", "ahora la de mi esposa", "la de ella el viernes" books the next
    person's (whose name is asked); anything else starts a new conversation, as after any ending."""
    norm = normalize(ctx.turn.message)
    wishes = detect(norm)
    reading = read_message(ctx, None, ctx.turn.message)
    named = state.for_other and CAPITALISED_NAME.fullmatch(ctx.turn.message.strip(" .!")) is not None
    # "sí gracias" goes on; "ok gracias" is a goodbye
    yes = wishes.answer == "yes" and (not _THANKS.search(norm) or norm.split()[0] in ("si", "sii", "dale", "yes"))
    goes_on = (yes or for_someone_else(norm) or wants_another(norm) or named
               or reading.found and wishes.intent in ("book", "none"))  # "sí", "ahora la de mi esposa", "el viernes"
    if not goes_on or running_late(norm) or wishes.intent in ("cancel", "reschedule", "my_bookings", "person"):
        return _start(ctx, state.booked_so_far())  # (those booked kept: never a second one unasked beside them)
    fresh = evolve(_fresh_state(ctx.turn), for_other=state.for_other, language=state.language)
    if state.stage == DONE and state.target is not None and state.intent != "reschedule":  # the one just booked:
        done = (*state.booked_here, state.target)  # said with the next once it is booked, and not asked about again
        # before it (the patient just heard «¡Listo!»; the same time is theirs to ask: "para mí y mi hijo a las 9")
        ids = tuple(b.booking_id for b in done)
        fresh = evolve(fresh, booked_here=done, told=ids, beside=ids)
    if state.for_other:  # their name, said now or before — never the one just booked ("María López")
        told = (ctx.turn.message, state.wish, *reversed(state.said))
        names = ([check_person_name(ctx.turn.message).value] if named
                 else [_named_for(fresh, text, ctx.turn.name).patient_name for text in told])
        done = state.patient_name if state.stage == DONE else ""  # (a cancel's state holds the name asked for)
        name = next((n for n in names if n and fold(n) != fold(done)), "")
        fresh = evolve(fresh, patient_name=name) if name else fresh
    # "…y otra para mi hijo el viernes", "…y para mi hijo con el kine el viernes": his day, unless this message says
    # one (the writer's own, left for last, starts from the days)
    said = "" if reading.found or not state.for_other else yes_and_more(normalize(state.wish)) or normalize(state.wish)
    taken: tuple[str, ...] = ()
    if not reading.found and wants_several(normalize(state.wish)):  # "para mí y mi hijo con la dra soto el miércoles
        said, taken = _same_request(ctx, state)  # a las 9 y 10": the same request, the next time said (the 10)
    return _booking_start(ctx, fresh, f"{said} {'' if named else ctx.turn.message}".strip(), taken=taken)


def _same_request(ctx: Context, state: ConversationState) -> tuple[str, tuple[str, ...]]:
    """One request for several people ("para mí y mi hijo … el miércoles a las 9 y 10"), the first one booked: what
    it said goes for the next one too, the time booked taken (("", ()) when the first went on another day than it
    said: the next one starts from the days, as before)."""
    taken = tuple(key for key in state.skip_days if "T" in key)
    said = read_message(ctx, None, state.wish)
    if said.day is not None and taken and all(not key.startswith(said.day.isoformat()) for key in taken):
        return "", ()
    return normalize(state.wish), taken


_NAMED_FOR = re.compile(  # "a nombre de Lucas Castro", "(ella) se llama Rosa Muñoz", "her name is Ann Lee"
    r"\b(?:a nombre de|se llama|(?:his|her) name is)\s+([^,.;:!?\n]+)", re.IGNORECASE
)


def _not_the_one_ruled_out(ctx: Context, state: ConversationState, option: Option | None) -> Option | None:
    """At the patient's appointments listed, "no la del jueves", "la otra, no la del jueves", "keep thursday, cancel
    friday": the one listed that is left when those ruled out are set aside (was Thursday's, named in the message);
    ``option`` (what the message picked otherwise) when it rules none out, None when more than one is left."""
    gone = {b.booking_id for b in not_meant(state.bookings, fold(ctx.turn.message), ctx.today, ctx.turn.name)}
    if not gone or (option is not None and option.kind == "booking" and option.key not in gone):
        return option
    left = [o for o in state.options if o.kind == "booking" and o.key not in gone]
    return left[0] if len(left) == 1 else None


_FOR_A_PRONOUN_THEN = re.compile(r"\b(?:for|para|pa) (?:her|him|them|ella|el|ellos|ellas)\b\s*[,:;-]\s*")
_RELATIVE_THEN = re.compile(
    rf"\b(?:para|pa|for) {FOR_WHOSE} {RELATIVE}\b,?\s*(?:(?:que se llama|called|named)\s+)?"
    r"(?:(?:don|dona|sr|sra|senora?|mr|mrs|ms)\.?\s+)?"
)


def _named_for(state: ConversationState, message: str, own: str = "") -> ConversationState:
    """"… a nombre de Lucas Castro" or "ella se llama Rosa Muñoz" anywhere in a message, or "para mi hijo Matías
    Beltrán" (a name written with capitals right after whose it is): the appointment goes under that name, not
    asked. Also "para Pedro Pérez" (two capitalised words or more, not a day, title or specialty, and not ``own``:
    the writer's name)."""
    name = _name_said(message, own, state.for_other)
    return evolve(state, for_other=True, patient_name=name) if name else state


@lru_cache(maxsize=4096)  # asked of most messages, and the same ones come back (taps, "sí", "hola")
def _name_said(message: str, own: str, for_other: bool) -> str:
    """The name ``_named_for`` finds in ``message`` ("" for none); ``for_other``: the appointment is someone else's
    already (then "soy Carla Muñoz" names no one new)."""
    lowered = message.lower()
    said = _NAMED_FOR.search(message) if "nombre" in lowered or "llama" in lowered or "name is" in lowered else None
    name = check_person_name(said.group(1)).value if said else ""
    folded = fold(message)
    relative = _RELATIVE_THEN.search(folded) if not name and len(folded) == len(message) else None
    cased = message.title() if message.isupper() else message  # "…PARA MI MAMA ROSA DIAZ", all in capitals
    written = CAPITALISED_NAME.match(cased, relative.end()) if relative else None
    if written and not _names_no_person(written.group(0)):  # never "para mi mamá Lunes En La Mañana"
        name = check_person_name(written.group(0)).value
    if not name and len(folded) == len(message) and (whose := _RELATIVE_IS.search(folded)):
        # "mi mamá es Elena Araya Díaz y necesita hora": her name, said before what she needs
        written = CAPITALISED_NAME.match(message, whose.end())
        if written and not for_me(folded) and not _names_no_person(written.group(0)):
            name = check_person_name(written.group(0)).value
    if not name and len(folded) == len(message) and (whose := _RELATIVE_OF.search(folded)):
        # "soy Paz, la mamá de Benjamín Ruiz. Quiero pedir hora para él", "…, necesita hora el jueves": the one the
        # writer is the relative of
        written = CAPITALISED_NAME.match(message, whose.end())
        first = fold(written.group(0)).split()[0] if written else ""
        if written and not for_me(folded) and (_FOR_THEM.search(folded) or f"para {first}" in folded):
            name = check_person_name(written.group(0)).value
    if not name and len(folded) == len(message) and (whose := _WHOSE_RELATIVE.search(message)):
        # "Hi, this is John Smith's mum, he needs an appointment": John Smith's, as "soy la mamá de…" is
        if not for_me(folded) and _FOR_THEM.search(folded) and not _names_no_person(whose.group(1)):
            name = check_person_name(whose.group(1)).value
    if not name and len(folded) == len(message) and (them := _FOR_A_PRONOUN_THEN.search(folded)):
        # "appointment for her, Mary Jones, on monday", "hora para ella, María Soto": hers (was asked again)
        written = CAPITALISED_NAME.match(message, them.end())
        if written and not _names_no_person(written.group(0)) and fold(written.group(0)) != fold(own.strip()):
            name = check_person_name(written.group(0)).value
    if not name and (bare := _FOR_SOMEONE_NAMED.search(message)):  # "una hora para Pedro Pérez el viernes"
        written = CAPITALISED_NAME.match(message, bare.end())
        if written and not _names_no_person(written.group(0)) and fold(written.group(0)) != fold(own.strip()):
            name = check_person_name(written.group(0)).value
    if not name and not for_other and len(folded) == len(message) and (me := _I_AM.search(folded)):
        # "soy Carla Muñoz, quiero una hora" from Ana Pérez's phone: the writer's own name, the appointment theirs
        written = CAPITALISED_NAME.match(cased, me.end())
        if written and _another_writer(written.group(0), own, folded) and not _FOR_SOMEONE_NAMED.search(message):
            name = check_person_name(written.group(0)).value
    return name


# "mi mamá es Elena Araya", "mi hijo Tomás Pérez necesita…", "my son Tom Lee needs…", "my daughter's name is Sofia Vega"
_RELATIVE_IS = re.compile(
    rf"\b{OURS} {RELATIVE}"
    r"(?:,? (?:es|se llama|is|is called|named|called)|(?: s|'s) name is|,)?\s+(?=\S)"
)
_RELATIVE_OF = re.compile(rf"\b(?:la|el|su|soy) {RELATIVE} de\s+(?=\S)")
_FOR_THEM = re.compile(
    r"\b(?:para (?:el|ella)|a (?:el|ella)|(?:pedir|agendar|reservar|sacar|tomar|dar)le"
    # "…, necesita hora el jueves", "él necesita", "he needs an appointment", "for him": the appointment is theirs
    r"|(?:el|ella) (?:necesita|requiere|tiene que ir)"
    r"|necesita (?:una |un )?(?:hora|cita|consulta|turno|control|atencion)"
    r"|for (?:him|her)|(?:he|she) (?:needs|has to|must)|needs (?:an? )?(?:appointment|check ?up|consultation))\b"
)
# "this is John Smith's mum", "I'm Tom Lee's dad": the writer named by whose relative they are
_WHOSE_RELATIVE = re.compile(
    rf"\b(?:[Ii]'?m|I am|[Tt]his is|[Ii]t'?s)\s+({CAPITALISED_NAME.pattern})'s\s+{RELATIVE}\b"
)
_FOR_SOMEONE_NAMED = re.compile(r"\b(?:para|pa|for)\s+(?=[A-ZÁÉÍÓÚÑ])")
_NOT_A_PERSON = re.compile(
    r"\b(?:dr|dra|doctor|doctora|doc|lunes|martes|miercoles|jueves|viernes|sabado|domingo|manana|hoy|enero|febrero"
    r"|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre|monday|tuesday|wednesday"
    r"|thursday|friday|saturday|sunday|today|tomorrow|centro|clinica|consulta|hora|cita|control|medicina"
    r"|semana|proxima|proximo|siguiente|tarde|noche|morning|afternoon|evening|night|week|weekend|next|please|porfa)\b"
)


# The writer saying who they are: "soy …", "me llamo …", "mi nombre es …", "te escribe …", "I'm …", "this is …"
_I_AM = re.compile(r"\b(?:soy|me llamo|mi nombre es|(?:te|le|les) escribe|i am|i'?m|my name is|this is)\s+(?=\S)")
# Capitalised words after "soy" that say what the writer is, not who ("Soy Paciente Nueva", "Soy Alérgica")
_WHAT_ONE_IS = frozenset(
    """
    paciente nueva nuevo alergica alergico diabetica diabetico hipertensa hipertenso embarazada socia socio
    funcionaria funcionario estudiante profesora profesor chilena chileno extranjera extranjero jubilada jubilado
    testigo usuaria usuario cliente
    """.split()
)


def _another_writer(name: str, own: str, said: str) -> bool:
    """Whether "soy <name>" names someone other than the phone's WhatsApp contact, writing for themself: a first name
    and surname written as one ("soy Cruz Blanca", an insurer; "soy Ana María Pérez" from Ana Pérez, the contact
    herself; "soy Paz Ruiz, la mamá de Benjamín", whose appointment it is not, all are not; nor is one who books
    "para Ana Pérez")."""
    words = fold(name).split()
    return (len(words) >= 2 and not set(words) & _WHAT_ONE_IS and words[0] not in fold(own).split()
            and not _names_no_person(name) and not names_an_insurer(name)
            and not re.search(rf"\b{RELATIVE}\b", said) and not for_someone_else(said))


def _names_no_person(words: str) -> bool:
    """Capitalised words after "para" that are a day, a month, a title or a specialty ("para Medicina General")."""
    folded = fold(words)
    return bool(_NOT_A_PERSON.search(folded)) or bool(find_specialty(folded)[0])


def _reopened(started: Reply | AgentStep, handed_off: ConversationState) -> Reply | AgentStep:
    """A conversation begun again after a hand-off remembers what reception was asked for: the patient doing it now
    with the bot settles reception's case (relay/followup_texts.resolution)."""
    own = handed_off.intent in ("cancel_requested", "reschedule_requested")  # the hand-off's reason says it
    asked = handed_off.intent if own else handed_off.reopened
    if started.state is None or not asked:
        return started
    return replace(started, state=evolve(started.state, reopened=asked))  # type: ignore[arg-type]


def _while_handed_off(ctx: Context, state: ConversationState) -> Reply | AgentStep:
    """A receptionist was asked to write: "¿sigo esperando?" is told so; thanks answered in kind; a wish of the
    patient's own ("quiero una hora", "cancelar mi hora", "reservar"), or a plain "hola" when the hand-off was not
    theirs to ask (the agent was away), starts the bot again."""
    turn = ctx.turn
    waiting = state.seen(turn.now)
    said = courtesy(normalize(turn.message))
    if _thanks_to_check(ctx, said):  # "gracias, nos vemos el jueves": they may believe they have one
        return _reopened(_start(ctx, state.booked_here), state)
    if said:
        return replace(closed(ctx.lang, waiting, turn, said), state=waiting)
    if (read_message(ctx, None, turn.message).intent in ("book", "cancel", "reschedule", "my_bookings")
            or running_late(normalize(turn.message))):  # "llego 5 minutos tarde": passed on, as at any other time
        # "quiero cancelar mi hora" again, after "no pude cancelarla": done now, it settles
        started = _start(ctx, state.booked_here)
        return _reopened(started, state)
    if state.intent not in ASKED_FOR_RECEPTION and greeting_only(normalize(turn.message)):
        # "hola" after the agent was away: the bot again (reception was told all the same)
        return _reopened(_start(ctx, state.booked_here), state)
    data = {"status": "closed", "conversation_id": state.conversation_id}
    told = "handed_off_waiting_call" if state.intent == "asked_for_call" else "handed_off_waiting"  # a call promised
    return Reply(waiting, ctx.body(data, [ctx.say(told)], "", (), None), "closed")


def _booking_start(ctx: Context, state: ConversationState, message: str, tapped_to_book: bool = False,
                   taken: tuple[str, ...] = ()) -> Reply:
    """Booking from a message: act on what it says (a day, a time, a professional, a service), else the first menu.
    ``tapped_to_book``: "Pedir una hora" after a message that also asked to cancel or move ("quiero agendar con la
    dra soto el lunes 7, y también cancelar la que tengo"): its booking's day, time and professional are acted on.
    ``taken``: a time ("2026-12-02T09:00") already booked from this message for another person: of the times it
    says for several ("para mí y mi hijo … a las 9 y 10"), the next one."""
    if not ctx.free:
        return _end(ctx, state, "no_slots")
    reading = read_message(ctx, None, message)
    if taken and reading.day is not None and reading.next_times and any(
            f"{reading.day.isoformat()}T{hour:02d}:{minute:02d}" in taken for hour, minute in reading.times):
        reading = replace(reading, times=reading.next_times)  # "…a las 9 y 10", the 9 booked: the 10
    norm = normalize(message)
    if not state.service:
        service = named_in(norm, offered(ctx, state))
        if service:
            state = evolve(state, service=service)
    if reading.ambiguous:  # "kine el martes o el jueves": the rest of it (the specialty) and the menus for the day
        reading = replace(reading, day=None, times=(), ambiguous=False, missing_day=None)
    if tapped_to_book and reading.found and asks_to_book(norm):
        reading = replace(reading, intent="book")
    if reading.intent in ("cancel", "reschedule") and _a_new_one_beside_a_day_it_cannot(norm):
        reading = replace(reading, intent="book")  # "no puedo ir el jueves, quiero hora con …": this one, not Thursday
        ruled_out = days_ruled_out(message, ctx.today, WINDOW_DAYS)  # read as a cancel's day, never as one asked for
        if reading.day is not None and reading.day in ruled_out:  # "quiero hora con …, no puedo ir el jueves"
            reading = replace(reading, times=(), missing_day=None)  # its time went with it
        reading = _without_days(reading, ruled_out)  # "…el jueves ni el viernes"
    if reading.found and reading.intent in ("book", "none"):  # "ahora la de medicina general": what it names
        step = interpret(ctx, state, replace(reading, intent="book"), norm)
        if isinstance(step, Reply):  # free text never books by itself (it asks to confirm first)
            return step
    asked = [_about_the_clinic(ctx, norm)] if not reading.found and asks_about_clinic(norm) else []
    asked = [a for a in asked if a not in ctx.opening]  # answered already, before asking the agent
    month_said = beyond_window_month(ctx, norm) if reading.day is None else ""
    if month_said:  # "hora con kine en enero": said, not the days of this month as if it had not been asked
        asked.append(month_said)
    return first_menu(ctx, state, asked)


def _about_the_clinic(ctx: Context, norm: str) -> str:
    """A question about the clinic: its address when that is asked and known, else who can answer the rest."""
    address = ctx.clinic.address.strip().rstrip(".")
    if address and asks_where(norm):
        where = ctx.say("clinic_address", address=address)
        # "¿cuánto sale y dónde quedan?": the address, and who answers the price (never skipped without a word)
        return f"{where} {ctx.say('clinic_question')}" if asks_price(norm) else where
    lengths = {round((s.end_dt() - s.start_dt()).total_seconds() / 60) for s in ctx.free[:200]}
    if asks_how_long(norm) and len(lengths) == 1:  # "¿cuánto dura?": what the agenda says, when it says one thing
        return ctx.say("visit_length", minutes=next(iter(lengths)))
    return ctx.say("clinic_question")


def after_agent_step(step: AgentStep, turn: Turn, clinic: ClinicProfile, outcome: Any) -> Reply:
    """The reply once the agent answered an ``AgentStep`` (or could not).

    Asked whether the patient already has an appointment: if so, "Ya tienes hora…"; if not, or if the agent could
    not tell (no capability, offline, an error), booking goes on from the slots the turn saw, as if never asked.
    """
    clinic = in_language(clinic, step.state.language)
    if step.slots is not None and step.state.intent in ("cancel", "reschedule") and step.op == "my_bookings" and (
            isinstance(outcome, MyBookingsResult) and not found(outcome, aware(turn).now)):
        # "no puedo ir el jueves, quiero hora con medicina general la otra semana" from a phone with no appointment:
        # the one asked for, without Thursday (was «No encontré horas próximas… ¿Quieres pedir una?», then the
        # specialty asked again and the week forgotten)
        turn = aware(turn)
        ctx = make_context(turn, clinic, step.slots, step.opening)
        going_on = evolve(step.state.seen(turn.now), stage=CHOOSE_DAY, intent="", bookings=(), wish="")
        return _booking_start(ctx, going_on, step.state.wish)
    if step.state.intent != CHECK_EXISTING or step.op != "my_bookings":
        return appointments_after_agent_step(step, turn, clinic, outcome)
    turn = aware(turn)
    ctx = make_context(turn, clinic, step.slots or SlotsResult((), 0.0), step.opening)
    state = step.state.seen(turn.now)
    bookings = found(outcome, turn.now)
    others = any(under_another_name(b, turn.name) for b in bookings)
    not_then = _for_another_not_then(state.wish)  # "hora para mi hijo el viernes, el jueves no puedo ir"
    if not_then and cannot_come(normalize(state.wish)) and _theirs_not_then(ctx, bookings, state.wish):
        # on a phone that holds others' appointments, his may be the one that cannot be kept: a move, as ever
        return appointments_after_agent_step(replace(step, state=evolve(step.state, intent="reschedule")), turn,
                                             clinic, outcome)
    if _theirs_replaced(ctx, bookings, state.wish):  # "otra hora el viernes en vez de la del jueves" with one on
        # Thursday: that one moved (was «Ya tienes hora el jueves… ¿una más, cambiarla o cancelarla?», and a "sí"
        # there asked for one more: two appointments)
        return appointments_after_agent_step(replace(step, state=evolve(step.state, intent="reschedule")), turn,
                                             clinic, outcome)
    if _theirs_that_day_moved(ctx, bookings, state.wish):  # "no puedo el jueves, ¿puedo ir el lunes?" with one on
        # Thursday: that one moved to Monday (was: "Ya tienes hora el jueves… ¿una más, cambiarla o cancelarla?")
        return appointments_after_agent_step(replace(step, state=evolve(step.state, intent="reschedule")), turn,
                                             clinic, outcome)
    if others and not for_me(normalize(state.wish)):  # a phone that books for others ("una para mí" aside):
        state = evolve(state, for_other=True)  # whose name the new one goes under is asked, not assumed
    # "y una para mí también" where the phone holds only others' appointments (the son's, booked a minute ago): the
    # writer has none to be told of, a new one is what they ask for
    # (never "thursday doesn't work for me, another day?": his day, not one for her)
    only_others = (bool(bookings) and all(under_another_name(b, turn.name) for b in bookings)
                   and not cannot_come(normalize(state.wish))
                   and not days_ruled_out(state.wish, ctx.today, WINDOW_DAYS))
    # "y una para mi hijo con traumatología" right after the writer's own was booked: his, one more, no question
    one_for_another = not others and one_more_for_another_only(normalize(state.wish))
    if (bookings and not wants_another(normalize(state.wish)) and not (not_then and not others) and not one_for_another
            and not (only_others and for_me(normalize(state.wish)))):  # "otra hora para mi hijo", and a new one for
        # him where all the phone holds is the writer's own: no question
        return already(ctx, evolve(state, bookings=bookings, others=others_of(bookings, turn.name)))
    told = evolve(state, bookings=bookings).listed()  # "otra para mi hijo": the ones they have are not news at booking
    going_on = evolve(state, stage=CHOOSE_DAY, intent="", bookings=(), wish="", told=told)
    return _booking_start(ctx, going_on, state.wish)


def _only_days_they_cannot(ctx: Context, state: ConversationState, norm: str) -> bool:
    """ "la otra semana no voy a estar", "sí, la otra semana no puedo ir" at «¿Cancelo…?»: the week (or day) named is
    when they cannot come, never one asked for to move to — unless moving is asked for in so many words, or asked as a
    question ("no puedo ir, ¿puede ser la otra semana?")."""
    if asks_to_move(norm) or "?" in ctx.turn.message or comes_another_day(norm):
        return False
    reading = read_message(ctx, state, ctx.turn.message)
    named = bool(reading.skip_days) or bool(reading.day or reading.week) and cannot_come(norm)
    return named and not _asks_for_anything(replace(reading, day=None, week=None))


def _cannot_come_another_time(ctx: Context, state: ConversationState, norm: str) -> bool:
    """At «¿Cancelo tu hora del jueves 3…?», the days they cannot come are named and the one asked about is not among
    them ("la otra semana no puedo ir", "el viernes no voy a estar"): neither a yes nor a move."""
    assert state.target is not None
    if not _only_days_they_cannot(ctx, state, norm):
        return False
    reading = read_message(ctx, state, ctx.turn.message)
    days = set(reading.skip_days)
    if reading.day is not None:
        days.add(reading.day)
    if reading.week is not None:
        days.update(reading.week + timedelta(days=n) for n in range(7))
    return datetime.fromisoformat(state.target.start).date() not in days


def _asks_for_anything(reading: Reading) -> bool:
    """What the message reads asks for a day, a time, a week, a professional or a specialty: more than days or times
    it rules out ("la otra semana no voy a estar" asks for nothing)."""
    return reading.found and replace(reading, skip_days=(), skip_part="", skip_times=()).found


def _days_they_cannot_come(ctx: Context, reading: Reading) -> Reading:
    """While the days or times are shown, "no llego ni el miércoles ni el viernes" ("no alcanzo a llegar el
    jueves"): those days ruled out of the menus — never read as the days asked for (the days of an appointment
    they cannot come to, as when a conversation begins with it)."""
    ruled_out = days_ruled_out(ctx.turn.message, ctx.today, WINDOW_DAYS)
    if not ruled_out:
        return reading
    return replace(_without_days(reading, ruled_out), intent="book", tentative=False)


def _without_days(reading: Reading, ruled_out: Collection[date]) -> Reading:
    """The reading with ``ruled_out`` among its days skipped: never the day asked for, nor one of the days it
    hesitated between."""
    alternatives = tuple(d for d in reading.alternatives if d not in ruled_out)
    return replace(reading, skip_days=tuple(sorted({*reading.skip_days, *ruled_out})),
                   day=None if reading.day in ruled_out else reading.day,
                   by_weekday=reading.by_weekday and reading.day not in ruled_out,
                   alternatives=alternatives, ambiguous=reading.ambiguous and bool(alternatives))


def _only_its_day_ruled_out(ctx: Context, target: WireBooking, norm: str) -> bool:
    """At «¿Cancelo tu hora del jueves…?», "no puedo ir el jueves" ("no puedo asistir el jueves"): the day of the one
    asked about ruled out and no other day or week asked for — why it is cancelled, never a move (the "puedo ir el
    jueves" inside it is no day asked for; "…, ¿puedo ir el lunes?", "…, la otra semana", "…, ¿otro día?" still move
    it)."""
    its_day = datetime.fromisoformat(target.start).date()
    if its_day not in days_ruled_out(ctx.turn.message, ctx.today, WINDOW_DAYS):
        return False
    reading = read_message(ctx, None, ctx.turn.message)
    return (reading.day in (None, its_day) and reading.week is None and not reading.times
            and not asks_another_day(norm) and not asks_to_move(norm))


# "en vez de la del jueves", "en lugar de mi hora", "instead of my thursday one": what comes after it is replaced
_INSTEAD_OF = re.compile(r"\b(?:en (?:vez|lugar) (?:de|del)|instead of)\b")
_FIRST_DAY = re.compile(r"^.*?\b(?:lunes|martes|miercoles|jueves|viernes|sabado|domingo|manana|hoy|monday|tuesday"
                        r"|wednesday|thursday|friday|saturday|sunday|tomorrow|today|\d{1,2}(?: de \w+)?)\b")


def _theirs_replaced(ctx: Context, bookings: Sequence[WireBooking], wish: str) -> bool:
    """The message asks for a time "en vez de" / "instead of" the day one (only one) of their appointments is on
    ("necesito otra hora el viernes en vez de la del jueves"): that one moved — never one more beside it. Not when it
    is for someone else, or several are asked for."""
    norm = normalize(wish)
    instead = _INSTEAD_OF.search(norm)
    if not bookings or instead is None or for_someone_else(norm) or wants_several(norm):
        return False
    first = _FIRST_DAY.match(norm[instead.end():])  # "…en vez de la del jueves, el viernes a las 11:30": Thursday
    replaced = read_message(ctx, None, first.group(0)).day if first else None
    if replaced is None:
        return False
    return len([b for b in bookings if datetime.fromisoformat(b.start).date() == replaced]) == 1


def _theirs_that_day_moved(ctx: Context, bookings: Sequence[WireBooking], wish: str) -> bool:
    """The message that asked for a time rules out the one day one of their appointments is on, and asks to come on
    another ("no puedo el jueves, ¿puedo ir el lunes?", "el jueves no puedo, ¿puede ser el lunes?"): that one moved
    — never a second appointment beside it. Not "otra hora para el lunes, el jueves no puedo" (one more), nor another
    person's new one."""
    norm = normalize(wish)
    asked = comes_another_day(norm) or "?" in wish  # "can't do thursday, next week?": asked with its question mark
    if (not bookings or not asked or wants_another(norm) or for_someone_else(norm)
            or wants_several(norm) or asks_to_book(norm) or _WANTS_ONE.search(norm)):  # "quiero hora, no puedo
        # el jueves, ¿puede ser el lunes?": a new one asked for in words (whether it moves theirs is asked, as before)
        return False
    reading = read_message(ctx, None, wish)
    that_day = [b for b in bookings if datetime.fromisoformat(b.start).date() in reading.skip_days]
    return len(that_day) == 1 and (reading.day is not None and reading.day not in reading.skip_days
                                   or reading.day is None and reading.week is not None)  # "…, next week?"


def _a_new_one_beside_a_day_it_cannot(norm: str) -> bool:
    """"no puedo ir el jueves, quiero hora con medicina general la otra semana": a new appointment asked for in so many
    words, the day only ruled out: a phone with none books it without Thursday (was «No encontré horas próximas…
    ¿Quieres pedir una?», the specialty asked again and the week forgotten); one with an appointment that day moves
    it, as before. Never when the message cancels or moves theirs in words, or names it ("mi hora del jueves")."""
    return (cannot_come(norm) and _WANTS_ONE.search(norm) is not None and not says_cancel(norm)
            and not asks_to_move(norm) and not names_own_booking(norm) and _HAS_ONE.search(norm) is None)


# "tengo hora el jueves pero no puedo ir, …": one of theirs said to exist (not found on this phone: said so)
_HAS_ONE = re.compile(r"\b(?:tengo|tenia|tenemos|teniamos|i have|i had) (?:una |un |mi |an? |my )?"
                      r"(?:hora|cita|turno|consulta|appointment)\b")


_WANTS_ONE = re.compile(r"\b(?:necesito|quiero|quisiera|queria|dame|deme|i need|i want|i d like|i would like)"
                        r" (?:una |un |an |a )?(?:hora|cita|turno|consulta|appointment)\b")


def _for_another_not_then(wish: str) -> bool:
    """"Quiero hora para mi hijo el viernes, el jueves no puedo ir": a new appointment for someone else and a day that
    does not suit it — no question about the writer's own appointments (asked of a phone that holds another's, who
    may be the one whose appointment cannot be kept)."""
    norm = normalize(wish)
    return new_one_for_another(norm) and (cannot_come(norm) or bool(rule_out(fold(wish))[1]))


def _theirs_not_then(ctx: Context, bookings: tuple[WireBooking, ...], wish: str) -> bool:
    """Whether the phone holds another's appointment that may be the one not kept: on a day the message rules out,
    or any when it rules none out (never his Friday one for "hora para mi mamá el viernes, el jueves no puedo ir")."""
    theirs = [b for b in bookings if under_another_name(b, ctx.turn.name)]
    skipped = read_message(ctx, None, wish).skip_days
    return any(not skipped or datetime.fromisoformat(b.start).date() in skipped for b in theirs)


def _preset(ctx: Context, state: ConversationState) -> ConversationState:
    """What earlier bot steps already asked (widget data specialty / service / professional), when the clinic has it."""
    turn = ctx.turn
    if turn.specialty and specialty_key(turn.specialty) in ctx.specialties:
        state = evolve(state, specialty=specialty_key(turn.specialty))
    wanted = fold(turn.service.strip())
    named = next((s.service for s in ctx.free if s.service and fold(s.service) == wanted), "") if wanted else ""
    if named:  # as the clinic names it
        state = evolve(state, service=named)
    if turn.professional:
        named = tuple(normalize(turn.professional).split())
        found = match_professionals(Reading(named=named), ctx.professionals)
        if len(found) == 1:
            state = evolve(state, professionals=found)
    return state


def _own_appointments(ctx: Context, state: ConversationState, intent: str) -> Reply | AgentStep:
    """The patient's own appointments: asked of the agent (list, cancel); a receptionist for the rest.

    A move that already says when to ("cámbiala para el lunes en la mañana") keeps the message, to act on once the
    appointment to move is confirmed."""
    norm = normalize(ctx.turn.message)
    if intent in ("reschedule", "cancel"):  # a new booking's filters, dropped for it, are not the move's
        state = evolve(state, specialty="", professionals=(), time_filter="", window=("", ""), skip_days=())
    if intent in ("reschedule", "cancel") or (intent == "my_bookings" and (
            confirms_attendance(norm) or asks_if_still_on(norm))):  # "cancela la de mi mamá Rosa", "confirmo mi
        # asistencia", "¿sigue en pie lo del miércoles?": read once listed
        state = evolve(state, wish=ctx.turn.message)
    step = ask_bookings(state, ctx.turn, intent, ctx.opening) if intent in OWN_APPOINTMENTS else None
    if step is not None and intent in ("reschedule", "cancel") and _a_new_one_beside_a_day_it_cannot(norm):
        step = replace(step, slots=ctx.answer)  # none to move: the new one it asks for is booked from these
    return step if step is not None else _end(ctx, state, ELSEWHERE[intent])


_ANOTHER_DAY = re.compile(r"\b(?:otro dia|otros dias|otra fecha|otro horario de otro dia|another day|other days"
                          r"|a different day)\b")


def _same_time_or_none(ctx: Context, state: ConversationState) -> bool:
    """Whether the message names no day or time other than the proposed slot's ("ahí nos vemos el jueves")."""
    assert state.proposed is not None
    reading = read_message(ctx, None, ctx.turn.message)
    start = state.proposed.start_dt()
    return ((reading.day is None or reading.day == start.date())
            and (not reading.times or (start.hour, start.minute) in reading.times))


def _yes_and_late(state: ConversationState, norm: str) -> bool:
    """At «¿Confirmo…?», a yes that says the patient may be late ("sí, pero llego un poco tarde", "yes but I'll be 5
    minutes late"): of the appointment being booked, never one they already have."""
    return (state.stage == CONFIRM and state.proposed is not None and running_late(norm)
            and _LEADING_YES.match(norm) is not None and not _says_no(norm))


def _a_time_and_late(state: ConversationState, reading: Reading, norm: str) -> bool:
    """While a new appointment's day or time is chosen, a day or time said with being late ("a las 10, pero llego un
    poco tarde", "sí, pero a las 11, llego tarde"): that one, never «Gracias por avisar…» of one not yet booked."""
    return (state.stage in (CHOOSE_DAY, CHOOSE_TIME, CONFIRM) and bool(reading.day or reading.times)
            and not names_own_booking(norm))


def _coming_to_the_proposal(ctx: Context, state: ConversationState, norm: str) -> Reply | None:
    """At «¿Confirmo…?», "sí, ahí estaré" and the like: the yes (never a look at appointments they do not have yet);
    with more besides, the yes too unless the more asks for another day, time or professional or is not sure yet —
    "ahí estaré, ¿tengo que ir en ayunas?": booked, and the rest asked for apart (never "tu hora sigue reservada" of
    one that was never booked); "sí, pero llego un poco tarde", "sí, ahí estaré, pero llego 10 min tarde": booked, the
    being late answered. None: not that."""
    if _yes_and_late(state, norm) and not read_message(ctx, state, ctx.turn.message).found:
        # "sí, pero llego un poco tarde": booked, and the being late answered (was «Gracias por avisar…» of an
        # appointment never booked: the patient believed it was)
        return _follow(ctx, evolve(state, late_said=True), Option(norm, "confirm"), norm)
    aside = attendance_aside(_NO_WORRIES.sub(" ", norm))
    if aside is None or _says_no(norm) or not _same_time_or_none(ctx, state):
        return None
    if aside and running_late(norm):  # "sí, ahí estaré, pero llego 10 min tarde": booked, the being late answered
        return _follow(ctx, evolve(state, late_said=True), Option(norm, "confirm"), norm)
    if aside:
        if (_NOT_THIS_ONE_YET.search(norm) or _of_another_person(aside) or read_message(ctx, state, aside).found
                or _elsewhere_from_confirm(ctx, state, norm) is not None):
            return None  # "ahí estaré, pero ¿puede ser un poco más tarde?", "…creo, te aviso": not a yes to this time
        if not (asks_where(aside) and ctx.clinic.address.strip()):  # the booking's message gives the address
            state = evolve(state, more_asked=True)  # the rest asked for apart, once it is booked
    return _follow(ctx, state, Option(norm, "confirm"), norm)


def _only_another_when(ctx: Context, state: ConversationState, text: str) -> bool:
    """After a yes at «¿Confirmo … a las 09:00?», ``text`` is only a day, time or part of the day, and not the one
    proposed ("ok y a las 11?", "sí, y el viernes?", "ok y en la tarde?": that one asked about instead) — nor, while
    an appointment is moved, the one it replaces ("ok, y el jueves?": what becomes of Thursday's)."""
    if state.proposed is None or not only_a_when(text):
        return False
    said = read_message(ctx, None, text)
    moved = state.target if state.intent == "reschedule" else None
    if said.day not in (None, state.proposed.start_dt().date()) and moved is None:
        return False  # "sí, y el lunes?": maybe one more too — booked as before, the other asked for after it
    whens = [state.proposed.start_dt(), *([datetime.fromisoformat(moved.start)] if moved is not None else [])]

    def is_it(when: datetime) -> bool:
        start, end = PART_HOURS.get(said.part, ("", ""))
        clock_of = f"{when.hour:02d}:{when.minute:02d}"
        return ((said.day is None or said.day == when.date())
                and (not said.times or (when.hour, when.minute) in said.times)
                and (not start or clock_of >= start) and (not end or clock_of < end))

    return not any(is_it(when) for when in whens)


# "está bien así", "déjala así", "la dejo": nothing to change (at «¿una hora más, cambiarla…?»)
_LEFT_AS_IT_IS = re.compile(r"(?:no )?(?:(?:asi )?esta bien(?: asi)?|(?:la|lo) dejo(?: asi| igual)?"
                            r"|deja(?:la|lo)(?: asi| igual)?|leave it(?: as it is)?)(?: gracias| thanks)?")


_A_NEW_ONE = re.compile(r"\b(?:una|uno|otra|otro|one|another)\b")  # "una para mi hijo": an appointment said


def _says_only(pattern: re.Pattern[str], norm: str) -> bool:
    """Whether the message's words, punctuation left out, are all ``pattern`` ("no voy a poder ir, disculpa")."""
    return pattern.fullmatch(" ".join(re.findall(r"\w+", norm))) is not None


def _of_another_person(text: str) -> bool:
    """ "…es para mi mamá Rosa Díaz", "…y necesito otra para mi hijo": someone else's booking in it."""
    return for_someone_else(text) or wants_several(text) or another_person_too(text)


def _says_no(norm: str) -> bool:
    """A no anywhere in the message, but for "no te preocupes" and the like."""
    return _ANY_NO.search(_NO_WORRIES.sub(" ", norm)) is not None


_NO_WORRIES = re.compile(
    r"\b(?:no (?:te preocupes|se preocupe|se preocupen|hay (?:problema|drama))|no (?:problem|worries))\b"
)
# "…a menos que haya algo antes", "…unless you have something earlier", "…if there's nothing earlier": a condition
_UNLESS = re.compile(
    r"\b(?:a menos que|salvo que|a no ser que|excepto que|except if|unless"
    r"|si no (?:hay|tienen|tiene|tienes|queda)(?! problema)"
    r"|if (?:there s |there is |you have |you ve got )?(?:nothing|no)\b(?! problem| worries)"
    r"|if you (?:don t|do not|dont) have)"
)
# "…si fuera con el dr rojas", "…puede ser a las 10", "…no hay el viernes": another day, time or professional asked
# for this same booking, not something besides it
_ASKS_IF_IT_CAN = re.compile(
    r"\b(?:si fuera|puede ser|podria ser|se puede|no hay|(?:hay|tienen|tiene) (?:hora|horas|cupo|cupos|algo|otra|otro"
    r"|disponib\w*|libre\w*)|could it be|can it be|instead"
    # "sí, ¿y si mejor a las 16?", "ok, y mejor con el dr rojas", "yes, or rather at 11": that one, never this one
    r"|mejor|prefiero|preferiria|mas bien|better|rather|what if|how about|que tal)\b"
)
# "…y de paso, ¿tienen kine el sábado?", "…y también otra el lunes": something besides this booking
_BESIDES = re.compile(r"\b(?:de paso|tambien|tb|tmb|ademas|aparte|otr[ao]s?|also|too|as well|another)\b")
# Words of someone not sure yet ("lo voy a pensar", "creo", "tal vez", "maybe"): the core of _HESITATING (at
# «¿Confirmo…?») and _NOT_SURE_YET (beside "ahí estaré"), each with its own more
_UNSURE = r"pensar\w*|pienso|revis\w*|esper\w*|creo|quizas|tal vez|capaz|think|check|maybe|perhaps"
# Beside "ahí estaré": another time wanted ("…pero ¿puede ser un poco más tarde?", "mejor a las 11"), or not sure yet
# ("…creo, te aviso"). "Llego 10 min tarde", "¿tengo que llegar antes?" are neither.
_NOT_SURE_YET = re.compile(
    rf"\b(?:{_UNSURE}|lo veo|te aviso|le aviso|les aviso|consult(?:ar|arlo|arla|o|e)|permiso|si me dan|si puedo"
    r"|si alcanzo|primero|dejame|a ver|a menos que|salvo que|siempre que|si es que|if i can|if i get|unless"
    r"|depend\w*)\b"
)
_NOT_THIS_ONE_YET = re.compile(
    r"\b(?:mas (?:tarde|temprano)|later|earlier|otra hora|otro horario|mejor|prefiero|preferiria|mas bien|en vez"
    r"|cambia\w*|better|rather|instead)\b|" + _NOT_SURE_YET.pattern
)


def _elsewhere_from_confirm(ctx: Context, state: ConversationState, norm: str) -> Reply | None:
    """At «¿Confirmo…?», another day or another professional asked for without naming which ("ok pero otro día",
    "sí, pero con otra doctora"): the days, or that day's times with the others — never the same question again,
    never a yes. None: anything else (a day or a name said is read as usual)."""
    assert state.proposed is not None
    reading = read_message(ctx, state, ctx.turn.message)
    proposed = local_day(state.proposed)
    ruled_out = days_ruled_out(ctx.turn.message, ctx.today, WINDOW_DAYS)
    if (proposed in ruled_out and reading.day in (None, proposed) and not (reading.times or reading.named)
            and reading.week is None):  # "no puedo ir el jueves" at «¿Confirmo el jueves 3…?»: the days, without it
        skipped = {proposed.isoformat(), *(d.isoformat() for d in ruled_out)}  # (was Thursday 3's times again)
        return day_menu(ctx, evolve(state.skipping(skipped), proposed=None, stage=CHOOSE_DAY))
    if (not (reading.day or reading.times)
            and _no_then_their_name(fold(ctx.turn.message), state.proposed.professional)):
        # "no la Dra. Soto", "no soto" at «¿Confirmo … con la Dra. Ana Soto?»: not her (was her times again)
        without = _without_proposed(ctx, evolve(state, proposed=None), state.proposed)
        if without is not None:
            return time_menu(ctx, without, proposed)
    if reading.day and not reading.times and _SAME_TIME.search(norm):  # "no, mejor el viernes a la misma hora"
        start = state.proposed.start_dt()
        wanted = replace(reading, times=((start.hour, start.minute),), intent="book")
        return interpret(ctx, evolve(state, proposed=None, stage=CHOOSE_DAY), wanted, norm)
    if reading.day or reading.named or reading.times or reading.week:
        return None
    if reading.specialty and reading.specialty != state.specialty:  # "mejor con otro kine": that specialty's
        return None
    going_on = evolve(state, proposed=None)
    if _ANOTHER_DAY.search(norm):  # "no puedo ir el jueves, ¿otro día?", "no, otro día": never the day proposed, nor
        # the days ruled out, offered again
        skipped = {local_day(state.proposed).isoformat(), *(d.isoformat() for d in reading.skip_days)}
        return day_menu(ctx, evolve(going_on.skipping(skipped), stage=CHOOSE_DAY))
    if (asks_other_professional(norm) and not _NO_OTHERS.search(norm)) or _NOT_THEM.search(fold(ctx.turn.message)):
        without = _without_proposed(ctx, going_on, state.proposed)
        if without is not None:  # "con otro doctor", "no con ella" at «¿Confirmo … con la Dra. Soto?»: the others
            return time_menu(ctx, without, proposed)
        going_on, notices = _other_professionals(ctx, going_on)
        return time_menu(ctx, going_on, local_day(state.proposed), notices=notices)
    return None


def _no_then_their_name(folded: str, professional: str) -> bool:
    """"no la Dra. Soto", "No soto" (the whole message) of the professional proposed; never "no, con Soto está bien"
    (an answer, then her), "no tengo problema con Soto", "not a problem, Dr. Soto is fine"."""
    words = _NO_THEN_NAME.fullmatch(folded)
    return words is not None and words.group(1).split()[-1] in name_words(professional)


_NO_THEN_NAME = re.compile(r"\s*(?:no+|nop|nope|not|nel)\s+((?:(?:la|el|al|a|the)\s+)?(?:(?:dra?|doctora?)\.?\s+)?"
                           r"(?:[a-z]+\s+)?[a-z]+)\s*(?:(?:no|porfa|por favor|please|gracias|thanks)\s*)?[.!]*")
# "no con ella", "con él no", "not with her": the professional just proposed, not wanted (never "con ella no más",
# "con ella no hay problema", "no, con ella está bien", "no con ella el viernes")
_NOT_THEM = re.compile(
    r"(?:^|[\s,.;!?])(?:no (?:quiero )?con (?:ella|el)|con (?:ella|el) no|not (?:with )?(?:him|her))"
    r"(?=\s*(?:[,.;!]|$|gracias|porfa|por favor|please|thanks))"
    # "con otro", "no, con otro", "mejor con otra" as the whole answer (never "con otro no", "con otra más tarde")
    r"|^\s*(?:(?:no|nop)\s*[,.]\s*|(?:mejor|ok|bueno|ya)\s*,?\s*)*con otr[oa]"
    r"(?:\s+(?:persona|doctor|doctora|profesional|medic[oa]))?(?=\s*(?:[.!]|$|porfa|por favor|please|gracias))"
)
# "con otro no", "ni con otro", "no me cambie con otro doctor": another professional refused, not asked for
_NO_OTHERS = re.compile(
    r"\b(?:no|ni|sin|nunca|solo)\s+(?:\w+\s+){0,3}?otr[oa]s?\b|\botr[oa]s?(?:\s+\w+)?\s+(?:no|ni)\b"
)


def _without_proposed(ctx: Context, state: ConversationState, proposed: WireSlot) -> ConversationState | None:
    """The patient's filters without the professional proposed (left out from now on), of the proposed one's specialty
    when none was chosen (never another specialty's times); None when nobody else has times then."""
    specialty = state.specialty
    if specialty in ("", ANY_SPECIALTY) and proposed.specialty and specialty_key(proposed.specialty) in ctx.specialties:
        specialty = specialty_key(proposed.specialty)
    others = evolve(state, professionals=tuple(p for p in state.professionals if p != proposed.professional),
                    specialty=specialty or ANY_SPECIALTY,
                    skip_professionals=tuple(sorted({*state.skip_professionals, proposed.professional})))
    return others if ctx.on_day(others, local_day(proposed)) else None


def _cancels_the_one_moved(ctx: Context, state: ConversationState, reading: Reading, norm: str) -> bool:
    """While one appointment is being moved (asked «¿Cambio…?», or its new time chosen), the patient asks to cancel
    it instead: "actually just cancel it", "mejor cancélala nomás", "no, mejor cancela la hora". Never another one
    named ("cancela la del viernes", "la otra", "las dos"), nor "no puedo ir" alone (its own readings)."""
    if (state.intent != "reschedule" or state.target is None or state.stage not in (*_CHOOSING, CONFIRM_CANCEL)
            or reading.intent != "cancel" or reading.tentative or asks_to_move(norm)):
        return False
    # "no, cancélala" (its comma typed: no to the move, then the cancel) is not "no cancelar" (keep it)
    said = re.sub(r"^no+ ", "", norm) if _NO_THEN_COMMA.match(fold(ctx.turn.message)) else norm
    if (_KEEPS_IT.search(said) or _THE_CHANGE_CALLED_OFF.search(norm) or _ASKS_ABOUT_CANCELLING.search(norm)
            or _A_BETTER_TIME.search(norm) or _A_MISTAKE.search(norm)):
        return False  # "no, no la canceles", "cancela el cambio, la dejo como estaba", "¿y si la cancelo qué pasa?",
        # "no, cancela eso, mejor a las 10" (the time chosen called off, another said), "cancela, me equivoqué"
    if (_OTHER_ONE.search(norm) or _THE_ONE_OF.search(norm) or _NOT_THAT_ONE.search(norm) or _TOO.search(norm)
            or means_every_one(norm) or for_someone_else(norm) or _THE_DAYS_ONE.search(norm)):
        return False
    if reading.day or reading.times or reading.part or reading.named:  # "cancela la del jueves": that one, or none
        named = named_bookings(state.bookings or (state.target,), reading.day, reading.times,
                               _professionals_named(ctx, reading), by_weekday=reading.by_weekday, part=reading.part)
        return named == [state.target]
    return True


# The move itself called off, not the appointment: "cancela el cambio", "cancel the change", "anula la operación"
_THE_CHANGE_CALLED_OFF = re.compile(r"\b(?:cancel|anul)\w* (?:el|la|the|este|esta|this|ese|esa) (?:cambio|change|move"
                                    r"|busqueda|search|operacion|tramite|proceso|reagendamiento|reschedul\w*)\b")
# The appointment kept, cancel said of it only to deny it: "no, no la canceles", "no la cancelo, solo cambiar", "cancel
# that, I'll keep it", "la dejo como estaba" (never "forget it, cancel it")
_NO_THEN_COMMA = re.compile(r"\s*no+\s*[,.;!]")
_KEEPS_IT = re.compile(r"\bno (?:la |lo |me )?(?:cancel|anul)\w*|\bno (?:quiero|necesito|hay que) (?:cancel|anul)\w*"
                       r"|\b(?:don ?t|do not|not) cancel|\b(?:dejo|dejamos|mantengo|mantenemos)\b|\bkeep\b"
                       r"|\bcomo (?:estaba|esta)\b")
# Another time or day chosen instead ("cancela eso, mejor a las 10"), or the appointment left as it is ("la dejo igual")
_A_BETTER_TIME = re.compile(
    r"\b(?:mejor|prefiero|better|rather)(?: (?:el|la|a|on|at|en|for|para))? (?:las? \d|\d|lunes|martes|miercoles"
    r"|jueves|viernes|sabado|domingo|manana|tarde|otro dia|otra hora|monday|tuesday|wednesday|thursday|friday"
    r"|saturday|sunday|tomorrow|morning|afternoon|another)|\b(?:la|lo) dejo (?:igual|asi|como)\b"
    r"|\bdejala (?:igual|asi)\b")
# A mistake owned beside "cancela": what they chose (the move, its day) called off, never the appointment itself
# ("cancela, me equivoqué de día", "cancel, my mistake")
_A_MISTAKE = re.compile(r"\b(?:me equivoque|me confundi|nos equivocamos|por error|my (?:mistake|bad)|i made a mistake"
                        r"|(?:i )?(?:chose|picked|pressed) the wrong|wrong (?:day|time|one|button))\b")
# A question about cancelling, not asking for it: "¿y si la cancelo qué pasa?", "¿tiene costo cancelar?"
_ASKS_ABOUT_CANCELLING = re.compile(r"\b(?:y si|que pasa|tiene (?:algun )?costo|cuesta|cobran|multa|despues|what if"
                                    r"|what happens|fee|later)\b")


def _moving_another(ctx: Context, state: ConversationState, norm: str) -> Reply | None:
    """While a move's new time is chosen, the patient says it is another of their appointments that moves: "espera,
    mejor cambia la otra, la de las 11", "no, esa no, es la de la kinesióloga la que quiero mover", "I meant the
    friday one", "no, la del viernes" — that one is asked about (its "¿Cambio tu hora…?"), never this one moved to
    the other's professional or day. None: not that."""
    other = _OTHER_APPOINTMENT.search(norm)
    meant = _WHICH_MOVES.search(norm) or _MEANT.search(norm) or _OTHER_ONE.search(norm)
    if not (other or meant):
        return None
    rest = _OTHER_APPOINTMENT.sub(" ", _OTHER_ONE.sub(" ", norm))
    named = read_message(ctx, state, rest)
    who = _professionals_named(ctx, named)
    whose = naming_words(rest, ctx.turn.name)
    whose = whose if named_bookings(state.bookings, None, (), (), whose) else ()  # "no, la otra": no one named
    one_named = meant and (_THE_ONE_OF.search(norm) or _THE_DAYS_ONE.search(norm)) and (named.day or named.times)
    if not other and not (who or whose or one_named):  # ("I mean friday": the new day, said again)
        return None  # "esa no, la de las 11" at a time: that time is not wanted, not which one
    among = named_bookings(state.bookings, named.day, named.times, who, whose, by_weekday=named.by_weekday)
    if not other and (state.target in among or not among):
        return None  # "…la de la doctora", "quise decir la mía" naming the one being moved: the new time's, say
    return another_of_theirs(ctx.lang, evolve(state, proposed=None, pending=None), ctx.clinic, None, named.day,
                             named.times, who, whose, by_weekday=named.by_weekday)


# "I meant the friday one", "no, quise decir la del viernes": which appointment was meant
_MEANT = re.compile(r"\b(?:i meant|i mean|i was talking about|quise decir|queria decir|me referia a|me refiero a)\b")
# "…es la de kine la que quiero mover", "la que quería cambiar era la del martes": which appointment moves
_WHICH_MOVES = re.compile(r"\b(?:la|el) que (?:quiero|queria|quise|necesito|hay que) (?:mover|cambiar|correr|pasar)\b"
                          r"|\b(?:quiero|queria|necesito) (?:mover|cambiar|correr) (?:es |era )?(?:la|el) de\b")


_SAME_DAY_AS = re.compile(r"\b(?:el )?mismo dia (?:que|q|de|del|con) (?:tengo |tenia )?(?:la |el |mi |lo )?"
                          r"(?:hora |cita )?(?:de |con )?(?:la |el )?(?P<what>[a-z]+(?: [a-z]+)?)")


def _same_day_as_theirs(ctx: Context, bookings: Sequence[WireBooking], wish: str) -> str:
    """``wish`` with "el mismo día que la kine" said as that appointment's date (one of ``bookings``, named by its
    specialty, professional or whose; the only one when it names none of them), for a booking beside it."""
    norm = normalize(wish)
    same = _SAME_DAY_AS.search(norm)
    if same is None or not bookings:
        return wish
    what = read_message(ctx, None, same.group("what"))
    who = _professionals_named(ctx, what)
    named = named_bookings(bookings, None, (), who) if who else list(bookings)
    days = {datetime.fromisoformat(b.start).date() for b in named}
    if len(days) != 1:
        return wish
    day = days.pop()
    return f"{norm[: same.start()]} el {day.day}/{day.month}/{day.year} {norm[same.end():]}"


def _only_a_mistake(ctx: Context, state: ConversationState, norm: str) -> Reply | AgentStep | None:
    """ "Me equivoqué" — anywhere in the message, with nothing else meant: at «¿Cancelo (Cambio) tu hora…?» the other
    one it names, else nothing cancelled or moved; at the list of one's appointments, none; while a move's new time
    is chosen, the move asked about again; while a new booking's is, back to the days; "sí, me equivoqué" at the
    question, the question again. None: the message says more (a day, a time, a professional, "cámbiala", "quiero
    otra", "las dos", "la otra", "cancélala": read as it says)."""
    if not _MISTAKEN.search(norm):
        return None
    if state.stage == CONFIRM_CANCEL and state.target is not None:
        named = _another_named(ctx, state, norm, ctx.turn.name)
        if named is not None:  # "disculpe, me equivoqué, es la del viernes"
            return named
    rest = _MISTAKEN.sub(" ", norm)
    said = read_message(ctx, None, rest)
    more = [w for w in rest.split() if w not in _AROUND_A_MISTAKE]
    if (len(more) > 2 or said.found or said.named or for_someone_else(rest) or wants_another(rest) or "otra" in more
            or detect(rest).intent in ("cancel", "reschedule", "book") or asks_to_move(rest) or _BOTH.search(rest)
            or _OTHER_ONE.search(rest)):
        return None
    if _LEADING_YES.match(norm) and state.stage == CONFIRM_CANCEL and state.target is not None:
        return confirm_again(ctx.lang, state, ctx.clinic)  # "sí, me equivoqué": yes to which? asked again
    if state.stage == CONFIRM_CANCEL and state.target is not None and len(state.bookings) > 1:
        return which_again(ctx.lang, state, ctx.clinic)  # "me equivoqué" with two listed: which one, then?
    listing = any(o.kind == "booking" for o in state.options)
    if state.stage == CONFIRM_CANCEL and state.target is not None or state.stage == BOOKINGS and listing:
        return _follow(ctx, state, Option(norm, "cancel_no"), norm)  # "uy no, me equivoqué de chat": nothing done
    if state.stage in _CHOOSING and state.intent == "reschedule" and state.target is not None:
        return move_from_the_start(ctx.lang, state, ctx.clinic)
    if state.stage in _CHOOSING:
        return day_menu(ctx, state)  # "me equivoqué" while choosing a new booking: back to the days
    return None


def _answered_by_what_they_say(ctx: Context, state: ConversationState, norm: str) -> Reply | AgentStep | None:
    """At «¿Cancelo (Cambio) tu hora…?», an answer in so many words: "no puedo ir", "sí, no voy a poder", "ya no la
    necesito" is the yes (was: "tu hora sigue en pie", or a new booking's days — a second appointment); "No, no puedo
    ir" (a no, then the reason to undo it) is asked again. The last word decides a change of mind: "no, sí,
    cancélala" cancels; at «¿Cambio…?», "no, cancélala" asks «¿Cancelo…?». None: not such an answer."""
    assert state.target is not None
    written = fold(ctx.turn.message)
    last = _LAST_PART.search(written)
    if last is not None and _CANCEL_IT.match(last.group(1).strip()) and not _ANY_NO.search(last.group(1)):
        if state.intent == "reschedule":
            return cancel_instead(ctx.lang, state, ctx.clinic)
        return _follow(ctx, state, Option(norm, "cancel_yes"), norm)
    if (not cannot_come(norm) or _OTHER_ONE.search(norm) or _THE_ONE_OF.search(norm) or _NOT_THAT_ONE.search(norm)
            or _UNDOING_REFUSED.search(norm) or _NO_OTHER.search(norm)):
        return None
    reading = read_message(ctx, state, ctx.turn.message)
    if reading.day or reading.times or reading.part or (state.intent != "reschedule"
                                                        and detect(norm).intent == "reschedule"):
        return None  # "no puedo ir, ¿me la cambias para el viernes?": read as usual
    if (state.intent != "reschedule" and _ANOTHER_TIME.search(norm) and not _A_NO_FIRST.match(written)
            and not _only_days_they_cannot(ctx, state, norm)):
        # "no puedo ir ese día, ¿tienen otro?", "no puedo ir, dame otra": a move (nothing undone until the new one)
        return _follow(ctx, evolve(state, intent="reschedule", wish=ctx.turn.message), Option(norm, "move_yes"), norm)
    if not _only_that_they_cannot_come(ctx.turn.message, norm):
        return None
    if _A_NO_FIRST.match(written):
        return confirm_again(ctx.lang, state, ctx.clinic, unsure=True)
    if state.intent == "reschedule" and _NOT_NEEDED.search(norm):  # «¿Cambio…?» "ya no la necesito"
        return cancel_instead(ctx.lang, state, ctx.clinic)
    return _follow(ctx, state, Option(norm, _yes_kind(state)), norm)


def _keeps_the_one_moved(ctx: Context, state: ConversationState, norm: str) -> bool:
    """While moving Thursday's: "…pido una nueva y mantengo la del jueves" keeps it (the move dropped); "mantengo la
    del viernes 10:00" is a time chosen for the move, never a keep."""
    said = _KEEPS_THAT_ONE.search(norm)
    if said is None or state.target is None:
        return False
    reading = read_message(ctx, None, norm[said.start():])
    moved_day = datetime.fromisoformat(state.target.start).date()
    return reading.day is not None and not reading.times and reading.day == moved_day


_KEEPS_THAT_ONE = re.compile(r"\bmantengo (?:la|el) del\b")


def _another_that_day(state: ConversationState, reading: Reading) -> bool:
    """Another of their appointments falls on the day said ("no, mi hora para el viernes" with one on Friday):
    which one they mean is asked, never this one moved there."""
    if reading.day is None:
        return False
    on_it = named_bookings(state.bookings, reading.day, (), by_weekday=reading.by_weekday)
    return any(b != state.target for b in on_it)


# "the friday one", "the 10am one": one of theirs named (never a day to move to)
_THE_DAYS_ONE = re.compile(r"\bthe \w+ one\b")
# "no, déjala, mejor pido otra para el sábado": the one they have kept, another one besides
_KEPT_AT_CANCEL = re.compile(r"\b(?:dejala|dejalo|mantenla|mantenlo|no la canceles|no lo canceles|keep it|leave it"
                             r"|don t cancel)\b")
# "¿tienen el lunes?", "could I come monday": a time asked for (never one of their appointments named)
_ASKS_FOR_A_TIME = re.compile(r"\b(?:tiene[ns]?|hay|queda\w*|puedo|podria|se puede|any|anything|could|can (?:i|we)"
                              r"|is there|do you have|available|disponible\w*)\b")
# "el lunes te aviso", "I'll call you on monday": the answer put off, not another day wanted
_LET_YOU_KNOW = re.compile(r"\b(?:(?:te|le|les) (?:aviso|llamo|escribo|confirmo|digo)|llamo|lo veo|veo"
                           r"|let you know|call (?:you|back)|get back)\b")


def _when_said_at_cancel(ctx: Context, state: ConversationState, reading: Reading,
                         norm: str) -> Reply | AgentStep | None:
    """«¿Cancelo (cambio) tu hora del jueves…?» answered with a day or time. Of that same appointment ("¿era el
    jueves?", "no puedo el jueves": never that day ruled out of a new booking): the same question, "just to be
    sure". One none of their appointments is on ("mejor el sábado a las 9", "el lunes a las 10", "next week would
    be better"), or asked for ("no puedo ir, ¿tienen el lunes?" with their son's on Monday): that appointment moved
    there, asked before anything is undone — never a second booking beside it, nor the son's asked about. None:
    read as before."""
    assert state.target is not None
    if norm.strip().isdigit() or tapped(state, norm) is not None or place_in_menu(norm) is not None:
        return None  # "1", "la 1": its first button
    its_day = datetime.fromisoformat(state.target.start).date()
    # "I can't make it thursday, next week?": its day ruled out, and the week where it goes
    week_instead = not reading.day and reading.week is not None and its_day in reading.skip_days
    if not reading.day and its_day in reading.skip_days:  # "no puedo el jueves": of the day it is on
        reading = replace(reading, day=its_day, by_weekday=False)
    if (not (reading.day or reading.times or reading.part or reading.week) or reading.answer == "yes"
            or _LEADING_YES.match(norm)):
        return None
    asks_for_a_time = "?" in ctx.turn.message or _ASKS_FOR_A_TIME.search(norm) is not None
    if (reading.intent == "cancel" and not (cannot_come(norm) and asks_for_a_time)
            and not (reading.tentative and state.intent == "reschedule")):
        return None  # "cancela el lunes" (never "no puedo ir, ¿tienen el lunes?": a time asked for, nor at «¿Cambio…?»
        # "no alcanzo a llegar el jueves": why it is moved, asked again as for "no puedo ir el jueves")
    if (reading.intent in ("person", "my_bookings", "stop") or for_someone_else(norm)
            or wants_several(norm) or keeps_it(norm) or _KEPT_AT_CANCEL.search(norm) or means_every_one(norm)
            or _OTHER_ONE.search(norm) or _THE_ONE_OF.search(norm) or _NOT_THAT_ONE.search(norm)
            or _THE_DAYS_ONE.search(norm) or _TOO.search(norm) or asks_other_professional(norm)):
        return None  # "no, la del viernes", "las dos", "no, déjala, pido otra para el sábado": read as before
    if _LET_YOU_KNOW.search(norm):  # "el lunes te aviso": not yet a yes, nor a new time
        return confirm_again(ctx.lang, state, ctx.clinic, unsure=True)
    if week_instead and asks_for_a_time:
        return _follow(ctx, evolve(state, intent="reschedule", wish=ctx.turn.message), Option(norm, "move_yes"), norm)
    named = named_bookings(state.bookings or (state.target,), reading.day, reading.times,
                           by_weekday=reading.by_weekday, part=reading.part)
    if named == [state.target]:
        if state.intent == "reschedule" and days_ruled_out(ctx.turn.message, ctx.today, WINDOW_DAYS):
            # "no puedo ir el jueves", "no alcanzo a llegar el jueves": that day kept out of the move's new days
            state = evolve(state, wish=f"{state.wish}. {ctx.turn.message}" if state.wish else ctx.turn.message)
        return confirm_again(ctx.lang, state, ctx.clinic, unsure=True)
    if named and not asks_for_a_time:
        return None  # "no, el lunes" with one of theirs on Monday: which one, asked as before
    # ("cámbiala para el lunes" … "a las 9" at «¿Cambio…?»: Monday at 9, never the old appointment's day at 9)
    wish = _with_the_day_asked_before(ctx, state, reading) if state.intent == "reschedule" else ctx.turn.message
    return _follow(ctx, evolve(state, intent="reschedule", wish=wish), Option(norm, "move_yes"), norm)


def _only_that_they_cannot_come(message: str, norm: str) -> bool:
    """ "No puedo ir", "sí, no voy a poder, lo siento", "ya no la necesito": the answer, said as a reason — never a
    question ("¿y si no puedo ir qué pasa?"), a condition ("si no puedo ir te aviso"), a maybe, the undoing itself
    refused ("ya no quiero cancelarla", "no la necesito cancelar") or a reason to keep it ("no puedo ir en la tarde,
    por eso la tomé en la mañana", "no puedo ir sola, ¿puedo ir con mi hija?", "I can't make it earlier, keep it")."""
    if "?" in message or _NOT_THIS_ONE_YET.search(norm) or keeps_it(norm):
        return False
    if _ONLY_IF.search(norm):  # "no puedo ir sola", "no puedo ir en ayunas": a worry or a condition, not a no-show
        return False
    rest = [w for w in _CANT_SAID.sub(" ", norm).split() if w not in _AROUND_A_REASON]
    if rest and _IF_I_CANNOT.match(fold(message)):  # "si no puedo ir, llamo" (never "si no puedo ir": a yes)
        return False
    return len(rest) <= 2


# "no quiero cancelarla", "no la necesito cancelar", "ya no quiero cambiarla": the undoing refused, not a reason
_UNDOING_REFUSED = re.compile(r"\bno\b(?:\s+\w+){0,3}?\s+(?:cancel|anul|cambi|mover|muev|reagend)\w*")
_ONLY_IF = re.compile(r"\b(?:ir sol[oa]|sin (?:mi|mis|un|una|alguien|acompan\w*|receta|orden)|con (?:mi|mis|alguien|un"
                      r" acompan\w*)|en ayunas|manejando|caminando|alone|without|with (?:my|someone))\b")
_NO_OTHER = re.compile(r"\bningun\w* otr\w*|\botr\w* que no sea\b|\bany other\b")  # "no iré a ninguna otra"
_IF_I_CANNOT = re.compile(r"^\W*(?:y )?si no\b")
_CANT_SAID = re.compile(
    r"\b(?:ya )?no (?:voy a|vamos a|podre|podremos|puedo|podemos|alcanzo a) (?:poder |alcanzar a )?"
    r"(?:ir|asistir|llegar)?"
    rf"|\b(?:{NOT_GETTING_THERE})"
    r"|\b(?:ya )?no (?:la )?(?:voy a )?necesit\w*|\bya no (?:la )?quiero\b|\bno ire\b|\bno iremos\b"
    r"|\bcan ?t make it|cannot make it|won ?t make it|can ?t come|cannot come"
    r"|\b(?:i )?(?:don ?t|do not|no longer) (?:want|need) it(?: anymore| any more)?\b"
)
# What goes with a reason to cancel and changes nothing: a yes, "es que", "lo siento", "ese día", courtesy
_AROUND_A_REASON = frozenset(
    "si sii ya ok dale bueno claro es que porque lo siento disculpa disculpe perdon sorry al final finalmente ese "
    "este dia entonces asi gracias por favor porfa la hora cita a mi mas la verdad pucha uf ups tengo un imprevisto "
    "me salio algo surgio trabajo al fin i m so sorry yes my appointment the".split()
)


# "para el viernes", "al viernes", "pásala a las 5", "for friday": the day or time an appointment moves to
_TO_WHEN = re.compile(r"\b(?:para|pal|al|pasala|pasalo|to|for) (?:el |la |las |the |a las |a la )?"
                      r"(?:lunes|martes|miercoles|jueves|viernes|sabado|domingo|manana|pasado|proxim\w*|otro|\d"
                      r"|monday|tuesday|wednesday|thursday|friday|saturday|sunday|tomorrow|next)")
# At «¿Cancelo…?», another time asked for instead: "dame otra hora", "quiero otra hora", "give me another time"
_GIVE_ME_ANOTHER = re.compile(r"\b(?:dame|deme|denme|quiero|quisiera|necesito|give me|i want|i d like|i need)"
                              r" (?:otra|otro|una nueva|another|a new|a different) (?:hora|cita|turno|dia|time|day"
                              r"|appointment|slot|one)\b")
# A new appointment asked for (never one of theirs named: "la hora del viernes", "the appointment for my son")
_NEW_ONE_ASKED = re.compile(
    r"\b(?:agendar|reservar|pedir|sacar|book|schedule)\b(?! (?:la|el|mi|my|the|it)\b)"
    r"|\b(?:una|un|otra|otro|nueva|another|a new|an|new) (?:hora|cita|turno|consulta|appointment|booking|one)\b"
    r"|(?<!la )(?<!mi )(?<!the )(?<!my )\b(?:hora|cita|turno|appointment) (?:para|for) (?:mi|my|el|la|our|nuestr\w*|su"
    r"|his|her)\b|^(?:necesito|quiero|i need|i want) (?:hora|cita|turno)\b"
)
# Said of an appointment not wanted after all: "no la necesito", "ya no la quiero", "don't need it", "bórrala"
_UNWANTED_AFTER_ALL = re.compile(
    r"\b(?:no la (?:necesito|quiero)|no (?:la )?necesito|(?:don t|do not|dont) (?:need|want)"
    r"|no longer|borra\w*|elimin\w*|libera\w*|free up|delete|remove it|anul\w*|cancel\w*)\b"
)
_NOT_NEEDED = re.compile(r"\b(?:necesit\w*|quiero|need)\b")
_ANOTHER_TIME = re.compile(r"\b(?:otr[oa]s?|cambi\w*|mover\w*|muev\w*|another|other|change|move)\b")
# The message's last part, after its last comma or stop: "no, sí, cancélala" → "cancélala"
_LAST_PART = re.compile(r"([^,.;:!?]+)[,.;:!?\s]*$")
_CANCEL_IT = re.compile(r"(?:(?:si|ya|mejor|entonces|ok|dale)\s+)*(?:cancel|anul|borr)\w*(?:la|lo|ela|elo)?$")
# "No, no puedo ir", "no. no voy a poder": a no on its own first (as typed: the commas are gone from ``norm``)
_A_NO_FIRST = re.compile(r"^\W*no+\s*(?:[,.;:!]|no\b)")


def _said_instead(ctx: Context, state: ConversationState, message: str) -> bool:
    """ "Mejor a las 11", "prefiero el jueves": a day or time wanted instead of the appointment they have."""
    norm = normalize(message)
    if not _INSTEAD.search(norm) or for_someone_else(norm) or wants_several(norm):
        return False
    instead = read_message(ctx, state, message)
    return bool(instead.day or instead.times or instead.part) and instead.intent not in ("cancel", "person")


def _instead_of_theirs(ctx: Context, state: ConversationState) -> bool:
    """The message that found their appointment began by taking it back for a day or time instead ("no, mejor otra
    hora, a las 10"; never "quiero otra hora el viernes, mejor en la tarde": one more)."""
    if not state.wish:
        return False
    if _TAKEN_BACK.match(normalize(state.wish)) is not None and _said_instead(ctx, state, state.wish):
        return True
    # "el jueves no puedo, agéndame el viernes a las 9" with their appointment on Thursday: "sí" at «¿una hora más,
    # cambiarla o cancelarla?» moves it (was: a second appointment begun beside the one they cannot keep)
    ruled_out = days_ruled_out(state.wish, ctx.today, WINDOW_DAYS)
    return any(datetime.fromisoformat(b.start).date() in ruled_out for b in state.bookings)


_TAKEN_BACK = re.compile(r"(?:(?:ups|uy|ay|oh|perdon|espera|pucha) )*(?:no+|mejor|prefiero|en vez|cambia\w*)\b")


# "sí? con quién era?", "ok? a qué hora?": a yes put as a question, then what the patient is unsure of
_YES_THEN_A_QUESTION = re.compile(r"^\W*(?:si+|sip|ok|okay|dale|ya|bueno|yes)\s*\?")


def _name_set_right(ctx: Context, state: ConversationState, norm: str) -> Reply | None:
    """At «¿Confirmo … a nombre de Tomás Pérez?», the name put right: "perdón, es para mi otro hijo, Diego Pérez",
    "es Diego Pérez, no Tomás" (that name, confirmed again), "no, mejor para mí" (the writer's own). Was: the same
    question with Tomás, and "sí" booked him. None: no such correction."""
    message = ctx.turn.message
    if not _PUTS_RIGHT.match(norm) and not _NOT_THAT_NAME.search(message) and not A_NAME_WRITTEN.fullmatch(
            message.strip(" .!")):
        return None
    not_that = check_person_name(_NOT_THAT_NAME.sub(" ", message)).value if _NOT_THAT_NAME.search(message) else ""
    name = not_that or check_person_name(message).value  # "no, María Colmenares": the name after the no
    if name and not A_NAME_WRITTEN.fullmatch(name):  # "Tomás no puede en la mañana": a sentence, not a name
        return None
    shared = set(fold(name).split()) & set(fold(state.patient_name).split())
    alone = bool(name) and only_a_name(message, name) and _a_person(ctx, name)  # "perdón, es María Colmenares"
    if name and not (_A_NAME_CUE.search(norm) or not_that or shared or alone):
        return None  # "no, es Control Sano", "perdón, es la sede de Las Condes": capitals, not a person
    if not name and (for_me(norm) or _MY_NAME.search(norm)):
        mine = evolve(state, for_other=False, patient_name="")
        return reask(ctx, mine, [ctx.say("for_me_named")], understood=True)
    if not name or fold(name) == fold(state.patient_name) or fold(name) == fold(ctx.turn.name):
        return None
    said = read_message(ctx, state, ctx.turn.message)
    if said.named or said.title or said.specialty or said.day or said.times or said.part:  # "…con la Dra. Soto"
        return None
    renamed = evolve(state, patient_name=name)
    return reask(ctx, renamed, [ctx.say("for_other_named", name=name)], understood=True)


def _name_put_right(ctx: Context, message: str) -> str:
    """A conversation's first message that only puts a name right ("perdón, es Carla Muñoz Soto", "me equivoqué, el
    nombre es …", "sorry, the name should be …"): the name — an appointment was just booked under another one, which
    the bot cannot change (a receptionist does). "": not such a message (a name with nothing that says it corrects
    one, a greeting, a day or a time, "mi nombre es …": whoever writes first)."""
    norm = normalize(message)
    if not _CORRECTS.search(norm) or _INTRODUCES.search(norm):
        return ""
    written = _MEANT_LEAD.sub(" ", _NOT_THAT_NAME.sub(" ", message))  # "…, no Carla Muñoz", "oops, I meant …"
    named = check_person_name(written).value
    if not named or not A_NAME_WRITTEN.fullmatch(named) or not _a_person(ctx, named) or _names_no_person(named):
        return ""
    if set(fold(named).lower().split()) & _NO_NAME_WORDS:  # "sorry, wrong number": no name at all
        return ""
    rest = fold(written).replace(fold(named), " ")
    if any(word not in _AROUND_A_CORRECTION for word in re.findall(r"[a-zñ]+", rest)):
        return ""  # "perdón, es Carla Muñoz, ¿tienen hora el lunes?": more than the name
    return named


_SURNAME = re.compile(r"\b(?:apellidos?|surname|last name)\b")
# What says a name is put right: an apology, a mistake owned, the name or surname named as such
# (the name named alone is no correction: "Nombre: Carla Muñoz", "a nombre de Carla Muñoz" is how a new patient says it)
_CORRECTS = re.compile(r"\b(?:perdon|perdona|perdone|disculpa|disculpe|ups|oops|sorry|me equivoque|me confundi|error"
                       r"|corrijo|correccion|(?:el|los|the) (?:nombre|apellidos?|name|surname|last name)|correct\w*"
                       r"|should be|deberia ser|debe ser|meant|mistake|typo|mal escrito)\b")
_MEANT_LEAD = re.compile(r"\b(?:I|i) meant\b|\b[Qq]uise decir\b")
# The writer introducing themself, not putting a name right
_INTRODUCES = re.compile(r"\b(?:(?:mi|my) (?:nombre|name)(?! (?:esta|estaba|quedo|salio|is wrong|was wrong)\b)|me llamo"
                         r"|hola|buenas|buenos dias|buenas tardes|hi|hello)\b")
# Words of a misdial or a courtesy, never of a name put right ("sorry, wrong number", "perdón, número equivocado",
# "sorry, never mind", "perdón, buen día")
_NO_NAME_WORDS = frozenset(
    """
    wrong number numero equivocado equivocada equivocados chat mensaje message person persona clinic clinica never
    mind ignore ignora ignoren that eso esto todo bien buen buena dia dias good morning afternoon evening night thank
    thanks you gracias muchas fine okay nothing nada olvida olvidalo forget sent envie enviado grupo group
    """.split()
)
_AROUND_A_CORRECTION = frozenset(
    """
    perdon perdona perdone disculpa disculpe ups uy oops sorry me equivoque confundi no si el la los su sus his her
    mi de del en con nombre apellido apellidos correcto correcta real es era son eran debe deberia ser va iba a al
    estaba esta quedo puse escribi mal escrito error sino quise decir se escribe llama o sea the name surname last is
    was should be i meant my mistake bad it its s that under correct right spelled spelt typo actually oh ah ay ya
    por favor porfa gracias please thanks pues po
    """.split()
)


def _a_person(ctx: Context, name: str) -> bool:
    """A name said alone can be a person's: not a place ("Las Condes"), a visit ("Control Sano", "Primera Consulta")
    nor one of the clinic's professionals ("Ana Soto")."""
    words = fold(name).split()
    return (words[0] not in _ARTICLES and not set(words) & _CLINIC_WORDS
            and not any(set(words) <= name_words(p) for p in ctx.professionals))


_ARTICLES = frozenset("el la los las the".split())
_CLINIC_WORDS = frozenset(
    """
    control sano nino consulta primera general clinica centro sede sucursal examen examenes urgencia urgencias
    telemedicina presencial particular hospital medicina salud box piso edificio mall plaza avenida calle av avda
    pasaje pje metro comuna region oficina consultorio cesfam
    """.split()
)
# What says a name follows: "es para (mi hijo) …", "a nombre de …", "se llama …", "me equivoqué de nombre", "el
# nombre es …"
_A_NAME_CUE = re.compile(rf"\b(?:para {WHOSE} (?:otr[oa] )?{RELATIVE}|a nombre de|se llama|equivoque de nombre"
                         r"|(?:el|su) nombre(?: correcto| real)? (?:es|era)|(?:el|la) paciente es|name is"
                         r"|under the name)\b")
# How a name put right begins: "no, …", "perdón, es para…", "me equivoqué…", "es Diego Pérez…", "a nombre de…"
_PUTS_RIGHT = re.compile(r"(?:no+|perdon|perdona|disculpa|disculpe|ups|sorry|oops|me equivoque|es|era|a nombre de|mejor"
                         r"|it'?s)\b")
# "…, no Tomás": the name that is not the one (as typed: capitalised)
_NOT_THAT_NAME = re.compile(r"\b[Nn]o(?:,?\s+|\s+(?:es|era)\s+)[A-ZÁÉÍÓÚÑ][\wáéíóúñ]+(?:\s+[A-ZÁÉÍÓÚÑ][\wáéíóúñ]+)*")


def _valid_answer(ctx: Context, state: ConversationState) -> bool:
    """The message answers the field asked ("12.345.678-5" at the RUT question), whatever else it says."""
    return bool(check(state.asking, ctx.turn.message, ctx.today).value)


def _unsure_yes(message: str, norm: str) -> bool:
    """"¿Sí?", "sí? a qué hora era?", "si? con quién?": a yes put as a question, or followed by what the patient is
    unsure of — never "¿Sí? sí, dale" (a yes after all) nor "¿sí? ok pero mejor a las 10" (a change, read as such)."""
    if _yes_asked_back(message, norm):
        return True
    if not _YES_THEN_A_QUESTION.match(fold(message)):
        return False
    after = normalize(message.split("?", 1)[1])
    return not after or _ASKS_WHAT.match(after) is not None


# What a patient unsure of the appointment asks after "sí?": "a qué hora era", "con quién", "qué día"
_ASKS_WHAT = re.compile(r"(?:(?:y|gracias|ok|ya|bueno|pero|perdon)\s+)*(?:a (?:que|q) hora|(?:que|q) hora|con quien"
                        r"|(?:para )?cuando|donde|(?:que|q) dia|cual|era con|es con|quien es|what time|when|with whom"
                        r"|where|which)\b")


def _yes_asked_back(message: str, norm: str) -> bool:
    """"¿sí?", "ok??": a yes and nothing else, asked as a question (a patient unsure what it does, or checking)."""
    return message.rstrip().endswith("?") and len(norm.split()) <= 2 and detect(norm).answer == "yes"


def _another_named(ctx: Context, state: ConversationState, norm: str, owner: str) -> Reply | None:
    """At «¿Cancelo (cambio) tu hora del jueves…?» with several listed, a message that names another of them in
    so many words ("ok, la de Rojas", "sí, la del viernes", "dale, pero la del viernes, no la del jueves"): that one
    asked about — or, to cancel, both ("…y la del viernes también") — never the one asked about done on its "ok"."""
    if state.cancel_each or state.target is None:
        return None
    ruled_out = _ruled_out(ctx, state, norm, owner)
    if ruled_out is not None and state.target in ruled_out:  # "sí, pero no la del jueves" asked about Thursday's:
        return ask_about_one_of(ctx.lang, state, ctx.clinic, [b for b in state.bookings if b not in ruled_out])
    if ruled_out and _LEADING_YES.match(_NOT_THAT_ONE.sub(" ", norm).strip()):  # "sí, (pero) no la del viernes":
        return _follow(ctx, state, Option(norm, _yes_kind(state)), norm)  # the yes, to the one asked about
    if len(state.bookings) < 2:  # "sí, la otra" with one appointment: which other? Asked again, nothing undone
        other = _OTHER_ONE.search(norm.replace("otra vez", " "))  # "sí, la otra vez también la cancelé": a yes
        return confirm_again(ctx.lang, state, ctx.clinic) if other else None
    cancelling = state.intent == "cancel"
    if cancelling and _LEADING_YES.match(norm) and _BOTH.search(norm):  # "sí, ambas", "sí, las dos": each one asked
        return cancel_each(ctx.lang, state, ctx.clinic)
    if not (_THE_ONE_OF.search(norm) or cancelling and _WITH_WHOM.search(norm)):  # "sí, con el dr rojas"
        return None
    # "…pero la del viernes, no la del jueves": what it is not left out (the commas are gone from ``norm``: "sí,
    # bueno no, la del viernes" reads as "…no la del viernes", then named as a whole)
    for said in dict.fromkeys((_NOT_THAT_ONE.sub(" ", norm), norm)):
        reading = read_message(ctx, None, said)
        who = _professionals_named(ctx, reading)
        words = naming_words(said, owner)
        named = named_bookings(state.bookings, reading.day, reading.times, who, words, by_weekday=reading.by_weekday)
        if named:
            break
    if named == [state.target] and _LEADING_YES.match(norm):  # "sí, cancela la del jueves": the yes, to that one
        return _follow(ctx, state, Option(norm, _yes_kind(state)), norm)
    if not named or state.target in named:
        return None
    if cancelling and _TOO.search(norm):
        return cancel_each(ctx.lang, state, ctx.clinic, among=[state.target, *named])
    return another_of_theirs(ctx.lang, state, ctx.clinic, None, reading.day, reading.times, who, words,
                             by_weekday=reading.by_weekday)


def _ruled_out(ctx: Context, state: ConversationState, norm: str, owner: str) -> list[WireBooking] | None:
    """The appointments a "no la del jueves" / "pero no la de Rojas" in the message rules out (None: no such
    words; [] they name none of them)."""
    found = _NOT_THAT_ONE.search(norm)
    # As typed: "sí, bueno no, la del viernes" is a no, then the one meant (the commas are gone from ``norm``)
    if found is None or not _NOT_THAT_ONE.search(fold(ctx.turn.message)):
        return None
    said = found.group(0)
    reading = read_message(ctx, None, said)
    return named_bookings(state.bookings, reading.day, reading.times, _professionals_named(ctx, reading),
                          naming_words(said, owner), by_weekday=reading.by_weekday)


# "la del viernes", "la de Rojas", "la con el doctor", "la mía": an appointment named, not a new day or time
_THE_ONE_OF = re.compile(r"\b(?:la|el|esa|ese) (?:del?|con|mi[ao])\b|\b(?:the one (?:on|at|with|for)|mine)\b")
_NOT_THAT_ONE = re.compile(r"\b(?:no|not) (?:la|el|esa|ese|the one) (?:del?|con|on|at|with)\b[^,.;:!?]*")
_TOO = re.compile(r"\b(?:tambien|ambas|(?<!de )(?<!a )las dos|los dos|too|also|both)\b")
# What may come with "me equivoqué" and says nothing more ("uy no, me equivoqué de chat", "disculpe, me equivoqué")
_AROUND_A_MISTAKE = frozenset(
    "uy ups ay oh no perdon disculpe disculpa sorry jaja es que ah de chat numero dia fecha hora si ok ya claro".split()
)
# "ambas", "las dos" — never "la de las dos" (two o'clock)
_BOTH = re.compile(r"\b(?:ambas|ambos|(?<!de )(?<!a )las (?:dos|2)|los dos|todas|both|all of them)\b")
_WITH_WHOM = re.compile(r"\bcon (?:el|la) (?:dr|dra|doctor|doctora|klga|klgo|kine\w*|ps|psic\w*)\b|\bwith dr\b")


def _whom_at_that_time(ctx: Context, state: ConversationState, reading: Reading) -> WireSlot | None:
    """At «A las 10:00 atienden varios profesionales. ¿Con quién?», the free slot of the one a bare surname ("rojas")
    or a title ("la doctora") fits, when only one of those offered does."""
    named = set(match_professionals(reading, ctx.professionals)) if reading.words else set()
    fits = [o.slot.id for o in state.options if o.slot is not None
            and (o.slot.professional in named if named else titled_as(reading.title, o.slot.professional))]
    return ctx.still_free(fits[0]) if len(fits) == 1 else None


def _named_by_where_it_goes(ctx: Context, state: ConversationState, option: Option | None, norm: str) -> bool:
    """At the list of appointments to move, the one picked is named only by where the move goes ("cámbiala para el
    viernes", "move my appointment to friday" picking Friday's): what names the appointment says nothing of it."""
    if (option is None or option.kind != "booking" or state.intent != "reschedule"
            or tapped(state, norm) is not None or place_named(norm) is not None):
        return False
    said = old_appointment_part(norm, True)
    if said.strip() == norm.strip():
        return False  # no aim in it: "la del viernes"
    reading = read_message(ctx, None, said)
    who = _professionals_named(ctx, reading)
    when_or_who = reading.day or reading.times or reading.part or who
    named = named_bookings(state.bookings, reading.day, reading.times, who,
                           () if when_or_who else naming_words(said, ctx.turn.name), by_weekday=reading.by_weekday,
                           part=reading.part)  # ("la del jueves, pásala…": by its day, never by "pásala")
    return option.key not in {b.booking_id for b in named}


def _one_listed_named(ctx: Context, state: ConversationState, norm: str, *, moving: bool) -> Reply | None:
    """The «¿Cancelo (Cambio) tu hora …?» of the one listed appointment a message names by its place ("la 2") or
    by its day, time, professional or person ("la del viernes" of "cambia la del viernes al lunes"); None: none."""
    intent = "reschedule" if moving else "cancel"
    said = old_appointment_part(norm, moving)  # "cambia la 2 | al lunes": the line numbered 2, never 14:00
    place = place_named(said)
    if place is not None:
        return another_of_theirs(ctx.lang, evolve(state, intent=intent), ctx.clinic, place, None, ())
    reading = read_message(ctx, None, said)
    return act_on_named(ctx.lang, state, ctx.clinic, intent, reading.day, reading.times,
                        _professionals_named(ctx, reading), naming_words(said, ctx.turn.name),
                        by_weekday=reading.by_weekday)


def _names_another(state: ConversationState, words: tuple[str, ...]) -> bool:
    """Whether whose it is ("la mía", "la de Tomás", "my mom's" with hers under another name) names one of the listed
    appointments other than the one asked about, and not that one."""
    named = named_bookings(state.bookings, None, (), (), words) if words else []
    if not named and A_RELATIVE.search(" ".join(words)) and state.target is not None:
        return state.target.booking_id not in state.others and any(
            b.booking_id in state.others for b in state.bookings)
    return bool(named) and state.target not in named


def _yes_kind(state: ConversationState) -> str:
    """The option a yes takes at this confirmation: the booking's, the move's or the cancel's."""
    if state.stage == CONFIRM:
        return "confirm"
    return "move_yes" if state.intent == "reschedule" else "cancel_yes"


def _move_confirm_but_not_this(ctx: Context, state: ConversationState, norm: str) -> Reply | None:
    """At a move's «¿Confirmo el viernes … en vez de tu hora del jueves?», a yes that is not for moving this one:
    "ok pero para mi hijo", "sí pero es la de mi hijo" (the relative's asked about, or hers again, never moved on that
    "ok"); "sí, pero quiero mantener la del jueves también" (that one stays, the new one is one more: asked again as a
    booking). None for any other answer."""
    name = ctx.turn.name
    if state.target is None or state.proposed is None:
        return None
    if not under_another_name(state.target, name) and _BUT_ANOTHERS.search(norm):
        theirs = [b for b in state.bookings if under_another_name(b, name)]
        if theirs:
            return ask_about_one_of(ctx.lang, state, ctx.clinic, theirs)
        return confirm_again(ctx.lang, state, ctx.clinic, unsure=True)
    if (_THE_ONE_THEY_HAVE.search(norm) and ("?" in ctx.turn.message or _CONFIRM_OR_STILL.search(norm))
            and not (says_cancel(norm) or asks_to_move(norm))):
        # "¿me confirman mi hora?", "can you confirm the appointment I have?", "is my thursday appointment still on?":
        # of the one they have — never the yes that moves it (nor its day's times); the move asked again
        return reask(ctx, state, [ctx.say("sure_first")], understood=True)
    said_yes = _LEADING_YES.match(norm) is not None or _BOOKS_IT.search(norm) is not None  # ("agéndala pero…")
    if _KEEP_IT_TOO.search(norm) or _BOTH_WANTED.search(norm) or (said_yes and _KEEPS_THE_OLD.search(norm)):
        # "sí, pero mantén la del jueves", "yes, and keep my thursday one", "yes but don't cancel thursday", "quiero
        # las dos": never moved on that yes (the old one cancelled); one more, asked as a booking
        kept = ctx.say("kept_and_one_more", **when_words(ctx.lang, state.target))
        fresh = ctx.still_free(state.proposed.id)
        booking = evolve(state, intent="", target=None, wish="")
        if fresh is not None:
            return confirm(ctx, booking, fresh, [kept])
        return _booking_start(ctx, evolve(booking, stage=CHOOSE_DAY), "")
    if said_yes and _KEEP_WHICH.search(norm):  # "sí, mantenla": which one, the old or the new? asked, nothing moved
        return reask(ctx, state, [ctx.say("sure_first")], understood=True)
    if ((_LEADING_NO.match(norm) and (_KEEPS_THE_OLD.search(norm) or _KEEP_WHICH.search(norm))
         and _no_other_day_named(state.target, norm)) or refuses_the_change(norm)):
        # "no, mantén la del jueves", "no, mantenla", "no, keep my thursday one": the move refused, the old one stays
        # (was: Thursday's times, where a tap moved it within its day); "no, no quiero cancelar nada", "I don't want
        # to cancel it" the same (were the new day's times, as a bare "no" is)
        return _follow(ctx, state, Option(norm, "cancel_no"), norm)
    return None


def _no_other_day_named(target: WireBooking, norm: str) -> bool:
    """No weekday named but the appointment's own ("mantén la del jueves" of Thursday's)."""
    own = datetime.fromisoformat(target.start).weekday()
    return all(WEEKDAYS.get(word) in (None, own) for word in norm.split())


# "ok pero para mi hijo", "sí pero es la de mi hijo", "yes but it's my son's": another person's, said after a yes
_BUT_ANOTHERS = re.compile(rf"\b(?:pero|but)\b(?: (?:es|era|is|it s|it is))?(?: (?:la|el|the one))?"
                           rf" (?:para|de|for|of) {WHOSE} {RELATIVE}\b(?! (?:no|dejala|dejalo|igual|stays)\b)"
                           rf"|\b(?:pero|but) (?:it s |it is )?{WHOSE} {RELATIVE} s\b")
# "pero quiero mantener la del jueves (también)", "but keep the thursday one too": the one being moved stays
_KEEP_IT_TOO = re.compile(
    r"\b(?:mantener\w*|mantengo|manten|conservar\w*|conservo|dejar|dejo|keep)\s+(?:la|el|mi|the|my)\s+"
    rf"(?:del?|de las?|hora|cita|anterior|otra|(?:{WEEKDAY_NAMES})(?: one)?|appointment|old one|other one|first one)\b"
    r".*\b(?:tambien|too|also|as well)\b"
)
# After a yes at a move's confirmation, the one being moved kept: "mantén la del jueves", "keep my thursday one",
# "don't cancel thursday", "no canceles la otra"
_KEEPS_THE_OLD = re.compile(
    r"\b(?:mantener\w*|mantengo|manten|conservar\w*|conservo|keep)\s+(?:(?:la|el|mi|the|my)\s+)?"
    rf"(?:del?|de las?|hora|cita|anterior|original|otra|(?:{WEEKDAY_NAMES})(?: one)?|appointment|old one|other one"
    r"|first one|original one)\b"
    r"|\bno (?:canceles|cancele|cancelen|borres|anules|quites) (?:la|el|mi) (?:del?|de las?|hora|cita|anterior|otra"
    rf"|original|{WEEKDAY_NAMES})\b|\b(?:don t|do not|dont) (?:cancel|delete|remove) (?:the |my )?(?:{WEEKDAY_NAMES}"
    r"|other|old|first|original|one i have)\b"
)
# At a move's confirmation, the appointment they have: "mi hora", "la hora que ya tengo", "my current appointment"
_THE_ONE_THEY_HAVE = re.compile(
    r"\b(?:mi|my) (?:hora|cita|turno|consulta|reserva|appointment|booking)\b|\b(?:la|el) (?:hora |cita |turno )?que"
    r" (?:ya )?tengo\b|\bthe (?:appointment|one|booking) i (?:already )?have\b|\b(?:my|mi) (?:current|actual)\b"
    rf"|\bmy (?:{WEEKDAY_NAMES}) (?:one|appointment)\b"
)
_CONFIRM_OR_STILL = re.compile(r"\bconfi\w*|\bsigue\w*\b|\bstill on\b|\bvigente\b|\bvalid\b")
# "quiero las dos", "I want both", "keep both": the old one and the new one
_BOTH_WANTED = re.compile(r"\b(?:quiero|quisiera|prefiero|necesito|mantener|mantengo|manten|want|need|keep|d like)"
                          r" (?:las dos|los dos|ambas|ambos|both)\b|^(?:las dos|ambas|both|both please|keep both)$")
_KEEP_WHICH = re.compile(r"\b(?:mantenla|mantenlo|manten|keep it)$")
_NO_AND_FILLERS = re.compile(r"^no+(?:[\s,.!]+(?:no+|espera|esperate|perdon|perdona|sorry|wait|ah|oh|uy|me equivoque))+"
                             r"(?=[\s,.!]+(?:es |era )?(?:la|el) (?:que|de|del)\b)")
_NONE_WORDS = r"ninguna|ninguno|neither"  # "ninguna", "neither": none of those listed
_NEITHER = re.compile(rf"\b(?:{_NONE_WORDS}|either)\b")
_CANT_MAKE_EITHER = re.compile(r"\b(?:can ?t|cannot|won ?t be able to) (?:make|go to|come to|attend) (?:either|any)\b")
_NONE_OF_THEM = re.compile(rf"\b(?:{_NONE_WORDS}|dejalas|dejalos|dejala|dejalo|none)\b")
# "no, esa no", "no, la otra", "not that one": another of the patient's appointments than the one asked about
# (never "la otra semana", "el otro jueves": a time asked for)
_OTHER_ONE = re.compile(r"\b(?:(?:esa|ese|esta|este) no|no (?:es )?(?:esa|ese)"
                        r"|(?:la|el) otr[ao](?! (?:semana|dia|fecha|mes|lunes|martes|miercoles|jueves|viernes|sabado"
                        r"|domingo)\b)|not that one"
                        r"|the other one|wrong one)\b"
                        r"|^no+[\s,.!]+(?:es |era )?(?:la|el) (?:que|de|del)\b")  # "no, la que tengo con la doctora"
# "cambia la otra" while a move's new time is being chosen: another of the patient's appointments ("el otro jueves"
# is a day)
_OTHER_APPOINTMENT = re.compile(
    r"\b(?:la|el) otr[ao]\b(?! (?:semana|dia|mes|fecha|lunes|martes|miercoles|jueves|viernes|sabado|domingo)\b)"
    r"|\b(?:the other one|wrong one)\b"
)
_LEAVES_IT = re.compile(r"(?:(?:no|ya|mejor|ah|oh|ok)[ ,]+)*(?:deja|dejala|dejalo|dejemos|manten|mantenla|mantenlo"
                        r"|quiero|quiero la|me quedo|leave|keep)\b")  # "deja la del jueves", "no, quiero la del jueves"
_LEADING_NO = re.compile(r"(?:(?:ya|mejor|ah|oh|uy|uff|hmm*|pensandolo bien|actually|wait|oops|sorry) )?no+\b")
# A yes held back by what follows it: "sí pero espera", "dale pero primero dime a qué hora era", "ok but wait"
_YES_BUT_NOT_YET = re.compile(
    r"^(?:si+|sip|ok|okay|oka|okey|dale|ya|claro|bueno|yes|sure|yeah|vale)\b[\s,.!]*(?:\w+[\s,.!]+){0,2}?(?:pero|but)\b"
    r".*\b(?:espera\w*|esperame|momento|segundo|minuto|antes|primero|first|wait|hold on|moment|sec|second|minute)\b"
)
# "sí, a menos que la pueda cambiar", "ok but only if I can rebook later": a yes on a condition, not one yet
_ON_A_CONDITION = re.compile(r"\b(?:a menos que|salvo que|a no ser que|excepto que|except if|unless|solo si"
                             r"|solamente si|siempre (?:y cuando|que)|only if|as long as|provided)\b")


def _on_a_condition(norm: str) -> bool:
    """A yes on a condition ("ok but only if I can rebook later"), but for a move asked in it ("yes unless I can move
    it": moved)."""
    return _ON_A_CONDITION.search(norm) is not None and detect(norm).intent != "reschedule"


# "yes but will I get a refund?", "sí, pero ¿me devuelven la plata?": a question on the yes, answered before anything
_BUT_ASKS = re.compile(r"\b(?:pero|but)\b[^?]*\?", re.IGNORECASE)


def _yes_with_a_question(message: str, norm: str) -> bool:
    """A leading yes with a question after "but" / "pero": never booked or cancelled on it (``_BUT_ASKS``)."""
    return bool(_LEADING_YES.match(norm)) and _BUT_ASKS.search(message) is not None


def _wanted_after_all(ctx: Context, state: ConversationState, norm: str) -> Reply | AgentStep | None:
    """At «¿Cancelo tu hora…?», an answer that wants an appointment kept, or another time: never cancelled on its yes.
    None: no such answer."""
    kept = _which_kept(ctx, state, norm)
    if kept == "this one":  # "agéndala", "sí, mantenla", "sí, pero mantén la del jueves" of Thursday's: asked again
        return confirm_again(ctx.lang, state, ctx.clinic, unsure=True)
    if kept == "another" and _LEADING_YES.match(norm):  # "sí, y mantén la del viernes": the yes, to this one
        return _follow(ctx, state, Option(norm, _yes_kind(state)), norm)  # (never «¿Cancelo… viernes?»)
    if (state.intent != "reschedule" and _GIVE_ME_ANOTHER.search(norm) and not says_cancel(norm)
            and yes_and_more(norm) is None):
        # "sí, pero dame otra hora", "ok, give me another time": a move — the old one kept until the new one is
        # booked (was cancelled on the yes)
        return _follow(ctx, evolve(state, intent="reschedule", wish=""), Option(norm, "move_yes"), norm)
    return None


def _which_kept(ctx: Context, state: ConversationState, norm: str) -> str:
    """At «¿Cancelo tu hora del jueves…?», words that want an appointment kept: "this one" — "sí, mantenla", "no, la
    quiero", "yes, and keep my thursday one" (also at «¿Cambio…?»), or at a cancel "book it", "agéndala", "resérvala",
    "sí, quiero hora" (the question read as a booking's) —, "another" ("sí, y mantén la del viernes"), or "" (none:
    "keep it", "déjala" are a no, read as ever; "sí, cancélala y agéndame otra", "sí, y agéndame otra el lunes" still
    the yes, the rest asked for after it)."""
    assert state.target is not None
    kept = _KEEPS_THE_OLD.search(norm)
    if kept is not None:
        said = norm[kept.start():].split()[:5]
        if {"otra", "otro", "other"} & set(said) and len(state.bookings) > 1:  # "sí, y mantén la otra": not this one
            return "another"
        days = {WEEKDAYS[w] for w in said if w in WEEKDAYS}
        return "this one" if not days or datetime.fromisoformat(state.target.start).weekday() in days else "another"
    if says_cancel(norm) or yes_and_more(norm) is not None or keeps_it(norm):
        return ""
    if _WANTS_IT_KEPT.search(fold(ctx.turn.message)):
        return "this one"
    if state.intent != "reschedule" and _BOOKS_IT.search(norm):
        said = read_message(ctx, None, ctx.turn.message)  # ("book it for friday": another time, read as ever — a move)
        return "" if said.day or said.times or said.part else "this one"
    return ""


# (never "ya no la quiero", "no la necesito": it is not wanted)
_WANTS_IT_KEPT = re.compile(r"(?<!\bno )\b(?:la|lo) quiero(?=\s*(?:[.,;!?]|$|po\b|pues\b|igual\b|todavia\b))"
                            r"|\b(?:mantenla|mantenlo|mantengala|la mantengo|me la quedo|i ll keep it|i will keep it"
                            r"|i want to keep it|i still want it)\b")
_BOOKS_IT = re.compile(r"\b(?:book (?:it|me|me in|that|this)|reserve it|schedule (?:it|me)|sign me up|i ll take it"
                       r"|agendala|agendame|agendamela|reservala|reservame|reservamela|tomala|la tomo"
                       # "ok, anótala", "dale, guárdala", "sí, confírmame la hora", "ok note it down": keep it
                       r"|anotala|anotamela|guardala|guardamela|dejala anotada|confirmame (?:la|mi) (?:hora|cita)"
                       r"|save it|note it down|keep it booked|hold it"
                       # "sí, te confirmo la hora", "yes I confirm my appointment": the appointment confirmed
                       r"|(?:te |le )?confirmo (?:la|mi) (?:hora|cita|reserva)|i confirm (?:the|my) appointment"
                       r"|quiero (?:una |otra )?(?:hora|cita|turno)|quiero (?:agendar|reservar)"
                       r"|i (?:want|need|d like) (?:an |another )?appointment|i d like to book)\b"
                       r"|(?:^|\b(?:si|yes|ok|dale|please|ya)\s+)(?:book|agenda|reserva)$")  # (not "de la agenda")


# After a leading yes, words that take it back or leave it unsure: "si, ah no, mejor no", "si si, o sea no", "ok,
# bueno no, …", "sí, aunque pensándolo bien no", "ok, lo pienso y te aviso", "ya, después te confirmo", "si, creo"
# (never the reason that goes with it: "sí, no puedo ir", "sí porfa, ya no la necesito")
_YES_TAKEN_BACK = re.compile(
    r"[\s,.;!]no(?:[\s.!]*$|[\s,.;!]+(?:mejor|espera|bueno|gracias|nada|todavia|aun)\b|,)"
    r"|\b(?:ah no|o sea no|mejor no|pensandolo bien|no se|no estoy segur[oa]|aunque|creo|quizas?|tal vez|a lo mejor"
    r"|lo pienso|dejame pensar\w*|lo voy a pensar|te aviso|le aviso|maybe|not sure|i think|let me think"
    r"|on second thought|actually no|i ll let you know)\b"
    r"|\b(?:despues|luego|mas rato|mas tarde)\b.*\b(?:confirm\w*|aviso|digo|escribo)\b"
    r"|\b(?:te|le) (?:confirmo|digo|escribo) (?:despues|luego|mas rato|mas tarde)\b"
)
# At «¿Confirmo…?», the answer put off: "mañana te confirmo", "te aviso en la tarde", "I'll confirm tomorrow" (never
# "sí, te confirmo": a yes)
_REPLY_WHEN = r"(?:despues|luego|mas rato|mas tarde|manana|en la (?:tarde|noche)|esta (?:tarde|noche)|en un rato)"
_SOON_NOT_A_DAY = r"(?:despues|luego|mas rato|mas tarde|en un rato)"
_PUT_OFF = re.compile(
    rf"\b{_REPLY_WHEN} (?:\w+ )?(?:te|le|les) (?:confirmo|aviso|digo|escribo)\b"
    rf"|\b(?:te|le|les) (?:confirmo|aviso|digo|escribo) {_REPLY_WHEN}\b"
    rf"|\b{_SOON_NOT_A_DAY} (?:\w+ )?(?:confirmo|aviso)\b|\b(?:confirmo|aviso) {_SOON_NOT_A_DAY}\b"
    r"|\bmanana (?:te |le )?(?:confirmo|aviso)$"
    r"|\bi ll (?:confirm|let you know|get back to you|tell you)\b(?! now\b)|\bconfirm (?:later|tomorrow|tonight)\b"
)
_LEADING_YES = re.compile(r"(?:si+|sip|ok|okay|dale|ya|claro|yes|sure|por favor|porfa)\b(?! no\b)")
_YES_THEN = re.compile(rf"(?:{_LEADING_YES.pattern}|listo|perfecto|yep)[\s,.:;!-]+")  # on the folded message


def _another_name_after_yes(message: str, own: str) -> str:
    """At «¿Confirmo…?», "sí, Juan Pérez": a yes, then a full name written as one that is not the writer's (the
    appointment is theirs: never booked under the phone's contact) — that name, or ""."""
    written = message.strip()
    lead = _YES_THEN.match(fold(written))  # (accents off, same places)
    rest = without_closing_words(written[lead.end():]).strip(" .!") if lead else ""  # "sí, Juan Pérez porfa"
    rest = _NAME_COMES.sub("", rest)  # "sí, es Juan Pérez", "sí, va Juan Pérez", "yes, it's John Smith"
    # (read in lower case too: "sí, Muchas Gracias", "yes, Thank You" are words no name has, capitals or not)
    # (the writer's own first name is theirs: "sí, Ana María Pérez" from Ana Pérez's phone books for her as ever)
    named = (bool(rest) and CAPITALISED_NAME.fullmatch(rest) is not None
             and fold(rest).split()[0] not in {*fold(own).split(), *_PLACE_WORDS} and not _names_no_person(rest)
             and bool(check_person_name(rest.lower()).value))
    return rest if named else ""


def _for_another_named_after_yes(message: str, own: str) -> bool:
    """At «¿Confirmo…?», "ok, es para Pedro", "yes, it's for Peter": a yes, then the appointment for someone named by a
    first name alone that is not the writer's (was booked under the writer's name): whose full name is asked."""
    written = message.strip()
    lead = _YES_THEN.match(fold(written))
    rest = _NAME_COMES.sub("", written[lead.end():].strip()) if lead else ""
    named = _FOR_SOMEONE_NAMED.match(rest)
    if named is None:
        return False
    words = without_closing_words(rest[named.end():]).strip(" .!")
    return (_A_FIRST_NAME.fullmatch(words) is not None and fold(words) not in fold(own).split()
            and not _names_no_person(words))


_A_FIRST_NAME = re.compile(r"[A-ZÁÉÍÓÚÑ][a-záéíóúñü'-]+")


_NAME_COMES = re.compile(r"^(?:es|era|va|sería|seria|(?:el|la) paciente es|it'?s|it is|the patient is)\s+", re.I)
_PLACE_WORDS = frozenset("la las el los lo the del de san santa av avenida calle".split())  # "sí, Las Condes"
# "…pero mejor a las 9:45", "prefiero a las 11": the time said is instead of this one's.
_INSTEAD = re.compile(r"\b(?:mejor|prefiero|preferiria|pero|mas bien|en vez|cambia\w*|si se puede|si es posible"
                      r"|better|rather|instead|prefer|but with"
                      # "la dejamos para el viernes", "pásala al lunes" (never "paso al tiro", "déjala para mí")
                      r"|(?:dej|pas|corr|mov|muev)\w* (?:para|pa|al) (?:el |la )?(?:lunes|martes|miercoles|jueves"
                      r"|viernes|sabado|domingo|manana|pasado|proxim\w*|otr[ao]|siguiente|\d))\b")
# "a mi nombre", "soy yo", "yo mismo": the appointment is the writer's own after all.
_MY_NAME = re.compile(r"\b(?:a mi nombre|(?:es )?mi nombre|a nombre mio|yo mism[oa]|soy yo|(?:in )?my name|myself"
                      r"|(?:primero )?(?:la|el|al) mi[ao](?: primero)?|mine(?: first)?|me first|it ?'?s (?:just )?me"
                      r"|it is me|just me)\b")
# "igual que el mío", "same as mine": a name (or surname) like the writer's, never the writer's own appointment
_LIKE_MINE = re.compile(r"\b(?:igual|mismo|misma|como|same|like)\b(?: (?:as|que|a|al))?(?: (?:el|la|the))?"
                        r" (?:mio|mia|mine)\b")
# A time in the answer to "¿A nombre de quién?": the patient speaks of another appointment too.
_ANOTHER_TIME_SAID = re.compile(r"\b(?:a las?|at)\s+\d{1,2}\b|\b\d{1,2}[:.h]\d\d\b|\b\d{1,2}\s*(?:am|pm|hrs?)\b")
# "No" alone to "¿Confirmo el viernes a las 10?" while moving: not that time (another is shown), the move goes on.
_BARE_NO = re.compile(r"(?:no|nop|nope|nah|no po|esa no|no esa no)")
_OLD_NAMED = re.compile(  # the appointment being moved, named by its day or time: "la del jueves", "la de las 10"
    r"\b(?:(?:la|el|mi)(?: (?:hora|cita|turno|consulta|control))?) (?:del|de la|de las|de el) (?:dia )?[a-z0-9:]+"
    r"(?: \d{1,2})?"
    r"|\b(?:el|la|lo) [a-z0-9:]+(?: \d{1,2})? (?:era|eran)\b"  # "el 5 era el miércoles 9": the 5 was the old one
)
_SAME_TIME = re.compile(r"\b(?:(?:(?:a )?la )?misma hora|(?:al |el )?mismo horario|same time)\b")


def _with_the_day_asked_before(ctx: Context, state: ConversationState, reading: Reading) -> str:
    """The move's aim from "sí, a las 10" at «¿Cambio la hora …?»: with the day the first message asked for ("cambia
    la hora de mi hijo al viernes" … "sí, a las 10": Friday at 10, never the old appointment's day at 10)."""
    message = ctx.turn.message
    if reading.day or reading.week or state.target is None or not state.wish:
        return message
    old = datetime.fromisoformat(state.target.start)
    before = _new_time_wished(ctx, state, state.wish, old)
    if before is None or not (before.week or before.day and before.day != old.date()):
        return message
    if before.day and before.times and (reading.times or reading.part):  # "…al lunes a las 11:40" … "a las 9":
        return f"{ctx.lang.day_long(before.day)}, {message}"  # that day, the time said last
    return f"{state.wish}, {message}"


def _new_time_wished(ctx: Context, state: ConversationState, wish: str, old: datetime) -> Reading | None:
    """What the message that asked for the move says about the new time: a day other than the old one's, or a week
    ("la otra semana"); None when it says nothing of it (or only names the old appointment's day)."""
    if not wish:
        return None
    # "cancela la del jueves y dame el martes", "no llego el jueves, cámbiala pal viernes": the new one is that day;
    # "prefiero la de las 12" (a time offered, not the appointment's 10:20) is the new one
    wish = _OLD_NAMED.sub(lambda named: " " if _names_old(ctx, state, named.group(0), old) else named.group(0),
                          move_aim_part(normalize(wish)))
    reading = read_message(ctx, state, wish)
    if reading.ambiguous and not reading.alternatives:
        return None
    relative = _relative_to_old(wish, reading, old)
    if relative is not None:  # "córrela para más tarde", "una semana después": from the old appointment's time
        return relative
    same_day = _SAME_DAY.search(wish) is not None and not reading.week and reading.day in (None, old.date())
    if not reading.day and not reading.week and not reading.alternatives and (reading.times or reading.part
                                                                              or same_day):
        reading = replace(reading, day=old.date())  # "mejor a las 11", "mejor en la tarde", "el mismo día": that day
    if not (reading.week or reading.alternatives or (reading.day and reading.day != old.date())
            or (reading.day == old.date() and (reading.times or reading.part or same_day))):
        return None
    if not reading.times and _SAME_TIME.search(wish):  # "la misma hora pero el martes"
        reading = replace(reading, times=((old.hour, old.minute),))
    return replace(reading, intent="book", specialty="")


def _names_old(ctx: Context, state: ConversationState, said: str, old: datetime) -> bool:
    """Whether "la del jueves" / "la de las 10" names the appointment being moved (its day or its time); "el 5
    era…" always does (what was picked was not what was meant)."""
    if re.search(r"\beran?\b", said):
        return True
    reading = read_message(ctx, state, said)
    if reading.times:
        return (old.hour, old.minute) in reading.times or (old.hour % 12, old.minute) in {
            (h % 12, m) for h, m in reading.times}
    return reading.day is None or reading.day == old.date() or (reading.by_weekday and reading.day.weekday()
                                                                == old.weekday())


_LATER = re.compile(r"\b(?:(?:un poco |algo )?mas tarde|mas tardecito|later)\b")
_EARLIER = re.compile(rf"\b(?:(?:un poco |algo )?mas temprano|mas tempranito|algo antes|earlier|{BRINGING_FORWARD})\b")
_WEEK_LATER = re.compile(
    r"\b(?:una semana (?:despues|mas tarde|mas)|(?:a )?la semana siguiente|(?:a|one) week later)\b"
)


def _relative_to_old(wish: str, reading: Reading, old: datetime) -> Reading | None:
    """A move's new time said from the old one: "una semana después", "same time next week" (the same time a week
    on), "más tarde" / "más temprano" (that same day, after or before it); None when the message says none of
    these."""
    same_day = reading.day is None or reading.day == old.date()
    if _WEEK_LATER.search(wish) and same_day:
        return Reading(day=old.date() + timedelta(days=7), times=reading.times or ((old.hour, old.minute),),
                       intent="book")
    if (reading.week and not reading.times and _SAME_TIME.search(wish) and _A_WEEK.search(wish)
            and (reading.day is None or reading.day.weekday() == old.weekday())):
        # "a la misma hora la próxima semana", "to the same time next week": its weekday that week, at its time
        day = reading.week + timedelta(days=(old.weekday() - reading.week.weekday()) % 7)
        return Reading(day=day, times=((old.hour, old.minute),), intent="book")
    if same_day and not reading.times and _LATER.search(wish):
        return Reading(day=old.date(), after=f"{old + timedelta(minutes=1):%H:%M}", intent="book")
    if same_day and not reading.times and _EARLIER.search(wish):
        return Reading(day=old.date(), before=f"{old:%H:%M}", intent="book")
    return None


_A_WEEK = re.compile(r"\b(?:semana|week)\b")  # a week said ("a la misma hora después del jueves" is not one)


def _someone_else_wished(ctx: Context, state: ConversationState, wish: str, professional: str) -> ConversationState:
    """A move to another professional or specialty than the appointment's ("me equivoqué, quería medicina general",
    "cámbiala con el Dr. Rojas"): the menus of those, not of the appointment's professional."""
    if not wish:
        return state
    reading = read_message(ctx, state, wish)
    named = match_professionals(reading, ctx.professionals)
    if named and professional not in named:
        return evolve(state, professionals=named, specialty=ANY_SPECIALTY)
    own = {specialty_key(s.specialty) for s in ctx.free if s.professional == professional and s.specialty}
    if reading.specialty in ctx.specialties and reading.specialty not in own:
        return evolve(state, professionals=(), specialty=reading.specialty)
    return state


def _professionals_named(ctx: Context, reading: Reading) -> tuple[str, ...]:
    """The professionals a message names: by name ("la del Dr. Rojas"), or by the specialty ("la de kine")."""
    named = set(match_professionals(reading, ctx.professionals))
    if reading.specialty:
        named |= {s.professional for s in ctx.free if s.specialty and specialty_key(s.specialty) == reading.specialty}
    return tuple(sorted(named))


def _other_professionals(ctx: Context, state: ConversationState) -> tuple[ConversationState, list[str]]:
    """"Otros profesionales": the others of the same specialty when it has them; when it has none, the same menu
    and that said (another specialty's times, one tap from a booking, are not what was asked for)."""
    specialty = state.specialty if state.specialty not in ("", ANY_SPECIALTY) else ""
    if specialty:
        same_specialty = evolve(state, professionals=())
        if state.professionals and {s.professional for s in ctx.pool(same_specialty)} - set(state.professionals):
            return same_specialty, []
        return state, [ctx.say("no_other_professionals", specialty=ctx.specialties.get(specialty, ""))]
    return evolve(state, professionals=(), specialty=ANY_SPECIALTY), []


def _none_fits(ctx: Context, state: ConversationState) -> Reply | None:
    """None of the times shown suits the patient: the days again; none of the days: the next ones, or after the
    last of them a polite end (nothing booked). Elsewhere (a confirmation, a question): None, read as usual."""
    if state.stage == CHOOSE_TIME and state.day:  # that day is not offered again
        return day_menu(ctx, evolve(state.skipping([state.day]), time_filter=""), notices=[ctx.say("none_fits_times")])
    if state.stage == CHOOSE_DAY and any(o.kind == "more_days" for o in state.options):
        return day_menu(ctx, state, notices=[ctx.say("none_fits_days")], after=page_day(state.page_last))
    if state.stage == CHOOSE_DAY:
        return _end(ctx, state, "cancelled")
    return None


def _stopped(ctx: Context, state: ConversationState, norm: str) -> Reply | Book | AgentStep:
    """"gracias", "chao", "no gracias" at a menu: a polite end — while one of theirs is being moved, «Entendido, tu
    hora sigue en pie» as "mejor déjala" has (was «Entendido, no reservé nada», as if nothing of theirs were at
    stake)."""
    if state.intent == "reschedule" and state.target is not None:
        return _follow(ctx, state, Option(norm, "cancel_no"), norm)
    return _end(ctx, state, "cancelled")


def _end(ctx: Context, state: ConversationState, reason: str) -> Reply:
    return handoff(state, ctx.turn, ctx.clinic, reason, opening=ctx.opening)


_BARE_DIGIT = re.compile(r"\d\.?")
_MISTAKEN = re.compile(r"\b(?:me equivoque|me confundi|i made a mistake|my mistake)\b")
_A_DOCTOR = re.compile(r"(?:(?:un|una|el|la|al|con|con un|con el) )?(?:medic[oa]|doctor|doctora|doc)"
                       r"(?: (?:normal|comun))?")
_THE_LINE_OR_THE_DATE = re.compile(r"(?:(?:quiero|me quedo con|dame|deme|prefiero|mejor|ok|ya|si) )?el (\d{1,2})"
                                   r"(?: (?:porfa|por favor|gracias|please))?")


def _the_line_said(state: ConversationState, norm: str) -> Option | None:
    """The time "el 2", "quiero el 2" names by its place: the line numbered 2, or at «¿Con quién?»'s buttons (one
    time, several professionals, no numbers shown) the second of them — never the 2nd of the month read at once."""
    line = _THE_LINE_OR_THE_DATE.fullmatch(norm)
    if line is None:
        return None
    number = int(line.group(1))
    listed = next((o for o in state.options if o.number == number and o.slot is not None), None)
    choices = offered_choices(state) if state.time_filter and not any(o.number for o in state.options) else ()
    return listed or (choices[number - 1] if 1 <= number <= len(choices) else None)


_THE_NUMBER = re.compile(r"(?:(?:la|el) )?(\d{1,2})\.?")  # "2", "la 2" ("opción 2" is a place, plainly)


def _may_be_an_hour(state: ConversationState, norm: str, picked_slot: WireSlot) -> bool:
    """A number picked a time by its place, and may have meant an hour: a digit at buttons with no numbers shown;
    or "2", "la 2" where that hour (or the afternoon one: 14:00) is another time of the same menu."""
    if not any(o.number for o in state.options):
        return _BARE_DIGIT.fullmatch(norm) is not None
    number = _THE_NUMBER.fullmatch(norm)
    if number is None:
        return False
    n = int(number.group(1))
    hours = {n, n + 12} if 1 <= n <= 12 else {n}
    return any(o.slot is not None and o.slot.id != picked_slot.id and o.slot.start_dt().minute == 0
               and o.slot.start_dt().hour in hours for o in offered_choices(state))
# "ok gracias, lo voy a pensar", "ya, déjame ver", "sí, te aviso": not a yes yet
_HESITATING = re.compile(rf"\b(?:{_UNSURE}|ver|veo|consult\w*|confirm\w*|avis\w*|despues|luego|mas tarde|momento"
                         r"|segundo|later|wait)\b")
_ANY_NO = re.compile(r"\b(?:no+|not|nunca|never|won t|cant|can t)\b")
_NEVER_MIND = re.compile(r"^(?:mejor no|no mejor|olvidalo|olvidate|olvida|dejalo|dejala|dejemoslo|dejemosla|no importa"
                         r"|ya no|nah|never ?mind|forget it|forget about it|don ?t bother)\b")
# "no voy a poder ir", "al final no podré asistir, disculpa": that and nothing else (never "no voy a poder llegar a la
# hora", "no puedo ir a buscar los resultados", "no voy a poder ir a la de mi hijo": late, something else, another's)
_ONLY_NOT_GOING = re.compile(
    r"(?:(?:hola|buenas|oye|ups|al final|finalmente|lamentablemente|lo siento|perdon|disculp\w*|creo que|me temo que"
    r"|sorry|unfortunately|i think)\s+)*"
    r"(?:no (?:voy a poder|podre|puedo|vamos a poder|podremos)(?: (?:ir|asistir|acudir|venir))?|ya no (?:voy|puedo ir)"
    r"|(?:ya )?no la (?:necesito|voy a necesitar|quiero)|i don t need it(?: anymore)?"
    r"|i (?:can t|cannot|won t be able to) (?:go|come|make it)|i won t make it)"
    r"(?:\s+(?:a la cita|a mi hora|a la consulta|al final|finalmente|disculp\w*|lo siento|perdon|gracias|sorry"
    r"|after all|thanks|po|pues|nomas|igual|ya|entonces))*"
)
# One more appointment, the writer's, said at another person's name question: "y otra hora para mí", "y yo también"
# (never "y yo soy su mamá", "y yo lo llevo", "otra vez para mi hijo")
_ONE_FOR_ME_TOO = re.compile(
    r"\b(?:otr[ao]|un[ao] mas|one more|another)\b(?! vez)(?: \w+){0,3} (?:para|pa|for) (?:mi|me)\b"
    r"(?! (?:hij|espos|mam|pap|herman|abuel|niet|tia|tio|sobrin|pareja|marido|senora|suegr|prim|son|daughter|wife"
    r"|husband|mother|father|mom|dad|kid|child|boy|girl)\w*)|\b(?:para mi tambien|i need one too|one for me too)\b")
# Another time asked for, and nothing else ("mejor otra hora", "no, quiero ver otras horas porfa")
_ONLY_ANOTHER_TIME = re.compile(
    r"(?:(?:no|mejor|quiero|quisiera|prefiero|dame|deme|muestrame|muestreme|ver|veamos|busca|buscame|una|ah|oh|uy"
    r"|perdon|pensandolo bien|show me|i want|i d like|rather|no wait)\s+)*"
    r"(?:otra hora|otro horario|otras horas|otros horarios|another time|a different time|other times)"
    r"(?:\s+(?:porfa|por favor|please|mejor|entonces|mas bien|instead))*"
)
_ONLY_ANOTHER_DAY = re.compile(
    r"(?:(?:no|mejor|quiero|quisiera|prefiero|dame|deme|una|ah|oh|uy|i want|i d like|rather|no wait)\s+)*"
    r"(?:otro dia|otra fecha|otros dias|another day|a different day|other days|some other day)"
    r"(?:\s+(?:porfa|por favor|please|mejor|entonces|mas bien|instead))*"
)
# "el mismo día", "para otra hora el mismo miércoles", "the same day": the old appointment's day
_SAME_DAY = re.compile(
    rf"\b(?:(?:el|ese|este|del|al) )?mismo (?:dia|{WEEKDAY_NAMES})\b|\b(?:the |that )?same (?:day|{WEEKDAY_NAMES})\b"
)
_DROP_LEAD = re.compile(r"^(?:no+|nah|mejor|olvid\w*|dej\w*|ya no|pensandolo bien)\b")


def _another_beside(state: ConversationState, message: str) -> bool:
    """Another appointment for a phone that has one already: whose it is is asked (a family shares a phone: "la de
    Lucas" was booked under the mother's WhatsApp name), unless the message says it is the writer's own."""
    said = normalize(f"{state.wish} {message}")
    return state.intent == CHECK_EXISTING and bool(state.bookings) and not for_me(said) and not _MY_NAME.search(said)


def drops_the_new_booking(state: ConversationState, norm: str, names_a_day: bool) -> bool:
    """A "cancel" said while choosing a new appointment that drops this booking, not one the patient has: at the
    times, the confirmation or the name question, or led by "no", "mejor", "olvídalo"; never when it names an
    appointment of theirs ("mi hora", "la del viernes")."""
    if names_own_booking(norm) or names_a_day:
        return False
    if _just_kept(state) and not _UNDOING_REFUSED.search(norm):
        return False  # "mejor sí cancélala", "no voy a poder ir": theirs (never "no cancelar")
    if state.stage in (CHOOSE_TIME, CONFIRM, ASK_FIELD):
        return True
    return state.stage == CHOOSE_DAY and bool(_DROP_LEAD.match(norm))


def _just_kept(state: ConversationState) -> bool:
    """Right after «Entendido, tu hora sigue en pie. Si quieres, puedes pedir otra hora.»: one of theirs just kept,
    only "Pedir otra hora" offered."""
    return (state.stage == CHOOSE_DAY and bool(state.bookings) and bool(state.options)
            and all(o.kind == "new_booking" for o in state.options))


def _dropped_new_booking(ctx: Context, state: ConversationState) -> Reply:
    """Nothing was booked; an appointment the patient already has is untouched, and how to cancel one is said."""
    return handoff(state, ctx.turn, ctx.clinic, "cancelled", opening=ctx.opening, closing=[ctx.say("cancel_own_how")])


def _follow(ctx: Context, state: ConversationState, option: Option, norm: str) -> Reply | Book | AgentStep:
    if option.kind == "day":
        return time_menu(ctx, state, date.fromisoformat(option.day))
    if option.kind == "more_days":
        return day_menu(ctx, state, after=page_day(state.page_last))
    if option.kind == "first_days":
        return day_menu(ctx, state)
    if option.kind == "new_booking":  # what the first message asked, if it said more than "hola"
        going_on = evolve(state, stage=CHOOSE_DAY, intent="", bookings=(), target=None, wish="", told=state.listed(),
                          for_other=state.for_other or _another_beside(state, ctx.turn.message))
        return _booking_start(evolve(ctx, opening=()), going_on, _same_day_as_theirs(ctx, state.bookings, state.wish),
                              tapped_to_book=True)
    if option.kind == "service":
        return after_specialty(ctx, evolve(state, service=option.key, wish=""), state.wish)
    if option.kind in ("booking", "cancel_one", "move_one", "cancel_yes", "cancel_no"):
        step = follow(state, ctx.turn, ctx.clinic, option)
        if step is not None:
            return step
    if option.kind == "move_yes" and state.target is not None:  # the new time, with the same professional first
        target = state.target
        start = datetime.fromisoformat(target.start)
        notice = ctx.say("move_intro", day=ctx.lang.day_long(start.date()), time=start.strftime("%H:%M"))
        same = tuple(p for p in {s.professional for s in ctx.free} if p == target.professional)
        moving = evolve(
            state, stage=CHOOSE_DAY, professionals=same, specialty=state.specialty or ANY_SPECIALTY, wish=""
        )
        moving = _someone_else_wished(ctx, moving, state.wish, target.professional)
        wanted = _new_time_wished(ctx, moving, state.wish, start)
        ruled_out = days_ruled_out(state.wish, ctx.today, WINDOW_DAYS)  # "no puedo ir el jueves, …": never moved
        if ruled_out:  # there, whatever else the message was read to ask
            moving = moving.skipping(d.isoformat() for d in ruled_out)
        if wanted is not None and wanted.day in ruled_out:
            monday = wanted.day - timedelta(days=wanted.day.weekday())
            week = wanted.week or (monday if monday > ctx.today else None)
            wanted = replace(wanted, day=None, times=(), by_weekday=False, week=week) if week else None
        if wanted is not None:  # "mejor el lunes en la mañana": straight there, the move explained first
            step = interpret(evolve(ctx, opening=(*ctx.opening, notice)), moving, wanted, normalize(state.wish))
            if isinstance(step, Reply):
                return step
        return day_menu(ctx, moving, notices=[notice])
    if option.kind in ("specialty", "any_specialty"):
        wish = state.wish
        state = evolve(state, specialty=option.key if option.kind == "specialty" else ANY_SPECIALTY, wish="")
        return after_specialty(ctx, state, wish)
    if option.kind in ("any_professional", "any_time"):
        notices: list[str] = []
        if option.kind == "any_professional":
            state, notices = _other_professionals(ctx, state)
        else:
            state = evolve(state, window=("", ""))
        if state.stage == CHOOSE_TIME and state.day:
            return time_menu(ctx, state, date.fromisoformat(state.day), notices=notices)
        return day_menu(ctx, state, notices=notices)
    if option.kind == "more_times" and state.day:
        return time_menu(
            ctx, state, date.fromisoformat(state.day), after=decode_slot_key(state.page_last),
            time_filter=state.time_filter,
        )
    if option.kind == "other_time" and state.day:  # the day's times from its first: the earlier ones too
        return time_menu(ctx, evolve(state, proposed=None), date.fromisoformat(state.day))
    confirmed = option.kind == "confirm"  # a yes to «¿Confirmo …?» naming it (not a time tapped from a list)
    if option.kind == "confirm" and state.proposed is not None:
        option = Option(option.label, "slot", slot=state.proposed)
    if option.kind == "slot" and option.slot is not None:
        wanted = option.slot
        fresh = ctx.still_free(wanted.id) or next(
            (s for s in ctx.free if s.start == wanted.start and s.professional == wanted.professional), None
        )
        if fresh is not None:
            return _book(ctx, state, fresh, norm, confirmed=confirmed)
        day = local_day(wanted)
        gone = ctx.say("slot_gone", time=clock(wanted), day=ctx.lang.day_label(day))
        return time_menu(ctx, state, day, notices=[gone], at=slot_key(wanted)[0])
    return day_menu(ctx, state)


def _book(ctx: Context, state: ConversationState, slot: WireSlot, norm: str, *,
          confirmed: bool = False) -> Reply | Book | AgentStep:
    """Book the slot the patient confirmed, once every patient field the web app requires is known. ``confirmed``:
    the patient said yes to «¿Confirmo …?» naming this slot, or answers the fields asked once it was picked (a time
    tapped from a list was not asked about)."""
    moving = state.intent == "reschedule" and state.target is not None
    same_time = None if confirmed or moving else same_time_as_booked(ctx, state, slot)  # the time of one booked a
    if same_time is not None:  # moment ago, tapped from an earlier menu: «Ya tienes hora … a esa hora», confirmed
        return same_time
    state, fields = missing(ctx, state)
    if fields:
        return ask(ctx, state, slot, norm, fields[0])
    if moving:  # moving an appointment, not a new one
        return reschedule_step(state, slot, ctx.turn.phone)
    booking = evolve(
        state,
        stage=BOOKING,
        day=local_day(slot).isoformat(),
        pending=slot,
        pending_message=norm,
        proposed=None,
        gave_up=False,
        asking="",
    )
    return Book(booking, slot, idempotency_key(state.conversation_id, slot.id))


def _aside_at_the_name_question(
    ctx: Context, state: ConversationState, slot: WireSlot, message: str, norm: str
) -> Reply | Book | AgentStep | None:
    """At «¿A nombre de quién reservo la hora?», an answer that is not a person's name: "mejor el viernes", "mejor
    con el dr rojas" (another time: the menus for it), "¿cuánto sale?" (answered, asked again), "Medicina general" or
    "Dr. Juan Rojas" (a specialty or a professional: never booked as the patient's name). None: read as a name."""
    if asks_to_wait(norm):  # "espera", "un momento", "hold on, checking my calendar": the question waits for them
        return ask(ctx, state, slot, state.pending_message, PATIENT_NAME, [ctx.say("take_your_time")])
    if _taken_back(message, PATIENT_NAME, ctx.today):  # "Tomás Soto, ah no, espera", "Tom Lee, actually no": asked
        # again, never booked
        return ask(ctx, state, slot, state.pending_message, PATIENT_NAME, [ctx.say("sure_first")])
    if not_a_name(message):  # "seguro que sí", "por supuesto": no name, and no question about insurance either
        return None
    reading = read_message(ctx, None, message)
    titled = bool(reading.title or reading.named)  # "Dr. Juan Rojas": never "Juan Rojas", a patient's name too
    # (a title, or "con el …", names a professional even one this clinic has not: "Dr. Rojas", "con el Martín
    # Vidal" were booked as the patient's name)
    professional = bool(reading.title or _WITH_SOMEONE.match(norm)) or (
        titled and bool(match_professionals(reading, ctx.professionals)))
    if _INSTEAD.search(norm) and (reading.day or reading.named or reading.specialty or reading.part):
        moved = evolve(state, stage=CHOOSE_TIME, asking="", proposed=None)
        return interpret(ctx, moved, read_message(ctx, moved, message), norm)
    named = without_insurer(message) if names_an_insurer(message) else ""
    if named and check_person_name(named).value:  # "Tomás Pérez (Banmédica)": the name (the insurer is no question)
        return _field_answer(ctx, state, named)
    if asks_about_clinic(norm) and not reading.found:
        return ask(ctx, state, slot, state.pending_message, PATIENT_NAME, [_about_the_clinic(ctx, norm)])
    if reading.specialty or professional:
        return ask(ctx, state, slot, state.pending_message, PATIENT_NAME, [ctx.say("name_not_a_professional")])
    return None


_WITH_SOMEONE = re.compile(r"(?:con|with) (?:el|la|the|dr|dra|doctor|doctora)\b")
# The name of a «¿Confirmo … a nombre de Tomás Soto?» said to be wrong: "el apellido es…", "el nombre está mal", "the
# surname is…", "his name is spelled…"
_NAME_SAID_WRONG = re.compile(
    r"\b(?:nombre|apellidos?|name|surname|last name)(?: \w+){0,2} (?:esta|estan|is|are|was|es|era) (?:mal|wrong"
    r"|incorrect\w*|equivocad\w*)\b|\b(?:el|mi|su|his|her|the) (?:apellidos?|surname|last name) (?:es|is|era|was)\b"
    r"|\b(?:mal escrit\w*|spelled|spelt|misspel\w*|tilde|acento)\b"
    r"|\b(?:cambia|change|corrige|fix) (?:el|the|his|her|su) (?:nombre|apellidos?|name|surname|last name)\b")


def _taken_back(message: str, field: str, today: date) -> bool:
    """At «¿A nombre de quién…?» (or any patient field's question), what is said after the answer takes it back: "Tomás
    Soto… no, mejor no", "Tomás Soto, ah no, espera", "Tom Lee. Sorry, no, it's for me", "12.345.678-5, ups no"
    (never "no wait, it's for my daughter Anna Lee": a name after it)."""
    folded = fold(message).lower()
    said = list(_VALUE_TAKEN_BACK.finditer(folded)) if len(folded) == len(message) else []
    if not said:
        return False
    after = message[said[-1].end():]  # "no wait, 12.345.679-3": the value given after it, the answer
    return not (check_person_name(after) if field == PATIENT_NAME else check(field, after, today)).value


# A name or a value taken back as it is given (after it, never before: "no espera, es para Sofía Vega" gives it)
_VALUE_TAKEN_BACK = re.compile(r"[\s,.;!](?:ah no|uy no|o sea no|mejor no|actually no|no wait|wait|hold on|esperate"
                              r"|espera|pensandolo bien|on second thought|no se si|not sure|no estoy segur[oa]"
                              r"|(?:sorry|perdon|perdona|disculpa|oops|ups)[\s,.;!]+no"
                              r"|no[\s,.;!]+(?:perdon|perdona|disculpa|sorry|oops|ups|espera|wait))\b"
                              r"|(?<!como)[\s,.;!]no[\s.!]*$")  # (never "cómo no": of course)


def _at_its_time(slot: WireSlot, times: tuple[tuple[int, int], ...]) -> bool:
    """Whether ``times`` (a reading's, as (hour, minute)) hold the slot's own time."""
    return clock(slot) in {f"{h:02d}:{m:02d}" for h, m in times}


def _another_day_instead(ctx: Context, state: ConversationState, slot: WireSlot, said: Reading, message: str,
                         norm: str) -> bool:
    """At «¿A nombre de quién…?» of a time on one day, the answer puts another day in its place: a correction with no
    name ("uy no, era para el martes", "oops, tuesday", "no, el martes a las 10"), or a name and that day ("Tomás
    Pérez, el martes", "Tomás Pérez, pero mejor el martes a las 10") — never a name and another appointment ("Diego
    Morales, el martes a las 10:20", "Tomás Pérez, y otra el martes": this one first), nor the day they cannot come."""
    other_day = said.day is not None and said.day != local_day(slot) or said.week is not None and said.day is None
    if not other_day or said.day in said.skip_days or _A_BIRTH_DATE.search(norm):
        return False  # (never "John Smith, DOB 12/03/1990": when he was born)
    if said.day is not None and not ctx.today <= said.day <= ctx.today + timedelta(days=WINDOW_DAYS):
        return False
    if _SETS_IT_RIGHT.match(norm):  # "uy no, …", "Ah No, Es El Martes": a correction, whatever its capitals
        return True
    if CAPITALISED_NAME.search(message):  # ("Tomás Pérez, el martes": his, that day — never Monday's unasked)
        if _ONE_FOR_ME_TOO.search(norm) or _ONE_MORE_BESIDE.search(norm):
            return False
        rest = read_message(ctx, state, CAPITALISED_NAME.sub(" ", message))  # (never "Domingo Pérez", "Tuesday
        if rest.day != said.day or rest.week != said.week:  # Weld": a day's word in the name)
            return False
        return _INSTEAD.search(norm) is not None or not said.times
    # "thursday morning works best for me", "el martes en la tarde": no name, only when — that day (was: booked at
    # this one's time under the writer's name, or «No pude leer ese nombre»)
    return _SETS_IT_RIGHT.search(norm) is not None or not (said.times or norm.strip().isdigit()  # ("1": no day)
                                                           or says_cancel(norm) or check_person_name(message).value)


_A_BIRTH_DATE = re.compile(r"\b(?:dob|born|birth\w*|nacid[oa]|naci|nacimiento|f nac|fec nac|cumple\w*)\b"
                           r"|\b(?:19|20)\d\d\b")
_ONE_MORE_BESIDE = re.compile(r"\b(?:otra|otro|otras|otros|another|tambien|also|too|ahora)\b")
# How a day put right begins or what it says: "uy no", "oops", "perdón", "me equivoqué", "era el martes", "I meant"
_SETS_IT_RIGHT = re.compile(r"^(?:uy|ay|ah|oh|ups|oops|no+|perdon|perdona|disculpa|disculpe|sorry|wait|espera"
                            r"|actually|en realidad)\b|\b(?:me equivoque|me confundi|era (?:para )?el|i meant|my bad"
                            r"|wrong day|mejor|instead|en vez|better)\b")


def _field_answer(ctx: Context, state: ConversationState, message: str) -> Reply | Book | AgentStep:
    """The patient's answer to a field the web app requires: asked again with the reason, or on to the next one."""
    slot = state.proposed
    if slot is None:  # a damaged record: the times again
        return day_menu(ctx, evolve(state, stage=CHOOSE_DAY, asking=""))
    norm = normalize(message)
    said = read_message(ctx, state, message) if state.asking == PATIENT_NAME else None
    if said is not None and _at_its_time(slot, said.skip_times):
        # "a las 10 no puedo", "a las 10 tengo otra cita": never this time booked under a name given next; its day's
        # (its day ruled out is read as before: "no puedo el jueves a las 10" rules out Thursday and leaves "a las
        # 10", never to be offered back as the way out)
        moved = evolve(state, stage=CHOOSE_TIME, asking="", proposed=None)
        return interpret(ctx, moved, read_message(ctx, moved, message), norm)
    if (said is not None and said.ambiguous and not CAPITALISED_NAME.search(message)
            and not check_person_name(message).value):
        # "friday would be better than thursday for me": when, unclear — the days (was: booked at this one's time
        # under the writer's name, "for me")
        moved = evolve(state, stage=CHOOSE_DAY, asking="", proposed=None)
        return interpret(ctx, moved, read_message(ctx, moved, message), norm)
    if said is not None and _another_day_instead(ctx, state, slot, said, message, norm):
        # "uy no, me equivoqué, era para el martes", "oops, tuesday", "Tomás Pérez, pero mejor el martes" at «¿A
        # nombre de quién…?»: that day's times (the name kept), never this one booked under the name "Uy No"
        named = CAPITALISED_NAME.search(message) and not _SETS_IT_RIGHT.match(norm)  # (never "Uy No")
        name = check_person_name(message).value if named else ""
        moved = evolve(state, stage=CHOOSE_DAY, asking="", proposed=None, patient_name=name or state.patient_name)
        return interpret(ctx, moved, read_message(ctx, moved, message), norm)
    said_another = said is not None and _ANOTHER_TIME_SAID.search(norm) is not None
    if said is not None and said_another and _at_its_time(slot, said.times):
        said_another = False  # "Martín Vidal, a las 9 está bien": this very time
    if said_another:
        if _INSTEAD.search(norm) or (_SETS_IT_RIGHT.search(norm) and not CAPITALISED_NAME.search(message)):
            # "Martín Vidal, pero mejor a las 9:45", "uy no, era a las 10": this appointment, at another time (never
            # «Primero la hora de las 9…», the 9 o'clock booked under the name given next)
            name = "" if _SETS_IT_RIGHT.match(norm) else check_person_name(message).value  # (never "Uy No")
            moved = evolve(state, stage=CHOOSE_TIME, asking="", proposed=None, patient_name=name or state.patient_name)
            return interpret(ctx, moved, read_message(ctx, moved, message), norm)
        # "ahora la de Diego Morales, a las 10:20": another appointment, not this one's name; this one first.
        this_one = ctx.say("name_this_one_first", day=ctx.lang.day_long(local_day(slot)), time=clock(slot))
        return ask(ctx, evolve(state, others_to_book=True), slot, state.pending_message, PATIENT_NAME, [this_one])
    if state.asking == PATIENT_NAME:
        aside = _aside_at_the_name_question(ctx, state, slot, message, norm)
        if aside is not None:
            return aside
    asked = state.asking
    if asked != PATIENT_NAME and _taken_back(message, asked, ctx.today):
        # "12.345.678-5, ah no, espera", "ana@gmail.com… no, mejor no", "…, wait": taken back as it is given — asked
        # again (was booked with it)
        return ask(ctx, state, slot, state.pending_message, asked, [ctx.say("sure_first")])
    state, problem = answer(ctx, state, message)
    if problem and asked == PATIENT_NAME and state.for_other and _ONE_FOR_ME_TOO.search(norm):
        # "y otra hora para mí" at «¿A nombre de quién…?» of her son's: one more, hers — never his booked under her
        # name; his name first, hers asked for once it is booked
        this_one = ctx.say("name_this_one_first", day=ctx.lang.day_long(local_day(slot)), time=clock(slot))
        return ask(ctx, evolve(state, more_asked=True), slot, state.pending_message, PATIENT_NAME, [this_one])
    if (problem and asked == PATIENT_NAME and (for_me(norm) or _MY_NAME.search(norm)) and not _LIKE_MINE.search(norm)
            and not CAPITALISED_NAME.search(message)):  # ("Tomás Soto y cámbiame la mía": never the writer's)
        state, problem = evolve(state, for_other=False, patient_name="", asking=""), ""  # under the WhatsApp name
    if (not problem and asked == PATIENT_NAME and state.patient_name
            and fold(state.patient_name).split() == fold(ctx.turn.name).split()):
        # "Rocio Cardenas" from Rocío Cárdenas: her own name typed without its accents — hers, spelt as her contact
        state = evolve(state, for_other=False, patient_name="")
    if problem == "one_person_name":  # "Sofía Muñoz y Tomás Muñoz": this one first, the other one after
        state = evolve(state, others_to_book=True)
    if not problem and asked == PATIENT_NAME and state.for_other and _ONE_FOR_ME_TOO.search(norm):
        state = evolve(state, more_asked=True)  # "Tomás Pérez, y otra hora para mí": hers asked for once his is booked
    if problem:
        return ask(ctx, state, slot, state.pending_message, state.asking, [ctx.say(problem)])
    fresh = ctx.still_free(slot.id) or next(
        (s for s in ctx.free if s.start == slot.start and s.professional == slot.professional), None
    )
    if fresh is None:  # taken while the patient typed: the times around it
        day = local_day(slot)
        gone = ctx.say("slot_gone", time=clock(slot), day=ctx.lang.day_label(day))
        return time_menu(ctx, evolve(state, stage=CHOOSE_TIME, proposed=None), day, notices=[gone],
                         at=slot_key(slot)[0])
    return _book(ctx, state, fresh, state.pending_message, confirmed=True)

