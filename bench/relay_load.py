"""Load on the relay: N idle agents connected, M widget_requests per second, the stand-in Kommo receiving.

    .venv/bin/python bench/relay_load.py [--agents 1000] [--rate 300] [--duration 15] [--slots 40]
    .venv/bin/python bench/relay_load.py --instances 2      # two instances sharing a Redis (started here)
    .venv/bin/python bench/relay_load.py --compare          # one instance (SQLite; Redis) and two, side by side

Separate processes, so each one's cost is its own and the bench measures the relay, not itself: the relay
(`cita-relay serve`, whose memory is read from /proc), the stand-in Kommo in --kommo-procs shards (signs the
widget_requests, receives and checks every continuation, enforces 7 requests/s per account), N scripted agents on
real websockets in --agent-procs processes and an open-loop load generator on raw keep-alive HTTP/1.1 connections
(both in bench/load_parts.py: light, pre-encoded answers), and this one, which starts them and reads the figures.
Each request is a new patient's first message on one of N clinics in turn, so each Kommo account sees rate/N
requests per second (well under its 7/s).

With several instances (``--instances 2``), a redis-server on loopback holds their shared state, the agents
are spread over the instances (as a load balancer spreads connections), and each widget_request goes to an
instance picked at random (as a load balancer without affinity would): about half of them reach the agent
through the other instance, over Redis.

Prints the sustained rate, p50/p99 webhook->continuation latency (from the generator writing the request to
its arrival at the stand-in Kommo, same machine clock), the 200's latency, Kommo rejections (must be 0), and the relay's
memory per idle agent (RSS after connecting the agents minus before, divided by N; all instances together); and,
so that a starved bench or relay shows: the load average, each process's CPU share and wait for a core, and the
requests the kernel refused before the relay read them.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import os
import random
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from relay_interpreter import DEV_PYTHON, describe, production_relay_python, system_python

TARGETS = {
    "agents": 1000,
    "rate": 300.0,
    "p99_ms": 100.0,
    "kb_per_agent": 100.0,
    "cpu_ms_sqlite": 1.0,
    "cpu_ms_redis": 1.5,
    "overload_p99_ms": 100.0,
    "idle_agents": 10_000,
    "idle_kb_per_agent": 50.0,
    "reconnect_s": 30.0,
}
ROOT = Path(__file__).resolve().parent.parent
CLINIC_TZ = timezone(timedelta(hours=-3))


# ---------------------------------------------------------------------------
# The stand-in Kommo's process
# ---------------------------------------------------------------------------


def run_kommo_process(accounts_file: Path, port: int) -> None:
    """Child process: the stand-in Kommo with every account, plus two bench-only routes."""
    import uvicorn
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse, Response
    from starlette.routing import Route

    from demo.kommo import StandInKommo

    kommo = StandInKommo(rate_limit_per_s=7.0)
    kommo.bind(f"http://127.0.0.1:{port}")
    accounts = json.loads(accounts_file.read_text())
    for account in accounts:
        kommo.add_account(
            account["subdomain"], account["client_id"], account["secret"], long_lived_token=account["token"]
        )

    async def issue(request: Request) -> Response:
        """Pre-signed widget_requests for the load (bench only): one per ``[subdomain, index]`` of the body."""
        out = []
        for sub, i in json.loads(await request.body()):
            data = {"lead_id": f"L{i}", "message": "Hola", "name": "Ana Pérez", "phone": "+56 9 1234 5678"}
            body, continue_id = kommo.widget_request(sub, data, lifetime_s=900)
            out.append({"clinic": sub, "continue_id": continue_id, "body": json.dumps(body)})
        return JSONResponse(out)

    async def received(request: Request) -> Response:
        return JSONResponse(
            [
                [r.continue_id, r.received_at, r.status_code, r.reason, str(r.body.get("data", {}).get("status", ""))]
                for r in kommo.continuations()
            ]
        )

    bench = Starlette(routes=[Route("/_bench/issue", issue, methods=["POST"]), Route("/_bench/received", received)])
    # The harness's own pauses would show up as relay latency: keep this process's GC out of the way.
    gc.collect()
    gc.freeze()
    gc.set_threshold(100_000, 50, 1000)

    async def app(scope, receive, send):  # type: ignore[no-untyped-def]
        target = bench if scope.get("path", "").startswith("/_bench/") else kommo.app
        await target(scope, receive, send)

    server = uvicorn.Server(
        uvicorn.Config(
            app, host="127.0.0.1", port=port, log_level="warning", access_log=False, lifespan="off", backlog=4096
        )
    )
    with contextlib.suppress(KeyboardInterrupt):
        server.run()


# ---------------------------------------------------------------------------
# Scripted agents
# ---------------------------------------------------------------------------


def slots_json(count: int, knows_bookings: bool = False) -> str:
    """A clinic's 14-day answer: ``count`` free half-hours over the next days, two professionals; with
    ``knows_bookings`` (as every real agent says), the relay asks each new conversation's phone for an appointment."""
    today = datetime.now(CLINIC_TZ).date()
    slots = []
    per_day = 4
    for i in range(count):
        day = today + timedelta(days=1 + i // per_day)
        start = datetime(day.year, day.month, day.day, 9 + (i % per_day), 0, tzinfo=CLINIC_TZ)
        who = "Dra. Soto" if i % 2 == 0 else "Dr. Pérez"
        slots.append(
            {
                "id": f"s{i}",
                "start": start.isoformat(),
                "end": (start + timedelta(minutes=30)).isoformat(),
                "professional": who,
            }
        )
    answer = {"slots": slots, "age_s": 3.0, **({"knows_bookings": True} if knows_bookings else {})}
    return json.dumps(answer, ensure_ascii=False, separators=(",", ":"))


# ---------------------------------------------------------------------------
# The run
# ---------------------------------------------------------------------------


def free_port() -> int:
    from demo.serving import free_port as pick

    return pick()


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def listen_overflows() -> int:
    """The kernel's count of connections dropped because a listening socket's accept queue was full (this network
    namespace: every process on the host counts, not only the relay)."""
    lines = [line.split() for line in Path("/proc/net/netstat").read_text().splitlines() if line.startswith("TcpExt:")]
    if len(lines) < 2 or "ListenOverflows" not in lines[0]:
        return 0
    return int(lines[1][lines[0].index("ListenOverflows")])


def cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def wait_http(url: str, timeout: float = 60.0) -> dict:  # noqa: ASYNC109
    import httpx

    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient() as http:
        while True:
            try:
                response = await http.get(url)
                return response.json()
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.1)


def start_kommo(accounts_file: Path, port: int) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, __file__, "--kommo-process", str(accounts_file), str(port)])


async def start_part(role: str, config: dict, config_file: Path) -> asyncio.subprocess.Process:
    """One of the bench's own processes (``bench/load_parts.py``), its config in a file, its stdin/stdout piped."""
    config_file.write_text(json.dumps(config))  # noqa: ASYNC240 - before the load starts
    return await asyncio.create_subprocess_exec(
        sys.executable,
        str(ROOT / "bench" / "load_parts.py"),
        role,
        str(config_file),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )


