"""Where a warm question's milliseconds go: every TCP segment on loopback between the bench's parts, time-stamped.

``agent_bench.py --trace`` runs this in a process of its own (so the capture costs none of the measured processes a
moment of CPU): a raw packet socket on ``lo`` (Linux, root or CAP_NET_RAW) whose kernel timestamps
(SO_TIMESTAMPNS, the wall clock the bench's own ``time.time()`` reads) say when each part wrote to the wire. Only
segments that carry data and touch one of the watched ports are kept; each is (time, source port, destination
port, length, first bytes), which is enough to tell the hops apart:

  generator -> relay (POST /kommo) ... relay -> generator (HTTP 200) ... relay -> agent (websocket frame) ...
  agent -> relay (masked frame) ... relay -> Kommo (POST continuation) ... Kommo -> relay (HTTP 200)

Nothing is decoded beyond the first bytes, and nothing is written anywhere but the capture file the bench reads
back (the segments carry patient test data of the stand-in: the file lives in the bench's temporary folder).
"""

from __future__ import annotations

import multiprocessing
import socket
import struct
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4  # the copy seen as it is sent: its timestamp is the moment the sender wrote it
SO_TIMESTAMPNS = 35
HEAD_BYTES = 16


@dataclass(frozen=True)
class Segment:
    at: float  # wall-clock seconds (time.time())
    src: int
    dst: int
    length: int  # TCP payload bytes
    head: bytes  # the first bytes of the payload

    def line(self) -> str:
        return f"{self.at:.6f} {self.src} {self.dst} {self.length} {self.head.hex()}"

    @classmethod
    def parse(cls, text: str) -> Segment:
        at, src, dst, length, head = text.split(" ")
        return cls(float(at), int(src), int(dst), int(length), bytes.fromhex(head))


def tcp_payload(frame: bytes) -> tuple[int, int, int, bytes] | None:
    """(source port, destination port, payload length, first bytes) of an Ethernet+IPv4+TCP frame with data."""
    if len(frame) < 14 + 20 or frame[12:14] != b"\x08\x00":
        return None
    ip = frame[14:]
    if ip[9] != 6:  # not TCP
        return None
    ihl = (ip[0] & 0x0F) * 4
    total = struct.unpack_from("!H", ip, 2)[0]
    tcp = ip[ihl:]
    if len(tcp) < 20:
        return None
    src, dst = struct.unpack_from("!HH", tcp, 0)
    offset = (tcp[12] >> 4) * 4
    length = total - ihl - offset
    if length <= 0:
        return None
    return src, dst, length, tcp[offset:offset + HEAD_BYTES]


def _capture(ports: frozenset[int], out: str, ready: multiprocessing.synchronize.Event,
             stop: multiprocessing.synchronize.Event) -> None:
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    sock.bind(("lo", 0))
    sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    sock.settimeout(0.2)
    lines: list[str] = []
    ready.set()
    while not stop.is_set():
        try:
            data, ancillary, _flags, address = sock.recvmsg(65536 + 128, 64)
        except TimeoutError:
            continue
        if address[2] != PACKET_OUTGOING:
            continue
        parsed = tcp_payload(data)
        if parsed is None or (parsed[0] not in ports and parsed[1] not in ports):
            continue
        at = time.time()
        for level, kind, value in ancillary:
            if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS:
                seconds, nanos = struct.unpack("qq", value[:16])
                at = seconds + nanos / 1e9
        lines.append(Segment(at, *parsed).line())
    Path(out).write_text("\n".join(lines) + "\n")


class LoopbackTrace:
    """``with LoopbackTrace({relay_port, kommo_port}, file) as trace: ...; trace.segments()``."""

    def __init__(self, ports: Iterable[int], out: Path) -> None:
        context = multiprocessing.get_context("spawn")  # a fresh interpreter: nothing of the bench's threads
        self._out = out
        self._ready = context.Event()
        self._stop = context.Event()
        self._process = context.Process(
            target=_capture, args=(frozenset(ports), str(out), self._ready, self._stop), daemon=True
        )

    def __enter__(self) -> LoopbackTrace:
        self._process.start()
        if not self._ready.wait(10):
            raise RuntimeError("the loopback capture did not start (Linux, root or CAP_NET_RAW needed)")
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._process.join(10)

    def segments(self) -> list[Segment]:
        if not self._out.exists():
            return []
        return [Segment.parse(text) for text in self._out.read_text().splitlines() if text]


def can_capture() -> bool:
    try:
        socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL)).close()
    except (OSError, AttributeError):
        return False
    return True


@dataclass(frozen=True)
class Hops:
    """One question's hops, in ms from the generator's POST leaving it (None: not seen)."""

    accepted: float | None  # relay -> generator: the 200
    to_agent: float | None  # relay -> agent: the first request frame
    from_agent: float | None  # agent -> relay: the last answer frame before the continuation
    to_kommo: float | None  # relay -> Kommo stand-in: the continuation POST
    kommo_ack: float | None  # Kommo stand-in -> relay: its 200
    frames_to_agent: int
    frames_from_agent: int
    first_from_agent: float | None = None  # agent -> relay: the first answer frame
    bytes_from_agent: int = 0


def hops_of(segments: list[Segment], relay_port: int, kommo_port: int, start: float, end: float) -> Hops | None:
    """The hops of the one question whose generator POST is the first segment to the relay in [start, end]."""
    window = [s for s in segments if start - 0.001 <= s.at <= end + 0.05]
    posts = [s for s in window if s.dst == relay_port and s.head.startswith(b"POST /kommo")]
    if not posts:
        return None
    t0 = posts[0].at
    generator = posts[0].src

    def after(cond: object) -> list[Segment]:
        return [s for s in window if s.at >= t0 and cond(s)]  # type: ignore[operator]

    accepted = after(lambda s: s.src == relay_port and s.dst == generator)
    continuation = after(lambda s: s.dst == kommo_port and s.head.startswith(b"POST"))
    until = continuation[0].at if continuation else end + 0.05
    to_agent = after(lambda s: s.src == relay_port and s.dst not in (generator, kommo_port) and s.at <= until
                     and not s.head.startswith(b"HTTP"))
    from_agent = after(lambda s: s.dst == relay_port and s.src != generator and s.at <= until
                       and not s.head.startswith((b"POST", b"GET")))
    ack = after(lambda s: s.src == kommo_port)

    def ms(found: list[Segment], last: bool = False) -> float | None:
        if not found:
            return None
        return ((found[-1] if last else found[0]).at - t0) * 1000

    return Hops(ms(accepted), ms(to_agent), ms(from_agent, last=True), ms(continuation), ms(ack),
                len(to_agent), len(from_agent), ms(from_agent), sum(s.length for s in from_agent))
