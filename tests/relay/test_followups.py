"""Every hand-off reaches people: the clinic's agent gets it (at once, or as a backlog when it reconnects) and
the clinic's Kommo gets a task and a note on the lead. A slot-taken turn the bot recovered is not one."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
from relay_harness import buttons_of, texts_of

from demo.kommo.lead_records import responsible_user
from relay.cli import main as relay_cli
from wire.handoff import Ack
from wire.messages import WireError


async def wait_for(probe, what: str):
    for _ in range(800):
        found = probe()
        if found:
            return found
        await asyncio.sleep(0.025)
    raise AssertionError(f"never saw {what}")


def said_when(start: str) -> str:
    """An appointment's time as reception's task says it: "jueves 10 de diciembre 15:30"."""
    from datetime import datetime

    from relay.conversation.texts import language

    return f"{language('es').day_long(datetime.fromisoformat(start).date())} {start[11:16]}"


def cancels_time_out(agent, booking_id: str):
    """The agent lists one appointment of the patient's (``booking_id``, at its sixth free slot's time) and answers
    every cancel of it with a timeout (the web app slow, or the agent gone with it): that appointment, and the
    cancels asked for (booking ids)."""
    from wire.appointments import CancelArgs, MyBookingsResult, WireBooking
    from wire.messages import error_response, ok_response

    slot = agent.slots[5]
    held = WireBooking(booking_id, slot.start, slot.end, slot.professional)
    cancels: list[str] = []

    def appointments(request):
        if isinstance(request.args, CancelArgs):
            cancels.append(request.args.booking_id)
            return error_response(request.id, "timeout", "the web app did not answer in time")
        return ok_response(request.id, MyBookingsResult((held,)))

    agent.appointments = appointments
    return held, cancels


async def test_a_paused_handoff_reaches_the_agent_and_a_kommo_task(relay, kommo):
    clinic = relay.add_clinic()
    agent = await relay.agent(clinic, paused=True)
    record = await kommo.say(
        relay.widget_url(clinic), clinic.subdomain, "501", "hola", name="Ana Pérez", phone="+56 9 1234 5678"
    )
    assert record.body["data"]["status"] == "handoff"

    [event] = await agent.wait_for_events(1)
    assert (event.reason, event.name, event.phone, event.lead_id) == ("paused", "Ana Pérez", "+56 9 1234 5678", "501")
    assert event.kommo_lead_url == f"{kommo.account_base_url(clinic.subdomain)}/leads/detail/501"

    [task] = await wait_for(lambda: kommo.tasks(clinic.subdomain, "501"), "a Kommo task on the lead")
    assert task.responsible_user_id == responsible_user(clinic.subdomain)  # the lead's user, read from Kommo
    assert "Ana Pérez (+56 9 1234 5678)" in task.text
    assert "la automatización estaba en pausa" in task.text
    [note] = await wait_for(lambda: kommo.notes(clinic.subdomain, "501"), "a Kommo note on the lead")
    assert "la automatización estaba en pausa" in note.text
    assert kommo.tags(clinic.subdomain) == []
    async with httpx.AsyncClient() as http:  # the lead as the clinic's team sees it in (stand-in) Kommo
        page = (await http.get(event.kommo_lead_url)).text
    assert "Ana Pérez (+56 9 1234 5678)" in page and page.count("la automatización estaba en pausa") == 2


async def test_an_agent_that_was_offline_gets_the_backlog_and_acknowledged_ones_are_gone(relay, kommo):
    clinic = relay.add_clinic(language="en")
    url = relay.widget_url(clinic)
    await kommo.say(url, clinic.subdomain, "601", "hi", name="First Patient", phone="+1 555 0101")
    await kommo.say(url, clinic.subdomain, "602", "hi", name="Second Patient", phone="+1 555 0102")

    first = await relay.agent(clinic)
    first.auto_ack = False
    events = await first.wait_for_events(2)
    assert [(e.lead_id, e.reason) for e in events] == [("601", "agent_offline"), ("602", "agent_offline")]
    [task] = await wait_for(lambda: kommo.tasks(clinic.subdomain, "601"), "a task for the offline hand-off")
    assert "the clinic's PC (Cita Bridge) was not connected" in task.text  # the clinic's language

    # The agent stores only the first one (its ack), then its connection is replaced by a new one.
    await first._ws.send(json.dumps(Ack(events[0].id).to_json()))
    await first.close()
    await relay.wait_for_agent(clinic, connected=False)
    second = await relay.agent(clinic)
    # Sent in creation order: had the acknowledged one still been kept, it would come first.
    [again] = await second.wait_for_events(1)
    assert again.id == events[1].id


async def test_an_ack_still_being_stored_when_the_agent_reconnects_is_not_sent_again(relay, kommo, monkeypatch):
    clinic = relay.add_clinic(language="en")
    await kommo.say(relay.widget_url(clinic), clinic.subdomain, "611", "hi", name="Only Patient", phone="+1 555 0111")
    first = await relay.agent(clinic)
    first.auto_ack = False
    [event] = await first.wait_for_events(1)

    store = relay.app.state.relay.followups._store  # the real store, taking its time (a Redis far away)
    acknowledge = store.acknowledge

    async def slow_acknowledge(clinic_name: str, followup_id: str) -> bool:
        await asyncio.sleep(1.5)
        return await acknowledge(clinic_name, followup_id)

    monkeypatch.setattr(store, "acknowledge", slow_acknowledge)
    await first._ws.send(json.dumps(Ack(event.id).to_json()))
    await first.close()
    await relay.wait_for_agent(clinic, connected=False)
    second = await relay.agent(clinic)
    await asyncio.sleep(3.0)  # the ack stored, and at least one sweep after it
    assert second.events == []


async def test_a_booking_handoff_says_what_the_patient_had_chosen(make_relay, kommo):
    relay = make_relay(book_timeout_s=0.5)
    clinic = relay.add_clinic()
    agent = await relay.agent(clinic, book_delay_s=3.0)
    url = relay.widget_url(clinic)
    days = await kommo.say(url, clinic.subdomain, "701", "hola")
    times = await kommo.say(url, clinic.subdomain, "701", buttons_of(days.body)[0])
    await kommo.say(url, clinic.subdomain, "701", buttons_of(times.body)[0])

    [event] = await agent.wait_for_events(1)
    assert event.reason == "timeout"
    assert event.chosen_start.endswith("T10:00:00-03:00")
    assert event.chosen_professional == "Dra. Soto"
    [task] = await wait_for(lambda: kommo.tasks(clinic.subdomain, "701"), "a task with the chosen time")
    assert "10:00 Dra. Soto" in task.text


async def test_a_cancel_not_known_tells_reception_the_time_is_one_to_cancel_not_one_chosen(relay, kommo):
    """The agent did not answer a cancel in time: reception's task and tray row name the appointment as the one the
    patient asked to cancel ("Había elegido 16:00" read as a time to book would give them it again)."""
    clinic = relay.add_clinic()
    agent = await relay.agent(clinic)
    held, _ = cancels_time_out(agent, "bk-31")
    url = relay.widget_url(clinic)
    who = {"name": "Inés Soto", "phone": "+56 9 7000 0708"}
    await kommo.say(url, clinic.subdomain, "708", "quiero cancelar mi hora", **who)
    await kommo.say(url, clinic.subdomain, "708", "Sí, cancelar", **who)
    event, *_ = await agent.wait_for_events(1)
    assert (event.reason, event.about, event.chosen_start) == ("timeout", "cancel", held.start)
    task, *_ = await wait_for(lambda: kommo.tasks(clinic.subdomain, "708"), "the Kommo task")
    when = said_when(held.start)
    assert f"Hora que pidió cancelar: {when} {held.professional}." in task.text
    assert "Había elegido" not in task.text


def cancels_slowly(agent, booking_id: str, *, goes_through: bool):
    """The agent lists one appointment of the patient's and cancels it more slowly than the relay waits (0.8 s),
    then it is gone (``goes_through``) or the web app refused it; a read of the appointments waits for a cancel under
    way, as the real agent's does. That appointment, and the cancels asked for (booking ids)."""
    from wire.appointments import CancelArgs, CancelResult, MyBookingsResult, WireBooking
    from wire.messages import error_response, ok_response

    slot = agent.slots[5]
    held = WireBooking(booking_id, slot.start, slot.end, slot.professional)
    listed = [held]
    cancels: list[str] = []
    over = asyncio.Event()
    over.set()

    async def appointments(request):
        if isinstance(request.args, CancelArgs):
            cancels.append(request.args.booking_id)
            if held not in listed:
                return ok_response(request.id, CancelResult(booking_id, repeat=True))
            over.clear()
            await asyncio.sleep(0.8)
            over.set()
            if not goes_through:
                return error_response(request.id, "portal_down", "the web app did not answer")
            listed.clear()
            return ok_response(request.id, CancelResult(booking_id))
        await over.wait()
        return ok_response(request.id, MyBookingsResult(tuple(listed)))

    agent.appointments = appointments
    return held, cancels


