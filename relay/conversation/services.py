"""Which service, when the professional or specialty the patient wants offers more than one (and the slot's length
depends on it). The agent names each slot's service, and reports the services with their lengths; the patient is
asked only when their message or the bot's ``service`` data key did not say. Pure code.
"""

from __future__ import annotations

from collections.abc import Sequence

from relay.conversation.context import Context
from relay.conversation.evolve import evolve
from relay.conversation.layout import plan
from relay.conversation.menu_parts import arrange, menu_data, with_hint
from relay.conversation.menus import MAX_LABEL, fold
from relay.conversation.model import Reply
from relay.conversation.state import CHOOSE_DAY, ConversationState, Option

_WORD_MIN = 4  # shorter words ("de", "con") say nothing about a service


def offered(ctx: Context, state: ConversationState) -> list[str]:
    """The services the patient's other filters leave, as the clinic names them, in order of name."""
    return list(ctx.services(state))


def needs_service(ctx: Context, state: ConversationState) -> bool:
    return not state.service and len(offered(ctx, state)) > 1


def named_in(norm: str, names: Sequence[str]) -> str:
    """The one service a message names ("una limpieza dental por favor"), or ""."""
    if not names:  # (most clinics name none)
        return ""
    text = f" {fold(norm)} "
    words = set(text.split())
    hits = [n for n in names if f" {fold(n)} " in text]
    if not hits:
        hits = [
            n for n in names
            if (significant := [w for w in fold(n).split() if len(w) >= _WORD_MIN])
            and all(w in words for w in significant)
        ]
    return hits[0] if len(hits) == 1 else ""


def service_menu(ctx: Context, state: ConversationState, notices: Sequence[str] = ()) -> Reply:
    """Which service (with its length when the agent reported it); a wish said before it is kept for after."""
    names = offered(ctx, state)
    prompt = ctx.say("service_prompt")
    layout = plan(len(names), 0, [*ctx.opening, *notices], f"{prompt} {ctx.say('list_hint')}")
    layout = evolve(layout, more=False)  # any beyond the page can still be typed
    shown = names[: layout.count]
    choices = [Option(name[:MAX_LABEL], "service", key=name, number=n) for n, name in enumerate(shown, start=1)]
    lines = [f"{name} ({ctx.minutes(name)} min)" if ctx.minutes(name) else name for name in shown]
    options, buttons, texts = arrange(choices, lines, layout, Option("", "more_days"), [])
    prompt, texts = with_hint(ctx, prompt, texts, layout.as_list)
    state = evolve(
        state, stage=CHOOSE_DAY, day="", time_filter="", options=tuple(options), page_first=(), page_last=(),
        day_slots=(), pending=None, pending_message="", proposed=None,
    )
    data = menu_data("choose_day", state, options)
    data["code"] = "service"
    body = ctx.body(data, [*notices, *texts], prompt, buttons, ctx.clinic.bot_question_step)
    return Reply(state, body, "choose_day")
