"""A repeat's own pending turn (relay.turns.REPEAT_TURN_PREFIX) kept by the Redis store as the SQLite store keeps it:
claimed beside its first delivery, given back by ``take_unfinished_turns`` with its keys (its own id first, then the
keys that find its first delivery) and its reply once recorded; and an instance started again under its own name
takes back the turns its last run left."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import time
from collections.abc import AsyncIterator

import pytest

from relay.cluster.client import async_client
from relay.cluster.store import RedisClinicAdmin, RedisStore
from relay.store import ClinicDetails, PendingTurn, SqliteStore
from relay.turns import REPEAT_TURN_PREFIX, with_riders

FIRST_URL = "https://c1.kommo.com/api/v4/salesbot/1/continue/first"
REPEAT_URL = "https://c1.kommo.com/api/v4/salesbot/1/continue/second"
REPLY = {"data": {"status": "booked", "booking_id": "b-1"}, "execute_handlers": []}


@pytest.fixture(params=["sqlite", "redis"])
async def store(request, tmp_path) -> AsyncIterator[tuple[object, str]]:
    name = f"rep-{os.getpid()}-{time.monotonic_ns() % 10**6}"
    details = ClinicDetails(name, kommo_subdomain="c1", kommo_client_id="i", kommo_client_secret="k")
    if request.param == "sqlite":
        sqlite = SqliteStore(tmp_path / "relay.db")
        sqlite.add_clinic(details)
        yield sqlite, name
        await sqlite.close()
        return
    server = request.getfixturevalue("redis_server")
    admin = RedisClinicAdmin(server.url)
    admin.add_clinic(details)
    redis_store = RedisStore(async_client(server.url), conversation_ttl_s=60)
    yield redis_store, name
    await redis_store.close()
    admin.remove_clinic(name)
    admin.close_now()


def _plan(clinic: str, jti: str, url: str, now: float, owner: str):
    def make(revision: str):
        keys = [(f"jti:{jti}", now + 60), (f"msg:pick:{revision}", time.time() + 0.4)]  # a 0.4 s repeat window
        turn = PendingTurn(
            clinic=clinic, turn_id=keys[0][0], keys=tuple(k for k, _ in keys), lead_id="L1", message="09:00",
            name="Ana", phone="+56 9", received_at=now, return_url=url, owner=owner,
        )
        return keys, turn

    return make


async def _tapped_twice(store, clinic: str, now: float, owner: str) -> PendingTurn:
    """The first tap claimed, the second a repeat with its own pending turn (as KommoEndpoint._repeat_turn)."""
    _, _, prior = await store.claim_turn(clinic, "L1", _plan(clinic, "one", FIRST_URL, now, owner), FIRST_URL, now)
    assert prior is None
    _, pending, prior = await store.claim_turn(
        clinic, "L1", _plan(clinic, "two", REPEAT_URL, now + 0.1, owner), REPEAT_URL, now + 0.1
    )
    assert prior is not None and prior.return_url == FIRST_URL and prior.reply is None
    assert prior.turn_id == "jti:one"  # what finds the first once the repeat window ran out
    turn_id = REPEAT_TURN_PREFIX + "abc"
    repeat = dataclasses.replace(pending, turn_id=turn_id, keys=(turn_id, prior.turn_id, *pending.keys))
    assert await store.claim_delivery(clinic, [(turn_id, now + 10)], REPEAT_URL, now + 0.1, turn=repeat) is None
    return repeat


async def test_a_repeat_is_a_pending_turn_given_back_with_its_keys_and_riding_with_its_first(store):
    store, clinic = store
    now = time.time()
    repeat = await _tapped_twice(store, clinic, now, "relay-b")

    taken = await store.take_unfinished_turns("relay-a", set(), now + 1, 3600)
    assert [(t.turn_id, t.keys, t.return_url, t.reply) for t in taken] == [
        ("jti:one", ("jti:one", "msg:pick:"), FIRST_URL, None),
        (repeat.turn_id, repeat.keys, REPEAT_URL, None),
    ]
    [(first, riders)] = with_riders(taken)
    assert first.turn_id == "jti:one" and [r.turn_id for r in riders] == [repeat.turn_id]
    # Its own key finds itself; the others find its first delivery.
    assert (await store.find_delivery(clinic, repeat.keys, now + 1)).return_url == REPEAT_URL
    assert (await store.find_delivery(clinic, repeat.keys[1:], now + 1)).return_url == FIRST_URL
    await asyncio.sleep(0.5)  # the repeat window of lead + message ran out (a slow booking): still found
    assert (await store.find_delivery(clinic, repeat.keys[1:], time.time())).return_url == FIRST_URL


async def test_a_repeats_reply_recorded_on_its_own_turn_is_given_back_with_it(store):
    store, clinic = store
    now = time.time()
    repeat = await _tapped_twice(store, clinic, now, "relay-b")
    await store.settle_reply(clinic, ["jti:one", "msg:pick:"], REPLY, "L1", {"step": "booked"}, now + 0.5)
    await store.finish_turn(clinic, "jti:one")
    await store.record_reply(clinic, (repeat.turn_id,), REPLY)
    if isinstance(store, RedisStore):
        await store.later.flush()
    else:
        store._flush_finished()

    taken = await store.take_unfinished_turns("relay-a", set(), now + 1, 3600)
    assert [(t.turn_id, t.reply) for t in taken] == [(repeat.turn_id, REPLY)]
    assert (await store.find_delivery(clinic, repeat.keys[1:], now + 1)).reply == REPLY


async def test_an_instance_started_again_under_its_name_takes_back_what_its_last_run_left(store):
    store, clinic = store
    now = time.time()
    await _tapped_twice(store, clinic, now, "relay-b")
    # Live under that name (the periodic scan of a running instance): in flight there, left alone.
    if isinstance(store, RedisStore):  # (SQLite: one process per file, every turn left is its last run's)
        assert await store.take_unfinished_turns("relay-b", {"relay-a", "relay-b"}, now + 1, 3600) == []
    # Just started under it (the name not counted among the others): its last run's turns are its own to re-run.
    taken = await store.take_unfinished_turns("relay-b", {"relay-a"}, now + 1, 3600)
    assert [t.turn_id for t in taken] == ["jti:one", REPEAT_TURN_PREFIX + "abc"]
