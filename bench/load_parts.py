"""The load bench's own processes, each light and each on its own, so that the bench measures the relay, not itself.

- **agents** (``python bench/load_parts.py agents CONFIG``): a share of the N scripted agents on real websockets.
  An answer is pre-encoded: the request's id is cut out of the frame's text and put between two fixed byte strings
  (a real agent answers from its cache without re-validating its own answer either), with its fingerprint, and
  "unchanged" to a question that names it (wire.messages.SlotsUnchanged); asked with ``watch``, it then keeps its
  answer standing at the relay (wire.messages.SlotsUpdate), as a real agent does. Prints ``ready`` once every
  agent of its share said hello, then holds them until its stdin closes.
- **generator** (``python bench/load_parts.py generator CONFIG``): the open-loop load on raw keep-alive HTTP/1.1
  connections, pre-signed widget_requests only sent. Prints ``ready``, waits for ``go`` on stdin, prints
  ``started``, sends at the rate, waits for every answer, writes what it saw (send times, statuses, the 200's
  latency) to the config's ``out`` file and prints ``done``.

Both run on uvloop when it is installed, with the cyclic GC frozen out of the way (its pauses would count as the
relay's latency). The parent (``bench/relay_load.py``) reads each one's CPU time from /proc, so a starved bench
shows in its output.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import hashlib
import json
import random
import sys
import time
from pathlib import Path

_REQUEST_PREFIX = '{"type":"request","id":"'


def quiet_gc() -> None:
    gc.collect()
    gc.freeze()
    gc.set_threshold(100_000, 50, 1000)


def new_loop() -> asyncio.AbstractEventLoop:
    try:
        import uvloop

        return uvloop.new_event_loop()
    except ImportError:
        return asyncio.new_event_loop()


def request_id(text: str) -> str | None:
    """The id of a relay->agent request frame, or None for any other frame (cheap: the relay writes "type" first)."""
    if text.startswith(_REQUEST_PREFIX):
        end = text.find('"', len(_REQUEST_PREFIX))
        if end > 0:
            return text[len(_REQUEST_PREFIX) : end]
    if '"request"' not in text:
        return None
    frame = json.loads(text)  # another key order: read it properly
    return str(frame["id"]) if frame.get("type") == "request" else None


# ---------------------------------------------------------------------------
# Agents
# ---------------------------------------------------------------------------


async def _agent(
    url: str, token: str, head: str, tail: tuple[str, str, str], update: str, ready: asyncio.Event,
    stop: asyncio.Event,
) -> None:
    from websockets.asyncio.client import connect

    headers = {"Authorization": f"Bearer {token}"}
    async with connect(url, additional_headers=headers, compression=None, open_timeout=60, max_queue=4) as ws:
        await ws.send('{"type":"status","paused":false,"portal":"ok","version":"bench"}')
        ready.set()
        stopping = asyncio.ensure_future(stop.wait())
        receiving = asyncio.ensure_future(_answer(ws, head, tail, update))
        await asyncio.wait([stopping, receiving], return_when=asyncio.FIRST_COMPLETED)
        receiving.cancel()
        stopping.cancel()


async def _answer(ws, head: str, tail: tuple[str, str, str], update: str) -> None:  # type: ignore[no-untyped-def]
    full, known, unchanged = tail
    async for text in ws:
        text = text if isinstance(text, str) else text.decode()
        rid = request_id(text)
        if rid is None:
            continue
        if '"op":"my_bookings"' in text:  # "does this phone have an appointment?" (--knows-bookings): none
            await ws.send(head + rid + '","ok":true,"result":{"bookings":[]}}')
        else:
            # As a real agent (agent/slot_answer.py): asked with its answer's fingerprint, it says "unchanged".
            await ws.send(head + rid + (unchanged if known in text else full))
            if '"watch":true' in text:  # and keeps its answer standing at the relay (agent/slot_watch.py)
                await ws.send(update)


async def run_agents(config: dict) -> None:
    urls: list[str] = config["urls"]
    tokens: list[str] = config["tokens"]
    head = '{"type":"response","id":"'
    tail = answer_tails(config["result"])
    update = standing_update(config["result"])
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    tasks: list[asyncio.Task] = []
    events: list[asyncio.Event] = []
    for i, token in enumerate(tokens):
        events.append(asyncio.Event())
        tasks.append(asyncio.ensure_future(_agent(urls[i % len(urls)], token, head, tail, update, events[-1], stop)))
        if i % 50 == 49:
            await _all_ready(events[-50:], tasks)
    await _all_ready(events, tasks)
    quiet_gc()
    print("ready", flush=True)
    # Held until the parent closes our stdin (or dies).
    await loop.run_in_executor(None, sys.stdin.read)
    stop.set()
    await asyncio.wait(tasks, timeout=30)


def answer_tails(result: str) -> tuple[str, str, str]:
    """What follows a response's id: the full answer with its fingerprint; the text a question naming that
    fingerprint carries (``"known":"..."``); the "unchanged" answer (wire.messages.SlotsUnchanged)."""
    fingerprint = _fingerprint(result)
    unchanged = '{"unchanged":"' + fingerprint + '","age_s":3.0}'
    head = '","ok":true,"result":'
    return head + _full(result) + "}", f'"known":"{fingerprint}"', head + unchanged + "}"


def standing_update(result: str) -> str:
    """The ``slots_update`` a real agent sends after answering a question asked with ``watch`` (agent/slot_watch.py):
    its whole answer, standing for what is left of its freshness (a read of 5-minute agent, 3 s old: 447 s)."""
    return '{"type":"slots_update","days":14,"professional":null,"fresh_s":447.0,"result":' + _full(result) + "}"


def _full(result: str) -> str:
    """The answer with its fingerprint, as a real agent sends it whole."""
    return result[:-1] + f',"fingerprint":"{_fingerprint(result)}"}}' if result.endswith("}") else result


def _fingerprint(result: str) -> str:
    return hashlib.blake2b(result.encode(), digest_size=12).hexdigest()


async def _all_ready(events: list[asyncio.Event], tasks: list[asyncio.Task]) -> None:
    """Until these agents said hello; a refused or failed agent stops the process instead of hanging it."""
    waiting = asyncio.ensure_future(asyncio.gather(*(e.wait() for e in events)))
    while not waiting.done():
        await asyncio.wait([waiting, *tasks], timeout=120, return_when=asyncio.FIRST_COMPLETED)
        failed = next((t for t in tasks if t.done() and not t.cancelled() and t.exception() is not None), None)
        if failed is not None:
            waiting.cancel()
            raise RuntimeError(f"an agent could not connect: {failed.exception()!r}")


# ---------------------------------------------------------------------------
# The load generator: a small keep-alive HTTP/1.1 client (httpx would cost more CPU than the relay's own work)
# ---------------------------------------------------------------------------


class RawConnection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    async def post(self, head: bytes, body: bytes, sent: list[float]) -> int:
        sent.append(time.time())  # the moment the request leaves: the relay is answerable from here on
        self.writer.write(head + body)
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionResetError("closed before the answer")
        length = 0
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        if length:
            await self.reader.readexactly(length)
        return int(status_line.split()[1])


class RawPool:
    """Keep-alive connections to one relay; a new one whenever every open one is busy (as many Kommo senders)."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.idle: list[RawConnection] = []
        self.opened = 0

    def head(self, path: str, length: int) -> bytes:
        return b"POST %s HTTP/1.1\r\nHost: %s:%d\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % (
            path.encode(),
            self.host.encode(),
            self.port,
            length,
        )

    async def post(self, path: str, body: bytes, sent: list[float]) -> int:
        """The answer's status; ``sent`` gets the time each try's bytes were written."""
        head = self.head(path, len(body))
        connection = self.idle.pop() if self.idle else None
        if connection is not None:
            try:
                status = await connection.post(head, body, sent)
            except (ConnectionError, IndexError, asyncio.IncompleteReadError):
                connection.writer.close()  # the server closed it while idle (keep-alive timeout): a new one
            else:
                self.idle.append(connection)
                return status
        reader, writer = await asyncio.open_connection(self.host, self.port)
        self.opened += 1
        connection = RawConnection(reader, writer)
        status = await connection.post(head, body, sent)
        self.idle.append(connection)
        return status

    def close(self) -> None:
        for connection in self.idle:
            connection.writer.close()


