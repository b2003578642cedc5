"""`cita-agent configure`: write the agent's settings (never a secret: those go in with `cita-agent login`)."""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import replace
from typing import Any

from agent.cli_texts import choose_language, missing_items, say
from agent.commands import settings_or_report
from agent.paths import AgentPaths, resolve_paths
from agent.portal.driver_settings import DriverSettingError, check_driver_settings, parse_assignments
from agent.portal.registry import driver_info, portal_kinds
from agent.secrets import PORTAL_PASSWORD, RELAY_TOKEN, KeyringUnavailable, SecretStore
from agent.settings import AgentSettings, SettingsError, default_browser_path, save_settings


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "configure",
        help="write the settings: relay, clinic web app, browser",
        description="Write the agent's settings. Options not given keep their current value.",
    )
    parser.add_argument("--relay", metavar="URL", help="the relay's address, wss://... (several: comma-separated)")
    parser.add_argument("--portal", choices=portal_kinds(), help="which clinic web app")
    parser.add_argument("--portal-url", metavar="URL", help="the clinic web app's address")
    parser.add_argument("--user", metavar="USER", help="the clinic web app user the agent logs in as")
    browser = parser.add_mutually_exclusive_group()
    browser.add_argument("--browser-path", metavar="P", help="a Chromium-based browser's executable")
    browser.add_argument("--browser-channel", metavar="C", help="an installed browser: msedge or chrome")
    parser.add_argument("--language", choices=("es", "en"), help="language of the tray and the messages")
    parser.add_argument("--refresh-minutes", metavar="N", type=float, help="how often to read the free slots")
    parser.add_argument("--retention-days", metavar="N", type=int,
                        help="delete bookings history, logs and screenshots older than N days (default 90)")
    parser.add_argument("--set", metavar="KEY=VALUE", action="append", default=[], dest="driver_set",
                        help="a setting of the clinic web app's driver (repeatable); `cita-agent drivers` lists them")
    parser.add_argument("--unset", metavar="KEY", action="append", default=[], dest="driver_unset",
                        help="forget a setting of the driver (repeatable)")
    parser.set_defaults(func=configure)


def configure(args: argparse.Namespace) -> int:
    paths = resolve_paths(args.home)
    current = settings_or_report(paths)
    if current is None:
        return 2
    changes: dict[str, Any] = {}
    for option, field in (
        ("relay", "relay_url"), ("portal", "portal_kind"), ("portal_url", "portal_url"), ("user", "portal_user"),
        ("language", "language"), ("refresh_minutes", "refresh_minutes"), ("retention_days", "retention_days"),
    ):
        value = getattr(args, option)
        if value is not None:
            changes[field] = value.strip() if isinstance(value, str) else value
    if args.browser_path is not None:
        changes.update(browser_path=args.browser_path, browser_channel="")
    elif args.browser_channel is not None:
        changes.update(browser_channel=args.browser_channel, browser_path="")
    elif not (current.browser_path or current.browser_channel) and sys.platform.startswith("linux"):
        changes["browser_path"] = default_browser_path()  # Linux has no installed channel: use chromium from PATH
    settings = replace(current, **changes)
    language = choose_language(settings.language)
    if args.driver_set or args.driver_unset:
        try:
            settings = _with_driver_settings(settings, args.driver_set, args.driver_unset)
        except (DriverSettingError, ValueError) as exc:
            detail = exc.text(language) if isinstance(exc, DriverSettingError) else exc
            print(say("error.settings", language, detail=detail), file=sys.stderr)
            return 2
    try:
        save_settings(paths, settings)
    except SettingsError as exc:
        print(say("error.settings", language, detail=exc.text(language)), file=sys.stderr)
        return 2
    print(say("configure.saved", language, path=paths.config_file))
    if settings.browser_path and not os.path.exists(settings.browser_path):
        print(say("configure.no_browser", language, path=settings.browser_path), file=sys.stderr)
    missing = settings.missing()
    if missing:
        print(say("configure.missing", language, items=missing_items(missing, language)))
    else:
        print(say(_next_step(paths, current, settings), language))
    return 0


def _next_step(paths: AgentPaths, before: AgentSettings, after: AgentSettings) -> str:
    """What to do once everything is configured: `login` when the keyring lacks a secret (or holds the password of
    another web app or user), else `check` (nothing to store again)."""
    try:
        store = SecretStore(paths.keyring_service)
        stored = store.has(PORTAL_PASSWORD) and store.has(RELAY_TOKEN)
    except KeyringUnavailable:
        return "configure.next"
    if not stored:
        return "configure.next"
    portal = ("portal_kind", "portal_url", "portal_user")
    if any(getattr(before, field) != getattr(after, field) for field in portal):
        return "configure.next_password"
    return "configure.next_check"


def _with_driver_settings(settings: AgentSettings, assignments: list[str], unset: list[str]) -> AgentSettings:
    """The settings with the configured driver's own settings changed; keys it does not declare are refused."""
    declared = getattr(driver_info(settings.portal_kind).load(), "settings", ())
    values = settings.driver_settings()
    for key in unset:
        values.pop(key.strip(), None)
    values.update(parse_assignments(assignments))
    checked = check_driver_settings(declared, values, complete=False)
    stored = {k: v for k, v in checked.items() if k in values}  # defaults stay defaults, not copies
    return replace(settings, drivers={**settings.drivers, settings.portal_kind: stored})
