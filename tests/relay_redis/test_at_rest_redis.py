"""With Redis, a conversation is kept as long as with SQLite: its key expires one hour after the last message
(the figure the guides state), and a forgotten one holds no patient data meanwhile."""

from __future__ import annotations

import os
import time
import uuid

from relay.cluster import keys
from relay.cluster.store import RedisClinicAdmin
from relay.deployment import CONVERSATION_RETENTION_S, open_deployment
from relay.settings import RelaySettings
from relay.store import ClinicDetails


async def test_a_conversation_key_expires_an_hour_after_the_last_message(redis_server, tmp_path):
    name = f"atrest-{os.getpid()}-{time.monotonic_ns() % 10**6}"
    RedisClinicAdmin(redis_server.url).add_clinic(
        ClinicDetails(name, kommo_subdomain="s", kommo_client_id="i", kommo_client_secret="k")
    )
    deployment = open_deployment(RelaySettings(data_dir=tmp_path, redis_url=redis_server.url))  # as `serve` does
    store = deployment.store
    marker = f"Marcador-{uuid.uuid4().hex}"
    client = redis_server.client()
    try:
        await store.save_conversation(name, "lead-9", {"patient": {"name": marker}}, time.time())
        key = keys.conversation(name, "lead-9")
        assert CONVERSATION_RETENTION_S == 3600.0
        assert 3_590_000 < client.pttl(key) <= 3_600_000

        await store.forget_conversation(name, "lead-9", time.time())
        assert marker.encode() not in (client.dump(key) or b"")
        assert 3_590_000 < client.pttl(key) <= 3_600_000  # the tombstone goes too
    finally:
        client.close()
        await store.close()
