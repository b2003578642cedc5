"""The engine end to end over a real websocket, with the in-memory web app behind the driver interface."""

from __future__ import annotations

import asyncio
import json

from agent_testkit import FakeDriver, book_args
from polling import wait_until

from agent import appointments
from agent.engine import Engine
from agent.events import BookingRecorded, LinkChanged, PauseChanged, PortalChangedState, RequestServed, SlotsRefreshed
from agent.journal import BOOKED, FAILED, HANDOFF, BookingJournal
from agent.portal.base import Booking, PortalUnavailable
from agent.portal.capabilities import DriverCapabilities
from agent.runtime_state import load_state
from agent.secrets import PORTAL_PASSWORD, RELAY_TOKEN


async def test_slots_come_from_the_warm_cache_without_touching_the_browser(start_engine, relay, portal):
    run = start_engine()
    await run.wait_event(SlotsRefreshed)
    reads_before = portal.reads

    answers = [await relay.request("slots", {"days": 14}) for _ in range(5)]

    assert portal.reads == reads_before  # served from memory
    assert portal.starts == 1 and portal.logins == 1  # one browser, one login
    for answer in answers:
        assert answer["ok"] is True
        assert answer["result"]["age_s"] >= 0
        assert {s["id"] for s in answer["result"]["slots"]} <= {s.id for s in portal.free()}
    assert len(answers[0]["result"]["slots"]) > 0
    assert all(e.ok for e in run.of(RequestServed))


async def test_slots_for_one_professional_and_fewer_days(start_engine, relay, portal):
    run = start_engine()
    await run.wait_event(SlotsRefreshed)

    everyone = (await relay.request("slots", {"days": 14}))["result"]["slots"]
    soto = (await relay.request("slots", {"days": 14, "professional": "dra. soto"}))["result"]["slots"]
    two_days = (await relay.request("slots", {"days": 2}))["result"]["slots"]

    assert soto and {s["professional"] for s in soto} == {"Dra. Soto"}
    assert len(soto) < len(everyone)
    assert two_days and len(two_days) < len(everyone)
    assert max(s["start"] for s in two_days) < max(s["start"] for s in everyone)


async def test_a_cold_cache_is_read_within_the_request_deadline(start_engine, relay, portal):
    portal.read_gate = asyncio.Event()  # the first read is slow
    start_engine()
    await relay.connected.wait()

    asking = asyncio.create_task(relay.request("slots", {"days": 14}, timeout_s=30))
    await wait_until(lambda: portal.starts == 1)
    portal.read_gate.set()
    answer = await asking

    assert answer["ok"] is True and answer["result"]["slots"]
    assert portal.reads == 1  # the request joined the read under way, it did not start another


async def test_a_cold_cache_that_cannot_be_read_in_time_gives_a_timeout_not_silence(start_engine, relay, portal):
    portal.read_gate = asyncio.Event()  # the web app hangs
    start_engine()

    answer = await relay.request("slots", {"days": 14}, timeout_s=1.0)

    assert answer["ok"] is False and answer["error"]["code"] == "timeout"
    portal.read_gate.set()


async def test_a_booking_goes_through_the_journal_and_a_repeat_returns_the_first_outcome(
    start_engine, relay, portal, agent_paths
):
    run = start_engine()
    await run.wait_event(SlotsRefreshed)
    slot = (await relay.request("slots", {"days": 14}))["result"]["slots"][3]

    first = await relay.request("book", book_args(slot["id"], "lead-7:conv-1:" + slot["id"]))
    repeats = [await relay.request("book", book_args(slot["id"], "lead-7:conv-1:" + slot["id"])) for _ in range(4)]

    assert first["ok"] is True and first["result"]["repeat"] is False
    assert (first["result"]["start"], first["result"]["professional"]) == (slot["start"], slot["professional"])
    assert all(r["ok"] and r["result"]["repeat"] is True for r in repeats)
    assert {r["result"]["booking_id"] for r in repeats} == {first["result"]["booking_id"]}
    assert portal.book_calls == 1
    assert [b.slot.id for b in portal.appointments.values()] == [slot["id"]]

    entry = BookingJournal(agent_paths.journal_file).get("lead-7:conv-1:" + slot["id"])
    assert entry.status == BOOKED and entry.booking_id == first["result"]["booking_id"]
    assert [e.status for e in run.of(BookingRecorded)] == ["in_progress", "booked"]
    # The booked slot is no longer offered, even before the next read of the web app.
    after = (await relay.request("slots", {"days": 14}))["result"]["slots"]
    assert slot["id"] not in {s["id"] for s in after}