async def said(part: asyncio.subprocess.Process, word: str, timeout: float = 300.0) -> None:  # noqa: ASYNC109
    """Until the part prints ``word`` on a line of its own; its exit before that stops the run."""
    assert part.stdout is not None
    async with asyncio.timeout(timeout):
        while True:
            line = await part.stdout.readline()
            if not line:
                raise RuntimeError(f"a bench process (pid {part.pid}) ended before saying {word!r}: see its stderr")
            if line.strip() == word.encode():
                return


def run_wait_s(pid: int) -> tuple[float, float]:
    """Seconds the process's main thread ran on a CPU and waited runnable for one (/proc/<pid>/schedstat)."""
    try:
        run_ns, wait_ns, _ = Path(f"/proc/{pid}/schedstat").read_text().split()
        return int(run_ns) / 1e9, int(wait_ns) / 1e9
    except (OSError, ValueError):
        return 0.0, 0.0


class CpuShares:
    """CPU time of each process of the run between ``start()`` and ``stop()``, as a share of one core, and how long
    each group's main threads waited runnable for a core per second they ran (a starved process shows there)."""

    def __init__(self, groups: dict[str, list[int]]) -> None:
        self.groups = groups
        self._from: dict[int, float] = {}
        self._sched_from: dict[int, tuple[float, float]] = {}
        self._at = 0.0
        self.shares: dict[str, float] = {}
        self.waits: dict[str, float] = {}

    def start(self) -> None:
        self._at = time.monotonic()
        self._from = {pid: cpu_s(pid) for pids in self.groups.values() for pid in pids}
        self._sched_from = {pid: run_wait_s(pid) for pids in self.groups.values() for pid in pids}

    def stop(self) -> None:
        elapsed = max(time.monotonic() - self._at, 1e-9)
        for name, pids in self.groups.items():
            used = ran = waited = 0.0
            for pid in pids:
                with contextlib.suppress(FileNotFoundError, ProcessLookupError):
                    used += cpu_s(pid) - self._from.get(pid, 0.0)
                    run, wait = run_wait_s(pid)
                    ran += run - self._sched_from[pid][0]
                    waited += wait - self._sched_from[pid][1]
            self.shares[name] = 100 * used / elapsed
            self.waits[name] = waited / ran if ran > 0 else 0.0


def wal_mb(data: Path) -> float:
    """The size of the SQLite store's write-ahead log in ``data`` (0 when there is none)."""
    wal = data / "relay.sqlite3-wal"
    return wal.stat().st_size / 1e6 if wal.exists() else 0.0


RELAY_LOG_LEVEL = ["info"]  # --relay-log-level
RELAY_PYTHON: list[str] = []  # --relay-python: the interpreter the relay runs on (default: this checkout's venv)


def relay_command() -> list[str]:
    """`cita-relay` from this checkout's venv, or ``-m relay.cli`` on the interpreter --relay-python named."""
    if RELAY_PYTHON:
        return [RELAY_PYTHON[0], "-m", "relay.cli"]
    return [str(ROOT / ".venv" / "bin" / "cita-relay")]


def relay_interpreter() -> str:
    """The relay's Python: its version, where it lives and how libpython is linked (``relay_interpreter.describe``)."""
    return describe(RELAY_PYTHON[0] if RELAY_PYTHON else DEV_PYTHON)


def start_relay(
    data: Path, port: int, profile: str | None, redis_url: str = "", name: str = "", extra: list[str] | None = None
) -> subprocess.Popen:
    """`cita-relay serve` as an operator runs it (uvicorn picks uvloop and httptools when they are installed)."""
    # The operator's default level (info: a line per continuation), written to a file as journald would take it.
    env = {**os.environ, "CITA_RELAY_LOG_LEVEL": RELAY_LOG_LEVEL[0]}
    if redis_url:
        env["CITA_RELAY_REDIS_URL"] = redis_url
    command = [*relay_command(), "serve", "--port", str(port), "--data", str(data)]
    if name:
        command += ["--instance-name", name]
    command += extra or []
    if profile and profile.endswith((".txt", ".svg")):  # py-spy: sampling, so the figures stay close to real
        spy = shutil.which("py-spy") or str(ROOT / ".venv" / "bin" / "py-spy")
        fmt = "raw" if profile.endswith(".txt") else "flamegraph"
        command = [spy, "record", "--nonblocking", "--rate", "250", "--format", fmt, "-o", profile, "--", *command]
    elif profile and RELAY_PYTHON:  # the named interpreter runs the profiler around `-m relay.cli`
        command = [command[0], "-m", "cProfile", "-o", profile, *command[1:]]
    elif profile:
        command = [sys.executable, "-m", "cProfile", "-o", profile, *command]
    data.mkdir(parents=True, exist_ok=True)  # with Redis nothing else made it
    with open(data.parent / f"{data.name}-relay.log", "ab") as log_file:
        return subprocess.Popen(command, env=env, stderr=log_file)


def print_relay_log_errors(work: Path) -> None:
    """The relays' logs go to files in the bench's folder (deleted at its end): their errors are shown here."""
    errors: list[str] = []
    for log_path in sorted(work.rglob("*-relay.log")):
        with open(log_path, encoding="utf-8", errors="replace") as lines:
            errors += [line.rstrip() for line in lines if "level=error" in line or line.startswith("Traceback")]
    if errors:
        print(f"relay log: {len(errors)} error line(s); the first: {errors[0][:300]}")


class BenchRedis:
    """A redis-server for the instances' shared state: loopback only, no persistence, in the bench's folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def __enter__(self) -> BenchRedis:
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        d = str(self.folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "-::1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "yes",
                "--dir",
                d,
                "--pidfile",
                f"{d}/redis.pid",
                "--logfile",
                f"{d}/redis.log",
            ],
            check=True,
        )
        import redis

        client = redis.Redis(host="127.0.0.1", port=self.port)
        for _ in range(200):
            try:
                client.ping()
                break
            except redis.exceptions.ConnectionError:
                time.sleep(0.05)
        client.close()
        return self

    @property
    def pid(self) -> int:
        return int((self.folder / "redis.pid").read_text().strip())

    def flush(self) -> None:
        import redis

        client = redis.Redis(host="127.0.0.1", port=self.port)
        client.flushdb()
        client.close()

    def __exit__(self, *exc: object) -> None:
        subprocess.run(["redis-cli", "-p", str(self.port), "shutdown", "nosave"], capture_output=True)


async def agents_ready(events: list[asyncio.Event], tasks: list[asyncio.Future]) -> None:
    """Until these agents said hello; a refused or failed agent stops the run instead of hanging it."""
    waiting = asyncio.ensure_future(asyncio.gather(*(e.wait() for e in events)))
    while not waiting.done():
        await asyncio.wait([waiting, *tasks], timeout=120, return_when=asyncio.FIRST_COMPLETED)
        failed = next((t for t in tasks if t.done() and t.exception() is not None), None)
        if failed is not None:
            waiting.cancel()
            raise RuntimeError(f"an agent could not connect: {failed.exception()!r}")


async def relay_latency_buckets(urls: list[str]) -> dict[float, float]:
    """The relays' own webhook->continuation histogram (cumulative count per upper bound), from their /metrics."""
    import httpx

    buckets: dict[float, float] = {}
    async with httpx.AsyncClient(timeout=180) as http:  # a relay still catching up answers late
        for url in urls:
            for line in (await http.get(f"{url}/metrics")).text.splitlines():
                if line.startswith("cita_relay_webhook_to_continuation_seconds_bucket{"):
                    bound = line.split('le="', 1)[1].split('"', 1)[0]
                    le = float("inf") if bound == "+Inf" else float(bound)
                    buckets[le] = buckets.get(le, 0.0) + float(line.rsplit(" ", 1)[1])
    return buckets


