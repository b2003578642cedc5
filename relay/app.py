"""The relay as one Starlette app built from a ``RelaySettings``: nothing global, so a test runs two side by side.

Routes: ``POST /kommo/{clinic}`` (Kommo's widget_request), ``GET /kommo/oauth/{clinic}`` (the Kommo integration's
redirect URI), ``/agent`` (the agents' websocket), ``GET /healthz``, ``GET /metrics`` and the operator's
``GET /operator/clinics[/{clinic}/check]`` (``relay.operator_endpoint``). Where its state lives — this process
and one SQLite file, or a Redis shared with other instances — is the ``Deployment`` the settings choose
(``relay.deployment``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from relay.agent_endpoint import AgentSockets, agent_endpoint
from relay.agents import AgentRegistry
from relay.deployment import CONVERSATION_RETENTION_S, open_deployment
from relay.followups import FollowUpDesk
from relay.followups_store import open_followup_store
from relay.health import health_report
from relay.http_client import HttpClient
from relay.http_limits import QuietAcceptErrors, QuietPeerErrors
from relay.kommo_client import KommoClient
from relay.kommo_endpoint import KommoEndpoint
from relay.kommo_followup import KommoFollowUps
from relay.kommo_oauth_endpoint import KommoOAuthEndpoint
from relay.log_throttle import EventThrottle
from relay.logs import log
from relay.metrics import RelayMetrics
from relay.operator_endpoint import OperatorEndpoints, operator_allowed
from relay.overload import Admission, LoopLag
from relay.settings import RelaySettings
from relay.store import RelayStore, store_write_problem
from relay.turns import TurnProcessor

logger = logging.getLogger("relay.app")
_unwritable = EventThrottle(burst=3)


PURGE_EVERY_S = 60.0
STOP_STEP_S = 10.0
ORPHAN_SCAN_EVERY_S = 5.0
RESUME_RETRY_S = 5.0  # the previous run's unfinished turns, read again while the store is unreachable at start


class Relay:
    """The parts of one relay and their start/stop. ``build_app`` wraps it in a Starlette app."""

    def __init__(
        self,
        settings: RelaySettings,
        *,
        store: RelayStore | None = None,
        agents: AgentRegistry | None = None,
        http: HttpClient | None = None,
    ) -> None:
        self.settings = settings
        self.deployment = open_deployment(settings, store=store, agents=agents)
        self.store = self.deployment.store
        self.agents = self.deployment.agents
        self.metrics = RelayMetrics(self.agents.connected_count)
        self._own_http = http is None
        self.http = http or HttpClient()
        self.limiter = self.deployment.kommo_budget
        self.kommo_client = KommoClient(
            self.store,
            self.http,
            self.limiter,
            refresh_locks=self.deployment.refresh_locks,
            attempts=settings.continuation_attempts,
            backoff_s=settings.continuation_backoff_s,
            max_backoff_s=settings.continuation_max_backoff_s,
            timeout_s=settings.continuation_timeout_s,
            answer_wait_s=settings.continuation_answer_wait_s,
            retry_for_s=settings.continuation_retry_for_s,
        )
        self.followups = FollowUpDesk(
            open_followup_store(settings),
            self.store,
            self.agents,
            KommoFollowUps(self.kommo_client, self.http, self.limiter, timeout_s=settings.continuation_timeout_s),
            look_timeout_s=settings.move_timeout_s,
        )
        self.turns = TurnProcessor(
            self.store,
            self.agents,
            self.kommo_client,
            settings,
            self.metrics,
            lead_locks=self.deployment.lead_locks,
            # Another instance may be working on a repeat's first delivery: wait as long as a turn can take.
            followups=self.followups,
            first_delivery_wait_s=(
                settings.slots_timeout_s + settings.move_timeout_s + 5.0 if self.deployment.several_instances else 0.0
            ),
            owner=self.deployment.instance,
        )
        self.loop_lag = LoopLag()
        self.admission = Admission(
            max_lag_s=settings.max_loop_lag_s,
            max_turns_in_flight=settings.max_turns_in_flight,
            turns_in_flight=lambda: self.turns.in_flight,
            lag=self.loop_lag,
            max_wait_s=settings.max_queue_wait_s,
            busy_turns=lambda: self.turns.busy,
        )
        self.metrics.watch_load(
            lambda: self.turns.in_flight,
            lambda: self.loop_lag.lag_s,
            self.deployment.pool_waits,
            self.deployment.round_trips,
        )
        self.kommo_endpoint = KommoEndpoint(self.store, self.turns, settings, self.metrics, self.admission,
                                            store_lost=getattr(self.deployment, "store_lost", lambda: False))
        self.agent_sockets = AgentSockets(settings.max_agent_sockets_per_clinic)
        self.kommo_oauth = KommoOAuthEndpoint(self.store, self.http, settings, self.limiter)
        self.operator = OperatorEndpoints(self.store, self.agents, self.kommo_client, self.limiter, settings,
                                          seen=self.kommo_endpoint.seen, kommo_owed=self.followups.kommo_owed)
        self._housekeeping: asyncio.Task[None] | None = None
        self._orphan_watch: asyncio.Task[None] | None = None
        self._resume_later: asyncio.Task[None] | None = None
        self._drained = False

    async def start(self) -> None:
        QuietAcceptErrors.install(asyncio.get_running_loop())
        QuietPeerErrors.install()
        await self.deployment.start()
        await self.followups.start()
        self.loop_lag.start()
        # Turns a previous run accepted but never answered: their continuations go out now, late but not never (or,
        # the store unreachable at start — Redis down: /healthz says 503 meanwhile — as soon as it answers).
        loop = asyncio.get_running_loop()
        if not await self._resume_previous_run():
            self._resume_later = loop.create_task(self._resume_previous_run_when_reachable())
        self._housekeeping = loop.create_task(self._purge_forever())
        if self.deployment.several_instances:
            self._orphan_watch = loop.create_task(self._resume_orphans_forever())
        log(
            logger,
            logging.INFO,
            "relay_started",
            **self.deployment.describe(),
            host=self.settings.host,
            port=self.settings.port,
            public_url=self.settings.public_url or "-",
            operator_token="set" if self.settings.operator_token else "unset",
            slots_timeout_s=self.settings.slots_timeout_s,
            book_timeout_s=self.settings.book_timeout_s,
        )

    async def drain(self) -> None:
        """Let the turns in flight finish while the agents are still connected (at most the shutdown grace).

        The server calls this before it closes any connection (``relay.serving``): a booking under way gets its
        agent's answer and its patient the truth. Turns cut short here are durable and re-run at the next start.
        """
        if self._drained:
            return
        self._drained = True
        deadline = time.monotonic() + self.settings.shutdown_grace_s
        await self.turns.drain(self.settings.shutdown_grace_s)
        # Requests other instances forwarded to this instance's agents are bookings under way too.
        while time.monotonic() < deadline:
            if not self.agents.requests_in_flight():
                break
            await asyncio.sleep(0.05)

    async def stop(self) -> None:
        # Turns first: each one still owes Kommo its continuation (a hand-off if its agent is gone).
        await self.drain()
        # Every step below is bounded: a stop that waits forever (seen with two instances on Redis and thousands of
        # agents going at once) is a relay nobody can restart; what was accepted is durable and resumed anyway.
        await _within(STOP_STEP_S, self.agents.close_all(), "agents")
        await _within(STOP_STEP_S, self.followups.stop(), "follow-ups")
        self.loop_lag.stop()
        for task, what in ((self._housekeeping, "housekeeping"), (self._orphan_watch, "orphan watch"),
                           (self._resume_later, "resume of the previous run")):
            if task is None:
                continue
            task.cancel()
            await _within(STOP_STEP_S, _ended(task), what)
        await _within(STOP_STEP_S, self.deployment.stop(), "deployment")
        if self._own_http:
            await self.http.aclose()
        await _within(STOP_STEP_S, self.store.close(), "store")
        log(logger, logging.INFO, "relay_stopped")

    async def _purge_forever(self) -> None:
        while True:
            await asyncio.sleep(PURGE_EVERY_S)
            try:
                await self.store.purge_expired(time.time(), CONVERSATION_RETENTION_S)
                self.limiter.forget_idle()
            except Exception:
                logger.exception("purge failed")

    async def _resume_previous_run(self) -> bool:
        """The previous run's unfinished turns, resumed; False when the store could not be reached (logged)."""
        try:
            live = await self.deployment.live_instances()
            await self.turns.resume_unfinished(live - {self.deployment.instance})
        except Exception as exc:
            log(logger, logging.ERROR, "unfinished_turns_not_read", error=type(exc).__name__,
                action=f"retried every {RESUME_RETRY_S:g} s until the store answers")
            return False
        return True

    async def _resume_previous_run_when_reachable(self) -> None:
        while True:
            await asyncio.sleep(RESUME_RETRY_S)
            if await self._resume_previous_run():
                log(logger, logging.INFO, "unfinished_turns_read")
                return

    async def _resume_orphans_forever(self) -> None:
        """With several instances: the turns of an instance that died are taken over by a live one."""
        while True:
            await asyncio.sleep(ORPHAN_SCAN_EVERY_S)
            try:
                live = await self.deployment.live_instances()
                await self.turns.resume_unfinished(live | {self.deployment.instance})
            except Exception as exc:
                log(logger, logging.WARNING, "orphan_scan_failed", error=type(exc).__name__)

    # -- endpoints -------------------------------------------------------------------------------------

    async def kommo_request(self, request: Request) -> Response:
        return await self.kommo_endpoint(request)

    async def agent(self, scope: Any, receive: Any, send: Any) -> None:
        """``/agent`` as plain ASGI (RelayApp hands it the websocket: relay/agent_endpoint.py)."""
        await agent_endpoint(
            scope, receive, send, self.store, self.agents, self.settings, self.agent_sockets, self.followups
        )

    async def healthz(self, request: Request) -> Response:
        status, report = await health_report(
            self.store,
            self.agents,
            self.turns.in_flight,
            self.deployment.health,
            name_clinics=operator_allowed(request, self.settings),
        )
        return JSONResponse(report, status)

    async def metrics_text(self, request: Request) -> Response:
        return Response(self.metrics.render(), media_type=self.metrics.content_type)


