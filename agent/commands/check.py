"""`cita-agent check` (not built yet)."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("check", help="(not built yet)")
    parser.set_defaults(func=lambda args: print("not built yet") or 2)
