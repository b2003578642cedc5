"""`cita-relay serve | add-clinic | set-clinic | list-clinics | remove-clinic | set-kommo-oauth |
set-kommo-account | set-kommo-secret | rotate-agent-token | set-follow-ups`, and the Kommo set-up commands of
``relay.cli_kommo`` (kommo-widget, kommo-install-link, check-clinic).

Secrets only ever come in on standard input (never as flags, which show up in `ps` and shell history), and
the one secret the relay hands out — a clinic's agent token — is printed once, alone on the last line of
standard output, so a script can take it with `tail -n 1`.

Every command works on the embedded SQLite file (``--data``) or, for several relay instances, on the Redis
they share (``--redis URL`` or ``CITA_RELAY_REDIS_URL``; the variable keeps a Redis password out of `ps`).
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import gc
import json
import os
import shlex
import sqlite3
import sys
import time

from relay import cli_kommo
from relay.cli_support import kommo_subdomain, same_store_flags, unwritable_folder
from relay.cli_support import open_store as _store
from relay.cli_support import read_secret_lines as _read_secret_lines
from relay.cli_support import warn_if_password_in_flag as _warn_if_password_in_flag
from relay.clinic_check import placeholder_domain
from relay.clinic_listing import agent_cells, conversations_since, followups_cell
from relay.operator_client import (
    RelayAnswer,
    add_relay_flag,
    ask_relay,
    local_relay_url,
    public_base_url,
    remember_address,
    serving_url,
)
from relay.settings import (
    SettingsInvalid,
    add_serve_flags,
    add_storage_flags,
    settings_from_args,
    unknown_env_names,
)
from relay.store import Clinic, ClinicChanges, ClinicDetails, StoreError, StoreUnavailable


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cita-relay",
        description="Cita Bridge relay: Kommo's WhatsApp Salesbot in, the clinic's agent out.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    serve = sub.add_parser("serve", help="run the relay (HTTP + agent websockets)")
    add_serve_flags(serve)
    serve.set_defaults(func=_serve)

    add = sub.add_parser("add-clinic", help="store a clinic and print its agent token once")
    add.add_argument("name", help="the clinic's short name, used in its Kommo URL: /kommo/NAME")
    add.add_argument(
        "--kommo-subdomain", required=True, metavar="SUB", type=kommo_subdomain,
        help="the account's <SUB>.kommo.com (its address, https://<SUB>.kommo.com, works too)",
    )
    add.add_argument("--kommo-client-id", required=True, metavar="ID", help="the integration's client id")
    add.add_argument(
        "--kommo-secret-stdin",
        action="store_true",
        required=True,
        help="read the integration's client secret from standard input (first line)",
    )
    add.add_argument(
        "--kommo-token-stdin",
        action="store_true",
        help="also read a long-lived Kommo token from standard input (second line)",
    )
    add.add_argument("--language", choices=("es", "en"), default="es", help="the patients' language (es)")
    add.add_argument("--address", default="", metavar="TEXT", help="the clinic's address, shown on a confirmation")
    add.add_argument(
        "--display-name",
        default="",
        metavar="TEXT",
        help="the clinic's name as patients read it in the chat (default: NAME)",
    )
    add.add_argument(
        "--kommo-base-url", metavar="URL", help="Kommo account URL (default https://<subdomain>.kommo.com)"
    )
    add.add_argument(
        "--bot-question-step", type=int, default=1, metavar="N", help="the Salesbot step the bot loops back to (1)"
    )
    add_storage_flags(add)
    add.set_defaults(func=_add_clinic)

    change = sub.add_parser(
        "set-clinic",
        help="change a clinic's bot question step, display name, language or address; its agent token, Kommo"
        " tokens and conversations stay",
    )
    change.add_argument("name")
    change.add_argument(
        "--bot-question-step", type=int, metavar="N", help="the Salesbot step the relay's replies send the bot back to"
    )
    change.add_argument("--display-name", metavar="TEXT", help="the clinic's name as patients read it (\"\": NAME)")
    change.add_argument("--language", choices=("es", "en"), help="the patients' language")
    change.add_argument("--address", metavar="TEXT", help="the clinic's address, shown on a confirmation")
    add_storage_flags(change)
    change.set_defaults(func=_set_clinic)

    listing = sub.add_parser("list-clinics", help="list the clinics (no secrets)")
    listing.add_argument("--json", action="store_true", help="one JSON array instead of a table")
    add_relay_flag(listing)
    add_storage_flags(listing)
    listing.set_defaults(func=_list_clinics)

    remove = sub.add_parser(
        "remove-clinic", help="delete a clinic, its tokens and its conversations, and disconnect its agent"
    )
    remove.add_argument("name")
    add_relay_flag(remove)
    add_storage_flags(remove)
    remove.set_defaults(func=_remove_clinic)

    oauth = sub.add_parser(
        "set-kommo-oauth",
        help="use OAuth tokens for a clinic: a refresh token, or with --auth-code-stdin the code Kommo shows,"
        " is read from standard input",
    )
    oauth.add_argument("name")
    oauth.add_argument("--redirect-uri", required=True, metavar="URL", help="the integration's redirect URI")
    cli_kommo.add_auth_code_flag(oauth)
    add_storage_flags(oauth)
    oauth.set_defaults(func=_set_kommo_oauth)

    account = sub.add_parser(
        "set-kommo-account",
        help="point a clinic at its Kommo account again (a subdomain typed wrong); tokens and conversations stay",
    )
    account.add_argument("name")
    account.add_argument(
        "--kommo-subdomain", required=True, metavar="SUB", type=kommo_subdomain,
        help="the account's <SUB>.kommo.com (its address, https://<SUB>.kommo.com, works too)",
    )
    account.add_argument(
        "--kommo-base-url", metavar="URL", help="Kommo account URL (default https://<subdomain>.kommo.com)"
    )
    add_storage_flags(account)
    account.set_defaults(func=_set_kommo_account)

    secret = sub.add_parser(
        "set-kommo-secret",
        help="store a clinic's Kommo client secret again (one typed wrong refuses every message); tokens and"
        " conversations stay",
    )
    secret.add_argument("name")
    secret.add_argument(
        "--kommo-secret-stdin",
        action="store_true",
        required=True,
        help="read the integration's client secret from standard input (first line)",
    )
    secret.add_argument("--kommo-client-id", metavar="ID", help="also store the integration's client id again")
    add_storage_flags(secret)
    secret.set_defaults(func=_set_kommo_secret)

    rotate = sub.add_parser(
        "rotate-agent-token",
        help="give a clinic a new agent token and print it once (Kommo tokens and conversations stay)",
    )
    rotate.add_argument("name")
    add_relay_flag(rotate)
    add_storage_flags(rotate)
    rotate.set_defaults(func=_rotate_agent_token)

    followups = sub.add_parser(
        "set-follow-ups",
        help="where a clinic's hand-offs land in Kommo besides the agent's tray (default: task,note)",
    )
    followups.add_argument("name")
    followups.add_argument(
        "--kommo",
        required=True,
        metavar="ACTIONS",
        help="comma-separated task, note, tag (a task on the lead, a note with the reason, a tag), or none",
    )
    add_storage_flags(followups)
    followups.set_defaults(func=_set_follow_ups)
    cli_kommo.add_commands(sub)
    return parser


def _which_clinics(args: argparse.Namespace, error: str) -> str:
    """After "no clinic named 'x'": where the command looked and the clinics it has there (the closest first), so a
    name typed wrong or a --data left out shows at once."""
    if not error.startswith("no clinic named") or not hasattr(args, "data"):
        return ""
    try:
        store = _store(args)
        try:
            names = [c.name for c in store.list_clinics()]
        finally:
            store.close_now()
    except (StoreError, StoreUnavailable, sqlite3.Error, OSError):
        return ""
    settings = settings_from_args(argparse.Namespace(data=args.data, redis_url=getattr(args, "redis_url", None)))
    where = "Redis" if settings.uses_redis else str(settings.data_dir)
    close = difflib.get_close_matches(str(getattr(args, "name", "")), names, n=1)
    listed = ", ".join(close + [n for n in names if n not in close][:9]) or "none"
    guess = f" (did you mean {close[0]}?)" if close else ""
    return f" in {where}{guess}; its clinics: {listed}"


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except StoreError as exc:
        print(f"cita-relay: {exc}{_which_clinics(args, str(exc))}", file=sys.stderr)
        return 2
    except SettingsInvalid as exc:  # a flag or CITA_RELAY_* variable (relay.env under systemd): one line, not a trace
        print(f"cita-relay: setting not usable: {exc}", file=sys.stderr)
        return 2
    except StoreUnavailable as exc:
        print(f"cita-relay: {exc}: is it running, and is the URL (and its password) right?", file=sys.stderr)
        return 1
    except (sqlite3.OperationalError, PermissionError) as exc:  # the data folder filled up or turned read-only
        # mid-command, or is not this user's (a command run without `sudo -u cita-relay`)
        folder = settings_from_args(argparse.Namespace(data=getattr(args, "data", None), redis_url=None)).data_dir
        print(f"cita-relay: {unwritable_folder(folder, exc)}", file=sys.stderr)
        return 3
    except BrokenPipeError:  # `cita-relay list-clinics | head`: the reader left; nothing to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except KeyboardInterrupt:
        return 130


def _add_clinic(args: argparse.Namespace) -> int:
    wanted = 2 if args.kommo_token_stdin else 1
    values = _read_secret_lines(wanted, sys.stdin, ["Kommo client secret: ", "Kommo long-lived token: "])
    if not values[0]:
        print("cita-relay: the client secret (first line of standard input) is empty", file=sys.stderr)
        return 2
    if args.kommo_token_stdin and not values[1]:
        print("cita-relay: the long-lived token (second line of standard input) is empty", file=sys.stderr)
        return 2
    settings = settings_from_args(argparse.Namespace(data=args.data, redis_url=args.redis_url))
    new_store = not settings.uses_redis and not settings.database_path.exists()
    store = _store(args, create=True)
    try:
        if store.clinic(args.name) is not None:  # said with what to run instead: adding it again is never the fix
            flags = same_store_flags(args)
            print(f"cita-relay: a clinic named {args.name!r} already exists; it keeps its agent token. To change it:"
                  f" `cita-relay set-kommo-secret {args.name}{flags} --kommo-secret-stdin` (the client secret),"
                  f" `cita-relay set-kommo-account {args.name}{flags} --kommo-subdomain SUB`,"
                  f" `cita-relay set-clinic {args.name}{flags} …` (display name, language, address, bot step),"
                  f" `cita-relay rotate-agent-token {args.name}{flags}` (a new agent token); or another name.",
                  file=sys.stderr)
            return 2
        token = store.add_clinic(
            ClinicDetails(
                args.name,
                kommo_subdomain=args.kommo_subdomain,
                kommo_client_id=args.kommo_client_id,
                kommo_client_secret=values[0],
                long_lived_token=values[1] if args.kommo_token_stdin else None,
                language=args.language,
                address=args.address,
                kommo_base_url=args.kommo_base_url,
                bot_question_step=args.bot_question_step,
                display_name=args.display_name,
            )
        )
    finally:
        store.close_now()
    base = public_base_url(settings)
    if base.startswith("https://"):
        print(f"Clinic {args.name!r} added. Its Kommo widget_request URL is {base}/kommo/{args.name}.")
    else:  # no public address known yet: said as a pattern, and where the real one comes from
        print(f"Clinic {args.name!r} added. Its Kommo widget_request URL is https://<the relay's public address>"
              f"/kommo/{args.name} (`cita-relay check-clinic {args.name}{same_store_flags(args)}` prints it once the"
              " relay runs).")
    if not settings.uses_redis:  # where it went: a command without --data writes to this user's default folder
        print(f"Stored in {settings.data_dir} (every `cita-relay` command, `serve` too, takes this --data).")
    if new_store and not args.data:
        print(f"cita-relay: warning: {settings.data_dir} had no relay data yet: if your relay serves another folder"
              " (e.g. /var/lib/cita-relay), add the clinic there with --data (and `sudo -u cita-relay`).",
              file=sys.stderr)
    if not args.kommo_token_stdin:
        print(f"No Kommo token yet: `cita-relay kommo-install-link {args.name}{same_store_flags(args)}` prints the"
              " integration's redirect URI and the link the Kommo admin opens (or give one with `cita-relay"
              " set-kommo-oauth`).")
    print("Agent token (shown once, only its hash is kept; paste it into the clinic's agent):")
    print(token)
    return 0


# What set-clinic changes: (the Clinic field, and its flag, with _ for -; how the command's output names it)
_CLINIC_FIELDS = (
    ("bot_question_step", "bot question step"),
    ("display_name", "display name"),
    ("language", "language"),
    ("address", "address"),
)


def _set_clinic(args: argparse.Namespace) -> int:
    changes = ClinicChanges(
        bot_question_step=args.bot_question_step, display_name=args.display_name, language=args.language,
        address=args.address,
    )
    if all(getattr(changes, field) is None for field, _ in _CLINIC_FIELDS):
        print("cita-relay: nothing to change: give --bot-question-step, --display-name, --language or --address",
              file=sys.stderr)
        return 2
    store = _store(args)
    try:
        before, after = store.update_clinic(args.name, changes)
    finally:
        store.close_now()
    changed = [(label, _shown(before, field), _shown(after, field)) for field, label in _CLINIC_FIELDS
               if _shown(before, field) != _shown(after, field)]
    if not changed:
        print(f"Clinic {args.name!r} already had these settings: nothing changed.")
        return 0
    print(f"Clinic {args.name!r} changed (its agent token, Kommo tokens and conversations stay):")
    for label, old, new in changed:
        print(f"  {label}: {old} -> {new}")
    # SQLite: the relay sees another connection's commit at its next Kommo call. Redis: each instance keeps a
    # clinic's settings for 5 s (relay.cluster.store.RedisStore.get_clinic).
    shared = settings_from_args(argparse.Namespace(data=args.data, redis_url=args.redis_url)).uses_redis
    print(f"The running relay uses it {'within 5 s' if shared else 'from the next patient message on'}, without a"
          " restart.")
    if any(label == "bot question step" for label, _, _ in changed):
        print(f"Its replies now send the Salesbot back to step {after.bot_question_step}: that step must wait for the"
              " patient's answer and call the relay again.")
    return 0


def _shown(clinic: Clinic, field: str) -> str:
    """A clinic's setting as `set-clinic` prints it (the display name as patients read it)."""
    value = clinic.name_for_patients if field == "display_name" else getattr(clinic, field)
    return repr(value) if isinstance(value, str) else str(value)