@pytest.mark.parametrize(("lead", "goes_through"), [("760", True), ("761", False)])
async def test_a_cancel_not_known_yet_tells_reception_whether_it_went_through_once_the_agent_is_done(
        make_relay, kommo, lead, goes_through):
    """A cancel slower than the relay waits ("Aún no sé si tu hora quedó cancelada…"): reception's task said "el
    agente no respondió a tiempo" until the patient wrote again (only bookings and moves have an outcome of their
    own). The relay reads the patient's appointments once the agent's cancel is over, and the task says it WAS
    cancelled (tell them) or was NOT (it stands); the patient's next message hears the same, and settles it."""
    relay = make_relay(book_timeout_s=0.3)
    clinic = relay.add_clinic()
    agent = await relay.agent(clinic)
    held, cancels = cancels_slowly(agent, f"bk-{lead}", goes_through=goes_through)
    url = relay.widget_url(clinic)
    who = {"name": "Marta Díaz", "phone": f"+56 9 7000 0{lead}"}
    await kommo.say(url, clinic.subdomain, lead, "quiero cancelar mi hora", **who)
    unknown = await kommo.say(url, clinic.subdomain, lead, "Sí, cancelar", **who)
    assert "Aún no sé si tu hora" in texts_of(unknown.body)

    handed_off, superseded, tell_them = await agent.wait_for_events(3)
    assert (handed_off.reason, superseded.reason) == ("timeout", "resolved_superseded")
    assert (tell_them.reason, tell_them.about, tell_them.chosen_start) == (
        "cancelled_untold" if goes_through else "cancel_not_made", "cancel", held.start)
    [open_task] = await wait_for(lambda: [t for t in kommo.tasks(clinic.subdomain, lead) if not t.completed] if any(
        t.completed for t in kommo.tasks(clinic.subdomain, lead)) else [], "the first task done, one that says it")
    when = said_when(held.start)
    assert f"Hora que pidió cancelar: {when}" in open_task.text
    if goes_through:
        assert "su hora SÍ quedó cancelada" in open_task.text and "avísele" in open_task.text
        told = await kommo.say(url, clinic.subdomain, lead, "hola? se canceló?", **who)
        assert "Listo, cancelé tu hora" in texts_of(told.body), texts_of(told.body)
        *_, closing = await agent.wait_for_events(4)
        assert closing.reason == "resolved_cancelled"
        await wait_for(lambda: all(t.completed for t in kommo.tasks(clinic.subdomain, lead)), "every task done")
    else:
        assert "su hora NO quedó cancelada (sigue en la agenda web)" in open_task.text
    assert cancels == [held.booking_id] + ([held.booking_id] if goes_through else [])


@pytest.mark.parametrize(("lead", "then"), [("780", "cancel"), ("781", "move"), ("782", "book")])
async def test_a_request_handed_off_while_paused_that_the_patient_then_does_with_the_bot_settles_reception(
        relay, kommo, lead, then):
    """Handed off while automation was paused ("necesito cancelar mi hora", "quiero hora"), the patient did it with
    the bot once it was back (cancelled, or moved it instead, or booked): reception's task and tray row stayed open —
    a receptionist could cancel what was moved, or book a second appointment."""
    from wire.appointments import CancelArgs, CancelResult, MyBookingsResult, RescheduleResult, WireBooking
    from wire.messages import ok_response

    clinic = relay.add_clinic()
    agent = await relay.agent(clinic, paused=True)
    slot = agent.slots[5]
    held = [WireBooking(f"bk-{lead}", slot.start, slot.end, slot.professional)]

    def appointments(request):
        if isinstance(request.args, CancelArgs):
            held.clear()
            return ok_response(request.id, CancelResult(request.args.booking_id))
        if request.op == "reschedule":
            new = next(s for s in agent.slots if s.id == request.args.slot_id)
            return ok_response(request.id, RescheduleResult("bk-new", new.start, new.end, new.professional, True))
        return ok_response(request.id, MyBookingsResult(tuple(held)))

    agent.appointments = appointments
    url = relay.widget_url(clinic)
    who = {"name": "Gabriela Núñez", "phone": f"+56 9 7000 0{lead}"}
    first = "quiero hora" if then == "book" else "hola, necesito cancelar mi hora"
    paused = await kommo.say(url, clinic.subdomain, lead, first, **who)
    assert paused.body["data"]["status"] == "handoff"
    [task] = await wait_for(lambda: kommo.tasks(clinic.subdomain, lead), "the task of the paused hand-off")
    await agent.set_paused(False)
    await relay.wait_for_agent(clinic, paused=False)

    if then == "cancel":
        await kommo.say(url, clinic.subdomain, lead, "quiero cancelar mi hora", **who)
        done = await kommo.say(url, clinic.subdomain, lead, "Sí, cancelar", **who)
        assert done.body["data"]["status"] == "cancelled"
    elif then == "move":
        await kommo.say(url, clinic.subdomain, lead, "mejor quiero cambiar mi hora", **who)
        days = await kommo.say(url, clinic.subdomain, lead, "Sí, cambiarla", **who)
        times = await kommo.say(url, clinic.subdomain, lead, buttons_of(days.body)[0], **who)
        done = await kommo.say(url, clinic.subdomain, lead, buttons_of(times.body)[0], **who)
        assert done.body["data"]["status"] == "booked" and done.body["data"]["rescheduled_from"] == f"bk-{lead}"
    else:
        days = await kommo.say(url, clinic.subdomain, lead, "hola", **who)
        days = await kommo.say(url, clinic.subdomain, lead, buttons_of(days.body)[0], **who) if (
            days.body["data"]["status"] == "choose_day" and "Ya tienes" in texts_of(days.body)) else days
        times = await kommo.say(url, clinic.subdomain, lead, buttons_of(days.body)[0], **who)
        done = await kommo.say(url, clinic.subdomain, lead, buttons_of(times.body)[0], **who)
        assert done.body["data"]["status"] == "booked", texts_of(done.body)
    await wait_for(lambda: all(t.completed for t in kommo.tasks(clinic.subdomain, lead)), "the paused task done")