async def test_a_repeat_during_the_first_attempt_waits_for_it(start_engine, relay, portal):
    run = start_engine()
    await run.wait_event(SlotsRefreshed)
    slot = portal.free()[5]
    portal.book_gate = asyncio.Event()

    first = asyncio.create_task(relay.request("book", book_args(slot.id, "k-concurrent")))
    await wait_until(lambda: portal.book_calls == 1)
    second = asyncio.create_task(relay.request("book", book_args(slot.id, "k-concurrent")))
    await asyncio.sleep(0.1)
    portal.book_gate.set()
    first, second = await first, await second

    assert first["ok"] and second["ok"]
    assert first["result"]["booking_id"] == second["result"]["booking_id"]
    assert (first["result"]["repeat"], second["result"]["repeat"]) == (False, True)
    assert portal.book_calls == 1


async def test_a_slot_taken_meanwhile_gives_alternatives_nearest_first(start_engine, relay, portal):
    run = start_engine()
    await run.wait_event(SlotsRefreshed)
    offered = (await relay.request("slots", {"days": 14}))["result"]["slots"]
    wanted = offered[7]
    portal.take(wanted["id"])  # the receptionist booked it by phone a moment ago
    reads_before = portal.reads

    answer = await relay.request("book", book_args(wanted["id"], "k-taken"))

    assert answer["ok"] is False and answer["error"]["code"] == "slot_taken"
    alternatives = answer["error"]["alternatives"]
    assert alternatives and wanted["id"] not in {a["id"] for a in alternatives}
    first = alternatives[0]
    assert first["start"][:10] == wanted["start"][:10] and first["professional"] == wanted["professional"]
    assert len(portal.appointments) == 1  # nothing written by the agent
    await wait_until(lambda: portal.reads > reads_before)  # that day is read again
    repeat = await relay.request("book", book_args(wanted["id"], "k-taken"))
    assert repeat["error"]["code"] == "slot_taken" and portal.book_calls == 1


class CancellingDriver(FakeDriver):
    """The fake web app's driver with the optional find-and-cancel capability."""

    capabilities = DriverCapabilities(can_cancel=True, can_find_by_phone=True)

    async def find_bookings(self, phone: str, days: int = 15) -> list[Booking]:
        return [b for b in self.portal.appointments.values() if b.patient.phone == phone]

    async def cancel(self, booking_id: str, reference: str = "") -> bool:
        found = next(ref for ref, b in self.portal.appointments.items() if b.id == booking_id)
        del self.portal.appointments[found]
        return True


async def test_a_cancelled_appointments_time_is_offered_again_soon(start_engine, relay, portal, monkeypatch):
    """Cancelled from the chat, its time is free in the web app: the agent reads that day again right away, so a
    patient who wants it back (or anyone else) is not told for minutes that it is taken."""
    monkeypatch.setattr(portal, "driver", lambda *_, credentials=None, **__: CancellingDriver(portal, credentials))
    run = start_engine()
    await run.wait_event(SlotsRefreshed)
    wanted = (await relay.request("slots", {"days": 14}))["result"]["slots"][4]
    booked = await relay.request("book", book_args(wanted["id"], "k-back"))
    await wait_until(lambda: portal.reads >= 2)  # the day re-read after the booking
    slots = (await relay.request("slots", {"days": 14}))["result"]["slots"]
    assert wanted["id"] not in {s["id"] for s in slots}
    reads_before = portal.reads

    cancel = {"booking_id": booked["result"]["booking_id"], "idempotency_key": "c-back", "phone": "+56 9 1234 5678"}
    answer = await relay.request("cancel", cancel)
    assert answer["ok"] is True, answer

    await wait_until(lambda: portal.reads > reads_before)  # that day is read again, not at the next 5-minute read
    slots = (await relay.request("slots", {"days": 14}))["result"]["slots"]
    assert wanted["id"] in {s["id"] for s in slots}


