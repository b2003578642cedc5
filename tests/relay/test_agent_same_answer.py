""""Same slots as before": the relay asks with the fingerprint of the answer it holds, an agent whose answer still
has it says "unchanged", and the patient sees exactly what a full answer would have shown. Never the held answer
when the agent did not confirm it; always a full question when the relay no longer holds it."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from relay_harness import ScriptedAgent, buttons_of, make_slots

from wire.messages import Request, Response, SlotsArgs, SlotsResult, SlotsUnchanged, encode


class FingerprintingAgent(ScriptedAgent):
    """A scripted agent that fingerprints its slots answers and, when ``honours_known``, answers "unchanged" to a
    question that names its current fingerprint. ``lie_unchanged``: says "unchanged" with that fingerprint to the
    next question whatever it names (a confused agent, or the held answer replaced meanwhile)."""

    def __init__(self, *args: Any, honours_known: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.honours_known = honours_known
        self.lie_unchanged: str | None = None
        self.sent: list[dict[str, Any]] = []  # the results sent, in order

    def fingerprint(self) -> str:
        answer = SlotsResult(tuple(self.slots), 0.0, **self.slot_extras).to_json()
        del answer["age_s"]
        return hashlib.sha256(json.dumps(answer, sort_keys=True).encode()).hexdigest()[:24]

    async def _answer(self, request: Request) -> None:
        if request.op != "slots" or self.slots_error:
            await super()._answer(request)
            return
        assert self._ws is not None and isinstance(request.args, SlotsArgs)
        fingerprint = self.fingerprint()
        if self.lie_unchanged is not None:
            result = SlotsUnchanged(self.lie_unchanged, 2.0).to_json()
            self.lie_unchanged = None
        elif self.honours_known and request.args.known == fingerprint:
            result = SlotsUnchanged(fingerprint, 2.0).to_json()
        else:
            result = {**SlotsResult(tuple(self.slots), 1.5, **self.slot_extras).to_json(), "fingerprint": fingerprint}
        self.sent.append(result)
        await self._ws.send(encode(Response(request.id, True, result)))


async def fingerprinting_agent(relay, clinic, **options: Any) -> FingerprintingAgent:
    agent = FingerprintingAgent(relay.ws_url, clinic.agent_token, **options)
    await agent.connect()
    relay.agents.append(agent)
    await relay.wait_for_agent(clinic)
    return agent


def known_of(agent: ScriptedAgent) -> list[str | None]:
    return [r.args.known for r in agent.ops("slots")]


async def days_shown(kommo, relay, clinic, lead: str) -> list[str]:
    record = await kommo.say(relay.widget_url(clinic), clinic.subdomain, lead, "Hola, quiero una hora")
    assert record.accepted, record.reason
    assert record.body["data"]["status"] == "choose_day"
    return buttons_of(record.body)


async def test_an_unchanged_answer_shows_the_patient_what_the_full_one_showed(relay, kommo):
    clinic = relay.add_clinic()
    agent = await fingerprinting_agent(relay, clinic)
    first = await days_shown(kommo, relay, clinic, "301")
    again = await days_shown(kommo, relay, clinic, "302")
    assert again == first
    assert known_of(agent) == [None, agent.fingerprint()]
    assert "slots" in agent.sent[0] and agent.sent[1] == {"unchanged": agent.fingerprint(), "age_s": 2.0}


async def test_an_older_agent_that_gives_no_fingerprint_is_asked_in_full(relay, kommo):
    clinic = relay.add_clinic()
    agent = await relay.agent(clinic)  # the harness's agent: an older one, no fingerprint in its answers
    first = await days_shown(kommo, relay, clinic, "311")
    assert await days_shown(kommo, relay, clinic, "312") == first
    assert known_of(agent) == [None, None]


async def test_an_older_agent_that_ignores_known_is_answered_from_its_full_answer(relay, kommo):
    clinic = relay.add_clinic()
    agent = await fingerprinting_agent(relay, clinic, honours_known=False, slots=make_slots(days=6))
    first = await days_shown(kommo, relay, clinic, "321")
    agent.slots = make_slots(days=6, start_day=2)  # the first day is gone
    second = await days_shown(kommo, relay, clinic, "322")
    assert known_of(agent)[1] is not None and all("slots" in sent for sent in agent.sent)
    assert second[0] != first[0]


async def test_a_changed_answer_is_never_replaced_by_the_held_one(relay, kommo):
    clinic = relay.add_clinic()
    agent = await fingerprinting_agent(relay, clinic, slots=make_slots(days=6))
    first = await days_shown(kommo, relay, clinic, "331")
    held = agent.fingerprint()
    agent.slots = make_slots(days=6, start_day=2)
    second = await days_shown(kommo, relay, clinic, "332")
    assert known_of(agent) == [None, held]
    assert "slots" in agent.sent[1] and second[0] != first[0]

    # "Unchanged" naming an answer the relay does not hold (here the first one, replaced since): asked again in full.
    agent.lie_unchanged = held
    third = await days_shown(kommo, relay, clinic, "333")
    assert known_of(agent)[2:] == [agent.fingerprint(), None]
    assert third == second


async def test_unchanged_when_nothing_was_known_is_not_an_answer(relay, kommo):
    clinic = relay.add_clinic()
    agent = await fingerprinting_agent(relay, clinic)
    agent.lie_unchanged = agent.fingerprint()
    record = await kommo.say(relay.widget_url(clinic), clinic.subdomain, "341", "Hola")
    assert record.accepted and record.body["data"]["status"] != "choose_day"  # handed off, never a made-up answer
    assert known_of(agent) == [None]


async def test_a_restarted_relay_asks_in_full(relay, kommo):
    clinic = relay.add_clinic()
    agent = await fingerprinting_agent(relay, clinic)
    first = await days_shown(kommo, relay, clinic, "351")
    assert await days_shown(kommo, relay, clinic, "352") == first
    assert known_of(agent) == [None, agent.fingerprint()]
    await relay.close_agents()
    relay.restart()

    agent = await fingerprinting_agent(relay, clinic)
    assert await days_shown(kommo, relay, clinic, "353") == first
    assert await days_shown(kommo, relay, clinic, "354") == first
    assert known_of(agent) == [None, agent.fingerprint()]
    assert "slots" in agent.sent[0] and "unchanged" in agent.sent[1]
