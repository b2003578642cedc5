"""A login that stops at what only a person can give (a verification code, a captcha, a new password), told apart
from a logged-in page and from a refused password by the fields the page asks for, in any web app.

``person_step(page)`` reads the visible fields once (no waiting): "code", "captcha", "new_password" or "".
``PersonWindow`` is the visible browser window a receptionist finishes such a login in; ``wait_until_done``
watches it for the logged-in page and hands back that session's cookies and storage.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from playwright.async_api import Browser, BrowserContext, Page
from playwright.async_api import Error as PlaywrightError

log = logging.getLogger(__name__)

STEPS = ("code", "captcha", "new_password")
WATCH_EVERY_S = 0.5  # how often the window is looked at while the receptionist types (one small script)

# Words of a field (name, id, label, placeholder, aria-label) that asks for a one-time code, in the languages
# clinic web apps speak; a field with autocomplete="one-time-code" asks for one whatever its words.
_FIND_STEP = r"""
() => {
  const shown = (el) => {
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    return box.width > 0 && box.height > 0 && style.visibility !== 'hidden' && style.display !== 'none';
  };
  const captcha = document.querySelector(
    'iframe[src*="captcha" i], iframe[src*="turnstile" i], iframe[title*="captcha" i], .g-recaptcha, ' +
    '.h-captcha, .cf-turnstile, img[src*="captcha" i], img[alt*="captcha" i], input[name*="captcha" i]');
  if (captcha && shown(captcha)) return 'captcha';
  const fields = [...document.querySelectorAll('input, textarea')]
    .filter((el) => !['hidden', 'submit', 'button', 'checkbox', 'radio'].includes((el.type || '').toLowerCase()))
    .filter(shown);
  const words = (el) => [el.name, el.id, el.placeholder, el.getAttribute('aria-label'),
                         ...[...(el.labels || [])].map((label) => label.textContent)]
    .filter(Boolean).join(' ').toLowerCase();
  const passwords = fields.filter((el) => (el.type || '').toLowerCase() === 'password');
  const isNew = (el) => (el.autocomplete || '').toLowerCase().includes('new-password') ||
    /nuev|new|repit|repeat|confirm|cambi|change/.test(words(el));
  if (passwords.length >= 2 || passwords.some(isNew)) return 'new_password';
  if (passwords.length) return '';  // the login form again (a "clinic code" field beside it is not a second step)
  const codeWords = new RegExp(['c[oó]digo', '\\bcode\\b', '\\botp\\b', 'one.time', 'verific', '2fa', '\\bmfa\\b',
    'totp', 'authenticat', 'autenticac', '\\bpin\\b', 'token', 'passcode', 'sms'].join('|'));
  const asksCode = (el) => (el.autocomplete || '').toLowerCase() === 'one-time-code' ||
    ((el.type || '').toLowerCase() !== 'password' && codeWords.test(words(el)));
  if (fields.some(asksCode)) return 'code';
  return '';
}
"""


async def person_step(page: Page) -> str:
    """What this page asks a person for: "code", "captcha", "new_password", or "" (nothing of the kind)."""
    try:
        found = await page.evaluate(_FIND_STEP)
    except PlaywrightError:
        return ""  # the page is navigating or gone: it asks nothing we can see
    return found if found in STEPS else ""


@dataclass
class PersonWindow:
    """The visible browser a receptionist finishes the login in (its own browser process, closed at the end)."""

    browser: Browser
    context: BrowserContext
    page: Page

    def is_open(self) -> bool:
        return self.browser.is_connected() and not self.page.is_closed()

    async def wait_until_done(self, logged_in: Callable[[Page], Awaitable[bool]],
                              timeout_s: float) -> dict[str, Any] | None:
        """The session (storage state) once the window shows the web app logged in; None when the receptionist
        closed the window or ``timeout_s`` passed first."""
        try:
            async with asyncio.timeout(timeout_s):
                while self.is_open():
                    page = self._current_page()
                    if page is not None and await logged_in(page):
                        return dict(await self.context.storage_state())
                    await asyncio.sleep(WATCH_EVERY_S)
        except TimeoutError:
            log.info("Nobody finished the login in the window in time")
        except PlaywrightError:
            pass  # the window was closed under us
        return None

    def _current_page(self) -> Page | None:
        """The page the receptionist looks at (the last one open: the web app may open another tab)."""
        pages = [p for p in self.context.pages if not p.is_closed()]
        return pages[-1] if pages else None

    async def close(self) -> None:
        try:
            await self.context.close()
        except PlaywrightError:
            pass
        try:
            await self.browser.close()
        except PlaywrightError:
            pass
