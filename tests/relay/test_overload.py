"""Overload is a state, not an outage: past its bounds the relay answers Kommo 503 + Retry-After at once, keeps
nothing of what it refused, and the patients whose messages it did accept get their real answers, never a
hand-off caused by the relay's own backlog."""

from __future__ import annotations

import asyncio

from relay_harness import buttons_of


async def shed_total(relay) -> float:
    import httpx

    async with httpx.AsyncClient(timeout=10) as http:
        text = (await http.get(f"{relay.url}/metrics")).text
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith("cita_relay_shed_requests_total{")
    )


async def test_a_relay_with_tiny_limits_sheds_with_503_and_never_hands_off(make_relay, kommo):
    relay = make_relay(max_turns_in_flight=2)
    clinic = relay.add_clinic()
    agent = await relay.agent(clinic, slots_delay_s=1.5)  # the two accepted turns are still under way

    bodies = [kommo.widget_request(clinic.subdomain, {"lead_id": f"ov{i}", "message": "hola", "name": "Ana", "phone": "+56 9 1234 5678"}) for i in range(3)]
    first = [await relay.post_widget(clinic, body) for body, _ in bodies[:2]]
    assert [r.status_code for r in first] == [200, 200]
    refused = await relay.post_widget(clinic, bodies[2][0])
    assert refused.status_code == 503
    assert refused.headers["retry-after"] == "1"
    assert refused.json()["error"] == "overloaded"
    assert await shed_total(relay) == 1

    # The accepted ones get the menu, not a hand-off.
    for _, continue_id in bodies[:2]:
        record = await kommo.wait_for_continuation(continue_id, timeout=20)
        assert record.accepted, record.reason
        assert record.body["data"]["status"] == "choose_day"
        assert buttons_of(record.body)

    # Nothing of the refused request was kept: sent again (as Kommo does), it is a first delivery and answered.
    while relay.app.state.relay.turns.in_flight:
        await asyncio.sleep(0.05)
    again = await relay.post_widget(clinic, bodies[2][0])
    assert again.status_code == 200
    record = await kommo.wait_for_continuation(bodies[2][1], timeout=20)
    assert record.body["data"]["status"] == "choose_day"
    assert len(agent.ops("slots")) == 3


class _Lag:
    def __init__(self, lag_s: float) -> None:
        self.lag_s = lag_s


def test_admission_sheds_for_a_late_loop_only_with_its_own_turns_piling_up():
    from relay.overload import Admission

    turns = [0]
    lag = _Lag(0.5)
    admission = Admission(max_lag_s=0.05, max_turns_in_flight=100, turns_in_flight=lambda: turns[0], lag=lag)
    assert admission.check() is None  # late, but with nothing of its own to do: the machine is busy, not the relay
    turns[0] = 20
    assert admission.check().reason == "loop_behind"
    lag.lag_s = 0.01
    assert admission.check() is None
    turns[0] = 100
    assert admission.check().reason == "turns_full"


def test_admission_sheds_what_would_wait_longer_than_the_budget_for_the_cpu():
    from relay.overload import TurnCost

    turns, busy = [0], [0]
    cost = TurnCost(initial_s=0.002)
    admission = _within_budget(turns, busy_turns=lambda: busy[0], cost=cost, min_turns_for_wait=8)
    turns[0] = busy[0] = 20  # 21 turns of 2 ms: 42 ms
    assert admission.check() is None
    turns[0] = busy[0] = 30  # 62 ms
    assert admission.check().reason == "queue_wait"
    busy[0] = 5  # the rest wait for their agents or for Kommo: no CPU of the relay's meanwhile
    assert admission.check() is None
    assert admission.check(queued_s=0.08).reason == "queued"  # this one already waited longer than the budget
    turns[0] = busy[0] = 4  # a burst that small is always taken in
    assert admission.check(queued_s=0.08) is None


