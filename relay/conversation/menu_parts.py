"""The pieces every menu is built from: its choices laid out as buttons or a numbered list, the typing hint, and
the ``data`` the bot reads (``{{json.option_N}}`` and the patient's filters)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from relay.conversation.context import Context
from relay.conversation.evolve import evolve
from relay.conversation.layout import Layout, numbered
from relay.conversation.state import ANY_SPECIALTY, ConversationState, Option


def with_hint(ctx: Context, prompt: str, lines: list[str], as_list: bool) -> tuple[str, list[str]]:
    """Under a list, "type the number" follows the question, after the options: in the buttons' message when both
    fit it, else the question is a message of its own after the list and the hint comes with the buttons (the
    continuation splits them where the question ends, replies.pieces_of), as a receptionist would write them."""
    if not as_list:
        return prompt, lines
    return f"{prompt} {ctx.say('list_hint')}", lines


def arrange(
    choices: Sequence[Option], lines: Sequence[str], layout: Layout, more: Option, extras: Sequence[Option]
) -> tuple[list[Option], list[str], list[str]]:
    """(every option of the message, the button labels, the numbered lines) for a planned layout.

    Under a list, the first button is the first choice (the soonest, one tap away), then "more" and the extras.
    """
    actions = ([more] if layout.more else []) + list(extras[: layout.extras])
    if layout.as_list:
        numbered_choices = [evolve(c, number=n) for n, c in enumerate(choices, start=1)]
        texts = [numbered(n, line) for n, line in enumerate(lines, start=1)]
        return [*numbered_choices, *actions], [choices[0].label, *(a.label for a in actions)], texts
    options = [*choices, *actions]
    return options, [o.label for o in options], []


def menu_data(status: str, state: ConversationState, options: Sequence[Option]) -> dict[str, Any]:
    data: dict[str, Any] = {"status": status, "conversation_id": state.conversation_id}
    for index, option in enumerate(options, start=1):
        data[f"option_{index}"] = option.label
    if state.professionals:
        data["professional"] = ", ".join(state.professionals)
    if state.specialty and state.specialty != ANY_SPECIALTY:
        data["specialty"] = state.specialty
    if state.service:
        data["service"] = state.service
    return data