async def _ended(task: asyncio.Task[Any]) -> None:
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def _within(seconds: float, step: Coroutine[Any, Any, None], what: str) -> None:
    try:
        async with asyncio.timeout(seconds):
            await step
    except TimeoutError:
        log(logger, logging.WARNING, "stop_step_timed_out", step=what, seconds=seconds)


_KOMMO_PREFIX = "/kommo/"
KommoAsgi = Callable[[Any, Any, Any, str], Awaitable[None]]


class RelayApp(Starlette):
    """The relay's Starlette app, with Kommo's widget_request (``POST /kommo/{clinic}``, the one hot route) handed
    straight to its endpoint as plain ASGI: the same match the route would make, without the middleware and router
    layers or a Request and Response object per request."""

    kommo: KommoAsgi | None = None
    agent: Callable[[Any, Any, Any], Awaitable[None]] | None = None  # /agent, the agents' websocket, likewise
    data_dir: str = ""  # named in the operator's log line when the relay cannot write there

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "websocket" and scope["path"] == "/agent" and self.agent is not None:
            await self.agent(scope, receive, send)
            return
        kommo = self.kommo
        if kommo is not None and scope["type"] == "http" and scope["method"] == "POST":
            path: str = scope["path"]
            # The bot's URL typed with a trailing slash is the same clinic: Kommo follows no redirect.
            name = path[len(_KOMMO_PREFIX) :].removesuffix("/") if path.startswith(_KOMMO_PREFIX) else ""
            if name and "/" not in name:
                try:
                    await kommo(scope, receive, send, name)
                except sqlite3.OperationalError as exc:  # the data folder: full, read-only, or not the relay's
                    why = store_write_problem(exc)
                    if not why:
                        logger.exception("widget_request failed")
                        await PlainTextResponse("Internal Server Error", 500)(scope, receive, send)
                        return
                    _unwritable.log(logger, logging.ERROR, "store_unwritable", reason=why, folder=str(self.data_dir))
                    await PlainTextResponse(f"the relay cannot write its data: {why}", 503,
                                            headers={"Retry-After": "30"})(scope, receive, send)
                except Exception:
                    logger.exception("widget_request failed")
                    await PlainTextResponse("Internal Server Error", 500)(scope, receive, send)
                return
        await super().__call__(scope, receive, send)


