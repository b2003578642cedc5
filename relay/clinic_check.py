"""What `cita-relay check-clinic` says, line by line in the clinic's language, from the running relay's report
(``GET /operator/clinics/{clinic}/check``). Pure: the command only fetches the report and prints these lines."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

PASS, FAIL = "✔", "✘"


@dataclass(frozen=True)
class CheckOutcome:
    lines: tuple[str, ...]
    passed: bool


_T: dict[str, dict[str, str]] = {
    "es": {
        "kommo_ok": "Kommo: el token funciona en la cuenta {subdomain} (id {account_id}).",
        "kommo_no_token": "Kommo: esta clínica no tiene token. Instálala o autorízala:"
        " `cita-relay kommo-install-link {clinic}` da el enlace de instalación y el comando exacto para pegar un"
        " código de Kommo → Integraciones → Claves.",
        "kommo_refresh_refused": "Kommo: no renovó el token (HTTP {status}): la autorización ya no vale (la"
        " integración se desinstaló, o su clave secreta no es la registrada). Vuelve a autorizar:"
        " `cita-relay kommo-install-link {clinic}` da el enlace de instalación y el comando exacto para pegar un"
        " código nuevo de Kommo → Integraciones → Claves.",
        "kommo_not_found": "Kommo: no hay una cuenta en {base_url} (HTTP 404): el subdominio registrado no es el de"
        " la clínica (https://SUBDOMINIO.kommo.com). Corrígelo con `cita-relay set-kommo-account {clinic}"
        " --kommo-subdomain SUBDOMINIO`.",
        "kommo_unauthorized": "Kommo: rechazó el token (HTTP {status}). Vuelve a autorizar: `cita-relay"
        " kommo-install-link {clinic}` da el enlace de instalación y el comando exacto para pegar un código nuevo"
        " de Kommo → Integraciones → Claves.",
        "kommo_wrong_account": "Kommo: el token es de la cuenta {subdomain}, no de la registrada para esta clínica:"
        " si esa es la de la clínica, corrígelo con `cita-relay set-kommo-account {clinic} --kommo-subdomain"
        " {subdomain}`.",
        "kommo_unreachable": "Kommo: no se pudo llegar a la cuenta; revisa la conexión a internet del relay.",
        "kommo_kommo_error": "Kommo: respondió con un error (HTTP {status}); vuelve a intentarlo en un minuto.",
        "agent_ok": "Agente: conectado desde {since} (versión {version}); agenda web: {portal}.",
        "agent_paused": "Agente: conectado desde {since} pero en pausa; en el PC de la clínica: «Reanudar» en la"
        " bandeja o `cita-agent resume`.",
        "agent_portal": "Agente: conectado desde {since} (versión {version}), pero la agenda web está {portal}:"
        " revisa la ventana del agente en el PC de la clínica.",
        "agent_offline": "Agente: no conectado (última vez: {last_seen}). Enciende el PC de la clínica y abre"
        " Cita Bridge (o `cita-agent run --headless`).",
        "never": "nunca",
        # the agent's web app state and the slots question's error code, in words
        "portal.ok": "funcionando", "portal.unknown": "sin comprobar todavía (el agente está iniciando sesión)",
        "portal.login_failed": "rechazando la contraseña", "portal.locked": "con la cuenta bloqueada",
        "portal.down": "sin responder",
        "portal.login_needs_person": "pidiendo un código de verificación (solo la app de bandeja del agente, no"
        " `run --headless`, deja escribirlo)",
        "error.agent_offline": "el agente no está conectado", "error.paused": "el agente está en pausa",
        "error.timeout": "el agente no respondió a tiempo", "error.portal_down": "la agenda web no responde",
        "error.login_failed": "la agenda web rechaza la contraseña",
        "error.account_locked": "la cuenta de la agenda web está bloqueada",
        "error.login_needs_person": "la agenda web pide un código de verificación",
        "error.portal_changed": "la agenda web cambió", "error.internal": "falló el relay",
        "slots_ok": "Consulta de prueba: {count} horas libres en los próximos 14 días (leídas de la agenda hace"
        " {age} s).",
        "slots_none": "Consulta de prueba: respondida, pero sin horas libres en 14 días: los pacientes pasarán a"
        " recepción.",
        "slots_failed": "Consulta de prueba: sin respuesta ({error}).",
        "requests_ok": "Kommo → relay: último mensaje de un paciente recibido hace {ago}.",
        "requests_without_phone": "Kommo → relay: el último mensaje (hace {ago}) llegó sin el teléfono del paciente,"
        " y así nadie puede reservar por WhatsApp (se le deriva a recepción): en el paso widget_request del bot,"
        " phone debe ser {{{{contact.phone}}}} (los datos de abajo).",
        "requests_without_name": "Kommo → relay: el último mensaje (hace {ago}) llegó con el nombre sin reemplazar"
        " («{{{{…}}}}»), y el paciente se deriva a recepción: en el paso widget_request del bot, name debe ser"
        " {{{{contact.name}}}} (los datos de abajo).",
        "requests_without_message": "Kommo → relay: el último mensaje (hace {ago}) llegó sin la clave message, así"
        " que el relay no lee lo que escribe el paciente y a cada respuesta suya le contesta «Perdona, no te"
        " entendí»: en el paso widget_request del bot, la clave debe ser message y su valor {{{{message_text}}}}"
        " (los datos de abajo).",
        "requests_unfilled_message": "Kommo → relay: el último mensaje (hace {ago}) llegó con message sin reemplazar"
        " («{{{{…}}}}») en vez del texto del paciente, que a cada respuesta suya recibe «Perdona, no te entendí»: en"
        " el paso widget_request del bot, la clave debe ser message y su valor {{{{message_text}}}} (los datos de"
        " abajo).",
        "requests_empty_message": "Kommo → relay: el último mensaje (hace {ago}) llegó con message vacío. Si fue una"
        " foto o un sticker, escribe «Hola» y vuelve a revisar; si todos llegan vacíos, el paciente recibe «Perdona,"
        " no te entendí» a cada respuesta: en el paso widget_request del bot, el valor de message debe ser"
        " {{{{message_text}}}} (los datos de abajo).",
        "requests_none": "Kommo → relay: aún no llega ningún mensaje desde que el relay arrancó; escribe «Hola» al"
        " WhatsApp de la clínica y vuelve a ejecutar este comando.",
        "requests_misaddressed": "Kommo → relay: hace {ago} llegó un mensaje a …/kommo/{wrong}, que no es ninguna"
        " clínica de este relay, y el paciente no recibió respuesta: en el paso widget_request del bot, la URL debe"
        " terminar en /kommo/{clinic} (la de abajo).",
        "requests_refused": "Kommo → relay: el último mensaje de un paciente (hace {ago}) fue rechazado, y el"
        " paciente no recibió respuesta: {why}",
        "why_secret": "la clave secreta (client secret) guardada para esta clínica no es la de su integración en"
        " Kommo. Cópiala de Kommo → Integraciones → tu integración → Claves y guárdala con `cita-relay"
        " set-kommo-secret {clinic} --kommo-secret-stdin`.",
        "why_account": "el bot que llama es de otra cuenta de Kommo, no de {subdomain}: si esa es la de la clínica,"
        " corrígelo con `cita-relay set-kommo-account {clinic} --kommo-subdomain SUBDOMINIO`.",
        "why_not_widget": "la llamada no viene de un paso widget_request del Salesbot ({what}): usa ese paso, no un"
        " webhook ni otra llamada.",
        "why_clock": "el token de Kommo llegó vencido o aún no válido: revisa que el reloj del servidor del relay"
        " esté en hora (`timedatectl`).",
        "why_foreign": "la llamada pide la respuesta en una dirección que no es de la cuenta {subdomain}: el bot es"
        " de otra cuenta de Kommo; si esa es la de la clínica, corrígelo con `cita-relay set-kommo-account {clinic}"
        " --kommo-subdomain SUBDOMINIO`.",
        "why_data": "el paso widget_request del bot no envía los datos de abajo ({what}): pega la URL y los datos"
        " tal cual.",
        "why_webhook": "esta URL está puesta como webhook de la cuenta (Ajustes → Integraciones → Web hooks):"
        " quítala de ahí y úsala solo en el paso widget_request del Salesbot.",
        "why_other": "el relay no aceptó la llamada (código {error}); su registro dice por qué: busca"
        " kommo_request_refused.",
        # What the refused call lacked, for the two sentences above (the relay's own detail is for its log)
        "what.missing_token": "no trae el token de Kommo",
        "what.invalid_token": "su token no es válido",
        "what.missing_return_url": "no trae return_url, que Kommo añade solo en ese paso",
        "what.malformed_return_url": "su return_url no es una dirección válida",
        "what.missing_data": "no trae el bloque data con lead_id, message, name y phone",
        "what.missing_lead_id": "falta lead_id, o no es el id del lead: su valor debe ser {{{{lead.id}}}}",
        "what.not_strings": "cada valor de data debe ser un texto entre comillas",
        "what.control_characters": "un valor trae caracteres de control",
        "what.malformed_body": "el cuerpo de la llamada no es un JSON válido",
        "what.unsupported_media_type": "no llegan como JSON ni como formulario",
        "ago_s": "{n} s",
        "ago_min": "{n} min",
        "ago_h": "{n} h",
        "paste": "Paso widget_request del bot (Kommo → Salesbot): URL y datos a pegar:",
        "url": "  URL: {url}",
        "not_https": "  Nota: Kommo solo llama a direcciones https; inicia el relay con --public-url https://….",
        "url_placeholder": "URL del relay: {address} es una dirección de ejemplo ({domain}), no la de este relay, y"
        " Kommo no llegaría a ella: pon la dirección https real del relay en CITA_RELAY_PUBLIC_URL (en"
        " /etc/cita-relay/relay.env), reinícialo y vuelve a ejecutar este comando.",
        "url_http": "URL del relay: {address} no es https, y Kommo solo llama a direcciones https: pon la dirección"
        " https del relay (la del proxy con TLS) en CITA_RELAY_PUBLIC_URL (o --public-url), reinícialo y vuelve a"
        " ejecutar este comando.",
        "all_ok": "Todo listo: escribe «Hola» al WhatsApp de la clínica para probar.",
        "store_unwritable": "Relay: no puede escribir en sus datos (¿disco lleno o de solo lectura?): rechaza cada"
        " mensaje de los pacientes. Quien opera el relay: libera espacio o corrige la carpeta; /healthz lo dice.",
        "kommo_writes_403": "Kommo ← relay: {count} paciente(s) derivado(s) a recepción desde {since} aún sin su"
        " aviso en Kommo (tarea o nota en el lead): Kommo lo rechaza (HTTP 403), porque el usuario que autorizó la"
        " integración no puede crear tareas o notas en esos leads. Dale ese permiso en Kommo (Ajustes → Usuarios)"
        " o autoriza la integración con un administrador; el relay lo reintenta cada 30 minutos durante 12 horas."
        " Mientras, recepción los ve en «Para contactar» del agente.",
        "kommo_writes_401": "Kommo ← relay: {count} paciente(s) derivado(s) a recepción desde {since} aún sin su"
        " aviso en Kommo (tarea o nota en el lead): Kommo rechaza el token (HTTP 401). Vuelve a autorizar:"
        " `cita-relay kommo-install-link {clinic}` da el enlace de instalación y el comando exacto para pegar un"
        " código nuevo de Kommo → Integraciones → Claves; el relay lo reintenta cada 30 minutos durante 12 horas."
        " Mientras, recepción los ve en «Para contactar» del agente.",
        "kommo_writes_waiting": "Kommo ← relay: {count} paciente(s) derivado(s) a recepción desde {since} aún sin su"
        " aviso en Kommo (tarea o nota en el lead): Kommo no lo ha aceptado todavía ({answer}). El relay lo"
        " reintenta solo, cada 30 minutos durante 12 horas; mientras, recepción los ve en «Para contactar» del"
        " agente.",
        "no_answer": "sin respuesta",
        "kommo_writes_no_token": "Kommo ← relay: {count} paciente(s) derivado(s) a recepción desde {since} aún sin su"
        " aviso en Kommo (tarea o nota en el lead): la clínica aún no está conectada a Kommo (ver la línea «Kommo» de"
        " arriba). Conéctala y el relay los envía solo.",
        "kommo_writes_no_agent": "Ojo: el agente de la clínica aún no se ha conectado: recepción los verá en «Para"
        " contactar» cuando se conecte; mientras, escríbeles desde Kommo.",
        "some_failed": "Falta resolver {count} punto(s) de arriba antes del primer paciente.",
        "unreachable": "No se pudo preguntar al relay en {url}: ¿está corriendo `cita-relay serve`? ({detail})",
        "relay_lacks_clinic": "El relay en {url} no tiene la clínica {clinic}: sirve otra carpeta de datos que la de"
        " este comando ({data}). Usa el mismo --data que `cita-relay serve` (y `sudo -u cita-relay`), y agrega la"
        " clínica ahí si falta.",
        "refused": "El relay en {url} no permitió la consulta (HTTP {status}): define CITA_RELAY_OPERATOR_TOKEN"
        " con el mismo valor que el relay, o ejecuta el comando en la máquina del relay.",
        "refused_needs_token": "El relay en {url} no permitió la consulta: tiene un token de operador"
        " (CITA_RELAY_OPERATOR_TOKEN) y este comando no lo trae; en la máquina del relay eso no basta. Carga su"
        " configuración y vuelve a ejecutarlo: `sudo -s`, `set -a; . /etc/cita-relay/relay.env; set +a` y el comando"
        " con `sudo -u cita-relay --preserve-env=CITA_RELAY_OPERATOR_TOKEN …` (en un contenedor, `docker exec` ya lo"
        " tiene).",
        "refused_other_token": "El relay en {url} no permitió la consulta: el CITA_RELAY_OPERATOR_TOKEN de este"
        " comando no es el del relay. Usa el de su configuración (/etc/cita-relay/relay.env).",
    },
    "en": {
        "kommo_ok": "Kommo: the token works on account {subdomain} (id {account_id}).",
        "kommo_no_token": "Kommo: this clinic has no token. Install or authorize it:"
        " `cita-relay kommo-install-link {clinic}` prints the install link and the exact command to paste a code"
        " from Kommo → Integrations → Keys.",
        "kommo_refresh_refused": "Kommo: did not renew the token (HTTP {status}): the authorization no longer"
        " holds (the integration was uninstalled, or its secret key is not the one registered). Authorize again:"
        " `cita-relay kommo-install-link {clinic}` prints the install link and the exact command to paste a new"
        " code from Kommo → Integrations → Keys.",
        "kommo_not_found": "Kommo: there is no account at {base_url} (HTTP 404): the subdomain registered is not the"
        " clinic's (https://SUBDOMAIN.kommo.com). Set it right with `cita-relay set-kommo-account {clinic}"
        " --kommo-subdomain SUBDOMAIN`.",
        "kommo_unauthorized": "Kommo: the token was refused (HTTP {status}). Authorize again: `cita-relay"
        " kommo-install-link {clinic}` prints the install link and the exact command to paste a new code from"
        " Kommo → Integrations → Keys.",
        "kommo_wrong_account": "Kommo: the token belongs to account {subdomain}, not to the one registered for this"
        " clinic: if that is the clinic's, set it right with `cita-relay set-kommo-account {clinic}"
        " --kommo-subdomain {subdomain}`.",
        "kommo_unreachable": "Kommo: the account could not be reached; check the relay's internet connection.",
        "kommo_kommo_error": "Kommo: answered with an error (HTTP {status}); try again in a minute.",
        "agent_ok": "Agent: connected since {since} (version {version}); web app: {portal}.",
        "agent_paused": 'Agent: connected since {since} but paused; on the clinic\'s PC: "Resume" in the tray or'
        " `cita-agent resume`.",
        "agent_portal": 'Agent: connected since {since} (version {version}), but the web app is {portal}:'
        " look at the agent's window on the clinic's PC.",
        "agent_offline": "Agent: not connected (last seen: {last_seen}). Turn on the clinic's PC and open"
        " Cita Bridge (or `cita-agent run --headless`).",
        "never": "never",
        "portal.ok": "working", "portal.unknown": "not checked yet (the agent is signing in)",
        "portal.login_failed": "refusing the password", "portal.locked": "with its account locked",
        "portal.down": "not answering",
        "portal.login_needs_person": "asking for a verification code (only the agent's tray app, not `run"
        " --headless`, lets a person type it)",
        "error.agent_offline": "the agent is not connected", "error.paused": "the agent is paused",
        "error.timeout": "the agent did not answer in time", "error.portal_down": "the web app is not answering",
        "error.login_failed": "the web app refuses the password",
        "error.account_locked": "the web app's account is locked",
        "error.login_needs_person": "the web app asks for a verification code",
        "error.portal_changed": "the web app changed", "error.internal": "the relay failed",
        "slots_ok": "Test question: {count} free times in the next 14 days (read from the agenda {age} s ago).",
        "slots_none": "Test question: answered, but no free times in 14 days: patients will be handed to reception.",
        "slots_failed": "Test question: no answer ({error}).",
        "requests_ok": "Kommo → relay: a patient's last message arrived {ago} ago.",
        "requests_without_phone": "Kommo → relay: the last message ({ago} ago) came without the patient's phone, so"
        " nobody can book on WhatsApp (each is handed to reception): in the bot's widget_request step, phone must be"
        " {{{{contact.phone}}}} (the data below).",
        "requests_without_name": "Kommo → relay: the last message ({ago} ago) came with the name not filled in"
        " (\"{{{{…}}}}\"), and the patient is handed to reception: in the bot's widget_request step, name must be"
        " {{{{contact.name}}}} (the data below).",
        "requests_without_message": "Kommo → relay: the last message ({ago} ago) came without the message key, so"
        " the relay never reads what the patient writes and answers each reply \"Sorry, I didn't get that\": in the"
        " bot's widget_request step, the key must be message and its value {{{{message_text}}}} (the data below).",
        "requests_unfilled_message": "Kommo → relay: the last message ({ago} ago) came with message not filled in"
        " (\"{{{{…}}}}\") instead of the patient's text, who gets \"Sorry, I didn't get that\" to each reply: in the"
        " bot's widget_request step, the key must be message and its value {{{{message_text}}}} (the data below).",
        "requests_empty_message": "Kommo → relay: the last message ({ago} ago) came with an empty message. If it was"
        " a photo or a sticker, write \"Hola\" and check again; if every one comes empty, the patient gets \"Sorry,"
        " I didn't get that\" to each reply: in the bot's widget_request step, message's value must be"
        " {{{{message_text}}}} (the data below).",
        "requests_none": 'Kommo → relay: no message has arrived since the relay started; write "Hola" to the'
        " clinic's WhatsApp and run this command again.",
        "requests_misaddressed": "Kommo → relay: {ago} ago a message came to …/kommo/{wrong}, which is no clinic on"
        " this relay, and the patient got no answer: in the bot's widget_request step the URL must end in"
        " /kommo/{clinic} (the one below).",
        "requests_refused": "Kommo → relay: a patient's last message ({ago} ago) was refused, and the patient got no"
        " answer: {why}",
        "why_secret": "the client secret stored for this clinic is not its Kommo integration's. Copy it from Kommo →"
        " Integrations → your integration → Keys and store it with `cita-relay set-kommo-secret {clinic}"
        " --kommo-secret-stdin`.",
        "why_account": "the bot calling belongs to another Kommo account, not {subdomain}: if that is the clinic's,"
        " set it right with `cita-relay set-kommo-account {clinic} --kommo-subdomain SUBDOMAIN`.",
        "why_not_widget": "the call does not come from a Salesbot widget_request step ({what}): use that step, not a"
        " webhook or another call.",
        "why_clock": "Kommo's token arrived expired or not yet valid: check that the relay server's clock is right"
        " (`timedatectl`).",
        "why_foreign": "the call asks for the answer at an address that is not account {subdomain}'s: the bot belongs"
        " to another Kommo account; if that is the clinic's, set it right with `cita-relay set-kommo-account"
        " {clinic} --kommo-subdomain SUBDOMAIN`.",
        "why_data": "the bot's widget_request step does not send the data below ({what}): paste the URL and the"
        " data as they are.",
        "why_webhook": "this URL is set as an account webhook (Settings → Integrations → Web hooks): remove it there"
        " and use it only in the Salesbot's widget_request step.",
        "why_other": "the relay did not accept the call (code {error}); its log says why: look for"
        " kommo_request_refused.",
        "what.missing_token": "it carries no Kommo token",
        "what.invalid_token": "its token is not valid",
        "what.missing_return_url": "it carries no return_url, which Kommo adds only in that step",
        "what.malformed_return_url": "its return_url is not a valid address",
        "what.missing_data": "it carries no data block with lead_id, message, name and phone",
        "what.missing_lead_id": "lead_id is missing or is not the lead's id: its value must be {{{{lead.id}}}}",
        "what.not_strings": "each data value must be a text in quotes",
        "what.control_characters": "a value carries control characters",
        "what.malformed_body": "the call's body is not valid JSON",
        "what.unsupported_media_type": "they come neither as JSON nor as a form",
        "ago_s": "{n} s",
        "ago_min": "{n} min",
        "ago_h": "{n} h",
        "paste": "The bot's widget_request step (Kommo → Salesbot): URL and data to paste:",
        "url": "  URL: {url}",
        "not_https": "  Note: Kommo only calls https addresses; start the relay with --public-url https://….",
        "url_placeholder": "Relay URL: {address} is an example address ({domain}), not this relay's, and Kommo would"
        " not reach it: set the relay's real https address in CITA_RELAY_PUBLIC_URL (in /etc/cita-relay/relay.env),"
        " restart it and run this command again.",
        "url_http": "Relay URL: {address} is not https, and Kommo only calls https addresses: set the relay's https"
        " address (the TLS proxy's) in CITA_RELAY_PUBLIC_URL (or --public-url), restart it and run this command"
        " again.",
        "all_ok": 'All set: write "Hola" to the clinic\'s WhatsApp to try it.',
        "store_unwritable": "Relay: it cannot write its data (disk full or read-only?): it refuses every patient"
        " message. The relay's operator: free space or fix the folder; /healthz says so.",
        "kommo_writes_403": "Kommo ← relay: {count} patient(s) handed to reception since {since} still lack their"
        " Kommo notice (a task or note on the lead): Kommo refuses it (HTTP 403), because the user who authorised the"
        " integration may not create tasks or notes on those leads. Give that user the right in Kommo (Settings →"
        " Users) or authorise the integration as an administrator; the relay tries again every 30 minutes for 12"
        " hours. Meanwhile reception sees them in the agent's «To contact» list.",
        "kommo_writes_401": "Kommo ← relay: {count} patient(s) handed to reception since {since} still lack their"
        " Kommo notice (a task or note on the lead): Kommo refuses the token (HTTP 401). Authorise again:"
        " `cita-relay kommo-install-link {clinic}` prints the install link and the exact command to paste a new"
        " code from Kommo → Integrations → Keys; the relay tries again every 30 minutes for 12 hours. Meanwhile"
        " reception sees them in the agent's «To contact» list.",
        "kommo_writes_waiting": "Kommo ← relay: {count} patient(s) handed to reception since {since} still lack their"
        " Kommo notice (a task or note on the lead): Kommo has not taken it yet ({answer}). The relay tries again by"
        " itself, every 30 minutes for 12 hours; meanwhile reception sees them in the agent's «To contact» list.",
        "no_answer": "no answer",
        "kommo_writes_no_token": "Kommo ← relay: {count} patient(s) handed to reception since {since} still lack their"
        " notice in Kommo (a task or note on the lead): the clinic is not connected to Kommo yet (see the «Kommo» line"
        " above). Connect it and the relay sends them by itself.",
        "kommo_writes_no_agent": "Note: the clinic's agent has not connected yet: reception will see them under «Para"
        " contactar» once it does; meanwhile, write to them from Kommo.",
        "some_failed": "{count} item(s) above must be fixed before the first patient.",
        "unreachable": "Could not ask the relay at {url}: is `cita-relay serve` running? ({detail})",
        "relay_lacks_clinic": "The relay at {url} has no clinic {clinic}: it serves another data folder than this"
        " command's ({data}). Use the same --data as `cita-relay serve` (and `sudo -u cita-relay`), and add the clinic"
        " there if it is missing.",
        "refused": "The relay at {url} refused the question (HTTP {status}): set CITA_RELAY_OPERATOR_TOKEN to the"
        " relay's value, or run the command on the relay's machine.",
        "refused_needs_token": "The relay at {url} refused the question: it has an operator token"
        " (CITA_RELAY_OPERATOR_TOKEN) and this command has none; on the relay's machine that is not enough. Load its"
        " settings and run it again: `sudo -s`, `set -a; . /etc/cita-relay/relay.env; set +a` and the command with"
        " `sudo -u cita-relay --preserve-env=CITA_RELAY_OPERATOR_TOKEN …` (in a container, `docker exec` has it).",
        "refused_other_token": "The relay at {url} refused the question: this command's CITA_RELAY_OPERATOR_TOKEN is"
        " not the relay's. Use the one in its settings (/etc/cita-relay/relay.env).",
    },
}


def text(language: str, key: str, **values: Any) -> str:
    table = _T.get(language, _T["en"])
    return table[key].format(**values)


def _words(language: str, kind: str, code: Any) -> str:
    """A state or error code in words ("unknown" -> "sin comprobar todavía…"), the code itself when not known."""
    key = f"{kind}.{code}"
    return text(language, key) if key in _T.get(language, _T["en"]) else str(code or "?")


def _when(value: Any, language: str) -> str:
    if not value:
        return text(language, "never")
    return str(value).replace("T", " ").replace("+00:00", " UTC")


def render_check(report: dict[str, Any], language: str | None = None) -> CheckOutcome:
    lang = language or str(report.get("language") or "es")
    clinic = str(report.get("clinic", ""))
    lines: list[str] = []
    failures = 0

    if (report.get("store") or {}).get("writable") is False:  # an older relay does not say
        failures += 1
        lines.append(f"{FAIL} " + text(lang, "store_unwritable"))

    kommo = report.get("kommo") or {}
    if kommo.get("ok"):
        lines.append(
            f"{PASS} " + text(lang, "kommo_ok", subdomain=kommo.get("subdomain"), account_id=kommo.get("account_id"))
        )
    else:
        failures += 1
        problem = str(kommo.get("problem") or "kommo_error")
        key = f"kommo_{problem}" if f"kommo_{problem}" in _T["en"] else "kommo_kommo_error"
        lines.append(
            f"{FAIL} "
            + text(
                lang, key, clinic=clinic, status=kommo.get("status"), subdomain=kommo.get("subdomain"),
                base_url=kommo.get("base_url") or "?",
            )
        )

    agent = report.get("agent") or {}
    since, version, portal = _when(agent.get("connected_at"), lang), agent.get("version") or "?", agent.get("portal")
    if not agent.get("connected"):
        failures += 1
        lines.append(f"{FAIL} " + text(lang, "agent_offline", last_seen=_when(agent.get("last_seen"), lang)))
    elif agent.get("paused"):
        failures += 1
        lines.append(f"{FAIL} " + text(lang, "agent_paused", since=since))
    elif portal != "ok":
        failures += 1
        lines.append(f"{FAIL} " + text(lang, "agent_portal", since=since, version=version,
                                       portal=_words(lang, "portal", portal)))
    else:
        lines.append(f"{PASS} " + text(lang, "agent_ok", since=since, version=version,
                                       portal=_words(lang, "portal", portal)))

    slots = report.get("slots") or {}
    if not slots.get("ok"):
        failures += 1
        lines.append(f"{FAIL} " + text(lang, "slots_failed", error=_words(lang, "error", slots.get("error"))))
    elif not slots.get("count"):
        lines.append(f"{PASS} " + text(lang, "slots_none"))
    else:
        lines.append(f"{PASS} " + text(lang, "slots_ok", count=slots["count"], age=_age(slots.get("age_s"))))

    requests = report.get("kommo_requests")
    if isinstance(requests, dict):  # an older relay does not say
        line, failed = _requests_line(requests, lang, clinic, str(kommo.get("subdomain") or "?"))
        lines.append(line)
        failures += failed

    writes = report.get("kommo_writes")
    if isinstance(writes, dict) and writes.get("owed"):  # an older relay does not say
        failures += 1
        if kommo.get("problem") == "no_token":  # never "Kommo has not accepted them": the relay has not called it
            lines.append(f"{FAIL} " + text(lang, "kommo_writes_no_token", count=writes["owed"],
                                           since=_when(writes.get("since"), lang), clinic=clinic))
        else:
            lines.append(f"{FAIL} " + _kommo_writes_line(writes, lang, clinic))
        if not agent.get("last_seen") and not agent.get("connected"):
            lines.append("  " + text(lang, "kommo_writes_no_agent"))

    step = report.get("widget_request") or {}
    url = str(step.get("url", ""))
    problem = _url_line(url, str(kommo.get("base_url") or ""), lang)
    if problem:
        failures += 1
        lines.append(f"{FAIL} " + problem)
    lines.append(text(lang, "paste"))
    lines.append(text(lang, "url", url=url))
    if not url.startswith("https://") and not problem:
        lines.append(text(lang, "not_https"))
    lines.extend("  " + line for line in json.dumps(step.get("data", {}), indent=2, ensure_ascii=False).splitlines())
    lines.append(text(lang, "all_ok") if not failures else text(lang, "some_failed", count=failures))
    return CheckOutcome(tuple(lines), failures == 0)


# Placeholder addresses a relay is set up with by copying an example: relay.env.example's relay.yourdomain.com,
# the guides' relay.example.com, and the names reserved for examples (RFC 2606) that nothing on the internet serves.
_PLACEHOLDER_DOMAINS = ("yourdomain.com", "example.com", "example.net", "example.org")
_PLACEHOLDER_TLDS = ("example", "invalid", "test")


def placeholder_domain(url: str) -> str:
    """The example domain ``url`` is on ("example.com"), or "" for a real address."""
    host = (urlsplit(url).hostname or "").rstrip(".").lower()
    for domain in _PLACEHOLDER_DOMAINS:
        if host == domain or host.endswith("." + domain):
            return domain
    tld = host.rpartition(".")[2]
    return f".{tld}" if "." in host and tld in _PLACEHOLDER_TLDS else ""


def _url_line(url: str, kommo_base_url: str, lang: str) -> str:
    """Why Kommo could not call the bot's URL (a ✘ line without its mark), or "" when it can."""
    if not url:  # a relay that does not say
        return ""
    parts = urlsplit(url)
    address = f"{parts.scheme}://{parts.netloc}"
    domain = placeholder_domain(url)
    if domain:
        return text(lang, "url_placeholder", address=address, domain=domain)
    # Kommo calls https only. A Kommo reached over http is a stand-in on a test machine (`make demo`), which can.
    if not url.startswith("https://") and not kommo_base_url.startswith("http://"):
        return text(lang, "url_http", address=address)
    return ""


