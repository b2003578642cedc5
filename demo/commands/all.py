"""`cita-demo all`: the whole system on this machine, ending in the patient chat (what `make demo` runs).

The stand-in clinic web app, the stand-in Kommo, the relay with a demo clinic and a headless agent
all start on 127.0.0.1; the terminal becomes the patient's WhatsApp. Quitting the chat stops everything.
"""

from __future__ import annotations

import argparse
import random
import shutil
import signal
import sys
import tempfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from demo.commands import chat
from demo.portal import DEFAULT_STAFF_PASSWORD, DEFAULT_STAFF_USER

if TYPE_CHECKING:
    from demo.system import DemoSystem


# What the demo itself prints around the chat, in the clinic's language (the chat's own lines are in chat_view).
TEXTS: dict[str, dict[str, str]] = {
    "es": {
        "starting": "Iniciando Cita Bridge en este equipo ({what}, Kommo de prueba, relay, agente)...",
        "stand_in": "agenda web de prueba",
        "failed": "La demo no pudo iniciar: {error}\nRegistros: {root}",
        "portal_stand_in": "  Agenda web de la clínica (de prueba): {url}/   usuario {user} / contraseña {password}",
        "portal_other": "  Agenda web de la clínica ({kind}): {url}/   usuario {user}",
        "kommo": "  Kommo (de prueba):                  {url}/   ficha del paciente: {lead_url}",
        "relay": "  Relay:                              {url}/healthz",
        "logs": "  Registros del agente:               {path}",
        "you_are": "  Ahora eres {name}, paciente ({phone}). Escribe tu primer mensaje, p. ej.:",
        "example": "    hola, quiero hora con traumatología el viernes en la tarde",
        "buttons": "  Luego toca un botón escribiendo su número, o escribe lo que quieras (cancelar, cambiarla…).",
        "quit": "  Escribe 'salir' para terminar; todo se detiene.",
        "other_agenda": "  Las horas de esta demo quedaron en la agenda de {url}/",
        "stopping": "Deteniendo todo...",
        "patient": "Ana Pérez",
        "password_prompt": "Contraseña de {user} en {url}: ",
        "slow_read": "El agente aún no termina de leer la agenda web: las primeras respuestas pueden tardar.",
    },
    "en": {
        "starting": "Starting Cita Bridge on this machine ({what}, stand-in Kommo, relay, agent)...",
        "stand_in": "stand-in clinic web app",
        "failed": "The demo could not start: {error}\nLogs: {root}",
        "portal_stand_in": "  Clinic web app (stand-in): {url}/   user {user} / password {password}",
        "portal_other": "  Clinic web app ({kind}): {url}/   user {user}",
        "kommo": "  Kommo (stand-in):          {url}/   the patient's lead: {lead_url}",
        "relay": "  Relay:                     {url}/healthz",
        "logs": "  Agent logs:                {path}",
        "you_are": "  You are {name}, a patient ({phone}) now. Write your first message, e.g.:",
        "example": "    hi, I'd like an appointment with traumatology on Friday afternoon",
        "buttons": "  Then tap a button by typing its number, or write anything (cancel, move it…).",
        "quit": "  Type 'exit' to quit; everything stops.",
        "other_agenda": "  This demo's appointments are in the agenda of {url}/",
        "stopping": "Stopping everything...",
        "patient": "Emma Wilson",
        "password_prompt": "Password of {user} at {url}: ",
        "slow_read": "The agent has not finished reading the web app yet: the first answers may be slow.",
    },
}


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("all", help="the whole system on this machine, ending in the patient chat")
    parser.add_argument("--data", help="keep the demo's files in this folder (default: a temporary one)")
    parser.add_argument("--relay-port", type=int, default=8700, help="the relay's port (default 8700; 0: any free one)")
    parser.add_argument("--portal-port", type=int, default=0, help="the stand-in web app's port (default: a free one)")
    parser.add_argument("--kommo-port", type=int, default=0, help="the stand-in Kommo's port (default: a free one)")
    parser.add_argument("--language", "--lang", choices=("es", "en"), default="es",
                        help="the clinic's language: the bot, the chat, the demo's lines and the summary")
    parser.add_argument("--debug", action="store_true", help="show the relay's status after each bot turn")
    parser.add_argument("--browser-path", default="", help="the Chromium the agent drives (default: chromium on PATH)")
    parser.add_argument("--no-chat", action="store_true", help="start everything and wait (Ctrl-C stops)")
    parser.add_argument("--portal", default="demo", metavar="NAME",
                        help="the clinic web app's driver (`cita-agent drivers` lists them; default: the stand-in)")
    parser.add_argument("--portal-url", metavar="URL", default="",
                        help="a clinic web app already running there, instead of the stand-in")
    parser.add_argument("--portal-user", metavar="USER", default="", help="its user (with --portal-url)")
    parser.add_argument("--portal-password-stdin", action="store_true",
                        help="read its password from the first line of standard input (else it is asked)")
    parser.add_argument("--set", metavar="KEY=VALUE", action="append", default=[], dest="driver_set",
                        help="a setting of that web app's driver (repeatable)")
    parser.set_defaults(func=run)