class SlowCancelDriver(CancellingDriver):
    """A web app that takes its time over a cancel: the driver gives up (no answer), the web app writes it later."""

    async def cancel(self, booking_id: str, reference: str = "") -> bool:
        async def written_later() -> None:
            await asyncio.sleep(0.3)
            await CancellingDriver.cancel(self, booking_id, reference)

        self.portal.later = asyncio.get_running_loop().create_task(written_later())
        await asyncio.sleep(0.1)
        raise PortalUnavailable("the appointment screen did not answer in time")


async def test_a_cancel_the_web_app_was_slow_to_write_is_not_called_failed(start_engine, relay, portal, monkeypatch):
    """The web app answered a cancel late: the agent gave up, looked at once, saw the appointment and said "not
    cancelled" — the patient heard "sigue reservada" and the web app cancelled it seconds later."""
    monkeypatch.setattr(appointments, "CANCEL_SLOW_S", 0.05)
    monkeypatch.setattr(appointments, "CANCEL_SETTLE_S", (0.2, 0.4))
    monkeypatch.setattr(portal, "driver", lambda *_, credentials=None, **__: SlowCancelDriver(portal, credentials))
    run = start_engine()
    await run.wait_event(SlotsRefreshed)
    wanted = (await relay.request("slots", {"days": 14}))["result"]["slots"][2]
    booked = await relay.request("book", book_args(wanted["id"], "k-slow"))
    cancel = {"booking_id": booked["result"]["booking_id"], "idempotency_key": "c-slow", "phone": "+56 9 1234 5678"}
    answer = await relay.request("cancel", cancel)
    assert answer["ok"] is True, answer  # gone when looked at again: it was cancelled
    assert portal.appointments == {}


async def test_pause_answers_paused_without_the_browser_and_keeps_the_request(start_engine, relay, portal,
                                                                             agent_paths):
    run = start_engine()
    await run.wait_event(SlotsRefreshed)
    await run.engine.set_paused(True)
    await relay.next_status(paused=True)
    slot = portal.free()[0]
    calls_before = (portal.reads, portal.book_calls, portal.starts)

    slots = await relay.request("slots", {"days": 14})
    booking = await relay.request("book", book_args(slot.id, "k-paused"))

    assert slots["error"]["code"] == "paused" and booking["error"]["code"] == "paused"
    assert (portal.reads, portal.book_calls, portal.starts) == calls_before
    entry = BookingJournal(agent_paths.journal_file).get("k-paused")
    assert entry.status == HANDOFF and entry.error_code == "paused" and entry.patient_name == "Ana Pérez"
    assert load_state(agent_paths.state_file).paused is True
    assert run.of(PauseChanged) == [PauseChanged(True)]

    await run.engine.set_paused(False)
    await relay.next_status(paused=False)
    assert (await relay.request("slots", {"days": 14}))["ok"] is True


async def test_pause_survives_a_restart_and_a_paused_start_never_opens_the_browser(start_engine, relay, portal):
    first = start_engine()
    await first.wait_event(SlotsRefreshed)
    await first.engine.set_paused(True)
    await first.stop()
    starts = portal.starts

    second = start_engine()
    status = await relay.next_status(paused=True)
    answer = await relay.request("slots", {"days": 3})

    assert status["paused"] is True and second.engine.snapshot().paused is True
    assert answer["error"]["code"] == "paused"
    assert portal.starts == starts


async def test_a_wrong_password_is_tried_once_and_reported(start_engine, relay, portal, secrets):
    secrets.set(PORTAL_PASSWORD, "equivocada")
    run = start_engine()

    await run.wait_event(PortalChangedState, lambda e: e.state == "login_failed")
    status = await relay.next_status(portal="login_failed")
    slots = await relay.request("slots", {"days": 14})
    booking = await relay.request("book", book_args(portal.free()[0].id, "k-wrong-pw"))
    await run.engine.refresh_now()
    await run.engine.refresh_now()

    assert status["paused"] is False
    assert slots["error"]["code"] == "login_failed"
    assert booking["error"]["code"] == "login_failed"
    assert run.engine.journal.get("k-wrong-pw").status == HANDOFF
    assert portal.login_attempts == 1 and portal.book_calls == 0
    assert run.engine.snapshot().portal == "login_failed"

    # The receptionist stores the right password: the agent tries it (once) and is back.
    secrets.set(PORTAL_PASSWORD, "correcta-123")
    await run.engine.reload_settings(run.engine.settings)
    await relay.next_status(portal="ok")
    assert (await relay.request("slots", {"days": 14}))["ok"] is True
    assert portal.login_attempts == 2


