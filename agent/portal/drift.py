"""The drift watch: the screens and elements a driver depends on, declared by it, and the walk that checks them.

A driver lists ``screens`` (``DeclaredScreen``): where each is (a path, logged in or not), how to open it without
writing anything (a click that opens a dialog, and the click that closes it again), and the elements it needs, each
found the way its page objects find it. ``walk_screens`` visits them in order and stops at the first element that is
missing, so the report says one plain thing: which screen, which element. `cita-agent selfcheck` runs it; the result
is kept beside the agent's state so `cita-agent status` shows it.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Locator, Page

from agent.cli_texts import TEXTS, say
from agent.portal.base import PortalUnavailable
from agent.private_files import write_private_text

log = logging.getLogger(__name__)

Locate = Callable[[Page], Locator]


@dataclass(frozen=True)
class DeclaredElement:
    name: str  # as the receptionist would say it: 'el botón "Guardar cita"'
    locate: Locate
    name_en: str = ""


@dataclass(frozen=True)
class DeclaredScreen:
    name: str  # Spanish, as the sentence says it: "la ficha de cita"
    path: str  # opened with the web app's address in front
    elements: tuple[DeclaredElement, ...]
    logged_in: bool = True
    opener: DeclaredElement | None = None  # clicked to show the screen (a dialog); must not write anything
    closer: DeclaredElement | None = None  # clicked afterwards to leave it as it was
    name_en: str = ""
    ready_js: str = ""  # a JavaScript predicate the page must meet before the elements are looked for
    # The opener is the agenda's data, not its screens (a free time in the week shown): none there — a full week —
    # leaves this screen unchecked this time, never "changed" (every patient would be handed off).
    opener_from_data: bool = False
    # Shows the next page of that data when the week shown has no free time left ("Semana siguiente": on a Saturday
    # afternoon, or in a week fully booked): clicked up to MORE_DATA_PAGES times before the screen is left unchecked.
    more_data: DeclaredElement | None = None


MORE_DATA_PAGES = 2


@dataclass(frozen=True)
class SelfCheckResult:
    ok: bool
    screen: str = ""
    element: str = ""
    screen_en: str = ""
    element_en: str = ""
    screenshot: str = ""
    checked: tuple[str, ...] = ()  # the screens walked, in order
    at: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    error: str = ""  # the walk could not run (web app down, login refused): not drift

    def sentence(self, language: str = "es") -> str:
        """What the receptionist reads."""
        if self.error:  # in the words `cita-agent check` uses for the same failure
            code, _, detail = self.error.partition(": ")
            opening = ("No se pudo revisar la agenda web." if language == "es"
                       else "The clinic web app could not be checked.")
            if f"check.{code}" in TEXTS:
                return f"{opening} {say(f'check.{code}', language, detail=detail)}"
            return f"{opening[:-1]}: {self.error}"
        if self.ok:
            return ("La agenda web está como el agente la conoce." if language == "es"
                    else "The clinic web app looks as the agent knows it.")
        if language == "es":
            return f"La agenda web cambió: no encuentro {self.element} en {self.screen}."
        return f"The clinic web app changed: I cannot find {self.element_en or self.element} on " \
               f"{self.screen_en or self.screen}."


async def walk_screens(page: Page, base_url: str, screens: tuple[DeclaredScreen, ...], timeout_ms: float,
                       ) -> tuple[DeclaredScreen, DeclaredElement] | None:
    """Visit each screen; the first (screen, element) that is missing, or None when all are there."""
    for screen in screens:
        response = await page.goto(f"{base_url}{screen.path}", wait_until="domcontentloaded", timeout=timeout_ms)
        if response is not None and (response.status >= 500 or response.status == 429):
            # An error page is the web app failing for now, not its screens changing: never drift.
            raise PortalUnavailable(f"{screen.name_en or screen.name} screen answered HTTP {response.status}")
        if screen.ready_js:
            try:
                await page.wait_for_function(screen.ready_js, timeout=timeout_ms)
            except PlaywrightError:
                pass  # the elements below say what is missing
        if screen.opener is not None:
            if not await _opener_shown(page, screen, timeout_ms):
                if screen.opener_from_data:
                    log.info("Not checked this time: %s (no %s shown)", screen.name_en or screen.name,
                             screen.opener.name_en or screen.opener.name)
                    continue
                return screen, screen.opener
            await screen.opener.locate(page).click(timeout=timeout_ms)
        for element in screen.elements:
            if not await _visible(element.locate(page), timeout_ms):
                return screen, element
        if screen.closer is not None and await _visible(screen.closer.locate(page), timeout_ms):
            await screen.closer.locate(page).click(timeout=timeout_ms)
    return None


async def _opener_shown(page: Page, screen: DeclaredScreen, timeout_ms: float) -> bool:
    """The screen's opener in sight; with ``more_data``, looked for on the next pages too (read-only clicks)."""
    assert screen.opener is not None
    if await _visible(screen.opener.locate(page), timeout_ms):
        return True
    for _ in range(MORE_DATA_PAGES if screen.more_data is not None else 0):
        assert screen.more_data is not None
        more = screen.more_data.locate(page)
        if not await _visible(more, timeout_ms):
            return False
        await more.first.click(timeout=timeout_ms)
        if await _visible(screen.opener.locate(page), timeout_ms):
            return True
    return False


async def _visible(locator: Locator, timeout_ms: float) -> bool:
    try:
        await locator.first.wait_for(state="visible", timeout=timeout_ms)
        return True
    except PlaywrightError:
        return False


def save_result(path: Path, result: SelfCheckResult) -> None:
    write_private_text(path, json.dumps(asdict(result), ensure_ascii=False))  # in the agent's home: 0600


def load_result(path: Path) -> SelfCheckResult | None:
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    known = set(SelfCheckResult.__dataclass_fields__)
    try:
        values = {k: v for k, v in data.items() if k in known}
        values["checked"] = tuple(values.get("checked", ()))
        return SelfCheckResult(**values)
    except TypeError:
        return None
