"""The agent's asyncio core: the relay link, the browser, the slot cache and the booking journal.

No Qt here. The tray UI runs an Engine in a worker thread with its own event loop and listens
to its events; ``cita-agent run --headless`` runs the same Engine as a service.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
import sqlite3
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from agent import __version__
from agent.agenda_check import gone_from_agenda
from agent.booking import BookingDesk
from agent.drift_watch import DriftWatch
from agent.events import (
    BookingRecorded,
    Event,
    FollowUpReceived,
    LinkChanged,
    PauseChanged,
    PortalChangedState,
    SlotsRefreshed,
)
from agent.followups import FollowUpBook, FollowUpInbox, follow_up_path, is_followup_frame
from agent.journal import IN_PROGRESS, BookingJournal
from agent.link import RelayLink, SleepWatch
from agent.logging_setup import register_secret
from agent.login_gate import UNTESTED_DETAIL, untested
from agent.paths import AgentPaths
from agent.pause_control import control_file, modified_at, read_request
from agent.portal.base import Credentials, LoginRejected, PortalDriver, Slot
from agent.portal.registry import create_driver
from agent.portal_session import PortalNotReady, PortalSession, Priority
from agent.requests import RequestHandler
from agent.retention import PURGE_EVERY, purge_expired
from agent.runtime_state import RuntimeState, load_state, save_state
from agent.secrets import PORTAL_PASSWORD, RELAY_TOKEN, KeyringUnavailable, SecretStore
from agent.seen_bookings import SeenBookings, SeenBookingsIndex
from agent.session_store import WebSessionStore
from agent.settings import AgentSettings, SettingsError, load_settings, validate
from agent.slot_answer import DriverFacts, facts_of
from agent.slot_cache import SlotCache
from wire import json_text
from wire.handoff import CONTACTED_ACK_PREFIX
from wire.messages import MAX_DAYS, PORTAL_STATES, Status, encode

log = logging.getLogger(__name__)

CREDENTIALS_CHECK_S = 15.0  # while the web app refuses our login, how often to look for a new password
STOP_GRACE_S = 20.0  # how long a booking under way may take to finish when the agent stops
GONE_LOOKBACK_DAYS = 45  # bookings made this far back may still be upcoming (a 14-day window, and margin)
SETTINGS_CHECK_S = 2.0  # how often to look for `cita-agent configure` (one stat of agent.toml)
PAUSE_CHECK_S = 1.0  # how often to look for `cita-agent pause`/`resume` (one stat of a small file)
RETENTION_CHECK_S = 3600.0  # how often to look whether a day passed since the last purge (the PC may have slept)
_WEB_APP_FIELDS = ("portal_kind", "portal_url", "portal_user")  # another web app or account: other free times
_PORTAL_FIELDS = (*_WEB_APP_FIELDS, "browser_path", "browser_channel")


@dataclass(frozen=True)
class EngineSnapshot:
    link: str  # connecting | connected | disconnected
    relay: str
    portal: str  # ok | login_failed | locked | down | unknown | login_needs_person
    portal_detail: str
    paused: bool
    last_refresh: datetime | None
    slot_count: int
    version: str
    link_detail: str = ""
    interrupted_bookings: int = 0  # waiting to be checked in the web app
    link_problem: str = ""  # what a person must fix for the relay link (agent.link.failure_kind), else ""
    paused_until: datetime | None = None  # a timed pause ends by itself then
    gone_from_agenda: frozenset[str] = frozenset()  # booked keys whose cell is free again in the web app
    login_step: str = ""  # while portal is login_needs_person: "code", "captcha" or "new_password"
    portal_changed: Any = None  # the failed self-check (agent.portal.drift.SelfCheckResult) while the web app "changed"


def _utc_now() -> datetime:
    return datetime.now(UTC)


class Engine:
    def __init__(
        self,
        paths: AgentPaths,
        settings: AgentSettings,
        secrets: SecretStore,
        *,
        driver_factory: Callable[[], PortalDriver] | None = None,
        clock: Callable[[], datetime] | None = None,
        link: RelayLink | None = None,
    ) -> None:
        self.paths = paths.ensure()
        self.settings = validate(settings)
        self.secrets = secrets
        self._clock = clock or _utc_now
        self._driver_factory = driver_factory
        self._listeners: list[Callable[[Event], None]] = []
        self._password_fingerprint: str | None = None
        self._gone: frozenset[str] = frozenset()
        self._driver_facts = DriverFacts()  # of the last driver made: told to the relay with the slots

        self.journal = BookingJournal(paths.journal_file)
        remembered = load_state(paths.state_file)
        self._paused = remembered.paused
        self._paused_until = _parse_time(remembered.paused_until) if remembered.paused else None
        self.web_session = WebSessionStore(paths.web_session_file, secrets, self._web_app_owner)
        self.portal = PortalSession(self._make_driver, on_health=self._portal_changed, sessions=self.web_session)
        self.cache = SlotCache(
            self._read_slots,
            interval_s=settings.refresh_minutes * 60,
            clock=self._clock,
            on_refreshed=self._slots_refreshed,
        )
        self.seen = SeenBookingsIndex()  # the appointments the free-slot reads saw, reception's included
        self.desk = BookingDesk(self.journal, self.portal, self.cache, emit=self._emit, is_paused=self.is_paused,
                                seen=self.seen)
        self.requests = RequestHandler(
            self.cache, self.desk, self.portal, is_paused=self.is_paused, emit=self._emit,
            on_ack=self._relay_acknowledged, facts=lambda: self._driver_facts,
            connection=lambda: self.link.connections, tell=lambda frame: self.link.tell(frame),
        )
        self.cache.on_changed = self.requests.slots_changed  # a booking forgotten, a new read: the relay told
        self.followups = FollowUpBook(follow_up_path(paths.journal_file))
        self.inbox = FollowUpInbox(
            self.followups, lambda e: self._emit(FollowUpReceived(e.id, e.name, e.phone, e.reason))
        )
        self.link = link or RelayLink(
            settings.relay_urls,
            token=self._relay_token,
            handle_frame=self._handle_frame,
            status_frame=self._status_frame,
            outbox=self._owed_frames,
            on_state=self._link_changed,
            user_agent=f"cita-agent/{__version__}",
        )
        self.drift = DriftWatch(self.portal, self.paths.data_dir / "selfcheck.json",
                                language=lambda: self.settings.language or "es")
        self._loop: asyncio.AbstractEventLoop | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._stopping = False
        self._stopped = asyncio.Event()
        self._stopper: asyncio.Task[None] | None = None
        self._purge_now = asyncio.Event()

    # -- the contract with the UI and the headless runner --------------------------------

    async def run(self) -> None:
        """Until ``stop``: reconcile interrupted bookings, refresh the slots, keep the relay link up."""
        if self._loop is not None:
            raise RuntimeError("this engine is already running")
        self._loop = asyncio.get_running_loop()
        log.info(
            "Cita Bridge agent %s starting: relay %s, clinic web app %s (%s, user %s)%s",
            __version__, ", ".join(self.link.urls) or "(none)", self.settings.portal_url or "(none)",
            self.settings.portal_kind, self.settings.portal_user or "(none)", ", paused" if self._paused else "",
        )
        self._save_state()
        self.cache.suspend("paused", self._paused)
        self.desk.claim_interrupted()
        self.followups.purge()
        for name, job in (
            ("reconcile", self.desk.reconcile_forever()),
            ("finish-moves", self.requests.appointments.finish_interrupted_moves()),
            ("slot-cache", self.cache.run()),
            ("relay-link", self.link.run()),
            ("sleep-watch", SleepWatch(self.nudge).run()),
            ("credentials-watch", self._watch_credentials()),
            ("pause-requests", self._watch_pause_requests()),
            ("settings-watch", self._watch_settings_file()),
            ("retention", self._purge_daily()),
        ):
            self._tasks.append(self._loop.create_task(self._guarded(name, job), name=name))
        if self._driver_factory is None and _declares_screens(self.settings.portal_kind):
            self._tasks.append(self._loop.create_task(self._guarded("drift-watch", self.drift.run()),
                                                      name="drift-watch"))
        try:
            await self._stopped.wait()
        finally:
            if not self._stopped.is_set():  # cancelled from outside (Ctrl-C in asyncio.run): still close cleanly
                await asyncio.shield(self.stop())

    async def stop(self) -> None:
        """Let the answers under way reach the relay, close the link, let a booking under way finish, close the
        browser; idempotent."""
        if self._stopping:
            await self._stopped.wait()
            return
        self._stopping = True
        log.info("Stopping the agent")
        try:
            deadline = time.monotonic() + STOP_GRACE_S
            if not await self.link.finish_answers(grace_s=STOP_GRACE_S):
                log.info("An answer to the relay was still under way at shutdown")
            await self.link.stop()
            finished = await self.desk.finish_attempts(grace_s=max(0.0, deadline - time.monotonic()))
            if not finished:
                log.warning("A booking was still under way at shutdown; it will be checked on the next start")
            for task in self._tasks:
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)
            await self.link.cancel_answers()
            await self.cache.stop()
            try:
                async with asyncio.timeout(15):
                    await self.portal.close()
            except TimeoutError:
                await self.portal.close_now()
            self._save_state(final=True)
            log.info("The agent stopped")
        finally:
            self._stopped.set()

    def subscribe(self, listener: Callable[[Event], None]) -> Callable[[], None]:
        """``listener(event)`` is called on the engine's loop thread. Returns the function that unsubscribes."""
        self._listeners.append(listener)

        def unsubscribe() -> None:
            with contextlib.suppress(ValueError):
                self._listeners.remove(listener)

        return unsubscribe

    def is_paused(self) -> bool:
        return self._paused

    async def set_paused(self, paused: bool, until: datetime | None = None, *, ended_by_itself: bool = False) -> None:
        """Pause (until resumed, or ``until`` a moment when the pause ends by itself) or resume."""
        until = until if paused else None
        if paused == self._paused and until == self._paused_until:
            return
        self._paused, self._paused_until = paused, until
        if paused and until is not None:
            log.info("Automatic booking paused by the clinic until %s", until.astimezone().strftime("%Y-%m-%d %H:%M"))
        elif ended_by_itself:
            log.info("The timed pause ended: booking automatically again")
        else:
            log.info("Automatic booking %s by the clinic", "paused" if paused else "resumed")
        self._save_state()
        self.cache.suspend("paused", paused)
        self.link.status_changed()
        self.requests.slots_changed()
        self._emit(PauseChanged(paused, until, ended_by_itself))

    async def refresh_now(self) -> None:
        await self.cache.refresh_now()

    async def finish_login_by_person(self) -> bool:
        """The web app asks for a code (a captcha, a new password): open it in a visible window for the
        receptionist; once the window shows the web app logged in, take that session, close the window, carry on.

        True when the agent is logged in again; False when the window was closed first (the prompt stays)."""
        if not await self.portal.hand_to_person():
            return False
        self.cache.suspend("login", False)
        self.cache.poke()
        self.desk.retry_reconciliation()
        return True

    def tell_relay_soon(self) -> None:
        """The tray wrote something the relay must hear (a "Contactado"): sent now. Safe from any thread."""
        self.link.status_changed()

    def nudge(self) -> None:
        """The network changed or the computer woke up: reconnect and re-check now. Safe from any thread."""
        self.link.nudge()
        loop = self._loop
        if loop is not None:
            loop.call_soon_threadsafe(self.cache.poke)

    def snapshot(self) -> EngineSnapshot:
        return EngineSnapshot(
            link=self.link.state,
            relay=self.link.url,
            portal=self.portal.health,
            portal_detail=self.portal.detail,
            paused=self._paused,
            last_refresh=self.cache.last_refresh,
            slot_count=self.cache.slot_count,
            version=__version__,
            link_detail=self.link.detail,
            interrupted_bookings=len(self.desk.unreconciled),
            link_problem=self.link.problem,
            paused_until=self._paused_until if self._paused else None,
            gone_from_agenda=self._gone,
            login_step=step.step if (step := self.portal.needs_person()) is not None else "",
            portal_changed=self.drift.last if self.portal.drift else None,
        )

    async def reload_settings(self, settings: AgentSettings) -> None:
        """After the settings were saved: reconnect and log in again as needed."""
        validate(settings)
        old, self.settings = self.settings, settings
        if old.relay_urls != settings.relay_urls:
            log.info("The relay address changed: reconnecting")
            await self.link.set_urls(settings.relay_urls)
        if old.refresh_minutes != settings.refresh_minutes:
            self.cache.set_interval(settings.refresh_minutes * 60)
        if old.retention_days != settings.retention_days:
            self._purge_now.set()
        portal_changed = any(getattr(old, f) != getattr(settings, f) for f in _PORTAL_FIELDS)
        password_changed = await asyncio.to_thread(self._current_fingerprint) != self._password_fingerprint
        blocked = self.portal.blocked
        now_tested = blocked is not None and str(blocked) == UNTESTED_DETAIL and not untested(self.paths)
        if any(getattr(old, f) != getattr(settings, f) for f in _WEB_APP_FIELDS):
            self.cache.forget_all()  # another web app (or account): its free times, not the old one's, from now on
            self.seen.forget_all()
        if portal_changed or password_changed or now_tested:
            log.info("The clinic web app settings or password changed: logging in again")
            await self._fresh_login()

    # -- wiring -----------------------------------------------------------------------

    def _noted(self, driver: PortalDriver) -> PortalDriver:
        self._driver_facts = facts_of(driver)
        return driver

    def _make_driver(self) -> PortalDriver:
        self._password_fingerprint = self._current_fingerprint()
        if untested(self.paths):
            raise LoginRejected(UNTESTED_DETAIL)  # never a login attempt with a password nobody saw work
        if self._driver_factory is not None:
            return self._noted(self._driver_factory())
        settings = self.settings
        if not settings.portal_url or not settings.portal_user:
            raise PortalNotReady("the clinic web app is not configured (cita-agent configure)")
        try:
            password = self.secrets.get(PORTAL_PASSWORD)
        except KeyringUnavailable as exc:
            raise PortalNotReady(str(exc)) from None
        if not password:
            raise LoginRejected("no password is stored for the clinic web app (cita-agent login)")
        register_secret(password)
        return self._noted(create_driver(
            settings.portal_kind,
            settings.portal_url,
            Credentials(settings.portal_user, password),
            settings.browser(headless=True),
            self.paths.portal_work_dir,
            settings.driver_settings(),
        ))

    def _web_app_owner(self) -> tuple[str, str]:
        """Whose session the stored one must be: a session of another web app or user is never used."""
        return self.settings.portal_url.rstrip("/"), self.settings.portal_user

    def _token_fingerprint(self) -> str | None:
        """A digest of the stored agent token (never the token itself), to notice a new one."""
        return self._stored_digest(RELAY_TOKEN)

    def _current_fingerprint(self) -> str | None:
        """A digest of the stored password, to notice it changed without keeping it around."""
        return self._stored_digest(PORTAL_PASSWORD)

    def _stored_digest(self, name: str) -> str | None:
        try:
            secret = self.secrets.get(name)
        except KeyringUnavailable:
            return None
        return hashlib.sha256(secret.encode()).hexdigest() if secret else None

    async def _handle_frame(self, text: str) -> str | bytes | None:
        """A frame from the relay: a follow-up (stored, then acknowledged) or a request."""
        if is_followup_frame(text):
            return self.inbox.handle_text(text)
        return await self.requests.handle_text(text)

    def _relay_token(self) -> str | None:
        token = self.secrets.get(RELAY_TOKEN)
        register_secret(token)
        return token

    async def _read_slots(self, days: int, priority: Priority) -> list[Slot]:
        async def read(driver: PortalDriver) -> list[Slot]:
            slots = await driver.free_slots(days)
            seen = getattr(driver, "bookings_seen", None)  # optional: the appointments the read saw
            found = seen() if callable(seen) else None
            if isinstance(found, SeenBookings):
                self.seen.update(found)
            return slots

        return await self.portal.call(priority, "read the free slots", read)

    async def _fresh_login(self) -> None:
        await self.portal.reset()
        self.cache.suspend("login", False)
        self.cache.poke()
        self.desk.retry_reconciliation()

    async def _watch_credentials(self) -> None:
        """Watch the keyring: a new password (`cita-agent login`, Settings) is used at once, healthy or not; a new
        agent token is tried at once.

        A healthy agent would otherwise keep its old session until the web app refuses it, spending a failed
        login of the clinic's account and failing a patient's booking first. A refused one is tried once.
        """
        stored_token = await asyncio.to_thread(self._token_fingerprint)
        while True:
            await asyncio.sleep(CREDENTIALS_CHECK_S)
            token = await asyncio.to_thread(self._token_fingerprint)
            if token != stored_token:  # a new agent token (`cita-agent login` after a rotation): tried at once,
                stored_token = token  # not after the refused one's backoff of up to a minute
                if token is not None:
                    log.info("A new agent token was stored: connecting with it now")
                    self.link.nudge()
            current = await asyncio.to_thread(self._current_fingerprint)
            blocked = self.portal.blocked
            if blocked is not None and str(blocked) == UNTESTED_DETAIL and not untested(self.paths):
                log.info("The password passed a login test: logging in with it now")
                await self._fresh_login()
                continue
            if current is None or current == self._password_fingerprint:
                continue
            if self._password_fingerprint is None and self.portal.blocked is None:
                continue  # no browser yet: the first login reads the stored password anyway
            self._password_fingerprint = current
            log.info("A new password for the clinic web app was stored: logging in with it now")
            await self._fresh_login()

    async def _watch_settings_file(self) -> None:
        """`cita-agent configure` from another process (a new relay or web app address): used within seconds, as
        the Settings window's changes are; a file that does not load or validate is left for the next change."""
        path = self.paths.config_file
        seen = modified_at(path)
        while True:
            await asyncio.sleep(SETTINGS_CHECK_S)
            changed = modified_at(path)
            if changed == seen:
                continue
            seen = changed
            try:
                settings = validate(await asyncio.to_thread(load_settings, self.paths))
            except (SettingsError, OSError) as exc:
                log.warning("The changed settings file cannot be used yet: %s", exc)
                continue
            if settings != self.settings:
                log.info("The settings file changed: applying it")
                await self.reload_settings(settings)

    async def _watch_pause_requests(self) -> None:
        """`cita-agent pause`/`resume` from another process: applied within a second or so."""
        path = control_file(self.paths)
        seen = modified_at(path)  # a request older than this run was already in the state file at start
        while True:
            await asyncio.sleep(PAUSE_CHECK_S)
            if self._paused and self._paused_until is not None and self._clock() >= self._paused_until:
                await self.set_paused(False, ended_by_itself=True)
            changed = modified_at(path)
            if changed == seen:
                continue
            seen = changed
            request = read_request(path)
            if request is not None and request.paused != self._paused:
                log.info("%s requested from the command line", "Pause" if request.paused else "Resume")
                await self.set_paused(request.paused)

    async def _purge_daily(self) -> None:
        """At start, then once a day: forget what is older than the retention (rows, logs, screenshots)."""
        last: datetime | None = None
        while True:
            now = self._clock()
            if last is None or now - last >= PURGE_EVERY or self._purge_now.is_set():
                self._purge_now.clear()
                last = now
                await asyncio.to_thread(self._purge, now)
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(RETENTION_CHECK_S):
                    await self._purge_now.wait()

    def _purge(self, now: datetime) -> None:
        try:
            purge_expired(self.paths, self.journal, self.settings.retention_days, now)
        except Exception:  # a purge that fails must not stop the bookings: it is tried again tomorrow
            log.exception("Could not delete the history older than %d days", self.settings.retention_days)

    async def _guarded(self, name: str, job: Coroutine[Any, Any, None]) -> None:
        try:
            await job
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("The agent's %s task failed; stopping the agent", name)
            self._stopper = asyncio.get_running_loop().create_task(self.stop())

    # -- state changes -> events, state file, relay status ---------------------------------

    def _emit(self, event: Event) -> None:
        if isinstance(event, BookingRecorded) and event.status != IN_PROGRESS:
            self.link.status_changed()  # tells the relay the outcome, also when it stopped waiting for it
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:
                log.exception("An event listener failed on %s", type(event).__name__)

    def _portal_changed(self, state: str, detail: str) -> None:
        if state == "down" and detail != self.portal.drift:
            self.drift.web_app_failed()  # did a screen change? (at most every 15 minutes)
        if state in ("login_failed", "locked", "login_needs_person"):
            self.cache.suspend("login", True)
        elif state == "ok":
            self.desk.retry_reconciliation()
        self._save_state()
        self.link.status_changed()
        self.requests.slots_changed()
        self._emit(PortalChangedState(state, detail))  # type: ignore[arg-type]

    def _link_changed(self, state: str, relay: str, detail: str) -> None:
        self._save_state()
        self._emit(LinkChanged(state, relay, detail))  # type: ignore[arg-type]

    def _slots_refreshed(self, at: datetime, count: int) -> None:
        try:
            self._gone = gone_from_agenda(self.journal.recent(GONE_LOOKBACK_DAYS), self.cache.view(MAX_DAYS).slots, at)
        except Exception:  # a view of the journal, never a reason to lose the refresh
            log.exception("Could not compare the bookings with the agenda")
        self._save_state()
        self._emit(SlotsRefreshed(at, count))

    def _owed_frames(self) -> list[str]:
        """What the relay has not acknowledged yet: bookings' final outcomes, and reception's "Contactado" marks."""
        frames = [encode(outcome) for outcome in self.desk.owed_outcomes()]
        try:
            contacts = self.followups.owed_contacts()
        except sqlite3.Error as exc:
            log.warning("Could not read the patients marked contacted: %s", exc)
            contacts = []
        return frames + [json_text.dumps(c.to_json()) for c in contacts]

    def _relay_acknowledged(self, key: str) -> None:
        if key.startswith(CONTACTED_ACK_PREFIX):
            self.followups.relay_heard(key.removeprefix(CONTACTED_ACK_PREFIX))
        else:
            self.journal.relay_told(key)

    def _status_frame(self) -> str:
        portal = self.portal.health if self.portal.health in PORTAL_STATES else "unknown"
        return encode(Status(paused=self._paused, portal=portal, version=__version__,
                             portal_changed=self.portal.drift[:300]))

    def _save_state(self, *, final: bool = False) -> None:
        last = self.cache.last_refresh
        state = RuntimeState(
            paused=self._paused,
            paused_until=self._paused_until.isoformat() if self._paused and self._paused_until else "",
            link="disconnected" if final else self.link.state,
            relay=self.link.url,
            link_problem="" if final else self.link.problem,
            portal=self.portal.health,
            portal_detail=self.portal.detail,
            last_refresh=last.isoformat() if last else "",
            updated_at=datetime.now(UTC).isoformat(),
            pid=0 if final else os.getpid(),
        )
        try:
            save_state(self.paths.state_file, state)
        except OSError as exc:
            log.warning("Cannot write %s: %s", self.paths.state_file, exc)


def _parse_time(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text) if text else None
    except ValueError:
        return None
    return moment if moment is None or moment.tzinfo else moment.replace(tzinfo=UTC)


def last_known_state(paths: AgentPaths) -> RuntimeState:
    """For ``cita-agent status``: what the last run wrote."""
    return load_state(paths.state_file)


def _declares_screens(kind: str) -> bool:
    """Does this driver declare screens for the drift watch? (An unknown driver fails later, where it is made.)"""
    from agent.portal.registry import driver_info

    try:
        return bool(getattr(driver_info(kind).load(), "screens", ()))
    except ValueError:
        return False