def test_the_budget_holds_the_whole_wait_of_an_accepted_request():
    """Past capacity, a request that waited 30 ms before the relay read it, with 30 ms of turns still ahead of it,
    would reach its CPU 60 ms after it arrived: over a 50 ms budget, so refused (each half alone is within it)."""
    from relay.overload import TurnCost

    turns, busy = [0], [0]
    admission = _within_budget(turns, busy_turns=lambda: busy[0], cost=TurnCost(initial_s=0.002, sched=lambda: None))
    turns[0] = busy[0] = 14  # 15 turns of 2 ms ahead of its CPU: 30 ms
    assert admission.check() is None
    assert admission.check(queued_s=0.015) is None  # 45 ms in all
    assert admission.check(queued_s=0.03).reason == "queue_wait"
    turns[0] = busy[0] = 3  # a handful is always taken in
    assert admission.check(queued_s=0.03) is None


def test_turn_cost_is_the_process_cpu_per_accepted_turn():
    from relay.overload import TurnCost

    clock, cpu = [0.0], [0.0]
    cost = TurnCost(initial_s=0.002, every_s=0.5, min_turns=20, clock=lambda: clock[0], cpu=lambda: cpu[0])
    for _ in range(100):  # 100 turns in a second, 0.1 s of CPU: 1 ms each
        clock[0] += 0.01
        cpu[0] += 0.001
        cost.accepted()
    assert 0.0009 < cost.cpu_s < 0.0013


def test_turn_cost_on_the_clock_is_stretched_by_the_wait_for_a_core():
    """A relay that gets half a core (runnable as long as it runs) takes two milliseconds per millisecond of CPU."""
    from relay.overload import TurnCost

    clock, cpu, sched = [0.0], [0.0], [(0.0, 0.0)]
    cost = TurnCost(
        initial_s=0.001,
        every_s=0.5,
        min_turns=20,
        clock=lambda: clock[0],
        cpu=lambda: cpu[0],
        sched=lambda: sched[0],
    )
    for _ in range(400):  # 100 turns a second, 1 ms of CPU each, and as long again waiting for a core
        clock[0] += 0.01
        cpu[0] += 0.001
        sched[0] = (sched[0][0] + 0.001, sched[0][1] + 0.001)
        cost.accepted()
    assert 1.8 < cost.stretch <= 2.0
    assert 0.0018 < cost.wall_s < 0.0021
    unknown = TurnCost(initial_s=0.001, sched=lambda: None)  # no /proc/self/schedstat: the CPU figure as it is
    assert unknown.wall_s == unknown.cpu_s


def test_admission_counts_the_rest_of_the_turns_back_from_their_agents():
    from relay.overload import TurnCost

    turns, busy = [0], [0]
    admission = _within_budget(turns, busy_turns=lambda: busy[0], cost=TurnCost(initial_s=0.002, sched=lambda: None))
    turns[0], busy[0] = 30, 10  # 10 runnable + half of 20 still to come back + itself: 21 turns of 2 ms
    assert admission.check() is None
    turns[0] = 60  # 10 + half of 50 + 1 = 36 turns: 72 ms
    assert admission.check().reason == "queue_wait"
    turns[0] = busy[0] = 3  # a handful is always taken in
    assert admission.check(queued_s=0.08) is None


