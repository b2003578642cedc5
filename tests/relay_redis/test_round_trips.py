"""How many times one turn goes to Redis and back: counted by the relay itself (/metrics), printed, and bounded."""

from __future__ import annotations

import asyncio

import httpx
from relay_harness import buttons_of

# accept (conversation revision, claim), the lead's lock, the conversation, the reply and the conversation's next
# state (one script), the Kommo budget; the lock given back, the budget's call ended and the turn finished go
# together with other turns'. The relay's own background work (agents' presence, health) counts too.
MAX_ROUND_TRIPS_PER_TURN = 12  # measured 9.5 on a busy machine (the background work and a poll or two count)


async def round_trips(relay) -> float:
    async with httpx.AsyncClient(timeout=10) as http:
        text = (await http.get(f"{relay.url}/metrics")).text
    return sum(
        float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.startswith("cita_relay_redis_round_trips_total ")
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

    # The clinics and their Kommo tokens read once, then kept for a few seconds.
    await asyncio.gather(*(turn(clinic, f"rt-warm{i}") for i, clinic in enumerate(clinics)))
    before = await round_trips(relay)
    # Two patients of each clinic at once, as under load (within Kommo's 7 calls a second per account): the writes
    # that can wait a moment go together.
    sent = [(clinic, f"rt{i}-{j}") for i, clinic in enumerate(clinics) for j in range(2)]
    await asyncio.gather(*(turn(clinic, lead) for clinic, lead in sent))
    per_turn = (await round_trips(relay) - before) / len(sent)
    print(f"Redis round trips per turn: {per_turn:.1f}")
    assert 0 < per_turn <= MAX_ROUND_TRIPS_PER_TURN
