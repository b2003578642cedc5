"""Kommo down or slow for a while: the clinic's team still gets every task, note and tag a hand-off makes — once —
and a case that settled meanwhile still has its task completed. (The tray has every follow-up regardless.)"""

from __future__ import annotations

import asyncio

import pytest
from relay_harness import buttons_of

import relay.followups
import relay.followups as relay_followups
from relay.cli import main as relay_cli

PATIENT = {"name": "Rosa Vera", "phone": "+56 9 7000 0711"}


async def wait_for(probe, what: str, seconds: float = 20.0):
    for _ in range(int(seconds / 0.025)):
        found = probe()
        if found:
            return found
        await asyncio.sleep(0.025)
    raise AssertionError(f"never saw {what}")


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch):
    monkeypatch.setattr(relay.followups, "KOMMO_RETRY_S", (0.3, 0.3, 0.3, 0.3), raising=False)


def every_action(relay, clinic) -> None:
    assert relay_cli(["set-follow-ups", clinic.name, "--kommo", "task,note,tag",
                      "--data", str(relay.settings.data_dir)]) == 0


async def test_a_handoff_made_while_kommo_refused_everything_reaches_it_once_it_answers(relay, kommo):
    clinic = relay.add_clinic()
    every_action(relay, clinic)
    agent = await relay.agent(clinic, paused=True)
    kommo.refuse_api(clinic.subdomain, 9)  # the first post and the first retry's task read: all refused
    await kommo.say(relay.widget_url(clinic), clinic.subdomain, "711", "hola", **PATIENT)
    await agent.wait_for_events(1)
    [task] = await wait_for(lambda: kommo.tasks(clinic.subdomain, "711"), "the task, once Kommo answers")
    assert "Contactar por WhatsApp a Rosa Vera" in task.text and not task.completed
    await wait_for(lambda: kommo.notes(clinic.subdomain, "711"), "the note")
    await wait_for(lambda: kommo.tags(clinic.subdomain, "711"), "the tag")
    await asyncio.sleep(1.0)  # any further retry would have written by now
    assert len(kommo.tasks(clinic.subdomain, "711")) == 1 and len(kommo.notes(clinic.subdomain, "711")) == 1


async def test_a_task_write_that_timed_out_but_was_made_is_not_written_again(make_relay, kommo):
    relay = make_relay(continuation_timeout_s=0.5)
    clinic = relay.add_clinic()
    agent = await relay.agent(clinic, paused=True)
    kommo.slow_task_writes(clinic.subdomain, 1.0)  # written after the relay stopped waiting
    await kommo.say(relay.widget_url(clinic), clinic.subdomain, "712", "hola", **PATIENT)
    await agent.wait_for_events(1)
    await wait_for(lambda: kommo.tasks(clinic.subdomain, "712"), "the slow task")
    kommo.slow_task_writes(clinic.subdomain, 0.0)
    await asyncio.sleep(2.0)  # the retries looked at the lead's tasks and found it
    assert len(kommo.tasks(clinic.subdomain, "712")) == 1


async def test_a_case_settled_while_kommo_refused_the_lookup_still_completes_its_task(make_relay, kommo):
    relay = make_relay(book_timeout_s=0.5)
    clinic = relay.add_clinic()
    every_action(relay, clinic)
    agent = await relay.agent(clinic, book_delay_s=1.5)
    url = relay.widget_url(clinic)
    days = await kommo.say(url, clinic.subdomain, "713", "hola", **PATIENT)
    times = await kommo.say(url, clinic.subdomain, "713", buttons_of(days.body)[0], **PATIENT)
    first = await kommo.say(url, clinic.subdomain, "713", buttons_of(times.body)[0], **PATIENT)
    assert first.body["data"]["booking"] == "unconfirmed"
    [task] = await wait_for(lambda: kommo.tasks(clinic.subdomain, "713"), "the Kommo task")
    await wait_for(lambda: kommo.tags(clinic.subdomain, "713"), "the contact tag")
    await asyncio.sleep(1.5)  # the agent's booking went through meanwhile
    agent.book_delay_s = 0.0
    kommo.refuse_api(clinic.subdomain, 5)  # the resolution's task lookup, tag and note: refused at first
    settled = await kommo.say(url, clinic.subdomain, "713", "hola, quedó mi hora?", **PATIENT)
    assert settled.body["data"]["status"] == "booked"
    [done] = await wait_for(lambda: [t for t in kommo.tasks(clinic.subdomain, "713") if t.completed], "the task done")
    assert "su hora quedó reservada" in done.result
    await wait_for(lambda: not kommo.tags(clinic.subdomain, "713"), "the contact tag taken off")
    assert len(kommo.tasks(clinic.subdomain, "713")) == 1


async def test_a_handoff_kommo_refused_before_the_relay_restarted_reaches_it_after(relay, kommo, monkeypatch):
    """The relay restarts (a deploy, a crash) while a task waits to be tried again: the next run writes it."""
    monkeypatch.setattr(relay_followups, "KOMMO_RETRY_S", (60.0, 60.0), raising=False)  # far past the restart
    clinic = relay.add_clinic()
    agent = await relay.agent(clinic, paused=True)
    kommo.refuse_api(clinic.subdomain, 1000)
    await kommo.say(relay.widget_url(clinic), clinic.subdomain, "714", "hola", **PATIENT)
    await agent.wait_for_events(1)
    await asyncio.sleep(0.5)  # the task and note were refused: owed, to be tried again in a minute
    assert kommo.tasks(clinic.subdomain, "714") == []
    await relay.close_agents()
    relay.restart()
    kommo.refuse_api(clinic.subdomain, 0)  # Kommo is back
    [task] = await wait_for(lambda: kommo.tasks(clinic.subdomain, "714"), "the task, written by the next run")
    assert "Contactar por WhatsApp a Rosa Vera" in task.text
    await wait_for(lambda: kommo.notes(clinic.subdomain, "714"), "the note")
    relay.restart()  # paid: a further restart writes nothing again
    await asyncio.sleep(2.0)
    assert len(kommo.tasks(clinic.subdomain, "714")) == 1 and len(kommo.notes(clinic.subdomain, "714")) == 1


async def test_handoffs_whose_first_kommo_write_was_under_way_when_the_relay_stopped_reach_it_after(relay, kommo,
                                                                                                      monkeypatch):
    """Kommo refusing, five patients handed off at once, the relay stopped at once (a deploy): the first writes
    were still queued behind Kommo's limit. Each patient's task and note reach Kommo once, by the next run."""
    monkeypatch.setattr(relay_followups, "KOMMO_RETRY_S", (60.0, 60.0), raising=False)
    clinic = relay.add_clinic()
    agent = await relay.agent(clinic, paused=True)
    kommo.refuse_api(clinic.subdomain, 100_000)
    leads = [str(720 + i) for i in range(5)]
    await asyncio.gather(*(kommo.say(relay.widget_url(clinic), clinic.subdomain, lead, "hola", name=f"Paciente {lead}",
                                     phone=f"+56 9 7000 0{lead}") for lead in leads))
    await agent.wait_for_events(len(leads))
    await relay.close_agents()
    relay.restart()
    kommo.refuse_api(clinic.subdomain, 0)
    for lead in leads:
        await wait_for(lambda lead=lead: kommo.notes(clinic.subdomain, lead), f"the note of lead {lead}", 60.0)
    await asyncio.sleep(2.0)
    assert [len(kommo.tasks(clinic.subdomain, lead)) for lead in leads] == [1] * len(leads)
    assert [len(kommo.notes(clinic.subdomain, lead)) for lead in leads] == [1] * len(leads)
