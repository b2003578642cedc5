"""What every `cita-relay` command shares: the store it works on, and secrets read from standard input."""

from __future__ import annotations

import argparse
import getpass
import re
import shlex
import sqlite3
import sys
from pathlib import Path
from typing import TextIO
from urllib.parse import urlsplit

from relay.settings import settings_from_args
from relay.store import ClinicAdmin, SqliteStore, StoreError


def open_store(args: argparse.Namespace, *, create: bool = False) -> ClinicAdmin:
    """The shared Redis when one is given (flag or environment), else the SQLite file in the data folder.

    Only ``create`` (adding a clinic) may start a new file: any other command on a folder with none is a --data
    typed wrong or left out, said as such, rather than an empty relay made in passing ("no clinic named …")."""
    warn_if_password_in_flag(args)
    settings = settings_from_args(argparse.Namespace(data=args.data, redis_url=args.redis_url))
    if settings.uses_redis:
        from relay.cluster.store import RedisClinicAdmin

        return RedisClinicAdmin(settings.redis_url)
    if settings.data_dir.exists() and not settings.data_dir.is_dir():
        raise StoreError(f"--data {settings.data_dir} is a file, not a folder")
    if not create and not settings.database_path.exists():
        raise StoreError(
            f"no relay data in {settings.data_dir} (no {settings.database_path.name} there): give --data the folder"
            " `cita-relay serve` uses (or set CITA_RELAY_DATA_DIR), or add the first clinic with `cita-relay"
            " add-clinic`"
        )
    try:
        return SqliteStore(settings.database_path)
    except (OSError, sqlite3.OperationalError) as exc:  # read-only, full, or another user's folder
        raise StoreError(unwritable_folder(settings.data_dir, exc)) from None


def unwritable_folder(folder: Path, exc: BaseException) -> str:
    """One sentence for a data folder the relay cannot use (never a traceback)."""
    return (f"cannot use the data folder {folder} ({exc}): is the disk full or read-only, or is the folder not the"
            " relay user's? (`sudo -u cita-relay …` for commands on /var/lib/cita-relay)")


def warn_if_password_in_flag(args: argparse.Namespace) -> None:
    if args.redis_url and urlsplit(args.redis_url).password:
        print(
            "cita-relay: warning: a password in --redis shows up in `ps` and shell history;"
            " set CITA_RELAY_REDIS_URL instead",
            file=sys.stderr,
        )


def read_secret_lines(count: int, stream: TextIO, prompts: list[str]) -> list[str]:
    if stream.isatty():
        return [getpass.getpass(prompt) for prompt in prompts[:count]]
    lines = []
    for _ in range(count):
        line = stream.readline()
        lines.append(line.rstrip("\r\n").strip())
    return lines


def same_store_flags(args: argparse.Namespace) -> str:
    """The --data of this command, for a next command it prints (a Redis URL is never echoed: it may hold a
    password; CITA_RELAY_REDIS_URL carries it)."""
    return f" --data {shlex.quote(str(args.data))}" if getattr(args, "data", None) else ""


_RELAY_COMMAND = re.compile(r"`(cita-relay (?:set-kommo-\w+|kommo-install-link|rotate-agent-token)\b[^`]*)`")


def with_store_flags(text: str, args: argparse.Namespace) -> str:
    """The `cita-relay …` commands a message tells the admin to run, with this command's --data, so they work as
    printed on the same relay."""
    flags = same_store_flags(args)
    return _RELAY_COMMAND.sub(lambda m: f"`{m.group(1)}{flags}`", text) if flags else text


def kommo_subdomain(typed: str) -> str:
    """``--kommo-subdomain`` as an operator types it: ``clinicasol``, or the account's address copied from the
    browser (``https://clinicasol.kommo.com/leads/``), which is taken as ``clinicasol``."""
    from relay.store import SUBDOMAIN_RE

    text = typed.strip()
    host = urlsplit(text if "://" in text else "//" + text).hostname or text.lower()
    for suffix in (".kommo.com", ".amocrm.com", ".amocrm.ru"):
        host = host.removesuffix(suffix)
    if not SUBDOMAIN_RE.match(host):
        raise argparse.ArgumentTypeError(
            f"{typed!r} is not a Kommo subdomain: give the part before .kommo.com of the account's address"
            " (clinicasol for https://clinicasol.kommo.com): lowercase letters, digits and '-'"
        )
    return host
