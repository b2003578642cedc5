"""The driver kit: what every browser-driving driver repeats, written once.

``BrowserDriver`` carries the browser's life (start, restart after a crash, close), one context and one page, the
error wrapping of every operation (leftovers become typed errors with a failure screenshot, secrets blank), bounded
retries of navigations, session-expiry hooks (a redirect to the login page, a 401, a "no permission" page), a 429 as
``PortalBusy``, slot ids checked, and leaving a page that polls once an operation is done.

A driver subclasses it and writes ``_login``, ``_free_slots``, ``_book`` and ``_find_booking`` (and may override
the hooks); the public methods of the ``PortalDriver`` protocol are here.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar, TypeVar
from urllib.parse import urlencode, urljoin

from playwright.async_api import Browser, BrowserContext, Dialog, Page, Playwright, Response, async_playwright
from playwright.async_api import Error as PlaywrightError

from agent.portal.base import (
    AccountLocked,
    BadSlotId,
    Booking,
    BrowserChoice,
    Credentials,
    LoginNeedsPerson,
    LoginRejected,
    Patient,
    PortalBusy,
    PortalChanged,
    PortalError,
    PortalUnavailable,
    Slot,
    SlotTaken,
    WrongAddress,
    check_slot_id,
)
from agent.portal.browser import launch_browser, visible_choice
from agent.portal.capabilities import DriverCapabilities
from agent.portal.drift import DeclaredScreen, SelfCheckResult, walk_screens
from agent.portal.driver_settings import DriverSetting
from agent.portal.person_step import PersonWindow, person_step
from agent.portal.retry import RetryPolicy, TransientFailure, with_retries
from agent.portal.screenshots import capture_failure

log = logging.getLogger(__name__)
T = TypeVar("T")
DEFAULT_BUSY_WAIT_S = 60.0


class SessionExpired(Exception):
    """The web app ended the session (a hook saw the login page, a 401 or "no permission"): log in again once."""


def utc_now() -> datetime:
    return datetime.now(UTC)


_REDIRECTS = frozenset({301, 302, 303, 307, 308})


def site_address(url: str, pages: tuple[str, ...] = ()) -> str:
    """The web app's own address from what an IT person pasted: without a query or fragment, and cut before one of
    the driver's own ``pages`` ("…/admin/login/?next=/agenda/" copied from the login page's address bar is the
    site at "…"), so the driver's paths are added to the site, not to one of its pages."""
    address = url.strip().split("#", 1)[0].split("?", 1)[0]
    scheme, sep, rest = address.partition("://")
    host, slash, path = rest.partition("/")
    path = slash + path
    for page in pages:
        page = page.rstrip("/") if page else ""
        if page and page in path:
            path = path[: path.index(page)]
    return f"{scheme}{sep}{host}{path}".rstrip("/")