async def test_a_contact_without_a_phone_is_one_case_for_reception_however_often_they_write(relay, kommo):
    """Kommo sent no phone (the contact has none): each message is answered that a receptionist will write, but the
    clinic's team gets one task and one tray row, not one per message."""
    clinic = relay.add_clinic()
    agent = await relay.agent(clinic)
    url = relay.widget_url(clinic)
    for message in ("hola, quiero hora", "hola??", "necesito hora para mañana"):
        reply = await kommo.say(url, clinic.subdomain, "709", message, name="Tomás Vera", phone="")
        assert "No tengo tu teléfono" in texts_of(reply.body) and "recepcionista te escribirá" in texts_of(reply.body)
    [event] = await agent.wait_for_events(1)
    assert event.reason == "missing_phone"
    await asyncio.sleep(0.5)  # a second event or task would have been sent by now
    assert [e.reason for e in agent.events] == ["missing_phone"]
    assert len(kommo.tasks(clinic.subdomain, "709")) == 1


async def test_a_slot_taken_turn_the_bot_recovered_is_not_a_follow_up(relay, kommo):
    clinic = relay.add_clinic()
    agent = await relay.agent(clinic)
    agent.book_outcome = lambda args: WireError("slot_taken", "taken", tuple(agent.slots[3:5]))
    url = relay.widget_url(clinic)
    days = await kommo.say(url, clinic.subdomain, "801", "hola")
    times = await kommo.say(url, clinic.subdomain, "801", buttons_of(days.body)[0])
    recovered = await kommo.say(url, clinic.subdomain, "801", buttons_of(times.body)[0])
    assert recovered.body["data"]["code"] == "slot_taken"
    handed = await kommo.say(url, clinic.subdomain, "801", "quiero hablar con una persona")
    assert handed.body["data"]["reason"] == "asked_for_person"

    # Follow-ups reach the agent in order: the first one it gets is the person asked for, not the recovered turn.
    [event] = await agent.wait_for_events(1)
    assert event.reason == "asked_for_person"
    [task] = await wait_for(lambda: kommo.tasks(clinic.subdomain, "801"), "the asked-for-a-person task")
    assert "pidió hablar con una persona" in task.text


async def test_where_a_clinics_handoffs_land_in_kommo_is_its_choice(relay, kommo, capsys):
    clinic = relay.add_clinic()
    data = ["--data", str(relay.settings.data_dir)]
    assert relay_cli(["set-follow-ups", clinic.name, "--kommo", "tag", *data]) == 0
    assert "tag" in capsys.readouterr().out
    assert relay_cli(["set-follow-ups", "no-such-clinic", "--kommo", "task", *data]) == 2
    assert relay_cli(["set-follow-ups", clinic.name, "--kommo", "email", *data]) == 2

    await kommo.say(relay.widget_url(clinic), clinic.subdomain, "901", "hola")  # agent offline: a hand-off
    [tag] = await wait_for(lambda: kommo.tags(clinic.subdomain, "901"), "a tag on the lead")
    assert tag.text == "Cita Bridge: contactar"
    assert kommo.tasks(clinic.subdomain, "901") == [] and kommo.notes(clinic.subdomain, "901") == []


async def test_a_turn_that_failed_inside_the_relay_still_reaches_the_clinics_team(relay, kommo, monkeypatch):
    """A bug in the conversation must not make a patient invisible: the hand-off they read is a follow-up too."""
    from relay.turns import TurnProcessor

    async def broken(self, job):
        raise RuntimeError("a bug in the conversation")

    clinic = relay.add_clinic()
    agent = await relay.agent(clinic)
    monkeypatch.setattr(TurnProcessor, "_converse", broken)
    record = await kommo.say(
        relay.widget_url(clinic), clinic.subdomain, "701", "hola", name="Berta Soto", phone="+56 9 7000 0001"
    )
    assert record.body["data"]["status"] == "handoff"
    [event] = await agent.wait_for_events(1)
    assert (event.lead_id, event.name, event.phone) == ("701", "Berta Soto", "+56 9 7000 0001")
    [task] = await wait_for(lambda: kommo.tasks(clinic.subdomain, "701"), "a Kommo task for the failed turn")
    assert "Berta Soto (+56 9 7000 0001)" in task.text and "falló el servidor de Cita Bridge" in task.text


async def test_a_booking_still_not_known_is_one_follow_up_however_often_the_patient_asks(make_relay, kommo):
    relay = make_relay(book_timeout_s=0.5)
    clinic = relay.add_clinic()
    agent = await relay.agent(clinic, book_delay_s=30.0)
    url = relay.widget_url(clinic)
    days = await kommo.say(url, clinic.subdomain, "702", "hola")
    times = await kommo.say(url, clinic.subdomain, "702", buttons_of(days.body)[0])
    first = await kommo.say(url, clinic.subdomain, "702", buttons_of(times.body)[0])
    again = await kommo.say(url, clinic.subdomain, "702", "hola, quedó mi hora?")
    assert first.body["data"]["booking"] == again.body["data"]["booking"] == "unconfirmed"

    [event] = await agent.wait_for_events(1)
    assert event.reason == "timeout"
    await wait_for(lambda: kommo.tasks(clinic.subdomain, "702"), "the Kommo task")
    await asyncio.sleep(1.0)
    assert len(kommo.tasks(clinic.subdomain, "702")) == 1
    assert len(agent.events) == 1


async def test_a_handoff_tells_the_clinics_team_what_the_patient_wrote(relay, kommo):
    clinic = relay.add_clinic()
    agent = await relay.agent(clinic)
    url = relay.widget_url(clinic)
    for message in ("hola, mi hijo se torció el tobillo y necesita kine la próxima semana en la tarde",
                    "aceptan bono fonasa?", "quiero hablar con una persona"):
        record = await kommo.say(url, clinic.subdomain, "703", message, name="Marta Díaz", phone="+56 9 3333 4444")
    assert record.body["data"]["status"] == "handoff"

    [event] = await agent.wait_for_events(1)
    assert event.reason == "asked_for_person"
    assert event.said == ("hola, mi hijo se torció el tobillo y necesita kine la próxima semana en la tarde",
                          "aceptan bono fonasa?", "quiero hablar con una persona")
    [task] = await wait_for(lambda: kommo.tasks(clinic.subdomain, "703"), "the Kommo task")
    assert "pidió hablar con una persona" in task.text
    assert "Escribió: «hola, mi hijo se torció el tobillo" in task.text and "«aceptan bono fonasa?»" in task.text
    [note] = await wait_for(lambda: kommo.notes(clinic.subdomain, "703"), "the Kommo note")
    assert "«aceptan bono fonasa?»" in note.text


