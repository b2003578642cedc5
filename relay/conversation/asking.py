"""Asking the patient for the fields the clinic's web app requires (e-mail, national ID, birth date) before booking,
and, first, the name of the person an appointment for someone else is for ("para mi mamá").

After the patient confirmed a time (a tapped time or "sí"), each required field the patient has not given (nor the
bot's widget_request data, keys ``email`` / ``national_id`` / ``birth_date``) is asked for in turn; an answer that
does not check out (conversation/fields.py) is asked again with the reason. "Otra hora" goes back to the times,
"cancelar" ends the conversation as anywhere else. Pure code.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from relay.conversation.context import Context
from relay.conversation.evolve import evolve
from relay.conversation.fields import check
from relay.conversation.menus import local_day
from relay.conversation.model import Reply
from relay.conversation.state import ASK_FIELD, PATIENT_NAME, ConversationState, Option
from wire.messages import WireSlot

_NOT_IN_A_NAME = frozenset("<>{}[]=\\|/@#$%^*_~`")


def names_a_person(name: str) -> bool:
    """A WhatsApp name a booking can go under: at least three letters ("Li", "yo", "🙂" are asked for), and no
    markup, address or code ("<script>…", "www.tienda.cl", "{{contact.name}}"): those are asked for too."""
    if any(c in _NOT_IN_A_NAME for c in name) or "http" in name.lower() or "www." in name.lower():
        return False
    return sum(c.isalpha() for c in name) >= 3


# The fields that are a person's own (never the writer's given for someone else); an e-mail may be the writer's
WHOSE_OWN = frozenset({"national_id", "birth_date"})


def missing(ctx: Context, state: ConversationState) -> tuple[ConversationState, list[str]]:
    """The state with every required field the bot's data gives (when valid), and the fields still missing."""
    given = dict(state.patient)
    for field in ctx.patient_fields:
        if state.for_other and field in WHOSE_OWN:  # the writer's RUT or birth date is never the child's
            continue
        preset = str(getattr(ctx.turn, field, "") or "")
        if field not in given and preset:
            checked = check(field, preset, ctx.today)
            if checked.value:
                given[field] = checked.value
    state = evolve(state, patient=tuple(given.items()))
    # Whose appointment, first: someone else's, or the patient's own when their WhatsApp name is too short for a
    # web app's form ("yo", "Li", an emoji): asked, not sent to be refused.
    moving = state.intent == "reschedule" and state.target is not None  # the appointment moved keeps its name
    unnamed = not moving and (state.for_other or not names_a_person(ctx.turn.name))
    name = [PATIENT_NAME] if unnamed and not state.patient_name else []
    return state, [*name, *(f for f in ctx.patient_fields if f not in given)]


def ask(
    ctx: Context, state: ConversationState, slot: WireSlot, norm: str, field: str, notices: Sequence[str] = ()
) -> Reply:
    """The question for ``field``, with "Otra hora" and "Cancelar" buttons; the confirmed slot is kept."""
    paragraphs = list(notices)
    theirs = state.for_other and state.patient_name  # "¿Cuál es el RUT de Tomás Vega?", never "tu RUT" for a child
    if not state.asking and state.stage != ASK_FIELD and not notices and field != PATIENT_NAME:  # once, not per field
        paragraphs.insert(0, ctx.say("fields_intro_for", patient=state.patient_name) if theirs
                          else ctx.say("fields_intro"))
    options = (Option(ctx.say("other_time"), "other_time"),)
    buttons = [options[0].label, ctx.say("cancel_button")]  # "cancelar" is a command wherever it is typed
    state = evolve(
        state, stage=ASK_FIELD, asking=field, proposed=slot, day=local_day(slot).isoformat(), options=options,
        pending=None, pending_message=norm, time_filter="",
    )
    data: dict[str, Any] = {
        "status": "choose_time", "conversation_id": state.conversation_id, "code": "patient_field", "field": field,
        "option_1": buttons[0], "option_2": buttons[1],
    }
    question = (ctx.say(f"ask_{field}_for", patient=state.patient_name) if theirs and field in WHOSE_OWN
                else ctx.say(f"ask_{field}"))
    body = ctx.body(data, paragraphs, question, buttons, ctx.clinic.bot_question_step)
    return Reply(state, body, "choose_time")


def answer(ctx: Context, state: ConversationState, message: str) -> tuple[ConversationState, str]:
    """The patient's answer to the field asked: (the state with it, "") or (the state, the texts key of why not)."""
    checked = check(state.asking, message, ctx.today)
    if not checked.value:
        return state, checked.problem
    if state.asking == PATIENT_NAME:
        return evolve(state, patient_name=checked.value, asking=""), ""
    given = {**dict(state.patient), state.asking: checked.value}
    return evolve(state, patient=tuple(given.items()), asking=""), ""
