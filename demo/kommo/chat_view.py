"""What the patient sees of a continuation, and what a typed line sends back: pure code for ``cita-demo chat``.

On WhatsApp a tap on a reply button sends the button's title as the patient's message (Kommo's
``{{message_text}}``), so typing a button's number here sends that button's text. When the bot shows a
numbered list ("1. …" lines), the numbers belong to the list (the relay reads them), and the buttons are
lettered instead: typing "a" sends the first button's text.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass, field
from typing import Any

QUIT_WORDS = frozenset({"salir", "exit", "quit", "/salir", "/exit"})

TEXTS: dict[str, dict[str, str]] = {
    "es": {
        "bot": "Bot",
        "you": "Tú",
        "welcome": "Chat de paciente con {clinic} (lead {lead}). Escribe tu primer mensaje; después, el número (o "
        "la letra) de un botón o lo que quieras. 'salir' para terminar.",
        "bye": "Chat terminado.",
        "no_kommo": "No se puede conectar con el Kommo de prueba en {url}. ¿Está corriendo `cita-demo kommo`?",
        "no_relay": "No se puede conectar con el relay en {url}. ¿Está corriendo `cita-relay serve`?",
        "relay_gone": "El relay en {url} no responde ahora (¿se está reiniciando?). El mensaje no llegó: "
        "vuelve a escribirlo en unos segundos.",
        "refused": "El relay rechazó el mensaje (HTTP {status}): {detail}",
        "unknown_clinic": "El relay no conoce la clínica {clinic!r} (HTTP 404). "
        "Revisa --clinic o `cita-relay list-clinics`.",
        "bad_secret": "El relay no aceptó la firma de Kommo (HTTP 401): ¿el secreto de la clínica en el relay "
        "es el mismo que el del Kommo de prueba?",
        "timeout": "El bot no respondió a tiempo ({seconds:g} s). Puedes volver a escribir.",
        "rejected": "Kommo rechazó la respuesta del bot (HTTP {status}): {reason}",
        "no_account": "El Kommo de prueba en {url} no tiene ninguna cuenta: inícialo con --subdomain.",
        "many_accounts": "El Kommo de prueba tiene varias cuentas ({names}): elige una con --subdomain.",
        "unknown_account": "El Kommo de prueba no tiene la cuenta {sub!r}.",
        "empty": "(el bot continuó sin mostrar nada)",
    },
    "en": {
        "bot": "Bot",
        "you": "You",
        "welcome": "Patient chat with {clinic} (lead {lead}). Write your first message; then a button's number (or "
        "letter) or anything you like. 'exit' to quit.",
        "bye": "Chat ended.",
        "no_kommo": "Cannot reach the stand-in Kommo at {url}. Is `cita-demo kommo` running?",
        "no_relay": "Cannot reach the relay at {url}. Is `cita-relay serve` running?",
        "relay_gone": "The relay at {url} is not answering now (restarting?). The message did not arrive: "
        "write it again in a few seconds.",
        "refused": "The relay refused the message (HTTP {status}): {detail}",
        "unknown_clinic": "The relay does not know the clinic {clinic!r} (HTTP 404). Check --clinic or "
        "`cita-relay list-clinics`.",
        "bad_secret": "The relay did not accept Kommo's signature (HTTP 401): does the clinic's secret in the relay "
        "match the stand-in Kommo's?",
        "timeout": "The bot did not answer in time ({seconds:g} s). You can write again.",
        "rejected": "Kommo rejected the bot's answer (HTTP {status}): {reason}",
        "no_account": "The stand-in Kommo at {url} holds no account: start it with --subdomain.",
        "many_accounts": "The stand-in Kommo holds several accounts ({names}): pick one with --subdomain.",
        "unknown_account": "The stand-in Kommo has no account {sub!r}.",
        "empty": "(the bot went on without showing anything)",
    },
}


@dataclass(frozen=True)
class BotMessage:
    text: str
    buttons: tuple[str, ...] = ()


@dataclass(frozen=True)
class BotTurn:
    """One continuation as the patient sees it; buttons are numbered 1.. across the whole turn."""

    messages: tuple[BotMessage, ...]
    status: str | None
    data: dict[str, Any] = field(default_factory=dict)  # the continuation's data (what the summary reads)

    @property
    def buttons(self) -> tuple[str, ...]:
        return tuple(b for m in self.messages for b in m.buttons)

    @property
    def numbered_list(self) -> bool:
        """The bot shows a numbered list: typed numbers go to it, and buttons are lettered."""
        return any(_LIST_LINE.match(m.text) for m in self.messages if not m.buttons)


_LIST_LINE = re.compile(r"^\d{1,2}\. ")
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


# Kommo's `show` holds at most 80 characters, so the relay cuts a longer paragraph into several shows (at a
# sentence or clause end where it can: relay.conversation.replies.split_text). On the terminal they are one message
# again: a show is a cut piece when it does not end a sentence and neither it nor the next is a numbered list line.
SHOW_LIMIT = 80
_ABBREVIATIONS = frozenset(
    {"dr.", "dra.", "drs.", "klga.", "klgo.", "sr.", "sra.", "srta.", "lic.", "mr.", "mrs.", "ms.", "ps.", "enf.",
     "tm.", "nº.", "no.", "av.", "st."}
)


def _ends_sentence(piece: str, following: str) -> bool:
    """The piece ends a sentence and the next one starts another ("… Dr." + "Andrés" and "(e.g." + '"10:30")' do
    not)."""
    last = piece.rstrip().rsplit(" ", 1)[-1]
    if not last.endswith((".", "?", "!", "…", ":")) or last.lower() in _ABBREVIATIONS:
        return False
    first = following.lstrip()[:1]
    return first.isupper() or first in "¿¡"


def _cut_piece(piece: str, following: str) -> bool:
    if not following.split() or not piece or _LIST_LINE.match(following) or _LIST_LINE.match(piece):
        return False
    if len(piece) < 0.4 * SHOW_LIMIT:  # the relay never ends a cut piece that early: this paragraph ended
        return False
    return not _ends_sentence(piece, following)


def _joined(messages: list[BotMessage]) -> list[BotMessage]:
    """Shows the relay cut out of one paragraph, put back together (a buttons show keeps its buttons)."""
    out: list[BotMessage] = []
    for message in messages:
        previous = out[-1] if out else None
        if previous is not None and not previous.buttons and _cut_piece(previous.text, message.text):
            out[-1] = BotMessage(f"{previous.text} {message.text}", message.buttons)
        else:
            out.append(message)
    return out


def bot_turn(body: dict[str, Any]) -> BotTurn:
    messages = []
    handlers = body.get("execute_handlers")
    for handler in handlers if isinstance(handlers, list) else []:
        if not isinstance(handler, dict) or handler.get("handler") != "show":
            continue
        params = handler.get("params") if isinstance(handler.get("params"), dict) else {}
        text = str(params.get("value", ""))
        buttons = params.get("buttons") if params.get("type") == "buttons" else None
        messages.append(BotMessage(text, tuple(str(b) for b in buttons) if isinstance(buttons, list) else ()))
    data = body.get("data")
    status = data.get("status") if isinstance(data, dict) else None
    return BotTurn(tuple(_joined(messages)), None if status is None else str(status),
                   dict(data) if isinstance(data, dict) else {})


def patient_message(typed: str, buttons: tuple[str, ...], lettered: bool = False) -> str:
    """The message a typed line sends: a button's title for its number (its letter, under a numbered list),
    else the text as written."""
    text = typed.strip()
    if lettered:
        if len(text) == 1 and text.lower() in _LETTERS[: len(buttons)]:
            return buttons[_LETTERS.index(text.lower())]
        return text
    if text.isdigit() and 1 <= int(text) <= len(buttons):
        return buttons[int(text) - 1]
    return text


def is_quit(typed: str) -> bool:
    return typed.strip().lower() in QUIT_WORDS


@dataclass(frozen=True)
class Style:
    """ANSI colours on a terminal, plain text in a pipe (so a scripted transcript stays clean)."""

    color: bool

    def _wrap(self, code: str, text: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.color else text

    def bot(self, text: str) -> str:
        return self._wrap("32", text)

    def button(self, text: str) -> str:
        return self._wrap("36", text)

    def dim(self, text: str) -> str:
        return self._wrap("2", text)

    def warn(self, text: str) -> str:
        return self._wrap("33", text)


def render_turn(
    turn: BotTurn, texts: dict[str, str], style: Style, *, debug: bool = False, width: int = 0
) -> list[str]:
    """The lines of one bot turn. ``debug`` adds the relay's status; ``width`` wraps long messages under their
    own prefix (a wrapped message stays one message: its next lines are indented, not a new "Bot ›")."""
    lines: list[str] = []
    number = 0
    prefix = f"{texts['bot']} › "
    for message in turn.messages:
        lines.extend(style.bot(line) for line in _wrapped(prefix, message.text, width))
        for button in message.buttons:
            mark = _LETTERS[number] if turn.numbered_list else str(number + 1)
            number += 1
            lines.append(style.button(f"      {mark}) {button}"))
    if not turn.messages:
        lines.append(style.dim(texts["empty"]))
    if debug and turn.status is not None:
        lines.append(style.dim(f"      [status: {turn.status}]"))
    return lines


def _wrapped(prefix: str, text: str, width: int) -> list[str]:
    if width <= len(prefix) + 20 or len(prefix) + len(text) <= width:
        return [prefix + text]
    pieces = textwrap.wrap(text, width - len(prefix), break_long_words=True) or [""]
    return [prefix + pieces[0], *(" " * len(prefix) + piece for piece in pieces[1:])]
