"""``GET /healthz``: is the relay up, can it write its store, and which clinics have their agent connected.

Nothing secret: totals for anyone; to the operator (``relay.operator_endpoint.operator_allowed``: the operator
token as a bearer token, or with none configured a direct loopback connection) also each clinic's name, connection
state, the agent's last status (paused, portal), when it was last seen.
With several instances sharing Redis, the clinics' agents are the whole deployment's (on any instance),
``agents_connected`` counts this instance's, and ``redis`` says whether this instance reaches Redis.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from relay.agents import AgentDirectory, AgentPresence
from relay.store import RelayStore


def _iso(moment: float | None) -> str | None:
    return datetime.fromtimestamp(moment, UTC).isoformat(timespec="seconds") if moment else None


def shown(text: str, limit: int = 40) -> str:
    """A peer's text as /healthz may show it: printable characters only, so no agent can break the report."""
    return "".join(c for c in str(text)[:limit] if c.isprintable() and not 0xD800 <= ord(c) <= 0xDFFF)


def clinic_health(name: str, presence: AgentPresence | None) -> dict[str, Any]:
    if presence is None:
        return {"agent_connected": False, "paused": None, "portal": "unknown", "agent_version": "", "last_seen": None}
    return {
        "agent_connected": presence.connected,
        "paused": presence.paused,
        "portal": shown(presence.portal),
        "portal_changed": bool(presence.portal_changed),
        "agent_version": shown(presence.version),
        "last_seen": _iso(presence.last_seen),
    }


async def health_report(
    store: RelayStore,
    agents: AgentDirectory,
    turns_in_flight: int,
    deployment_health: Callable[[bool], tuple[bool, dict[str, Any]]] | None = None,
    *,
    name_clinics: bool = True,
) -> tuple[int, dict[str, Any]]:
    """The report; with ``name_clinics`` False (a caller who is not the operator), totals instead of names."""
    writable = await store.check_writable()
    healthy, extra = deployment_health(writable) if deployment_health else (writable, {})
    presences = await agents.presences()
    try:  # a full or read-only disk still reads: the operator sees every clinic when it matters most
        names = await store.clinic_names() if writable else await asyncio.wait_for(store.clinic_names(), 1.0)
    except Exception:  # the store itself is away (Redis down): the clinics whose agent is connected here
        names = sorted(presences)
    clinics = {name: clinic_health(name, presences.get(name)) for name in names}
    report = {
        "status": "ok" if healthy else "degraded",
        "store_writable": writable,
        **extra,
        "agents_connected": agents.connected_count(),
        "turns_in_flight": turns_in_flight,
    }
    if name_clinics:
        report["clinics"] = clinics
    else:
        report["clinics_total"] = len(clinics)
        report["clinics_with_agent"] = sum(1 for info in clinics.values() if info["agent_connected"])
    return (200 if healthy else 503), report
