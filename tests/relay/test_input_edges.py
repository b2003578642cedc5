"""Hostile input at the relay's edges: each is answered 4xx (or its frame dropped) and the relay stays healthy.

Over real HTTP and websockets: bodies with lone surrogates, deep nesting and control characters; an agent's
status frame with a lone surrogate in ``version``; tokens without ``jti``, with a far ``exp``, or replayed for
another lead; return URLs that cannot be delivered as given; patient fields Kommo left empty or unfilled.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time

import jwt
import pytest
from relay_harness import buttons_of, texts_of
from websockets.asyncio.client import connect


def data(lead="700", message="Hola", name="Ana Pérez", phone="+56 9 8765 4321"):
    return {"lead_id": lead, "message": message, "name": name, "phone": phone}


@pytest.fixture
async def clinic_with_agent(relay):
    clinic = relay.add_clinic()
    agent = await relay.agent(clinic)
    return clinic, agent


async def assert_healthy(relay):
    health = await relay.healthz()
    assert health["status"] == "ok"


def tracebacks(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.exc_info]


# -- 1. bodies and frames that must never give a 500 ----------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(b'{"token": "x", "data": {"lead_id": "1", "message": "\\ud800"}, "return_url": "u"}', id="surrogate"),
        pytest.param(b'{"\\udfff": 1}', id="surrogate-key"),
        pytest.param(b"[" * 30_000 + b"]" * 30_000, id="deep-array"),
        pytest.param(b'{"a":' * 40 + b"1" + b"}" * 40, id="nested-object"),
        pytest.param(b'{"token": "x\\u0000y", "data": {"lead_id": "1"}, "return_url": "u"}', id="nul-in-token"),
        pytest.param(b'{"token": "t", "data": {"lead_id": "1\\u0085"}, "return_url": "u"}', id="c1-in-lead"),
    ],
)
async def test_hostile_json_bodies_get_a_400_and_one_log_line(relay, clinic_with_agent, raw, caplog):
    clinic, agent = clinic_with_agent
    caplog.set_level(logging.INFO)
    response = await relay.post_widget(clinic, None, raw=raw)
    assert response.status_code in (400, 401)
    assert response.json()["error"] in ("malformed_body", "missing_lead_id", "unauthorized")
    refused = [r for r in caplog.records if r.getMessage() == "kommo_request_refused"]
    assert len(refused) == 1 and not tracebacks(caplog)
    assert agent.requests == []
    await assert_healthy(relay)


async def test_hostile_form_body_gets_a_400(relay, clinic_with_agent):
    clinic, _ = clinic_with_agent
    raw = b"token=t&return_url=u&data=" + b"%5B" * 5000
    response = await relay.post_widget(clinic, None, raw=raw, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    await assert_healthy(relay)


async def test_control_characters_in_the_message_do_not_stop_the_patient(relay, kommo, clinic_with_agent):
    clinic, _ = clinic_with_agent
    body, continue_id = kommo.widget_request(clinic.subdomain, data(lead="701", message="ho\x00la\x1b"))
    assert (await relay.post_widget(clinic, body)).status_code == 200
    reply = await kommo.wait_for_continuation(continue_id)
    assert reply.accepted and reply.body["data"]["status"] == "choose_day"


async def test_a_status_frame_with_a_lone_surrogate_is_dropped_and_healthz_stays_up(relay, caplog):
    caplog.set_level(logging.INFO)
    clinic = relay.add_clinic()
    agent = await relay.agent(clinic)
    headers = {"Authorization": f"Bearer {clinic.agent_token}"}
    async with connect(relay.ws_url, additional_headers=headers) as hostile:
        await hostile.send('{"type": "status", "paused": false, "portal": "ok", "version": "\\ud800"}')
        await hostile.send('{"type": "status", "paused": false, "version": "1.0\\u0007"}')
        await hostile.send("[" * 50_000)
        await hostile.send(b"\xff\xfe")
        for _ in range(200):
            if sum(r.getMessage() == "agent_bad_frame" for r in caplog.records) >= 1:
                break
            await asyncio.sleep(0.02)
        health = await relay.healthz()
        assert health["status"] == "ok"
        assert health["clinics"][clinic.name]["agent_version"] == "test-agent"
    assert not tracebacks(caplog)
    # The clinic's real agent is still the one answering patients.
    reply = await relay.kommo.say(relay.widget_url(clinic), clinic.subdomain, "702", "hola")
    assert reply.body["data"]["status"] == "choose_day" and agent.ops("slots")


# -- 2. patient fields ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        pytest.param({"phone": ""}, "no tengo tu teléfono", id="empty-phone"),
        pytest.param({"phone": "{{contact.phone}}"}, "no tengo tu teléfono", id="placeholder-phone"),
        pytest.param({"name": "{{contact.name}}"}, "no pude leer tu nombre", id="placeholder-name"),
        pytest.param({"name": "Ana\x07 Pérez"}, "no pude leer tu nombre", id="control-name"),
    ],
)
async def test_unusable_patient_fields_get_a_handoff_at_once(relay, kommo, clinic_with_agent, fields, words):
    clinic, agent = clinic_with_agent
    reply = await kommo.say(relay.widget_url(clinic), clinic.subdomain, "703", "hola", **fields)
    assert reply.body["data"]["status"] == "handoff"
    text = texts_of(reply.body).lower()
    assert words in text and "recepcionista te escribirá" in text
    assert buttons_of(reply.body) == []
    assert agent.ops("book") == []


async def test_the_patient_check_speaks_english_for_an_english_clinic(relay, kommo):
    clinic = relay.add_clinic(language="en")
    await relay.agent(clinic)
    reply = await kommo.say(relay.widget_url(clinic), clinic.subdomain, "704", "hi", phone="{{contact.phone}}")
    assert "don't have your phone number" in texts_of(reply.body) and "receptionist" in texts_of(reply.body)


# -- 3. JWT and return_url ------------------------------------------------------------------------------


def _resigned(body, secret, **changes):
    claims = jwt.decode(body["token"], options={"verify_signature": False})
    claims.update(changes)
    for key in [k for k, v in claims.items() if v is None]:
        del claims[key]
    return {**body, "token": jwt.encode(claims, secret, algorithm="HS256")}


async def test_a_token_without_jti_is_401(relay, kommo, clinic_with_agent):
    clinic, agent = clinic_with_agent
    body, _ = kommo.widget_request(clinic.subdomain, data(lead="705"))
    response = await relay.post_widget(clinic, _resigned(body, clinic.client_secret, jti=None))
    assert response.status_code == 401 and agent.requests == []


async def test_a_token_living_longer_than_the_jti_memory_is_401(make_relay, kommo, caplog):
    relay = make_relay(jti_memory_s=600)
    clinic = relay.add_clinic()
    agent = await relay.agent(clinic)
    far, _ = kommo.widget_request(clinic.subdomain, data(lead="706"), lifetime_s=3600)
    response = await relay.post_widget(clinic, far)
    assert response.status_code == 401
    assert "longer" in [r for r in caplog.records if r.getMessage() == "kommo_request_refused"][-1].relay_fields["detail"]
    near, continue_id = kommo.widget_request(clinic.subdomain, data(lead="706"), lifetime_s=300)
    assert (await relay.post_widget(clinic, near)).status_code == 200
    assert (await kommo.wait_for_continuation(continue_id)).accepted
    assert len(agent.ops("slots")) == 1


async def test_a_jti_replayed_for_another_lead_is_401(relay, kommo, clinic_with_agent):
    clinic, agent = clinic_with_agent
    first, first_id = kommo.widget_request(clinic.subdomain, data(lead="707"), jti="jti-707")
    assert (await relay.post_widget(clinic, first)).status_code == 200
    assert (await kommo.wait_for_continuation(first_id)).accepted
    # The same token again for the same lead: Kommo repeating itself, answered 200 and not worked twice.
    assert (await relay.post_widget(clinic, first)).status_code == 200
    # The same jti for another lead: a replay.
    other, _ = kommo.widget_request(clinic.subdomain, data(lead="708"), jti="jti-707")
    response = await relay.post_widget(clinic, other)
    assert response.status_code == 401
    await asyncio.sleep(0.2)
    assert len(agent.ops("slots")) == 1


@pytest.mark.parametrize("suffix", [" x", "\r\nX-Injected: 1", "\n", "ñ", "%20ok"])
async def test_a_return_url_that_cannot_be_delivered_as_given_is_400(relay, kommo, clinic_with_agent, suffix):
    clinic, agent = clinic_with_agent
    body, _ = kommo.widget_request(clinic.subdomain, data(lead="709"))
    body["return_url"] += suffix
    response = await relay.post_widget(clinic, body)
    assert response.status_code == 400, response.text
    assert agent.requests == []


async def test_the_stand_in_kommo_sends_a_jti(kommo, relay):
    clinic = relay.add_clinic()
    body, _ = kommo.widget_request(clinic.subdomain, data())
    claims = jwt.decode(body["token"], options={"verify_signature": False})
    assert isinstance(claims["jti"], str) and claims["jti"]
    assert claims["exp"] - time.time() <= 300 + 1
    assert json.dumps(body)


async def test_a_text_frame_that_is_not_utf8_closes_that_link_with_one_line(relay, caplog):
    caplog.set_level(logging.INFO)
    clinic = relay.add_clinic()
    await relay.agent(clinic)
    headers = {"Authorization": f"Bearer {clinic.agent_token}"}
    async with connect(relay.ws_url, additional_headers=headers) as hostile:
        await hostile.send(b"\xff\xfe{", text=True)
        await asyncio.wait_for(hostile.wait_closed(), 10)
        assert hostile.close_code == 1007
    assert not tracebacks(caplog)
    await assert_healthy(relay)


async def test_a_flood_of_refusals_writes_a_few_lines_and_counts_every_one(relay, kommo, caplog):
    import httpx

    clinic = relay.add_clinic()
    caplog.set_level(logging.INFO)
    async with httpx.AsyncClient(timeout=10) as http:
        answers = await asyncio.gather(
            *(
                http.post(relay.widget_url(clinic), content=b"{broken", headers={"Content-Type": "application/json"})
                for _ in range(60)
            )
        )
        metrics = (await http.get(f"{relay.url}/metrics")).text
    assert {a.status_code for a in answers} == {400}
    lines = [r for r in caplog.records if r.getMessage() == "kommo_request_refused"]
    assert 1 <= len(lines) <= 30
    assert 'cita_relay_kommo_requests_total{outcome="malformed_body"} 60.0' in metrics
