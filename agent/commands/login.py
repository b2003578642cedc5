"""`cita-agent login`: store the clinic web app's password and the relay's agent token in the OS keyring.

The password is stored only after a real test login with it; a wrong one is reported once and
not stored (and not retried: the clinic's account would get locked). With ``--password-stdin``
and ``--relay-token-stdin`` together, standard input holds the password on its first line and
the token on its second.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import sys

from agent import login_check
from agent.cli_texts import choose_language, say
from agent.commands import settings_or_report
from agent.link import check_token
from agent.logging_setup import register_secret, setup_logging
from agent.login_gate import mark_tested
from agent.paths import resolve_paths
from agent.secrets import PORTAL_PASSWORD, RELAY_TOKEN, KeyringUnavailable, SecretStore
from agent.settings import SettingsError


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "login",
        help="store the web app password and the relay token in the keyring (after a test login)",
        description="Store the clinic web app's password and the relay's agent token in the OS keyring, "
        "after a real test login. Without the -stdin options, both are asked for without echo.",
    )
    parser.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    parser.add_argument(
        "--relay-token-stdin", action="store_true",
        help="read the relay token from standard input (its second line when --password-stdin is also given)",
    )
    parser.set_defaults(func=login)


def login(args: argparse.Namespace) -> int:
    paths = resolve_paths(args.home)
    settings = settings_or_report(paths)
    if settings is None:
        return 2
    language = choose_language(settings.language)
    if not settings.portal_url or not settings.portal_user:
        print(say("login.not_configured", language), file=sys.stderr)
        return 2
    store = SecretStore(paths.keyring_service)
    try:
        stored_password = store.get(PORTAL_PASSWORD)
        stored_token = store.get(RELAY_TOKEN)
    except KeyringUnavailable as exc:
        print(exc.text(language), file=sys.stderr)
        return 3
    register_secret(stored_password)
    register_secret(stored_token)
    setup_logging(None, console=True, level=logging.WARNING)  # the driver's warnings, redacted, and nothing else

    if args.relay_token_stdin and not args.password_stdin and stored_password:
        password = stored_password  # only the token comes in (after a rotation): never read it as the password
    elif args.relay_token_stdin and not args.password_stdin and not sys.stdin.isatty():
        # nothing stored and only the token piped in: its line would be read as the password (and tried on the
        # clinic's web app); said what to give instead
        print(say("login.token_without_password", language), say("login.not_stored", language), file=sys.stderr)
        return 2
    else:
        password = _read_secret(
            args.password_stdin, say("login.prompt_password", language, user=settings.portal_user,
                                     keep=say("login.keep", language) if stored_password else ""),
        ) or (stored_password if not args.password_stdin else "")
    if not password:
        print(say("login.no_password", language), say("login.not_stored", language), file=sys.stderr)
        return 2
    register_secret(password)
    if args.relay_token_stdin:  # the rest of standard input: a token pasted from a mail that wrapped it comes in
        # on two lines (`Get-Clipboard | cita-agent login --relay-token-stdin`); typed at a terminal, one line
        token = sys.stdin.readline() if sys.stdin.isatty() else sys.stdin.read()
    else:
        token = _read_secret(
            False, say("login.prompt_token", language, keep=say("login.keep", language) if stored_token else ""),
        ) or stored_token
    # A token is one word (letters, digits, - and _): spaces or a line break inside come from pasting it out of a
    # mail or a chat that wrapped it, never from the token itself
    token = "".join(token.split())
    if not token:
        print(say("login.no_token", language), say("login.not_stored", language), file=sys.stderr)
        return 2
    register_secret(token)

    print(say("login.checking", language, url=settings.portal_url), flush=True)
    try:
        check = asyncio.run(login_check.test_login(settings, password, paths.ensure().portal_work_dir))
    except SettingsError as exc:
        print(say("error.settings", language, detail=exc), file=sys.stderr)
        return 2
    if not check.ok:
        print(say(f"check.{check.code}", language, detail=check.message), say("login.not_stored", language),
              file=sys.stderr)
        return 1
    problem = ""
    if settings.relay_urls:
        print(say("login.checking_token", language), flush=True)
        problem = asyncio.run(check_token(settings.relay_urls, token))
        if problem == "token_refused":  # typed or pasted wrong: stored, it would only be refused again and again
            print(say("login.token_refused", language), say("login.not_stored", language), file=sys.stderr)
            return 1
        if problem:
            print(say("login.token_unchecked", language, problem=say(f"link_problem.{problem}", language)),
                  file=sys.stderr)
    try:
        store.set(PORTAL_PASSWORD, password)
        store.set(RELAY_TOKEN, token)
    except KeyringUnavailable as exc:
        print(exc.text(language), file=sys.stderr)
        return 3
    mark_tested(paths)  # the running agent may log in with it now (agent.login_gate)
    # "Acceso correcto" only for what was tested: a token the server could not be asked about is said to be untested
    print(say("login.ok_token_untested" if problem else "login.ok", language, backend=store.backend_name()))
    if check.code == "login_needs_person":  # a code was sent to someone's phone: say why, and where it goes
        print(say("login.needs_code", language))
    if problem in WRONG_ADDRESS:  # stored (the web app login works), but the agent would never reach the relay
        print(say("login.relay_address_wrong", language, url=", ".join(settings.relay_urls),
                  problem=say(f"link_problem.{problem}", language)), file=sys.stderr)
        return 4
    return 0


# What check_token finds that no waiting mends: the address itself must change (a relay down is not one of them).
WRONG_ADDRESS = frozenset({"not_a_relay", "tls_required", "no_tls", "tls", "dns"})


def _read_secret(from_stdin: bool, prompt: str) -> str:
    """One line of standard input, or a prompt without echo. Only the line break is removed."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():  # piped or redirected: getpass would warn in English ("GetPassWarning: Can not
        return sys.stdin.readline().rstrip("\r\n")  # control echo…") and wait on a terminal nobody types in
    try:
        return getpass.getpass(prompt)
    except EOFError:
        return ""
