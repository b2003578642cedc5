"""The operator's questions to a running relay, for `cita-relay check-clinic` and `list-clinics` (another process):

- ``GET /operator/clinics``: every clinic's agent (connected since when or last seen, version, web app state);
- ``GET /operator/clinics/{clinic}/check``: the clinic's self-test — its Kommo token on its own account, its agent,
  a dry-run slots question (nothing is booked, no patient is involved), and the widget_request step to paste.

Who may ask: with ``operator_token`` set (CITA_RELAY_OPERATOR_TOKEN), whoever sends it as a bearer token; without
it, only a direct connection from this machine's loopback with no proxy in between (a request carrying
X-Forwarded-For, Forwarded or X-Real-IP came through a proxy, so it may be anyone's). Anyone else gets 404, as if
the route did not exist.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from relay.agents import CLOSE_UNAUTHORIZED, AgentDirectory, AgentPresence, AgentUnavailable
from relay.kommo_account import check_account
from relay.kommo_client import KommoBudget, KommoClient
from relay.kommo_requests_seen import KommoRequestsSeen
from relay.kommo_widget import REQUEST_DATA
from relay.logs import log
from relay.settings import RelaySettings
from relay.store import CLINIC_NAME_RE, RelayStore
from wire.messages import ProtocolError, SlotsArgs

logger = logging.getLogger("relay.operator")

_PROXY_HEADERS = ("x-forwarded-for", "forwarded", "x-real-ip", "x-forwarded-host")


def operator_allowed(request: Request, settings: RelaySettings) -> bool:
    if settings.operator_token:
        scheme, _, value = request.headers.get("authorization", "").partition(" ")
        presented = value.strip().encode("utf-8", "replace")
        return scheme.lower() == "bearer" and hmac.compare_digest(presented, settings.operator_token.encode("utf-8"))
    if any(name in request.headers for name in _PROXY_HEADERS):
        return False
    host = request.client.host if request.client else ""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _iso(moment: float | None) -> str | None:
    return datetime.fromtimestamp(moment, UTC).isoformat(timespec="seconds") if moment else None


def presence_json(presence: AgentPresence | None) -> dict[str, Any]:
    if presence is None:
        return {
            "connected": False,
            "connected_at": None,
            "last_seen": None,
            "version": "",
            "portal": "unknown",
            "paused": None,
        }
    return {
        "connected": presence.connected,
        "connected_at": _iso(presence.connected_at),
        "last_seen": _iso(presence.last_seen),
        "version": presence.version,
        "portal": presence.portal,
        "paused": presence.paused,
    }


class OperatorEndpoints:
    def __init__(
        self,
        store: RelayStore,
        agents: AgentDirectory,
        kommo: KommoClient,
        budget: KommoBudget,
        settings: RelaySettings,
        seen: KommoRequestsSeen | None = None,
        kommo_owed: Callable[[str], Awaitable[dict[str, Any]]] | None = None,
    ) -> None:
        self._store = store
        self._kommo_owed = kommo_owed  # the clinic's hand-offs still to be written in Kommo (relay.followups)
        self._seen = seen or KommoRequestsSeen()
        self._agents = agents
        self._kommo = kommo
        self._budget = budget
        self._settings = settings

    async def clinics(self, request: Request) -> JSONResponse:
        if not operator_allowed(request, self._settings):
            return _not_found()
        presences = await self._agents.presences()
        names = await self._store.clinic_names()
        return JSONResponse({"clinics": {name: presence_json(presences.get(name)) for name in names}})

    async def check(self, request: Request) -> JSONResponse:
        if not operator_allowed(request, self._settings):
            return _not_found()
        name = request.path_params["clinic"]
        clinic = await self._store.get_clinic(name) if CLINIC_NAME_RE.match(name) else None
        if clinic is None:
            return JSONResponse({"error": "unknown_clinic", "detail": f"no clinic named {name!r}"}, 404)
        account = await check_account(self._kommo, self._budget, clinic)
        presence = (await self._agents.presences()).get(name)
        slots = await self._dry_run_slots(name, presence)
        log(
            logger,
            logging.INFO,
            "clinic_checked",
            clinic=name,
            kommo_ok=account.ok,
            agent_connected=bool(presence and presence.connected),
            slots_ok=slots["ok"],
        )
        return JSONResponse(
            {
                "clinic": name,
                "language": clinic.language,
                "kommo": account.to_json(),
                "agent": presence_json(presence),
                "slots": slots,
                "kommo_requests": self._seen.report(name, subdomain=clinic.kommo_subdomain),
                "widget_request": {"url": f"{self._settings.public_base_url}/kommo/{name}", "data": REQUEST_DATA},
                # The relay refuses every patient's message while it cannot write (a full or read-only disk)
                "store": {"writable": await self._store.check_writable()},
                "kommo_writes": await self._kommo_writes(name),
            }
        )

    async def _kommo_writes(self, name: str) -> dict[str, Any] | None:
        if self._kommo_owed is None:
            return None
        try:
            return await self._kommo_owed(name)
        except Exception as exc:  # the check still says everything else
            log(logger, logging.WARNING, "kommo_writes_unreadable", clinic=name, error=type(exc).__name__)
            return None

    async def drop_agent(self, request: Request) -> JSONResponse:
        """``DELETE /operator/clinics/{clinic}/agent[?why=removed]``: close the clinic's agent link held here, after
        its token was rotated or the clinic removed: the token must stop working now, not at the agent's next
        reconnect (and a clinic added again under the name must not inherit the link)."""
        if not operator_allowed(request, self._settings):
            return _not_found()
        name = request.path_params["clinic"]
        why = _DROP_REASONS.get(request.query_params.get("why", "rotated"), _DROP_REASONS["rotated"])
        local = getattr(self._agents, "local", self._agents)
        current = getattr(local, "current", None)
        connection = current(name) if current is not None and CLINIC_NAME_RE.match(name) else None
        if connection is None or connection.closed:
            return JSONResponse({"clinic": name, "dropped": False})
        await connection.link.close(CLOSE_UNAUTHORIZED, why)
        log(logger, logging.WARNING, "agent_dropped", clinic=name, why=why)
        return JSONResponse({"clinic": name, "dropped": True})

    async def _dry_run_slots(self, clinic: str, presence: AgentPresence | None) -> dict[str, Any]:
        if presence is None or not presence.connected:
            return {"ok": False, "error": "agent_offline", "count": None, "age_s": None}
        try:
            response = await self._agents.request(clinic, "slots", SlotsArgs(days=14), self._settings.slots_timeout_s)
        except AgentUnavailable as exc:
            return {"ok": False, "error": exc.reason, "count": None, "age_s": None}
        if not response.ok or response.error is not None:
            code = response.error.code if response.error is not None else "bad_answer"
            return {"ok": False, "error": code, "count": None, "age_s": None}
        try:
            result = response.slots_result()
        except ProtocolError:
            return {"ok": False, "error": "bad_answer", "count": None, "age_s": None}
        return {"ok": True, "error": "", "count": len(result.slots), "age_s": round(result.age_s, 1)}


# Why an operator command asked to close an agent's link: the close frame's reason and the log's.
_DROP_REASONS = {"rotated": "token rotated", "removed": "clinic removed"}


def _not_found() -> JSONResponse:
    return JSONResponse({"error": "not_found"}, 404)
