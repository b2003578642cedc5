"""Which driver serves which kind of clinic web app."""

from __future__ import annotations

import importlib
from pathlib import Path

from agent.portal.base import BrowserChoice, Credentials, PortalDriver

# kind -> "module:Class". Every class takes (url, credentials, browser, work_dir).
DRIVERS: dict[str, str] = {
    "demo": "agent.portal.demo_driver:DemoPortalDriver",
}


def portal_kinds() -> list[str]:
    return sorted(DRIVERS)


def create_driver(
    kind: str, url: str, credentials: Credentials, browser: BrowserChoice, work_dir: Path
) -> PortalDriver:
    """A driver, not started yet. ``work_dir`` holds its screenshots."""
    try:
        module_name, class_name = DRIVERS[kind].split(":")
    except KeyError:
        raise ValueError(f"unknown clinic web app {kind!r}; known: {', '.join(portal_kinds())}") from None
    driver_class = getattr(importlib.import_module(module_name), class_name)
    return driver_class(url, credentials, browser, work_dir)
