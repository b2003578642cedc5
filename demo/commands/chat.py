"""`cita-demo chat`: a WhatsApp-like patient chat in the terminal, talking to the relay through the stand-in Kommo.

Each turn asks the stand-in (``POST /_stand_in/say``) to play Kommo: sign a widget_request, POST it to
the relay, and return the continuation the relay sent back. With stdin not a terminal, every line is
one scripted turn and the transcript is printed, so a script can hold a whole conversation.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from demo.kommo.chat_view import TEXTS, BotTurn, Style, bot_turn, is_quit, patient_message, render_turn

DEFAULT_KOMMO = "http://127.0.0.1:8701"


class ChatEnded(Exception):
    """The chat cannot go on; the message says why, in the patient's language."""


@dataclass(frozen=True)
class ChatSettings:
    relay_widget_url: str
    kommo_url: str
    subdomain: str
    lead_id: str
    name: str
    phone: str
    timeout_s: float


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("chat", help="a patient's WhatsApp chat with the clinic's bot, in the terminal")
    parser.add_argument("--relay", required=True, help="the relay's base URL, e.g. http://127.0.0.1:8700")
    parser.add_argument("--clinic", required=True, help="the clinic's name in the relay")
    parser.add_argument("--kommo", default=DEFAULT_KOMMO, help=f"the stand-in Kommo (default {DEFAULT_KOMMO})")
    parser.add_argument("--subdomain", help="the Kommo account (default: the stand-in's only account)")
    parser.add_argument("--lead-id", help="the patient's lead id in Kommo (default: a random one)")
    parser.add_argument("--name", default="Ana Pérez", help="the patient's name")
    parser.add_argument("--phone", help="the patient's phone (default: a random one, so each chat is another patient)")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for the bot's answer")
    parser.add_argument("--language", choices=sorted(TEXTS), default="es", help="the chat's own messages")
    parser.add_argument("--debug", action="store_true", help="show the relay's status after each bot turn")
    parser.set_defaults(func=run)


def random_phone(rng: random.Random | None = None) -> str:
    """A Chilean mobile number nobody else in the demo has (the relay ties appointments to the phone)."""
    digits = (rng or random.SystemRandom()).randint(10_000_000, 99_999_999)
    return f"+56 9 {digits // 10_000} {digits % 10_000:04d}"


def run(args: argparse.Namespace) -> int:
    return run_session(args)[0]


def run_session(args: argparse.Namespace) -> tuple[int, list[dict[str, Any]]]:
    """The chat, and the data of every continuation the bot sent in it (what the demo's summary reads)."""
    texts = TEXTS[args.language]
    seen: list[dict[str, Any]] = []
    interactive = sys.stdin.isatty()
    style = Style(color=sys.stdout.isatty())
    kommo_url = args.kommo.rstrip("/")
    with httpx.Client(timeout=httpx.Timeout(args.timeout + 15.0, connect=5.0)) as http:
        try:
            settings = ChatSettings(
                relay_widget_url=f"{args.relay.rstrip('/')}/kommo/{args.clinic}",
                kommo_url=kommo_url,
                subdomain=args.subdomain or _only_account(http, kommo_url, texts),
                lead_id=args.lead_id or str(random.randint(10_000_000, 99_999_999)),
                name=args.name,
                phone=args.phone or random_phone(),
                timeout_s=args.timeout,
            )
            _say_line(texts["welcome"].format(clinic=args.clinic, lead=settings.lead_id), style.dim)
            _converse(http, settings, args, texts, style, read_line=_reader(interactive, texts, style), seen=seen)
        except ChatEnded as ended:
            print(style.warn(str(ended)), file=sys.stderr)
            return 1, seen
        except KeyboardInterrupt:
            print()
    _say_line(texts["bye"], style.dim)
    return 0, seen


def _converse(
    http: httpx.Client,
    settings: ChatSettings,
    args: argparse.Namespace,
    texts: dict[str, str],
    style: Style,
    read_line: Callable[[], str | None],
    seen: list[dict[str, Any]],
) -> None:
    buttons: tuple[str, ...] = ()
    lettered = False
    # The patient writes first, as on WhatsApp: the first message may already say what they want.
    message = _next_message(read_line, buttons, lettered)
    while message is not None:
        turn = _one_turn(http, settings, args, message, texts, style, relay_seen=bool(seen))
        if turn is not None:
            seen.append(turn.data)
            width = shutil.get_terminal_size((100, 24)).columns if sys.stdout.isatty() else 0
            for line in render_turn(turn, texts, style, debug=getattr(args, "debug", False), width=width):
                print(line)
            print(flush=True)
            if turn.buttons:
                buttons, lettered = turn.buttons, turn.numbered_list
        message = _next_message(read_line, buttons, lettered)


