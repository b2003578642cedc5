"""`cita-agent drivers`: the clinic web app drivers installed on this PC, what each can do and the settings it takes."""

from __future__ import annotations

import argparse
import json

from agent.portal.registry import describe_drivers


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "drivers",
        help="list the installed clinic web app drivers",
        description="List the installed drivers (name, title, package, version, capabilities, settings). "
        "A driver is installed as a Python package declaring the entry point group cita_bridge.drivers.",
    )
    parser.add_argument("--json", action="store_true", help="print a JSON array instead of a table")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    described = describe_drivers()
    if args.json:
        print(json.dumps([d.to_json() for d in described], ensure_ascii=False, indent=2))
        return 0
    for d in described:
        print(f"{d.name}  —  {d.title}")
        print(f"    package: {d.package} {d.version}".rstrip())
        print(f"    can: {', '.join(d.capabilities.labels())}")
        for setting in d.settings:
            need = "required" if setting.required else f"default {setting.default!r}"
            print(f"    --set {setting.name}=…  ({setting.kind}, {need}) {setting.help_en or setting.help}".rstrip())
    if not described:
        print("No drivers are installed.")
    return 0
