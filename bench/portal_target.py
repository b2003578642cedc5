"""Which clinic web app a benchmark runs against: the stand-in it starts itself (default), or any installed
driver's web app already running at an address (`--portal NAME --portal-url URL`).

The user comes from ``--portal-user`` or ``CITA_BENCH_PORTAL_USER``; the password from
``CITA_BENCH_PORTAL_PASSWORD`` or, with ``--portal-password-stdin``, the first line of standard input (never a
flag, never printed). ``--set KEY=VALUE`` passes the driver's own settings (`cita-agent drivers` lists them).

What only the stand-in can tell (its admin API: the requests it served, the appointments it holds) is printed
as "n/a" for another web app; and a benchmark writes appointments into another web app only when asked.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from agent.portal.base import BrowserChoice, Credentials, PortalDriver  # noqa: E402
from agent.portal.registry import create_driver, installed_drivers  # noqa: E402

NA = "n/a"
USER_ENV = "CITA_BENCH_PORTAL_USER"
PASSWORD_ENV = "CITA_BENCH_PORTAL_PASSWORD"


@dataclass(frozen=True)
class PortalTarget:
    """Another clinic web app, reached through an installed driver."""

    kind: str
    url: str
    user: str
    password: str = field(repr=False)
    settings: dict[str, str] = field(default_factory=dict)

    @property
    def credentials(self) -> Credentials:
        return Credentials(self.user, self.password)

    def driver(self, browser: BrowserChoice, work_dir: Path) -> PortalDriver:
        return create_driver(self.kind, self.url, self.credentials, browser, work_dir, self.settings)

    def system_fields(self) -> dict[str, Any]:
        """The `demo.system.SystemConfig` fields that run the whole system against this web app."""
        return {"portal_kind": self.kind, "portal_url": self.url, "portal_user": self.user,
                "portal_password": self.password, "driver_settings": dict(self.settings)}

    def describe(self) -> str:
        return f"{self.kind} at {self.url} (user {self.user})"


def add_portal_flags(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("another clinic web app (default: the stand-in, started here)")
    group.add_argument("--portal", default="demo", metavar="NAME",
                       help="an installed driver (`cita-agent drivers`); other than demo it needs --portal-url")
    group.add_argument("--portal-url", default="", metavar="URL", help="where that web app already runs")
    group.add_argument("--portal-user", default="", metavar="USER", help=f"its user (or ${USER_ENV})")
    group.add_argument("--portal-password-stdin", action="store_true",
                       help=f"read its password from the first line of standard input (else ${PASSWORD_ENV})")
    group.add_argument("--set", metavar="KEY=VALUE", action="append", default=[], dest="driver_set",
                       help="a setting of that driver (repeatable)")


def portal_target(args: argparse.Namespace, environ: dict[str, str] | None = None) -> PortalTarget | None:
    """None for the stand-in; else the web app the flags name. ``SystemExit(2)`` says what is missing."""
    env = os.environ if environ is None else environ
    if not args.portal_url:
        if args.portal != "demo":
            raise SystemExit(f"--portal {args.portal} needs --portal-url (only the stand-in is started here)")
        return None
    if args.portal not in installed_drivers():
        raise SystemExit(f"no installed driver {args.portal!r}; installed: {', '.join(installed_drivers())}")
    user = args.portal_user or env.get(USER_ENV, "")
    if not user:
        raise SystemExit(f"--portal-url needs --portal-user or ${USER_ENV}")
    password = sys.stdin.readline().rstrip("\r\n") if args.portal_password_stdin else env.get(PASSWORD_ENV, "")
    if not password:
        raise SystemExit(f"no password: give --portal-password-stdin or ${PASSWORD_ENV}")
    settings: dict[str, str] = {}
    for item in args.driver_set:
        key, sep, value = item.partition("=")
        if not sep:
            raise SystemExit(f"--set {item!r} is not KEY=VALUE")
        settings[key.strip()] = value
    return PortalTarget(args.portal, args.portal_url.rstrip("/"), user, password, settings)