def _requests_line(seen: dict[str, Any], lang: str, clinic: str, subdomain: str) -> tuple[str, int]:
    """The last widget_request the relay accepted or refused for this clinic, or sent to a name close to its own:
    (line, 1 if it is a failure). Whichever came last is said: an old mistake the admin has fixed since is not."""
    accepted, refused = seen.get("accepted_s_ago"), seen.get("refused_s_ago")
    misaddressed = [m for m in seen.get("misaddressed") or ()
                    if isinstance(m, dict) and isinstance(m.get("s_ago"), int)]
    latest = misaddressed[0] if misaddressed else None
    came_last = latest is not None and latest.get("after_accepted", isinstance(accepted, int)
                                                  and latest["s_ago"] < accepted)
    # Against a refusal only the seconds tell (the relay keeps no finer order between the two): in the same second
    # the refusal is said, as the call to the clinic's own URL is the one the bot makes now.
    after_refused = not isinstance(refused, int) or (latest is not None and latest["s_ago"] < refused)
    if latest is not None and (not isinstance(accepted, int) or came_last) and after_refused:
        # Messages go to a name that is no clinic here (the bot's URL has a typo) and none reached this one since.
        return f"{FAIL} " + text(lang, "requests_misaddressed", ago=_ago(latest["s_ago"], lang),
                                 wrong=str(latest.get("name", "?")), clinic=clinic), 1
    if isinstance(refused, int) and (not isinstance(accepted, int) or seen.get("refused_last", refused <= accepted)):
        error, detail = str(seen.get("refused_error") or ""), str(seen.get("refused_detail") or "")
        why = _why(lang, error, detail, clinic, subdomain)
        return f"{FAIL} " + text(lang, "requests_refused", ago=_ago(refused, lang), why=why), 1
    key = _PROBLEM_LINES.get(str(seen.get("accepted_problem")))
    if isinstance(accepted, int) and key is not None:
        return f"{FAIL} " + text(lang, key, ago=_ago(accepted, lang)), 1
    if isinstance(accepted, int):
        return f"{PASS} " + text(lang, "requests_ok", ago=_ago(accepted, lang)), 0
    return "• " + text(lang, "requests_none"), 0


