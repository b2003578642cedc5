"""Shared by the deployment checks: where things are, and how a command line is checked against the real parsers."""

from __future__ import annotations

import argparse
import contextlib
import io
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
DOCS = ROOT / "docs"


class CommandRejected(AssertionError):
    pass


def parse_with(parser: argparse.ArgumentParser, argv: list[str]) -> argparse.Namespace | None:
    """Parse ``argv`` as the real program would; raise CommandRejected with argparse's message if it would refuse.

    Returns None for --help/--version (argparse exits 0 for those: the command is fine).
    """
    err = io.StringIO()
    out = io.StringIO()
    try:
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
            return parser.parse_args(argv)
    except SystemExit as exc:
        if exc.code in (0, None):
            return None
        raise CommandRejected(err.getvalue().strip() or f"exit {exc.code}") from None


def relay_parser() -> argparse.ArgumentParser:
    from relay.cli import build_parser

    return build_parser()


def agent_parser() -> argparse.ArgumentParser:
    from agent.cli import build_parser

    return build_parser()


def demo_parser() -> argparse.ArgumentParser:
    from demo.cli import build_parser

    return build_parser()


PARSERS = {"cita-relay": relay_parser, "cita-agent": agent_parser, "cita-agent-tray": agent_parser,
           "cita-demo": demo_parser}