async def test_a_booking_that_went_through_after_all_closes_its_kommo_task_and_tray_row(make_relay, kommo):
    """The receptionist was asked to contact a patient whose booking was not known yet; it went through: the task
    is completed (nobody books it a second time by hand) and the tray hears it is settled."""
    relay = make_relay(book_timeout_s=0.5)
    clinic = relay.add_clinic()
    data = ["--data", str(relay.settings.data_dir)]
    assert relay_cli(["set-follow-ups", clinic.name, "--kommo", "task,note,tag", *data]) == 0
    agent = await relay.agent(clinic, book_delay_s=1.5)
    url = relay.widget_url(clinic)
    days = await kommo.say(url, clinic.subdomain, "704", "hola", name="Rosa Vera", phone="+56 9 7000 0704")
    times = await kommo.say(url, clinic.subdomain, "704", buttons_of(days.body)[0])
    first = await kommo.say(url, clinic.subdomain, "704", buttons_of(times.body)[0])
    assert first.body["data"]["booking"] == "unconfirmed"
    [task] = await wait_for(lambda: kommo.tasks(clinic.subdomain, "704"), "the Kommo task")
    assert not task.completed
    await wait_for(lambda: kommo.tags(clinic.subdomain, "704"), "the contact tag")
    await asyncio.sleep(1.5)  # the agent's booking went through meanwhile
    agent.book_delay_s = 0.0

    settled = await kommo.say(url, clinic.subdomain, "704", "hola, quedó mi hora?", name="Rosa Vera",
                              phone="+56 9 7000 0704")
    assert settled.body["data"]["status"] == "booked"
    handed_off, resolved = await agent.wait_for_events(2)
    assert handed_off.reason == "timeout"
    assert (resolved.reason, resolved.lead_id, resolved.name) == ("resolved_booked", "704", "Rosa Vera")
    assert resolved.chosen_start == settled.body["data"]["start"]
    [done] = await wait_for(lambda: [t for t in kommo.tasks(clinic.subdomain, "704") if t.completed], "the task done")
    assert "ya no hace falta contactar a Rosa Vera" in done.result and "su hora quedó reservada" in done.result
    notes = await wait_for(lambda: [n for n in kommo.notes(clinic.subdomain, "704") if "ya no hace falta" in n.text],
                           "the note")
    assert len(notes) == 1 and len(kommo.tasks(clinic.subdomain, "704")) == 1
    await wait_for(lambda: not kommo.tags(clinic.subdomain, "704"), "the contact tag taken off")
    async with httpx.AsyncClient() as http:  # the lead as the clinic's team sees it in (stand-in) Kommo
        page = (await http.get(resolved.kommo_lead_url)).text
    assert "(hecha)" in page and "su hora quedó reservada" in page


async def test_a_booking_known_to_have_failed_after_all_replaces_its_task_with_one_task(make_relay, kommo):
    relay = make_relay(book_timeout_s=0.5)
    clinic = relay.add_clinic()
    agent = await relay.agent(clinic, book_delay_s=1.5)
    agent.book_outcome = lambda args: WireError("bad_request", "the web app refused the patient's details")
    url = relay.widget_url(clinic)
    days = await kommo.say(url, clinic.subdomain, "705", "hola", name="Iván Mora", phone="+56 9 7000 0705")
    times = await kommo.say(url, clinic.subdomain, "705", buttons_of(days.body)[0])
    first = await kommo.say(url, clinic.subdomain, "705", buttons_of(times.body)[0])
    assert first.body["data"]["booking"] == "unconfirmed"
    await wait_for(lambda: kommo.tasks(clinic.subdomain, "705"), "the first Kommo task")
    agent.book_delay_s = 0.0

    failed = await kommo.say(url, clinic.subdomain, "705", "hola?", name="Iván Mora", phone="+56 9 7000 0705")
    assert failed.body["data"]["booking"] == "failed"
    handed_off, superseded, new = await agent.wait_for_events(3)
    assert (handed_off.reason, superseded.reason, new.reason) == ("timeout", "resolved_superseded", "booking_failed")
    tasks = await wait_for(lambda: len(kommo.tasks(clinic.subdomain, "705")) == 2 and kommo.tasks(clinic.subdomain,
                                                                                                  "705"), "two tasks")
    await wait_for(lambda: tasks[0].completed or kommo.tasks(clinic.subdomain, "705")[0].completed, "the first done")
    old, current = kommo.tasks(clinic.subdomain, "705")
    assert old.completed and "sigue en la tarea nueva" in old.result
    assert not current.completed and "NO quedó reservada" in current.text


async def test_a_cancel_taken_back_while_not_known_is_kept_and_its_kommo_task_is_done(relay, kommo):
    """ "Aún no sé si quedó cancelada" (a task for reception) … "no, no la canceles": the appointment is read, not
    cancelled; the patient hears it stands, and the task is completed with that outcome."""
    clinic = relay.add_clinic()
    agent = await relay.agent(clinic)
    held, cancels = cancels_time_out(agent, "bk-30")
    url = relay.widget_url(clinic)
    who = {"name": "Olga Ruiz", "phone": "+56 9 7000 0706"}
    asked = await kommo.say(url, clinic.subdomain, "706", "quiero cancelar mi hora", **who)
    assert "¿Cancelo tu hora" in texts_of(asked.body)
    unknown = await kommo.say(url, clinic.subdomain, "706", "Sí, cancelar", **who)
    assert "Aún no sé si tu hora" in texts_of(unknown.body)
    # The relay reads the appointments once the agent's cancel is over: still there, reception is told so.
    await agent.wait_for_events(3)

    kept = await kommo.say(url, clinic.subdomain, "706", "no, no la canceles por favor, la necesito", **who)
    assert "no la cancelo" in texts_of(kept.body) and "sigue en pie" in texts_of(kept.body)
    assert cancels == ["bk-30"]  # asked once; never again after the "no"
    events = await agent.wait_for_events(4)
    assert [e.reason for e in events] == ["timeout", "resolved_superseded", "cancel_not_made", "resolved_kept"]
    tasks = await wait_for(lambda: len(kommo.tasks(clinic.subdomain, "706")) == 2 and all(
        t.completed for t in kommo.tasks(clinic.subdomain, "706")) and kommo.tasks(clinic.subdomain, "706"),
        "both tasks done")
    assert "pidió conservar su hora y sigue en pie" in tasks[-1].result


