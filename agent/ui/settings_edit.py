"""What the settings dialog and the first-run wizard save, and where: no Qt here.

Secrets go to the keyring (only when the user typed a new one: an empty field keeps the stored
value), everything else to the settings file, and the start-at-login entry follows the box.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from agent.paths import AgentPaths
from agent.portal.driver_settings import check_driver_settings
from agent.portal.registry import driver_info
from agent.relay_address import normalize_relay_urls
from agent.secrets import PORTAL_PASSWORD, RELAY_TOKEN, KeyringUnavailable, SecretStore
from agent.settings import AgentSettings, SettingsError, save_settings, validate


@dataclass(frozen=True)
class SettingsForm:
    """The values on screen. Empty secret fields mean "keep the stored one"."""

    portal_kind: str
    portal_url: str
    portal_user: str
    relay_url: str
    language: str
    start_at_login: bool
    portal_password: str = field(default="", repr=False)
    relay_token: str = field(default="", repr=False)
    driver_settings: dict[str, str] = field(default_factory=dict)  # the chosen driver's own, as typed (empty: unset)


def form_from_settings(settings: AgentSettings) -> SettingsForm:
    return SettingsForm(
        portal_kind=settings.portal_kind,
        portal_url=settings.portal_url,
        portal_user=settings.portal_user,
        relay_url=settings.relay_url,
        language=settings.language,
        start_at_login=settings.start_at_login,
        driver_settings={k: str(v) for k, v in settings.driver_settings().items()},
    )


def with_scheme(url: str) -> str:
    """An address typed without a scheme gets https:// (``agenda.clinica.cl`` -> ``https://agenda.clinica.cl``)."""
    url = url.strip()
    return f"https://{url}" if url and "://" not in url else url


def settings_from_form(current: AgentSettings, form: SettingsForm) -> AgentSettings:
    """The settings the form describes, validated (raises SettingsError with a message to show)."""
    return validate(replace(
        current,
        drivers=drivers_from_form(current, form),
        portal_kind=form.portal_kind,
        portal_url=with_scheme(form.portal_url),
        portal_user=form.portal_user.strip(),
        relay_url=normalize_relay_urls(form.relay_url),
        language=form.language,
        start_at_login=form.start_at_login,
    ))


def drivers_from_form(current: AgentSettings, form: SettingsForm) -> dict[str, dict[str, Any]]:
    """The chosen driver's settings as typed, checked against what it declares; other drivers' stay as they were."""
    typed = {k: v.strip() for k, v in form.driver_settings.items() if v.strip()}
    if not form.portal_kind:
        return dict(current.drivers)
    try:
        declared = getattr(driver_info(form.portal_kind).load(), "settings", ())
        checked = check_driver_settings(declared, typed, complete=False)
    except ValueError as exc:
        raise SettingsError(str(exc)) from None
    return {**current.drivers, form.portal_kind: {k: v for k, v in checked.items() if k in typed}}


def save_form(
    paths: AgentPaths,
    secrets: SecretStore,
    current: AgentSettings,
    form: SettingsForm,
    apply_start_at_login: Callable[[bool], object] | None = None,
) -> AgentSettings:
    """Validate, store secrets, then the file. Raises SettingsError or KeyringUnavailable with nothing half-saved."""
    settings = settings_from_form(current, form)
    if form.portal_password:
        secrets.set(PORTAL_PASSWORD, form.portal_password)
    if form.relay_token:
        secrets.set(RELAY_TOKEN, form.relay_token.strip())
    save_settings(paths, settings)
    # Rewritten on every save while on: the program may have moved since (an update to another folder).
    if apply_start_at_login is not None and (settings.start_at_login or current.start_at_login):
        apply_start_at_login(settings.start_at_login)
    return settings


@dataclass(frozen=True)
class StoredSecrets:
    portal_password: bool
    relay_token: bool
    problem: str = ""  # the keyring's how-to-fix message when it cannot be read


def stored_secrets(secrets: SecretStore) -> StoredSecrets:
    try:
        return StoredSecrets(secrets.has(PORTAL_PASSWORD), secrets.has(RELAY_TOKEN))
    except KeyringUnavailable as exc:
        return StoredSecrets(False, False, problem=str(exc))


def missing_items(settings: AgentSettings, stored: StoredSecrets) -> list[str]:
    """What must still be set up, as catalogue keys (``missing.*``) the view translates."""
    checks = (
        ("missing.portal_url", settings.portal_url),
        ("missing.portal_user", settings.portal_user),
        ("missing.password", stored.portal_password),
        ("missing.relay_url", settings.relay_urls),
        ("missing.relay_token", stored.relay_token),
    )
    return [key for key, present in checks if not present]


def needs_first_run(settings: AgentSettings, stored: StoredSecrets) -> bool:
    """Nothing set up yet: the wizard rather than an engine that cannot start."""
    return bool(missing_items(settings, stored))
