"""A real test login to the clinic web app, before a password is stored (and from the settings dialog).

The browser is started, the login attempted once, and the browser closed. A wrong password is
reported, never retried: the clinic's web app locks the account after a few failures.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from agent.portal.base import (
    AccountLocked,
    Credentials,
    LoginNeedsPerson,
    LoginRejected,
    PortalChanged,
    PortalDriver,
    PortalError,
    WrongAddress,
)
from agent.portal.registry import create_driver
from agent.settings import AgentSettings, SettingsError

log = logging.getLogger(__name__)

LOGIN_TIMEOUT_S = 90.0
# "login_needs_person" is a pass: the password was accepted, and the web app then asks a person for a code (a captcha,
# a new password), which the receptionist types when the agent asks (agent/ui/login_prompt.py).
CODES = ("ok", "login_failed", "account_locked", "portal_down", "portal_changed", "browser_missing",
         "login_needs_person", "wrong_address")


@dataclass(frozen=True)
class LoginCheck:
    ok: bool
    code: str  # one of CODES: the UI and the commands word it in the user's language
    message: str  # a short English description (for logs), never containing the password


async def test_login(
    settings: AgentSettings,
    password: str,
    work_dir: Path,
    *,
    driver_factory: Callable[[Credentials], PortalDriver] | None = None,
) -> LoginCheck:
    """Log in once with these settings and this password. Raises SettingsError if the web app is not configured."""
    if not settings.portal_url or not settings.portal_user:
        raise SettingsError("the clinic web app address and user must be configured first")
    if not password:
        return LoginCheck(False, "login_failed", "no password given")
    if settings.browser_path and not os.path.exists(settings.browser_path):  # noqa: ASYNC240 - one stat
        return LoginCheck(False, "browser_missing", f"there is no browser at {settings.browser_path}")
    credentials = Credentials(settings.portal_user, password)
    if driver_factory is not None:
        driver = driver_factory(credentials)
    else:
        try:
            driver = create_driver(
                settings.portal_kind, settings.portal_url, credentials, settings.browser(headless=True), work_dir,
                settings.driver_settings(),
            )
        except ValueError as exc:
            raise SettingsError(str(exc)) from None
    try:
        async with asyncio.timeout(LOGIN_TIMEOUT_S):
            return await _attempt(driver)
    except TimeoutError:
        return LoginCheck(False, "portal_down", f"no answer from the clinic web app in {LOGIN_TIMEOUT_S:.0f} s")
    finally:
        try:
            async with asyncio.timeout(15):
                await driver.close()
        except Exception:
            log.warning("The browser did not close cleanly after the test login", exc_info=True)


async def _attempt(driver: PortalDriver) -> LoginCheck:
    try:
        await driver.start()
    except PortalError as exc:  # the browser would not start (an Edge that is not installed) is not the web app's
        return LoginCheck(False, exc.code if exc.code in CODES else "portal_down", str(exc))
    except Exception as exc:  # Playwright: no such executable, no such channel...
        return LoginCheck(False, "browser_missing", _first_line(exc))
    try:
        await driver.login()
    except LoginRejected as exc:
        return LoginCheck(False, "login_failed", str(exc) or "the clinic web app refused the user or password")
    except AccountLocked as exc:
        return LoginCheck(False, "account_locked", str(exc) or "the clinic web app locked this user")
    except LoginNeedsPerson as exc:
        return LoginCheck(True, "login_needs_person", str(exc))
    except WrongAddress as exc:  # a 404 where the sign-in page should be: the address or the system is wrong
        return LoginCheck(False, "wrong_address", str(exc))
    except PortalChanged as exc:
        return LoginCheck(False, "portal_changed", str(exc))
    except PortalError as exc:
        return LoginCheck(False, "portal_down", str(exc))
    except Exception as exc:
        log.exception("The test login failed unexpectedly")
        return LoginCheck(False, "portal_down", _first_line(exc))
    return LoginCheck(True, "ok", "logged in")


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0][:300] if lines else type(exc).__name__


test_login.__test__ = False  # type: ignore[attr-defined]  # its name is not a pytest test's
