"""`cita-relay rotate-agent-token` against a relay that has an operator token: run without it, the relay refuses to
drop the old agent, and the command must say that the old agent (a stolen PC) is STILL connected, how to fix it,
and exit non-zero — not that it is "connected to another relay". Run with it, the old agent is cut off."""

from __future__ import annotations

import asyncio
import os

from relay_harness import ScriptedAgent
from test_cli import cita_relay

OPERATOR_TOKEN = "op-secret-rotate-4f9b2c"


async def test_rotating_without_the_relays_operator_token_says_the_old_agent_is_still_connected(make_relay):
    relay = make_relay(operator_token=OPERATOR_TOKEN)
    clinic = relay.add_clinic()
    old_agent = await relay.agent(clinic)
    flags = ("--data", str(relay.settings.data_dir), "--relay", relay.url)
    without = {k: v for k, v in os.environ.items() if k != "CITA_RELAY_OPERATOR_TOKEN"}

    refused = await asyncio.to_thread(cita_relay, "rotate-agent-token", clinic.name, *flags, env=without)

    assert refused.returncode == 1, refused.stdout + refused.stderr
    said = refused.stderr
    assert f"the relay at {relay.url} did not disconnect the old agent" in said
    assert "asks for its operator token (CITA_RELAY_OPERATOR_TOKEN) and this command was not given it" in said
    assert "STILL CONNECTED" in said and "the relay did not say whether one is" in said
    assert "set -a; . /etc/cita-relay/relay.env; set +a" in said
    assert f"cita-relay rotate-agent-token {clinic.name} --data {relay.settings.data_dir} --relay {relay.url}" in said
    assert "another relay" not in refused.stdout + said
    new_token = refused.stdout.rstrip("\n").split("\n")[-1]  # the new token is shown even so: it is shown once
    assert new_token != clinic.agent_token and len(new_token) >= 40
    await asyncio.sleep(0.2)
    assert not old_agent.closed.is_set()  # as the command says: the old agent is still connected
    assert (await relay.healthz())["clinics"][clinic.name]["agent_connected"] is True

    with_token = {**without, "CITA_RELAY_OPERATOR_TOKEN": OPERATOR_TOKEN}
    rotated = await asyncio.to_thread(cita_relay, "rotate-agent-token", clinic.name, *flags, env=with_token)

    assert rotated.returncode == 0, rotated.stdout + rotated.stderr
    assert f"The agent connected with the old token was disconnected from the relay at {relay.url}." in rotated.stdout
    assert rotated.stderr == ""
    await asyncio.wait_for(old_agent.closed.wait(), 10)
    assert old_agent.close_code == 4401
    newest = rotated.stdout.rstrip("\n").split("\n")[-1]
    fresh = await ScriptedAgent(relay.ws_url, newest).connect()  # the token printed last is the one that works
    try:
        await relay.wait_for_agent(clinic)
    finally:
        await fresh.close()