async def test_a_cancel_taken_back_while_the_agent_is_away_stays_pending_and_is_never_carried_out(
        relay, kommo, monkeypatch):
    """The agent died mid-cancel; "no, no la canceles" while it is away keeps the case pending (not a hand-off that
    forgets it and starts a booking at the next "hola"); back, the appointment is read, not cancelled."""
    # Died mid-cancel: the relay's read of the appointments after a cancel not known yet finds no agent to ask (its
    # later tries fall after this test)
    monkeypatch.setattr("relay.followups.CANCEL_LOOK_AFTER_S", (600.0,))
    clinic = relay.add_clinic()
    agent = await relay.agent(clinic)
    held, cancels = cancels_time_out(agent, "bk-31")
    url = relay.widget_url(clinic)
    who = {"name": "Jorge Paz", "phone": "+56 9 7000 0707"}
    await kommo.say(url, clinic.subdomain, "707", "quiero cancelar mi hora", **who)
    assert "Aún no sé si tu hora" in texts_of((await kommo.say(url, clinic.subdomain, "707", "Sí, cancelar", **who)).body)
    await relay.close_agents()  # the agent is away now

    away = await kommo.say(url, clinic.subdomain, "707", "no, no la canceles", **who)
    assert "Anoté que NO quieres cancelar tu hora" in texts_of(away.body), texts_of(away.body)  # pending, heard
    # Reception's task to cancel gives way at once to one to keep it (a receptionist must not cancel it now).
    await wait_for(lambda: [t.completed for t in kommo.tasks(clinic.subdomain, "707")] == [True, False], "swap")
    cancel_task, keep_task = kommo.tasks(clinic.subdomain, "707")
    assert "«Sí, cancelar»" in cancel_task.text and "sigue en la tarea nueva" in cancel_task.result
    assert "pidió NO cancelar su hora" in keep_task.text and "«no, no la canceles»" in keep_task.text
    again = await kommo.say(url, clinic.subdomain, "707", "no la canceles porfa!!", **who)
    assert "Anoté que NO quieres cancelar" in texts_of(again.body)
    await asyncio.sleep(0.5)
    assert len(kommo.tasks(clinic.subdomain, "707")) == 2  # said again: no third task

    back = await relay.agent(clinic)
    back.appointments = agent.appointments  # the same web app, seen by the agent back
    kept = await kommo.say(url, clinic.subdomain, "707", "hola?", **who)
    assert "no la cancelo" in texts_of(kept.body) and "sigue en pie" in texts_of(kept.body), texts_of(kept.body)
    assert cancels == ["bk-31"]
    open_tasks = await wait_for(lambda: [t for t in kommo.tasks(clinic.subdomain, "707") if t.completed] and
                                [t for t in kommo.tasks(clinic.subdomain, "707") if not t.completed] == [] and
                                kommo.tasks(clinic.subdomain, "707"), "every task of the case done")
    assert all(t.completed for t in open_tasks)


async def told_not_known_yet(relay, kommo, clinic, lead: str, book_outcome=None):
    """A patient who picked a time the agent books more slowly than the relay waits ("Aún no sé…"): the agent, the
    widget URL, the patient, and the booking's key and result once the agent has it (``book_outcome``: the agent's
    answer instead of a booking; the result is then None)."""
    agent = await relay.agent(clinic, book_delay_s=1.0)
    agent.book_outcome = book_outcome
    url = relay.widget_url(clinic)
    who = {"name": "Rocío Vidal", "phone": f"+56 9 7000 0{lead}"}
    days = await kommo.say(url, clinic.subdomain, lead, "hola", **who)
    times = await kommo.say(url, clinic.subdomain, lead, buttons_of(days.body)[0], **who)
    first = await kommo.say(url, clinic.subdomain, lead, buttons_of(times.body)[0], **who)
    assert first.body["data"]["booking"] == "unconfirmed"
    if book_outcome is not None:
        return agent, url, who, agent.ops("book")[0].args.idempotency_key, None
    [(key, result)] = await wait_for(lambda: list(agent.bookings.items()), "the agent's booking")
    return agent, url, who, key, result


async def test_a_late_booking_the_agent_reports_settles_reception_at_once_without_the_patient_writing(
        make_relay, kommo):
    """The agent finished the booking after the relay said "Aún no sé…" and tells its outcome: the tray row and the
    Kommo task are closed then, not when (if ever) the patient writes again (a receptionist could book it twice)."""
    from wire.messages import Outcome

    relay = make_relay(book_timeout_s=0.5)
    clinic = relay.add_clinic()
    agent, url, who, key, result = await told_not_known_yet(relay, kommo, clinic, "708")
    await wait_for(lambda: kommo.tasks(clinic.subdomain, "708"), "the Kommo task")
    await agent.send(Outcome(key, True, result))  # as the real agent tells a late outcome

    handed_off, resolved, tell_them = await agent.wait_for_events(3)
    assert (handed_off.reason, resolved.reason) == ("timeout", "resolved_superseded")
    # The patient was told "Aún no sé…": reception is asked to tell them, never that nobody needs to contact them.
    assert (tell_them.reason, tell_them.chosen_start, tell_them.name) == ("booked_untold", result.start, "Rocío Vidal")
    tasks = await wait_for(lambda: [t for t in kommo.tasks(clinic.subdomain, "708") if t.completed] and
                           kommo.tasks(clinic.subdomain, "708"), "the first task done, a new one open")
    [done] = [t for t in tasks if t.completed]
    [open_task] = await wait_for(lambda: [t for t in kommo.tasks(clinic.subdomain, "708") if not t.completed],
                                 "the task to tell the patient")
    assert "su hora SÍ quedó reservada" in open_task.text and "avísele" in open_task.text
    assert "ya no hace falta contactar" not in done.result

    settled = await kommo.say(url, clinic.subdomain, "708", "hola? quedó?", **who)  # told by the bot: all done
    assert settled.body["data"]["status"] == "booked"
    *_, closing = await agent.wait_for_events(4)
    assert closing.reason == "resolved_booked"
    await wait_for(lambda: all(t.completed for t in kommo.tasks(clinic.subdomain, "708")), "every task done")


async def test_a_late_booking_reported_to_a_restarted_relay_still_settles_reception(make_relay, kommo):
    """The relay was stopped (and started again) after it told the patient "Aún no sé…": the agent's outcome reached
    the new process, which had no hand-off for it in memory, and reception's task "no respondió a tiempo" stayed open
    for a patient already booked (booked again by hand: two appointments)."""
    from wire.messages import Outcome

    relay = make_relay(book_timeout_s=0.5)
    clinic = relay.add_clinic()
    _agent, _url, _who, key, result = await told_not_known_yet(relay, kommo, clinic, "711")
    await wait_for(lambda: kommo.tasks(clinic.subdomain, "711"), "the Kommo task")
    relay.restart()  # same data folder, a new process-worth of relay
    await relay.close_agents()
    back = await relay.agent(clinic)
    await back.send(Outcome(key, True, result))  # as the real agent repeats it on every reconnect

    [open_task] = await wait_for(lambda: [t for t in kommo.tasks(clinic.subdomain, "711") if not t.completed] if any(
        t.completed for t in kommo.tasks(clinic.subdomain, "711")) else [], "the first task done, one to tell them")
    assert "su hora SÍ quedó reservada" in open_task.text and "avísele" in open_task.text


async def test_a_resolution_waits_for_a_task_kommo_is_still_writing(make_relay, kommo):
    """Kommo slow to write the hand-off's task: the late booking's resolution came first, found no task to complete,
    and the task stayed open for a patient already booked. A lead's Kommo writes now go in the order they were made."""
    from wire.messages import Outcome

    relay = make_relay(book_timeout_s=0.5)
    clinic = relay.add_clinic()
    kommo.slow_task_writes(clinic.subdomain, 1.5)
    agent, _url, _who, key, result = await told_not_known_yet(relay, kommo, clinic, "709")
    await agent.send(Outcome(key, True, result))  # while the first task is still being written
    await agent.wait_for_events(3)

    def settled():
        tasks = kommo.tasks(clinic.subdomain, "709")
        return len(tasks) == 2 and [t.completed for t in tasks].count(True) == 1 and tasks

    tasks = await wait_for(settled, "the first task done and one to tell the patient")
    [open_task] = [t for t in tasks if not t.completed]
    assert "su hora SÍ quedó reservada" in open_task.text


