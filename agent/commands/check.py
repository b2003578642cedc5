"""`cita-agent check`: can this PC read (and book in) the clinic's web app? For the IT person and scripts.

    printf '%s\\n' "$PASSWORD" | cita-agent check --portal demo --url URL --user USER --password-stdin [--json]
    ... --book SLOT_ID --patient-name NAME --patient-phone PHONE     (books, prints the booking as JSON)
    cita-agent check                                                 (this PC's saved settings and password)

Without --url and --user it checks what the agent itself uses: the web app, user, browser and driver settings saved
by `cita-agent configure` and the password kept by `cita-agent login` (--portal, --browser-*, --set and
--password-stdin still take precedence).

Exit status: 0 done; 2 bad usage; 3 login refused or user locked; 4 slot taken or booking refused;
5 web app not answering; 6 web app changed (a screen did not match); 7 no usable browser.
On failure, one line on standard error says why (and names the screenshot, if one was taken).
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import logging
import sys
import uuid
from pathlib import Path

from agent.portal.base import Credentials, Patient, PortalError, Slot, WrongAddress

EXIT_CODES = {
    "login_failed": 3,
    "account_locked": 3,
    "login_needs_person": 3,
    "slot_taken": 4,
    "bad_request": 4,
    "portal_down": 5,
    "portal_changed": 6,
    "browser_missing": 7,
}
REASONS = {
    "login_failed": "la agenda web rechazó el usuario o la contraseña: revíselos (no se reintenta, para no bloquear"
                    " la cuenta)",
    "account_locked": "la agenda web bloqueó el usuario: espere o pida que lo desbloqueen",
    "login_needs_person": "la agenda web pide un código (o captcha, o contraseña nueva) que debe escribir una"
                          " persona: repita con --headed y escríbalo en la ventana que se abre, o use «Abrir la"
                          " agenda» en la ventana del agente",
    "slot_taken": "ese horario ya no está libre",
    "bad_request": "la agenda web rechazó los datos de la cita",
    "portal_down": "la agenda web no responde: revise la dirección (--url), que la agenda esté funcionando y la"
                   " conexión de este PC",
    "wrong_address": "esa dirección no lleva a la página de inicio de sesión de la agenda web (respondió «página no"
                     " encontrada»): revise --url (cópiela de la barra del navegador en la página donde se escribe el"
                     " usuario) y --portal",
    "portal_changed": "la agenda web no se ve como el agente espera: revise que --url sea la página de inicio de"
                      " sesión y --portal el sistema de la clínica; si lo son, la agenda cambió y hay que actualizar"
                      " el agente",
    "browser_missing": "no se pudo abrir el navegador: instale Microsoft Edge o Google Chrome, o indique el que hay"
                       " con --browser-channel msedge (o chrome) o --browser-path RUTA (la de su ejecutable)",
}
DAYS = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")
MONTHS = ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
          "noviembre", "diciembre")


def register(sub: argparse._SubParsersAction) -> None:
    from agent.portal.registry import portal_kinds

    parser = sub.add_parser(
        "check",
        help="read the free slots from the clinic web app (or book one) and print them",
        description="Log in to the clinic's web app with this PC's browser and print the free slots "
        "of the next days; with --book, book one slot and print the booking as JSON.",
        epilog="Exit status: 0 ok, 2 usage, 3 login refused/locked, 4 slot taken, 5 web app down, "
        "6 web app changed, 7 no browser.",
    )
    parser.add_argument("--portal", choices=portal_kinds(),
                        help="which clinic web app (default: the saved one with no --url, else demo)")
    parser.add_argument("--url", help="the web app's address, e.g. http://127.0.0.1:8600 (default: the saved one)")
    parser.add_argument("--user", help="the web app's user (default: the saved one)")
    parser.add_argument("--password-stdin", action="store_true",
                        help="read the password from the first line of standard input")
    parser.add_argument("--days", type=int, default=14, help="from now to the end of the N-th day (default 14)")
    parser.add_argument("--professional", help="only this professional (name or key)")
    parser.add_argument("--json", action="store_true", help="print a JSON array of {id, start, end, professional}")
    parser.add_argument("--book", metavar="SLOT_ID", help="book this slot (needs --patient-name and --patient-phone)")
    parser.add_argument("--patient-name", help="the patient's full name (with --book)")
    parser.add_argument("--patient-phone", help="the patient's phone (with --book)")
    browser = parser.add_mutually_exclusive_group()
    browser.add_argument("--browser-path", help="a Chromium/Chrome/Edge executable (default: $CHROMIUM_PATH, chromium)")
    browser.add_argument("--browser-channel", help="an installed browser: msedge or chrome")
    parser.add_argument("--set", metavar="KEY=VALUE", action="append", default=[], dest="driver_set",
                        help="a setting of the driver (repeatable); `cita-agent drivers` lists them")
    parser.add_argument("--headed", action="store_true", help="show the browser window")
    parser.add_argument("-v", "--verbose", action="store_true", help="log each step on standard error")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    args.driver_settings = {}
    if args.days < 1:
        return _fail("--days debe ser 1 o más (los días que se leen desde hoy)", 2)
    if args.book and not (args.patient_name and args.patient_phone):
        return _fail("--book necesita --patient-name y --patient-phone (el nombre y el teléfono del paciente)", 2)
    if not args.book and (args.patient_name or args.patient_phone):
        return _fail("--patient-name y --patient-phone van con --book SLOT_ID (la hora a reservar)", 2)
    saved_password = ""
    if not args.url and not args.user:  # what this PC's agent uses
        problem, saved_password = _use_saved_settings(args)
        if problem:
            return _fail(problem, 2)
    elif not (args.url and args.user):
        return _fail("dé --url y --user juntos (o ninguno de los dos, para revisar la configuración guardada con"
                     " «cita-agent configure»)", 2)
    args.portal = args.portal or "demo"
    from agent.settings import SettingsError, check_portal_url

    try:  # "agenda.clinica.cl" with no https:// only failed after 4 tries, as a web app that does not answer
        check_portal_url(args.url)
    except SettingsError as error:
        return _fail(error.text("es"), 2)
    from agent.portal.driver_settings import DriverSettingError, parse_assignments

    try:
        args.driver_settings = {**args.driver_settings, **parse_assignments(args.driver_set)}
    except DriverSettingError as error:
        return _fail(error.text("es"), 2)
    password = _read_password(args.password_stdin) if args.password_stdin or not saved_password else saved_password
    if not password:
        return _fail("no llegó la contraseña de la agenda web: escríbala cuando el comando la pida, o désela en la"
                     " primera línea de la entrada estándar con --password-stdin", 2)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.CRITICAL,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    try:
        return asyncio.run(_check(args, Credentials(args.user, password)))
    except PortalError as error:
        reason = REASONS["wrong_address" if isinstance(error, WrongAddress) else error.code] if error.code in REASONS \
            else "falló"
        return _fail(f"{reason}. Detalle técnico [{error.code}]: {error}", EXIT_CODES.get(error.code, 1))
    except KeyboardInterrupt:
        return _fail("interrumpido", 130)


async def _check(args: argparse.Namespace, credentials: Credentials) -> int:
    from agent.portal.browser import choose_browser
    from agent.portal.registry import create_driver

    browser = choose_browser(args.browser_path, args.browser_channel, headless=not args.headed)
    try:
        driver = create_driver(args.portal, args.url, credentials, browser, _data_dir(args), args.driver_settings)
    except ValueError as error:
        return _fail(str(error), 2)
    try:
        await driver.start()
        if args.book:
            reference = f"check-{uuid.uuid4().hex[:12]}"
            booking = await driver.book(args.book, Patient(args.patient_name, args.patient_phone), reference)
            print(json.dumps({**booking.to_json(), "reference": reference}, ensure_ascii=False, indent=2))
            return 0
        slots = await driver.free_slots(args.days, args.professional)
    finally:
        await driver.close()
    if args.json:
        print(json.dumps([slot.to_json() for slot in slots], ensure_ascii=False, indent=2))
    else:
        print(format_slots(slots, args.days))
    return 0


def format_slots(slots: list[Slot], days: int) -> str:
    """The free slots as the clinic's IT person reads them: by day, then time."""
    if not slots:
        return f"No hay horas libres en los próximos {days} días."
    lines, current = [], None
    width = max(len(s.professional) for s in slots)
    for slot in slots:
        day = slot.start.date()
        if day != current:
            current = day
            lines.append(f"{DAYS[day.weekday()]} {day.day} de {MONTHS[day.month - 1]}")
        lines.append(f"  {slot.start:%H:%M}–{slot.end:%H:%M}  {slot.professional:<{width}}  {slot.id}")
    zone = str(slots[0].start.tzinfo)
    count = "1 hora libre" if len(slots) == 1 else f"{len(slots)} horas libres"
    lines.append(f"{count} en los próximos {days} días (hora de {zone}).")
    return "\n".join(lines)