async def test_a_locked_account_is_reported_as_locked(start_engine, relay, portal):
    portal.failed_logins = 5
    run = start_engine()
    await run.wait_event(PortalChangedState, lambda e: e.state == "locked")
    await relay.next_status(portal="locked")
    answer = await relay.request("slots", {"days": 14})
    assert answer["error"]["code"] == "account_locked"
    assert portal.login_attempts == 1


async def test_a_booking_that_outlives_its_deadline_still_completes_once(start_engine, relay, portal):
    run = start_engine()
    await run.wait_event(SlotsRefreshed)
    slot = portal.free()[2]
    portal.book_gate = asyncio.Event()

    late = await relay.request("book", book_args(slot.id, "k-late"), timeout_s=1.0)
    assert late["error"]["code"] == "timeout"
    portal.book_gate.set()
    repeat = await relay.request("book", book_args(slot.id, "k-late"))

    assert repeat["ok"] and repeat["result"]["repeat"] is True
    assert portal.book_calls == 1 and len(portal.appointments) == 1


async def test_an_unclear_booking_is_looked_up_not_guessed(start_engine, relay, portal):
    from agent.portal.base import PortalUnavailable

    run = start_engine()
    await run.wait_event(SlotsRefreshed)
    saved, lost = portal.free()[0], portal.free()[1]

    portal.book_failure, portal.write_before_failure = PortalUnavailable("no confirmation page"), True
    answer = await relay.request("book", book_args(saved.id, "k-saved"))
    assert answer["ok"] is True and answer["result"]["booking_id"] == portal.appointments["k-saved"].id

    portal.book_failure, portal.write_before_failure = PortalUnavailable("the form did not send"), False
    answer = await relay.request("book", book_args(lost.id, "k-lost"))
    assert answer["ok"] is False
    assert run.engine.journal.get("k-lost").status == FAILED
    assert portal.lookups == 2 and portal.book_calls == 2


async def test_a_booking_screen_that_changed_is_answered_as_such_once_looked_up(start_engine, relay, portal):
    from agent.portal.base import PortalChanged

    run = start_engine()
    await run.wait_event(SlotsRefreshed)
    portal.book_failure = PortalChanged("calendar", "calendar (#calendar)")
    portal.write_before_failure = False
    answer = await relay.request("book", book_args(portal.free()[0].id, "k-changed"))
    # Not "internal" (the receptionist's row read "falló el servidor"): the web app's screen changed, nothing written
    assert answer["ok"] is False and answer["error"]["code"] == "portal_changed"
    assert answer["error"]["nothing_written"] is True
    assert run.engine.journal.get("k-changed").status == FAILED and portal.lookups == 1


async def test_a_failure_the_driver_knows_wrote_nothing_is_answered_at_once_without_a_look_up(start_engine, relay, portal):
    from agent.portal.base import PortalBusy, PortalUnavailable

    run = start_engine()
    await run.wait_event(SlotsRefreshed)
    first, second = portal.free()[0], portal.free()[1]

    portal.book_failure = PortalUnavailable("down before the form was sent", nothing_written=True)
    portal.write_before_failure = False
    answer = await relay.request("book", book_args(first.id, "k-unsent"))
    assert answer["ok"] is False and answer["error"]["code"] == "portal_down"
    assert answer["error"]["nothing_written"] is True
    assert run.engine.journal.get("k-unsent").status == FAILED

    portal.book_failure = PortalBusy("too many requests", retry_after_s=90)
    answer = await relay.request("book", book_args(second.id, "k-busy"))
    assert answer["ok"] is False and answer["error"]["code"] == "portal_down"
    assert run.engine.journal.get("k-busy").status == FAILED
    assert portal.lookups == 0