async def test_a_late_booking_the_agent_reports_failed_tells_reception_to_offer_another_at_once(make_relay, kommo):
    """The agent learnt, after "Aún no sé…", that the web app did not take the booking: reception's task said only
    "el agente no respondió a tiempo" until the patient wrote again. It says "NO quedó reservada: ofrézcale otra"."""
    from wire.messages import Outcome, WireError, encode

    relay = make_relay(book_timeout_s=0.5)
    clinic = relay.add_clinic()
    agent, _url, _who, key, _result = await told_not_known_yet(relay, kommo, clinic, "710")
    await agent._ws.send(encode(Outcome(key, False, error=WireError("internal", "not found", nothing_written=True))))

    handed_off, superseded, offer = await agent.wait_for_events(3)
    assert (handed_off.reason, superseded.reason, offer.reason) == ("timeout", "resolved_superseded", "booking_failed")
    [open_task] = await wait_for(lambda: [t for t in kommo.tasks(clinic.subdomain, "710") if not t.completed] if any(
        t.completed for t in kommo.tasks(clinic.subdomain, "710")) else [], "the first done, one to offer another")
    assert "NO quedó reservada" in open_task.text and "ofrézcale otra" in open_task.text


@pytest.mark.parametrize(("lead", "made"), [("720", True), ("721", False)])
async def test_a_late_move_the_agent_reports_tells_reception_it_was_moved_or_that_the_old_one_stands(
        make_relay, kommo, lead, made):
    """A move answered "Aún no sé si tu hora quedó cambiada…" (the web app slow): when the agent tells the move's
    outcome, reception's task says it WAS moved (tell them, do not move it again) — or, not made, that the old one
    stands — instead of "el agente no respondió a tiempo" until the patient writes again."""
    from wire.appointments import MyBookingsResult, RescheduleArgs, WireBooking
    from wire.messages import BookResult, Outcome, WireError, encode, error_response, ok_response

    relay = make_relay(book_timeout_s=0.3)
    clinic = relay.add_clinic()
    agent = await relay.agent(clinic)
    old = WireBooking(f"bk-{lead}", agent.slots[0].start, agent.slots[0].end, "Dra. Soto")
    moves: list[RescheduleArgs] = []

    def appointments(request):
        if request.op == "my_bookings":
            return ok_response(request.id, MyBookingsResult((old,)))
        moves.append(request.args)
        return error_response(request.id, "timeout", "the web app did not answer in time")

    agent.appointments = appointments
    url = relay.widget_url(clinic)
    who = {"name": "Beatriz Soto", "phone": f"+56 9 7000 0{lead}"}
    await kommo.say(url, clinic.subdomain, lead, "quiero cambiar mi hora", **who)
    days = await kommo.say(url, clinic.subdomain, lead, "Sí, cambiarla", **who)
    times = await kommo.say(url, clinic.subdomain, lead, days.body["data"]["option_2"], **who)
    unknown = await kommo.say(url, clinic.subdomain, lead, times.body["data"]["option_1"], **who)
    assert "Aún no sé si tu hora quedó cambiada" in texts_of(unknown.body)
    await wait_for(lambda: kommo.tasks(clinic.subdomain, lead), "the Kommo task")
    [move] = moves
    new = next(s for s in agent.slots if s.id == move.slot_id)
    told = (Outcome(move.idempotency_key, True, BookResult("bk-new", new.start, new.end, new.professional))
            if made else Outcome(move.idempotency_key, False,
                                 error=WireError("slot_taken", "taken", nothing_written=True)))
    await agent._ws.send(encode(told))
    *_, tell_them = await agent.wait_for_events(3)
    [open_task] = await wait_for(lambda: [t for t in kommo.tasks(clinic.subdomain, lead)
                                                   if not t.completed and "Había elegido" not in t.text
                                                   and "a tiempo" not in t.text], "the new task")
    if made:
        assert (tell_them.reason, tell_them.about, tell_them.chosen_start) == ("moved_untold", "move_to", new.start)
        assert "su hora SÍ quedó cambiada" in open_task.text and "avísele" in open_task.text
    else:
        assert (tell_them.reason, tell_them.about, tell_them.chosen_start) == ("move_not_made", "move_from",
                                                                               old.start)
        assert "su cambio de hora NO se hizo" in open_task.text and "sigue en pie" in open_task.text


async def test_a_cancel_confirmed_while_the_agent_is_paused_names_the_appointment_for_reception(relay, kommo):
    """"Sí, cancelar" with the clinic's automation paused: the hand-off named nothing ("nada todavía"), so reception
    did not know which appointment to cancel."""
    clinic = relay.add_clinic()
    agent = await relay.agent(clinic)
    held, cancels = cancels_time_out(agent, "bk-40")
    url = relay.widget_url(clinic)
    who = {"name": "Elena Paz", "phone": "+56 9 7000 0730"}
    assert "¿Cancelo tu hora" in texts_of((await kommo.say(url, clinic.subdomain, "730", "quiero cancelar mi hora",
                                                            **who)).body)
    await agent.set_paused(True)
    await relay.wait_for_agent(clinic, paused=True)
    await kommo.say(url, clinic.subdomain, "730", "Sí, cancelar", **who)
    [event] = await agent.wait_for_events(1)
    assert (event.reason, event.about, event.chosen_start) == ("paused", "cancel", held.start)
    [task] = await wait_for(lambda: kommo.tasks(clinic.subdomain, "730"), "the Kommo task")
    assert "Hora que pidió cancelar:" in task.text and not cancels


async def test_a_cancel_reception_was_handed_that_the_patient_then_does_settles_reception(relay, kommo):
    """"No pude cancelar tu hora: sigue reservada" (a task for reception); later the patient cancels it themselves:
    the task was left open, and reception could cancel or move them again."""
    from wire.appointments import CancelArgs, CancelResult, MyBookingsResult, WireBooking
    from wire.messages import error_response, ok_response

    clinic = relay.add_clinic()
    agent = await relay.agent(clinic)
    slot = agent.slots[5]
    held = WireBooking("bk-41", slot.start, slot.end, slot.professional)
    refuse = [True]

    def appointments(request):
        if isinstance(request.args, CancelArgs):
            if refuse[0]:
                return error_response(request.id, "portal_down", "refused", nothing_written=True)
            return ok_response(request.id, CancelResult("bk-41"))
        return ok_response(request.id, MyBookingsResult((held,)))

    agent.appointments = appointments
    url = relay.widget_url(clinic)
    who = {"name": "Elena Díaz", "phone": "+56 9 7000 0731"}
    await kommo.say(url, clinic.subdomain, "731", "quiero cancelar mi hora", **who)
    failed = await kommo.say(url, clinic.subdomain, "731", "Sí, cancelar", **who)
    assert "No pude cancelar tu hora en este momento: sigue reservada." in texts_of(failed.body)
    await wait_for(lambda: kommo.tasks(clinic.subdomain, "731"), "the Kommo task")
    refuse[0] = False
    await kommo.say(url, clinic.subdomain, "731", "quiero cancelar mi hora", **who)
    done = await kommo.say(url, clinic.subdomain, "731", "Sí, cancelar", **who)
    assert done.body["data"]["status"] == "cancelled"
    handed_off, resolved = await agent.wait_for_events(2)
    assert (handed_off.reason, resolved.reason) == ("cancel_requested", "resolved_cancelled")
    await wait_for(lambda: all(t.completed for t in kommo.tasks(clinic.subdomain, "731")), "the task done")


