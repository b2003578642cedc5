"""What every `cita-relay` command shares: the store it works on, and secrets read from standard input."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import TextIO
from urllib.parse import urlsplit

from relay.settings import settings_from_args
from relay.store import ClinicAdmin, SqliteStore


def open_store(args: argparse.Namespace) -> ClinicAdmin:
    """The shared Redis when one is given (flag or environment), else the SQLite file in the data folder."""
    warn_if_password_in_flag(args)
    settings = settings_from_args(argparse.Namespace(data=args.data, redis_url=args.redis_url))
    if settings.uses_redis:
        from relay.cluster.store import RedisClinicAdmin

        return RedisClinicAdmin(settings.redis_url)
    return SqliteStore(settings.database_path)


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
