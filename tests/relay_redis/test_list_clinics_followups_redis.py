"""`cita-relay list-clinics` counts the follow-ups waiting on the shared Redis: one instance hands a patient off,
the operator's command (another process, through the environment) sees it, and not once acknowledged."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from relay.cluster.client import sync_client
from relay.cluster.keys import followups as followups_key

ROOT = Path(__file__).resolve().parents[2]
CITA_RELAY = ROOT / ".venv" / "bin" / "cita-relay"


def list_clinics(redis_url: str, relay_url: str, *flags: str) -> subprocess.CompletedProcess:
    command = [str(CITA_RELAY)] if CITA_RELAY.exists() else [sys.executable, "-m", "relay.cli"]
    env = {**os.environ, "CITA_RELAY_REDIS_URL": redis_url}
    return subprocess.run([*command, "list-clinics", "--relay", relay_url, *flags], capture_output=True, text=True,
                          timeout=60, cwd=ROOT, env=env)


def waiting_of(redis_url: str, relay_url: str, clinic: str) -> int:
    result = list_clinics(redis_url, relay_url, "--json")
    assert result.returncode == 0, result.stderr
    return next(r for r in json.loads(result.stdout) if r["name"] == clinic)["followups_waiting"]


async def test_follow_ups_waiting_on_redis(relay, kommo, redis_server):
    clinic = relay.add_clinic()
    for lead, url in (("9101", relay.widget_url(clinic)), ("9102", relay.peer.widget_url(clinic))):
        reply = await kommo.say(url, clinic.subdomain, lead, "hola", name="Eva Núñez")  # no agent: hand-off
        assert reply.body["data"]["status"] == "handoff"

    table = list_clinics(redis_server.url, relay.url)
    assert table.returncode == 0, table.stderr
    header, *rows = table.stdout.splitlines()
    assert "FOLLOW-UPS" in header.split()
    row = next(r for r in rows if r.startswith(clinic.name + " "))
    column = header.index("FOLLOW-UPS")
    assert row[column:].split()[0] == "2"
    assert waiting_of(redis_server.url, relay.url, clinic.name) == 2

    # One older than the 7 days a follow-up is kept is not waiting any more, even before the purge removes it.
    client = sync_client(redis_server.url)
    try:
        key = followups_key(clinic.name)
        some_id, raw = next(iter(client.hgetall(key).items()))
        item = json.loads(raw)
        item["created_at"] = time.time() - 8 * 24 * 3600
        client.hset(key, some_id, json.dumps(item))
    finally:
        client.close()
    assert waiting_of(redis_server.url, relay.url, clinic.name) == 1

    agent = await relay.agent(clinic)  # takes what waits and acknowledges it
    await agent.wait_for_events(1)
    for _ in range(400):
        if waiting_of(redis_server.url, relay.url, clinic.name) == 0:
            break
        await asyncio.sleep(0.05)
    assert waiting_of(redis_server.url, relay.url, clinic.name) == 0
