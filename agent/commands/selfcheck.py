"""`cita-agent selfcheck`: does the clinic web app still look as the driver knows it? Walks the screens and elements
the driver declares, writing nothing, and says which one is missing (with a screenshot, password blank).

Exit status: 0 as known; 6 a screen or element is missing (the web app changed); 5 the web app could not be checked
(down, or the login refused); 2 not configured. The result is kept for `cita-agent status`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from dataclasses import asdict
from pathlib import Path

from agent.cli_texts import choose_language, say
from agent.commands import settings_or_report
from agent.logging_setup import register_secret, setup_logging
from agent.paths import AgentPaths, resolve_paths
from agent.portal.base import Credentials
from agent.portal.drift import SelfCheckResult, save_result
from agent.secrets import PORTAL_PASSWORD, KeyringUnavailable, SecretStore

RESULT_FILE = "selfcheck.json"


def result_file(paths: AgentPaths) -> Path:
    return paths.data_dir / RESULT_FILE


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "selfcheck",
        help="check that the clinic web app's screens are still as the driver knows them (writes nothing)",
        description="Walk the screens and elements the driver depends on, without writing anything, and say which "
        "one is missing. Exit 0 as known, 6 changed, 5 could not check, 2 not configured.",
    )
    parser.add_argument("--password-stdin", action="store_true",
                        help="read the web app's password from standard input instead of the keyring")
    parser.add_argument("--json", action="store_true", help="print the result as one JSON object")
    parser.set_defaults(func=selfcheck)


def selfcheck(args: argparse.Namespace) -> int:
    paths = resolve_paths(args.home)
    settings = settings_or_report(paths, validated=True)
    if settings is None:
        return 2
    language = choose_language(settings.language)
    if not settings.portal_url or not settings.portal_user:
        print(say("selfcheck.not_configured", language), file=sys.stderr)
        return 2
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        try:
            password = SecretStore(paths.keyring_service).get(PORTAL_PASSWORD) or ""
        except KeyringUnavailable as exc:
            print(exc.text(language), file=sys.stderr)
            return 2
    if not password:
        print("cita-agent selfcheck: no password (cita-agent login, or --password-stdin)", file=sys.stderr)
        return 2
    register_secret(password)
    setup_logging(None, console=True, level=logging.ERROR)
    try:
        result = asyncio.run(_run(settings, Credentials(settings.portal_user, password), paths))
    except ValueError as exc:  # an unknown driver, or its settings refused
        print(f"cita-agent selfcheck: {exc}", file=sys.stderr)
        return 2
    save_result(result_file(paths), result)
    if args.json:
        print(json.dumps(asdict(result), ensure_ascii=False, indent=1))
    else:
        print(result.sentence(language))
        if result.screenshot:
            print(("Captura: " if language == "es" else "Screenshot: ") + result.screenshot)
    if result.ok:
        return 0
    return 5 if result.error else 6


async def _run(settings, credentials: Credentials, paths: AgentPaths) -> SelfCheckResult:
    from agent.portal.registry import create_driver

    driver = create_driver(settings.portal_kind, settings.portal_url, credentials, settings.browser(headless=True),
                           paths.portal_work_dir, settings.driver_settings())
    if not hasattr(driver, "selfcheck"):
        return SelfCheckResult(ok=True, checked=(), error="")
    try:
        return await driver.selfcheck()
    finally:
        await driver.close()