async def test_malformed_and_unknown_requests_are_refused_without_acting(start_engine, relay, portal):
    run = start_engine()
    await run.wait_event(SlotsRefreshed)
    await relay.connected.wait()

    refusals = []
    for frame in (
        {"type": "request", "id": "x1", "op": "navigate", "timeout_s": 5, "args": {"url": "https://evil.example"}},
        {"type": "request", "id": "x2", "op": "book", "timeout_s": 5, "args": {"slot_id": "a b", "patient": {}}},
        {"type": "request", "id": "x3", "op": "slots", "timeout_s": 5, "args": {"days": 400}},
        {"type": "request", "id": "x4", "op": "slots", "timeout_s": -1, "args": {}},
        # An optional operation this agent's driver cannot do: refused, so the relay hands the patient off.
        {"type": "request", "id": "x5", "op": "cancel", "timeout_s": 5,
         "args": {"booking_id": "bk-1", "idempotency_key": "k-1"}},
    ):
        waiting = asyncio.create_task(relay.expect_response(frame["id"]))
        await relay.send_raw(json.dumps(frame))
        refusals.append(await waiting)
    await relay.send_raw("not json at all")
    ok = await relay.request("slots", {"days": 1})  # still serving

    assert [r["error"]["code"] for r in refusals] == ["bad_request"] * 5
    assert ok["ok"] is True
    assert portal.book_calls == 0


async def test_status_is_sent_on_connect_and_on_every_change(start_engine, relay, portal):
    run = start_engine()
    first = await relay.next_status()
    assert first["paused"] is False and first["version"]
    if first["portal"] != "ok":  # connected before the first read of the web app: its outcome follows
        await relay.next_status(portal="ok")

    await run.engine.set_paused(True)
    assert (await relay.next_status())["paused"] is True
    portal.down = True  # the next read fails
    await run.engine.cache.refresh()
    assert (await relay.next_status(portal="down"))["paused"] is True


async def test_stop_closes_the_browser_and_records_the_state(start_engine, relay, portal, agent_paths):
    run = start_engine()
    await run.wait_event(SlotsRefreshed)
    await run.wait_event(LinkChanged, lambda e: e.state == "connected")
    assert load_state(agent_paths.state_file).link == "connected"
    await run.stop()
    await run.stop()  # idempotent

    state = load_state(agent_paths.state_file)
    assert portal.closes >= 1
    assert (state.link, state.pid, state.portal) == ("disconnected", 0, "ok")
    assert state.last_refresh


async def test_the_engine_can_be_built_outside_a_loop_and_run_in_a_worker_thread(agent_paths, secrets, portal,
                                                                              relay):
    import threading

    from agent.settings import AgentSettings

    settings = AgentSettings(relay_url=relay.url, portal_url="http://127.0.0.1:9/", portal_user="recepcion")
    engine = Engine(agent_paths, settings, secrets, driver_factory=portal.driver)
    loop = asyncio.new_event_loop()
    worker = threading.Thread(target=loop.run_until_complete, args=(engine.run(),), daemon=True)
    worker.start()
    try:
        await wait_until(lambda: engine.snapshot().link == "connected" and engine.snapshot().slot_count > 0)
        await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(engine.set_paused(True), loop))
        await relay.next_status(paused=True)
        engine.nudge()  # from another thread
    finally:
        await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(engine.stop(), loop))  # the relay's loop runs on
        await asyncio.to_thread(worker.join, 30)
        loop.close()
    assert not worker.is_alive()


