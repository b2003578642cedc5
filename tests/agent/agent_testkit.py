"""Test parts for the agent's engine: an in-memory clinic web app behind the PortalDriver interface, and a
scripted relay (a real websockets server on 127.0.0.1) that sends `request` frames and reads what comes back.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from http import HTTPStatus
from pathlib import Path
from zoneinfo import ZoneInfo

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.http11 import Request, Response

from agent.engine import Engine
from agent.events import Event
from agent.portal.base import (
    AccountLocked,
    Booking,
    BrowserChoice,
    Credentials,
    LoginRejected,
    Patient,
    PortalUnavailable,
    Slot,
    SlotTaken,
    days_window,
)
from demo.serving import free_port

ROOT = Path(__file__).resolve().parents[2]  # the repository
CLINIC_TZ = ZoneInfo("America/Santiago")
PROFESSIONALS = ("Dra. Soto", "Dr. Rojas", "Dra. Núñez")


def make_slots(now: datetime, days: int = 21) -> list[Slot]:
    """Every professional, 09:00-12:00 every 30 minutes, for ``days`` days from today."""
    today = now.astimezone(CLINIC_TZ).date()
    out = []
    for offset in range(days):
        day = today + timedelta(days=offset)
        for index, name in enumerate(PROFESSIONALS):
            for minute in range(0, 180, 30):
                start = datetime.combine(day, time(9), tzinfo=CLINIC_TZ) + timedelta(minutes=minute)
                out.append(Slot(f"p{index}-{start:%Y%m%dT%H%M}", start, start + timedelta(minutes=30), name))
    return out


@dataclass
class FakePortal:
    """The clinic web app, in memory. Counts what the agent did to it."""

    password: str = "correcta-123"
    slots: list[Slot] = field(default_factory=lambda: make_slots(datetime.now(CLINIC_TZ)))
    appointments: dict[str, Booking] = field(default_factory=dict)  # reference -> booking
    down: bool = False
    failed_logins: int = 0
    starts: int = 0
    logins: int = 0
    login_attempts: int = 0
    reads: int = 0
    book_calls: int = 0
    lookups: int = 0
    closes: int = 0
    read_gate: asyncio.Event | None = None  # when set to an Event, reads wait for it
    book_gate: asyncio.Event | None = None  # when set to an Event, bookings wait for it (after the re-check)
    book_failure: Exception | None = None  # raised by the next booking after the appointment is (not) written
    write_before_failure: bool = False
    _ids: itertools.count = field(default_factory=lambda: itertools.count(101))

    def free(self) -> list[Slot]:
        taken = {b.slot.id for b in self.appointments.values()}
        return [s for s in self.slots if s.id not in taken]

    def take(self, slot_id: str, reference: str = "") -> Booking:
        """A receptionist books a slot in the web app herself."""
        slot = next(s for s in self.slots if s.id == slot_id)
        booking = Booking(f"B{next(self._ids)}", slot, Patient("Paciente de mostrador", "+56 2 2222 2222"))
        self.appointments[reference or f"staff-{booking.id}"] = booking
        return booking

    def driver(self, url: str = "", credentials: Credentials | None = None, browser: BrowserChoice | None = None,
               work_dir: Path | None = None) -> FakeDriver:
        return FakeDriver(self, credentials or Credentials("recepcion", self.password))


class FakeDriver:
    def __init__(self, portal: FakePortal, credentials: Credentials) -> None:
        self.portal = portal
        self.credentials = credentials
        self.logged_in = False

    async def start(self) -> None:
        self.portal.starts += 1

    async def login(self) -> None:
        portal = self.portal
        portal.login_attempts += 1
        if portal.down:
            raise PortalUnavailable("the login page did not answer")
        if portal.failed_logins >= 5:
            raise AccountLocked("the user is locked for 15 minutes")
        if self.credentials.password != portal.password:
            portal.failed_logins += 1
            raise LoginRejected("usuario o contraseña incorrectos")
        portal.failed_logins = 0
        portal.logins += 1
        self.logged_in = True

    async def free_slots(self, days: int, professional: str | None = None) -> list[Slot]:
        portal = self.portal
        if portal.read_gate is not None:
            await portal.read_gate.wait()
        if portal.down:
            raise PortalUnavailable("the agenda did not answer")
        portal.reads += 1
        start, end = days_window(days, datetime.now(CLINIC_TZ), CLINIC_TZ)
        return [
            s for s in portal.free()
            if start <= s.start < end and (professional is None or s.professional == professional)
        ]

    async def book(self, slot_id: str, patient: Patient, reference: str) -> Booking:
        portal = self.portal
        portal.book_calls += 1
        if portal.down:
            raise PortalUnavailable("the agenda did not answer")
        slot = next((s for s in portal.free() if s.id == slot_id), None)
        if slot is None:
            raise SlotTaken(slot_id)
        if portal.book_gate is not None:
            await portal.book_gate.wait()
        failure, portal.book_failure = portal.book_failure, None
        if failure is not None and not portal.write_before_failure:
            raise failure
        booking = Booking(f"B{next(portal._ids)}", slot, patient)
        portal.appointments[reference] = booking
        if failure is not None:
            raise failure
        return booking

    async def find_booking(self, slot_id: str, reference: str) -> Booking | None:
        self.portal.lookups += 1
        if self.portal.down:
            raise PortalUnavailable("the agenda did not answer")
        found = self.portal.appointments.get(reference)
        return found if found is not None and found.slot.id == slot_id else None

    async def close(self) -> None:
        self.portal.closes += 1


class FileBackedFakeDriver(FakeDriver):
    """The fake web app for a `cita-agent` subprocess: its state lives in the JSON file named by CITA_FAKE_PORTAL.

    Keys: password, failed_logins, login_attempts, book_calls, lookups, appointments {reference: [id, slot_id]},
    asks_code (a second factor after the right password), hang_after_write (a booking is saved, then the driver never returns: the process is killed meanwhile).
    """

    def __init__(self, url: str, credentials: Credentials, browser: BrowserChoice, work_dir: Path) -> None:
        self.state_file = Path(os.environ["CITA_FAKE_PORTAL"])
        super().__init__(FakePortal(password=self._load()["password"]), credentials)

    def _load(self) -> dict:
        return json.loads(self.state_file.read_text())

    def _save(self, state: dict) -> None:
        tmp = self.state_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(state))
        tmp.replace(self.state_file)

    def _bump(self, key: str) -> dict:
        state = self._load()
        state[key] = state.get(key, 0) + 1
        self._save(state)
        return state

    async def login(self) -> None:
        state = self._bump("login_attempts")
        self.portal.failed_logins = state.get("failed_logins", 0)
        try:
            await super().login()
        finally:
            state = self._load()
            state["failed_logins"] = self.portal.failed_logins
            self._save(state)
        if state.get("asks_code"):  # a second factor: the password was right, a person types the code
            from agent.portal.base import LoginNeedsPerson

            raise LoginNeedsPerson("the web app sent a verification code", step="code")

    def _sync(self) -> dict:
        state = self._load()
        by_id = {s.id: s for s in self.portal.slots}
        self.portal.appointments = {
            ref: Booking(bid, by_id[sid], Patient("?", "000")) for ref, (bid, sid) in state.get("appointments", {}).items()
            if sid in by_id
        }
        return state

    async def free_slots(self, days: int, professional: str | None = None) -> list[Slot]:
        self._sync()
        return await super().free_slots(days, professional)

    async def book(self, slot_id: str, patient: Patient, reference: str) -> Booking:
        self._bump("book_calls")
        state = self._sync()
        booking = await super().book(slot_id, patient, reference)
        state = self._load()
        state.setdefault("appointments", {})[reference] = [booking.id, slot_id]
        self._save(state)
        if state.get("hang_after_write"):
            await asyncio.Event().wait()  # the confirmation never comes: the agent is killed meanwhile
        return booking

    async def find_booking(self, slot_id: str, reference: str) -> Booking | None:
        self._bump("lookups")
        self._sync()
        return await super().find_booking(slot_id, reference)


def write_fake_portal_state(path: Path, **state: object) -> Path:
    path.write_text(json.dumps({"password": "correcta-123", **state}))
    return path


class ScriptedRelay:
    """A websocket server standing in for the relay's /agent endpoint. Restartable on the same port."""

    def __init__(self, token: str = "agent-token-xyz", port: int | None = None) -> None:
        self.token = token
        self.port = port or free_port()
        self.server: Server | None = None
        self.connection: ServerConnection | None = None
        self.connected = asyncio.Event()
        self.statuses: asyncio.Queue[dict] = asyncio.Queue()
        self.all_statuses: list[dict] = []
        self.frames_received: list[str] = []
        self.auth_headers: list[str] = []
        self.refusals = 0
        self.connections = 0
        self._pending: dict[str, asyncio.Future[dict]] = {}
        self._ids = itertools.count(1)

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/agent"

    async def start(self) -> ScriptedRelay:
        self.server = await serve(self._handle, "127.0.0.1", self.port, process_request=self._check_token)
        return self

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()
            self.server = None
        self.connection = None
        self.connected.clear()

    async def __aenter__(self) -> ScriptedRelay:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def _check_token(self, connection: ServerConnection, request: Request) -> Response | None:
        header = request.headers.get("Authorization", "")
        self.auth_headers.append(header)
        if request.path != "/agent" or header != f"Bearer {self.token}":
            self.refusals += 1
            return connection.respond(HTTPStatus.UNAUTHORIZED, "Unauthorized\n")
        return None

    async def _handle(self, connection: ServerConnection) -> None:
        self.connection = connection
        self.connections += 1
        self.connected.set()
        try:
            async for message in connection:
                self.frames_received.append(message)
                frame = json.loads(message)
                if frame["type"] == "status":
                    self.all_statuses.append(frame)
                    self.statuses.put_nowait(frame)
                elif frame["type"] == "response":
                    future = self._pending.pop(frame["id"], None)
                    if future is not None and not future.done():
                        future.set_result(frame)
        finally:
            if self.connection is connection:
                self.connection = None
                self.connected.clear()

    async def send_raw(self, text: str) -> None:
        assert self.connection is not None, "no agent connected"
        await self.connection.send(text)

    async def request(self, op: str, args: dict, timeout_s: float = 8.0, *, wait_s: float = 60.0,
                      request_id: str | None = None) -> dict:
        """Send a request frame; return the response frame."""
        await asyncio.wait_for(self.connected.wait(), wait_s)
        rid = request_id or f"r{next(self._ids)}"
        future: asyncio.Future[dict] = asyncio.get_running_loop().create_future()
        self._pending[rid] = future
        await self.send_raw(json.dumps({"type": "request", "id": rid, "op": op, "timeout_s": timeout_s, "args": args}))
        return await asyncio.wait_for(future, wait_s)

    async def expect_response(self, request_id: str, wait_s: float = 30.0) -> dict:
        future: asyncio.Future[dict] = asyncio.get_running_loop().create_future()
        self._pending[request_id] = future
        return await asyncio.wait_for(future, wait_s)

    async def next_status(self, wait_s: float = 30.0, **expected: object) -> dict:
        """The next status frame matching ``expected`` (earlier ones are skipped)."""
        async def matching() -> dict:
            while True:
                status = await self.statuses.get()
                if all(status.get(k) == v for k, v in expected.items()):
                    return status
        return await asyncio.wait_for(matching(), wait_s)


class EngineRun:
    """An Engine running in a task of the test's loop, with the events it emitted."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.events: list[Event] = []
        self._changed = asyncio.Event()
        engine.subscribe(self._on_event)
        self.task = asyncio.get_running_loop().create_task(engine.run())

    def _on_event(self, event: Event) -> None:
        self.events.append(event)
        self._changed.set()

    async def wait_event(self, kind: type, predicate: Callable[[Event], bool] = lambda e: True,
                         wait_s: float = 30.0) -> Event:
        async def find() -> Event:
            seen = 0
            while True:
                for event in self.events[seen:]:
                    if isinstance(event, kind) and predicate(event):
                        return event
                seen = len(self.events)
                self._changed.clear()
                await self._changed.wait()
        return await asyncio.wait_for(find(), wait_s)

    def of(self, kind: type) -> list:
        return [e for e in self.events if isinstance(e, kind)]

    async def stop(self) -> None:
        await self.engine.stop()
        await asyncio.wait_for(self.task, 30)


def book_args(slot_id: str, key: str, name: str = "Ana Pérez", phone: str = "+56 9 1234 5678") -> dict:
    return {"slot_id": slot_id, "patient": {"name": name, "phone": phone}, "idempotency_key": key}
