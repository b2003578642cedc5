"""`cita-relay remove-clinic` closes the removed clinic's agent link on the running relay, as rotate-agent-token does:
before, the agent stayed connected, and a clinic added again under the same name showed `agent_connected: true`
from it (and would have sent it its patients). Refused by the relay, the command says the agent is STILL connected."""

from __future__ import annotations

import asyncio
import os

from test_cli import add_clinic, cita_relay

OPERATOR_TOKEN = "op-secret-remove-7c1d"


async def test_removing_a_clinic_disconnects_its_agent_and_a_clinic_added_again_has_none(relay):
    clinic = relay.add_clinic()
    agent = await relay.agent(clinic)
    data = str(relay.settings.data_dir)

    removed = await asyncio.to_thread(cita_relay, "remove-clinic", clinic.name, "--data", data, "--relay", relay.url)

    assert removed.returncode == 0, removed.stdout + removed.stderr
    assert removed.stdout.splitlines() == [
        f"Clinic {clinic.name!r} removed (its agent token no longer works).",
        f"Its agent was disconnected from the relay at {relay.url}.",
    ]
    await asyncio.wait_for(agent.closed.wait(), 10)
    assert agent.close_code == 4401  # the agent is told its token is refused, and is refused if it comes back
    assert clinic.name not in (await relay.healthz())["clinics"]

    again = await asyncio.to_thread(add_clinic, relay.settings.data_dir, clinic.name)
    assert again.returncode == 0, again.stderr
    assert (await relay.healthz())["clinics"][clinic.name]["agent_connected"] is False


async def test_a_relay_that_refuses_says_the_removed_clinics_agent_is_still_connected(make_relay):
    relay = make_relay(operator_token=OPERATOR_TOKEN)
    clinic = relay.add_clinic()
    agent = await relay.agent(clinic)
    without = {k: v for k, v in os.environ.items() if k != "CITA_RELAY_OPERATOR_TOKEN"}

    removed = await asyncio.to_thread(cita_relay, "remove-clinic", clinic.name, "--data", str(relay.settings.data_dir),
                                      "--relay", relay.url, env=without)

    assert removed.returncode == 1, removed.stdout + removed.stderr
    assert removed.stdout == f"Clinic {clinic.name!r} removed (its agent token no longer works).\n"
    said = removed.stderr
    assert f"the relay at {relay.url} did not disconnect the removed clinic's agent" in said
    assert "asks for its operator token (CITA_RELAY_OPERATOR_TOKEN) and this command was not given it" in said
    assert "STILL CONNECTED" in said and "sudo systemctl restart cita-relay" in said
    assert "If its agent is connected there (the relay did not say)" in said  # never told as a fact it did not learn
    await asyncio.sleep(0.2)
    assert not agent.closed.is_set()  # as the command says