def _portal_choice(args: argparse.Namespace) -> dict[str, object] | str:
    """The SystemConfig fields for the chosen web app, or why the choice cannot work."""
    if not args.portal_url:
        if args.portal != "demo":
            return f"--portal {args.portal} needs --portal-url (the stand-in is the only web app this starts)"
        return {"portal_user": DEFAULT_STAFF_USER, "portal_password": DEFAULT_STAFF_PASSWORD}
    if not args.portal_user:
        return "--portal-url needs --portal-user"
    if args.portal_password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        import getpass

        prompt = TEXTS[args.language]["password_prompt"]
        password = getpass.getpass(prompt.format(user=args.portal_user, url=args.portal_url))
    if not password:
        return "no password for the clinic web app"
    settings = {}
    for item in args.driver_set:
        key, sep, value = item.partition("=")
        if not sep:
            return f"--set {item!r} is not KEY=VALUE"
        settings[key.strip()] = value
    return {"portal_kind": args.portal, "portal_url": args.portal_url, "portal_user": args.portal_user,
            "portal_password": password, "driver_settings": settings}


def run(args: argparse.Namespace) -> int:
    from demo.system import DemoSystem, SystemConfig

    texts = TEXTS[args.language]
    portal = _portal_choice(args)
    if isinstance(portal, str):
        print(f"cita-demo all: {portal}", file=sys.stderr)
        return 2
    keep = bool(args.data)
    root = Path(args.data) if keep else Path(tempfile.mkdtemp(prefix="cita-demo-"))
    config = SystemConfig(
        root=root,
        language=args.language,
        browser_path=args.browser_path,
        relay_port=args.relay_port,
        portal_port=args.portal_port,
        kommo_port=args.kommo_port,
        **portal,  # type: ignore[arg-type]  # the stand-in's published demo account, or the web app given
    )
    system = DemoSystem(config)
    what = texts["stand_in"] if system.uses_stand_in else f"{config.portal_kind}, {config.portal_url}"
    print(texts["starting"].format(what=what), flush=True)
    _stop_on_termination()
    try:
        system.start()
    except (RuntimeError, TimeoutError, OSError) as exc:
        print(texts["failed"].format(error=exc, root=root), file=sys.stderr)
        system.stop()
        return 1
    except KeyboardInterrupt:
        system.stop()
        if not keep:
            shutil.rmtree(root, ignore_errors=True)
        return 0
    try:
        try:  # the first patient is answered from the agent's cache: ready once it has read the web app
            system.wait_for_first_read()
        except TimeoutError:
            print(texts["slow_read"], file=sys.stderr, flush=True)
        lead_id = str(random.SystemRandom().randint(10_000_000, 99_999_999))
        patient = DemoPatient(texts["patient"], chat.random_phone(), lead_id)
        print("\n".join(_addresses(system, texts, patient)), flush=True)
        if args.no_chat:
            _wait_forever()
            return 0
        chat_args = argparse.Namespace(
            relay=system.relay_url, clinic=config.clinic, kommo=system.kommo_url, subdomain=config.subdomain,
            lead_id=patient.lead_id, name=patient.name, phone=patient.phone, timeout=40.0, language=args.language,
            debug=args.debug,
        )
        code, seen = chat.run_session(chat_args)
        print(flush=True)
        for line in _summary(system, seen):
            print(line)
        if not system.uses_stand_in:
            print(texts["other_agenda"].format(url=system.portal_url))
        return code
    except KeyboardInterrupt:
        return 0
    finally:
        print(texts["stopping"], flush=True)
        system.stop()
        if not keep:
            shutil.rmtree(root, ignore_errors=True)


@dataclass(frozen=True)
class DemoPatient:
    name: str
    phone: str  # a new one for every demo patient: the relay ties appointments to it
    lead_id: str


def _addresses(system: DemoSystem, texts: dict[str, str], patient: DemoPatient) -> list[str]:
    config = system.config
    if system.uses_stand_in:
        portal = texts["portal_stand_in"].format(url=system.portal_url, user=config.portal_user,
                                                 password=config.portal_password)
    else:
        portal = texts["portal_other"].format(kind=config.portal_kind, url=system.portal_url, user=config.portal_user)
    lead_url = f"{system.kommo.account_base_url(config.subdomain)}/leads/detail/{patient.lead_id}"
    return [
        "",
        portal,
        texts["kommo"].format(url=system.kommo_url, lead_url=lead_url),
        texts["relay"].format(url=system.relay_url),
        texts["logs"].format(path=system.agent_home / "logs"),
        "",
        texts["you_are"].format(name=patient.name, phone=patient.phone),
        texts["example"],
        texts["buttons"],
        texts["quit"],
        "",
    ]


def _summary(system: DemoSystem, seen: list[dict]) -> list[str]:
    """Every appointment the chat made, in the clinic's language and time; with the stand-in, what its agenda says."""
    from zoneinfo import ZoneInfo

    from demo.summary import appointments_made, summary_lines

    made = appointments_made(seen)
    in_agenda = None
    if system.uses_stand_in and made:
        starts = [datetime.fromisoformat(a.start).date() for a in made if a.start]
        first, last = min(starts) - timedelta(days=1), max(starts) + timedelta(days=1)
        in_agenda = {str(a["id"]) for a in system.admin.appointments(first, last)}
    zone = system.config.timezone
    return summary_lines(made, language=system.config.language, tz=ZoneInfo(zone), zone_name=zone,
                         in_agenda=in_agenda)


def _stop_on_termination() -> None:
    """``kill``, ``timeout`` or a service manager (SIGTERM) and a closed terminal (SIGHUP) stop the demo as Ctrl-C
    does: the agent and its browser stop with the rest instead of running on without it."""

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    for name in ("SIGTERM", "SIGHUP"):
        number = getattr(signal, name, None)  # Windows has no SIGHUP
        if number is not None:
            signal.signal(number, interrupt)


def _wait_forever() -> None:
    import time

    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