def bucket_percentile(before: dict[float, float], after: dict[float, float], q: float) -> float:
    """The histogram's upper bound (ms) under which ``q`` of the turns between the two readings finished."""
    counts = {le: after[le] - before.get(le, 0.0) for le in after}
    total = counts.get(float("inf"), 0.0)
    if total <= 0:
        return float("nan")
    return 1000 * next(le for le in sorted(counts) if counts[le] >= q * total)


async def slots_answers(urls: list[str]) -> dict[str, float]:
    """The instances' slots answers so far by where they came from (/metrics): "standing" (the agent's answer kept at
    the relay, no round trip), "ok" (asked), and the rest."""
    import httpx

    counts: dict[str, float] = {}
    prefix = 'cita_relay_agent_requests_total{kind="slots",outcome="'
    async with httpx.AsyncClient(timeout=180) as http:
        for url in urls:
            for line in (await http.get(f"{url}/metrics")).text.splitlines():
                if line.startswith(prefix):
                    outcome = line[len(prefix):].split('"', 1)[0]
                    counts[outcome] = counts.get(outcome, 0.0) + float(line.rsplit(" ", 1)[1])
    return counts


async def redis_round_trips(urls: list[str]) -> float:
    """The instances' round trips to Redis so far, from their /metrics (0 on SQLite)."""
    import httpx

    total = 0.0
    async with httpx.AsyncClient(timeout=180) as http:  # a relay still catching up answers late
        for url in urls:
            for line in (await http.get(f"{url}/metrics")).text.splitlines():
                if line.startswith("cita_relay_redis_round_trips_total "):
                    total += float(line.rsplit(" ", 1)[1])
    return total


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


