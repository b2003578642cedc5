"""A follow-up's Kommo writes still owed are kept in the store that several instances share (a real
redis-server): another instance takes them over only once the one that owed them has let its hold run out, and
never two at once; what was paid or forgiven is gone. The SQLite store beside it: the next run takes them at once."""

from __future__ import annotations

from relay.cluster.client import async_client
from relay.cluster.followups_store import RedisFollowUps
from relay.followups_store import KommoDebt, SqliteFollowUps
from wire.handoff import HandoffEvent


def debt(followup_id: str, lead: str, clinic: str = "sol") -> KommoDebt:
    event = HandoffEvent(id=followup_id, at="2026-12-04T10:00:00-03:00", lead_id=lead, name="Rosa Vera Ñuñoa",
                         phone="+56 9 7000 0711", reason="paused", said=())
    return KommoDebt(clinic, event, ("task", "note"), 0)


async def test_another_instance_takes_a_debt_only_after_its_hold_ran_out_and_only_once(redis_server):
    one, two, three = (RedisFollowUps(async_client(redis_server.url)) for _ in range(3))
    try:
        await one.owe_kommo(debt("fu-1", "711"), "one", held_until=100.0)
        await one.owe_kommo(debt("fu-2", "712"), "one", held_until=500.0)
        assert await two.take_kommo_debts("two", now=50.0, hold_until=170.0) == []  # "one" still holds both
        assert await one.take_kommo_debts("one", now=600.0, hold_until=720.0) == []  # its own are never taken
        [taken] = await two.take_kommo_debts("two", now=150.0, hold_until=270.0)
        assert taken == debt("fu-1", "711")  # the event as it was, an empty list and "Ñ" included
        assert await three.take_kommo_debts("three", now=160.0, hold_until=280.0) == []  # "two" holds it now
        await two.paid_kommo("sol", "fu-1")
        await one.forgive_kommo("sol", "712")
        assert await three.take_kommo_debts("three", now=10_000.0, hold_until=10_120.0) == []
    finally:
        for store in (one, two, three):
            await store.close()


async def test_the_next_run_on_sqlite_takes_what_an_earlier_one_owed_at_once(tmp_path):
    earlier = SqliteFollowUps(tmp_path / "relay.sqlite3")
    await earlier.owe_kommo(debt("fu-1", "711"), "earlier", held_until=1_000.0)
    await earlier.owe_kommo(debt("fu-2", "712", clinic="luna"), "earlier", held_until=1_000.0)
    await earlier.forgive_kommo("luna", "712")
    await earlier.close()
    later = SqliteFollowUps(tmp_path / "relay.sqlite3")
    try:
        assert await later.take_kommo_debts("later", now=10.0, hold_until=130.0) == [debt("fu-1", "711")]
        assert await later.take_kommo_debts("later", now=2_000.0, hold_until=2_120.0) == []  # its own now
    finally:
        await later.close()


async def test_a_clinics_debts_are_read_with_kommos_last_answer_on_both_stores(redis_server, tmp_path):
    """What `check-clinic` reports: the clinic's writes still owed (not another clinic's), with Kommo's last answer."""
    refused = KommoDebt("sol", debt("fu-1", "711").event, ("task",), 2, status=403)
    for store in (RedisFollowUps(async_client(redis_server.url)), SqliteFollowUps(tmp_path / "relay.sqlite3")):
        try:
            await store.owe_kommo(refused, "one", held_until=100.0)
            await store.owe_kommo(debt("fu-2", "712", clinic="solar"), "one", held_until=100.0)
            assert await store.kommo_debts_of("sol") == [refused]
            await store.paid_kommo("sol", "fu-1")
            assert await store.kommo_debts_of("sol") == []
        finally:
            await store.close()