async def test_bookings_interrupted_by_a_crash_are_reconciled_from_the_web_app(start_engine, relay, portal,
                                                                             agent_paths):
    from agent.portal.base import Booking, Patient

    # The previous run wrote both requests and died: one was saved in the web app, one was not.
    journal = BookingJournal(agent_paths.journal_file)
    saved, lost = portal.free()[0], portal.free()[1]
    journal.begin("k-saved", saved.id, "Ana Pérez", "+56 9 1111 1111", start=saved.start.isoformat(),
                  end=saved.end.isoformat(), professional=saved.professional)
    portal.appointments["k-saved"] = Booking("B77", saved, Patient("Ana Pérez", "+56 9 1111 1111"))
    journal.begin("k-lost", lost.id, "Luis Soto", "+56 9 2222 2222")

    run = start_engine()
    await run.wait_event(BookingRecorded, lambda e: e.key == "k-lost" and e.status == FAILED)
    await run.wait_event(BookingRecorded, lambda e: e.key == "k-saved" and e.status == BOOKED)
    again_saved = await relay.request("book", book_args(saved.id, "k-saved"))
    again_lost = await relay.request("book", book_args(lost.id, "k-lost"))

    assert journal.get("k-saved").booking_id == "B77"
    assert again_saved["ok"] and again_saved["result"] == {
        "booking_id": "B77", "start": saved.start.isoformat(), "end": saved.end.isoformat(),
        "professional": saved.professional, "repeat": True,
    }
    assert again_lost["ok"] is False and again_lost["error"]["code"] == "internal"
    assert again_lost["error"]["nothing_written"] is True  # the relay tells the patient it did not happen
    assert portal.book_calls == 0 and portal.lookups == 2  # looked up, never re-booked
    assert journal.in_progress() == []


async def test_a_repeat_waits_for_reconciliation_while_the_web_app_is_down(start_engine, relay, portal, agent_paths):
    from agent.portal.base import Booking, Patient

    journal = BookingJournal(agent_paths.journal_file)
    slot = portal.free()[4]
    journal.begin("k-unknown", slot.id, "Eva Díaz", "+56 9 3333 3333")
    portal.appointments["k-unknown"] = Booking("B88", slot, Patient("Eva Díaz", "+56 9 3333 3333"))
    portal.down = True

    run = start_engine()
    await run.wait_event(PortalChangedState, lambda e: e.state == "down")
    early = await relay.request("book", book_args(slot.id, "k-unknown"), timeout_s=1.0)
    assert early["ok"] is False and early["error"]["code"] == "timeout"  # not guessed, not re-booked
    assert journal.get("k-unknown").status == "in_progress"
    assert run.engine.snapshot().interrupted_bookings == 1

    portal.down = False
    await run.engine.cache.refresh()  # the web app answers again; reconciliation follows
    await run.wait_event(BookingRecorded, lambda e: e.key == "k-unknown" and e.status == BOOKED)
    late = await relay.request("book", book_args(slot.id, "k-unknown"))
    assert late["ok"] and late["result"]["booking_id"] == "B88" and late["result"]["repeat"] is True
    assert portal.book_calls == 0


async def test_pause_and_resume_from_another_process_reach_the_running_agent(start_engine, relay, agent_paths):
    import argparse

    from agent.commands import pause as pause_command

    parser = argparse.ArgumentParser()
    parser.add_argument("--home")
    pause_command.register(parser.add_subparsers(dest="command"))
    run = start_engine()
    await relay.next_status(paused=False)

    args = parser.parse_args(["--home", str(agent_paths.home), "pause"])  # as `cita-agent pause` does
    assert args.func(args) == 0
    await relay.next_status(paused=True)
    assert run.engine.snapshot().paused and load_state(agent_paths.state_file).paused

    args = parser.parse_args(["--home", str(agent_paths.home), "resume"])
    assert args.func(args) == 0
    await relay.next_status(paused=False)
    assert run.of(PauseChanged) == [PauseChanged(True), PauseChanged(False)]


async def test_a_relay_address_fixed_with_configure_reaches_the_running_agent(start_engine, relay, agent_paths,
                                                                             monkeypatch):
    """`cita-agent configure --relay …` while the agent runs with a wrong address: used within seconds, not only
    after a restart (the IT person fixes it as the docs say and sees it connect)."""
    import agent.engine
    from agent.settings import save_settings

    monkeypatch.setattr(agent.engine, "SETTINGS_CHECK_S", 0.05)
    wrong = "ws://127.0.0.1:9/agente"
    run = start_engine(relay_url=wrong)
    await asyncio.sleep(0.5)  # dialling the wrong address meanwhile
    assert run.engine.snapshot().link != "connected"
    save_settings(agent_paths, start_engine.settings())  # the right address, as `cita-agent configure` writes it
    await relay.next_status(paused=False)  # connected to the address now in agent.toml
    assert run.engine.settings.relay_url == relay.url