def _next_message(read_line: Callable[[], str | None], buttons: tuple[str, ...], lettered: bool) -> str | None:
    """What the patient sends next (a tapped button's title, or the text), or None when they quit."""
    while True:
        typed = read_line()
        if typed is None or is_quit(typed):
            return None
        if typed.strip():
            return patient_message(typed, buttons, lettered)


def _one_turn(
    http: httpx.Client,
    settings: ChatSettings,
    args: argparse.Namespace,
    message: str,
    texts: dict[str, str],
    style: Style,
    relay_seen: bool = False,
) -> BotTurn | None:
    """The bot's answer, or None (after saying why) when there is none this time but the chat can go on.

    A relay that answered before and is unreachable now is most likely restarting: the chat goes on (the patient
    writes again), as WhatsApp would; one never reached ends the chat with what to check.
    """
    ask = {
        "relay_widget_url": settings.relay_widget_url,
        "subdomain": settings.subdomain,
        "lead_id": settings.lead_id,
        "message": message,
        "name": settings.name,
        "phone": settings.phone,
        "timeout": settings.timeout_s,
    }
    try:
        response = http.post(f"{settings.kommo_url}/_stand_in/say", json=ask)
    except httpx.TransportError as exc:
        raise ChatEnded(texts["no_kommo"].format(url=settings.kommo_url)) from exc
    answer = _json(response)
    if response.status_code == 200:
        if not answer.get("accepted"):
            print(style.warn(texts["rejected"].format(status=answer.get("status_code"), reason=answer.get("reason"))))
            return None
        return bot_turn(answer.get("body") or {})
    error = answer.get("error")
    if error == "no_continuation":
        print(style.warn(texts["timeout"].format(seconds=settings.timeout_s)), flush=True)
        return None
    if error == "relay_unreachable" and relay_seen:
        print(style.warn(texts["relay_gone"].format(url=args.relay)), flush=True)
        return None
    if error == "relay_unreachable":
        raise ChatEnded(texts["no_relay"].format(url=args.relay))
    if error == "unknown_account":
        raise ChatEnded(texts["unknown_account"].format(sub=settings.subdomain))
    if error == "relay_refused":
        status = answer.get("status")
        if status == 404:
            raise ChatEnded(texts["unknown_clinic"].format(clinic=args.clinic))
        if status == 401:
            raise ChatEnded(texts["bad_secret"])
        raise ChatEnded(texts["refused"].format(status=status, detail=str(answer.get("detail", ""))[:200]))
    raise ChatEnded(texts["refused"].format(status=response.status_code, detail=response.text[:200]))


def _only_account(http: httpx.Client, kommo_url: str, texts: dict[str, str]) -> str:
    try:
        response = http.get(f"{kommo_url}/_stand_in/accounts")
    except httpx.TransportError as exc:
        raise ChatEnded(texts["no_kommo"].format(url=kommo_url)) from exc
    names = [a["subdomain"] for a in _json(response).get("accounts", [])]
    if not names:
        raise ChatEnded(texts["no_account"].format(url=kommo_url))
    if len(names) > 1:
        raise ChatEnded(texts["many_accounts"].format(names=", ".join(names)))
    return names[0]


def _reader(interactive: bool, texts: dict[str, str], style: Style) -> Callable[[], str | None]:
    """A function giving the patient's next line, or None at the end of input."""
    prompt = f"{texts['you']} › "
    if interactive:
        try:
            import readline  # noqa: F401  (line editing and history for input())
        except ImportError:  # Windows
            pass

    def from_terminal() -> str | None:
        try:
            return input(prompt)
        except EOFError:
            print()
            return None

    def from_script() -> str | None:
        line = sys.stdin.readline()
        if not line:
            return None
        line = line.rstrip("\r\n")
        if line.strip():
            print(f"{prompt}{line}", flush=True)  # echoed so the transcript reads like the conversation
        return line

    return from_terminal if interactive else from_script


def _json(response: httpx.Response) -> dict:
    try:
        parsed = response.json()
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def _say_line(text: str, paint: Callable[[str], str]) -> None:
    """The chat's own line, wrapped to the terminal's width (a pipe gets it whole)."""
    width = shutil.get_terminal_size((100, 24)).columns if sys.stdout.isatty() else 0
    for line in textwrap.wrap(text, width) if width > 20 else [text]:
        print(paint(line), flush=True)
