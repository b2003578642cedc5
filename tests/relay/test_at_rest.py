"""What the relay leaves on disk and in its logs: a forgotten conversation is gone from the SQLite file and its
write-ahead log after the next purge, and no token sent in a URL's query string reaches a log line."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import time
import uuid
from pathlib import Path

import httpx
import pytest
import websockets
from test_cli import CITA_RELAY, ROOT, add_clinic

from demo.serving import free_port
from relay.deployment import CONVERSATION_RETENTION_S
from relay.logs import redact_query_values
from relay.store import ClinicDetails, SqliteStore


def on_disk(folder: Path, marker: str) -> list[str]:
    """The store's files (database, -wal, -shm) whose bytes hold the marker."""
    return sorted(p.name for p in folder.glob("relay.sqlite3*") if marker.encode() in p.read_bytes())


def conversation(marker: str) -> dict:
    return {"stage": "time", "patient": {"name": f"Ana {marker}", "phone": "+56 9 1234 5678"}, "day": "2026-12-03"}


@pytest.fixture
def store(tmp_path):
    store = SqliteStore(tmp_path / "relay.sqlite3")
    store.checkpoint_in_background()  # as `cita-relay serve` runs it
    store.add_clinic(ClinicDetails("aromos", kommo_subdomain="aromos", kommo_client_id="i", kommo_client_secret="s"))
    yield store
    store.close_now()


async def test_a_forgotten_conversation_is_gone_from_the_files_after_the_purge(store, tmp_path):
    marker = f"Marcador-{uuid.uuid4().hex}"
    now = time.time()
    for n in range(20):  # other patients' conversations around it, before and after
        await store.save_conversation("aromos", f"lead-{n}", conversation(f"otro-{n}"), now)
    await store.save_conversation("aromos", "lead-77", conversation(marker), now)
    await store.save_conversation("aromos", "lead-77", {**conversation(marker), "stage": "confirm"}, now + 1)
    assert on_disk(tmp_path, marker)  # it is written, so looking for it means something

    await store.forget_conversation("aromos", "lead-77", now + 2)  # the booking is done
    await store.purge_expired(now + 3, CONVERSATION_RETENTION_S)

    assert on_disk(tmp_path, marker) == []
    assert await store.load_conversation("aromos", "lead-77") is None
    assert (await store.load_conversation("aromos", "lead-3"))["patient"]["name"] == "Ana otro-3"


async def test_an_idle_conversation_is_gone_from_the_files_after_the_retention(store, tmp_path):
    marker = f"Marcador-{uuid.uuid4().hex}"
    now = time.time()
    await store.save_conversation("aromos", "lead-5", conversation(marker), now)
    await store.purge_expired(now + 60, CONVERSATION_RETENTION_S)  # not yet: the patient may still answer
    assert await store.load_conversation("aromos", "lead-5") is not None

    await store.purge_expired(now + CONVERSATION_RETENTION_S + 1, CONVERSATION_RETENTION_S)

    assert await store.load_conversation("aromos", "lead-5") is None
    assert on_disk(tmp_path, marker) == []


def test_query_values_and_bearer_tokens_are_masked_in_a_line():
    assert redact_query_values('127.0.0.1:5000 - "GET /agent?token=abc123&lead=7 HTTP/1.1" 401') == \
        '127.0.0.1:5000 - "GET /agent?token=***&lead=*** HTTP/1.1" 401'
    assert redact_query_values("Authorization: Bearer eyJhbGciOi.x.y") == "Authorization: Bearer ***"
    line = "event=agent_connected clinic=aromos peer=127.0.0.1 version=0.9.0"
    assert redact_query_values(line) == line


async def test_serve_never_logs_a_token_sent_in_a_query_string(tmp_path):
    agent_token = add_clinic(tmp_path, "clinica-logs").stdout.rstrip("\n").split("\n")[-1]
    secrets = {"agent": agent_token, "kommo": f"kommo-{uuid.uuid4().hex}", "oauth": f"code-{uuid.uuid4().hex}"}
    port = free_port()
    env = {**os.environ, "CITA_RELAY_LOG_FORMAT": "kv"}
    process = subprocess.Popen(
        [str(CITA_RELAY), "serve", "--port", str(port), "--data", str(tmp_path), "--access-log", "--log-level",
         "debug"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient() as http:
            for _ in range(200):
                try:
                    await http.get(f"{base}/healthz?token={secrets['agent']}")
                    break
                except httpx.TransportError:
                    await asyncio.sleep(0.05)
            else:
                raise AssertionError("cita-relay serve did not come up")
            await http.post(f"{base}/kommo/clinica-logs?token={secrets['kommo']}", json={"token": "x"})
            await http.get(f"{base}/kommo/oauth/clinica-logs?code={secrets['oauth']}&state=s")
        with pytest.raises(websockets.InvalidStatus):  # a token in the URL is not how agents authenticate
            async with websockets.connect(f"ws://127.0.0.1:{port}/agent?token={secrets['agent']}"):
                pass
    finally:
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=30)
    assert "/healthz?token=***" in stderr and "/kommo/clinica-logs?token=***" in stderr
    assert "code=***&state=***" in stderr
    for name, value in secrets.items():
        assert value not in stderr, name
