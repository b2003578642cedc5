"""The `cita-relay` commands that set a clinic up on Kommo: ``kommo-widget`` (the archive to upload),
``kommo-install-link`` (the redirect URI and the install link), ``set-kommo-oauth --auth-code-stdin`` (exchange the
code Kommo shows), ``check-clinic`` (the self-test before the first patient).

What an operator reads is in the clinic's language (es or en); the code and the tokens are never printed.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import re
import sys
from pathlib import Path
from urllib.parse import urlsplit

from relay.cli_support import open_store, read_secret_lines, same_store_flags, with_store_flags
from relay.clinic_check import render_check
from relay.clinic_check import text as check_text
from relay.http_client import HttpClient
from relay.kommo_install import install_with_code
from relay.kommo_oauth import CodeRefused, TokenGrant, install_link, redirect_uri, refusal_text, refusal_where
from relay.kommo_widget import (
    DEFAULT_NAME,
    DEFAULT_SUPPORT_EMAIL,
    DEFAULT_SUPPORT_LINK,
    WidgetOptions,
    write_widget_zip,
)
from relay.operator_client import add_relay_flag, ask_relay, local_relay_url, public_base_url
from relay.settings import add_public_url_flag, add_storage_flags, is_loopback_host, settings_from_args
from relay.store import Clinic, ClinicAdmin, StoreError


def for_this_clinic(text: str, name: str) -> str:
    """A refusal's commands written for this clinic: its name where the shared text has a placeholder, and
    `cita-relay kommo-install-link` with the name it needs (they run as printed)."""
    text = re.sub(r"(cita-relay set-kommo-secret) (?:CLINICA|CLINIC)\b", rf"\1 {name}", text)
    return text.replace("`cita-relay kommo-install-link`", f"`cita-relay kommo-install-link {name}`")


def add_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    widget = sub.add_parser(
        "kommo-widget", help="write the widget archive (zip) to upload to the clinic's Kommo integration"
    )
    widget.add_argument("--out", default="cita-bridge-kommo-widget.zip", metavar="FILE.zip", help="where to write it")
    widget.add_argument("--name", default=DEFAULT_NAME, metavar="TEXT", help=f"the widget's name ({DEFAULT_NAME})")
    widget.add_argument("--relay-url", default="", metavar="URL", help="pre-fill the bot step: https://…/kommo/NAME")
    widget.add_argument("--support-link", default=DEFAULT_SUPPORT_LINK, metavar="URL", help="your support page")
    widget.add_argument("--support-email", default=DEFAULT_SUPPORT_EMAIL, metavar="ADDRESS", help="your e-mail")
    widget.set_defaults(func=_kommo_widget)

    link = sub.add_parser(
        "kommo-install-link",
        help="print the integration's redirect URI and the link that installs it for a clinic (no secret in them)",
    )
    link.add_argument("name")
    add_public_url_flag(link)
    add_storage_flags(link)
    link.set_defaults(func=_kommo_install_link)

    check = sub.add_parser(
        "check-clinic",
        help="self-test a clinic on the running relay: Kommo token, agent, a test slots question; exit 0 if all pass",
    )
    check.add_argument("name")
    add_relay_flag(check)
    add_storage_flags(check)
    check.set_defaults(func=_check_clinic)


def add_auth_code_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--auth-code-stdin",
        action="store_true",
        help="read the authorization code Kommo shows (Integrations → Keys; valid 20 minutes) from standard input"
        " and exchange it, instead of a refresh token",
    )


def _kommo_widget(args: argparse.Namespace) -> int:
    name = " ".join(args.name.split())
    if not name or len(name) > 60:
        print("cita-relay: --name must be 1-60 characters", file=sys.stderr)
        return 2
    relay_url = args.relay_url.strip()
    problem = bot_url_problem(relay_url) if relay_url else ""
    if problem:
        print(f"cita-relay: --relay-url {relay_url!r}: {problem}", file=sys.stderr)
        return 2
    out = Path(args.out).expanduser()
    options = WidgetOptions(
        name=name, relay_url=relay_url, support_link=args.support_link, support_email=args.support_email
    )
    files = write_widget_zip(out, options)
    print(f"Widget archive written: {out} ({len(files)} files).")
    print("Upload it in Kommo: Settings → Integrations → your integration → Upload widget (the zip as it is).")
    if args.support_link == DEFAULT_SUPPORT_LINK or args.support_email == DEFAULT_SUPPORT_EMAIL:
        print("Tip: give your own --support-link and --support-email; Kommo shows them to the clinic.")
    return 0


def bot_url_problem(url: str) -> str:
    """Why ``url`` cannot be the bot's widget_request address (https://<relay>/kommo/<clinic>), or ""."""
    parts = urlsplit(url)
    path = parts.path.rstrip("/")
    if parts.scheme != "https" or not parts.hostname or " " in url:
        return "the bot's address is https://<the relay's public address>/kommo/<clinic> (Kommo only calls https)"
    if path.startswith("/kommo/oauth/"):
        return ("that is the integration's redirect URI (step 1), not the bot's address: drop the /oauth part,"
                f" https://{parts.netloc}/kommo/{path.rsplit('/', 1)[-1]}")
    if not re.fullmatch(r"(?:/[^/]+)*/kommo/[^/]+", path):
        return "the bot's address ends in /kommo/<clinic>, the name given to `cita-relay add-clinic`"
    return ""


def _clinic_or_fail(store: ClinicAdmin, name: str) -> Clinic:
    clinic = store.clinic(name)
    if clinic is None:
        raise StoreError(f"no clinic named {name!r}")
    return clinic


