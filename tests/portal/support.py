"""Helpers of the portal tests: a stand-in portal on 127.0.0.1 and a driver of it in real headless Chromium."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from agent.drivers.demo import DemoPortalDriver
from agent.portal.base import BrowserChoice, Credentials
from agent.portal.retry import RetryPolicy
from demo.portal import PortalAdmin, PortalSettings, PortalState, create_portal_app
from demo.serving import ServerThread

ADMIN_TOKEN = "admin-token-for-tests-7f3a"
STAFF_PASSWORD = "Clave-Secreta-9431"  # distinctive, so a leak is easy to find
FAST_RETRY = RetryPolicy(attempts=3, base_delay_s=0.05, factor=2.0)


@dataclass
class RunningPortal:
    url: str
    settings: PortalSettings
    state: PortalState
    admin: PortalAdmin
    requests: list[str]  # "METHOD /path" of every request the portal received, in order


class _RequestLog:
    """ASGI wrapper recording each request's method and path (to count retries)."""

    def __init__(self, app, requests: list[str]) -> None:
        self.app = app
        self.requests = requests

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            self.requests.append(f"{scope['method']} {scope['path']}")
        await self.app(scope, receive, send)


@contextlib.contextmanager
def running_portal(wrap: Callable | None = None, **overrides) -> Iterator[RunningPortal]:
    """A portal on 127.0.0.1 with the tests' settings; ``wrap`` may put an ASGI layer around it."""
    settings = PortalSettings(**{"seed": 11, "admin_token": ADMIN_TOKEN, "staff_password": STAFF_PASSWORD,
                                 **overrides})
    app = create_portal_app(settings)
    requests: list[str] = []
    with ServerThread(_RequestLog(wrap(app) if wrap else app, requests)) as server, PortalAdmin(server.url, ADMIN_TOKEN) as admin:
        yield RunningPortal(server.url, settings, app.state.portal, admin, requests)


def frozen_clock(moment: datetime) -> Callable[[], datetime]:
    return lambda: moment


# One instant for the portal and the driver, so "now" means the same to both.
FROZEN_NOW = datetime.now(UTC).replace(second=0, microsecond=0)


def make_driver(portal: RunningPortal, browser_path: str, work_dir: Path, *, password: str | None = None,
                clock: Callable[[], datetime] | None = None, retry: RetryPolicy = FAST_RETRY,
                timeout_s: float = 20) -> DemoPortalDriver:
    return DemoPortalDriver(
        portal.url,
        Credentials(portal.settings.staff_user, STAFF_PASSWORD if password is None else password),
        BrowserChoice(executable_path=browser_path),
        work_dir,
        clock=clock or portal.settings.clock,
        retry=retry,
        timeout_s=timeout_s,
    )
