"""Fixtures for the relay's tests: one stand-in Kommo per module, a fresh relay per test."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest
from relay_harness import RelayHarness

from demo.kommo import StandInKommo


@pytest.fixture(scope="module")
def kommo() -> Iterator[StandInKommo]:
    stand_in = StandInKommo(rate_limit_per_s=7.0)
    server = stand_in.serve()
    yield stand_in
    server.stop()


@pytest.fixture
async def make_relay(tmp_path, kommo) -> AsyncIterator[Callable[..., RelayHarness]]:
    """``make_relay(slots_timeout_s=1.0)``: a started relay with those settings (stopped after the test)."""
    started: list[RelayHarness] = []

    def factory(**overrides: Any) -> RelayHarness:
        harness = RelayHarness(tmp_path / f"relay-{len(started)}", kommo, **overrides).start()
        started.append(harness)
        return harness

    yield factory
    for harness in started:
        await harness.close_agents()
        harness.stop()


@pytest.fixture
async def relay(make_relay) -> RelayHarness:
    return make_relay()
