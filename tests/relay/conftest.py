"""Fixtures for the relay's tests: one stand-in Kommo per module, a fresh relay per test."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
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


ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real redis-server on loopback for the module's tests that run on Redis too."""
    sys.path.insert(0, str(ROOT / "tests" / "relay_redis"))
    from redis_server import RedisServer

    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    yield server.url
    server.stop()


@pytest.fixture(params=["sqlite", pytest.param("redis", marks=pytest.mark.redis)])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[list[str], dict[str, str]]:
    """The storage flags every command gets, and the matching relay settings."""
    if request.param == "redis":
        url = request.getfixturevalue("redis_url")
        return ["--redis", url], {"redis_url": url}
    return ["--data", str(tmp_path / "relay-0")], {}
