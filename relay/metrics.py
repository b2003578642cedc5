"""Prometheus metrics, one registry per relay app (two apps in one test process do not share counters)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily
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
        self.webhooks = LabelledCounter(
            "cita_relay_kommo_requests",
            "Kommo widget_requests received, by outcome (accepted, repeat, unauthorized, ...)",
            ["outcome"],
            registry=self.registry,
        )
        self.agent_requests = LabelledCounter(
            "cita_relay_agent_requests",
            "Requests sent to clinic agents, by kind (slots, book) and outcome (ok, error, timeout, ...)",
            ["kind", "outcome"],
            registry=self.registry,
        )
        self.replies = LabelledCounter(
            "cita_relay_replies", "Bot replies, by conversation status", ["status"], registry=self.registry
        )
        self.continuations = LabelledCounter(
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

        self.shed = LabelledCounter(
            "cita_relay_shed_requests",
            "widget_requests answered 503 + Retry-After because the relay was over capacity, by reason"
            " (queued, queue_wait, loop_behind, turns_full, store_slow); nothing of them was accepted or stored",
            ["reason"],
            registry=self.registry,
        )
        self.turn_queue = Gauge(
            "cita_relay_turns_in_flight",
            "Accepted turns under way on this instance (queue depth)",
            registry=self.registry,
        )
        self.loop_lag = Gauge(
            "cita_relay_event_loop_lag_seconds",
            "How late this instance's event loop runs a timer (recent worst): what a new request waits",
            registry=self.registry,
        )
        self.pool_waits = _CallbackCounter(
            "cita_relay_redis_pool_waits", "Redis commands that had to wait for a pooled connection"
        )
        self.registry.register(self.pool_waits)
        self.round_trips = _CallbackCounter(
            "cita_relay_redis_round_trips",
            "Round trips to Redis (a command, a script or a pipeline each count once; pub/sub not counted)",
        )
        self.registry.register(self.round_trips)

    def watch_load(
        self,
        turns_in_flight: Callable[[], int],
        loop_lag_s: Callable[[], float],
        pool_waits: Callable[[], int],
        round_trips: Callable[[], int] | None = None,
    ) -> None:
        self.turn_queue.set_function(lambda: float(turns_in_flight()))
        self.loop_lag.set_function(loop_lag_s)
        self.pool_waits.source = pool_waits
        if round_trips is not None:
            self.round_trips.source = round_trips

    def render(self) -> bytes:
        return generate_latest(self.registry)


class LabelledCounter:
    """A labelled prometheus ``Counter`` whose ``labels(...)`` children are looked up once per label set.

    prometheus_client validates the values, takes a lock and builds a key on every ``labels`` call; the relay asks
    for the same few children on every turn. Label values here come from the relay's own short lists (outcomes,
    statuses, reasons), so the memo stays small.
    """

    def __init__(self, name: str, doc: str, labelnames: Sequence[str], *, registry: CollectorRegistry) -> None:
        self.counter = Counter(name, doc, labelnames, registry=registry)
        self._children: dict[tuple[str, ...], Any] = {}

    def labels(self, *values: str) -> Any:
        child = self._children.get(values)
        if child is None:
            child = self._children[values] = self.counter.labels(*values)
        return child


class _CallbackCounter:
    """A counter whose value another object keeps (the Redis pool counts its own waits)."""

    def __init__(self, name: str, documentation: str) -> None:
        self.name = name
        self.documentation = documentation
        self.source: Callable[[], int] = lambda: 0

    def collect(self) -> Iterator[CounterMetricFamily]:
        yield CounterMetricFamily(self.name, self.documentation, value=float(self.source()))

    def describe(self) -> Iterator[CounterMetricFamily]:
        yield CounterMetricFamily(self.name, self.documentation)