def build_app(
    settings: RelaySettings,
    *,
    store: RelayStore | None = None,
    agents: AgentRegistry | None = None,
    http: HttpClient | None = None,
) -> Starlette:
    relay = Relay(settings, store=store, agents=agents, http=http)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await relay.start()
        try:
            yield
        finally:
            await relay.stop()

    app = RelayApp(
        routes=[
            Route("/kommo/{clinic}", relay.kommo_request, methods=["POST"]),
            Route("/kommo/oauth/{clinic}", relay.kommo_oauth.handle, methods=["GET"]),
            Route("/operator/clinics", relay.operator.clinics, methods=["GET"]),
            Route("/operator/clinics/{clinic}/check", relay.operator.check, methods=["GET"]),
            Route("/operator/clinics/{clinic}/agent", relay.operator.drop_agent, methods=["DELETE"]),
            Route("/healthz", relay.healthz, methods=["GET"]),
            Route("/metrics", relay.metrics_text, methods=["GET"]),
        ],
        lifespan=lifespan,
    )
    # Starlette answers a path with (or without) an extra slash by a redirect to the URL it saw: http:// behind the
    # TLS proxy, and Kommo does not follow it anyway. A wrong path is a 404 instead, which the caller can read.
    app.router.redirect_slashes = False
    app.state.relay = relay
    app.kommo = relay.kommo_endpoint.asgi
    app.agent = relay.agent
    app.data_dir = str(settings.data_dir)
    return app
