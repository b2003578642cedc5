"""Leases held longer than a lease stay held (renewed by the instance, all of them together), on a real
redis-server: another instance never gets a lead's lease while a long turn holds it, and gets it once let go."""

from __future__ import annotations

import asyncio

from relay.cluster import keys as redis_keys
from relay.cluster.client import async_client
from relay.cluster.later import LaterWrites
from relay.cluster.leases import RedisLeases


async def test_long_held_leases_are_renewed_and_another_instance_waits_for_them(redis_server):
    one_client, two_client = async_client(redis_server.url), async_client(redis_server.url)
    one_later = LaterWrites(one_client)
    one = RedisLeases(one_client, "lead", lease_s=0.6, first_poll_s=0.01, later=one_later)
    two = RedisLeases(two_client, "lead", lease_s=0.6, first_poll_s=0.01)
    order: list[str] = []
    release = asyncio.Event()
    held = asyncio.Event()

    async def long_turn(lead: str) -> None:
        async with one.hold("clinic", lead):
            held.set()
            await release.wait()
            order.append(f"one:{lead}")

    async def other_instance(lead: str) -> None:
        await held.wait()
        async with two.hold("clinic", lead):
            order.append(f"two:{lead}")

    try:
        turns = [asyncio.ensure_future(long_turn(lead)) for lead in ("a", "b")]
        waiting = [asyncio.ensure_future(other_instance(lead)) for lead in ("a", "b")]
        await asyncio.sleep(2.0)  # more than three leases
        assert order == []  # the other instance is still waiting: the leases were renewed
        with redis_server.client() as raw:
            for lead in ("a", "b"):
                assert raw.pttl(redis_keys.lease(f"lead:clinic:{lead}")) > 0
        release.set()
        await asyncio.gather(*turns)
        await one_later.flush()  # the leases let go are deleted with the instance's other later writes
        await asyncio.wait_for(asyncio.gather(*waiting), 10)
        assert sorted(order[:2]) == ["one:a", "one:b"] and sorted(order[2:]) == ["two:a", "two:b"]
    finally:
        await one_client.aclose()
        await two_client.aclose()
