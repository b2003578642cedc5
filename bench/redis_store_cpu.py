"""The relay's own CPU per turn in the Redis store, in-process: the real ``RedisStore`` (with its lead leases and
shared Kommo budget, as ``relay.cluster.deployment`` wires them) against a real redis-server on 127.0.0.1 (a free
port, no persistence, stopped at the end).

A turn is what ``relay.turns`` asks of the store: the accept step (``claim_turn``: revision, claim, pending turn,
lease, conversation), the lead's lease held while the conversation is loaded, the settle step (``settle_reply``:
reply, next state, lease let go, the continuation's Kommo call admitted, Kommo tokens), the Kommo tokens read, the
continuation's budget held, and the turn finished (the later writes' pipeline). Half the turns are a new lead's
first message, half a known lead's next one. ``--concurrency`` turns are in flight at once, as under load.

Printed: CPU µs per turn of this process (``time.process_time``; redis-server's own CPU is apart), best of
``--rounds``, and the load average beside it (two cores shared: compare figures taken in the same minutes).

    .venv/bin/python bench/redis_store_cpu.py [--turns 4000] [--concurrency 32] [--rounds 5] [--profile FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from relay.cluster.budget import SharedKommoBudget  # noqa: E402
from relay.cluster.client import async_client  # noqa: E402
from relay.cluster.leases import RedisLeases  # noqa: E402
from relay.cluster.store import RedisClinicAdmin, RedisStore  # noqa: E402
from relay.store import ClinicDetails, PendingTurn  # noqa: E402

CLINICS = 50


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def __enter__(self) -> Server:
        d = str(self.folder)
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        subprocess.run(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "-::1", "--save", "", "--appendonly", "no",
             "--daemonize", "yes", "--dir", d, "--pidfile", f"{d}/redis.pid", "--logfile", f"{d}/redis.log"],
            check=True,
        )  # fmt: skip
        deadline = time.monotonic() + 20
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return self
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def __exit__(self, *exc: object) -> None:
        subprocess.run(["redis-cli", "-p", str(self.port), "shutdown", "nosave"], capture_output=True, check=False)


class Turns:
    def __init__(self, url: str, names: list[str]) -> None:
        self.client = async_client(url)
        self.store = RedisStore(self.client, conversation_ttl_s=3600)
        self.leases = RedisLeases(self.client, "lead", later=self.store.later)
        self.budget = SharedKommoBudget(self.client, "bench", 1000.0, later=self.store.later)
        self.store.share_with(self.leases, self.budget)
        self.names = names
        self.accounts: dict[str, str] = {}

    async def start(self) -> None:
        for name in self.names:
            clinic = await self.store.get_clinic(name)
            assert clinic is not None
            self.accounts[name] = clinic.kommo_base_url

    async def turn(self, name: str, lead: str, message: str, state: dict[str, Any]) -> None:
        store, now = self.store, time.time()

        def plan(revision: str) -> tuple[list[tuple[str, float]], PendingTurn]:
            key = f"msg:{lead}:{message}:{revision}"
            return [(key, now + 60)], PendingTurn(
                clinic=name,
                turn_id=key,
                keys=(key,),
                lead_id=lead,
                message=message,
                name="Ana",
                phone="+56 9 1234 5678",
                received_at=now,
                return_url="https://s.kommo.com/continue",
                owner="bench",
            )

        await store.get_clinic(name)
        keys, pending, prior = await store.claim_turn(name, lead, plan, "https://s.kommo.com/continue", now)
        assert prior is None
        async with self.leases.hold(name, lead):
            await store.load_conversation(name, lead)
            reply = {"data": {"status": "choose_day", "buttons": ["lunes 7", "martes 8", "miércoles 9"]}}
            await store.settle_reply(name, [key for key, _ in keys], reply, lead, state, now)
        await store.kommo_tokens(name)
        async with self.budget.hold(self.accounts[name]):
            pass  # the continuation's POST
        await store.finish_turn(name, pending.turn_id)

    async def round(self, tag: str, turns: int, concurrency: int) -> tuple[float, float]:
        state = {"stage": "choose_day", "lang": "es", "days": ["2026-12-07", "2026-12-08"], "name": "Ana"}
        plan = [
            (self.names[i % len(self.names)], f"{tag}-{i // 2}", "hola" if i % 2 == 0 else "1") for i in range(turns)
        ]
        queue = iter(plan)

        async def worker() -> None:
            for name, lead, message in queue:
                await self.turn(name, lead, message, state)

        started, cpu = time.perf_counter(), time.process_time()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        await self.store.later.flush()
        return time.process_time() - cpu, time.perf_counter() - started

    async def close(self) -> None:
        await self.store.close()


async def run(args: argparse.Namespace, url: str, names: list[str]) -> list[float]:
    turns = Turns(url, names)
    await turns.start()
    await turns.round("warm", 400, args.concurrency)  # scripts loaded, pool grown
    results = []
    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
    for index in range(args.rounds):
        if profiler is not None:
            profiler.enable()
        cpu, wall = await turns.round(f"r{index}", args.turns, args.concurrency)
        if profiler is not None:
            profiler.disable()
        results.append(cpu / args.turns * 1e6)
        print(f"  round {index + 1}: {cpu / args.turns * 1e6:7.1f} µs CPU per turn, {args.turns / wall:6.0f} turns/s")
    if profiler is not None:
        profiler.dump_stats(args.profile)
    await turns.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--turns", type=int, default=4000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--profile", default="", help="write a cProfile of the measured rounds here")
    args = parser.parse_args()
    try:
        import uvloop

        loop_factory: Any = uvloop.new_event_loop
    except ImportError:
        loop_factory = None
    with tempfile.TemporaryDirectory(prefix="redis-store-cpu-") as folder, Server(Path(folder)) as server:
        admin = RedisClinicAdmin(server.url)
        names = []
        for index in range(CLINICS):
            name = f"bench{index}"
            admin.add_clinic(
                ClinicDetails(
                    name,
                    kommo_subdomain=f"s{index}",
                    kommo_client_id="id",
                    kommo_client_secret="secret",
                    long_lived_token="long-lived",
                )
            )
            names.append(name)
        admin.close_now()
        load = os.getloadavg()[0]
        with asyncio.Runner(loop_factory=loop_factory) as runner:
            results = runner.run(run(args, server.url, names))
        print(
            f"Redis store: {min(results):.1f} µs CPU per turn (best of {len(results)}; median "
            f"{sorted(results)[len(results) // 2]:.1f}), {args.concurrency} at once; "
            f"load average {load:.1f} -> {os.getloadavg()[0]:.1f}"
        )


if __name__ == "__main__":
    main()