async def bench(
    args: argparse.Namespace, work: Path, instances: int = 1, redis: BenchRedis | None = None
) -> dict[str, float]:
    import httpx

    from relay.cluster.store import RedisClinicAdmin
    from relay.store import ClinicDetails, SqliteStore

    agents_n, clinics_n = args.agents, max(args.agents, 1)
    kommo_n = max(1, min(args.kommo_procs, clinics_n))
    agent_procs = max(1, min(args.agent_procs, agents_n)) if agents_n else 0
    accounts = [
        {
            "subdomain": f"c{i:04d}",
            "client_id": f"cid-{i}",
            "secret": secrets.token_urlsafe(48),
            "token": f"llt-{secrets.token_urlsafe(24)}",
        }
        for i in range(clinics_n)
    ]
    work.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 - before the load starts
    # The stand-in Kommo in ``kommo_n`` processes, clinic i on shard i % kommo_n (each account on one of them).
    kommo_ports = [free_port() for _ in range(kommo_n)]
    relay_ports = [free_port() for _ in range(instances)]
    children: list[subprocess.Popen] = []
    parts: list[asyncio.subprocess.Process] = []
    try:
        for shard, port in enumerate(kommo_ports):
            accounts_file = work / f"accounts-{shard}.json"
            accounts_file.write_text(json.dumps(accounts[shard::kommo_n]))  # noqa: ASYNC240
            children.append(start_kommo(accounts_file, port))
        kommo_pids = [child.pid for child in children]
        data = work / "relay"
        if redis is not None:
            redis.flush()
            store = RedisClinicAdmin(redis.url)
        else:
            store = SqliteStore(data / "relay.sqlite3")
        tokens = []
        for i, account in enumerate(accounts):
            tokens.append(
                store.add_clinic(
                    ClinicDetails(
                        account["subdomain"],
                        kommo_subdomain=account["subdomain"],
                        kommo_client_id=account["client_id"],
                        kommo_client_secret=account["secret"],
                        long_lived_token=account["token"],
                        kommo_base_url=f"http://127.0.0.1:{kommo_ports[i % kommo_n]}/{account['subdomain']}",
                        address="Av. Providencia 1234",
                    )
                )
            )
        store.close_now()
        relays = []
        for index, port in enumerate(relay_ports):
            profile = f"{args.profile}.{index}" if args.profile and instances > 1 else args.profile
            folder = data / f"i{index}" if redis else data  # with Redis, the data folder holds nothing
            relays.append(start_relay(folder, port, profile, redis.url if redis else "", f"bench-{index}"))
        children.extend(relays)
        relay_urls = [f"http://127.0.0.1:{port}" for port in relay_ports]
        for url in relay_urls:
            await wait_http(f"{url}/healthz")
        for port in kommo_ports:
            await wait_http(f"http://127.0.0.1:{port}/_stand_in/accounts")
        await asyncio.sleep(1.0)
        rss_before = sum(rss_kb(relay.pid) for relay in relays)

        # N idle agents in ``agent_procs`` processes; agent i on instance i % instances, as a load balancer spreads
        # the agents' connections.
        result = slots_json(args.slots, args.knows_bookings)
        ws_urls = [f"ws://127.0.0.1:{port}/agent" for port in relay_ports]
        connect_started = time.perf_counter()
        agent_parts = []
        for k in range(agent_procs):
            mine = list(range(k, agents_n, agent_procs))
            config = {
                # one URL per agent of this share, so agent i keeps instance i % instances
                "urls": [ws_urls[i % instances] for i in mine],
                "tokens": [tokens[i] for i in mine],
                "result": result,
            }
            agent_parts.append(await start_part("agents", config, work / f"agents-{k}.json"))
        parts.extend(agent_parts)
        for part in agent_parts:
            await said(part, "ready")
        connect_s = time.perf_counter() - connect_started
        connected = 0
        while connected < agents_n:
            connected = sum([(await wait_http(f"{url}/healthz"))["agents_connected"] for url in relay_urls])
            if connected < agents_n:
                await asyncio.sleep(0.2)
        await asyncio.sleep(2.0)
        rss_after = sum(rss_kb(relay.pid) for relay in relays)

        # Pre-signed widget_requests (so the generator only sends): request i for clinic i % N, by its shard.
        total = int(args.rate * args.duration)
        by_shard: list[list[list]] = [[] for _ in range(kommo_n)]
        for i in range(total):
            clinic = i % clinics_n
            by_shard[clinic % kommo_n].append([accounts[clinic]["subdomain"], i])
        signed: list[list[dict]] = []
        async with httpx.AsyncClient(timeout=300) as http:
            for shard, asks in enumerate(by_shard):
                got: list[dict] = []
                for start in range(0, len(asks), 2000):
                    page = await http.post(
                        f"http://127.0.0.1:{kommo_ports[shard]}/_bench/issue", json=asks[start : start + 2000]
                    )
                    got.extend(page.json())
                signed.append(got[::-1])
        issued = [signed[(i % clinics_n) % kommo_n].pop() for i in range(total)]
        items_file = work / "items.json"
        items_file.write_text(json.dumps(issued))  # noqa: ASYNC240 - before the load starts
        del issued, signed
        out_file = work / "generator-out.json"
        generator = await start_part(
            "generator",
            {"items": str(items_file), "ports": relay_ports, "rate": args.rate, "out": str(out_file)},
            work / "generator.json",
        )
        parts.append(generator)
        await said(generator, "ready")

        cpu_pids = [relay.pid for relay in relays]
        shares = CpuShares(
            {
                "relay": cpu_pids,
                "generator": [generator.pid],
                "agents": [part.pid for part in agent_parts],
                "kommo": kommo_pids,
                **({"redis": [redis.pid]} if redis else {}),
            }
        )
        # The relays' CPU with the agents idle (pings, timers, the store's thread): taken out of the per-request figure.
        idle_from, idle_cpu_from = time.monotonic(), sum(cpu_s(pid) for pid in cpu_pids)
        await asyncio.sleep(2.0)
        idle_rate = (sum(cpu_s(pid) for pid in cpu_pids) - idle_cpu_from) / (time.monotonic() - idle_from)
        cpu_before = sum(cpu_s(pid) for pid in cpu_pids)
        trips_before = await redis_round_trips(relay_urls)
        slots_before = await slots_answers(relay_urls)
        latency_before = await relay_latency_buckets(relay_urls)
        redis_cpu_before = cpu_s(redis.pid) if redis else 0.0
        load_before = os.getloadavg()[0]
        assert generator.stdin is not None
        generator.stdin.write(b"go\n")
        await generator.stdin.drain()
        await said(generator, "started")
        started = time.monotonic()
        shares.start()
        overflows_before = listen_overflows()
        await said(generator, "done", timeout=4 * args.duration + 180)  # a starved generator sends late
        overflows = listen_overflows() - overflows_before
        shares.stop()
        await asyncio.sleep(0.5)  # the last continuations
        cpu_used = sum(cpu_s(pid) for pid in cpu_pids) - cpu_before
        redis_cpu_used = cpu_s(redis.pid) - redis_cpu_before if redis else 0.0
        busy_s = time.monotonic() - started
        seen = json.loads(out_file.read_text())  # noqa: ASYNC240
        sent_at: dict[str, float] = seen["sent_at"]
        answered: list[float] = seen["answered"]
        statuses = {int(k): v for k, v in seen["statuses"].items()}

        # Wait for the continuations to land.
        deadline = time.monotonic() + 60
        async with httpx.AsyncClient(timeout=120) as http:
            while True:
                records = []
                for port in kommo_ports:
                    records.extend((await http.get(f"http://127.0.0.1:{port}/_bench/received")).json())
                accepted = {r[0]: r[1] for r in records if r[2] == 200}
                if len(accepted) >= statuses.get(200, 0) or time.monotonic() > deadline:
                    break
                await asyncio.sleep(0.5)
        # Per request: every CPU second from the first request until the last continuation landed (on a starved host
        # the turns finish long after the last 200), less what the relays spend idle over that time.
        all_cpu = sum(cpu_s(pid) for pid in cpu_pids) - cpu_before
        trips = await redis_round_trips(relay_urls) - trips_before
        slots_after = await slots_answers(relay_urls)
        standing = slots_after.get("standing", 0.0) - slots_before.get("standing", 0.0)
        asked = sum(slots_after.values()) - sum(slots_before.values()) - standing
        latency_after = await relay_latency_buckets(relay_urls)
        all_s = time.monotonic() - started
        turn_cpu = max(0.0, all_cpu - idle_rate * all_s)

        latencies = [(accepted[c] - t) * 1000 for c, t in sent_at.items() if c in accepted]
        rejected = [r for r in records if r[2] != 200]
        handoffs = sum(1 for r in records if r[2] == 200 and r[4] == "handoff")
        first_sent = min(sent_at.values())
        last_done = max(accepted.values()) if accepted else first_sent
        return {
            "instances": float(instances),
            "agents": float(connected),
            "connect_s": connect_s,
            "offered_rate": args.rate,
            "requests": float(len(sent_at)),
            "send_s": seen["send_s"],
            "http_200": float(statuses.get(200, 0)),
            "http_503": float(statuses.get(503, 0)),
            # Never answered by the relay: refused or dropped by the kernel (accept queue full, no port left).
            "kernel_refused": float(statuses.get(0, 0)),
            # Still unanswered when the generator stopped waiting (60 s after its last send).
            "unanswered": float(len(sent_at) - sum(statuses.values())),
            "listen_overflows": float(overflows),
            "refused_errors": seen["errors"],  # type: ignore[dict-item]
            "connections_opened": float(seen["connections_opened"]),
            "max_in_flight": float(seen["max_in_flight"]),
            # How late the generator wrote requests after their due time: its own starvation, not the relay's.
            "send_late_p50_ms": 1000 * statistics.median(seen["late"]),
            "send_late_p99_ms": 1000 * percentile(seen["late"], 0.99),
            "handoffs": float(handoffs),
            "statuses": statuses,  # type: ignore[dict-item]
            "continuations": float(len(accepted)),
            "sustained_rate": len(accepted) / max(last_done - first_sent, 1e-9),
            "p50_ms": statistics.median(latencies) if latencies else float("nan"),
            "p99_ms": percentile(latencies, 0.99) if latencies else float("nan"),
            "max_ms": max(latencies) if latencies else float("nan"),
            "p90_ms": percentile(latencies, 0.90) if latencies else float("nan"),
            "p95_ms": percentile(latencies, 0.95) if latencies else float("nan"),
            "over_100ms": float(sum(1 for v in latencies if v > 100.0)),
            "ack_p50_ms": statistics.median(answered) * 1000,
            "ack_p99_ms": percentile(answered, 0.99) * 1000,
            "kommo_rejections": float(len(rejected)),
            "rss_before_mb": rss_before / 1024,
            "rss_after_mb": rss_after / 1024,
            "kb_per_agent": (rss_after - rss_before) / max(agents_n, 1),
            "relay_cpu_pct": 100 * cpu_used / busy_s,
            "relay_cpu_ms_per_request": 1000 * turn_cpu / max(len(sent_at), 1),
            "relay_cpu_ms_per_accepted": 1000 * turn_cpu / max(statuses.get(200, 0), 1),
            "relay_idle_cpu_pct": 100 * idle_rate,
            "redis_trips_per_request": trips / max(statuses.get(200, 0), 1),
            "slots_standing": standing,
            "slots_asked": asked,
            # As the relay measures it: from the request's arrival at the relay to Kommo taking the continuation
            # (the generator's own delays, on a busy machine, left out); the bound of the histogram bucket.
            "relay_p50_ms": bucket_percentile(latency_before, latency_after, 0.50),
            "relay_p99_ms": bucket_percentile(latency_before, latency_after, 0.99),
            "redis_cpu_pct": 100 * redis_cpu_used / busy_s,
            # The SQLite write-ahead log's file at the end: it starts over after each checkpoint, or grows.
            "wal_mb": wal_mb(data) if redis is None else 0.0,
            "store": "redis" if redis is not None else "sqlite",
            "load_avg": os.getloadavg()[0],
            "load_avg_before": load_before,
            # Each process's CPU while the generator sent, % of one core (a starved bench shows here).
            "cpu_shares": shares.shares,  # type: ignore[dict-item]
            # Per group: seconds its main threads waited runnable for a core per second they ran.
            "cpu_waits": shares.waits,  # type: ignore[dict-item]
            "agent_procs": float(agent_procs),
            "kommo_procs": float(kommo_n),
        }
    finally:
        for part in parts:
            if part.stdin is not None and not part.stdin.is_closing():
                part.stdin.close()
        for part in parts:
            try:
                await asyncio.wait_for(part.wait(), 30)
            except TimeoutError:
                part.kill()
        for child in reversed(children):
            with contextlib.suppress(ProcessLookupError):
                child.send_signal(signal.SIGINT)
        for child in children:
            try:
                child.wait(timeout=30)
            except subprocess.TimeoutExpired:
                child.kill()


