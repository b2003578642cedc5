"""What survives a relay restart, Kommo's OAuth rotation, Kommo's bad moments and its 7 requests/s."""

from __future__ import annotations

import asyncio

from relay_harness import buttons_of

from relay.store import SqliteStore


async def test_restart_in_the_middle_of_a_conversation(relay, kommo):
    clinic = relay.add_clinic()
    agent = await relay.agent(clinic)
    days = await kommo.say(relay.widget_url(clinic), clinic.subdomain, "31", "hola")
    await agent.close()
    relay.restart()  # same data folder, a new process-worth of relay on a new port
    agent = await relay.agent(clinic)
    times = await kommo.say(relay.widget_url(clinic), clinic.subdomain, "31", buttons_of(days.body)[0])
    assert times.body["data"]["status"] == "choose_time"
    booked = await kommo.say(relay.widget_url(clinic), clinic.subdomain, "31", buttons_of(times.body)[0])
    assert booked.body["data"]["status"] == "booked"
    assert [r for r in kommo.rejections() if r.subdomain == clinic.subdomain] == []


def stored_tokens(relay, name):
    store = SqliteStore(relay.settings.database_path)
    try:
        return asyncio.run(store.kommo_tokens(name))
    finally:
        store.close_now()


async def test_oauth_refresh_rotates_and_persists_before_use(relay, kommo):
    clinic = relay.add_clinic(oauth=True)
    first_refresh = (await asyncio.to_thread(stored_tokens, relay, clinic.name)).refresh_token
    await relay.agent(clinic)
    record = await kommo.say(relay.widget_url(clinic), clinic.subdomain, "32", "hola")
    assert record.accepted and record.authorization_ok
    assert kommo.token_refreshes(clinic.subdomain) == 1
    after_first = await asyncio.to_thread(stored_tokens, relay, clinic.name)
    assert after_first.refresh_token != first_refresh and after_first.access_token

    # 24 h later (access tokens expired at Kommo): a 401, one refresh, and the continuation goes through.
    kommo.expire_access_tokens(clinic.subdomain)
    record = await kommo.say(relay.widget_url(clinic), clinic.subdomain, "32", "Más días")
    assert record.accepted
    assert kommo.token_refreshes(clinic.subdomain) == 2
    after_second = await asyncio.to_thread(stored_tokens, relay, clinic.name)
    assert after_second.refresh_token not in (first_refresh, after_first.refresh_token)

    # A restart uses the persisted (latest) refresh token: an old one would be refused as already used.
    # (The request budget is remembered per process; a real restart takes longer than Kommo's 1 s window.)
    await asyncio.sleep(1.2)
    relay.restart()
    await relay.close_agents()
    await relay.agent(clinic)
    kommo.expire_access_tokens(clinic.subdomain)
    record = await kommo.say(relay.widget_url(clinic), clinic.subdomain, "33", "hola")
    assert record.accepted
    assert kommo.token_refreshes(clinic.subdomain) == 3
    # Only the expected 401s of expired access tokens (each followed by a refresh), nothing else refused.
    assert [r.status_code for r in kommo.rejections() if r.subdomain == clinic.subdomain] == [401, 401]


async def test_concurrent_turns_share_one_refresh(relay, kommo):
    clinic = relay.add_clinic(oauth=True)
    await relay.agent(clinic)
    records = await asyncio.gather(
        *(kommo.say(relay.widget_url(clinic), clinic.subdomain, f"34{i}", "hola") for i in range(5))
    )
    assert all(r.accepted for r in records)
    assert kommo.token_refreshes(clinic.subdomain) == 1


async def test_kommo_5xx_is_retried_with_backoff(make_relay, kommo):
    relay = make_relay(continuation_backoff_s=0.05)
    clinic = relay.add_clinic()
    await relay.agent(clinic)
    kommo.fail_next(clinic.subdomain, count=2, status=503)
    record = await kommo.say(relay.widget_url(clinic), clinic.subdomain, "35", "hola")
    assert record.accepted and record.body["data"]["status"] == "choose_day"
    calls = kommo.continuations(clinic.subdomain)
    assert [c.status_code for c in calls] == [503, 503, 200]


async def test_a_burst_for_one_clinic_never_exceeds_seven_per_second(relay, kommo):
    clinic = relay.add_clinic()
    await relay.agent(clinic)
    records = await asyncio.gather(
        *(kommo.say(relay.widget_url(clinic), clinic.subdomain, f"36{i}", "hola", timeout=60) for i in range(22))
    )
    assert all(r.accepted for r in records)
    assert [r for r in kommo.rejections() if r.subdomain == clinic.subdomain] == []
    times = sorted(c.received_at for c in kommo.continuations(clinic.subdomain))
    assert all(later - earlier >= 1.0 for earlier, later in zip(times, times[7:], strict=False))
