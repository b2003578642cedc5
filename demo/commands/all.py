"""`cita-demo all`: the whole system on this machine, ending in the patient chat (what `make demo` runs).

The stand-in clinic web app, the stand-in Kommo, the relay with a demo clinic and a headless agent
all start on 127.0.0.1; the terminal becomes the patient's WhatsApp. Quitting the chat stops everything.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

from demo.portal import DEFAULT_STAFF_PASSWORD, DEFAULT_STAFF_USER


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("all", help="the whole system on this machine, ending in the patient chat")
    parser.add_argument("--data", help="keep the demo's files in this folder (default: a temporary one)")
    parser.add_argument("--relay-port", type=int, default=8700, help="the relay's port (default 8700; 0: any free one)")
    parser.add_argument("--language", choices=("es", "en"), default="es", help="the bot's language")
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

        password = getpass.getpass(f"Password of {args.portal_user} at {args.portal_url}: ")
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
    from demo.commands import chat
    from demo.system import DemoSystem, SystemConfig

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
        **portal,  # type: ignore[arg-type]  # the stand-in's published demo account, or the web app given
    )
    system = DemoSystem(config)
    what = "portal" if system.uses_stand_in else f"{config.portal_kind} at {config.portal_url}"
    print(f"Starting Cita Bridge on this machine ({what}, Kommo stand-in, relay, agent)...", flush=True)
    try:
        system.start()
    except (RuntimeError, TimeoutError, OSError) as exc:
        print(f"The demo could not start: {exc}\nLogs: {root}", file=sys.stderr)
        system.stop()
        return 1
    try:
        print(
            "\n".join(
                [
                    "",
                    f"  Clinic web app (stand-in): {system.portal_url}/   user {DEFAULT_STAFF_USER} / "
                    f"password {DEFAULT_STAFF_PASSWORD}" if system.uses_stand_in else
                    f"  Clinic web app ({config.portal_kind}): {system.portal_url}/   user {config.portal_user}",
                    f"  Relay:                     {system.relay_url}/healthz",
                    f"  Agent logs:                {system.agent_home / 'logs'}",
                    "",
                    "  You are the patient now. Tap a button by typing its number, or write (e.g. 'mañana', '10:30').",
                    "  Type 'salir' to quit; everything stops.",
                    "",
                ]
            ),
            flush=True,
        )
        if args.no_chat:
            _wait_forever()
            return 0
        patient = "Ana Pérez"
        chat_args = argparse.Namespace(
            relay=system.relay_url, clinic=config.clinic, kommo=system.kommo_url, subdomain=config.subdomain,
            lead_id=None, name=patient, phone="+56 9 1234 5678", timeout=40.0, language=args.language,
        )
        code = chat.run(chat_args)
        if not system.uses_stand_in:
            print(f"  Bookings made in this chat are in the agenda of {system.portal_url}/")
            return code
        booked = [a for a in system.admin.appointments() if a.get("patient_name") == patient]
        for appointment in booked:
            print(f"  In the clinic web app's agenda now: {appointment['start']} with {appointment['professional']}"
                  f" for {appointment['patient_name']} (appointment {appointment['id']})")
        if not booked:
            print("  No appointment was booked in this chat.")
        return code
    except KeyboardInterrupt:
        return 0
    finally:
        print("Stopping everything...", flush=True)
        system.stop()
        if not keep:
            shutil.rmtree(root, ignore_errors=True)


def _wait_forever() -> None:
    import time

    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
