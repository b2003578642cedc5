"""The SQLite store's schema-2 layout (turns in expiry order, delivery keys apart, starts counted per minute) keeps
what the relay promises: the purge forgets expired deliveries but never a pending turn, a key taken over by a new
delivery stays, `list-clinics` counts survive the purge of the conversations they count, and a finished turn's
patient data is gone from the files (real SQLite)."""

from __future__ import annotations

import asyncio
import time
import uuid
from pathlib import Path

from relay.store import ClinicDetails, PendingTurn, SqliteStore, _Checkpointer

URL = "https://c1.kommo.com/api/v4/salesbot/1/continue/2"


def _store(tmp_path: Path) -> SqliteStore:
    store = SqliteStore(tmp_path / "relay.sqlite3")
    store.add_clinic(ClinicDetails(name="c1", kommo_subdomain="c1", kommo_client_id="id", kommo_client_secret="s"))
    return store


def _turn(jti: str, now: float, *, name: str = "Ana", memory_s: float = 3600) -> tuple[list, PendingTurn]:
    keys = [(f"jti:{jti}", now + memory_s), (f"msg:{jti}", now + 5)]
    turn = PendingTurn(clinic="c1", turn_id=keys[0][0], keys=tuple(k for k, _ in keys), lead_id=f"lead-{jti}",
                       message="hola", name=name, phone="+56 9 1234 5678", received_at=now, return_url=URL)
    return keys, turn


async def test_the_purge_forgets_expired_deliveries_and_keeps_pending_turns(tmp_path):
    store = _store(tmp_path)
    now = time.time()
    for jti in ("done", "open"):
        keys, turn = _turn(jti, now, memory_s=60)
        assert await store.claim_delivery("c1", keys, URL, now, turn) is None
        await store.settle_reply("c1", [k for k, _ in keys], {"data": {"status": jti}}, turn.lead_id, {"s": 1}, now)
    await store.finish_turn("c1", "jti:done")
    keys, turn = _turn("later", now, memory_s=7200)
    await store.claim_delivery("c1", keys, URL, now, turn)

    await store.purge_expired(now + 120, 3600)

    assert await store.find_delivery("c1", ["jti:done"], now) is None  # gone, not merely expired
    assert (await store.find_delivery("c1", ["jti:later"], now + 120)).return_url == URL
    # Its keys expired, its continuation has not gone out: a restart still re-runs it, with its reply.
    pending = await store.take_unfinished_turns("me", set(), now + 121, 3600)
    assert [(t.turn_id, t.reply) for t in pending] == [("jti:open", {"data": {"status": "open"}}), ("jti:later", None)]
    store.close_now()


async def test_a_key_taken_over_by_a_new_delivery_outlives_the_old_one(tmp_path):
    store = _store(tmp_path)
    now = time.time()
    old_keys = [("jti:a", now + 60), ("msg:same", now + 5)]
    assert await store.claim_delivery("c1", old_keys, "u-old", now) is None
    await store.record_reply("c1", ["jti:a", "msg:same"], {"data": {"status": "old"}})
    # The same message after its window: a new delivery, whose key lives longer than the old delivery.
    assert await store.claim_delivery("c1", [("jti:b", now + 600), ("msg:same", now + 600)], "u-new", now + 10) is None
    await store.record_reply("c1", ["jti:b", "msg:same"], {"data": {"status": "new"}})

    await store.purge_expired(now + 120, 3600)  # the old delivery expired and is purged

    prior = await store.find_delivery("c1", ["msg:same"], now + 130)
    assert prior is not None and (prior.return_url, prior.reply) == ("u-new", {"data": {"status": "new"}})
    store.close_now()


