"""How a menu fits a WhatsApp message: up to 3 buttons, or a numbered list with up to 3 buttons below it.

A menu whose choices and extra actions (drop a filter, another day) fit 3 buttons is shown as buttons. A longer
one becomes a numbered list — one ``show`` text per line (each at most 80 characters), as many lines as the
continuation's 10 handlers leave room for (at most ``MAX_LIST``) — with 3 buttons below it: the first choice (the
soonest, one tap away), "more", and the extra actions that fit. Typing a line's number is the same as tapping
it. When too little room is left for a useful list (a long notice), the menu falls back to the 3-button page
(2 choices and "more").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from relay.conversation.menus import MAX_BUTTONS
from relay.conversation.replies import MAX_HANDLERS, MAX_SHOW, pieces_of

MAX_LIST = 7  # lines: more are hard to read on a phone
MIN_LIST = 4  # fewer lines than this are not worth a list


@dataclass(frozen=True)
class Layout:
    count: int  # choices shown on this page
    as_list: bool  # numbered lines (True) or one button per choice
    more: bool  # a "more" button follows
    extras: int  # extra action buttons that fit


def plan(remaining: int, extras: int, paragraphs: Sequence[str], prompt: str, used: int = 0) -> Layout:
    """The page for ``remaining`` choices and ``extras`` action buttons, after ``paragraphs`` and before ``prompt``
    (and after ``used`` more messages: the opening's)."""
    if remaining + extras <= MAX_BUTTONS:
        return Layout(remaining, False, False, extras)
    if remaining < MIN_LIST:  # a few choices: buttons, and the extras that still fit (the first ones first)
        return Layout(remaining, False, False, max(MAX_BUTTONS - remaining, 0))
    room = MAX_HANDLERS - 2 - used - sum(len(pieces_of(p)) for p in paragraphs) - max(len(pieces_of(prompt)) - 1, 0)
    if min(room, MAX_LIST) >= MIN_LIST:
        count = min(remaining, room, MAX_LIST)
        more = count < remaining
        return Layout(count, True, more, min(extras, MAX_BUTTONS - 1 - more))
    if remaining <= MAX_BUTTONS:
        return Layout(remaining, False, False, 0)
    return Layout(MAX_BUTTONS - 1, False, True, 0)


def numbered(number: int, text: str) -> str:
    """One line of the list: "3. Jueves 3 de diciembre", cut to Kommo's 80 characters."""
    line = f"{number}. {text}"
    return line if len(line) <= MAX_SHOW else line[: MAX_SHOW - 1].rstrip() + "…"
