"""The instance holding an agent is not subscribed to its channel for a moment (Redis just came back, or it is
subscribing again): a request from another instance waits a short grace for it instead of becoming a hand-off.
Two ``RedisAgentDirectory`` objects on a real redis-server, the agent a link that answers like one."""

from __future__ import annotations

import asyncio

import pytest
from polling import wait_until

from relay.agents import AgentConnection, AgentUnavailable, LocalAgentDirectory
from relay.cluster.agents import RedisAgentDirectory
from relay.cluster.client import async_client
from wire.messages import Response, SlotsArgs, Status, decode


class AnsweringAgent:
    """An agent's websocket as the holding instance sees it: every request is answered at once."""

    def __init__(self) -> None:
        self.directory: RedisAgentDirectory | None = None
        self.connection: AgentConnection | None = None
        self.requests = 0

    async def send_text(self, text: str) -> None:
        request = decode(text)
        self.requests += 1
        assert self.directory is not None and self.connection is not None
        self.directory.on_response(self.connection, Response(request.id, ok=True, result={"slots": []}))

    async def close(self, code: int, reason: str) -> None:
        pass


@pytest.fixture
async def clients(redis_server):
    made = [async_client(redis_server.url) for _ in range(3)]
    yield made
    for client in made:
        await client.aclose()


async def test_a_request_waits_for_the_holder_subscribing_again(clients):
    asker = RedisAgentDirectory(clients[0], "relay-a")
    holder = RedisAgentDirectory(clients[1], "relay-b")
    agent = AnsweringAgent()
    await asker.start()
    await holder.start()
    agent.directory, agent.connection = holder, holder.attach("clinica", agent)
    holder.on_status(agent.connection, Status(paused=False, portal="ok"))
    await wait_until(lambda: asker.listening and holder.listening, 10.0)
    answered = await asker.request("clinica", "slots", SlotsArgs(), timeout_s=5)
    assert answered.ok and agent.requests == 1

    # B stops listening (its record still says it holds the agent); a patient's question arrives at A meanwhile.
    local: LocalAgentDirectory = holder.local
    await holder.stop()
    asking = asyncio.ensure_future(asker.request("clinica", "slots", SlotsArgs(), timeout_s=5))
    await asyncio.sleep(0.5)
    assert not asking.done()  # waiting, not handed off
    back = RedisAgentDirectory(clients[2], "relay-b", local=local)  # B subscribed again, the same websocket
    agent.directory = back
    await back.start()
    answered = await asyncio.wait_for(asking, 5)
    assert answered.ok and agent.requests == 2  # asked once: the request that reached nobody was not counted
    await back.stop()

    # Nobody comes back: a hand-off after the grace, well before the question's own deadline.
    started = asyncio.get_running_loop().time()
    with pytest.raises(AgentUnavailable) as offline:
        await asker.request("clinica", "slots", SlotsArgs(), timeout_s=30)
    assert offline.value.reason == "agent_offline"
    assert asyncio.get_running_loop().time() - started < 10
    await asker.stop()
