"""What an operator sees: /healthz, /metrics, and log lines with no secret and no full phone number."""

from __future__ import annotations

import asyncio
import logging
import re

import httpx
import pytest
from relay_harness import ScriptedAgent, buttons_of
from websockets.exceptions import InvalidStatus

from relay.logs import JsonFormatter, KeyValueFormatter, mask_phone
from relay.store import SqliteStore


async def test_healthz_lists_clinics_without_secrets(relay):
    connected, offline = relay.add_clinic(), relay.add_clinic()
    await relay.agent(connected)
    async with httpx.AsyncClient() as http:
        response = await http.get(f"{relay.url}/healthz")  # loopback, no token configured: the operator
    assert response.status_code == 200
    health = response.json()
    assert health["status"] == "ok" and health["store_writable"] is True
    assert health["agents_connected"] == 1
    assert health["clinics"][connected.name]["agent_connected"] is True
    assert health["clinics"][connected.name]["portal"] == "ok"
    assert health["clinics"][offline.name] == {
        "agent_connected": False,
        "paused": None,
        "portal": "unknown",
        "agent_version": "",
        "last_seen": None,
    }
    for secret in (connected.agent_token, connected.client_secret, connected.long_lived_token):
        assert secret not in response.text


async def test_metrics_count_agents_requests_and_latency(make_relay, kommo):
    relay = make_relay(slots_timeout_s=0.5)
    clinic, slow = relay.add_clinic(), relay.add_clinic()
    await relay.agent(clinic)
    await relay.agent(slow, slots_delay_s=2.0)
    url = relay.widget_url(clinic)
    days = await kommo.say(url, clinic.subdomain, "41", "hola")
    times = await kommo.say(url, clinic.subdomain, "41", buttons_of(days.body)[0])
    await kommo.say(url, clinic.subdomain, "41", buttons_of(times.body)[0])
    await kommo.say(relay.widget_url(slow), slow.subdomain, "42", "hola")
    body, _ = kommo.widget_request(clinic.subdomain, {"lead_id": "43"}, secret="forged-" + "k" * 32)
    assert (await relay.post_widget(clinic, body)).status_code == 401
    async with httpx.AsyncClient() as http:
        response = await http.get(f"{relay.url}/metrics")
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert "cita_relay_agents_connected 2.0" in text
    assert 'cita_relay_agent_requests_total{kind="slots",outcome="ok"} 3.0' in text
    assert 'cita_relay_agent_requests_total{kind="book",outcome="ok"} 1.0' in text
    assert 'cita_relay_agent_requests_total{kind="slots",outcome="timeout"} 1.0' in text
    assert 'cita_relay_kommo_requests_total{outcome="accepted"} 4.0' in text
    assert 'cita_relay_kommo_requests_total{outcome="invalid_token"} 1.0' in text
    assert 'cita_relay_replies_total{status="booked"} 1.0' in text
    assert 'cita_relay_continuations_total{outcome="delivered"} 4.0' in text
    assert "cita_relay_webhook_to_continuation_seconds_count 4.0" in text
    assert re.search(r'cita_relay_webhook_to_continuation_seconds_bucket\{le="0\.1"\} \d', text)


async def test_two_relays_side_by_side_keep_their_own_metrics(make_relay, kommo):
    one, two = make_relay(), make_relay()
    clinic = one.add_clinic()
    await one.agent(clinic)
    await kommo.say(one.widget_url(clinic), clinic.subdomain, "44", "hola")
    async with httpx.AsyncClient() as http:
        first = (await http.get(f"{one.url}/metrics")).text
        second = (await http.get(f"{two.url}/metrics")).text
    assert 'cita_relay_kommo_requests_total{outcome="accepted"} 1.0' in first
    assert 'outcome="accepted"' not in second
    assert "cita_relay_agents_connected 0.0" in second


