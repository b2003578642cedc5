"""Real parts for the relay's tests: the relay on uvicorn, the stand-in Kommo, and a scripted clinic agent.

The scripted agent is a real websocket client (``websockets``) speaking ``wire.messages``; the real agent
comes in the next issue. Everything listens on 127.0.0.1 with free ports.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect

from demo.kommo import StandInKommo, new_secret
from demo.serving import ServerThread
from relay.app import build_app
from relay.http_limits import uvicorn_limits
from relay.settings import RelaySettings
from relay.store import ClinicDetails, SqliteStore
from wire.handoff import Ack, HandoffEvent
from wire.messages import (
    BookArgs,
    BookResult,
    Request,
    SlotsResult,
    Status,
    WireError,
    WireSlot,
    decode,
    encode,
    error_response,
    ok_response,
)

CLINIC_TZ = timezone(timedelta(hours=-3))
_names = itertools.count(1)


def unique_name(prefix: str = "clinica") -> str:
    return f"{prefix}-{next(_names)}"


def make_slots(days: int = 6, start_day: int = 1) -> list[WireSlot]:
    """Free slots from tomorrow on (clinic time, UTC-3): three with Dra. Soto each morning, one with Dr. Pérez."""
    today = datetime.now(CLINIC_TZ).date()
    slots: list[WireSlot] = []
    for offset in range(start_day, start_day + days):
        day = today + timedelta(days=offset)
        for hour, minute, who in ((10, 0, "Dra. Soto"), (10, 30, "Dra. Soto"), (11, 0, "Dra. Soto")):
            slots.append(_slot(day, hour, minute, who))
        if offset % 2 == 0:
            slots.append(_slot(day, 12, 0, "Dr. Pérez"))
    return slots


def _slot(day: date, hour: int, minute: int, professional: str) -> WireSlot:
    start = datetime(day.year, day.month, day.day, hour, minute, tzinfo=CLINIC_TZ)
    key = professional.split()[-1].lower().replace("é", "e")
    return WireSlot(
        f"{key}:{start:%Y-%m-%dT%H%M}", start.isoformat(), (start + timedelta(minutes=30)).isoformat(), professional
    )


@dataclass
class ClinicInfo:
    name: str
    subdomain: str
    agent_token: str = field(repr=False)
    client_secret: str = field(repr=False)
    long_lived_token: str | None = field(default=None, repr=False)


class ScriptedAgent:
    """A clinic agent driven by the test: answers slots from ``slots`` and books unless told otherwise."""

    def __init__(
        self,
        ws_url: str,
        token: str,
        *,
        slots: list[WireSlot] | None = None,
        paused: bool = False,
        portal: str = "ok",
        slots_delay_s: float = 0.0,
        book_delay_s: float = 0.0,
        slots_error: str | None = None,
    ) -> None:
        self.ws_url = ws_url
        self.token = token
        self.slots = list(make_slots() if slots is None else slots)
        self.paused = paused
        self.portal = portal
        self.portal_changed = ""  # the optional status field: the agent's self-check found the web app changed
        self.slots_delay_s = slots_delay_s
        self.book_delay_s = book_delay_s
        self.slots_error = slots_error
        self.book_outcome: Callable[[BookArgs], BookResult | WireError] | None = None
        self.appointments: Callable[[Request], Any] | None = None  # answers my_bookings / cancel / reschedule
        self.slot_extras: dict[str, Any] = {}  # optional SlotsResult fields: services, patient_fields, finds_bookings
        self.requests: list[Request] = []
        self.asked = asyncio.Event()  # set on the first request
        self.bookings: dict[str, BookResult] = {}  # idempotency key -> first outcome
        self.close_code: int | None = None
        self.closed = asyncio.Event()
        self.events: list[HandoffEvent] = []  # follow-ups the relay sent (wire.handoff)
        self.acks: list[str] = []  # what the relay acknowledged (an outcome's key, "contacted:<follow-up id>")
        self.got_event = asyncio.Event()
        self.auto_ack = True
        self._ws: ClientConnection | None = None
        self._reader: asyncio.Task[None] | None = None
        self._handlers: set[asyncio.Task[None]] = set()

    async def connect(self, extra_headers: dict[str, str] | None = None) -> ScriptedAgent:
        headers = {"Authorization": f"Bearer {self.token}", **(extra_headers or {})}
        self._ws = await connect(self.ws_url, additional_headers=headers, open_timeout=10)
        await self.send_status()
        self._reader = asyncio.create_task(self._read())
        return self

    async def send_status(self) -> None:
        assert self._ws is not None
        await self._ws.send(encode(Status(paused=self.paused, portal=self.portal, version="test-agent",
                                          portal_changed=self.portal_changed)))

    async def send(self, frame: Any) -> None:
        """A frame of the agent's own (an ``Outcome`` it owes, told again on a new connection)."""
        assert self._ws is not None
        await self._ws.send(encode(frame))

    async def set_paused(self, paused: bool) -> None:
        self.paused = paused
        await self.send_status()

    async def wait_for_events(self, count: int = 1) -> list[HandoffEvent]:
        """Until ``count`` follow-ups arrived (a hand-off travels asynchronously)."""
        for _ in range(800):
            if len(self.events) >= count:
                return list(self.events)
            await asyncio.sleep(0.025)
        raise AssertionError(f"the agent received {len(self.events)} follow-up(s), expected {count}")

    def ops(self, op: str) -> list[Request]:
        return [r for r in self.requests if r.op == op]

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()
        if self._reader is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._reader, 5)
        for task in list(self._handlers):
            task.cancel()

    async def _read(self) -> None:
        assert self._ws is not None
        try:
            async for text in self._ws:
                frame = decode(text)
                if isinstance(frame, HandoffEvent):
                    self.events.append(frame)
                    self.got_event.set()
                    if self.auto_ack:
                        await self._ws.send(json.dumps(Ack(frame.id).to_json()))
                if isinstance(frame, Ack):
                    self.acks.append(frame.id)
                if isinstance(frame, Request):
                    self.requests.append(frame)
                    self.asked.set()
                    task = asyncio.create_task(self._answer(frame))
                    self._handlers.add(task)
                    task.add_done_callback(self._handlers.discard)
        except Exception:
            pass
        finally:
            self.close_code = self._ws.close_code
            self.closed.set()

    async def _answer(self, request: Request) -> None:
        assert self._ws is not None
        if request.op == "slots":
            await asyncio.sleep(self.slots_delay_s)
            if self.slots_error:
                response = error_response(request.id, self.slots_error, "scripted error")
            else:
                response = ok_response(request.id, SlotsResult(tuple(self.slots), age_s=1.5, **self.slot_extras))
        elif request.op != "book":  # the optional appointment operations: only when the test scripts them
            if self.appointments is None:
                response = error_response(request.id, "bad_request", "unknown operation")
            else:
                response = self.appointments(request)
                if inspect.isawaitable(response):  # an answer that takes its time (a slow web app)
                    response = await response
        else:
            await asyncio.sleep(self.book_delay_s)
            args = request.args
            assert isinstance(args, BookArgs)
            response = self._book(request.id, args)
        with contextlib.suppress(Exception):
            await self._ws.send(encode(response))

    def _book(self, request_id: str, args: BookArgs) -> Any:
        if args.idempotency_key in self.bookings:
            first = self.bookings[args.idempotency_key]
            return ok_response(
                request_id, BookResult(first.booking_id, first.start, first.end, first.professional, True)
            )
        if self.book_outcome is not None:
            outcome = self.book_outcome(args)
            if isinstance(outcome, WireError):
                return error_response(request_id, outcome.code, outcome.message, outcome.alternatives)
        slot = next((s for s in self.slots if s.id == args.slot_id), None)
        if slot is None:
            return error_response(request_id, "slot_taken", "gone", tuple(self.slots[:3]))
        result = BookResult(f"bk-{len(self.bookings) + 1}", slot.start, slot.end, slot.professional)
        self.bookings[args.idempotency_key] = result
        self.slots.remove(slot)
        return ok_response(request_id, result)


