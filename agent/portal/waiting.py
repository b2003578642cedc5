"""Waiting for a screen's element: not there in time means the web app changed — unless the page is still loading.

A slow web app (a busy clinic's, 5–10 s a page) is not a redesign: told apart, it is "the web app is slow"
(``PortalUnavailable``: retried, a booking looked up again) rather than "the web app changed" (the drift alert to
the clinic's IT person, and every booking refused until someone looks).
"""

from __future__ import annotations

import re

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Locator, Page

from agent.portal.base import PortalChanged, PortalError, PortalUnavailable

# What a page shows while it fetches what it will draw (visible text only)
_LOADING_TEXT = re.compile(r"\b(?:cargando|loading|carregando|por favor espere|please wait|aguarde)\b", re.IGNORECASE)
_BUSY = "[aria-busy=true], [role=progressbar]"


async def still_loading(page: Page) -> bool:
    """Whether the page is still loading: the document not complete, a busy or progress element shown, or a
    "Cargando…" in its visible text. False when the page cannot be asked (closed, navigating away)."""
    try:
        if await page.evaluate("document.readyState") != "complete":
            return True
        if await page.locator(_BUSY).first.is_visible():
            return True
        text = await page.locator("body").inner_text(timeout=1000)
    except PlaywrightError:
        return False
    return bool(_LOADING_TEXT.search(text[:20_000]))


async def missing(page: Page, screen: str, element: str, timeout_ms: float) -> PortalError:
    """The error for an element not shown within ``timeout_ms``: slow, or changed."""
    if await still_loading(page):
        return PortalUnavailable(f"the {screen} screen was still loading after {timeout_ms / 1000:.0f} s: the web app"
                                 f" is slow (waiting for its {element})")
    return PortalChanged(screen, element)


async def require_visible(locator: Locator, screen: str, element: str, timeout_ms: float) -> Locator:
    """The locator once visible; else ``missing``'s error."""
    try:
        await locator.wait_for(state="visible", timeout=timeout_ms)
    except PlaywrightError:  # a timeout, or more than one match
        raise await missing(locator.page, screen, element, timeout_ms) from None
    return locator
