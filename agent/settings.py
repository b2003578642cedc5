"""The agent's settings: a TOML file in the configuration folder. Never a secret (those live in the keyring)."""

from __future__ import annotations

import ipaddress
import os
import shutil
import sys
import tomllib
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any
from urllib.parse import urlsplit

import tomli_w

from agent.paths import AgentPaths
from agent.portal.base import BrowserChoice
from agent.private_files import write_private_text
from agent.relay_address import normalize_relay_url

DEFAULT_RETENTION_DAYS = 90
MAX_RETENTION_DAYS = 3650


class SettingsError(ValueError):
    """A setting that cannot work, with a message the clinic's IT person can act on (``str()`` is English)."""

    def __init__(self, message: str, *, spanish: str = "") -> None:
        super().__init__(message)
        self.spanish = spanish

    def text(self, language: str) -> str:
        """The message in ``language`` ("es" or "en"); English where no Spanish was given."""
        return self.spanish if language == "es" and self.spanish else str(self)


@dataclass(frozen=True)
class AgentSettings:
    relay_url: str = ""  # one URL, or several separated by commas (tried in order)
    portal_kind: str = "demo"
    portal_url: str = ""
    portal_user: str = ""
    browser_path: str = ""
    browser_channel: str = ""
    language: str = ""  # "es", "en", or "" for the system's
    refresh_minutes: float = 5.0
    start_at_login: bool = False
    retention_days: int = DEFAULT_RETENTION_DAYS  # the journal's rows, the logs and the screenshots
    # Each driver's own settings (declared by the driver), by driver name: {"django-appointment": {"service": "1"}}.
    drivers: dict[str, dict[str, Any]] = field(default_factory=dict)

    def driver_settings(self, kind: str | None = None) -> dict[str, Any]:
        """The settings stored for that driver (the configured one by default)."""
        return dict(self.drivers.get(kind or self.portal_kind, {}))

    @property
    def relay_urls(self) -> tuple[str, ...]:
        """As dialled: https:// becomes wss://, /agent is added where missing (agent.relay_address)."""
        return tuple(normalize_relay_url(u) for u in self.relay_url.split(",") if u.strip())

    def browser(self, headless: bool = True) -> BrowserChoice:
        return BrowserChoice(
            executable_path=self.browser_path or None,
            channel=self.browser_channel or (None if self.browser_path else default_channel()),
            headless=headless,
        )

    def missing(self) -> list[str]:
        """What must still be configured before the agent can run."""
        out = []
        if not self.relay_urls:
            out.append("relay URL")
        if not self.portal_url:
            out.append("clinic web app URL")
        if not self.portal_user:
            out.append("clinic web app user")
        return out


def default_channel() -> str | None:
    """Where no executable is configured: Edge on Windows, Chrome on macOS; Linux uses chromium from PATH."""
    if sys.platform == "win32":
        return "msedge"
    if sys.platform == "darwin":
        return "chrome"
    return None


def default_browser_path() -> str:
    return os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser") or ""


def check_relay_url(url: str, typed: str = "") -> str:
    """wss:// always; ws:// only to a relay on this machine (loopback). No query string: the agent token goes in a
    header, and a token in a URL ends up in proxies' and servers' access logs. ``typed``: the address as the person
    wrote it, which a refusal of plain http:// quotes (never the ws://…/agent it became, an address nobody typed)."""
    written = urlsplit(typed)
    if written.scheme == "http" and written.hostname and not _is_loopback(written.hostname):
        shown = typed.split("?", 1)[0]
        raise SettingsError(
            f"the relay address {shown} starts with http://, with no secure connection, which the agent uses only for"
            " a relay on this computer: write it with https:// (or wss://…/agent), as the relay's operator gives it",
            spanish=f"la dirección del servidor {shown} empieza con http://, sin conexión segura, y el agente solo se"
            " conecta así a un servidor de este mismo computador: escríbala con https:// (o wss://…/agent), como la"
            " entrega quien opera el relay",
        )
    parts = urlsplit(url)
    if parts.query or "?" in url:
        shown = _without_query(url)
        raise SettingsError(
            f"the relay address {shown!r} has a query string (?...): remove it. The agent token never goes in the "
            "address; store it with cita-agent login",
            spanish=f"la dirección del servidor {shown!r} tiene parámetros (?...): quítelos. La clave del agente nunca "
            "va en la dirección; guárdela con cita-agent login",
        )
    if parts.scheme == "wss" and parts.hostname:
        return url
    if parts.scheme == "ws" and parts.hostname and _is_loopback(parts.hostname):
        return url
    raise SettingsError(
        f"the relay address {url!r} must start with wss:// (ws:// is allowed only for a relay on this computer)",
        spanish=f"la dirección del servidor {url!r} debe empezar con wss:// (ws:// solo para un servidor en este"
        " mismo computador)",
    )


def _without_query(url: str) -> str:
    """The address to show in a message: what follows "?" may be a token, so it is never repeated."""
    return url.split("?", 1)[0] + "?…"


def check_portal_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SettingsError(f"the clinic web app address {url!r} must start with https:// (or http://)",
                            spanish=f"la dirección de la agenda web {url!r} debe empezar con https:// (o http://):"
                            " cópiela de la barra del navegador en la página donde se escribe el usuario")
    return url


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def validate(settings: AgentSettings) -> AgentSettings:
    for typed in (u.strip() for u in settings.relay_url.split(",") if u.strip()):
        check_relay_url(normalize_relay_url(typed), typed)
    if settings.portal_url:
        check_portal_url(settings.portal_url)
    if settings.language not in ("", "es", "en"):
        raise SettingsError("language must be es or en", spanish="el idioma debe ser es o en")
    if not 0.1 <= settings.refresh_minutes <= 240:
        raise SettingsError("refresh_minutes must be between 0.1 and 240",
                            spanish="los minutos entre lecturas de la agenda (refresh_minutes) deben estar entre 0,1"
                            " y 240")
    days = settings.retention_days
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_RETENTION_DAYS:
        raise SettingsError(
            f"retention_days must be a whole number of days between 1 and {MAX_RETENTION_DAYS}",
            spanish=f"retention_days debe ser un número entero de días entre 1 y {MAX_RETENTION_DAYS}",
        )
    if not isinstance(settings.drivers, dict) or not all(
        isinstance(k, str) and isinstance(v, dict) for k, v in settings.drivers.items()
    ):
        raise SettingsError("drivers must be a table of driver name -> settings",
                            spanish="drivers debe ser una tabla de nombre de sistema -> ajustes")
    return settings


def load_settings(paths: AgentPaths) -> AgentSettings:
    try:
        raw = paths.config_file.read_bytes()
    except FileNotFoundError:
        return AgentSettings()
    try:
        data: dict[str, Any] = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SettingsError(f"{paths.config_file} is not valid TOML: {exc}") from None
    known = {f.name for f in fields(AgentSettings)}
    values = {k: v for k, v in data.items() if k in known}
    try:
        return replace(AgentSettings(), **values)
    except TypeError as exc:
        raise SettingsError(f"{paths.config_file}: {exc}") from None


def save_settings(paths: AgentPaths, settings: AgentSettings) -> None:
    validate(settings)
    write_private_text(paths.config_file, tomli_w.dumps(asdict(settings)))


def update_settings(paths: AgentPaths, **changes: Any) -> AgentSettings:
    settings = replace(load_settings(paths), **changes)
    save_settings(paths, settings)
    return settings

