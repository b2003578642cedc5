"""Two instances with a tiny Redis pool each: many patients at once wait for a connection, none is handed off."""

from __future__ import annotations

import asyncio

import httpx
from relay_harness import buttons_of


async def test_a_tiny_redis_pool_makes_turns_wait_never_hand_off(make_relay, kommo):
    relay = make_relay(redis_pool_size=4)
    clinics = [relay.add_clinic() for _ in range(3)]
    for clinic in clinics:
        await relay.agent(clinic)
    sent = []
    for i in range(18):
        clinic = clinics[i % 3]
        body, continue_id = kommo.widget_request(clinic.subdomain, {"lead_id": f"pool{i}", "message": "hola"})
        sent.append((clinic, body, continue_id))
    answers = await asyncio.gather(*(relay.post_widget(clinic, body) for clinic, body, _ in sent))
    assert [a.status_code for a in answers] == [200] * len(sent)
    records = [await kommo.wait_for_continuation(continue_id, timeout=30) for _, _, continue_id in sent]
    assert [r.body["data"]["status"] for r in records] == ["choose_day"] * len(sent)
    assert all(buttons_of(r.body) for r in records)
    async with httpx.AsyncClient(timeout=10) as http:
        metrics = (await http.get(f"{relay.url}/metrics")).text
    assert "cita_relay_redis_pool_waits_total" in metrics
