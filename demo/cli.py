"""`cita-demo`: the stand-in clinic web app, the stand-in Kommo, the patient chat, and the whole system."""

from __future__ import annotations

import argparse
import importlib
import sys

# Each module in demo/commands/ has `register(subparsers)`, which adds its parser and sets `func`.
COMMANDS = ("portal", "kommo", "chat", "all")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cita-demo", description="Cita Bridge stand-ins and demo.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        importlib.import_module(f"demo.commands.{name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