class BrowserDriver:
    """``Driver(url, credentials, browser, work_dir, *, settings=None)``; screenshots go to work_dir/"screenshots".

    ``clock`` (tests) is the driver's "now"; ``retry`` bounds the retries on 5xx and dropped connections;
    ``timeout_s`` bounds each wait for a screen or an answer.
    """

    title: ClassVar[str] = ""
    title_en: ClassVar[str] = ""
    capabilities: ClassVar[DriverCapabilities] = DriverCapabilities()
    settings: ClassVar[tuple[DriverSetting, ...]] = ()
    screens: ClassVar[tuple[DeclaredScreen, ...]] = ()  # what the drift watch walks (agent/portal/drift.py)
    # Hooks a driver sets for its web app.
    login_path: ClassVar[str] = "/login"  # a navigation that ends here means the session expired
    landing_path: ClassVar[str] = ""  # where a logged-in person lands (a restored session is checked there)
    no_permission_texts: ClassVar[tuple[str, ...]] = ()  # words of a page that says the session lacks rights
    leave_pages: ClassVar[bool] = False  # True when the web app's pages poll: go to about:blank after each call
    locale: ClassVar[str] = "es-CL"

    def __init__(
        self,
        url: str,
        credentials: Credentials,
        browser: BrowserChoice,
        work_dir: Path,
        *,
        settings: Mapping[str, Any] | None = None,
        clock: Callable[[], datetime] = utc_now,
        retry: RetryPolicy | None = None,
        timeout_s: float = 15.0,
    ) -> None:
        self.url = site_address(url, (self.login_path, self.landing_path))
        self._credentials = credentials
        self._browser_choice = browser
        self.screenshots = Path(work_dir) / "screenshots"
        self.driver_settings: dict[str, Any] = dict(settings or {})
        self._clock = clock
        self._retry = retry or RetryPolicy()
        self._timeout_ms = timeout_s * 1000
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None
        self._context: BrowserContext | None = None
        self._page: Page | None = None
        self._logged_in = False
        # One login at a time: the reads a request makes side by side (every week of the agenda) all find an expired
        # session at once, and logins racing on the one page abort each other's navigation — every read then failed.
        self._login_lock = asyncio.Lock()
        self._logins = 0  # logins done: a read that found the session over logs in only if none did since it began
        self._refusal: LoginRejected | AccountLocked | LoginNeedsPerson | None = None
        self._storage_state: dict[str, Any] | None = None  # cookies/storage the next context starts with
        self._restored = False  # the context started from a stored session: check it before any login
        self.dismissed_dialogs: list[str] = []  # every confirm()/alert() the web app showed, dismissed, in order

    # --- life cycle -------------------------------------------------------------------------------

    async def start(self) -> None:
        """Launch the browser, or launch it again if it went away (crashed, or closed by someone)."""
        if self._context is not None:
            if self._browser is not None and self._browser.is_connected() and self._page and not self._page.is_closed():
                return
            log.warning("the browser closed unexpectedly; starting it again")
            await self.close()
        silence_protocol_log()
        self._playwright = await async_playwright().start()
        try:
            self._browser = await launch_browser(self._playwright, self._browser_choice)
            await self._open_context()
        except BaseException:
            await self.close()
            raise

    async def _open_context(self) -> None:
        """The one context and page, from ``_storage_state`` when there is one (a stored or handed-back session)."""
        assert self._browser is not None
        extra: dict[str, Any] = {"storage_state": self._storage_state} if self._storage_state else {}
        self._context = await self._browser.new_context(
            locale=self.locale, viewport={"width": 1366, "height": 900}, service_workers="block", **extra
        )
        self._context.set_default_timeout(self._timeout_ms)
        await self.prepare_context(self._context)
        self._page = await self._context.new_page()
        self._page.on("dialog", self._dismiss_dialog)

    async def _dismiss_dialog(self, dialog: Dialog) -> None:
        """A warning ("¿Guardar de todos modos?") is never accepted: every dialog is dismissed and remembered."""
        self.dismissed_dialogs.append(" ".join(dialog.message.split()))
        log.warning("the clinic web app showed a %s dialog; dismissed it: %s", dialog.type, dialog.message[:200])
        try:
            await dialog.dismiss()
        except PlaywrightError:
            pass  # already handled or the page went away

    async def prepare_context(self, context: BrowserContext) -> None:
        """Hook: called once per new browser context, before any page opens (tests route assets here)."""

    async def close(self) -> None:
        context, browser, playwright = self._context, self._browser, self._playwright
        self._context = self._browser = self._playwright = self._page = None
        self._logged_in = False
        for closing in (context and context.close(), browser and browser.close(), playwright and playwright.stop()):
            if closing is not None:
                try:
                    await closing
                except PlaywrightError:
                    pass  # already gone (the browser crashed or was closed): nothing left to release

    async def __aenter__(self):  # noqa: ANN204 - the subclass
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # --- the interface ----------------------------------------------------------------------------

    async def login(self) -> None:
        """Log in now, even after a refusal (the caller decided to try again, e.g. a new password).

        A context started from a stored session (``restore_session``) is checked first: still logged in, no
        password is typed at all; a stale one is dropped and the usual login follows.
        """
        self._refusal = None
        if self._restored:
            self._restored = False
            if await self._guarded("login", self._restored_session_alive):
                self._logged_in = True
                log.info("the stored session of the clinic web app is still valid: no login needed")
                return
            log.info("the stored session of the clinic web app is no longer valid; logging in")
            await self._forget_restored_session()
        await self._guarded("login", self._login_recording_refusal)

    # --- a session kept between runs, and a login a person finishes -------------------------------

    def restore_session(self, state: Mapping[str, Any]) -> None:
        """Start the next browser context from this stored session (call before ``start``)."""
        self._storage_state = dict(state)
        self._restored = True

    async def session_state(self) -> dict[str, Any] | None:
        """The logged-in session's cookies and storage, to keep between runs; None when not logged in."""
        if not self._logged_in or self._context is None:
            return None
        try:
            return dict(await self._context.storage_state())
        except PlaywrightError:
            return None

    async def _restored_session_alive(self) -> bool:
        await self.start()
        try:
            response = await self._goto(self.landing_path or "/")
        except WrongAddress:  # no page there (a web app that lives under a path): sign in afresh
            return False
        page = self._require_page()
        if self.session_expired(page.url, response.status if response else 200):
            return False
        return await self.logged_in_at(page)

    async def _forget_restored_session(self) -> None:
        self._storage_state = None
        if self._context is not None:
            try:
                await self._context.clear_cookies()
                await self._leave_page()
            except PlaywrightError:
                pass

    async def logged_in_at(self, page: Page) -> bool:
        """Hook: does this page show the web app logged in? By default: on ``landing_path`` (or anywhere but the
        login page), with no code, captcha or new-password field and no password field at all."""
        path = page.url.split("?", 1)[0].split("#", 1)[0]
        if not path.startswith(self.url):
            return False
        if self.landing_path and self.landing_path not in path[len(self.url):]:
            return False
        if self.login_path and path.rstrip("/").endswith(self.login_path.rstrip("/")):
            return False
        try:
            if await person_step(page):
                return False
            return await page.locator("input[type=password]:visible").count() == 0
        except PlaywrightError:
            return False

    async def needs_person(self, page: Page | None = None) -> LoginNeedsPerson | None:
        """After submitting the credentials: the error to raise when this page asks for a code, a captcha or a
        new password (what only a person can give), else None. Drivers call it before deciding "refused"."""
        page = page or self._require_page()
        step = await person_step(page)
        if not step:
            return None
        words = {"code": "a verification code", "captcha": "a captcha", "new_password": "a new password"}[step]
        return LoginNeedsPerson(f"after the password, the clinic web app asks for {words}: a person must finish "
                                f"this login", step=step, url=page.url)

    async def open_person_window(self) -> PersonWindow:
        """A visible browser window on this session (its cookies: the half-done login) at the screen that asks.

        Where no screen can show it (a server with no display) it runs headless, still usable by a test.
        """
        await self.start()
        assert self._playwright is not None and self._context is not None
        stalled = self._refusal.url if isinstance(self._refusal, LoginNeedsPerson) and self._refusal.url else ""
        state = await self._context.storage_state()
        browser = await launch_browser(self._playwright, visible_choice(self._browser_choice))
        try:
            context = await browser.new_context(locale=self.locale, viewport={"width": 1100, "height": 820},
                                                storage_state=state)
            await self.prepare_context(context)
            page = await context.new_page()
            await page.goto(stalled or f"{self.url}{self.login_path}", wait_until="domcontentloaded",
                            timeout=self._timeout_ms)
            await page.bring_to_front()
        except BaseException:
            await browser.close()
            raise
        return PersonWindow(browser, context, page)

    async def adopt_session(self, state: Mapping[str, Any]) -> None:
        """The person finished the login in the window: carry on headless with that session."""
        self._storage_state = dict(state)
        self._restored = False
        await self.start()
        old_context = self._context
        self._context = self._page = None
        if old_context is not None:
            try:
                await old_context.close()
            except PlaywrightError:
                pass
        await self._open_context()
        self._refusal = None
        self._logged_in = True

    async def free_slots(self, days: int, professional: str | None = None) -> list[Slot]:
        slots = await self._guarded("agenda", lambda: self._free_slots(days, professional))
        for slot in slots:
            try:
                check_slot_id(slot.id)
            except BadSlotId as error:
                log.error("%s", error)
                raise PortalChanged("agenda", f"a usable slot id ({error})") from None
        return slots

    async def book(self, slot_id: str, patient: Patient, reference: str) -> Booking:
        return await self._guarded("new appointment", lambda: self._book(slot_id, patient, reference))

    async def find_booking(self, slot_id: str, reference: str) -> Booking | None:
        return await self._guarded("agenda", lambda: self._find_booking(slot_id, reference))

    async def selfcheck(self, element_timeout_s: float | None = None, *, raise_errors: bool = False) -> SelfCheckResult:
        """Walk the declared screens without writing anything; the first missing element, with a screenshot.

        Each element is waited for as long as a booking waits for it (the driver's page timeout, unless
        ``element_timeout_s`` is shorter): a web app slow enough to take 5 s to draw its agenda still books, so it
        must not be called changed (patients would be handed off until a check passed).

        Logged-out screens (the login form) are checked in a throwaway browser context, the rest logged in.
        A web app that is down or refuses the login is reported as ``error``, not as drift (or, with
        ``raise_errors``, raised as the PortalError it is, for the engine's portal session to act on).
        """
        timeout_ms = self._timeout_ms if element_timeout_s is None else min(self._timeout_ms, element_timeout_s * 1000)
        checked: list[str] = []
        try:
            await self.start()
            assert self._browser is not None
            outside = tuple(s for s in self.screens if not s.logged_in)
            inside = tuple(s for s in self.screens if s.logged_in)
            if outside:
                context = await self._browser.new_context(locale=self.locale, viewport={"width": 1366, "height": 900},
                                                          service_workers="block")
                try:
                    await self.prepare_context(context)
                    page = await context.new_page()
                    page.on("dialog", self._dismiss_dialog)
                    result = await self._walk(page, outside, timeout_ms, checked)
                finally:
                    await context.close()
                if result is not None:
                    return result
            if inside:
                await self._ensure_session()
                result = await self._walk(self._require_page(), inside, timeout_ms, checked)
                if result is not None:
                    return result
            return SelfCheckResult(ok=True, checked=tuple(checked))
        except PortalError as error:
            if raise_errors:
                raise
            return SelfCheckResult(ok=False, error=f"{error.code}: {error}", checked=tuple(checked))
        except (PlaywrightError, TransientFailure) as error:
            if raise_errors:
                raise PortalUnavailable(f"the web app's screens could not be checked: {first_line(error)}") from None
            return SelfCheckResult(ok=False, error=f"portal_down: {first_line(error)}", checked=tuple(checked))
        finally:
            if self.leave_pages:
                await self._leave_page()

    async def _walk(self, page: Page, screens: tuple[DeclaredScreen, ...], timeout_ms: float,
                    checked: list[str]) -> SelfCheckResult | None:
        for screen in screens:
            missing = await walk_screens(page, self.url, (screen,), timeout_ms)
            checked.append(screen.name)
            if missing is not None:
                shot = await capture_failure(page, self.screenshots, f"selfcheck {screen.name_en or screen.name}",
                                             [self._credentials.password])
                return SelfCheckResult(
                    ok=False, screen=screen.name, element=missing[1].name, screen_en=screen.name_en,
                    element_en=missing[1].name_en, screenshot=str(shot or ""), checked=tuple(checked),
                )
        return None

    # --- what a driver writes ---------------------------------------------------------------------

    async def _login(self) -> None:
        raise NotImplementedError

    async def _free_slots(self, days: int, professional: str | None) -> list[Slot]:
        raise NotImplementedError

    async def _book(self, slot_id: str, patient: Patient, reference: str) -> Booking:
        raise NotImplementedError

    async def _find_booking(self, slot_id: str, reference: str) -> Booking | None:
        raise NotImplementedError

    # --- sessions ---------------------------------------------------------------------------------

    async def _ensure_session(self) -> None:
        """Logged in, or log in now; after a refusal, the same refusal again (never retried by itself)."""
        await self.start()
        if self._logged_in:
            return
        async with self._login_lock:
            if self._logged_in:  # another read logged in meanwhile
                return
            if self._refusal is not None:
                raise self._refusal
            await self._login_recording_refusal()

    async def _login_recording_refusal(self) -> None:
        await self.start()
        try:
            await self._login()
        except (LoginRejected, AccountLocked, LoginNeedsPerson) as refusal:
            self._refusal = refusal
            self._logged_in = False
            raise
        self._logged_in = True
        self._logins += 1

    async def _with_session(self, action: Callable[[], Awaitable[T]]) -> T:
        """Run ``action`` logged in; when it raises SessionExpired, log in again once and run it again."""
        await self._ensure_session()
        logins = self._logins
        try:
            return await action()
        except SessionExpired:
            async with self._login_lock:
                if self._logins == logins:  # nobody logged in again since this action began: this one does
                    log.info("the clinic web app's session expired; logging in again")
                    self._logged_in = False
            await self._ensure_session()
            try:
                return await action()
            except SessionExpired:
                raise PortalUnavailable("the clinic web app ended the session right after logging in") from None

    def session_expired(self, url: str, status: int, text: str = "") -> bool:
        """Hook: does this answer mean the session is over? A 401, the login page, or a "no permission" page."""
        if status == 401:
            return True
        path = url.split("?", 1)[0]
        if self.login_path and path.rstrip("/").endswith(self.login_path.rstrip("/")):
            return True
        folded = text.casefold()
        return bool(folded) and any(words.casefold() in folded for words in self.no_permission_texts)

    def check_answer(self, url: str, status: int, headers: Mapping[str, str] | None = None, text: str = "") -> None:
        """Raise what an HTTP answer means: busy (429), session over (hooks), or worth a retry (5xx)."""
        if status == 429:
            raise PortalBusy("the clinic web app is limiting requests (HTTP 429)", _retry_after(headers or {}))
        if self.session_expired(url, status, text):
            raise SessionExpired()
        if status >= 500:
            raise TransientFailure(f"HTTP {status}")

    json_headers: ClassVar[Mapping[str, str]] = {"Accept": "application/json"}

    async def read_json(self, path: str, params: Mapping[str, str], screen: str = "agenda") -> Any:
        """GET one of the web app's own JSON calls with the session's cookies: retried while it fails in passing,
        logged in again once if the session is over; any other answer is the screen ``screen`` having changed."""
        return await self._with_session(
            lambda: with_retries(lambda: self._get_json(path, params, screen), self._retry, f"reading {path}")
        )

    def refuse_json(self, path: str, status: int) -> None:
        """Hook: raise for a JSON answer that means something to this web app (e.g. 403: a missing permission)."""

    async def _get_json(self, path: str, params: Mapping[str, str], screen: str) -> Any:
        assert self._context is not None
        url = f"{self.url}{path}" + (f"?{urlencode(params)}" if params else "")
        try:
            response = await self._context.request.get(
                url, headers=dict(self.json_headers), timeout=self._timeout_ms, max_redirects=0
            )
        except PlaywrightError as error:
            raise TransientFailure(f"no answer: {first_line(error)}") from None
        try:
            self.check_answer(url, response.status, response.headers)
            self.refuse_json(path, response.status)
            if response.status in _REDIRECTS:  # sent elsewhere mid-session: a code asked again is a person's step
                asked = await self._person_step_at(urljoin(url, response.headers.get("location", "")))
                if asked is not None:
                    raise asked
            if response.status != 200:
                raise PortalChanged(screen, f"JSON call {path} (it answered HTTP {response.status})")
            try:
                return await response.json()
            except (PlaywrightError, ValueError):
                raise PortalChanged(screen, f"JSON answer of {path}") from None
        finally:
            await response.dispose()

    async def _person_step_at(self, url: str) -> LoginNeedsPerson | None:
        """The page a call was sent to, looked at: the LoginNeedsPerson to raise when it asks for a code, a captcha
        or a new password (a web app that asks again mid-session), else None."""
        if not url.startswith(self.url):
            return None
        page = self._require_page()
        try:
            await page.goto(url, wait_until="domcontentloaded", timeout=self._timeout_ms)
        except PlaywrightError:
            return None
        return await self.needs_person(page)

    async def _goto(self, path: str) -> Response | None:
        """Navigate; 429 is PortalBusy, the login page is SessionExpired, 5xx or no answer a TransientFailure."""
        page = self._require_page()
        try:
            response = await page.goto(f"{self.url}{path}", wait_until="domcontentloaded", timeout=self._timeout_ms)
        except PlaywrightError as error:
            if "ERR_HTTP_RESPONSE_CODE_FAILURE" in str(error):  # Chromium's word for an empty 429 or 5xx page
                raise TransientFailure("an empty error page") from None
            raise TransientFailure(f"no answer: {first_line(error)}") from None
        if response is not None:
            status = response.status
            if status == 429:
                raise PortalBusy("the clinic web app is limiting requests (HTTP 429)",
                                 _retry_after(await response.all_headers()))
            if status >= 500:
                raise TransientFailure(f"HTTP {status}")
            if status in (404, 410):  # no such page here: nothing on it will ever be found, say so at once
                raise WrongAddress(path.split("?", 1)[0], status)
        if page.url.split("?", 1)[0] != f"{self.url}{path}".split("?", 1)[0]:  # sent elsewhere: a code asked again?
            asked = await self.needs_person(page)
            if asked is not None:
                raise asked
        return response

    # --- failures ---------------------------------------------------------------------------------

    async def _guarded(self, screen: str, action: Callable[[], Awaitable[T]]) -> T:
        """Run one operation; turn leftovers into typed errors, with a screenshot for the IT person."""
        try:
            return await action()
        except SlotTaken:
            raise
        except TransientFailure as failure:
            error: PortalError = PortalUnavailable(
                f"the clinic web app at {self.url} is not answering properly ({failure}) after "
                f"{self._retry.attempts} tries"
            )
            error.screenshot = await self._screenshot(f"{screen} unavailable")
            raise error from None
        except SessionExpired:
            raise PortalUnavailable("the clinic web app keeps ending the session") from None
        except PortalError as error:
            if error.screenshot is None and error.code != "browser_missing":
                where = error.screen if isinstance(error, PortalChanged) else screen
                if isinstance(error, LoginRejected | AccountLocked | LoginNeedsPerson):
                    where = "login"
                error.screenshot = await self._screenshot(f"{where} {error.code}")
            raise
        except PlaywrightError as error:
            wrapped = PortalUnavailable(f"the browser failed while on the {screen} screen: {first_line(error)}")
            wrapped.screenshot = await self._screenshot(f"{screen} browser error")
            raise wrapped from None
        finally:
            if self.leave_pages:
                await self._leave_page()

    async def _leave_page(self) -> None:
        """A page left open on a calendar that polls keeps costing the web app requests: leave it."""
        page = self._page
        if page is None or page.is_closed() or page.url in ("about:blank", ""):
            return
        try:
            await page.goto("about:blank", timeout=5_000)
        except PlaywrightError:
            pass  # the next operation navigates anyway

    async def _screenshot(self, label: str) -> Path | None:
        path = await capture_failure(self._page, self.screenshots, label, [self._credentials.password])
        if path is not None:
            log.info("saved a screenshot of the failure: %s", path)
        return path

    def _require_page(self) -> Page:
        if self._page is None:
            raise PortalUnavailable("the browser is not running (the driver was closed)")
        return self._page


def _retry_after(headers: Mapping[str, str]) -> float:
    """Seconds from a Retry-After header (seconds only; dates are rare), else a minute."""
    value = {k.lower(): v for k, v in headers.items()}.get("retry-after", "")
    try:
        return max(1.0, float(value))
    except ValueError:
        return DEFAULT_BUSY_WAIT_S


def first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def silence_protocol_log() -> None:
    """Playwright's DEBUG=pw:api log would print what is typed (the password): never let it run here."""
    debug = os.environ.get("DEBUG", "")
    if "pw:" in debug:
        kept = ",".join(part for part in debug.split(",") if part and not part.startswith("pw:"))
        log.warning("ignoring DEBUG=pw:* for the browser: its protocol log would show the typed password")
        if kept:
            os.environ["DEBUG"] = kept
        else:
            os.environ.pop("DEBUG", None)