async def run_generator(config: dict) -> None:
    """Open loop: request i is sent at start + i / rate, whatever happened to the ones before."""
    items: list[dict] = json.loads(Path(config["items"]).read_text())  # noqa: ASYNC240 - before the load
    ports: list[int] = config["ports"]
    rate = float(config["rate"])
    pools = [RawPool("127.0.0.1", port) for port in ports]
    picks = random.Random(7)  # a load balancer without affinity: each widget_request to any instance
    work = [
        (item["continue_id"], f"/kommo/{item['clinic']}", item["body"].encode(), pools[picks.randrange(len(pools))])
        for item in items
    ]
    del items
    sent_at: dict[str, float] = {}
    late: list[float] = []  # how late the generator wrote each request after its due time (its own starvation)
    answered: list[float] = []
    statuses: dict[int, int] = {}
    errors: dict[str, int] = {}

    async def fire(continue_id: str, path: str, body: bytes, pool: RawPool, due: float) -> None:
        sent: list[float] = []
        t0 = time.time()
        sent_at[continue_id] = t0  # offered, answered or not
        try:
            status = await pool.post(path, body, sent)
        except (OSError, asyncio.IncompleteReadError) as exc:
            # Refused or dropped by the kernel before the relay answered (its accept queue overflowed, or no port
            # was left): for Kommo a retry, as for a 503. Counted as status 0.
            status = 0
            errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
        # The last try's write (a keep-alive connection the relay had closed is tried once more on a new one).
        sent_at[continue_id] = sent[-1] if sent else t0
        late.append(max(0.0, sent_at[continue_id] - due))
        answered.append(time.time() - sent_at[continue_id])
        statuses[status] = statuses.get(status, 0) + 1

    quiet_gc()
    loop = asyncio.get_running_loop()
    print("ready", flush=True)
    await loop.run_in_executor(None, sys.stdin.readline)  # "go"
    print("started", flush=True)
    started = time.monotonic()
    wall_started = time.time()
    in_flight: set[asyncio.Task] = set()
    max_in_flight = 0
    for i, (continue_id, path, body, pool) in enumerate(work):
        delay = started + i / rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        task = asyncio.ensure_future(fire(continue_id, path, body, pool, wall_started + i / rate))
        in_flight.add(task)
        task.add_done_callback(in_flight.discard)
        max_in_flight = max(max_in_flight, len(in_flight))
    send_s = time.monotonic() - started
    if in_flight:
        await asyncio.wait(in_flight, timeout=60)
    for pool in pools:
        pool.close()
    Path(config["out"]).write_text(  # noqa: ASYNC240 - after the load
        json.dumps(
            {
                "sent_at": sent_at,
                "answered": answered,
                "late": late,
                "statuses": {str(k): v for k, v in statuses.items()},
                "errors": errors,
                "send_s": send_s,
                "connections_opened": sum(pool.opened for pool in pools),
                "max_in_flight": max_in_flight,
            }
        )
    )
    print("done", flush=True)


def main(argv: list[str]) -> int:
    role, config_file = argv[0], Path(argv[1])
    config = json.loads(config_file.read_text())
    run = {"agents": run_agents, "generator": run_generator}[role]
    loop = new_loop()
    asyncio.set_event_loop(loop)
    with contextlib.suppress(KeyboardInterrupt):
        loop.run_until_complete(run(config))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
