"""Which drivers are installed, and which one serves which kind of clinic web app.

Drivers are plug-ins: a package declares them in its metadata under the entry-point group
``cita_bridge.drivers`` (name -> ``module:Class``), and they appear in `cita-agent configure --portal`,
`cita-agent check --portal`, `cita-agent drivers` and the wizard's "Sistema" list without any edit here.
The product's own drivers are declared the same way (pyproject.toml). ``BUILT_IN`` repeats them for
where no package metadata exists (the PyInstaller bundle, or a checkout whose metadata predates a driver).
"""

from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from agent import __version__
from agent.portal.base import BrowserChoice, Credentials, PortalDriver
from agent.portal.capabilities import DriverCapabilities
from agent.portal.driver_settings import DriverSetting, check_driver_settings

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "cita_bridge.drivers"
PRODUCT_PACKAGE = "cita-bridge"

# The product's own drivers: the same names and targets as its entry points in pyproject.toml.
BUILT_IN: dict[str, str] = {
    "demo": "agent.drivers.demo:DemoPortalDriver",
    "django-appointment": "agent.drivers.django_appointment:DjangoAppointmentDriver",
}
# Extra drivers by "module:Class", added at run time (a test harness or a script); they win over the rest.
DRIVERS: dict[str, str] = {}


@dataclass(frozen=True)
class DriverInfo:
    """One installed driver, as `cita-agent drivers` lists it. Loading it imports its module."""

    name: str
    target: str  # "module:Class"
    package: str
    version: str

    def load(self) -> type:
        module_name, _, class_name = self.target.partition(":")
        try:
            return getattr(importlib.import_module(module_name), class_name)
        except (ImportError, AttributeError) as error:
            raise ValueError(f"the driver {self.name!r} ({self.target}, package {self.package}) cannot be loaded: "
                             f"{error}") from None

    def describe(self) -> DriverDescription:
        cls = self.load()
        return DriverDescription(
            name=self.name,
            title=str(getattr(cls, "title", "") or self.name.replace("-", " ").replace("_", " ").title()),
            title_en=str(getattr(cls, "title_en", "") or getattr(cls, "title", "") or self.name),
            package=self.package,
            version=self.version,
            capabilities=getattr(cls, "capabilities", DriverCapabilities()),
            settings=tuple(getattr(cls, "settings", ())),
        )


@dataclass(frozen=True)
class DriverDescription:
    """What a driver says about itself: its human title, what it can do, the settings it takes."""

    name: str
    title: str  # Spanish, shown in the wizard's "Sistema" list
    title_en: str
    package: str
    version: str
    capabilities: DriverCapabilities
    settings: tuple[DriverSetting, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "title_en": self.title_en,
            "package": self.package,
            "version": self.version,
            "capabilities": self.capabilities.to_json(),
            "settings": [s.to_json() for s in self.settings],
        }


def installed_drivers() -> dict[str, DriverInfo]:
    """Every driver this Python can load, by name: entry points, then built-ins they lack, then ``DRIVERS``."""
    found: dict[str, DriverInfo] = {}
    for entry in metadata.entry_points(group=ENTRY_POINT_GROUP):
        dist = getattr(entry, "dist", None)
        package = dist.name if dist is not None else "?"
        version = dist.version if dist is not None else "?"
        if entry.name in found and found[entry.name].target != entry.value:
            log.warning("two packages declare the driver %r (%s and %s); using %s", entry.name,
                        found[entry.name].package, package, found[entry.name].package)
            continue
        found.setdefault(entry.name, DriverInfo(entry.name, entry.value, package, version))
    for name, target in BUILT_IN.items():
        found.setdefault(name, DriverInfo(name, target, PRODUCT_PACKAGE, __version__))
    for name, target in DRIVERS.items():
        found[name] = DriverInfo(name, target, target.partition(":")[0].split(".")[0], "")
    return dict(sorted(found.items()))


def portal_kinds() -> list[str]:
    return list(installed_drivers())


def driver_info(kind: str) -> DriverInfo:
    drivers = installed_drivers()
    try:
        return drivers[kind]
    except KeyError:
        raise ValueError(f"unknown clinic web app {kind!r}; installed drivers: {', '.join(drivers)}") from None


def describe_drivers() -> list[DriverDescription]:
    """Every installed driver that loads; one that does not is logged and left out (it must not hide the rest)."""
    out = []
    for info in installed_drivers().values():
        try:
            out.append(info.describe())
        except ValueError as error:
            log.warning("%s", error)
    return out


def create_driver(
    kind: str,
    url: str,
    credentials: Credentials,
    browser: BrowserChoice,
    work_dir: Path,
    settings: dict[str, Any] | None = None,
) -> PortalDriver:
    """A driver, not started yet. ``work_dir`` holds its screenshots; ``settings`` are the driver's own
    (declared by it, checked here). A driver that declares none takes ``(url, credentials, browser, work_dir)``."""
    driver_class = driver_info(kind).load()
    declared = tuple(getattr(driver_class, "settings", ()))
    values = check_driver_settings(declared, settings or {})
    if declared:
        return driver_class(url, credentials, browser, work_dir, settings=values)
    return driver_class(url, credentials, browser, work_dir)
