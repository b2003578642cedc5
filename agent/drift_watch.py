"""The engine's drift watch: the driver's self-check every night, and after the web app fails, never more often than
``min_gap_s``. A screen missed twice in a row (``confirm_s`` apart: a slow page still loading looks the same once)
keeps the web app "down" with a plain sentence ("La agenda web cambió: no encuentro el botón Guardar en la ficha de
cita") until a later self-check passes (re-checked every ``recheck_s`` meanwhile): the relay hands patients off, the
tray asks for attention, `cita-agent status` shows it.
"""

from __future__ import annotations

import asyncio
import logging
import time as monotonic_time
from collections.abc import Callable
from datetime import datetime, time, timedelta
from pathlib import Path

from agent.portal.base import PortalDriver, PortalError
from agent.portal.drift import SelfCheckResult, save_result
from agent.portal_session import PortalSession, Priority

log = logging.getLogger(__name__)


def seconds_until(moment: time, now: datetime) -> float:
    """From ``now`` (aware, local) to the next time the clock shows ``moment``."""
    target = now.replace(hour=moment.hour, minute=moment.minute, second=0, microsecond=0)
    if target <= now:
        target += timedelta(days=1)
    return (target - now).total_seconds()


class DriftWatch:
    def __init__(self, portal: PortalSession, result_path: Path, *, language: Callable[[], str] = lambda: "es",
                 nightly_at: time = time(3, 0), min_gap_s: float = 900.0, confirm_s: float = 20.0,
                 recheck_s: float = 120.0,
                 clock: Callable[[], datetime] = lambda: datetime.now().astimezone(),
                 mono: Callable[[], float] = monotonic_time.monotonic) -> None:
        self._portal = portal
        self._result_path = result_path
        self._language = language
        self._nightly_at = nightly_at
        self._min_gap_s = min_gap_s
        self._confirm_s = confirm_s  # a first miss is looked at again this soon before it counts as a change
        self._recheck_s = recheck_s  # while a change is flagged, looked at again this often
        self._suspect = ""  # a screen missed once (a slow page still loading?): not a change until seen again
        self._clock = clock
        self._mono = mono
        self._wake = asyncio.Event()
        self._last_run: float | None = None
        self.last: SelfCheckResult | None = None

    def web_app_failed(self) -> None:
        """The web app just failed: check its screens soon (once per ``min_gap_s`` at most)."""
        if self._last_run is None or self._mono() - self._last_run >= self._min_gap_s:
            self._wake.set()

    def check_soon(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        while True:
            try:
                await asyncio.wait_for(self._wake.wait(), self._next_check_in())
            except TimeoutError:
                pass  # the nightly check
            self._wake.clear()
            await self.check()

    def _next_check_in(self) -> float:
        """Seconds to the next check: the nightly one, or sooner while a change is flagged (patients are handed off
        meanwhile, so no web app error would ever wake the watch: a passing re-check every ``min_gap_s`` ends it)."""
        nightly = seconds_until(self._nightly_at, self._clock())
        if self._suspect and not self._portal.drift:
            return min(nightly, self._confirm_s)
        return min(nightly, self._recheck_s) if self._portal.drift else nightly

    async def check(self) -> SelfCheckResult | None:
        self._last_run = self._mono()
        try:
            return await self._portal.call(Priority.BACKGROUND_READ, "check the web app's screens", self._selfcheck)
        except PortalError as exc:  # down or refused: said elsewhere, and not drift
            log.info("The web app's screens could not be checked: %s", exc)
            return None

    async def _selfcheck(self, driver: PortalDriver) -> SelfCheckResult | None:
        result: SelfCheckResult = await driver.selfcheck(raise_errors=True)  # type: ignore[attr-defined]
        self.last = result
        await asyncio.to_thread(save_result, self._result_path, result)
        if result.ok:
            if self._portal.drift:
                log.info("The web app looks as the agent knows it again")
            self._portal.drift = self._suspect = ""
        elif self._portal.drift or self._suspect == result.sentence("en"):
            sentence = result.sentence(self._language())
            log.error("%s (screenshot: %s)", sentence, result.screenshot or "none")
            self._portal.drift = sentence  # stays "down" with this sentence until a self-check passes
        else:  # once: a page slow to load looks the same; a change is the same miss seen again
            self._suspect = result.sentence("en")
            log.warning("%s; checking again in %.0f s before calling it a change (screenshot: %s)",
                        self._suspect, self._confirm_s, result.screenshot or "none")
        return result
