"""CPU per request of the relay's Kommo HTTP path, in process: the accept (widget_request in, 200 out) and the
continuation (the POST to Kommo's return_url and its answer).

    .venv/bin/python bench/http_path_cpu.py [--requests 4000] [--rounds 5] [--repo PATH]

- accept: the real relay app (``relay.app.build_app``, SQLite store in a temporary directory) behind the real uvicorn
  HTTP protocol the relay serves with (``relay.http_limits.uvicorn_limits``), fed raw HTTP/1.1 bytes on one
  keep-alive connection (a transport in memory: no socket, no kernel). Each request is a new lead of one of
  ``--clinics`` clinics writing "Hola", signed as Kommo signs it. The accepted turn is not run (``submit`` is
  stubbed): what is measured ends with the 200's bytes. Twice: with the SQLite store, and with the store's two
  calls (``get_clinic``, ``claim_turn``) answered from memory — the relay's HTTP path outside the store.
- continuation: the real ``KommoClient`` and ``HttpClient`` POSTing a continuation body to a tiny keep-alive HTTP
  server in another process (its CPU is not counted), ``--concurrency`` at a time, each clinic's bearer from memory.

CPU is this process's (``time.process_time``) per request; the best of ``--rounds`` rounds is printed, with the load
average beside it. ``--repo`` runs another checkout's relay (A/B against main from the same file).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


# ---------------------------------------------------------------------------
# The tiny Kommo (another process): 200 {"ok":true} to every request, keep-alive
# ---------------------------------------------------------------------------

_SERVER = r"""
import asyncio, sys
ANSWER = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{\"ok\":true}"
class P(asyncio.Protocol):
    def connection_made(self, t):
        self.t, self.buf = t, b""
    def data_received(self, data):
        self.buf += data
        while True:
            head_end = self.buf.find(b"\r\n\r\n")
            if head_end < 0:
                return
            head = self.buf[:head_end].lower()
            i = head.find(b"content-length:")
            length = int(head[i + 15:].split(b"\r\n", 1)[0]) if i >= 0 else 0
            end = head_end + 4 + length
            if len(self.buf) < end:
                return
            self.buf = self.buf[end:]
            self.t.write(ANSWER)
async def main():
    server = await asyncio.get_running_loop().create_server(P, "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
asyncio.run(main())
"""


# ---------------------------------------------------------------------------
# The accept path
# ---------------------------------------------------------------------------


class _Transport(asyncio.Transport):
    """What uvicorn's protocol writes to: kept in memory; ``done`` is set when a whole answer is in."""

    def __init__(self) -> None:
        super().__init__()
        self.out = bytearray()
        self.done: asyncio.Future[bytes] | None = None
        self._closing = False
        self._protocol: Any = None

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.out += data
        head_end = self.out.find(b"\r\n\r\n")
        if head_end < 0 or self.done is None or self.done.done():
            return
        head = bytes(self.out[:head_end]).lower()
        i = head.find(b"content-length:")
        length = int(head[i + 15 :].split(b"\r\n", 1)[0]) if i >= 0 else 0
        if len(self.out) >= head_end + 4 + length:
            answer = bytes(self.out[: head_end + 4 + length])
            del self.out[: head_end + 4 + length]
            self.done.set_result(answer)

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"peername": ("127.0.0.1", 40000), "sockname": ("127.0.0.1", 8700)}.get(name, default)

    def is_closing(self) -> bool:
        return self._closing

    def close(self) -> None:
        self._closing = True

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass

    def set_protocol(self, protocol: Any) -> None:
        self._protocol = protocol

    def get_protocol(self) -> Any:
        return self._protocol

    def get_write_buffer_size(self) -> int:
        return 0


class _MemoryStore:
    """The two store calls of the accept path answered from memory (no SQLite): what the HTTP path costs alone."""

    reads_wait = False

    def __init__(self, real: Any, clinics: dict[str, Any]) -> None:
        self._real = real
        self._clinics = clinics

    async def get_clinic(self, name: str) -> Any:
        return self._clinics.get(name)

    async def claim_turn(self, clinic: str, lead_id: str, plan: Any, return_url: str, now: float) -> Any:
        keys, turn = plan("")
        return keys, turn, None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


def _widget_bodies(base_urls: dict[str, str], secrets_: dict[str, str], count: int) -> list[tuple[str, bytes]]:
    from demo.kommo.widget import return_url, sign_widget_token

    names = list(base_urls)
    out = []
    now = time.time()
    for i in range(count):
        name = names[i % len(names)]
        token = sign_widget_token(
            secret=secrets_[name],
            issuer=base_urls[name],
            client_id=f"cid-{name}",
            jti=uuid.uuid4().hex,
            account_id=1000 + i % len(names),
            subdomain=name,
            now=now,
            lifetime_s=900,
        )
        data = {"lead_id": f"L{i}", "message": "Hola", "name": "Ana Pérez", "phone": "+56 9 1234 5678"}
        body = {"token": token, "data": data, "return_url": return_url(base_urls[name], "77", uuid.uuid4().hex)}
        out.append((name, json.dumps(body).encode()))
    return out


async def bench_accept(requests: int, rounds: int, clinics: int, memory_store: bool) -> list[float]:
    import uvicorn
    from uvicorn.server import ServerState

    from relay.app import build_app
    from relay.http_limits import uvicorn_limits
    from relay.settings import RelaySettings
    from relay.store import ClinicDetails

    with tempfile.TemporaryDirectory() as tmp:
        settings = RelaySettings(data_dir=Path(tmp))
        app = build_app(settings)
        relay = app.state.relay
        base_urls, secrets_ = {}, {}
        for i in range(clinics):
            name = f"clinic{i:04d}"
            base_urls[name] = f"http://127.0.0.1:9/{name}"
            secrets_[name] = f"secret-{i}-" + "x" * 32
            relay.store.add_clinic(
                ClinicDetails(
                    name,
                    kommo_subdomain=name,
                    kommo_client_id=f"cid-{name}",
                    kommo_client_secret=secrets_[name],
                    long_lived_token=f"tok-{i}",
                    kommo_base_url=base_urls[name],
                )
            )
        await relay.start()
        relay.turns.submit = lambda job: None  # the turn itself is not this bench's business
        if memory_store:
            known = {name: await relay.store.get_clinic(name) for name in base_urls}
            relay.kommo_endpoint._store = _MemoryStore(relay.store, known)
        # As `cita-relay serve` configures it (relay/cli.py): no access log, X-Forwarded-* read by the relay itself.
        config = uvicorn.Config(
            app, lifespan="off", log_config=None, access_log=False, proxy_headers=False, **uvicorn_limits(settings)
        )
        config.load()
        protocol_class = config.http_protocol_class
        loop = asyncio.get_running_loop()
        results = []
        try:
            for _ in range(rounds):
                bodies = _widget_bodies(base_urls, secrets_, requests)
                wire = [
                    b"POST /kommo/%s HTTP/1.1\r\nHost: relay.example:8700\r\nContent-Type: application/json\r\n"
                    b"Content-Length: %d\r\n\r\n%s" % (name.encode(), len(body), body)
                    for name, body in bodies
                ]
                transport = _Transport()
                protocol = protocol_class(config=config, server_state=ServerState(), app_state={}, _loop=loop)
                transport.set_protocol(protocol)
                protocol.connection_made(transport)
                gc.collect()
                started = time.process_time()
                for raw in wire:
                    transport.done = loop.create_future()
                    protocol.data_received(raw)
                    answer = await transport.done
                    if not answer.startswith(b"HTTP/1.1 200"):
                        raise SystemExit(f"not accepted: {answer[:300]!r}")
                results.append((time.process_time() - started) / requests)
                protocol.connection_lost(None)
        finally:
            await relay.stop()
    return results


# ---------------------------------------------------------------------------
# The continuation path
# ---------------------------------------------------------------------------


async def bench_continuation(requests: int, rounds: int, clinics: int, concurrency: int, port: int) -> list[float]:
    from relay.http_client import HttpClient
    from relay.kommo_client import AccountRateLimit, KommoClient
    from relay.store import KommoTokens

    class Tokens:
        async def kommo_tokens(self, clinic: str) -> KommoTokens:
            return KommoTokens(long_lived_token=f"tok-{clinic}-" + "y" * 40)

    kommo_clinics = [_clinic(i, port) for i in range(clinics)]
    http = HttpClient()
    client = KommoClient(Tokens(), http, AccountRateLimit(1e9), timeout_s=10.0)  # type: ignore[arg-type]
    body = {
        "data": {
            "status": "slots_offered",
            "reply": "Hola Ana, estas son las horas disponibles:\n1. lunes 9 de marzo 09:00\n2. lunes 9 de marzo"
            " 09:30\n3. lunes 9 de marzo 10:00\nResponde con el número de la hora que prefieres.",
            "handoff": "no",
        },
        "execute_handlers": [
            {"handler": "show", "params": {"type": "text", "value": "Hola Ana, estas son las horas disponibles"}}
        ],
    }
    results = []
    try:
        for _ in range(rounds):
            queue = list(range(requests))
            queue.reverse()

            async def worker(queue: list[int]) -> None:
                while queue:
                    i = queue.pop()
                    clinic = kommo_clinics[i % len(kommo_clinics)]
                    url = f"{clinic.kommo_base_url}/api/v4/salesbot/77/continue/{uuid.uuid4().hex}"
                    outcome = await client.continue_bot(clinic, url, body, lead=f"L{i}")
                    if not outcome.delivered:
                        raise SystemExit(f"not delivered: {outcome}")

            await asyncio.gather(*(worker(queue) for _ in range(concurrency)))  # connections opened, pool warm
            queue = list(range(requests))
            queue.reverse()
            gc.collect()
            started = time.process_time()
            await asyncio.gather(*(worker(queue) for _ in range(concurrency)))
            results.append((time.process_time() - started) / requests)
    finally:
        await http.aclose()
    return results


def _clinic(i: int, port: int) -> Any:
    """A ``Clinic`` with whatever fields this checkout's store has (A/B against another checkout)."""
    import dataclasses

    from relay.store import Clinic

    values = {
        "name": f"clinic{i:04d}",
        "kommo_subdomain": f"clinic{i:04d}",
        "kommo_client_id": f"cid-{i}",
        "kommo_client_secret": "s" * 40,
        "kommo_base_url": f"http://127.0.0.1:{port}/clinic{i:04d}",
        "language": "es",
        "address": "",
    }
    kwargs = {}
    for f in dataclasses.fields(Clinic):
        if f.name in values:
            kwargs[f.name] = values[f.name]
        elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            kwargs[f.name] = "" if f.type in ("str", str) else 0
    return Clinic(**kwargs)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=4000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--clinics", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--repo", type=Path, default=ROOT, help="the checkout whose relay is measured")
    parser.add_argument("--only", choices=["accept", "store", "continuation"], action="append")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(args.repo.resolve()))
    os.environ.setdefault("CITA_RELAY_MAX_QUEUE_WAIT_S", "0")
    import logging

    logging.basicConfig(level=logging.WARNING)
    only = set(args.only or ["accept", "store", "continuation"])
    try:
        import uvloop

        new_loop = uvloop.new_event_loop
    except ImportError:  # pragma: no cover
        new_loop = asyncio.new_event_loop

    def run(coro: Any) -> list[float]:
        loop = new_loop()
        try:
            return loop.run_until_complete(coro)
        finally:
            loop.close()

    print(f"repo {args.repo.resolve()}  load average {os.getloadavg()[0]:.2f}")
    if "accept" in only:
        figures = run(bench_accept(args.requests, args.rounds, args.clinics, memory_store=True))
        _report("accept, store from memory", figures)
    if "store" in only:
        figures = run(bench_accept(args.requests, args.rounds, args.clinics, memory_store=False))
        _report("accept, SQLite store", figures)
    if "continuation" in only:
        server = subprocess.Popen(
            [sys.executable, "-c", _SERVER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        try:
            assert server.stdout is not None
            port = int(server.stdout.readline())
            figures = run(bench_continuation(args.requests, args.rounds, args.clinics, args.concurrency, port))
            _report("continuation", figures)
        finally:
            assert server.stdin is not None
            server.stdin.close()
            server.wait(timeout=10)
    print(f"load average {os.getloadavg()[0]:.2f}")
    return 0


def _report(what: str, figures: list[float]) -> None:
    us = sorted(f * 1e6 for f in figures)
    print(f"  {what:28s} best {us[0]:7.1f} us/request   median {us[len(us) // 2]:7.1f}   (rounds: {len(us)})")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
