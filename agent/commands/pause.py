"""`cita-agent pause` and `cita-agent resume`: stop or restart automatic booking, also in a running agent.

While paused, patients get a hand-off to the receptionist and the clinic web app is not touched.
"""

from __future__ import annotations

import argparse

from agent.cli_texts import choose_language
from agent.commands.status import _alive as agent_alive
from agent.paths import resolve_paths
from agent.pause_control import request_pause
from agent.runtime_state import load_state
from agent.settings import SettingsError, load_settings

MESSAGES = {
    ("es", True): "Reservas automáticas en pausa: los pacientes serán derivados a recepción.",
    ("es", False): "Reservas automáticas reanudadas.",
    ("en", True): "Automatic booking paused: patients are handed to the receptionist.",
    ("en", False): "Automatic booking resumed.",
}
# The same, said when no agent runs on this PC: a pause is kept for its next start, and a resume alone books nothing
NOT_RUNNING = {
    ("es", True): "El agente no está en marcha en este equipo: arrancará en pausa (hasta `cita-agent resume`);"
                  " mientras no funcione, los pacientes ya son derivados a recepción.",
    ("es", False): "Ojo: el agente no está en marcha en este equipo, así que los pacientes siguen derivados a"
                   " recepción: abra Cita Bridge (o ejecute `cita-agent run --headless`).",
    ("en", True): "No agent is running on this PC: it will start paused (until `cita-agent resume`); while it is"
                  " not running, patients are handed to the receptionist anyway.",
    ("en", False): "Note: no agent is running on this PC, so patients are still handed to the receptionist: open"
                   " Cita Bridge (or run `cita-agent run --headless`).",
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
    state = load_state(paths.state_file)
    if not (state.pid and agent_alive(state.pid)):
        print(NOT_RUNNING[(language, paused)])
    return 0
