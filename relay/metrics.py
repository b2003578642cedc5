"""Prometheus metrics, one registry per relay app (two apps in one test process do not share counters)."""

from __future__ import annotations

from collections.abc import Callable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 25.0, 60.0)


class RelayMetrics:
    content_type = CONTENT_TYPE_LATEST

    def __init__(self, connected_agents: Callable[[], int]) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.agents_connected = Gauge(
            "cita_relay_agents_connected", "Clinic agents connected to this relay", registry=self.registry
        )
        self.agents_connected.set_function(lambda: float(connected_agents()))
        self.webhooks = Counter(
            "cita_relay_kommo_requests",
            "Kommo widget_requests received, by outcome (accepted, repeat, unauthorized, ...)",
            ["outcome"],
            registry=self.registry,
        )
        self.agent_requests = Counter(
            "cita_relay_agent_requests",
            "Requests sent to clinic agents, by kind (slots, book) and outcome (ok, error, timeout, ...)",
            ["kind", "outcome"],
            registry=self.registry,
        )
        self.replies = Counter(
            "cita_relay_replies", "Bot replies, by conversation status", ["status"], registry=self.registry
        )
        self.continuations = Counter(
            "cita_relay_continuations",
            "Continuation POSTs to Kommo, by outcome (delivered, failed, not_needed)",
            ["outcome"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "cita_relay_webhook_to_continuation_seconds",
            "From a widget_request's arrival to Kommo accepting its continuation",
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )

    def render(self) -> bytes:
        return generate_latest(self.registry)