async def test_conversation_counts_survive_the_purge_of_their_conversations(tmp_path):
    store = _store(tmp_path)
    store.add_clinic(ClinicDetails(name="c2", kommo_subdomain="c2", kommo_client_id="id", kommo_client_secret="s"))
    now = time.time()
    await store.save_conversation("c1", "lead-1", {"s": 1}, now - 7200)
    await store.save_conversation("c1", "lead-1", {"s": 2}, now - 7100)  # the same conversation, saved again
    await store.settle_reply("c1", [], {"data": {}}, "lead-2", {"s": 1}, now - 60)
    await store.forget_conversation("c2", "lead-3", now - 30)  # a tombstone is no start
    await store.save_conversation("c2", "lead-4", {"s": 1}, now - 30)
    assert store.conversation_counts(now - 86400) == {"c1": 2, "c2": 1}

    await store.purge_expired(now, 3600)  # lead-1 was idle for an hour: deleted, still counted

    assert await store.load_conversation("c1", "lead-1") is None
    assert store.conversation_counts(now - 86400) == {"c1": 2, "c2": 1}
    assert store.conversation_counts(now - 3600) == {"c1": 1, "c2": 1}
    await store.purge_expired(now + 2 * 86400, 3600)  # two days later: the counted minutes are gone too
    assert store.conversation_counts(now + 86400) == {}
    assert store._db.execute("SELECT COUNT(*) FROM conversation_minutes").fetchone()[0] == 0
    store.close_now()


async def test_a_finished_turns_patient_data_is_gone_from_the_files(tmp_path):
    store = SqliteStore(tmp_path / "relay.sqlite3")
    store.checkpoint_in_background()  # as `cita-relay serve` runs it
    store.add_clinic(ClinicDetails(name="c1", kommo_subdomain="c1", kommo_client_id="id", kommo_client_secret="s"))
    marker = f"Marcador-{uuid.uuid4().hex}"
    now = time.time()
    for n in range(30):  # other turns around it
        keys, turn = _turn(f"other-{n}", now)
        await store.claim_delivery("c1", keys, URL, now, turn)
    keys, turn = _turn("it", now, name=marker)
    await store.claim_delivery("c1", keys, URL, now, turn)
    await store.settle_reply("c1", [k for k, _ in keys], {"data": {"status": "menu"}}, turn.lead_id, None, now)
    assert any(marker.encode() in p.read_bytes() for p in tmp_path.glob("relay.sqlite3*"))

    await store.finish_turn("c1", "jti:it")
    await store.purge_expired(now + 1, 3600)  # the delivery is kept (its keys live on), its pending turn is not

    assert [p.name for p in tmp_path.glob("relay.sqlite3*") if marker.encode() in p.read_bytes()] == []
    assert (await store.find_delivery("c1", ["jti:it"], now + 2)).reply == {"data": {"status": "menu"}}
    store.close_now()


async def test_under_steady_traffic_the_write_ahead_log_starts_over_instead_of_growing(tmp_path):
    """Each checkpoint is left behind by the commits made while it copies; without catching up, the log's file
    would grow with every turn until the minute's purge (hundreds of MB at a few hundred turns a second)."""
    store = _store(tmp_path)
    store._db.execute("PRAGMA wal_autocheckpoint=0")  # as `cita-relay serve` runs it, with checkpoints 10x as often
    store._checkpointer = _Checkpointer(tmp_path / "relay.sqlite3", interval_s=0.2)
    wal = tmp_path / "relay.sqlite3-wal"
    written = 0
    now = time.time()
    for n in range(1500):  # ~3 s of turns at a steady pace, each claimed and settled: two commits
        keys, turn = _turn(f"steady-{n}", now)
        await store.claim_delivery("c1", keys, URL, now, turn)
        await store.settle_reply("c1", [k for k, _ in keys], {"data": {"status": "menu"}}, turn.lead_id, {"s": n}, now)
        await store.finish_turn("c1", turn.turn_id)
        written = max(written, wal.stat().st_size)
        await asyncio.sleep(0.002)
    frames = store._db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()[1]
    store.close_now()
    # Grown with every commit, the log would hold every page written (each turn writes several: ~10,000 here) in
    # a file of ~40 MB; starting over, it holds what came since the last catch-up.
    assert frames < 1500 and written < 15_000_000