async def test_a_request_that_waited_in_the_kernel_past_the_budget_is_shed_not_accepted_late(make_relay, kommo):
    """A relay short of CPU reads its sockets late: the wait of a request's bytes in the kernel counts in its queue
    time, so it is refused at once (Kommo sends it again) instead of being accepted as if it had just arrived."""
    import threading
    import time

    relay = make_relay()
    clinic = relay.add_clinic()
    await relay.agent(clinic, slots_delay_s=3.0)  # the first turns stay under way, waiting for their agent
    bodies = [
        kommo.widget_request(
            clinic.subdomain, {"lead_id": f"kw{i}", "message": "hola", "name": "Ana", "phone": "+56 9 1234 5678"}
        )
        for i in range(6)
    ]
    for body, _ in bodies[:4]:
        assert (await relay.post_widget(clinic, body)).status_code == 200

    # The relay's loop busy for a moment (as on a machine that gives it no core): the next request waits unread.
    relay_loop = relay.app.state.relay.loop_lag._loop
    busy = threading.Event()

    def hold_the_loop() -> None:
        busy.set()
        time.sleep(0.4)

    relay_loop.call_soon_threadsafe(hold_the_loop)
    await asyncio.to_thread(busy.wait, 10)
    late = await relay.post_widget(clinic, bodies[4][0])
    assert late.status_code == 503
    assert late.headers["retry-after"] == "1"
    assert await shed_total(relay) == 1

    # One that is read as soon as it arrives is taken in.
    assert (await relay.post_widget(clinic, bodies[5][0])).status_code == 200
    for _, continue_id in [*bodies[:4], bodies[5]]:
        record = await kommo.wait_for_continuation(continue_id, timeout=20)
        assert record.body["data"]["status"] == "choose_day"


def test_kernel_wait_is_how_long_the_bytes_sat_unread():
    import socket
    import time

    from relay.overload import kernel_wait_s

    server = socket.create_server(("127.0.0.1", 0))
    client = socket.create_connection(server.getsockname())
    conn, _ = server.accept()
    try:
        client.sendall(b"POST / HTTP/1.1\r\n\r\n")
        time.sleep(0.3)  # nobody reads meanwhile
        assert kernel_wait_s(conn) >= 0.25
        assert kernel_wait_s(None) == 0.0
    finally:
        for s in (client, conn, server):
            s.close()


def test_past_capacity_a_late_request_is_refused_however_few_turns_are_under_way():
    """Flooded, the relay's backlog is requests it has not read yet, not turns: while it is shedding anyway, one
    that already waited past the budget is refused; at rest, a late one among a handful is still taken in."""
    from relay.overload import TurnCost

    clock, turns = [100.0], [0]
    admission = _within_budget(turns, cost=TurnCost(initial_s=0.002, sched=lambda: None), clock=lambda: clock[0])
    turns[0] = 2
    assert admission.check(queued_s=0.15) is None  # at rest: a hiccup of the machine, taken in
    turns[0] = 40
    assert admission.check().reason == "queue_wait"  # past capacity: the state starts
    turns[0] = 2
    assert admission.check(queued_s=0.15).reason == "queued"  # twice the budget late
    assert admission.check(queued_s=0.08) is None  # a little late, with a handful of turns: taken in
    clock[0] += 1.5  # a second and more without shedding: at rest again
    assert admission.check(queued_s=0.15) is None


def _within_budget(turns: list[int], **extra):
    """An admission that sheds by the CPU wait budget (50 ms), the loop on time, ``turns[0]`` turns in flight."""
    from relay.overload import Admission

    return Admission(
        max_lag_s=0.05, max_turns_in_flight=1000, turns_in_flight=lambda: turns[0], lag=_Lag(0.0), max_wait_s=0.05,
        **extra,
    )


def test_turn_cost_leaves_out_the_cpu_of_a_quiet_spell_before_the_turns():
    """Start-up and a thousand agents connecting (or their pings over a quiet hour) were counted as the first turns'
    CPU: the next few turns arriving together were refused as overload by a relay that was nearly idle."""
    from relay.overload import TurnCost

    clock, cpu = [0.0], [0.0]
    cost = TurnCost(initial_s=0.002, every_s=0.5, min_turns=20, clock=lambda: clock[0], cpu=lambda: cpu[0])
    clock[0], cpu[0] = 600.0, 6.0  # ten quiet minutes: 6 s of CPU for pings, no turn
    for _ in range(100):  # then 100 turns in a second, 1 ms of CPU each
        clock[0] += 0.01
        cpu[0] += 0.001
        cost.accepted()
    assert cost.cpu_s < 0.0015