async def test_a_new_agent_token_stored_while_refused_is_tried_at_once(start_engine, relay, secrets, monkeypatch):
    """After `rotate-agent-token`, the old token is refused and the link backs off toward a minute; the new one
    stored with `cita-agent login` is tried at once."""
    import agent.engine
    from agent.link import Backoff

    monkeypatch.setattr(agent.engine, "CREDENTIALS_CHECK_S", 0.05)
    secrets.set(RELAY_TOKEN, "the-old-rotated-token")
    run = start_engine()
    run.engine.link.backoff = Backoff(first_s=600.0, cap_s=600.0)  # a refused token's backoff at its longest
    await wait_until(lambda: run.engine.link.problem == "token_refused")
    secrets.set(RELAY_TOKEN, relay.token)
    await relay.next_status(paused=False)  # connected with the new one, long before the backoff would end


async def test_a_new_password_stored_while_healthy_is_used_at_once(start_engine, relay, portal, secrets, monkeypatch):
    import agent.engine

    monkeypatch.setattr(agent.engine, "CREDENTIALS_CHECK_S", 0.05)
    run = start_engine()
    await relay.next_status(portal="ok")
    assert (await relay.request("slots", {"days": 14}))["ok"] is True
    assert portal.login_attempts == 1

    portal.password = "la-nueva-456"  # changed in the web app, then stored with `cita-agent login` (no reload):
    secrets.set(PORTAL_PASSWORD, "la-nueva-456")
    # The running agent drops its old session at once: the next read of the web app logs in with the new one.
    await wait_until(lambda: run.engine.snapshot().portal == "unknown")
    from agent.portal_session import Priority

    await run.engine.cache.refresh(Priority.REQUESTED_READ)  # the next read (not debounced as the button is)
    assert (await relay.request("slots", {"days": 14}))["ok"] is True
    assert (portal.login_attempts, portal.failed_logins) == (2, 0)  # no failed login spent on the old password
    assert run.engine.snapshot().portal == "ok"


async def test_a_timed_pause_ends_by_itself_and_tells_the_relay(start_engine, relay, portal, agent_paths):
    from datetime import UTC, datetime, timedelta

    run = start_engine()
    await relay.next_status(portal="ok")
    until = datetime.now(UTC) + timedelta(seconds=1)
    await run.engine.set_paused(True, until)
    assert (await relay.next_status(paused=True))["paused"] is True
    assert run.engine.snapshot().paused_until == until
    assert load_state(agent_paths.state_file).paused_until == until.isoformat()  # survives a restart

    ended = await run.wait_event(PauseChanged, lambda e: e.ended_by_itself)
    assert ended.paused is False
    assert (await relay.next_status(paused=False))["paused"] is False
    assert not load_state(agent_paths.state_file).paused and run.engine.snapshot().paused_until is None


async def test_a_booking_cancelled_in_the_web_app_is_seen_at_the_next_read(start_engine, relay, portal,
                                                                           monkeypatch):
    import agent.agenda_check
    from agent.portal_session import Priority

    monkeypatch.setattr(agent.agenda_check, "SETTLE_S", 0.0)
    run = start_engine()
    await run.wait_event(SlotsRefreshed)
    slots = (await relay.request("slots", {"days": 14}))["result"]["slots"]
    kept, cancelled = slots[2], slots[5]
    for slot in (kept, cancelled):
        assert (await relay.request("book", book_args(slot["id"], "k-" + slot["id"])))["ok"] is True
    await run.engine.cache.refresh(Priority.REQUESTED_READ)
    assert run.engine.snapshot().gone_from_agenda == frozenset()

    # The clinic's staff cancels one of them in the web app: its cell is free again at the next read.
    reference = next(ref for ref, b in portal.appointments.items() if b.slot.id == cancelled["id"])
    del portal.appointments[reference]
    reads = portal.reads
    await run.engine.cache.refresh(Priority.REQUESTED_READ)
    assert run.engine.snapshot().gone_from_agenda == {"k-" + cancelled["id"]}
    assert portal.reads == reads + 1 and portal.lookups == 0  # found with the read it makes anyway


