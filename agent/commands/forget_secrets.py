"""`cita-agent forget-secrets`: delete this agent's web app password and relay token from the OS keyring, and the
stored web app session with the key that seals it (agent/session_store.py).

What the Windows uninstaller runs when the user asks it to forget the secrets; also for an IT person
retiring a PC. Settings, the journal and logs are left alone.
"""

from __future__ import annotations

import argparse
import sys

from agent.cli_texts import choose_language, say
from agent.paths import AgentPaths, resolve_paths
from agent.secrets import PORTAL_PASSWORD, RELAY_TOKEN, KeyringUnavailable, SecretStore
from agent.session_store import forget_web_session
from agent.settings import SettingsError, load_settings


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("forget-secrets", help="delete the stored password and relay token from the keyring")
    parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    parser.set_defaults(func=forget_secrets)


def forget_secrets(args: argparse.Namespace) -> int:
    paths = resolve_paths(args.home)
    language = _language(paths)
    if not args.yes:
        if not sys.stdin.isatty():
            print(say("forget.needs_yes", language), file=sys.stderr)
            return 2
        answer = input(say("forget.ask", language))
        if answer.strip().lower() not in ("y", "yes", "s", "si", "sí"):
            print(say("forget.nothing", language))
            return 1
    store = SecretStore(paths.keyring_service)
    try:
        for name in (PORTAL_PASSWORD, RELAY_TOKEN):
            store.delete(name)
        forget_web_session(paths.web_session_file, store)
    except KeyringUnavailable as exc:
        print(exc.text(language), file=sys.stderr)
        return 3
    print(say("forget.done", language))
    return 0


def _language(paths: AgentPaths) -> str:
    """The agent's language when its settings can be read (an uninstaller may run it on a broken install)."""
    try:
        return choose_language(load_settings(paths).language)
    except (SettingsError, OSError):
        return choose_language()
