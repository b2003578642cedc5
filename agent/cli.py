"""`cita-agent`: with no arguments the tray app; otherwise one of the commands below."""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from agent import __version__

# Each module in agent/commands/ has `register(subparsers)`, which adds its parser and sets `func`.
COMMANDS = ("configure", "login", "check", "run", "status", "pause", "forget-secrets", "drivers", "selfcheck")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cita-agent",
        description="Cita Bridge agent: books WhatsApp patients into the clinic's web app from this PC.",
    )
    parser.add_argument("--version", action="version", version=f"cita-agent {__version__}")
    parser.add_argument("--home", help="keep configuration and data in this folder (or set CITA_AGENT_HOME)")
    parser.add_argument("--in-tray", action="store_true",
                        help="tray app: start in the tray without opening the window (how start at login runs it)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"agent.commands.{name.replace('-', '_')}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        from agent.ui.app import run_tray_app

        return run_tray_app(args)
    try:
        return int(args.func(args) or 0)
    except BrokenPipeError:  # `cita-agent status | head`: the reader left; nothing to say (was a traceback)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


if __name__ == "__main__":
    sys.exit(main())
