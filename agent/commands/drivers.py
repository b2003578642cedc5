"""`cita-agent drivers`: the clinic web app drivers installed on this PC, what each can do and the settings it takes."""

from __future__ import annotations

import argparse
import json

from agent.cli_texts import choose_language, say
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
    language = choose_language()
    for d in described:
        print(f"{d.name}  —  {d.title}")
        print(say("drivers.package", language, package=d.package, version=d.version).rstrip())
        print(say("drivers.can", language, what=", ".join(d.capabilities.labels(language))))
        for setting in d.settings:
            need = (say("drivers.required", language) if setting.required
                    else say("drivers.default", language, value=repr(setting.default)))
            about = setting.help if language == "es" else setting.help_en or setting.help
            print(f"    --set {setting.name}=…  ({setting.kind}, {need}) {about}".rstrip())
    if not described:
        print(say("drivers.none", language))
    return 0
