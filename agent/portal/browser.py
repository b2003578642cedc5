"""Which browser the drivers drive, and how it is launched (shared by every clinic web app driver).

Here (Debian, no display) it is Chromium by executable path; on a clinic PC it is the installed
Edge or Chrome through Playwright's ``channel``, so nothing is downloaded.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable, Mapping

from playwright.async_api import Browser, Playwright

from agent.portal.base import BrowserChoice, PortalError

# Quiet, predictable Chromium: no background traffic, no first-run UI, no QUIC surprises behind proxies.
QUIET_ARGS = (
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
)
# Only for a Chromium given by path (a container or CI machine, often as root): the sandbox cannot start
# there and there is no GPU. An installed Edge/Chrome on a clinic PC keeps its sandbox.
EXECUTABLE_ARGS = ("--no-sandbox", "--disable-gpu")


class BrowserNotFound(PortalError):
    """No browser was configured, none could be found on this machine, or it would not start."""

    code = "browser_missing"


def choose_browser(
    path: str | None = None,
    channel: str | None = None,
    *,
    headless: bool = True,
    env: Mapping[str, str] | None = None,
    which: Callable[[str], str | None] = shutil.which,
    platform: str = sys.platform,
) -> BrowserChoice:
    """The browser to drive: an explicit path or channel, else $CHROMIUM_PATH, else `chromium` on PATH,
    else the installed Edge (Windows) or Chrome (macOS)."""
    if path and channel:
        raise ValueError("give a browser path or a browser channel, not both")
    if path:
        return BrowserChoice(executable_path=path, headless=headless)
    if channel:
        return BrowserChoice(channel=channel, headless=headless)
    env = os.environ if env is None else env
    if env.get("CHROMIUM_PATH"):
        return BrowserChoice(executable_path=env["CHROMIUM_PATH"], headless=headless)
    found = which("chromium")
    if found:
        return BrowserChoice(executable_path=found, headless=headless)
    if platform == "win32":
        return BrowserChoice(channel="msedge", headless=headless)
    if platform == "darwin":
        return BrowserChoice(channel="chrome", headless=headless)
    raise BrowserNotFound(
        "no browser found: install Chromium (apt-get install chromium), set CHROMIUM_PATH, "
        "or pass --browser-path / --browser-channel"
    )


def has_display(env: Mapping[str, str] | None = None, platform: str = sys.platform) -> bool:
    """Can a window be shown here? Always on Windows and macOS; on Linux when X11 or Wayland is there."""
    if platform in ("win32", "darwin"):
        return True
    env = os.environ if env is None else env
    return bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))


def visible_choice(choice: BrowserChoice, env: Mapping[str, str] | None = None) -> BrowserChoice:
    """The same browser, in a window a person can use; headless only where no screen exists (a test server)."""
    from dataclasses import replace

    return replace(choice, headless=not has_display(env))


def launch_arguments(choice: BrowserChoice) -> dict[str, object]:
    """Keyword arguments of ``playwright.chromium.launch`` for that choice.

    A choice naming neither an executable nor a channel means "the default of this machine" (choose_browser).
    """
    if not choice.executable_path and not choice.channel:
        choice = choose_browser(headless=choice.headless)
    if choice.executable_path:
        return {"executable_path": choice.executable_path, "headless": choice.headless,
                "args": [*EXECUTABLE_ARGS, *QUIET_ARGS]}
    return {"channel": choice.channel, "headless": choice.headless, "args": list(QUIET_ARGS)}


async def launch_browser(playwright: Playwright, choice: BrowserChoice) -> Browser:
    """Launch the chosen browser; a missing or broken one raises BrowserNotFound with the reason."""
    from playwright.async_api import Error as PlaywrightError

    arguments = launch_arguments(choice)
    try:
        return await playwright.chromium.launch(**arguments)  # type: ignore[arg-type]
    except PlaywrightError as error:
        what = arguments.get("executable_path") or f"channel {arguments.get('channel')}"
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise BrowserNotFound(f"could not start the browser ({what}): {first_line}") from error
