"""The relay's CPU per slots question and answer over a real agent websocket (issue 13, the agent link's share).

    .venv/bin/python bench/agent_frames_cpu.py [--rounds 4000] [--slots 40] [--concurrency 8] [--blocks 3]

The relay (``relay.app.build_app`` on uvicorn, as ``cita-relay serve`` runs it, uvloop when installed) serves two
clinics on 127.0.0.1; two agents in a child process (``websockets`` clients, answers pre-encoded, so their CPU is
not the relay's) answer their slots questions:

- ``older``: an agent that gives no fingerprint: every answer is the whole 14 days (``--slots`` free slots), which the
  relay decodes and compares with the clinic's last answer (relay/slot_answers.py);
- ``unchanged``: an agent that fingerprints its answer and, asked with that fingerprint (``args.known``), answers
  "unchanged" (wire.messages.SlotsUnchanged).

A round is what a turn does for its slots: ``agents.request(clinic, "slots", ...)`` and the answer parsed. The
relay process's CPU (``time.process_time``: the event loop, uvicorn's websocket protocol, the relay's code) over
``--rounds`` rounds, ``--concurrency`` at a time, is printed in µs per round for each kind, the kinds alternated in
``--blocks`` blocks so that both see the same minutes of a shared machine. The load average is printed beside.
On a relay without "same as before" (older code) both kinds are answered in full.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import hashlib
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CLINIC_TZ = timezone(timedelta(hours=-3))
KINDS = ("older", "unchanged")


def slots_answer(count: int) -> dict[str, Any]:
    """A clinic's 14-day answer: ``count`` free hours over the next days, two professionals (as bench/relay_load.py)."""
    today = datetime.now(CLINIC_TZ).date()
    slots = []
    for i in range(count):
        day = today + timedelta(days=1 + i // 4)
        start = datetime(day.year, day.month, day.day, 9 + i % 4, 0, tzinfo=CLINIC_TZ)
        who = "Dra. Soto" if i % 2 == 0 else "Dr. Pérez"
        slots.append({"id": f"s{i}", "start": start.isoformat(), "end": (start + timedelta(minutes=30)).isoformat(),
                      "professional": who})
    return {"slots": slots, "age_s": 3.0}


# ---------------------------------------------------------------------------
# The agents (child process)
# ---------------------------------------------------------------------------


async def _agent(url: str, token: str, kind: str, slots: int, ready: asyncio.Event) -> None:
    from websockets.asyncio.client import connect

    answer = slots_answer(slots)
    fingerprint = hashlib.blake2b(json.dumps(answer["slots"]).encode(), digest_size=12).hexdigest()
    full = dict(answer, fingerprint=fingerprint) if kind == "unchanged" else answer
    tail_full = '","ok":true,"result":' + json.dumps(full, ensure_ascii=False, separators=(",", ":")) + "}"
    tail_same = '","ok":true,"result":{"unchanged":"' + fingerprint + '","age_s":3.0}}'
    head = '{"type":"response","id":"'
    async with connect(url, additional_headers={"Authorization": f"Bearer {token}"}, compression=None) as ws:
        await ws.send('{"type":"status","paused":false,"portal":"ok","version":"bench"}')
        ready.set()
        async for text in ws:
            frame = json.loads(text)
            if frame.get("type") != "request":
                continue
            same = kind == "unchanged" and frame["args"].get("known") == fingerprint
            await ws.send(head + frame["id"] + (tail_same if same else tail_full))


async def run_agents(url: str, tokens: dict[str, str], slots: int) -> None:
    events = {kind: asyncio.Event() for kind in tokens}
    tasks = [asyncio.ensure_future(_agent(url, token, kind, slots, events[kind])) for kind, token in tokens.items()]
    await asyncio.gather(*(event.wait() for event in events.values()))
    print("ready", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)  # until the parent closes our stdin
    for task in tasks:
        task.cancel()


# ---------------------------------------------------------------------------
# The relay (this process)
# ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def add_clinics(settings: Any) -> dict[str, str]:
    from relay.store import ClinicDetails, SqliteStore

    store = SqliteStore(settings.database_path)
    try:
        return {
            kind: store.add_clinic(ClinicDetails(f"bench-{kind}", kommo_subdomain=f"bench-{kind}",
                                                 kommo_client_id="cid", kommo_client_secret="secret",
                                                 long_lived_token="llt", language="es", address="Av. 1"))
            for kind in KINDS
        }
    finally:
        store.close_now()


async def rounds(agents: Any, answers: Any, clinic: str, count: int, concurrency: int) -> None:
    from wire.messages import SlotsArgs

    async def one() -> None:
        known = answers.known(clinic) if hasattr(answers, "known") else None
        args = SlotsArgs(days=14, known=known) if known else SlotsArgs(days=14)
        response = await agents.request(clinic, "slots", args, 5.0)
        if answers.parse(clinic, response.result) is None:  # not held (any more): asked in full
            answers.parse(clinic, (await agents.request(clinic, "slots", SlotsArgs(days=14), 5.0)).result)

    async def worker(share: int) -> None:
        for _ in range(share):
            await one()

    await asyncio.gather(*(worker(count // concurrency) for _ in range(concurrency)))


async def until(condition: Callable[[], bool]) -> None:
    for _ in range(3000):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise RuntimeError("timed out")


async def main_async(args: argparse.Namespace) -> dict[str, list[float]]:
    import uvicorn

    from relay.app import build_app
    from relay.http_limits import uvicorn_limits
    from relay.settings import RelaySettings
    from relay.slot_answers import SlotAnswerCache

    with tempfile.TemporaryDirectory(prefix="agent-frames-") as data_dir:
        settings = RelaySettings(data_dir=Path(data_dir), port=free_port(), log_level="WARNING")
        tokens = add_clinics(settings)
        app = build_app(settings)
        config = uvicorn.Config(app, host="127.0.0.1", port=settings.port, log_config=None, access_log=False,
                                lifespan="on", proxy_headers=False, ws_per_message_deflate=False,
                                **uvicorn_limits(settings))
        server = uvicorn.Server(config)
        serving = asyncio.ensure_future(server.serve())
        await until(lambda: server.started)
        child = await asyncio.create_subprocess_exec(
            sys.executable, __file__, "--agents", f"ws://127.0.0.1:{settings.port}/agent", str(args.slots),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, env={**os.environ, "BENCH_AGENT_TOKENS": json.dumps(tokens)},
        )
        try:
            assert child.stdout is not None
            if (await child.stdout.readline()).strip() != b"ready":
                raise RuntimeError("the agents did not connect")
            agents = app.state.relay.agents
            clinics = {kind: f"bench-{kind}" for kind in KINDS}
            await until(lambda: all(agents.holds(clinic) for clinic in clinics.values()))
            answers = SlotAnswerCache()
            for clinic in clinics.values():
                await rounds(agents, answers, clinic, 200, args.concurrency)  # warm: first answers, caches
            gc.collect()
            gc.freeze()
            cpu: dict[str, list[float]] = {kind: [] for kind in KINDS}
            for _ in range(args.blocks):
                for kind, clinic in clinics.items():
                    started = time.process_time()
                    await rounds(agents, answers, clinic, args.rounds, args.concurrency)
                    cpu[kind].append((time.process_time() - started) / args.rounds * 1e6)
            return cpu
        finally:
            if child.stdin is not None:
                child.stdin.close()
            await asyncio.wait_for(child.wait(), 30)
            server.should_exit = True
            await serving


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=4000, help="rounds per block and kind (4000)")
    parser.add_argument("--slots", type=int, default=40, help="free slots in the agent's 14-day answer (40)")
    parser.add_argument("--concurrency", type=int, default=8, help="rounds in flight at once (8)")
    parser.add_argument("--blocks", type=int, default=3, help="blocks per kind, alternated (3)")
    parser.add_argument("--agents", nargs=2, metavar=("URL", "SLOTS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    try:
        import uvloop

        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    except ImportError:
        pass
    if args.agents:
        tokens = json.loads(os.environ["BENCH_AGENT_TOKENS"])
        asyncio.run(run_agents(args.agents[0], tokens, int(args.agents[1])))
        return
    import logging

    logging.disable(logging.WARNING)
    load = os.getloadavg()
    cpu = asyncio.run(main_async(args))
    after = os.getloadavg()
    print(f"relay CPU per slots round ({args.slots} slots, {args.concurrency} in flight, {args.rounds} rounds x "
          f"{args.blocks} blocks), load average {load[0]:.2f} -> {after[0]:.2f}:")
    for kind, values in cpu.items():
        blocks = " ".join(f"{v:.1f}" for v in values)
        print(f"  {kind:<10} median {statistics.median(values):7.1f} us   blocks: {blocks}")


if __name__ == "__main__":
    main()
