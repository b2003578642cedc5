"""How many times one turn goes to Redis and back: counted by the relay itself (/metrics), printed, and bounded;
and a turn's own store steps counted exactly."""

from __future__ import annotations

import asyncio
import os
import time

import httpx
from relay_harness import buttons_of

from relay.cluster import keys as redis_keys
from relay.cluster.budget import SharedKommoBudget
from relay.cluster.client import async_client
from relay.cluster.leases import RedisLeases
from relay.cluster.store import RedisClinicAdmin, RedisStore
from relay.store import ClinicDetails, PendingTurn

# A turn: accept (revision, claim, the lead's lease, the conversation: one script) and settle (reply, next state,
# the lease let go, the continuation's Kommo call admitted, the Kommo tokens: one script); the call's end and the
# finished turn go with other turns' (one pipeline every 20 ms). Here half the turns reach the instance without
# the agent: their slots request is forwarded (the holder looked up and asked: one script) and answered (a
# publish by the other instance). 2 + 1 for half + the later writes' share, ~3.3; the relays' own background work
# (orphaned turns, follow-ups, live instances) counts too.
# Measured 4.2-4.9, and 7.0 once with six test suites on two cores (the background work is per second, not per
# turn); 9.5 before a turn's steps were folded. The next test counts a turn's own steps exactly.
MAX_ROUND_TRIPS_PER_TURN = 8


async def round_trips(relay) -> float:
    async with httpx.AsyncClient(timeout=10) as http:
        text = (await http.get(f"{relay.url}/metrics")).text
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith("cita_relay_redis_round_trips_total ")
    )


async def test_a_turn_takes_a_handful_of_round_trips_to_redis(make_relay, kommo):
    relay = make_relay()
    clinics = [relay.add_clinic() for _ in range(5)]
    for clinic in clinics:
        await relay.agent(clinic)

    async def turn(clinic, lead: str) -> None:
        body, continue_id = kommo.widget_request(
            clinic.subdomain, {"lead_id": lead, "message": "hola", "name": "Ana", "phone": "+56 9 1234 5678"}
        )
        assert (await relay.post_widget(clinic, body)).status_code == 200
        record = await kommo.wait_for_continuation(continue_id, timeout=20)
        assert record.body["data"]["status"] == "choose_day"
        assert buttons_of(record.body)

    # The clinics and their Kommo tokens read once by each instance, then kept for a few seconds.
    await asyncio.gather(*(turn(clinic, f"rt-warm{i}") for i, clinic in enumerate(clinics)))
    await asyncio.gather(*(turn(clinic, f"rt-warm{i}b") for i, clinic in enumerate(clinics)))
    before = await round_trips(relay)
    # Two patients of each clinic at once, as under load (within Kommo's 7 calls a second per account): the writes
    # that can wait a moment go together.
    sent = [(clinic, f"rt{i}-{j}") for i, clinic in enumerate(clinics) for j in range(2)]
    await asyncio.gather(*(turn(clinic, lead) for clinic, lead in sent))
    per_turn = (await round_trips(relay) - before) / len(sent)
    print(f"Redis round trips per turn: {per_turn:.1f}")
    assert 0 < per_turn <= MAX_ROUND_TRIPS_PER_TURN


async def test_a_turns_own_store_steps_take_two_round_trips_and_a_share_of_one(redis_server):
    """Accept, the lead's lease, the conversation, settle, the Kommo tokens and the call's admission: two round
    trips; the call's end and the finished turn: one pipeline shared with every turn finished meanwhile."""
    admin = RedisClinicAdmin(redis_server.url)
    name = f"rt-{os.getpid()}"
    admin.add_clinic(
        ClinicDetails(
            name, kommo_subdomain="s", kommo_client_id="i", kommo_client_secret="k", long_lived_token="long-lived"
        )
    )
    client = async_client(redis_server.url)
    store = RedisStore(client, conversation_ttl_s=60)
    leases = RedisLeases(client, "lead", later=store.later)
    budget = SharedKommoBudget(client, "i1", 7.0, later=store.later)
    store.share_with(leases, budget)
    pool = client.connection_pool
    try:
        clinic = await store.get_clinic(name)  # kept for a few seconds from here on

        async def one_turn(lead: str, message: str, state: dict) -> dict | None:
            now = time.time()

            def plan(revision: str) -> tuple[list[tuple[str, float]], PendingTurn]:
                keys = [(f"msg:{lead}:{message}:{revision}", now + 60)]
                return keys, PendingTurn(
                    clinic=name,
                    turn_id=keys[0][0],
                    keys=(keys[0][0],),
                    lead_id=lead,
                    message=message,
                    name="Ana",
                    phone="+56 9",
                    received_at=now,
                    return_url="https://s.kommo.com/continue",
                    owner="i1",
                )

            keys, pending, prior = await store.claim_turn(name, lead, plan, pending_url := "https://s/c", now)
            assert prior is None and pending_url
            async with leases.hold(name, lead):
                loaded = await store.load_conversation(name, lead)
                await store.settle_reply(name, [key for key, _ in keys], {"data": {"status": "x"}}, lead, state, now)
            tokens = await store.kommo_tokens(name)
            assert tokens is not None and tokens.long_lived_token == "long-lived"
            async with budget.hold(clinic.kommo_base_url):
                pass  # the continuation's POST
            await store.finish_turn(name, pending.turn_id)
            await store.later.flush()
            return loaded

        await one_turn("lead-0", "hola", {"stage": "first"})  # Redis loads each script once (NOSCRIPT, SCRIPT LOAD)
        before = pool.round_trips
        assert await one_turn("lead-1", "hola", {"stage": "first"}) is None
        assert pool.round_trips - before == 3
        # The same lead again: the revision this instance wrote is the one the keys are made with.
        before = pool.round_trips
        assert await one_turn("lead-1", "1", {"stage": "second"}) == {"stage": "first"}
        assert pool.round_trips - before == 3

        with admin._redis as raw:  # what is left in Redis: the conversation; no lease, no pending turn
            assert raw.get(redis_keys.lease(f"lead:{name}:lead-1")) is None
            assert raw.zcard(redis_keys.TURNS) == 0
            assert '"second"' in raw.hget(redis_keys.conversation(name, "lead-1"), "state")
            # The two calls' ends are written (scored with their real end, not 15 s ahead).
            ends = raw.zrange(redis_keys.kommo_budget(clinic.kommo_base_url), 0, -1, withscores=True)
            assert len(ends) == 3 and all(score < (time.time() + 5) * 1000 for _, score in ends)
    finally:
        await store.close()
        admin.remove_clinic(name)
        admin.close_now()
