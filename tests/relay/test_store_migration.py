"""A relay upgraded in place: the SQLite file written by the store before schema version 2 (a checked-in dump of
one, tests/relay/fixtures/relay_store_v0.sql) opens with everything it held — clinics, agent and Kommo tokens,
conversations, the replies a repeat gets under any of its keys, the pending turns a restart re-runs, the 24-hour
conversation counts — and takes new turns (real SQLite)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from relay.store import SCHEMA_VERSION, ClinicDetails, PendingTurn, SqliteStore

FIXTURE = Path(__file__).parent / "fixtures" / "relay_store_v0.sql"
NOW = 1796000000.0  # when the fixture was written
AGENT_TOKENS = {"aromos": "ZzbcGUJeM9w9zt9Ku3plQVHWdHGWDdn21z7Q8HoY4kM", "boldos": "7--b4O1sM94CR10OaZbJjVq-e41iw4jH3ZdJ6RmKPUg"}


def old_file(tmp_path: Path) -> Path:
    path = tmp_path / "relay.sqlite3"
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.executescript(FIXTURE.read_text(encoding="utf-8"))
    db.close()
    return path


async def test_an_old_file_keeps_its_clinics_tokens_and_conversations(tmp_path):
    store = SqliteStore(old_file(tmp_path))
    assert [c.name for c in store.list_clinics()] == ["aromos", "boldos"]
    assert store.list_clinics()[0].display_name == "Clínica Los Aromos"
    for name, token in AGENT_TOKENS.items():
        assert (await store.clinic_for_agent_token(token)).name == name
    assert (await store.kommo_tokens("aromos")).long_lived_token == "llt-a"
    boldos = await store.kommo_tokens("boldos")
    assert (boldos.uses_oauth, boldos.refresh_token, boldos.access_token) == (True, "refresh-b", "access-b")
    assert await store.load_conversation("aromos", "lead-1") == {"stage": "time", "patient": {"name": "Ana"}}
    assert await store.load_conversation("boldos", "lead-3") == {"stage": "greeting"}
    assert await store.booking_outcome("aromos", "booking-1") == {"status": "booked", "id": "B-1"}
    # Started within the 24 hours before the fixture was written: two at aromos, one at boldos (two are older).
    assert store.conversation_counts(NOW - 86400) == {"aromos": 2, "boldos": 1}
    assert store.conversation_counts(NOW - 4 * 86400) == {"aromos": 2, "boldos": 3}
    store.close_now()
    db = sqlite3.connect(tmp_path / "relay.sqlite3")
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
    assert not tables & {"deliveries", "pending_turns", "conversation_starts", "conversation_started_by_clinic"}


async def test_an_old_file_recognises_every_key_of_its_deliveries_with_their_replies(tmp_path):
    store = SqliteStore(old_file(tmp_path))
    for key in ("jti:done", "jtilead:done", "msg:done"):
        prior = await store.find_delivery("aromos", [key], NOW)
        assert prior.return_url == "https://aromos.kommo.com/continue/1"
        assert prior.reply == {"data": {"status": "choose_day"}}
    assert (await store.find_delivery("aromos", ["msg:replied"], NOW)).reply == {"data": {"status": "choose_time"}}
    assert (await store.find_delivery("boldos", ["jtilead:open"], NOW)).reply is None  # still being worked on
    assert await store.find_delivery("boldos", ["msg:open"], NOW) is None  # its window had passed
    assert (await store.find_delivery("boldos", ["msg:old"], NOW)).reply == {"data": {"status": "menu"}}
    # A repeat claims nothing.
    again = await store.claim_delivery("aromos", [("jti:new", NOW + 60), ("msg:done", NOW + 5)], "u", NOW)
    assert again is not None and again.reply == {"data": {"status": "choose_day"}}
    store.close_now()


async def test_an_old_file_gives_a_restart_its_unfinished_turns_and_takes_new_ones(tmp_path):
    store = SqliteStore(old_file(tmp_path))
    pending = await store.take_unfinished_turns("me", set(), NOW + 1, 3600)
    assert [(t.turn_id, t.lead_id) for t in pending] == [
        ("jti:replied", "lead-2"), ("jti:old", "lead-4"), ("jti:open", "lead-3"),  # oldest first
    ]
    replied, old, open_turn = pending
    assert replied.reply == {"data": {"status": "choose_time"}} and replied.extras == {"specialty": "Dermatología"}
    assert old.reply == {"data": {"status": "menu"}}  # an older relay kept it on the pending turn
    assert open_turn.reply is None and open_turn.keys == ("jti:open", "jtilead:open", "msg:open")
    assert (open_turn.name, open_turn.phone, open_turn.return_url) == ("Carl", "+1 555", "https://boldos.kommo.com/continue/3")
    # The resumed turn is answered and finished; a restart after that finds only the others.
    await store.settle_reply("boldos", list(open_turn.keys), {"data": {"status": "menu"}}, "lead-3", {"s": 1}, NOW + 2)
    await store.finish_turn("boldos", "jti:open")
    await store.finish_turn("aromos", "jti:replied")
    store.close_now()

    store = SqliteStore(tmp_path / "relay.sqlite3")
    assert [t.turn_id for t in await store.take_unfinished_turns("me", set(), NOW + 3, 3600)] == ["jti:old"]
    assert (await store.find_delivery("boldos", ["jtilead:open"], NOW + 3)).reply == {"data": {"status": "menu"}}
    store.add_clinic(ClinicDetails("canelos", kommo_subdomain="canelos", kommo_client_id="i", kommo_client_secret="s"))
    keys = [("jti:n1", NOW + 3600), ("msg:n1", NOW + 10)]
    turn = PendingTurn(clinic="canelos", turn_id="jti:n1", keys=("jti:n1", "msg:n1"), lead_id="lead-9", message="Hola",
                       name="Eva", phone="+56 9 9", received_at=NOW + 4, return_url="https://canelos.kommo.com/c/9")
    assert await store.claim_delivery("canelos", keys, turn.return_url, NOW + 4, turn) is None
    await store.settle_reply("canelos", ["jti:n1", "msg:n1"], {"data": {"status": "x"}}, "lead-9", {"s": 2}, NOW + 5)
    assert (await store.find_delivery("canelos", ["msg:n1"], NOW + 6)).reply == {"data": {"status": "x"}}
    assert store.conversation_counts(NOW - 86400) == {"aromos": 2, "boldos": 1, "canelos": 1}
    store.close_now()