def _kommo_install_link(args: argparse.Namespace) -> int:
    settings = settings_from_args(
        argparse.Namespace(data=args.data, redis_url=args.redis_url, public_url=args.public_url)
    )
    store = open_store(args)
    try:
        clinic = _clinic_or_fail(store, args.name)
    finally:
        store.close_now()
    redirect = redirect_uri(public_base_url(settings), clinic.name)
    if clinic.language == "es":
        print("URL de redirección de la integración (Kommo → Integraciones → Cita Bridge → Editar):")
        print(f"  {redirect}")
        print("Enlace para instalar (ábrelo con el usuario administrador de Kommo; el relay recibe el código solo):")
        print(f"  {install_link(clinic)}")
        print("¿Prefieres pegar el código? Cópialo en Kommo → Integraciones → Claves y ejecuta:")
    else:
        print("The integration's redirect URI (Kommo → Integrations → Cita Bridge → Edit):")
        print(f"  {redirect}")
        print("Install link (open it as the Kommo administrator; the relay receives the code by itself):")
        print(f"  {install_link(clinic)}")
        print("Rather paste the code? Copy it in Kommo → Integrations → Keys and run:")
    data = same_store_flags(args)
    print(f"  cita-relay set-kommo-oauth {clinic.name}{data} --auth-code-stdin --redirect-uri {redirect}")
    if not redirect.startswith("https://") and clinic.language == "es":
        print("Ojo: Kommo solo llama a direcciones https: da --public-url https://… (o CITA_RELAY_PUBLIC_URL), o"
              " arranca el relay con ella y vuelve a ejecutar este comando.")
    elif not redirect.startswith("https://"):
        print("Note: Kommo needs an https address: give --public-url https://… (or CITA_RELAY_PUBLIC_URL), or start"
              " the relay with it and run this command again.")
    return 0


def set_oauth_with_code(args: argparse.Namespace, *, refresh: bool = False) -> int:
    """``--auth-code-stdin``: exchange the code; otherwise (``refresh``) try the refresh token once with Kommo, and
    store what Kommo gives back: a token Kommo refuses never replaces the clinic's working one."""
    logging.getLogger("relay").addHandler(logging.NullHandler())  # the operator reads the sentence below instead
    (code,) = read_secret_lines(1, sys.stdin, ["Kommo refresh token: " if refresh else "Kommo authorization code: "])
    store = open_store(args)
    try:
        clinic = _clinic_or_fail(store, args.name)
        language = clinic.language
        if not code:
            print(f"cita-relay: {refusal_text('no_code_stdin', language)}", file=sys.stderr)
            return 2

        async def write(name: str, grant: TokenGrant, redirect: str) -> bool:
            store.set_oauth_tokens(
                name,
                refresh_token=grant.refresh_token,
                redirect_uri=redirect,
                access_token=grant.access_token,
                access_expires_at=grant.expires_at,
            )
            return True

        async def run() -> None:
            http = HttpClient()
            try:
                await install_with_code(http, clinic, code, args.redirect_uri.strip(), write, refresh=refresh)
            finally:
                await http.aclose()

        try:
            asyncio.run(run())
        except CodeRefused as refused:
            where = refusal_where(refused.reason, language, clinic.kommo_base_url, clinic.name)
            said = f"{refusal_text(refused.reason, language).rstrip('.')}{where}."
            print(f"cita-relay: {with_store_flags(for_this_clinic(said, clinic.name), args)}", file=sys.stderr)
            return 1
    finally:
        store.close_now()
    if language == "es":
        print(f"Clínica {clinic.name!r} conectada a Kommo con OAuth; el relay renueva el token solo.")
        print(f"Siguiente: `cita-relay check-clinic {clinic.name}{same_store_flags(args)}`.")
    else:
        print(f"Clinic {clinic.name!r} is connected to Kommo with OAuth; the relay renews the token by itself.")
        print(f"Next: `cita-relay check-clinic {clinic.name}{same_store_flags(args)}`.")
    return 0


def _check_clinic(args: argparse.Namespace) -> int:
    settings = settings_from_args(argparse.Namespace(data=args.data, redis_url=args.redis_url))
    store = open_store(args)
    try:
        clinic = _clinic_or_fail(store, args.name)
    finally:
        store.close_now()
    language = clinic.language
    base = local_relay_url(settings, args.relay_address)
    answer = ask_relay(base, f"/operator/clinics/{clinic.name}/check", settings)
    if answer.status is None:
        print(check_text(language, "unreachable", url=base, detail=answer.detail))
        return 1
    if answer.status == 404 and isinstance(answer.body, dict) and answer.body.get("error") == "unknown_clinic":
        # this command's store has the clinic, the running relay's has not: two data folders
        where = "Redis" if settings.uses_redis else str(settings.data_dir)
        print(check_text(language, "relay_lacks_clinic", url=base, clinic=clinic.name, data=where))
        return 1
    on_this_machine = is_loopback_host(urlsplit(base).hostname or "")  # loopback: only the token can be it
    if answer.refused and (settings.operator_token or on_this_machine):
        which = "refused_other_token" if settings.operator_token else "refused_needs_token"
        print(check_text(language, which, url=base))
        return 1
    if not answer.ok:
        print(check_text(language, "refused", url=base, status=answer.status))
        return 1
    outcome = render_check(answer.body, language)
    for line in outcome.lines:
        print(with_store_flags(line, args))
    return 0 if outcome.passed else 1