def _set_follow_ups(args: argparse.Namespace) -> int:
    from relay.followups_store import open_followup_admin, parse_kommo_actions

    actions = parse_kommo_actions(args.kommo)
    store = _store(args)
    try:
        known = any(c.name == args.name for c in store.list_clinics())
    finally:
        store.close_now()
    if not known:
        raise StoreError(f"no clinic named {args.name!r}")
    admin = open_followup_admin(settings_from_args(argparse.Namespace(data=args.data, redis_url=args.redis_url)))
    try:
        admin.set_kommo_actions(args.name, actions)
    finally:
        admin.close_now()
    shown = ", ".join(actions) if actions else "nothing (the agent's tray only)"
    print(f"Hand-offs of {args.name!r} go to the agent's tray and, in Kommo: {shown}.")
    return 0


def _list_clinics(args: argparse.Namespace) -> int:
    store = _store(args)
    try:
        clinics = store.list_clinics()
        conversations = store.conversation_counts(conversations_since())
    finally:
        store.close_now()
    waiting = _followups_waiting(args) if clinics else {}
    agents = _agent_presences(args) if clinics else {}
    if args.json:
        rows = [
            {
                "name": c.name,
                "kommo_subdomain": c.kommo_subdomain,
                "kommo_base_url": c.kommo_base_url,
                "language": c.language,
                "address": c.address,
                "kommo_auth": c.kommo_auth,
                "display_name": c.display_name,
                "bot_question_step": c.bot_question_step,
                "agent": agents.get(c.name) if agents is not None else None,
                "followups_waiting": waiting.get(c.name, 0) if waiting is not None else None,
                "conversations_24h": conversations.get(c.name, 0),
            }
            for c in clinics
        ]
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    if not clinics:
        print("No clinics yet: add one with `cita-relay add-clinic`.")
        return 0
    header = ("NAME", "DISPLAY NAME", "KOMMO", "LANG", "BOT STEP", "AUTH", "ADDRESS", "AGENT", "WEB APP", "FOLLOW-UPS",
              "CHATS 24H")
    rows_text = [
        (
            c.name,
            c.display_name,
            c.kommo_base_url,
            c.language,
            str(c.bot_question_step),
            c.kommo_auth,
            c.address,
            *agent_cells(agents.get(c.name) if agents is not None else None, known=agents is not None),
            followups_cell(waiting, c.name),
            str(conversations.get(c.name, 0)),
        )
        for c in clinics
    ]
    widths = [max(len(str(r[i])) for r in [header, *rows_text]) for i in range(len(header))]
    for row in [header, *rows_text]:
        print("  ".join(str(v).ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())
    return 0


def _followups_waiting(args: argparse.Namespace) -> dict[str, int] | None:
    """Each clinic's follow-ups its agent has not acknowledged yet; None (and a note) when unreadable."""
    from relay.followups_store import open_followup_admin

    try:
        admin = open_followup_admin(settings_from_args(argparse.Namespace(data=args.data, redis_url=args.redis_url)))
        try:
            return admin.waiting_counts(time.time())
        finally:
            admin.close_now()
    except (StoreError, StoreUnavailable, sqlite3.Error) as error:
        print(f"cita-relay: follow-ups unknown ({error})", file=sys.stderr)
        return None


def _agent_presences(args: argparse.Namespace) -> dict[str, dict] | None:
    """Each clinic's agent as the running relay knows it; None (and a note) when the relay does not answer."""
    settings = settings_from_args(argparse.Namespace(data=args.data, redis_url=args.redis_url))
    base = local_relay_url(settings, args.relay_address)
    answer = ask_relay(base, "/operator/clinics", settings, timeout_s=5.0)
    if answer.ok and isinstance(answer.body.get("clinics"), dict):
        return answer.body["clinics"]
    if answer.refused:  # it has an operator token and this command none (or another): loopback is not enough then
        print(f"cita-relay: the running relay at {base} refused the question: it has an operator token; set"
              " CITA_RELAY_OPERATOR_TOKEN to the same value (agent columns unknown)", file=sys.stderr)
        return None
    why = "not reachable" if answer.status is None else f"HTTP {answer.status}"
    print(
        f"cita-relay: the running relay at {base} did not answer ({why}): agent columns unknown"
        " (give --relay URL, or CITA_RELAY_OPERATOR_TOKEN if the relay has one)",
        file=sys.stderr,
    )
    return None


def _remove_clinic(args: argparse.Namespace) -> int:
    store = _store(args)
    try:
        removed = store.remove_clinic(args.name)
    finally:
        store.close_now()
    if not removed:
        error = f"no clinic named {args.name!r}"
        print(f"cita-relay: {error}{_which_clinics(args, error)}", file=sys.stderr)
        return 1
    print(f"Clinic {args.name!r} removed (its agent token no longer works).")
    # Its agent's link outlives the clinic until the relay closes it: it would show as connected, and answer the
    # patients of a clinic added again under this name.
    base, dropped, had_token = _drop_agent(args, "removed")
    if not _told_dropped(base, dropped, "Its agent", "An agent of this clinic"):
        why = _relay_refusal(dropped, had_token)
        for line in (
            f"cita-relay: the relay at {base} did not disconnect the removed clinic's agent: it {why}.",
            "If its agent is connected there (the relay did not say), it is STILL CONNECTED until that relay restarts:"
            " it shows as connected, and would answer",
            f"the patients of a clinic added again as {args.name!r}. Restart that relay (`sudo systemctl restart"
            " cita-relay`): the agent reconnects and is refused.",
            "The relay's operator token comes with its settings: load them before such commands"
            " (`set -a; . /etc/cita-relay/relay.env; set +a`).",
        ):
            print(line, file=sys.stderr)
        return 1
    return 0


def _set_kommo_oauth(args: argparse.Namespace) -> int:
    return cli_kommo.set_oauth_with_code(args, refresh=not args.auth_code_stdin)


def _set_kommo_account(args: argparse.Namespace) -> int:
    store = _store(args)
    try:
        base_url = store.set_kommo_account(args.name, args.kommo_subdomain, args.kommo_base_url)
    finally:
        store.close_now()
    print(f"Clinic {args.name!r} now talks to the Kommo account at {base_url}; its tokens and conversations stay.")
    print(f"The running relay uses it within seconds: check with `cita-relay check-clinic {args.name}"
          f"{same_store_flags(args)}`.")
    return 0


def _set_kommo_secret(args: argparse.Namespace) -> int:
    [secret] = _read_secret_lines(1, sys.stdin, ["Kommo client secret: "])
    if not secret:
        print("cita-relay: the client secret (first line of standard input) is empty", file=sys.stderr)
        return 2
    store = _store(args)
    try:
        store.set_kommo_secret(args.name, args.kommo_client_id, secret)
    finally:
        store.close_now()
    print(f"Clinic {args.name!r} has its Kommo client secret stored again; its tokens and conversations stay.")
    print(f"The running relay uses it within seconds: write «Hola» to the clinic's WhatsApp, then"
          f" `cita-relay check-clinic {args.name}{same_store_flags(args)}`.")
    return 0


def _rotate_agent_token(args: argparse.Namespace) -> int:
    store = _store(args)
    try:
        token = store.rotate_agent_token(args.name)
    finally:
        store.close_now()
    print(f"Clinic {args.name!r} has a new agent token; the old one no longer works.")
    print("Its Kommo tokens and conversations in progress are kept.")
    base, dropped, had_token = _drop_agent(args, "rotated")
    # False: a relay answered, and the old token's link may still be up there
    cut_off = _told_dropped(base, dropped, "The agent connected with the old token", "An agent with the old token")
    if not cut_off:
        _still_connected(args, base, dropped, had_token)
    print("On the clinic's PC, store the new token: `cita-agent login --relay-token-stdin` (or the tray's")
    print("Configuración… → Clave del agente).")
    print("New agent token (shown once, only its hash is kept):")
    print(token)  # still printed: the old token is gone from the store either way
    return 0 if cut_off else 1


def _relay_refusal(answer: RelayAnswer, had_token: bool) -> str:
    """Why a relay that answered did not close an agent's link, for "the relay at … did not disconnect …: it …"."""
    if answer.refused and had_token:
        return "did not accept the CITA_RELAY_OPERATOR_TOKEN this command was given (it is not the relay's)"
    if answer.refused:
        return "asks for its operator token (CITA_RELAY_OPERATOR_TOKEN) and this command was not given it"
    return f"answered HTTP {answer.status}"


def _drop_agent(args: argparse.Namespace, why: str) -> tuple[str, RelayAnswer, bool]:
    """Ask the running relay to close the clinic's agent link (``why``: "rotated" or "removed"): its address, its
    answer, and whether this command had an operator token to give."""
    settings = settings_from_args(argparse.Namespace(data=args.data, redis_url=args.redis_url))
    base = local_relay_url(settings, args.relay_address)
    answer = ask_relay(base, f"/operator/clinics/{args.name}/agent?why={why}", settings, timeout_s=10.0,
                       method="DELETE")
    return base, answer, bool(settings.operator_token)


def _told_dropped(base: str, answer: RelayAnswer, the_agent: str, an_agent: str) -> bool:
    """Says what became of the agent's link; False when a relay answered without closing it (the caller says so)."""
    if answer.status == 200 and isinstance(answer.body, dict) and answer.body.get("dropped"):
        print(f"{the_agent} was disconnected from the relay at {base}.")
    elif answer.status == 200:
        print(f"No agent of this clinic was connected to the relay at {base}.")
    elif answer.status is None:  # no relay there: one elsewhere holds the link until the agent reconnects
        print(f"No relay answered at {base} (not running there?): nothing was disconnected. {an_agent} connected to"
              " a relay elsewhere keeps its link until it reconnects")
        print("(restart that relay, or give --relay URL, to drop it at once), then it is refused.")
    else:
        return False
    return True


def _still_connected(args: argparse.Namespace, base: str, answer: RelayAnswer, had_token: bool) -> None:
    """The relay did not close the old token's link: an operator who reads "done" leaves a stolen PC serving."""
    why = _relay_refusal(answer, had_token)
    lines = [
        f"cita-relay: the relay at {base} did not disconnect the old agent: it {why}.",
        "An agent connected there with the old token (the relay did not say whether one is) is STILL CONNECTED, and",
        "keeps answering patients, until that relay restarts.",
    ]
    if answer.refused:
        again_at = f" --relay {shlex.quote(args.relay_address)}" if args.relay_address else ""
        lines += [
            "Give this command the relay's operator token and run it again (it prints yet another new token: store",
            "that one), e.g. with the relay's settings loaded:",
            "  set -a; . /etc/cita-relay/relay.env; set +a",
            f"  cita-relay rotate-agent-token {args.name}{same_store_flags(args)}{again_at}",
        ]
    lines.append("Or restart that relay (`sudo systemctl restart cita-relay`): agents reconnect, the old token is"
                 " refused.")
    for line in lines:
        print(line, file=sys.stderr)


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from relay.app import build_app
    from relay.http_limits import uvicorn_limits
    from relay.logs import configure_logging
    from relay.serving import DataFolderLock, RelayServer, StartRefused, listening_socket

    _warn_if_password_in_flag(args)
    for warning in unknown_env_names():  # "CITA_RELAY_PROT=…": said, not silently the default port
        print(f"cita-relay: warning: {warning}", file=sys.stderr)
    if args.operator_token:
        print(
            "cita-relay: warning: --operator-token shows up in `ps` and shell history;"
            " set CITA_RELAY_OPERATOR_TOKEN instead",
            file=sys.stderr,
        )
    settings = settings_from_args(args)
    configure_logging(settings.log_level, settings.log_format)
    placeholder = placeholder_domain(settings.public_base_url)
    if placeholder:  # relay.env copied unchanged: every URL the relay hands out for Kommo would lead nowhere
        print(
            f"cita-relay: warning: the public URL {settings.public_base_url} is an example address ({placeholder}),"
            " not this relay's: Kommo cannot reach it, and check-clinic and kommo-install-link print it as the"
            " clinic's bot URL and redirect URI. Set CITA_RELAY_PUBLIC_URL (or --public-url) to the relay's https"
            " address.",
            file=sys.stderr,
        )
    if not settings.uses_redis and settings.data_dir.exists() and not settings.data_dir.is_dir():
        print(f"cita-relay: --data {settings.data_dir} is a file, not a folder", file=sys.stderr)
        return 2
    if not settings.uses_redis and not settings.database_path.exists():
        print(
            f"cita-relay: warning: {settings.data_dir} holds no relay data yet: a new, empty relay starts there, and"
            " it refuses every agent and Kommo call until `cita-relay add-clinic … --data"
            f" {settings.data_dir}` (is --data the folder you meant?)",
            file=sys.stderr,
        )
    try:  # the port first: a relay refused for it leaves no folder behind
        listening = listening_socket(settings.host, settings.port)
    except StartRefused as refused:
        print(f"cita-relay: {refused}", file=sys.stderr)
        return 3
    try:
        if not settings.uses_redis:
            DataFolderLock(settings.data_dir).take()
            # Where the operator's commands on this machine find it (they are given --data, rarely --relay)
            remember_address(settings.data_dir, serving_url(settings), settings.public_url)
        elif getattr(args, "data", None) and settings.data_dir.is_dir():  # on Redis, a --data folder given: the
            # last instance started with it (never the default folder, which other relays' commands would read)
            with contextlib.suppress(OSError):
                remember_address(settings.data_dir, serving_url(settings), settings.public_url)
    except StartRefused as refused:
        listening.close()
        print(f"cita-relay: {refused}", file=sys.stderr)
        return 3
    except OSError as exc:  # read-only, full, or another user's folder
        listening.close()
        print(f"cita-relay: {unwritable_folder(settings.data_dir, exc)}", file=sys.stderr)
        return 3
    app = build_app(settings)
    # Everything loaded so far lives as long as the process: keep it out of the cyclic GC's full scans,
    # which otherwise stall the event loop for tens of ms with a thousand agents connected.
    gc.collect()
    gc.freeze()
    # A turn allocates a few hundred containers that reference counting frees; at the default 700 the young
    # generation was scanned every other turn (about 4 % of the relay's CPU under load, by perf).
    gc.set_threshold(50_000, 10, 10)
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=settings.access_log,
        lifespan="on",
        # The relay reads X-Forwarded-* itself, only from its trusted proxies (see relay/agent_endpoint.py).
        proxy_headers=False,
        ws_ping_interval=settings.ws_ping_interval_s,
        ws_ping_timeout=settings.ws_ping_interval_s,
        # Header-read and idle timeouts, concurrency, frame and header sizes (relay/http_limits.py).
        **uvicorn_limits(settings),
        # Agent frames are small JSON; a deflate context per idle agent would cost far more than it saves.
        ws_per_message_deflate=False,
        timeout_graceful_shutdown=int(settings.shutdown_grace_s) + 5,
    )
    try:
        RelayServer(config, app.state.relay).run(sockets=[listening])
    except KeyboardInterrupt:  # uvicorn re-raises Ctrl-C once its graceful shutdown is done
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