async def test_a_moves_new_booking_told_before_the_relay_gave_up_still_settles_reception(make_relay, kommo):
    """The agent booked the move's new time (and told it) before the relay's deadline, then cancelled the old one
    late: the outcome came before the hand-off and was dropped, the task stayed "el agente no respondió a tiempo"."""
    from wire.appointments import MyBookingsResult, WireBooking
    from wire.messages import BookResult, Outcome, encode, error_response, ok_response

    relay = make_relay(book_timeout_s=0.3)
    clinic = relay.add_clinic()
    agent = await relay.agent(clinic)
    old = WireBooking("bk-42", agent.slots[0].start, agent.slots[0].end, "Dra. Soto")

    async def appointments(request):
        if request.op == "my_bookings":
            return ok_response(request.id, MyBookingsResult((old,)))
        new = next(s for s in agent.slots if s.id == request.args.slot_id)
        await agent._ws.send(encode(Outcome(request.args.idempotency_key, True,
                                            BookResult("bk-43", new.start, new.end, new.professional))))
        await asyncio.sleep(1.0)  # the old one's cancel, slow: past the move's deadline
        return error_response(request.id, "timeout", "late")

    agent.appointments = appointments
    url = relay.widget_url(clinic)
    who = {"name": "Diego Soto", "phone": "+56 9 7000 0732"}
    await kommo.say(url, clinic.subdomain, "732", "quiero cambiar mi hora", **who)
    days = await kommo.say(url, clinic.subdomain, "732", "Sí, cambiarla", **who)
    times = await kommo.say(url, clinic.subdomain, "732", days.body["data"]["option_2"], **who)
    unknown = await kommo.say(url, clinic.subdomain, "732", times.body["data"]["option_1"], **who)
    assert "Aún no sé si tu hora quedó cambiada" in texts_of(unknown.body)
    events = await agent.wait_for_events(3)
    assert [e.reason for e in events][-1] == "moved_untold"


async def test_a_booking_whose_news_never_reached_kommo_is_reception_s_to_tell(relay, kommo):
    """Kommo refused the "booked" continuation (its return_url gone, or down past the retries): the appointment was
    in the web app, the patient never heard, and nobody was told. Reception is now: the tray and a Kommo task."""
    clinic = relay.add_clinic()
    agent = await relay.agent(clinic)
    url = relay.widget_url(clinic)
    days = await kommo.say(url, clinic.subdomain, "741", "hola", name="Mónica Leal", phone="+56 9 7000 0741")
    times = await kommo.say(url, clinic.subdomain, "741", buttons_of(days.body)[0])
    kommo.fail_next(clinic.subdomain, count=1, status=404)
    with pytest.raises(TimeoutError):  # no continuation ever arrives: the relay gives up on a 404 at once
        await kommo.say(url, clinic.subdomain, "741", buttons_of(times.body)[0], timeout=3)
    refused = kommo.continuations(clinic.subdomain)[-1]
    assert refused.status_code == 404 and refused.body["data"]["status"] == "booked"
    [event] = await agent.wait_for_events(1)
    assert (event.reason, event.lead_id) == ("booked_unsent", "741")
    assert event.chosen_start == refused.body["data"]["start"]
    [task] = await wait_for(lambda: kommo.tasks(clinic.subdomain, "741"), "a Kommo task on the lead")
    assert "su hora SÍ quedó reservada, pero Kommo no recibió la respuesta del bot" in task.text


async def test_a_yes_that_found_the_agent_away_gives_reception_the_time_confirmed(relay, kommo):
    """«¿Confirmo …?» — "sí" while the clinic's PC was away: the task said only "Estaba mirando el día …", not the
    time the patient had just confirmed."""
    clinic = relay.add_clinic()
    agent = await relay.agent(clinic)
    url = relay.widget_url(clinic)
    first = agent.slots[0]
    asked = await kommo.say(url, clinic.subdomain, "745", f"hola, quiero hora el {first.start_dt():%d/%m} a las "
                            f"{first.start_dt():%H:%M}", name="Iris Soto", phone="+56 9 7000 0745")
    assert asked.body["data"].get("code") == "confirm", asked.body
    await agent.close()
    await relay.wait_for_agent(clinic, connected=False)
    away = await kommo.say(url, clinic.subdomain, "745", "sí", name="Iris Soto", phone="+56 9 7000 0745")
    assert away.body["data"]["status"] == "handoff"
    [task] = await wait_for(lambda: kommo.tasks(clinic.subdomain, "745"), "a Kommo task on the lead")
    assert f"Había elegido: {_day_long(first.start_dt())} {first.start_dt():%H:%M}" in task.text, task.text


def _day_long(moment) -> str:
    from relay.conversation.texts import language
    return language("es").day_long(moment.date())


async def test_an_outcome_told_twice_and_heard_by_the_patient_is_one_task(make_relay, kommo):
    """The agent repeats the outcomes it owes when it reconnects: a booking known NOT made gave reception three
    identical tasks and notes (twice from the agent, once more when the patient heard it from the bot)."""
    from wire.messages import Outcome

    relay = make_relay(book_timeout_s=0.5)
    clinic = relay.add_clinic()
    refused = WireError("bad_request", "the web app refused the patient's details")
    agent, url, who, key, _ = await told_not_known_yet(relay, kommo, clinic, "746", lambda args: refused)
    failed = Outcome(key, ok=False, error=WireError("bad_request", "refused", nothing_written=True))
    for _ in range(2):  # told, and told again on the next connection
        await agent.send(failed)
    handed_off, superseded, settled = await agent.wait_for_events(3)
    assert (handed_off.reason, superseded.reason, settled.reason) == ("timeout", "resolved_superseded",
                                                                     "booking_failed")
    agent.book_delay_s = 0.0
    told = await kommo.say(url, clinic.subdomain, "746", "hola? cómo quedó mi hora", **who)
    assert told.body["data"]["booking"] == "failed"
    await asyncio.sleep(1.0)  # a repeat would have been stored and sent by now
    assert [e.reason for e in agent.events].count("booking_failed") == 1
    await wait_for(lambda: len(kommo.tasks(clinic.subdomain, "746")) >= 2, "the task that it was not booked")
    await asyncio.sleep(0.5)
    assert sum("NO quedó reservada" in t.text for t in kommo.tasks(clinic.subdomain, "746")) == 1, \
        [t.text for t in kommo.tasks(clinic.subdomain, "746")]


