"""Fixtures for several relay instances on a real redis-server (started here, on loopback, on a free port).

The one-instance helpers of tests/relay (``relay_harness``) are reused: that folder joins the import path.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "relay"))

from pair_harness import RelayPair  # noqa: E402
from redis_server import RedisServer  # noqa: E402

from demo.kommo import StandInKommo  # noqa: E402


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.redis)


@pytest.fixture
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """A redis-server of each test's own: accepted turns a test leaves unfinished are never another test's."""
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def kommo() -> Iterator[StandInKommo]:
    stand_in = StandInKommo(rate_limit_per_s=7.0)
    server = stand_in.serve()
    yield stand_in
    server.stop()


@pytest.fixture
async def make_relay(tmp_path, kommo, redis_server) -> AsyncIterator[Callable[..., RelayPair]]:
    """``make_relay(slots_timeout_s=1.0)``: two started instances sharing Redis (stopped after the test)."""
    started: list[RelayPair] = []

    def factory(**overrides: Any) -> RelayPair:
        pair = RelayPair(tmp_path / f"pair-{len(started)}", kommo, redis_server.url, **overrides).start()
        started.append(pair)
        return pair

    yield factory
    for pair in started:
        await pair.close_agents()
        pair.stop()
    # The next test starts on an empty Redis: a turn this test's relays left unfinished (its Kommo gone) would
    # otherwise be taken over, as a dead instance's turn, by the next test's relays.
    with redis_server.client() as client:
        client.flushall()


@pytest.fixture
async def relay(make_relay) -> RelayPair:
    return make_relay()