async def test_logs_hold_no_token_no_secret_no_full_phone(relay, kommo, caplog):
    caplog.set_level(logging.DEBUG)
    clinic = relay.add_clinic()
    oauth = relay.add_clinic(oauth=True)
    agent = await relay.agent(clinic)
    await relay.agent(oauth)
    phone = "+56 9 8877 6655"
    url = relay.widget_url(clinic)
    days = await kommo.say(url, clinic.subdomain, "45", "hola", phone=phone)
    times = await kommo.say(url, clinic.subdomain, "45", buttons_of(days.body)[0], phone=phone)
    await kommo.say(url, clinic.subdomain, "45", buttons_of(times.body)[0], phone=phone)
    await kommo.say(relay.widget_url(oauth), oauth.subdomain, "46", "hola", phone=phone)
    kommo.expire_access_tokens(oauth.subdomain)
    await kommo.say(relay.widget_url(oauth), oauth.subdomain, "46", "Más días", phone=phone)
    body, _ = kommo.widget_request(clinic.subdomain, {"lead_id": "47"}, secret="forged-" + "k" * 32)
    await relay.post_widget(clinic, body)
    await agent.close()
    await relay.wait_for_agent(clinic, connected=False)
    with pytest.raises(InvalidStatus):
        await ScriptedAgent(relay.ws_url, clinic.agent_token + "x").connect()
    await asyncio.sleep(0.1)

    store = SqliteStore(relay.settings.database_path)
    try:
        tokens = await store.kommo_tokens(oauth.name)
    finally:
        store.close_now()
    secrets = [
        clinic.agent_token,
        oauth.agent_token,
        clinic.client_secret,
        oauth.client_secret,
        clinic.long_lived_token,
        tokens.access_token,
        tokens.refresh_token,
        body["token"],
    ]
    relay_records = [r for r in caplog.records if r.name.startswith("relay")]
    assert {"booking", "booked", "continuation_sent", "kommo_tokens_rotated", "kommo_request_refused"} <= {
        r.getMessage() for r in relay_records
    }
    lines = [KeyValueFormatter().format(r) for r in relay_records] + [JsonFormatter().format(r) for r in relay_records]
    text = "\n".join(lines)
    for secret in secrets:
        assert secret and secret not in text
    assert "8877" not in text and "88776655" not in text
    assert f"phone={mask_phone(phone)}" in text


def test_mask_phone_keeps_the_last_three_digits():
    assert mask_phone("+56 9 8877 6655") == "********655"
    assert mask_phone("") == ""
    assert mask_phone("12") == "12"


async def test_healthz_and_metrics_name_no_clinic_without_the_operator_token(make_relay, kommo):
    relay = make_relay(operator_token="op-secret-healthz")
    clinic = relay.add_clinic()
    await relay.agent(clinic)
    await kommo.say(relay.widget_url(clinic), clinic.subdomain, "61", "hola")
    async with httpx.AsyncClient() as http:
        public = await http.get(f"{relay.url}/healthz")
        wrong = await http.get(f"{relay.url}/healthz", headers={"Authorization": "Bearer guess"})
        metrics = await http.get(f"{relay.url}/metrics")
        operator = await http.get(f"{relay.url}/healthz", headers={"Authorization": "Bearer op-secret-healthz"})
    for answer in (public, wrong):
        assert answer.status_code == 200 and answer.json()["status"] == "ok"
        assert answer.json()["clinics_total"] == 1 and answer.json()["clinics_with_agent"] == 1
        assert "clinics" not in answer.json() and clinic.name not in answer.text
    assert clinic.name not in metrics.text
    assert operator.json()["clinics"][clinic.name]["agent_connected"] is True


async def test_without_an_operator_token_only_a_direct_loopback_caller_sees_names(relay):
    clinic = relay.add_clinic()
    async with httpx.AsyncClient() as http:
        direct = await http.get(f"{relay.url}/healthz")
        proxied = await http.get(f"{relay.url}/healthz", headers={"X-Forwarded-For": "203.0.113.9"})
    assert clinic.name in direct.json()["clinics"]
    assert "clinics" not in proxied.json() and clinic.name not in proxied.text


async def test_a_data_folder_that_cannot_be_written_is_one_log_line_and_a_503_not_a_traceback(relay, kommo, caplog):
    """Disk full (or a read-only folder) under a patient's message: Kommo gets 503 with Retry-After, the operator
    one line naming why and where (the folder of the real relay; the failure itself comes from SQLite's words)."""
    import sqlite3

    clinic = relay.add_clinic()

    async def full_disk(scope, receive, send, name):
        raise sqlite3.OperationalError("database or disk is full")

    relay.app.kommo = full_disk
    caplog.set_level(logging.INFO)
    body, _ = kommo.widget_request(clinic.subdomain, {"lead_id": "805", "message": "hola", "name": "Ana",
                                                      "phone": "+56 9 1111 2222"})
    async with httpx.AsyncClient() as http:
        answer = await http.post(relay.widget_url(clinic), json=body)
    assert answer.status_code == 503 and answer.headers["retry-after"] == "30"
    [line] = [r for r in caplog.records if r.getMessage() == "store_unwritable"]
    assert line.relay_fields == {"reason": "disk full", "folder": str(relay.settings.data_dir)}
    assert not any(r.exc_info for r in caplog.records if r.name == "relay.app")
