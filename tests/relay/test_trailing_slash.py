"""The bot's URL pasted with a trailing slash (`/kommo/clinica-sol/`) is the same clinic: Kommo follows no redirect,
so the relay answers it as it answers the URL without the slash, and no route of the relay answers a redirect."""

from __future__ import annotations

import httpx
from relay_harness import buttons_of


async def test_a_trailing_slash_in_the_bots_url_is_the_same_clinic_and_the_same_answer(relay, kommo):
    clinic = relay.add_clinic()
    await relay.agent(clinic)
    patient = {"name": "Ana Pérez", "phone": "+56 9 8765 4321"}
    with_slash, slash_id = kommo.widget_request(clinic.subdomain, {"lead_id": "71", "message": "hola", **patient})
    without, plain_id = kommo.widget_request(clinic.subdomain, {"lead_id": "72", "message": "hola", **patient})

    async with httpx.AsyncClient(timeout=10) as http:
        slashed = await http.post(relay.widget_url(clinic) + "/", json=with_slash)
        plain = await http.post(relay.widget_url(clinic), json=without)

    assert slashed.status_code == 200, (slashed.status_code, slashed.headers.get("location"))
    assert slashed.json() == plain.json() == {"ok": True}
    slashed_reply = await kommo.wait_for_continuation(slash_id)
    plain_reply = await kommo.wait_for_continuation(plain_id)
    assert slashed_reply.accepted and plain_reply.accepted
    assert buttons_of(slashed_reply.body) == buttons_of(plain_reply.body) != []


async def test_no_route_answers_a_redirect(relay, kommo):
    clinic = relay.add_clinic()
    body, _ = kommo.widget_request(clinic.subdomain, {"lead_id": "73", "message": "hola", "name": "Ana", "phone": "1"})
    async with httpx.AsyncClient(timeout=10) as http:
        answers = [
            await http.post(relay.widget_url(clinic) + "//", json=body),
            await http.get(f"{relay.url}/healthz/"),
            await http.get(f"{relay.url}/metrics/"),
            await http.get(f"{relay.url}/operator/clinics/"),
            await http.get(f"{relay.url}/kommo/oauth/{clinic.name}/"),
        ]
    for answer in answers:
        assert not answer.is_redirect, (answer.request.url, answer.status_code, answer.headers.get("location"))
