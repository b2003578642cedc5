"""An in-memory engine with the real Engine's API (see the engine contract), for widget tests that need
no relay and no browser. It writes the real BookingJournal and the real runtime state file."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from agent.events import (
    BookingRecorded,
    Event,
    FollowUpReceived,
    LinkChanged,
    PauseChanged,
    PortalChangedState,
    SlotsRefreshed,
)
from agent.followups import FollowUpBook, follow_up_path
from agent.journal import BookingJournal
from agent.paths import AgentPaths
from agent.runtime_state import load_state, save_state
from agent.secrets import SecretStore
from agent.settings import AgentSettings
from wire.handoff import HandoffEvent


@dataclass(frozen=True)
class FakeSnapshot:
    link: str = "disconnected"
    relay: str = ""
    portal: str = "unknown"
    portal_detail: str = ""
    paused: bool = False
    last_refresh: datetime | None = None
    slot_count: int = 0
    version: str = "test"
    paused_until: datetime | None = None
    gone_from_agenda: frozenset[str] = frozenset()
    portal_changed: object = None  # the failed self-check while the web app "changed" (agent.portal.drift)


class FakeEngine:
    def __init__(self, paths: AgentPaths, settings: AgentSettings, secrets: SecretStore, **_: object) -> None:
        self.paths = paths
        self.settings = settings
        self.journal = BookingJournal(paths.journal_file)
        self._snapshot = FakeSnapshot(paused=load_state(paths.state_file).paused, relay=settings.relay_url)
        self._listeners: list[Callable[[Event], None]] = []
        self._stop: asyncio.Event | None = None
        self.calls: list[str] = []
        self.stopped = False
        self.reloaded: list[AgentSettings] = []

    async def run(self) -> None:
        self.calls.append("run")
        self._stop = asyncio.Event()
        self._emit(LinkChanged("connecting", self.settings.relay_url), link="connecting")
        await asyncio.sleep(0)
        self._emit(LinkChanged("connected", self.settings.relay_url), link="connected")
        self._emit(PortalChangedState("ok"), portal="ok")
        self._emit(SlotsRefreshed(datetime.now(UTC), 42), last_refresh=datetime.now(UTC), slot_count=42)
        await self._stop.wait()

    async def stop(self) -> None:
        self.calls.append("stop")
        self.stopped = True
        if self._stop is not None:
            self._stop.set()

    def subscribe(self, listener: Callable[[Event], None]) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    async def set_paused(self, paused: bool, until: datetime | None = None) -> None:
        self.calls.append(f"set_paused({paused})" if until is None else f"set_paused({paused}, until)")
        save_state(self.paths.state_file, replace(load_state(self.paths.state_file), paused=paused))
        self._emit(PauseChanged(paused, until), paused=paused, paused_until=until if paused else None)

    async def agenda_read(self, gone: set[str]) -> None:
        """A read of the web app in which these booked keys' cells were free again."""
        self._emit(SlotsRefreshed(datetime.now(UTC), 42), last_refresh=datetime.now(UTC),
                   gone_from_agenda=frozenset(gone))

    async def end_timed_pause(self) -> None:
        """The moment a timed pause runs out (the real engine checks every second)."""
        self._emit(PauseChanged(False, None, ended_by_itself=True), paused=False, paused_until=None)

    async def refresh_now(self) -> None:
        self.calls.append("refresh_now")
        self._emit(SlotsRefreshed(datetime.now(UTC), 42), last_refresh=datetime.now(UTC))

    def snapshot(self) -> FakeSnapshot:
        return self._snapshot

    async def reload_settings(self, settings: AgentSettings) -> None:
        self.calls.append("reload_settings")
        self.reloaded.append(settings)
        self.settings = settings

    # -- what a test makes happen ----------------------------------------

    async def book(self, key: str, name: str, phone: str, start: str, professional: str) -> None:
        self.journal.begin(key, f"slot-{key}", name, phone, start=start, professional=professional)
        self.journal.mark_booked(key, f"b-{key}", start, start, professional)
        self._emit(BookingRecorded(key, "booked", name, start, professional))

    async def fail_booking(self, key: str, name: str, phone: str, start: str, professional: str,
                           code: str = "portal_down") -> None:
        """A booking the web app did not save (``code``: why, as the desk records it)."""
        self.journal.begin(key, f"slot-{key}", name, phone, start=start, professional=professional)
        self.journal.mark_failed(key, code, "the clinic web app did not save the appointment")
        self._emit(BookingRecorded(key, "failed", name, start, professional))

    async def book_slot(self, key: str, slot_id: str, name: str, phone: str, start: str, end: str,
                        professional: str, booking_id: str) -> None:
        """A booking as the real driver names it (its slot id and the web app's appointment number)."""
        self.journal.begin(key, slot_id, name, phone, start=start, end=end, professional=professional)
        self.journal.mark_booked(key, booking_id, start, end, professional)
        self._emit(BookingRecorded(key, "booked", name, start, professional))

    async def cancel(self, key: str, booked_key: str) -> None:
        """The patient cancelled the appointment of ``booked_key`` from the chat (agent/appointments.py writes)."""
        booked = self.journal.get(booked_key)
        assert booked is not None
        entry, _ = self.journal.record_cancel(key, booked.booking_id, booked.patient_name, booked.patient_phone,
                                              slot_id=booked.slot_id, start=booked.start, end=booked.end,
                                              professional=booked.professional)
        self._emit(BookingRecorded(entry.key, entry.status, entry.patient_name, entry.start, entry.professional))

    async def move(self, key: str, booked_key: str, start: str, old_cancelled: bool = True) -> None:
        """The patient moved the appointment of ``booked_key`` to ``start`` from the chat: booked, then cancelled."""
        old = self.journal.get(booked_key)
        assert old is not None
        self.journal.begin(key, f"slot-{key}", old.patient_name, old.patient_phone, start=start,
                           professional=old.professional)
        self.journal.mark_booked(key, f"b-{key}", start, start, old.professional)
        self._emit(BookingRecorded(key, "booked", old.patient_name, start, old.professional, moving=True))
        moved = self.journal.record_move(key, from_booking=old.booking_id, from_start=old.start,
                                         from_professional=old.professional, old_cancelled=old_cancelled)
        self._emit(BookingRecorded(key, "booked", moved.patient_name, moved.start, moved.professional,
                                   moved_from_start=moved.moved_from_start))

    async def follow_up(self, event: HandoffEvent) -> None:
        """A follow-up frame from the relay, stored and announced as the real engine's inbox does."""
        if FollowUpBook(follow_up_path(self.paths.journal_file)).receive(event):
            self._emit(FollowUpReceived(event.id, event.name, event.phone, event.reason))

    async def drift(self, result: object) -> None:
        """The self-check found the web app changed (or, with an ok result, as the agent knows it again)."""
        failed = not getattr(result, "ok", True)
        detail = result.sentence("es") if failed else ""  # type: ignore[attr-defined]
        self._emit(PortalChangedState("down" if failed else "ok", detail), portal="down" if failed else "ok",
                   portal_detail=detail, portal_changed=result if failed else None)

    async def set_portal(self, state: str, detail: str = "") -> None:
        self._emit(PortalChangedState(state, detail), portal=state, portal_detail=detail)  # type: ignore[arg-type]

    async def set_link(self, state: str) -> None:
        self._emit(LinkChanged(state, self.settings.relay_url), link=state)  # type: ignore[arg-type]

    def _emit(self, event: Event, **changes: object) -> None:
        self._snapshot = replace(self._snapshot, **changes)  # type: ignore[arg-type]
        for listener in list(self._listeners):
            listener(event)