class RelayHarness:
    """One relay (uvicorn in a thread) over a data folder; restartable on a new port with the same data."""

    def __init__(self, data_dir: Path, kommo: StandInKommo, **overrides: Any) -> None:
        self.kommo = kommo
        self.settings = RelaySettings(data_dir=data_dir, **overrides)
        self.server: ServerThread | None = None
        self.app: Any = None
        self.agents: list[ScriptedAgent] = []

    def start(self) -> RelayHarness:
        self.app = build_app(self.settings)
        # As `cita-relay serve` runs it: the relay reads X-Forwarded-* itself, only from trusted proxies.
        self.server = ServerThread(
            self.app, ws_per_message_deflate=False, proxy_headers=False, **uvicorn_limits(self.settings)
        ).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None

    def restart(self) -> None:
        self.stop()
        self.start()

    @property
    def url(self) -> str:
        assert self.server is not None
        return self.server.url

    @property
    def operator_headers(self) -> dict[str, str]:
        token = self.settings.operator_token
        return {"Authorization": f"Bearer {token}"} if token else {}

    @property
    def ws_url(self) -> str:
        return self.url.replace("http://", "ws://") + "/agent"

    def widget_url(self, clinic: ClinicInfo | str) -> str:
        name = clinic if isinstance(clinic, str) else clinic.name
        return f"{self.url}/kommo/{name}"

    def store(self) -> SqliteStore:
        return SqliteStore(self.settings.database_path)

    def add_clinic(
        self,
        name: str | None = None,
        *,
        language: str = "es",
        address: str = "Av. Providencia 1234",
        oauth: bool = False,
        subdomain: str | None = None,
    ) -> ClinicInfo:
        name = name or unique_name()
        subdomain = subdomain or name
        secret = new_secret()
        long_lived = None if oauth else f"llt-{new_secret()}"
        self.kommo.add_account(subdomain, f"cid-{name}", secret, long_lived_token=long_lived)
        store = self.store()
        try:
            token = store.add_clinic(
                ClinicDetails(
                    name,
                    kommo_subdomain=subdomain,
                    kommo_client_id=f"cid-{name}",
                    kommo_client_secret=secret,
                    long_lived_token=long_lived,
                    language=language,
                    address=address,
                    kommo_base_url=self.kommo.account_base_url(subdomain),
                )
            )
            if oauth:
                store.set_oauth_tokens(
                    name, refresh_token=self.kommo.issue_refresh_token(subdomain),
                    redirect_uri="https://relay.example/oauth",
                )
        finally:
            store.close_now()
        return ClinicInfo(name, subdomain, token, secret, long_lived)

    async def agent(self, clinic: ClinicInfo, *, wait: bool = True, **options: Any) -> ScriptedAgent:
        agent = await ScriptedAgent(self.ws_url, clinic.agent_token, **options).connect()
        self.agents.append(agent)
        if wait:
            await self.wait_for_agent(clinic, paused=agent.paused)
        return agent

    async def close_agents(self) -> None:
        for agent in self.agents:
            await agent.close()
        self.agents.clear()

    async def healthz(self) -> dict[str, Any]:
        async with httpx.AsyncClient() as http:
            # As the operator: the token when the relay has one, else this loopback connection is enough.
            response = await http.get(f"{self.url}/healthz", headers=self.operator_headers)
        return response.json()

    async def wait_for_agent(self, clinic: ClinicInfo, connected: bool = True, paused: bool | None = None) -> None:
        """Until /healthz shows the clinic's agent in the wanted state (status frames travel asynchronously)."""
        for _ in range(400):
            info = (await self.healthz())["clinics"].get(clinic.name, {})
            if info.get("agent_connected") == connected and (paused is None or info.get("paused") == paused):
                return
            await asyncio.sleep(0.025)
        raise AssertionError(f"agent of {clinic.name} never became connected={connected} paused={paused}")

    async def post_widget(
        self, clinic: ClinicInfo, body: Any, *, content_type: str = "application/json", raw: bytes | None = None
    ) -> httpx.Response:
        content = raw if raw is not None else json.dumps(body).encode()
        async with httpx.AsyncClient(timeout=10) as http:
            return await http.post(self.widget_url(clinic), content=content, headers={"Content-Type": content_type})


def buttons_of(body: dict[str, Any]) -> list[str]:
    for handler in body.get("execute_handlers", []):
        if handler.get("handler") == "show" and handler["params"].get("type") == "buttons":
            return list(handler["params"]["buttons"])
    return []


def texts_of(body: dict[str, Any]) -> str:
    return " ".join(h["params"]["value"] for h in body.get("execute_handlers", []) if h.get("handler") == "show")


def now_utc() -> datetime:
    return datetime.now(UTC)