async def test_a_booking_not_known_that_someone_else_took_first_says_so_to_reception(make_relay, kommo):
    """Told "Aún no sé…"; the agent then found the time taken by another patient: the task said "la agenda web no la
    guardó" — reception looking for a web-app problem that was not there."""
    from wire.messages import Outcome

    relay = make_relay(book_timeout_s=0.5)
    clinic = relay.add_clinic()
    taken = WireError("slot_taken", "taken", nothing_written=True)
    agent, _url, _who, key, _ = await told_not_known_yet(relay, kommo, clinic, "747", lambda args: taken)
    await agent.send(Outcome(key, ok=False, error=WireError("slot_taken", "taken", nothing_written=True)))
    *_, settled = await agent.wait_for_events(3)
    assert settled.reason == "booking_taken"
    await wait_for(lambda: any("otra persona tomó esa hora justo antes" in t.text
                               for t in kommo.tasks(clinic.subdomain, "747")), "the task saying why")


async def test_a_patient_who_hears_a_failed_booking_reception_was_told_of_still_has_an_open_task(make_relay, kommo):
    """Reception was told "NO quedó reservada: ofrézcale otra" when the agent reported it; the patient then asked and
    heard it from the bot ("Una recepcionista te escribirá"): that very task was closed ("sigue en la tarea nueva")
    with no new one — in Kommo and in the tray nobody was left to write to the patient."""
    from wire.messages import Outcome

    relay = make_relay(book_timeout_s=0.5)
    clinic = relay.add_clinic()
    refused = WireError("bad_request", "the web app refused the patient's details")
    agent, url, who, key, _ = await told_not_known_yet(relay, kommo, clinic, "748", lambda args: refused)
    await agent.send(Outcome(key, ok=False, error=WireError("bad_request", "refused", nothing_written=True)))
    await agent.wait_for_events(3)
    agent.book_delay_s = 0.0
    told = await kommo.say(url, clinic.subdomain, "748", "hola, quedó mi hora?", **who)
    assert told.body["data"]["booking"] == "failed" and "Una recepcionista" in " ".join(
        h["params"]["value"] for h in told.body["execute_handlers"] if h["handler"] == "show")
    await wait_for(lambda: len(kommo.tasks(clinic.subdomain, "748")) >= 2, "the task that it was not booked")
    await asyncio.sleep(1.5)  # a resolution would have been sent and written by now
    open_tasks = [t for t in kommo.tasks(clinic.subdomain, "748") if not t.completed]
    assert len(open_tasks) == 1 and "NO quedó reservada" in open_tasks[0].text, \
        [(t.text, t.completed) for t in kommo.tasks(clinic.subdomain, "748")]
    assert "resolved_superseded" not in [e.reason for e in agent.events][3:]  # the tray's row stays open too


async def test_a_patient_who_books_another_time_after_theirs_was_taken_closes_reception_s_task(make_relay, kommo):
    """"NO quedó reservada (otra persona tomó esa hora): ofrézcale otra" stayed open after the patient booked another
    time with the bot from the alternatives: a receptionist following it would book them a second appointment."""
    from wire.messages import Outcome

    relay = make_relay(book_timeout_s=0.5)
    clinic = relay.add_clinic()
    taken = WireError("slot_taken", "taken", nothing_written=True)
    agent, url, who, key, _ = await told_not_known_yet(relay, kommo, clinic, "749", lambda args: taken)
    await agent.send(Outcome(key, ok=False, error=WireError("slot_taken", "taken", nothing_written=True)))
    await agent.wait_for_events(3)
    await wait_for(lambda: any("otra persona tomó esa hora" in t.text and not t.completed
                               for t in kommo.tasks(clinic.subdomain, "749")), "reception's task to offer another")
    agent.book_delay_s = 0.0  # the same booking asked again is taken still; another time is booked
    agent.book_outcome = lambda args: taken_with_others if args.idempotency_key == key else None
    taken_with_others = WireError("slot_taken", "taken", tuple(agent.slots[3:5]))
    alternatives = await kommo.say(url, clinic.subdomain, "749", "hola, quedó mi hora?", **who)
    assert alternatives.body["data"].get("code") == "slot_taken", alternatives.body["data"]
    booked = await kommo.say(url, clinic.subdomain, "749", buttons_of(alternatives.body)[0], **who)
    assert booked.body["data"]["status"] == "booked", booked.body["data"]
    await wait_for(lambda: all(t.completed for t in kommo.tasks(clinic.subdomain, "749")),
                   "reception's task closed: the patient booked another time")
    assert agent.events[-1].reason == "resolved_booked"  # the tray's row too


@pytest.mark.parametrize("tap", ["label", "number"])
async def test_a_time_tapped_while_the_agent_is_away_is_the_time_reception_is_told(relay, kommo, tap):
    """A time tapped at the times menu while the clinic's PC was away (asleep, paused): the task said "Estaba mirando
    el día …" and "Escribió: «…» «1»" — not the time the patient had chosen."""
    clinic = relay.add_clinic()
    agent = await relay.agent(clinic)
    url = relay.widget_url(clinic)
    who = {"name": "Felipe Quince", "phone": "+56 9 7000 0750"}
    lead = "750" if tap == "label" else "751"
    days = await kommo.say(url, clinic.subdomain, lead, "hola", **who)
    times = await kommo.say(url, clinic.subdomain, lead, buttons_of(days.body)[0], **who)
    chosen = buttons_of(times.body)[1]
    await agent.close()
    await relay.wait_for_agent(clinic, connected=False)
    away = await kommo.say(url, clinic.subdomain, lead, chosen if tap == "label" else "2", **who)
    assert away.body["data"]["status"] == "handoff"
    [task] = await wait_for(lambda: kommo.tasks(clinic.subdomain, lead), "a Kommo task on the lead")
    assert "Había elegido: " in task.text and f" {chosen} " in task.text, task.text


async def test_a_move_of_an_appointment_reception_had_deleted_tells_reception_so_and_the_new_time(relay, kommo):
    """The patient moved an appointment reception had cancelled meanwhile: told rightly "No encontré tu hora…",
    but reception's task said only "quiere cambiar una hora" and the old time — not that it was gone, nor the time
    the patient had chosen."""
    from wire.appointments import NOT_AMONG_THE_PHONES, MyBookingsResult, RescheduleArgs, WireBooking
    from wire.messages import error_response, ok_response

    clinic = relay.add_clinic()
    agent = await relay.agent(clinic)
    agent.slot_extras = {"finds_bookings": True}
    old = agent.slots[5]
    held = WireBooking("bk-60", old.start, old.end, old.professional)

    def appointments(request):
        if isinstance(request.args, RescheduleArgs):
            return error_response(request.id, "bad_request", NOT_AMONG_THE_PHONES)
        return ok_response(request.id, MyBookingsResult((held,)))

    agent.appointments = appointments
    url = relay.widget_url(clinic)
    who = {"name": "Lucía Vera", "phone": "+56 9 7000 0752"}
    await kommo.say(url, clinic.subdomain, "752", "quiero cambiar mi hora", **who)
    days = await kommo.say(url, clinic.subdomain, "752", "sí", **who)
    times = await kommo.say(url, clinic.subdomain, "752", buttons_of(days.body)[0], **who)
    chosen = buttons_of(times.body)[0]
    gone = await kommo.say(url, clinic.subdomain, "752", chosen, **who)
    assert gone.body["data"].get("code") == "not_in_agenda", gone.body["data"]
    [task] = await wait_for(lambda: kommo.tasks(clinic.subdomain, "752"), "a Kommo task on the lead")
    assert "ya NO estaba en la agenda web" in task.text and "Hora nueva que eligió" in task.text, task.text
    assert f" {chosen} " in task.text, task.text