# ---------------------------------------------------------------------------
# Many idle agents: memory per connection, and everyone back after a restart
# ---------------------------------------------------------------------------


def raise_open_files(wanted: int) -> int:
    """As many file descriptors as this process (and the relays it starts) may need, up to the hard limit."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


class IdleFleet:
    """N agents that stay connected and redial the way the real agent does (agent.link's backoff and its fast
    retries after a relay's "going away"), each from a loopback address of its own group (127.0.0.x), so that
    tens of thousands of connections never run out of local ports."""

    def __init__(self, urls: list[str], tokens: list[str]) -> None:
        self.urls = urls
        self.tokens = tokens
        self.connected = 0
        self.stop = asyncio.Event()
        self.tasks: list[asyncio.Task] = []

    def start(self) -> None:
        for i, token in enumerate(self.tokens):
            url = self.urls[i % len(self.urls)]
            source = f"127.0.{1 + i // 60000}.{2 + (i // 250) % 250}"
            self.tasks.append(asyncio.ensure_future(self._agent(url, token, source)))

    async def _agent(self, url: str, token: str, source: str) -> None:
        from websockets.asyncio.client import connect

        from agent.link import RESTART_CLOSE_CODES, Backoff, restart_retry_delay

        backoff = Backoff()
        restarting_since: float | None = None
        headers = {"Authorization": f"Bearer {token}"}
        while not self.stop.is_set():
            code = None
            try:
                async with connect(
                    url,
                    additional_headers=headers,
                    compression=None,
                    open_timeout=60,
                    ping_interval=None,
                    max_queue=1,
                    local_addr=(source, 0),
                ) as ws:
                    await ws.send('{"type":"status","paused":false,"portal":"ok","version":"bench"}')
                    self.connected += 1
                    backoff.reset()
                    restarting_since = None
                    try:
                        closed = asyncio.ensure_future(ws.wait_closed())
                        stopping = asyncio.ensure_future(self.stop.wait())
                        await asyncio.wait([closed, stopping], return_when=asyncio.FIRST_COMPLETED)
                        stopping.cancel()
                        code = ws.close_code
                    finally:
                        self.connected -= 1
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: S110 - refused while the relay restarts: retried below, as the agent does
                pass
            if code in RESTART_CLOSE_CODES:
                restarting_since = time.monotonic()
            if self.stop.is_set():
                return
            await asyncio.sleep(
                restart_retry_delay(backoff.next_delay(), restarting_since, time.monotonic(), random.random())
            )

    async def wait_all(self, timeout: float) -> float:  # noqa: ASYNC109
        started = time.monotonic()
        while self.connected < len(self.tokens):
            if time.monotonic() - started > timeout:
                break
            await asyncio.sleep(0.1)
        return time.monotonic() - started

    async def close(self) -> None:
        self.stop.set()
        await asyncio.wait(self.tasks, timeout=60)
        for task in self.tasks:
            task.cancel()


async def idle_agents(args: argparse.Namespace, work: Path, instances: int = 1, redis: BenchRedis | None = None):
    """``args.idle_agents`` idle agents on one instance (SQLite) or spread over two (Redis): KB each, then a
    restart of (every) instance and how long until all of them are connected again."""
    from relay.cluster.store import RedisClinicAdmin
    from relay.store import ClinicDetails, SqliteStore

    n = args.idle_agents
    work.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 - before the load starts
    data = work / "relay"
    if redis is not None:
        redis.flush()
        store = RedisClinicAdmin(redis.url)
    else:
        store = SqliteStore(data / "relay.sqlite3")
    tokens = [
        store.add_clinic(
            ClinicDetails(
                f"i{i:05d}",
                kommo_subdomain=f"i{i:05d}",
                kommo_client_id="cid",
                kommo_client_secret="secret-" + "x" * 40,
                long_lived_token="llt",
                kommo_base_url=f"http://127.0.0.1:9/i{i:05d}",
            )
        )
        for i in range(n)
    ]
    store.close_now()
    ports = [free_port() for _ in range(instances)]
    # Agents as many as a real instance would hold: no open-connection ceiling below them.
    extra = ["--limit-concurrency", str(2 * n + 1000)] if "--limit-concurrency" in _serve_help() else []

    def start(index: int) -> subprocess.Popen:
        folder = data / f"i{index}" if redis else data
        return start_relay(folder, ports[index], None, redis.url if redis else "", f"idle-{index}", extra)

    relays = [start(i) for i in range(instances)]
    fleet = IdleFleet([f"ws://127.0.0.1:{port}/agent" for port in ports], tokens)
    try:
        for port in ports:
            await wait_http(f"http://127.0.0.1:{port}/healthz")
        await asyncio.sleep(1.0)
        rss_before = sum(rss_kb(r.pid) for r in relays)
        fleet.start()
        connect_s = await fleet.wait_all(timeout=300)
        first_connected = fleet.connected
        await asyncio.sleep(3.0)
        gc.collect()
        rss_after = sum(rss_kb(r.pid) for r in relays)
        # A restart of every instance: stopped (agents told "going away"), started again on the same port.
        stopped_at = time.monotonic()
        for relay in relays:
            relay.send_signal(signal.SIGINT)
        for relay in relays:  # this loop keeps answering the agents' close handshakes meanwhile
            await asyncio.to_thread(relay.wait, 120)
        stopped = time.monotonic()
        relays = [start(i) for i in range(instances)]
        up_at = time.monotonic()  # the new processes start: their own start-up counts in the agents' wait
        for port in ports:
            await wait_http(f"http://127.0.0.1:{port}/healthz", timeout=120)
        await fleet.wait_all(timeout=120)
        back_at = time.monotonic()
        # The relays' own count, once everyone is back (the clients' count is what they believe).
        relay_count = 0
        for port in ports:
            relay_count += (await wait_http(f"http://127.0.0.1:{port}/healthz"))["agents_connected"]
        return {
            "instances": instances,
            "store": "redis" if redis else "sqlite",
            "agents": n,
            "connected": first_connected,
            "connect_s": connect_s,
            "kb_per_agent": (rss_after - rss_before) / max(n, 1),
            "rss_after_mb": rss_after / 1024,
            "down_s": stopped - stopped_at,
            "reconnect_s": back_at - up_at,
            "restart_total_s": back_at - stopped_at,
            "reconnected": fleet.connected,
            "relay_count": relay_count,
        }
    finally:
        for relay in relays:
            with contextlib.suppress(ProcessLookupError):
                relay.send_signal(signal.SIGINT)
        await fleet.close()
        for relay in relays:
            try:
                await asyncio.to_thread(relay.wait, 60)
            except subprocess.TimeoutExpired:
                relay.kill()


def _serve_help() -> str:
    command = [*relay_command(), "serve", "--help"]
    return subprocess.run(command, capture_output=True, text=True).stdout


def print_idle(runs: list[dict]) -> None:
    print(f"idle agents: {runs[0]['agents']} connected, then every instance restarted", flush=True)
    for f in runs:
        label = f"{f['instances']} instance(s), {f['store']}"
        print(
            f"  {label:<22} connected {f['connected']} in {f['connect_s']:.1f} s; {f['kb_per_agent']:.1f} KB per idle"
            f" agent (target <= {TARGETS['idle_kb_per_agent']:.0f}); relay RSS {f['rss_after_mb']:.0f} MB"
        )
        print(
            f"  {'':<22} restart: the old process drained and stopped in {f['down_s']:.1f} s; {f['reconnected']} back"
            f" {f['reconnect_s']:.1f} s after the new one started (target <= {TARGETS['reconnect_s']:.0f} s);"
            f" the relays count {f['relay_count']}"
        )
    sys.stdout.flush()


def idle_passed(f: dict) -> bool:
    return (
        f["connected"] == f["agents"]
        and f["reconnected"] == f["agents"]
        and f["kb_per_agent"] <= TARGETS["idle_kb_per_agent"]
        and f["reconnect_s"] <= TARGETS["reconnect_s"]
    )


def runtime() -> str:
    try:
        import uvloop  # noqa: F401

        loop = "uvloop"
    except ImportError:
        loop = "asyncio"
    try:
        import httptools  # noqa: F401

        parser_name = "httptools"
    except ImportError:
        parser_name = "h11"
    one, five, fifteen = os.getloadavg()
    return (
        f"relay load on {os.cpu_count()} cores (relay: {relay_interpreter()}, uvicorn, {loop} loop,"
        f" {parser_name} parser);"
        f" load average now {one:.1f} / {five:.1f} / {fifteen:.1f} (1 / 5 / 15 min);"
        f" host speed probe {host_speed_probe_s():.2f} s"
    )


def host_speed_probe_s(steps: int = 10_000_000) -> float:
    """CPU seconds this process needs for a fixed pure-Python loop. On a VM whose host is busy the same work takes
    more CPU time (the load average does not show it). It catches a host that slows Python itself, not every
    slowdown (one of syscalls or memory): compare CPU figures of two trees taken alternately, in the same hour."""
    started = time.process_time()
    total = 0
    for step in range(steps):
        total += step
    return time.process_time() - started


def print_bench_cpu(f: dict[str, float], indent: str = "  ") -> None:
    """Each process's share of a core while the load ran, and the machine's load: a starved bench is visible."""
    shares = f["cpu_shares"]  # type: ignore[index]
    names = {
        "relay": "relay",
        "generator": "generator",
        "agents": f"agents ({f['agent_procs']:.0f} procs)",
        "kommo": f"stand-in Kommo ({f['kommo_procs']:.0f} procs)",
        "redis": "redis-server",
    }
    listed = ", ".join(f"{names[k]} {v:.0f}%" for k, v in shares.items())  # type: ignore[union-attr]
    print(f"{indent}CPU while sending        {listed} (% of one core; {os.cpu_count()} cores)")
    waits = ", ".join(f"{names[k]} {v:.2f}" for k, v in f["cpu_waits"].items())  # type: ignore[union-attr]
    print(f"{indent}waited for a core        {waits} (s runnable but not running, per s run; 0 = never starved)")
    print(
        f"{indent}generator late          p50 {f['send_late_p50_ms']:.1f} ms, p99 {f['send_late_p99_ms']:.1f} ms"
        " (a request written after its due time; latencies count from the write)"
    )
    print(
        f"{indent}load average            {f['load_avg_before']:.1f} before the load, {f['load_avg']:.1f} at its end"
        " (1 min)"
    )


def print_figures(f: dict[str, float]) -> None:
    print(f"  agents connected        {f['agents']:.0f} in {f['connect_s']:.1f} s   (target {TARGETS['agents']})")
    print(
        f"  widget_requests         {f['requests']:.0f} offered at {f['offered_rate']:.0f}/s over {f['send_s']:.1f} s;"
        f" {f['http_200']:.0f} answered 200 {f['statuses']}"
    )
    print(f"  sustained rate          {f['sustained_rate']:.0f} continuations/s   (target >= {TARGETS['rate']:.0f})")
    print(
        f"  webhook->continuation   p50 {f['p50_ms']:.1f} ms, p99 {f['p99_ms']:.1f} ms, max {f['max_ms']:.1f} ms"
        f"   (target p99 <= {TARGETS['p99_ms']:.0f} ms)"
    )
    print(f"  the 200 itself          p50 {f['ack_p50_ms']:.1f} ms, p99 {f['ack_p99_ms']:.1f} ms")
    print(f"  Kommo rejections        {f['kommo_rejections']:.0f}   (429s or broken limits; must be 0)")
    print(
        f"  relay memory            {f['rss_before_mb']:.1f} MB -> {f['rss_after_mb']:.1f} MB with the agents:"
        f" {f['kb_per_agent']:.1f} KB per idle agent   (target <= {TARGETS['kb_per_agent']:.0f} KB)"
    )
    print(
        f"  relay CPU during load   {f['relay_cpu_pct']:.0f}% of one core,"
        f" {f['relay_cpu_ms_per_request']:.2f} ms per widget_request ({f['relay_cpu_ms_per_accepted']:.2f} ms per"
        f" accepted one; idle agents' own {f['relay_idle_cpu_pct']:.1f}% left out)"
    )
    print(
        f"  slots questions         {f['slots_standing']:.0f} answered from the agent's standing answer (no round"
        f" trip), {f['slots_asked']:.0f} asked of it (each connection's first; another instance's agent)"
    )
    if f["store"] == "sqlite":
        print(
            f"  SQLite write-ahead log  {f['wal_mb']:.0f} MB at the end of the load   (a few seconds of writes:"
            " it starts over after each checkpoint)"
        )
    if f["instances"] > 1 or f["redis_cpu_pct"]:
        print(f"  Redis CPU during load   {f['redis_cpu_pct']:.0f}% of one core")
        print(f"  Redis round trips       {f['redis_trips_per_request']:.1f} per accepted widget_request")
    print(f"  kernel-refused          {f['kernel_refused']:.0f}   (never reached the relay; {f['refused_errors']})")
    print_bench_cpu(f)


# (label, value, target) rows of the side-by-side table.
_ROWS = (
    ("agents connected", lambda f: f"{f['agents']:.0f} in {f['connect_s']:.1f} s", f"{TARGETS['agents']}"),
    ("widget_requests (200s)", lambda f: f"{f['requests']:.0f} ({f['http_200']:.0f})", ""),
    ("sustained rate /s", lambda f: f"{f['sustained_rate']:.0f}", f">= {TARGETS['rate']:.0f}"),
    ("webhook->cont. p50 ms", lambda f: f"{f['p50_ms']:.1f}", ""),
    ("webhook->cont. p99 ms", lambda f: f"{f['p99_ms']:.1f}", f"<= {TARGETS['p99_ms']:.0f}"),
    ("webhook->cont. max ms", lambda f: f"{f['max_ms']:.1f}", ""),
    (
        "relay-side p50 / p99 ms",
        lambda f: f"<= {f['relay_p50_ms']:.0f} / <= {f['relay_p99_ms']:.0f}",
        "(its histogram)",
    ),
    ("the 200 p50 / p99 ms", lambda f: f"{f['ack_p50_ms']:.1f} / {f['ack_p99_ms']:.1f}", ""),
    ("Kommo rejections", lambda f: f"{f['kommo_rejections']:.0f}", "0"),
    ("load average (1 min)", lambda f: f"{f['load_avg']:.1f}", "(the machine's, at the end of the step)"),
    ("KB per idle agent", lambda f: f"{f['kb_per_agent']:.1f}", f"<= {TARGETS['kb_per_agent']:.0f}"),
    ("relay CPU, % of a core", lambda f: f"{f['relay_cpu_pct']:.0f}", ""),
    (
        "relay CPU ms / request",
        lambda f: f"{f['relay_cpu_ms_per_request']:.2f}",
        f"<= {TARGETS['cpu_ms_sqlite']:.1f} SQLite, <= {TARGETS['cpu_ms_redis']:.1f} Redis (one instance)",
    ),
    ("hand-offs (the relay's own)", lambda f: f"{f['handoffs']:.0f}", "0"),
    ("kernel-refused", lambda f: f"{f['kernel_refused']:.0f}", "0 (never reached the relay)"),
    (
        "CPU % gen / agents / Kommo",
        lambda f: "{generator:.0f} / {agents:.0f} / {kommo:.0f}".format(**f["cpu_shares"]),
        "the bench's own processes, % of one core while sending",
    ),
    ("Redis CPU, % of a core", lambda f: f"{f['redis_cpu_pct']:.0f}" if f["redis_cpu_pct"] else "-", ""),
    (
        "Redis round trips / turn",
        lambda f: f"{f['redis_trips_per_request']:.1f}" if f["store"] == "redis" else "-",
        "the whole turn: accept, lock, agent, reply, continuation",
    ),
)


def print_side_by_side(runs: list[tuple[str, dict[str, float]]]) -> None:
    width = max(24, *(len(label) + 2 for label, _ in runs))
    print(f"  {'':24}" + "".join(f"{label:>{width}}" for label, _ in runs) + "   target")
    for name, value, target in _ROWS:
        print(f"  {name:24}" + "".join(f"{value(f):>{width}}" for _, f in runs) + f"   {target}")
    print("  (relay CPU and memory: all instances together; with two, about half the requests reach the agent")
    print("   through the other instance over Redis)")


def passed(figures: dict[str, float], args: argparse.Namespace) -> bool:
    return (
        figures["agents"] >= TARGETS["agents"] * (args.agents / 1000)
        and figures["continuations"] == figures["http_200"]
        and figures["kommo_rejections"] == 0
    )


def cpu_target(figures: dict[str, float]) -> float:
    return TARGETS["cpu_ms_redis"] if figures["store"] == "redis" else TARGETS["cpu_ms_sqlite"]


async def overload(args: argparse.Namespace, work: Path, measured: dict[str, float]) -> dict[str, float]:
    """Twice the capacity the 300/s run measured (one core's worth of its CPU per request), for 15 s; without that
    run (``--overload-rate``), the rate given."""
    # Per accepted request: a run that shed part of its load spent little CPU on the shed ones, and its CPU per
    # offered request would overstate what the relay can take (nothing shed: the two are the same).
    capacity = 1000.0 / max(measured["relay_cpu_ms_per_accepted"], 0.05) if measured else args.overload_rate / 2
    step = argparse.Namespace(**{**vars(args), "rate": round(2 * capacity), "duration": args.overload_duration})
    figures = await bench(step, work)
    figures["capacity"] = capacity
    return figures


def print_overload(f: dict[str, float]) -> None:
    print(
        f"overload: {f['offered_rate']:.0f}/s for {f['send_s']:.0f} s, twice the measured capacity"
        f" ({f['capacity']:.0f}/s = one core / CPU per accepted request), one instance on SQLite"
    )
    print(f"  load average            {f['load_avg']:.1f} (1 min, at the end of the step)")
    print(f"  offered                 {f['requests']:.0f}")
    print(f"  accepted (200)          {f['http_200']:.0f}, each answered: {f['continuations']:.0f} continuations")
    print(f"  shed (503 Retry-After)  {f['http_503']:.0f}   other answers: {f['statuses']}")
    print(
        f"  kernel-refused          {f['kernel_refused']:.0f}   (no answer from the relay: {f['refused_errors']};"
        f" {f['connections_opened']:.0f} connections opened, at most {f['max_in_flight']:.0f} requests in flight;"
        f" the kernel's accept-queue overflows meanwhile, whole host: {f['listen_overflows']:.0f})"
    )
    if f["unanswered"]:
        print(f"  unanswered              {f['unanswered']:.0f}   (no answer 60 s after the last send)")
    print(f"  hand-offs               {f['handoffs']:.0f}   (target 0: none caused by the relay itself)")
    print(
        f"  accepted: webhook->continuation p50 {f['p50_ms']:.1f} ms, p99 {f['p99_ms']:.1f} ms"
        f"   (target p99 <= {TARGETS['overload_p99_ms']:.0f} ms)"
    )
    print(
        f"  accepted: p90 {f['p90_ms']:.1f} ms, p95 {f['p95_ms']:.1f} ms, max {f['max_ms']:.1f} ms;"
        f" {f['over_100ms']:.0f} of them over 100 ms"
    )
    print(
        f"  accepted, as the relay measures them (arrival at the relay -> continuation taken):"
        f" p50 <= {f['relay_p50_ms']:.0f} ms, p99 <= {f['relay_p99_ms']:.0f} ms (histogram bounds)"
    )
    print(
        f"  relay CPU               {f['relay_cpu_pct']:.0f}% of one core,"
        f" {f['relay_cpu_ms_per_accepted']:.2f} ms per accepted widget_request"
    )
    print_bench_cpu(f)


def overload_passed(f: dict[str, float]) -> bool:
    return f["handoffs"] == 0 and f["continuations"] == f["http_200"] and f["kommo_rejections"] == 0


def steps(args: argparse.Namespace, work: Path) -> int:
    """--compare: every step, each printed beside its targets; --overload / --idle: that step alone."""
    ok = True
    runs: list[tuple[str, dict[str, float]]] = []
    if args.compare or (args.overload and not args.overload_rate):
        runs.append(("one instance, SQLite", asyncio.run(bench(args, work / "one"))))
    if args.compare:
        with BenchRedis(work / "redis") as redis:
            runs.append(("one instance, Redis", asyncio.run(bench(args, work / "one-redis", 1, redis))))
            runs.append(("two instances, Redis", asyncio.run(bench(args, work / "two", 2, redis))))
    production = production_run(args, work) if args.compare else None
    if runs:
        print(runtime())
        print_side_by_side(runs + ([production] if production else []))
        # The CPU target is read on the Python operators run the relay on when it could be measured here.
        on_target = [production or runs[0]] + runs[1:2]
        ok = all(passed(f, args) for _, f in runs) and all(
            f["relay_cpu_ms_per_request"] <= cpu_target(f) for _, f in on_target
        )
    if args.compare or args.overload:
        figures = asyncio.run(overload(args, work / "overload", runs[0][1] if runs else {}))
        print_overload(figures)
        ok = ok and overload_passed(figures)
    if args.compare or args.idle:
        idle = [asyncio.run(idle_agents(args, work / "idle-one"))]
        print_idle(idle)
        with BenchRedis(work / "redis-idle") as redis:
            idle.append(asyncio.run(idle_agents(args, work / "idle-two", 2, redis)))
        print_idle(idle[1:])
        ok = ok and all(idle_passed(f) for f in idle)
    return 0 if ok else 1


def production_run(args: argparse.Namespace, work: Path) -> tuple[str, dict[str, float]] | None:
    """One instance on SQLite again, the relay on the server's own python3 as operators install it (beside this
    checkout's venv, which may be a slower developer's build: ``relay_interpreter``); None where there is none."""
    if RELAY_PYTHON:  # --relay-python chose the interpreter of every step
        return None
    base = system_python()
    if base is None:
        print("(no system python3 other than this venv's: the relay's CPU is measured on this venv only)")
        return None
    try:
        python = production_relay_python(base)
    except RuntimeError as exc:
        print(f"(the relay could not be installed on {base}: {exc}; measured on this venv only)")
        return None
    print(f"relay on this venv: {describe(DEV_PYTHON)}; as operators install it: {describe(python)}")
    RELAY_PYTHON[:] = [python]
    try:
        return "one, SQLite, system python3", asyncio.run(bench(args, work / "one-system"))
    finally:
        RELAY_PYTHON.clear()


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--kommo-process":
        run_kommo_process(Path(argv[1]), int(argv[2]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--agents", type=int, default=1000, help="idle agents = clinics (1000)")
    parser.add_argument("--rate", type=float, default=300.0, help="widget_requests per second (300)")
    parser.add_argument("--duration", type=float, default=15.0, help="seconds of load (15)")
    parser.add_argument("--slots", type=int, default=40, help="free slots in each agent's 14-day answer (40)")
    parser.add_argument(
        "--profile",
        metavar="FILE",
        help="profile the relay: FILE.txt or FILE.svg with py-spy (pip install py-spy), else cProfile stats",
    )
    parser.add_argument(
        "--instances", type=int, default=1, choices=(1, 2), help="relay instances; 2 share a Redis started here (1)"
    )
    parser.add_argument("--redis", action="store_true", help="one instance on Redis instead of SQLite")
    parser.add_argument(
        "--knows-bookings",
        action="store_true",
        help="the scripted agents say they know their bookings, as a real agent does: each new conversation's first"
        " turn then asks the agent whether the phone has an appointment (one more round trip; none, here)",
    )
    parser.add_argument(
        "--compare",
        action="store_true",
        help="one instance (SQLite, then Redis) and two (Redis) side by side, then the overload and idle-agent steps",
    )
    parser.add_argument("--overload", action="store_true", help="only the overload step (after a 300/s run)")
    parser.add_argument(
        "--agent-procs", type=int, default=0, help="processes the scripted agents are spread over (1 per 500 agents)"
    )
    parser.add_argument("--kommo-procs", type=int, default=2, help="processes of the stand-in Kommo (2)")
    parser.add_argument("--idle", action="store_true", help="only the idle-agents step")
    parser.add_argument("--overload-duration", type=float, default=15.0, help="seconds of the overload step (15)")
    parser.add_argument(
        "--overload-rate", type=float, default=0.0, help="--overload: offer this rate (no capacity run first)"
    )
    parser.add_argument("--idle-agents", type=int, default=10_000, help="agents of the idle step (10000)")
    parser.add_argument(
        "--relay-python",
        metavar="PATH",
        help="run the relay on this Python (with the relay installed in its environment), e.g. one built with PGO"
        " like the relay image's; 'system': the server's python3, in a venv built as docs/operate-the-relay.md"
        " does (.bench/relay-venv); default: this checkout's .venv",
    )
    parser.add_argument(
        "--relay-log-level",
        default="info",
        help="the relay's CITA_RELAY_LOG_LEVEL (info, the operator's default: one line per continuation)",
    )
    args = parser.parse_args(argv)
    RELAY_LOG_LEVEL[:] = [args.relay_log_level]
    if args.relay_python == "system":
        base = system_python()
        if base is None:
            parser.error("--relay-python system: no system python3 other than this venv's")
        RELAY_PYTHON[:] = [production_relay_python(base)]
    elif args.relay_python:
        RELAY_PYTHON[:] = [args.relay_python]
    args.agent_procs = args.agent_procs or max(1, -(-args.agents // 500))
    raise_open_files(4 * max(args.idle_agents, args.agents) + 4096)
    with tempfile.TemporaryDirectory(prefix="relay-load-") as tmp:
        work = Path(tmp)
        try:
            if args.compare or args.overload or args.idle:
                return steps(args, work)
            if args.instances > 1 or args.redis:
                with BenchRedis(work / "redis") as redis:
                    figures = asyncio.run(bench(args, work, args.instances, redis))
            else:
                figures = asyncio.run(bench(args, work))
        finally:
            print_relay_log_errors(work)
    shared = f", {args.instances} instance(s) on Redis" if args.instances > 1 or args.redis else ""
    print(runtime() + shared)
    print_figures(figures)
    return 0 if passed(figures, args) else 1


if __name__ == "__main__":
    sys.exit(main())
