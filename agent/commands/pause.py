"""`cita-agent pause` and `cita-agent resume`: stop or restart automatic booking, also in a running agent.

While paused, patients get a hand-off to the receptionist and the clinic web app is not touched.
"""

from __future__ import annotations

import argparse

from agent.cli_texts import choose_language
from agent.paths import resolve_paths
from agent.pause_control import request_pause
from agent.settings import SettingsError, load_settings

MESSAGES = {
    ("es", True): "Reservas automáticas en pausa: los pacientes serán derivados a recepción.",
    ("es", False): "Reservas automáticas reanudadas.",
    ("en", True): "Automatic booking paused: patients are handed to the receptionist.",
    ("en", False): "Automatic booking resumed.",
}


def register(sub: argparse._SubParsersAction) -> None:
    pause = sub.add_parser("pause", help="pause automatic booking (patients are handed to the receptionist)")
    pause.set_defaults(func=lambda args: _set(args, True))
    resume = sub.add_parser("resume", help="resume automatic booking")
    resume.set_defaults(func=lambda args: _set(args, False))


def _set(args: argparse.Namespace, paused: bool) -> int:
    paths = resolve_paths(args.home)
    try:
        language = choose_language(load_settings(paths).language)
    except SettingsError:
        language = choose_language()
    request_pause(paths, paused)
    print(MESSAGES[(language, paused)])
    return 0
