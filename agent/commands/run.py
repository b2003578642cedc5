"""`cita-agent run`: the tray app, or with ``--headless`` the engine alone, as a service.

Headless, it logs to rotated files in the agent's log folder, and SIGTERM or Ctrl-C closes the
relay link, lets a booking under way finish, and closes the browser and the journal cleanly.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import signal
import sys

from agent.cli_texts import choose_language, missing_items, say
from agent.commands import settings_or_report
from agent.event_loop import new_event_loop
from agent.instance_lock import AgentAlreadyRunning, InstanceLock
from agent.logging_setup import register_secret, setup_logging
from agent.paths import resolve_paths
from agent.secrets import PORTAL_PASSWORD, RELAY_TOKEN, KeyringUnavailable, SecretStore

log = logging.getLogger("agent.run")


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("run", help="run the agent (the tray app, or --headless as a service)")
    parser.add_argument("--headless", action="store_true", help="no tray icon: run as a service, logging to files")
    parser.add_argument("--debug", action="store_true", help="more detail in the log")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if not args.headless:
        from agent.ui.app import run_tray_app

        return int(run_tray_app(args) or 0)
    return run_headless(args)


def run_headless(args: argparse.Namespace) -> int:
    paths = resolve_paths(args.home)
    settings = settings_or_report(paths, validated=True)
    if settings is None:
        return 2
    language = choose_language(settings.language)
    missing = settings.missing()
    if missing:
        print(say("run.not_configured", language, items=missing_items(missing, language)), file=sys.stderr)
        return 2
    store = SecretStore(paths.keyring_service)
    try:
        password, token = store.get(PORTAL_PASSWORD), store.get(RELAY_TOKEN)
    except KeyringUnavailable as exc:
        print(exc.text(language), file=sys.stderr)
        return 2
    absent = [say(f"secret.{name}", language) for name, value in ((PORTAL_PASSWORD, password), (RELAY_TOKEN, token))
              if not value]
    if absent:
        print(say("run.no_secret", language, items=", ".join(absent)), file=sys.stderr)
        return 2
    register_secret(password)
    register_secret(token)
    del password, token

    lock = InstanceLock(paths.ensure().instance_lock)
    try:
        lock.take()
    except AgentAlreadyRunning as running:
        print(say("run.already_running", language, pid=running.pid), file=sys.stderr)
        return 3
    log_file = setup_logging(paths, console=True, level=logging.DEBUG if args.debug else logging.INFO)
    print(say("run.started", language, log=log_file), file=sys.stderr, flush=True)
    from agent.engine import Engine

    engine = Engine(paths, settings, store)
    # What is loaded by now lives as long as the process: out of the cyclic GC's full scans, one of which would
    # otherwise stall the loop (and a patient's answer) for milliseconds now and then.
    gc.collect()
    gc.freeze()
    try:
        with asyncio.Runner(loop_factory=new_event_loop) as runner:
            runner.run(_serve(engine))
    except KeyboardInterrupt:  # a second Ctrl-C while stopping
        log.warning("Interrupted while stopping")
        return 130
    return 0


async def _serve(engine) -> None:  # noqa: ANN001 - agent.engine is imported lazily
    loop = asyncio.get_running_loop()

    def request_stop(signame: str) -> None:
        log.info("%s received", signame)
        loop.create_task(engine.stop())

    for signum in (signal.SIGTERM, signal.SIGINT):
        try:
            loop.add_signal_handler(signum, request_stop, signum.name)
        except (NotImplementedError, RuntimeError):  # Windows: Ctrl-C arrives as KeyboardInterrupt in asyncio.run
            signal.signal(signum, lambda n, _f: loop.call_soon_threadsafe(request_stop, signal.Signals(n).name))
    await engine.run()