async def test_a_password_saved_without_a_test_is_never_tried_until_a_test_passes(start_engine, relay, portal,
                                                                                 agent_paths):
    from agent.login_gate import UNTESTED_DETAIL, mark_tested, mark_untested

    mark_untested(agent_paths)  # the wizard's "Seguir sin probar el acceso"
    run = start_engine()
    await run.wait_event(PortalChangedState, lambda e: e.state == "login_failed")
    assert run.engine.snapshot().portal_detail == UNTESTED_DETAIL
    assert (await relay.request("slots", {"days": 14}))["error"]["code"] == "login_failed"
    assert portal.login_attempts == 0  # not one login spent toward the web app's lockout

    mark_tested(agent_paths)  # a login test passed (Settings or `cita-agent login`), then the settings were saved
    await run.engine.reload_settings(run.engine.settings)
    await relay.next_status(portal="ok")
    assert (await relay.request("slots", {"days": 14}))["ok"] is True
    assert portal.login_attempts == 1


async def test_a_new_web_app_address_offers_its_times_at_once_never_the_old_ones(start_engine, relay, portal):
    """`cita-agent configure --portal-url` on a running agent: the old web app's free times were offered to patients
    for minutes (until the next read), who then failed at the booking. They are dropped and the new one is read."""
    from dataclasses import replace as changed

    run = start_engine()
    await run.wait_event(SlotsRefreshed)
    old_ids = {s.id for s in portal.free()}
    reads = portal.reads
    portal.slots = [changed(s, id=f"new-{s.id}") for s in portal.slots]  # what the new address's web app has
    await run.engine.reload_settings(changed(run.engine.settings, portal_url="http://127.0.0.1:9/other-clinic"))
    answer = await relay.request("slots", {"days": 14})
    assert answer["ok"] is True
    offered = {s["id"] for s in answer["result"]["slots"]}
    assert offered and not offered & old_ids
    assert portal.reads > reads


async def test_a_booking_still_being_written_is_known_for_its_phone(start_engine, relay, portal):
    """Two chats of one phone: the second's "ya tienes hora" check came while the first's booking was being written,
    and found nothing — both were booked. A booking under way is known for its phone until it is written."""
    run = start_engine()
    await run.wait_event(SlotsRefreshed)
    wanted = (await relay.request("slots", {"days": 14}))["result"]["slots"][3]
    portal.book_gate = asyncio.Event()  # the web app is still saving it
    booking = asyncio.ensure_future(relay.request("book", book_args(wanted["id"], "k-first")))

    async def known() -> list[dict]:
        answer = await relay.request("my_bookings", {"phone": "+56 9 1234 5678", "known_only": True})
        return answer["result"]["bookings"]

    await wait_until(lambda: portal.book_calls == 1)
    [writing] = await known()
    assert (writing["start"], writing["professional"]) == (wanted["start"], wanted["professional"])
    other = await relay.request("my_bookings", {"phone": "+56 9 5555 0000", "known_only": True})
    assert other["result"]["bookings"] == []  # another phone's: not theirs
    portal.book_gate.set()
    booked = await booking
    assert [b["booking_id"] for b in await known()] == [booked["result"]["booking_id"]]  # once, by its id now


async def test_a_taken_slot_s_alternatives_come_from_its_day_read_again(start_engine, relay, portal):
    """Reception booked a patient's time and its neighbour: the alternatives offered came from the agent's older
    read, the neighbour among them — the patient picked it and was refused a second time."""
    run = start_engine()
    await run.wait_event(SlotsRefreshed)
    offered = (await relay.request("slots", {"days": 14}))["result"]["slots"]
    wanted = offered[7]
    same_day = [s for s in offered if s["start"][:10] == wanted["start"][:10] and s["id"] != wanted["id"]]
    for taken in (wanted, *same_day[:2]):
        portal.take(taken["id"])  # at the desk, after the agent's last read
    answer = await relay.request("book", book_args(wanted["id"], "k-taken-2"))
    assert answer["error"]["code"] == "slot_taken"
    gone = {s["id"] for s in same_day[:2]}
    assert answer["error"]["alternatives"] and not gone & {a["id"] for a in answer["error"]["alternatives"]}