def _use_saved_settings(args: argparse.Namespace) -> tuple[str, str]:
    """Fills the command line from the agent's saved settings (what the command line gave wins): the problem, in
    Spanish ("" none), and the saved password ("" none, or --password-stdin given)."""
    from agent.commands import settings_or_report
    from agent.paths import resolve_paths
    from agent.secrets import PORTAL_PASSWORD, KeyringUnavailable, SecretStore

    paths = resolve_paths(getattr(args, "home", None))
    settings = settings_or_report(paths)
    if settings is None:
        return "no se pudo leer la configuración guardada (arriba, por qué)", ""
    if not settings.portal_url or not settings.portal_user:
        return ("este PC aún no tiene la agenda web configurada: use «cita-agent configure», o dé --portal, --url y"
                " --user"), ""
    args.portal = args.portal or settings.portal_kind
    args.url, args.user = settings.portal_url, settings.portal_user
    if not args.browser_path and not args.browser_channel:
        args.browser_path, args.browser_channel = settings.browser_path or None, settings.browser_channel or None
    args.driver_settings = settings.driver_settings(args.portal)
    if args.password_stdin:
        return "", ""
    try:
        return "", SecretStore(paths.keyring_service).get(PORTAL_PASSWORD) or ""
    except KeyringUnavailable as exc:
        return exc.text("es"), ""


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if sys.stdin.isatty():
        return getpass.getpass("Contraseña del portal: ")
    return ""


def _data_dir(args: argparse.Namespace) -> Path:
    """The driver's folder (failure screenshots go under it), as the agent itself uses it."""
    from agent.paths import resolve_paths

    return resolve_paths(getattr(args, "home", None)).portal_work_dir


def _fail(message: str, code: int) -> int:
    print(f"cita-agent check: {message}", file=sys.stderr)
    return code
