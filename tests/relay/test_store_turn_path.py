"""The SQLite store's per-turn path: the revision read and the claim in one transaction, the conversation the claim
read handed to its turn, and nothing stale once the lead's conversation was written in between (real SQLite)."""

from __future__ import annotations

import time
from pathlib import Path

from relay.store import ClinicDetails, PendingTurn, SqliteStore

URL = "https://c1.kommo.com/api/v4/salesbot/1/continue/2"


def _store(tmp_path: Path) -> SqliteStore:
    store = SqliteStore(tmp_path / "relay.db")
    store.add_clinic(ClinicDetails(name="c1", kommo_subdomain="c1", kommo_client_id="id", kommo_client_secret="s"))
    return store


def _maker(jti: str, lead: str, now: float, seen: list[str]):
    def make(revision: str):
        seen.append(revision)
        keys = [(f"jti:{jti}", now + 60), (f"msg:{jti}:{revision}", now + 10)]
        turn = PendingTurn(
            clinic="c1", turn_id=keys[0][0], keys=tuple(k for k, _ in keys), lead_id=lead, message="hola",
            name="Ana", phone="+56 9", received_at=now, return_url=URL,
        )
        return keys, turn

    return make


async def test_a_claimed_turn_reads_the_conversation_as_the_file_holds_it(tmp_path):
    store = _store(tmp_path)
    now = time.time()
    await store.save_conversation("c1", "L1", {"step": "first"}, now)
    revisions: list[str] = []
    keys, _, prior = await store.claim_turn("c1", "L1", _maker("a", "L1", now, revisions), URL, now)
    assert prior is None and revisions == [await store.conversation_revision("c1", "L1")]
    assert await store.load_conversation("c1", "L1") == {"step": "first"}
    # A second turn of the lead is claimed; before it loads, an earlier turn moves the conversation on.
    await store.claim_turn("c1", "L1", _maker("b", "L1", now + 1, []), URL, now + 1)
    await store.settle_reply("c1", ["jti:a"], {"data": {"status": "menu"}}, "L1", {"step": "second"}, now + 2)
    assert await store.load_conversation("c1", "L1") == {"step": "second"}
    # The same with the conversation ended (forgotten) in between: nothing is loaded.
    await store.claim_turn("c1", "L1", _maker("c", "L1", now + 3, []), URL, now + 3)
    await store.forget_conversation("c1", "L1", now + 4)
    assert await store.load_conversation("c1", "L1") is None
    await store.close()


async def test_a_repeat_is_recognised_in_the_same_transaction_and_claims_nothing(tmp_path):
    store = _store(tmp_path)
    now = time.time()
    keys, _, prior = await store.claim_turn("c1", "L2", _maker("x", "L2", now, []), URL, now)
    assert prior is None
    await store.settle_reply("c1", [k for k, _ in keys], {"data": {"status": "menu"}}, "L2", {"step": "one"}, now)
    _, _, again = await store.claim_turn("c1", "L2", _maker("x", "L2", now + 1, []), URL, now + 1)
    assert again is not None and again.reply == {"data": {"status": "menu"}}
    pending = await store.take_unfinished_turns("me", set(), now + 2, 3600)
    assert [turn.turn_id for turn in pending] == ["jti:x"]  # the repeat wrote no turn of its own
    await store.close()
