"""Redis goes away and comes back: /healthz says so (503, "redis": false) on every instance, Kommo gets a 503 it
may retry, and everything recovers by itself — the agent's connection, the forwarding, the conversation."""

from __future__ import annotations

import asyncio
import signal

import httpx
import pytest
import redis
from pair_harness import RelayPair
from redis_server import RedisServer
from relay_harness import buttons_of
from test_cli import serving, start_serve

from demo.serving import free_port


@pytest.fixture
async def own_redis(tmp_path):
    server = RedisServer(tmp_path / "redis").start()
    yield server
    server.stop()


async def wait_for_health(instance, healthy: bool) -> dict:
    for _ in range(600):
        response = await instance.health_response()
        report = response.json()
        if (response.status_code == 200) == healthy and report["redis"] is healthy:
            return report
        await asyncio.sleep(0.05)
    raise AssertionError(f"{instance.url} never reported redis={healthy}")


async def test_healthz_follows_redis_and_the_relay_recovers_by_itself(tmp_path, kommo, own_redis):
    pair = RelayPair(tmp_path / "pair", kommo, own_redis.url).start()
    try:
        clinic = pair.add_clinic()
        agent = await pair.agent(clinic)  # on B
        url = pair.widget_url(clinic)  # A
        days = await kommo.say(url, clinic.subdomain, "401", "hola")
        assert days.body["data"]["status"] == "choose_day"

        await asyncio.to_thread(own_redis.stop, keep_data=True)  # a Redis restart with its data on disk
        for instance in (pair, pair.peer):
            report = await wait_for_health(instance, healthy=False)
            assert report["status"] == "degraded" and report["store_writable"] is False
        body, _ = kommo.widget_request(clinic.subdomain, {"lead_id": "401", "message": buttons_of(days.body)[0]})
        refused = await pair.post_widget(clinic, body)
        assert refused.status_code == 503 and refused.json()["error"] == "store_unavailable"
        assert not agent.closed.is_set()  # the agent's websocket does not depend on Redis

        await asyncio.to_thread(own_redis.start)
        await wait_for_health(pair, healthy=True)
        # The patient writes the moment A is back, B perhaps still subscribing again: answered, not handed off.
        times = await kommo.say(url, clinic.subdomain, "401", buttons_of(days.body)[0])
        assert times.body["data"]["status"] == "choose_time"
        for instance in (pair, pair.peer):
            report = await wait_for_health(instance, healthy=True)
            assert report["status"] == "ok" and report["clinics"][clinic.name]["agent_connected"] is True
        booked = await kommo.say(url, clinic.subdomain, "401", buttons_of(times.body)[0])
        assert booked.body["data"]["status"] == "booked"
        assert len(agent.bookings) == 1
    finally:
        await pair.close_agents()
        pair.stop()


async def test_agent_records_lost_with_redis_are_written_again(tmp_path, kommo, own_redis):
    """Redis comes back without the agents' records (it had not written them to disk): each instance tells it again
    which agents it holds, as soon as it is subscribed again."""
    pair = RelayPair(tmp_path / "pair", kommo, own_redis.url).start()
    raw = redis.Redis.from_url(own_redis.url)
    try:
        clinic = pair.add_clinic()
        agent = await pair.agent(clinic)  # on B
        kept = {key: raw.dump(key) for key in raw.scan_iter("cita:*") if not key.startswith(b"cita:agent")}
        raw.close()
        await asyncio.to_thread(own_redis.stop)  # no save: everything is gone...
        await asyncio.to_thread(own_redis.start)
        for key, value in kept.items():  # ...but the clinics, as if restored from a backup
            raw.restore(key, 0, value, replace=True)
        await wait_for_health(pair.peer, healthy=True)
        for _ in range(600):  # as A sees it, from B's record
            if (await pair.healthz())["clinics"][clinic.name]["agent_connected"]:
                break
            await asyncio.sleep(0.05)
        else:
            raise AssertionError("the agent's record was never written again")
        record = await kommo.say(pair.widget_url(clinic), clinic.subdomain, "402", "hola")
        assert record.body["data"]["status"] == "choose_day" and len(agent.requests) == 1
    finally:
        raw.close()
        await pair.close_agents()
        pair.stop()


async def test_a_redis_that_comes_back_empty_is_reported_not_ok(tmp_path, kommo, own_redis):
    """Redis restarted without persistence (or flushed): /healthz said "ok" with no clinic at all while every agent
    was refused. It says the data was lost (503, "redis_data_lost"), on every instance."""
    pair = RelayPair(tmp_path / "pair", kommo, own_redis.url).start()
    raw = redis.Redis.from_url(own_redis.url)
    try:
        clinic = pair.add_clinic()
        for instance in (pair, pair.peer):
            await wait_for_health(instance, healthy=True)
        raw.flushall()
        for instance in (pair, pair.peer):
            for _ in range(300):
                response = await instance.health_response()
                if response.status_code == 503 and response.json().get("redis_data_lost"):
                    break
                await asyncio.sleep(0.1)
            else:
                raise AssertionError(f"{instance.url} never reported the data lost: {response.json()}")
            assert response.json()["status"] == "degraded"
        # Kommo's calls meanwhile: 503 it sends again once the backup is back, not 401 (dropped for good)
        body, _ = kommo.widget_request(clinic.subdomain, {"lead_id": "402", "message": "hola"})
        refused = await pair.post_widget(clinic, body)
        assert refused.status_code == 503 and refused.json()["error"] == "store_unavailable"
    finally:
        raw.close()
        await pair.close_agents()
        pair.stop()


async def test_a_relay_started_while_redis_is_down_waits_for_it_instead_of_exiting(tmp_path):
    """`cita-relay serve --redis …` with Redis not up yet (a host booting, Redis restarting): it wrote a traceback and
    exited ("Application startup failed") although its first log line promised 503 on /healthz until Redis answers."""
    server = RedisServer(tmp_path / "redis")  # its port chosen, not started yet
    port = free_port()
    process = start_serve(tmp_path / "relay", port, "--redis", server.url)
    try:
        async with httpx.AsyncClient() as http:
            for _ in range(400):
                try:
                    answer = await http.get(f"http://127.0.0.1:{port}/healthz")
                    break
                except httpx.TransportError:
                    assert process.poll() is None, process.stderr.read() if process.stderr else ""
                    await asyncio.sleep(0.05)
            assert answer.status_code == 503 and answer.json()["redis"] is False
            server.start()
            try:
                health = await serving(http, port)
                assert health["redis"] is True
            finally:
                server.stop()
    finally:
        process.send_signal(signal.SIGTERM)
        _, errors = process.communicate(timeout=60)
    assert "Traceback" not in errors and "startup failed" not in errors
