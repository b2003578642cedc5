"""The one browser the agent drives: started lazily, reused, and used by one operation at a time.

Every use of the clinic web app goes through ``PortalSession.call``, which queues callers by
priority (a patient's booking goes ahead of a background refresh) and keeps the portal's health.
A rejected password or a locked account stops all use of the web app until the credentials
change (``reset``): retrying a wrong password is how a clinic's account gets locked. A login that stops at a
verification code, a captcha or a new password (``LoginNeedsPerson``) stops all use the same way, until a person
finishes that login in a visible window (``hand_to_person``); the browser keeps the half-done login meanwhile.

The logged-in session is kept between runs by a ``SessionKeeper`` (agent/session_store.py): restored before the
first login, saved after each login and when the browser closes.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from enum import IntEnum
from typing import Any, Protocol, TypeVar

from agent.portal.base import (
    AccountLocked,
    LoginNeedsPerson,
    LoginRejected,
    PortalChanged,
    PortalDriver,
    PortalError,
    PortalUnavailable,
    SlotTaken,
)

log = logging.getLogger(__name__)

T = TypeVar("T")


class Priority(IntEnum):
    """Lower goes first."""

    BOOKING = 0  # a patient's booking, and reconciling an interrupted one
    REQUESTED_READ = 1  # a patient is waiting for slots and the cache is cold or stale
    BACKGROUND_READ = 2  # the periodic refresh


class PriorityLock:
    """An asyncio lock that hands itself to the waiter with the lowest priority, first come first served within one."""

    def __init__(self) -> None:
        self._locked = False
        self._waiters: list[tuple[int, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    def locked(self) -> bool:
        return self._locked

    @asynccontextmanager
    async def hold(self, priority: int) -> AsyncIterator[None]:
        await self._acquire(priority)
        try:
            yield
        finally:
            self._release()

    async def _acquire(self, priority: int) -> None:
        if not self._locked and not self._waiters:
            self._locked = True
            return
        granted: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiters, (priority, next(self._order), granted))
        try:
            await granted
        except asyncio.CancelledError:
            if granted.done() and not granted.cancelled():
                self._release()  # handed to us as we were cancelled: pass it on
            raise

    def _release(self) -> None:
        while self._waiters:
            _, _, granted = heapq.heappop(self._waiters)
            if not granted.done():
                granted.set_result(None)  # stays locked: ownership moves to that waiter
                return
        self._locked = False


HealthListener = Callable[[str, str], None]  # (state, detail): ok | login_failed | locked | down | unknown
#                                               | login_needs_person
PERSON_WINDOW_TIMEOUT_S = 30 * 60.0  # a window left open longer than this is closed (the prompt stays)


class SessionKeeper(Protocol):
    """Where the web app session lives between runs (agent/session_store.py)."""

    def load(self) -> dict[str, Any] | None: ...

    def save(self, state: dict[str, Any]) -> None: ...

    def discard(self) -> None: ...


class PortalNotReady(PortalUnavailable):
    """The browser could not be started or logged in: nothing was done in the web app."""

    def __init__(self, message: str, code: str = "portal_down") -> None:
        super().__init__(message)
        self.code = code


class PortalSession:
    """Owns the driver. ``driver_factory`` builds a driver that has not been started."""

    def __init__(self, driver_factory: Callable[[], PortalDriver], on_health: HealthListener | None = None,
                 sessions: SessionKeeper | None = None) -> None:
        self._factory = driver_factory
        self._on_health = on_health
        self._sessions = sessions
        self.person_window: Any = None  # the open PersonWindow while a receptionist finishes a login
        self._person_task: asyncio.Task[bool] | None = None
        self._driver: PortalDriver | None = None
        self._lock = PriorityLock()
        self._blocked: PortalError | None = None
        self._closed = False
        self.health = "unknown"
        self.detail = ""
        # Set by the drift watch when a screen the driver depends on is gone: the web app counts as down, with
        # this sentence, until a self-check passes (agent/drift_watch.py).
        self.drift = ""

    @property
    def blocked(self) -> PortalError | None:
        """The LoginRejected/AccountLocked/LoginNeedsPerson that stopped all use of the web app, if any."""
        return self._blocked

    def busy(self) -> bool:
        return self._lock.locked()

    async def call(self, priority: Priority, what: str, action: Callable[[PortalDriver], Awaitable[T]]) -> T:
        """Run ``action(driver)`` when the browser is ours. Raises PortalError (or CancelledError), nothing else."""
        async with self._lock.hold(priority):
            if self._closed:
                raise PortalUnavailable("the agent is stopping")
            if self._blocked is not None:
                raise _blocked_again(self._blocked)
            try:
                driver = await self._started_driver()
                result = await action(driver)
            except LoginNeedsPerson as exc:
                self._blocked = exc
                log.warning(
                    "The clinic web app asks for more than the password (%s) while trying to %s. A person must finish "
                    "this login in the window the tray app opens (a headless agent cannot: run the tray app on this"
                    " PC); the password is not tried again meanwhile.",
                    exc.step, what,
                )
                self._set_health("login_needs_person", str(exc))
                raise
            except (LoginRejected, AccountLocked) as exc:
                self._blocked = exc
                state = "locked" if isinstance(exc, AccountLocked) else "login_failed"
                log.error(
                    "The clinic web app refused the login (%s) while trying to %s. The agent will not try again "
                    "until the password or the settings change (cita-agent login).", exc, what,
                )
                self._set_health(state, str(exc))
                await self._drop_driver()
                raise
            except SlotTaken:
                self._set_health(*self._healthy())
                raise
            except PortalChanged as exc:
                log.error("The clinic web app looks different than expected while trying to %s: %s", what, exc)
                self._set_health("down", str(exc))
                raise
            except PortalError as exc:
                log.warning("The clinic web app is not answering (%s): %s", what, exc)
                self._set_health("down", str(exc))
                raise
            except asyncio.CancelledError:
                # Interrupted mid-operation (the agent is stopping): the page may be anywhere, start afresh next time.
                await asyncio.shield(self._drop_driver())
                raise
            except Exception as exc:
                # The browser crashed, or the driver has a bug: a fresh browser next time.
                log.exception("The browser failed while trying to %s", what)
                self._set_health("down", f"browser error: {type(exc).__name__}")
                await self._drop_driver()
                raise PortalUnavailable(f"the browser failed while trying to {what}: {type(exc).__name__}") from exc
            self._set_health(*self._healthy())
            return result

    def _healthy(self) -> tuple[str, str]:
        return ("down", self.drift) if self.drift else ("ok", "")

    async def reset(self) -> None:
        """The credentials or settings changed: forget a refused login and start a fresh browser next time."""
        async with self._lock.hold(Priority.BOOKING):
            self._blocked = None
            await self._close_person_window()
            await self._drop_driver()
            self._set_health("unknown", "")

    # -- a login a person finishes ----------------------------------------------------------------

    def needs_person(self) -> LoginNeedsPerson | None:
        blocked = self._blocked
        return blocked if isinstance(blocked, LoginNeedsPerson) else None

    async def hand_to_person(self, timeout_s: float = PERSON_WINDOW_TIMEOUT_S) -> bool:
        """Open a visible window at the screen that asks for a code (or captcha, or new password), wait until the
        receptionist has finished the login there, then carry on headless with that session. True when done.

        Opening it again while it is open only brings it to the front.
        """
        running = self._person_task
        if running is not None and not running.done():
            window = self.person_window
            if window is not None:
                with contextlib.suppress(Exception):  # a window closing right now: nothing to bring forward
                    await window.page.bring_to_front()
            return await asyncio.shield(running)
        if self.needs_person() is None:
            return False
        self._person_task = asyncio.get_running_loop().create_task(self._hand_to_person(timeout_s),
                                                                    name="login-by-person")
        return await asyncio.shield(self._person_task)

    async def _hand_to_person(self, timeout_s: float) -> bool:
        async with self._lock.hold(Priority.BOOKING):
            driver = self._driver
            opener = getattr(driver, "open_person_window", None)
            if driver is None or opener is None or self.needs_person() is None:
                log.warning("This clinic web app driver cannot open a window for a person to finish the login")
                return False
            try:
                window = await opener()
            except Exception as exc:
                log.warning("Could not open the clinic web app in a window: %s", _first_line(exc))
                return False
        self.person_window = window
        log.info("Opened the clinic web app in a window for the receptionist to finish the login")
        try:
            state = await window.wait_until_done(driver.logged_in_at, timeout_s)  # type: ignore[attr-defined]
            if state is None:
                return False
            async with self._lock.hold(Priority.BOOKING):
                if self._driver is not driver or self._closed:
                    return False
                await driver.adopt_session(state)  # type: ignore[attr-defined]
                self._blocked = None
                self._keep_session_now(state)
                self._set_health(*self._healthy())
            log.info("The receptionist finished the login: the agent carries on with that session")
            return True
        finally:
            await self._close_person_window()

    async def _close_person_window(self) -> None:
        window, self.person_window = self.person_window, None
        if window is not None:
            await window.close()

    async def close(self) -> None:
        """Close the browser for good; safe to call twice. An operation in progress finishes first."""
        if self._closed:
            return
        self._closed = True
        async with self._lock.hold(Priority.BOOKING):
            await self._close_person_window()
            await self._keep_session(self._driver)
            await self._drop_driver()

    async def close_now(self) -> None:
        """Close the browser without waiting for the operation in progress (that one was cancelled)."""
        self._closed = True
        await self._close_person_window()
        await self._drop_driver()

    async def _started_driver(self) -> PortalDriver:
        if self._driver is not None:
            return self._driver
        try:
            driver = self._factory()
        except PortalError:
            raise
        except Exception as exc:
            raise PortalNotReady(f"the clinic web app driver could not be set up: {exc}") from exc
        self._restore_session(driver)
        try:
            await driver.start()
            await driver.login()
        except LoginNeedsPerson:
            self._driver = driver  # its browser holds the half-done login the person finishes
            raise
        except (LoginRejected, AccountLocked, PortalNotReady):
            await _quietly_close(driver)
            raise
        except PortalError as exc:
            await _quietly_close(driver)
            raise PortalNotReady(str(exc), exc.code) from exc
        except Exception as exc:
            await _quietly_close(driver)
            log.warning("The browser could not start: %s", exc)
            raise PortalNotReady(f"the browser could not start: {_first_line(exc)}") from exc
        except BaseException:
            await _quietly_close(driver)
            raise
        self._driver = driver
        log.info("Logged in to the clinic web app")
        await self._keep_session(driver)
        return driver

    # -- the session kept between runs -------------------------------------------------------------

    def _restore_session(self, driver: PortalDriver) -> None:
        restore = getattr(driver, "restore_session", None)
        if self._sessions is None or restore is None:
            return
        try:
            state = self._sessions.load()
        except Exception:  # a stored session is a saving, never a reason not to log in
            log.warning("Could not read the stored web app session; logging in", exc_info=True)
            return
        if state is not None:
            restore(state)

    async def _keep_session(self, driver: PortalDriver | None) -> None:
        reader = getattr(driver, "session_state", None)
        if self._sessions is None or reader is None or self._blocked is not None:
            return
        try:
            state = await reader()
        except Exception:
            log.warning("Could not read the web app session to keep it", exc_info=True)
            return
        if state is not None:
            self._keep_session_now(state)

    def _keep_session_now(self, state: dict[str, Any]) -> None:
        if self._sessions is None:
            return
        try:
            self._sessions.save(state)
        except Exception:  # the next start logs in again: a cost, not a failure
            log.warning("Could not keep the web app session for the next start", exc_info=True)

    async def _drop_driver(self) -> None:
        driver, self._driver = self._driver, None
        if driver is not None:
            await _quietly_close(driver)

    def _set_health(self, state: str, detail: str) -> None:
        if (state, detail) == (self.health, self.detail):
            return
        self.health, self.detail = state, detail
        if self._on_health is not None:
            self._on_health(state, detail)


def _blocked_again(exc: PortalError) -> PortalError:
    """The error that stopped all use of the web app, raised again for another caller."""
    if isinstance(exc, LoginNeedsPerson):
        return LoginNeedsPerson("the clinic web app is waiting for a person to finish the login (a code, a captcha "
                                "or a new password)", exc.step, exc.url)
    return type(exc)(_blocked_message(exc))


def _blocked_message(exc: PortalError) -> str:
    if isinstance(exc, AccountLocked):
        return "the clinic web app locked this user; not trying again until the password or settings change"
    return "the clinic web app refused the password; not trying again until it is changed"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:300] if text else type(exc).__name__


async def _quietly_close(driver: PortalDriver) -> None:
    try:
        async with asyncio.timeout(15):
            await driver.close()
    except Exception:  # a browser that will not close is not worth failing over
        log.warning("The browser did not close cleanly", exc_info=True)