# What the last accepted request lacked (relay.kommo_requests_seen) -> its line.
_PROBLEM_LINES = {
    "missing_message": "requests_without_message",
    "unfilled_message": "requests_unfilled_message",
    "empty_message": "requests_empty_message",
    "missing_phone": "requests_without_phone",
    "unreadable_name": "requests_without_name",
}


def _why(lang: str, error: str, detail: str, clinic: str, subdomain: str) -> str:
    """Why the relay refused the clinic's last call, in the clinic's language. The refusal's detail is the relay's
    English for its log (kommo_request_refused): here it only tells apart refusals that share an error code."""
    key, what = _why_keys(error, detail)
    return text(lang, key, clinic=clinic, subdomain=subdomain, error=error, what=text(lang, what) if what else "")


# The refusals of relay/widget_request.py (and relay/jwt_hs256.py's token reasons) -> (sentence, what was wrong).
_NOT_WIDGET = ("missing_token", "missing_return_url", "malformed_return_url")
_BAD_DATA = ("missing_data", "missing_lead_id", "unsupported_media_type")
_CLOCK = ("expired", "not yet valid", "in the future", "lives longer")


def _why_keys(error: str, detail: str) -> tuple[str, str]:
    if error == "invalid_token":
        if "signature" in detail:
            return "why_secret", ""
        if "another Kommo account" in detail:
            return "why_account", ""
        if any(words in detail for words in _CLOCK):
            return "why_clock", ""
        return "why_not_widget", "what.invalid_token"
    if error in _NOT_WIDGET:
        return "why_not_widget", f"what.{error}"
    if error == "account_webhook":
        return "why_webhook", ""
    if error == "foreign_return_url":
        return "why_foreign", ""
    if error in _BAD_DATA:
        return "why_data", f"what.{error}"
    if error == "malformed_body":
        if "must be strings" in detail:
            return "why_data", "what.not_strings"
        if "control characters" in detail:
            return "why_data", "what.control_characters"
        return "why_data", "what.malformed_body"
    return "why_other", ""


def _kommo_writes_line(writes: dict[str, Any], lang: str, clinic: str) -> str:
    """Hand-offs whose task or note Kommo has not taken yet: why, and what the admin does about it."""
    status = writes.get("status")
    key = f"kommo_writes_{status}" if status in (401, 403) else "kommo_writes_waiting"
    answer = f"HTTP {status}" if isinstance(status, int) and status > 0 else text(lang, "no_answer")
    return text(lang, key, count=writes["owed"], since=_when(writes.get("since"), lang), clinic=clinic, answer=answer)


def _ago(seconds: int, lang: str) -> str:
    if seconds < 120:
        return text(lang, "ago_s", n=seconds)
    if seconds < 7200:
        return text(lang, "ago_min", n=seconds // 60)
    return text(lang, "ago_h", n=seconds // 3600)


def _age(value: Any) -> str:
    try:
        return f"{float(value):.0f}"
    except (TypeError, ValueError):
        return "?"
