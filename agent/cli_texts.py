"""What the `cita-agent` commands say, in Spanish (first) and English.

The language is the configured one, else the system's (English only when it asks for English).
"""

from __future__ import annotations

import locale
import os

TEXTS: dict[str, tuple[str, str]] = {
    # configure
    "configure.saved": ("Configuración guardada en {path}", "Settings saved in {path}"),
    "configure.missing": ("Falta configurar: {items}", "Still to configure: {items}"),
    "selfcheck.not_configured": (
        "cita-agent selfcheck: primero configure la agenda web (cita-agent configure --portal-url … --user …)",
        "cita-agent selfcheck: configure the clinic web app first (cita-agent configure --portal-url … --user …)",
    ),
    "configure.next": (
        "Siguiente paso: cita-agent login (guarda la contraseña de la agenda web y el token del relay)",
        "Next step: cita-agent login (stores the web app password and the relay token)",
    ),
    "configure.next_check": (
        "La contraseña y el token ya están guardados: cita-agent check prueba la agenda web con lo guardado. Si la"
        " app de bandeja está abierta, ciérrela y ábrala para usar lo nuevo.",
        "The password and the token are already stored: cita-agent check tests the web app with what is saved. If"
        " the tray app is open, close and reopen it to use the new settings.",
    ),
    "configure.next_password": (
        "Cambió la agenda web o su usuario: guarde la contraseña de este usuario con cita-agent login (Enter"
        " mantiene el token guardado).",
        "The web app or its user changed: store this user's password with cita-agent login (Enter keeps the stored"
        " token).",
    ),
    "configure.no_browser": (
        "Aviso: no existe un navegador en {path}", "Warning: there is no browser at {path}",
    ),
    # login
    "login.not_configured": (
        "Primero configure el agente: cita-agent configure --relay URL --portal demo --portal-url URL --user USUARIO",
        "Configure the agent first: cita-agent configure --relay URL --portal demo --portal-url URL --user USER",
    ),
    "login.prompt_password": (
        "Contraseña de la agenda web para {user}{keep}: ", "Web app password for {user}{keep}: ",
    ),
    "login.prompt_token": ("Token del agente (lo da el relay){keep}: ", "Agent token (from the relay){keep}: "),
    "login.keep": (" (Enter: mantener la guardada)", " (Enter: keep the stored one)"),
    "login.no_password": ("No se indicó la contraseña.", "No password was given."),
    "login.no_token": ("No se indicó el token del agente.", "No agent token was given."),
    "login.token_without_password": (
        "Llegó solo el token, y no hay contraseña de la agenda web guardada: dé las dos con --password-stdin"
        " --relay-token-stdin (la contraseña en la primera línea, el token en la segunda), o ejecute cita-agent"
        " login sin opciones para escribirlas.",
        "Only the token came in, and no web app password is stored: give both with --password-stdin"
        " --relay-token-stdin (the password on the first line, the token on the second), or run cita-agent login"
        " with no options to type them.",
    ),
    "login.checking": (
        "Probando el acceso a la agenda web ({url})...", "Testing the login to the web app ({url})...",
    ),
    "login.needs_code": (
        "La agenda web pide además un código de verificación (por SMS o correo) al iniciar sesión: el que acaba de"
        " llegar fue de esta prueba y no hace falta. Cuando el agente inicie sesión, la ventana de Cita Bridge lo"
        " pedirá: escríbelo ahí. Un agente sin ventana (run --headless) no puede pedirlo: en ese PC usa la app de"
        " bandeja.",
        "The clinic web app also asks for a verification code (by SMS or email) at login: the one that just arrived"
        " came from this test and is not needed. When the agent logs in, the Cita Bridge window asks for it: type"
        " it there. An agent without a window (run --headless) cannot ask: use the tray app on that PC.",
    ),
    "login.ok": (
        "Acceso correcto. Contraseña y token guardados en el almacén seguro del sistema ({backend}).",
        "Login accepted. Password and token stored in the system's secure store ({backend}).",
    ),
    "login.ok_token_untested": (
        "Acceso a la agenda web correcto. Contraseña y token guardados en el almacén seguro del sistema ({backend});"
        " el token aún no se probó: `cita-agent status` dice si el servidor lo acepta una vez conectado.",
        "The clinic web app login works. Password and token stored in the system's secure store ({backend}); the"
        " token is not tested yet: `cita-agent status` says whether the server accepts it once connected.",
    ),
    "login.not_stored": ("No se guardó nada.", "Nothing was stored."),
    "login.relay_address_wrong": (
        "La dirección del servidor (relay) configurada, {url}, no sirve: {problem}. El agente no podrá conectarse:"
        " corríjala con `cita-agent configure --relay wss://…` (la dirección que entrega quien opera el relay) y"
        " vuelva a ejecutar `cita-agent login` para probar el token.",
        "The relay address configured, {url}, does not work: {problem}. The agent cannot connect: fix it with"
        " `cita-agent configure --relay wss://…` (the address your relay operator gives) and run `cita-agent login`"
        " again to test the token.",
    ),
    "forget.needs_yes": ("No se borra nada sin --yes.", "Refusing to delete the secrets without --yes."),
    "forget.ask": ("¿Borrar de este computador la contraseña de la agenda web y el token del servidor? [s/N] ",
                   "Delete the clinic web app password and the relay token from this computer? [y/N] "),
    "forget.nothing": ("No se borró nada.", "Nothing deleted."),
    "forget.done": ("Se borraron del almacén del sistema la contraseña y el token del servidor, con la sesión"
                    " guardada de la agenda web.",
                    "The password and the relay token were deleted from the keyring, with the stored web app"
                    " session."),
    "login.checking_token": ("Probando el token del agente con el servidor (relay)...",
                             "Testing the agent token with the server (relay)..."),
    "login.token_refused": (
        "El servidor (relay) rechazó el token del agente: revise que lo copió completo. Si se perdió, quien administra"
        " el relay da uno nuevo con `cita-relay rotate-agent-token`.",
        "The server (relay) refused the agent token: check it was copied whole. If it was lost, the relay's operator"
        " gives a new one with `cita-relay rotate-agent-token`.",
    ),
    "login.token_unchecked": (
        "Aviso: no se pudo probar el token con el servidor ahora ({problem}); se guarda igual y el agente lo usará"
        " al conectarse.",
        "Note: the token could not be tested with the server now ({problem}); it is stored anyway and the agent uses"
        " it when it connects.",
    ),
    "link_problem.unreachable": ("el servidor no respondió", "the server did not answer"),
    "link_problem.token_refused": (
        "el servidor rechazó el token del agente: guarde el nuevo con cita-agent login (el que entregó quien opera"
        " el relay)",
        "the relay refused the agent token: store the new one with cita-agent login (from your relay operator)",
    ),
    "link_problem.tls_required": ("el servidor exige wss://", "the server requires wss://"),
    "link_problem.not_a_relay": ("la dirección no es la de un relay de Cita Bridge",
                                 "the address is not a Cita Bridge relay"),
    "link_problem.tls": ("su certificado no es de confianza", "its certificate is not trusted"),
    "link_problem.no_tls": (
        "el servidor no usa conexión segura (TLS): si es un relay de una red cerrada sin TLS, escriba su dirección"
        " con ws://; si no, pida a quien lo opera la dirección wss://",
        "the server does not use a secure connection (TLS): for a relay on a closed network without TLS, write its"
        " address with ws://; otherwise ask its operator for the wss:// address",
    ),
    "link_problem.dns": ("no existe ese nombre de servidor", "no such server name"),
    "link_problem.replaced": (
        "otro equipo se conectó al servidor con el token de esta clínica y lo reemplazó: cierre Cita Bridge en el otro"
        " PC (solo uno puede atender a la clínica)",
        "another computer connected to the server with this clinic's token and replaced this one: close Cita Bridge"
        " on the other PC (only one may serve the clinic)",
    ),
    "check.login_failed": (
        "La agenda web rechazó el usuario o la contraseña. No se reintentará: la cuenta podría bloquearse. Revíselos"
        " (el usuario: cita-agent configure --user) y vuelva a ejecutar cita-agent login.",
        "The web app refused the user or password. Not retried: the account could get locked. Check them (the user:"
        " cita-agent configure --user) and run cita-agent login again.",
    ),
    "check.account_locked": (
        "La agenda web bloqueó este usuario. Espere o pida a la clínica que lo desbloquee.",
        "The web app locked this user. Wait, or ask the clinic to unlock it.",
    ),
    "check.portal_down": (
        "La agenda web no responde: revise la dirección, que la agenda esté funcionando y la conexión de este PC."
        " (Detalle técnico: {detail})",
        "The web app is not answering: check the address, that the web app is up, and this PC's connection."
        " (Technical detail: {detail})",
    ),
    "check.portal_changed": (
        "La agenda web no se ve como el agente espera: revise que la dirección sea la de la página de inicio de"
        " sesión y que el sistema elegido sea el de la clínica; si lo son, la agenda cambió y hay que actualizar el"
        " agente (avise a quien lo instaló). (Detalle técnico: {detail})",
        "The web app does not look as the agent expects: check that the address is its sign-in page and that the"
        " system chosen is the clinic's; if they are, the web app changed and the agent needs an update (tell whoever"
        " installed it). (Technical detail: {detail})",
    ),
    "check.wrong_address": (
        "Esa dirección no lleva a la página de inicio de sesión de la agenda web (respondió «página no encontrada»):"
        " revise la dirección (cópiela de la barra del navegador en la página donde se escribe el usuario) y el"
        " sistema elegido. (Detalle técnico: {detail})",
        "That address does not lead to the web app's sign-in page (it answered \"page not found\"): check the"
        " address (copy it from the browser's bar on the page where the user is typed) and the system chosen."
        " (Technical detail: {detail})",
    ),
    "check.browser_missing": (
        "No se pudo abrir el navegador: instale Microsoft Edge o Google Chrome, o indique el que hay con"
        " --browser-channel o --browser-path en cita-agent configure. (Detalle técnico: {detail})",
        "The browser could not be opened: install Microsoft Edge or Google Chrome, or give the one there is with"
        " --browser-channel or --browser-path in cita-agent configure. (Technical detail: {detail})",
    ),
    # run
    "run.not_configured": (
        "El agente no está configurado (falta: {items}). Use cita-agent configure.",
        "The agent is not configured (missing: {items}). Use cita-agent configure.",
    ),
    "run.no_secret": (
        "Falta en el almacén seguro: {items}. Use cita-agent login.",
        "Missing from the secure store: {items}. Use cita-agent login.",
    ),
    "run.already_running": (
        "Cita Bridge ya está funcionando en este PC con esta misma configuración (proceso {pid}): ciérrelo antes de "
        "abrirlo otra vez (dos a la vez se quitarían la conexión con el servidor una y otra vez).",
        "Cita Bridge is already running on this PC with this configuration (process {pid}): close it before starting "
        "it again (two at once would keep taking the server connection from each other).",
    ),
    "run.started": ("Agente en marcha (registro: {log}). Ctrl-C para detenerlo.",
                    "Agent running (log: {log}). Ctrl-C to stop it."),
    # status
    "status.title": ("Agente Cita Bridge {version}", "Cita Bridge agent {version}"),
    "status.config": ("Configuración: {path}", "Settings: {path}"),
    "status.relay": ("  servidor: {value}", "  relay: {value}"),
    "status.portal": ("  agenda web: {kind} {url} (usuario {user})", "  web app: {kind} {url} (user {user})"),
    "status.browser": ("  navegador: {value}", "  browser: {value}"),
    "status.language": ("  idioma: {value}; lectura de horas cada {minutes:g} min",
                        "  language: {value}; slots read every {minutes:g} min"),
    "status.missing": ("  falta configurar: {items}", "  still to configure: {items}"),
    # settings.missing()'s items (kept in English in --json), as a person reads them
    "missing.relay URL": ("la dirección del relay (--relay)", "the relay URL (--relay)"),
    "missing.clinic web app URL": ("la dirección de la agenda web (--portal-url)",
                                   "the clinic web app URL (--portal-url)"),
    "missing.clinic web app user": ("el usuario de la agenda web (--user)", "the clinic web app user (--user)"),
    "status.keyring": ("Almacén seguro ({backend}):", "Secure store ({backend}):"),
    "status.secret": ("  {name}: {value}", "  {name}: {value}"),
    "status.keyring_error": ("Almacén seguro: no disponible. {detail}", "Secure store: unavailable. {detail}"),
    "status.state": ("Último estado conocido ({at}):", "Last known state ({at}):"),
    "status.never": ("Último estado conocido: el agente aún no se ha ejecutado.",
                     "Last known state: the agent has not run yet."),
    "status.process": ("  proceso: {value}", "  process: {value}"),
    "status.link": ("  conexión con el servidor: {state} {relay}", "  relay link: {state} {relay}"),
    "status.link_problem": ("    por qué: {why}", "    why: {why}"),
    "status.portal_state": ("  agenda web: {state}{detail}", "  web app: {state}{detail}"),
    "status.paused": ("  pausado: {value}", "  paused: {value}"),
    "status.last_refresh": ("  última lectura de la agenda: {value}", "  last read of the web app: {value}"),
    "status.selfcheck": ("Última revisión de las pantallas de la agenda web ({at}): {sentence}",
                         "Last check of the web app's screens ({at}): {sentence}"),
    "status.files": ("Datos: {data}  Registros: {logs}", "Data: {data}  Logs: {logs}"),
    "status.retention": ("Historial: {days} días (reservas, registros y capturas; lo anterior se borra solo)",
                         "History: {days} days (bookings, logs and screenshots; older ones are deleted)"),
    "word.stored": ("guardado", "stored"),
    "word.missing": ("falta", "missing"),
    "word.yes": ("sí", "yes"),
    "word.no": ("no", "no"),
    "word.none": ("(ninguno)", "(none)"),
    "word.default_browser": ("el predeterminado del sistema", "the system default"),
    "word.running": ("en marcha (pid {pid})", "running (pid {pid})"),
    "word.not_running": ("detenido", "not running"),
    "status.follow_ups": ("  pacientes para contactar: {count}", "  patients to contact: {count}"),
    "link.connected": ("conectado", "connected"),
    "link.connecting": ("conectando", "connecting"),
    "link.disconnected": ("sin conexión", "disconnected"),
    "portal.ok": ("funcionando", "working"),
    "portal.login_failed": ("contraseña rechazada", "password refused"),
    "portal.locked": ("cuenta bloqueada", "account locked"),
    "portal.down": ("no responde", "not responding"),
    "portal.unknown": ("sin comprobar", "not checked yet"),
    "portal.login_needs_person": (
        "pide un código: en este PC abra Cita Bridge con ventana (la app de bandeja, no run --headless) y escríbalo",
        "asks for a code: on this PC open Cita Bridge with its window (the tray app, not run --headless) and type it",
    ),
    "secret.portal-password": ("contraseña de la agenda web", "web app password"),
    "secret.relay-token": ("token del agente", "agent token"),
    "error.settings": ("Configuración no válida: {detail}", "Invalid settings: {detail}"),
    "drivers.package": ("    paquete: {package} {version}", "    package: {package} {version}"),
    "drivers.can": ("    qué hace: {what}", "    can: {what}"),
    "drivers.required": ("obligatorio", "required"),
    "drivers.default": ("si no se da: {value}", "default {value}"),
    "drivers.none": ("No hay drivers instalados.", "No drivers are installed."),
}


def choose_language(configured: str = "") -> str:
    if configured in ("es", "en"):
        return configured
    system = os.environ.get("LC_ALL") or os.environ.get("LC_MESSAGES") or os.environ.get("LANG") or ""
    if not system:
        system = (locale.getlocale()[0] or "") if hasattr(locale, "getlocale") else ""
    return "en" if system.lower().startswith("en") else "es"


def missing_items(items: list[str], language: str) -> str:
    """What must still be configured (``AgentSettings.missing()``), in the person's words."""
    return ", ".join(say(f"missing.{item}", language) if f"missing.{item}" in TEXTS else item for item in items)


def say(key: str, language: str, **values: object) -> str:
    spanish, english = TEXTS[key]
    return (english if language == "en" else spanish).format(**values)
