"""Kommo continuation bodies, and the one check of every limit they must respect.

Limits (KOMMO.md and WhatsApp): at most 10 handlers; a ``show`` value of at most 80 characters; at most 3
reply buttons of at most 20 characters; ``goto`` types question/answer/finish. Text longer than a show
allows is split into several shows, and the whole text also goes into ``data.message``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from relay.conversation.menus import MAX_BUTTONS, MAX_LABEL, fold
from relay.conversation.model import STATUSES

MAX_HANDLERS = 10
MAX_SHOW = 80
GOTO_TYPES = ("question", "answer", "finish")
SHOW_TYPES = ("text", "buttons")
HANDLERS = ("show", "goto")
# Statuses that wait for the patient's answer: the bot loops back to the widget_request step.
WAITING = ("choose_day", "choose_time")


_ABBREVIATION = re.compile(r"^(?:\(?[a-záéíóúñ]{1,4}\.|[a-z]\.[a-z]\.)$", re.IGNORECASE)  # "Dr." "p." "ej." "e.g."


def _break_rank(before: str, after: str) -> int:
    """How good a place between two words is to end a WhatsApp message: 3 after a sentence, 2 before a bracket or
    quote, 1 after a clause, 0 anywhere else (never after "Dr." or "p. ej.")."""
    if before.endswith((".", "?", "!", "…")) and not _ABBREVIATION.match(before):
        return 3
    if after[:1] in "(«\"“¿¡":
        return 2
    if before.endswith((",", ";", ":", ")", "»")):
        return 1
    return 0


def split_text(text: str, limit: int = MAX_SHOW) -> list[str]:
    """Pieces of at most ``limit`` characters, each a message of its own on WhatsApp: whole words, ended where a
    sentence or a clause ends when that keeps at least 40 % of the piece (so "(p. ej. «10:30»)" is never cut in
    two); a word longer than a piece is cut."""
    return list(pieces_of(text, limit))


def pieces_of(text: str, limit: int = MAX_SHOW) -> tuple[str, ...]:
    """``split_text`` as a tuple, worked out once per text: menus say the same sentences to every patient."""
    if len(text) > _PIECES_CACHED:
        return _pieces.__wrapped__(text, limit)
    return _pieces(text, limit)


_PIECES_CACHED = 1000  # characters: a longer text (a rare long notice) is split anew


@lru_cache(maxsize=8192)
def _pieces(text: str, limit: int) -> tuple[str, ...]:
    words: list[str] = []
    for word in text.split():
        while len(word) > limit:
            words.append(word[:limit])
            word = word[limit:]
        if word:
            words.append(word)
    pieces: list[str] = []
    start = 0
    while start < len(words):
        end, length = start, -1
        while end < len(words) and length + 1 + len(words[end]) <= limit:
            length += 1 + len(words[end])
            end += 1
        end = max(end, start + 1)
        if end < len(words):  # a break is needed: the best place that keeps the piece long enough
            best, best_rank, used, depth = end, -1, -1, 0
            for cut in range(start + 1, end + 1):
                before = words[cut - 1]
                used += 1 + len(before)
                depth += before.count("(") + before.count("«") - before.count(")") - before.count("»")
                inside = depth > 0  # never inside brackets or quotes
                rank = _break_rank(before, words[cut]) if used >= 0.4 * limit and not inside else -1
                if rank >= best_rank and rank > 0:
                    best, best_rank = cut, rank
            end = best if best_rank > 0 else end
        pieces.append(" ".join(words[start:end]))
        start = end
    return tuple(pieces)


def _question_last(pieces: tuple[str, ...]) -> tuple[str, ...]:
    """A question too long for one message, cut so that the one with the buttons is not a stub ("Traumatología?",
    "Rojas?"): the words from the nearest preposition that makes it long enough ("con el Dr. Andrés Rojas,
    Traumatología?") move to it; never a name cut in two (none to cut at: left as it was)."""
    if len(pieces) < 2 or len(pieces[-1]) >= 0.4 * MAX_SHOW or pieces[-2].endswith((".", "?", "!", "…")):
        return pieces  # long enough, or a sentence of its own
    head, last = pieces[-2].split(), pieces[-1]
    best, used = len(head), len(last)
    for cut in range(len(head) - 1, 0, -1):
        used += 1 + len(head[cut])
        if used > MAX_SHOW:
            break
        if head[cut].lower() in _STARTS_A_PHRASE:
            best = cut
            if used >= 0.4 * MAX_SHOW:  # long enough: the nearest such cut
                break
    if best == len(head):
        return pieces
    return (*pieces[:-2], " ".join(head[:best]), " ".join([*head[best:], last]))


_STARTS_A_PHRASE = frozenset({"con", "with", "a", "para", "for", "under", "on", "at"})


def continuation(
    data: dict[str, Any],
    paragraphs: Sequence[str],
    prompt: str = "",
    buttons: Sequence[str] = (),
    question_step: int | None = None,
) -> dict[str, Any]:
    """The body for Kommo's return_url.

    ``paragraphs`` become text shows, ``prompt`` + ``buttons`` one buttons show, and ``question_step`` a final
    goto (the bot waits for the patient's answer there). ``data.message`` always holds the whole text.
    """
    texts = [piece for paragraph in paragraphs for piece in pieces_of(paragraph)]
    buttons = [b[:MAX_LABEL] for b in buttons[:MAX_BUTTONS] if b.strip()]
    prompt_value = ""
    if buttons:
        prompt_pieces = _question_last(pieces_of(prompt)) or ("…",)
        texts.extend(prompt_pieces[:-1])
        prompt_value = prompt_pieces[-1]
    room = MAX_HANDLERS - (1 if buttons else 0) - (1 if question_step is not None else 0)
    if len(texts) > room:  # the rest stays readable in data.message
        texts = texts[:room]
        texts[-1] = texts[-1][: MAX_SHOW - 1].rstrip() + "…"
    handlers: list[dict[str, Any]] = [{"handler": "show", "params": {"type": "text", "value": t}} for t in texts]
    if buttons:
        handlers.append(
            {"handler": "show", "params": {"type": "buttons", "value": prompt_value, "buttons": list(buttons)}}
        )
    if question_step is not None:
        handlers.append({"handler": "goto", "params": {"type": "question", "step": question_step}})
    message = " ".join(p.strip() for p in [*paragraphs, prompt] if p and p.strip())
    return {"data": {**data, "message": message}, "execute_handlers": handlers}


def check_continuation(body: Any) -> list[str]:
    """Every way ``body`` breaks Kommo's or WhatsApp's limits; empty when it is fine."""
    problems: list[str] = []
    if not isinstance(body, dict):
        return ["the body is not an object"]
    extra = set(body) - {"data", "execute_handlers"}
    if extra:
        problems.append(f"unexpected keys {sorted(extra)}")
    data = body.get("data")
    if not isinstance(data, dict):
        problems.append("data is not an object")
        data = {}
    status = data.get("status")
    if status not in STATUSES:
        problems.append(f"data.status {status!r} is not one of {STATUSES}")
    for key, value in data.items():
        if not isinstance(key, str) or not key:
            problems.append(f"data key {key!r} is not a name")
        if not isinstance(value, str | int | float | bool) and value is not None:
            problems.append(f"data.{key} is not a plain value (Kommo reads it as {{{{json.{key}}}}})")
    try:
        json.dumps(body, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as exc:
        problems.append(f"not JSON: {exc}")
    handlers = body.get("execute_handlers")
    if not isinstance(handlers, list) or not handlers:
        return [*problems, "execute_handlers is not a non-empty list"]
    if len(handlers) > MAX_HANDLERS:
        problems.append(f"{len(handlers)} handlers (at most {MAX_HANDLERS})")
    for index, handler in enumerate(handlers):
        where = f"handler {index}"
        if not isinstance(handler, dict) or not isinstance(handler.get("params"), dict):
            problems.append(f"{where} is not an object with params")
            continue
        kind, params = handler.get("handler"), handler["params"]
        if kind not in HANDLERS:
            problems.append(f"{where}: unknown handler {kind!r}")
        elif kind == "show":
            problems.extend(_check_show(where, params))
        else:
            if params.get("type") not in GOTO_TYPES:
                problems.append(f"{where}: goto type {params.get('type')!r} is not one of {GOTO_TYPES}")
            step = params.get("step")
            if isinstance(step, bool) or not isinstance(step, int) or step < 0:
                problems.append(f"{where}: goto step {step!r} is not a step number")
            if index != len(handlers) - 1:
                problems.append(f"{where}: goto is not the last handler")
    last = handlers[-1] if isinstance(handlers[-1], dict) else {}
    waits = last.get("handler") == "goto" and last.get("params", {}).get("type") == "question"
    if status in WAITING and not waits:
        problems.append(f"status {status} waits for an answer but the last handler is not a goto question")
    if status in WAITING and not any(
        isinstance(h, dict) and h.get("params", {}).get("type") == "buttons" for h in handlers
    ):
        problems.append(f"status {status} shows no buttons")
    return problems


def _check_show(where: str, params: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    kind, value = params.get("type"), params.get("value")
    if kind not in SHOW_TYPES:
        problems.append(f"{where}: show type {kind!r} is not one of {SHOW_TYPES}")
    if not isinstance(value, str) or not value.strip():
        problems.append(f"{where}: show value is empty or not text")
    else:
        if len(value) > MAX_SHOW:
            problems.append(f"{where}: show value has {len(value)} characters (at most {MAX_SHOW})")
        if any(ord(c) < 32 for c in value):
            problems.append(f"{where}: show value holds control characters")
    if kind == "buttons":
        buttons = params.get("buttons")
        if not isinstance(buttons, list) or not buttons:
            problems.append(f"{where}: buttons is not a non-empty list")
            return problems
        if len(buttons) > MAX_BUTTONS:
            problems.append(f"{where}: {len(buttons)} buttons (at most {MAX_BUTTONS} on WhatsApp)")
        for button in buttons:
            if not isinstance(button, str) or not button.strip():
                problems.append(f"{where}: a button is empty or not text")
            elif len(button) > MAX_LABEL:
                problems.append(f"{where}: button {button!r} has {len(button)} characters (at most {MAX_LABEL})")
            elif any(ord(c) < 32 for c in button):
                problems.append(f"{where}: button {button!r} holds control characters")
        folded = [fold(b) for b in buttons if isinstance(b, str)]
        if len(set(folded)) != len(folded):
            problems.append(f"{where}: two buttons read the same, a tap could not be told apart")
    elif "buttons" in params:
        problems.append(f"{where}: a text show carries buttons")
    return problems
