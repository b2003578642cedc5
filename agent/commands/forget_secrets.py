"""`cita-agent forget-secrets`: delete this agent's web app password and relay token from the OS keyring, and the
stored web app session with the key that seals it (agent/session_store.py).

What the Windows uninstaller runs when the user asks it to forget the secrets; also for an IT person
retiring a PC. Settings, the journal and logs are left alone.
"""

from __future__ import annotations

import argparse
import sys

from agent.paths import resolve_paths
from agent.secrets import PORTAL_PASSWORD, RELAY_TOKEN, KeyringUnavailable, SecretStore
from agent.session_store import forget_web_session


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("forget-secrets", help="delete the stored password and relay token from the keyring")
    parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    parser.set_defaults(func=forget_secrets)


def forget_secrets(args: argparse.Namespace) -> int:
    if not args.yes:
        if not sys.stdin.isatty():
            print("Refusing to delete the secrets without --yes.", file=sys.stderr)
            return 2
        answer = input("Delete the clinic web app password and the relay token from this computer? [y/N] ")
        if answer.strip().lower() not in ("y", "yes", "s", "si", "sí"):
            print("Nothing deleted.")
            return 1
    paths = resolve_paths(args.home)
    store = SecretStore(paths.keyring_service)
    try:
        for name in (PORTAL_PASSWORD, RELAY_TOKEN):
            store.delete(name)
        forget_web_session(paths.web_session_file, store)
    except KeyringUnavailable as exc:
        print(str(exc), file=sys.stderr)
        return 3
    print("The password and the relay token were deleted from the keyring, with the stored web app session.")
    return 0
