"""Overload as a state: the relay refuses, quickly and on purpose, the widget_requests it cannot start in time.

Past its capacity a relay that accepts everything answers everyone late, and its own backlog (a full Redis pool,
a long event-loop queue) would end turns in hand-offs that look to patients like an outage. Instead, before
anything is read or stored, ``Admission`` decides from the measured capacity whether the request could be worked
on within the wait budget (``max_wait_s``, 50 ms by default) — not when some queue of N is full:

- did this request itself already wait longer than the budget between arriving and its handler running? (From
  its arrival at the host: the time its bytes waited in the kernel before the relay read them counts,
  ``kernel_wait_s``. While the relay is shedding anyway, one late by twice the budget is refused however few
  turns are under way: flooded, its backlog is requests not yet read, not turns.)
- would its whole wait (what it waited already, and what it would wait still) be longer than the budget: the
  work already admitted ahead of it — the turns of the relay's own that need its CPU now, and the rest of those
  waiting on an agent or on Kommo (they come back and share the loop with it) — and its own, times the CPU one
  turn costs (``TurnCost``: process CPU time per accepted turn, measured as it runs) stretched by how long the
  relay waits for a core on a busy machine (the kernel's run-queue wait), plus how late the event loop runs right
  now (``LoopLag``)? So an accepted turn gets its CPU within the budget even when the relay is the bottleneck,
  and a relay given half a core admits half as many.
- is the event loop behind by more than ``max_lag_s``, with turns of its own piling up? (A loop that is late with
  next to nothing to do is waiting for a busy machine's CPU, not overloaded by its own work: refusing Kommo would
  not help it.)
- are too many accepted turns still in flight?

Either way the answer is ``503`` with ``Retry-After``: Kommo sends the request again, nothing was accepted, nothing
stored, so the retry is a first delivery like any other.
"""

from __future__ import annotations

import asyncio
import socket
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

_TCP_INFO = getattr(socket, "TCP_INFO", None)  # Linux
_LAST_DATA_RECV_AT = 52  # struct tcp_info: 8 bytes of u8 fields, 11 u32 fields, then tcpi_last_data_recv (ms)


class LoopLag:
    """How late the event loop runs a timer, sustained: the least late of the last ``window`` samples.

    A request's handler waits in the same queue, so this is the delay a widget_request arriving now meets before
    the relay even looks at it. Only a loop late sample after sample is behind on its own work: a process the
    machine did not schedule for a moment (a busy host) is late once, then on time again — that is not overload.
    """

    def __init__(self, interval_s: float = 0.01, window: int = 5, clock: Callable[[], float] = time.monotonic) -> None:
        self.interval_s = interval_s
        self._clock = clock
        self._samples = [0.0] * window
        self._index = 0
        self._handle: asyncio.TimerHandle | None = None
        self._due = 0.0
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def lag_s(self) -> float:
        """The least lateness of the recent samples (0 while the loop keeps up)."""
        return min(self._samples)

    def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._schedule()

    def stop(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None

    def _schedule(self) -> None:
        assert self._loop is not None
        self._due = self._clock() + self.interval_s
        self._handle = self._loop.call_later(self.interval_s, self._tick)

    def _tick(self) -> None:
        self._samples[self._index] = max(0.0, self._clock() - self._due)
        self._index = (self._index + 1) % len(self._samples)
        self._schedule()


def main_thread_run_and_wait_s() -> tuple[float, float] | None:
    """Seconds this process's main thread (the event loop's) ran on a CPU, and waited runnable for one (Linux's
    /proc/self/schedstat); None where the kernel does not say."""
    try:
        with open("/proc/self/schedstat", "rb") as f:
            run_ns, wait_ns, _ = f.read().split()
        return int(run_ns) / 1e9, int(wait_ns) / 1e9
    except (OSError, ValueError):
        return None


def kernel_wait_s(sock: Any) -> float:
    """How long the last bytes read from ``sock`` waited in the kernel before the relay read them (Linux's
    ``tcpi_last_data_recv``, a few ms of resolution); 0 where the kernel does not say.

    A relay short of CPU reads its sockets late: a request can sit there for seconds, and a wait counted from the
    moment the relay parsed it would call it fresh and accept it. Counted from its arrival at the host, a
    request that already waited past the budget is refused at once, as Kommo can send it again."""
    if _TCP_INFO is None or sock is None:
        return 0.0
    try:
        raw = sock.getsockopt(socket.IPPROTO_TCP, _TCP_INFO, 104)
        return struct.unpack_from("I", raw, _LAST_DATA_RECV_AT)[0] / 1000.0
    except (OSError, struct.error, AttributeError):
        return 0.0


class TurnCost:
    """The relay's CPU time per accepted turn, measured: process CPU seconds over turns accepted, every ``every_s``.

    Everything the process does counts (the 503s it answers meanwhile, the agents' pings, the store's thread), so
    the figure is what one more accepted turn really costs this process — the measured capacity is 1 / ``cpu_s``.

    ``wall_s`` is what that CPU takes on the clock: on a busy machine the event loop is runnable but waits for a
    core (the kernel counts that wait), so a turn's millisecond of CPU takes ``stretch`` milliseconds — measured
    over the same window as the time the loop waited runnable per second it ran.
    """

    def __init__(
        self,
        initial_s: float = 0.002,
        *,
        every_s: float = 0.5,
        min_turns: int = 20,
        clock: Callable[[], float] = time.monotonic,
        cpu: Callable[[], float] = time.process_time,
        sched: Callable[[], tuple[float, float] | None] = main_thread_run_and_wait_s,
        max_stretch: float = 4.0,
    ) -> None:
        self.cpu_s = initial_s
        self.stretch = 1.0
        self._every_s = every_s
        self._min_turns = min_turns
        self._clock = clock
        self._cpu = cpu
        self._sched = sched
        self._max_stretch = max_stretch
        self._turns = 0
        self._since = clock()
        self._cpu_since = cpu()
        self._sched_since = sched()

    @property
    def wall_s(self) -> float:
        """Wall-clock seconds one more turn's CPU takes on this machine now."""
        return self.cpu_s * self.stretch

    def accepted(self) -> None:
        now = self._clock()
        quiet_for = now - self._since
        if quiet_for > self._every_s and (
            self._turns == 0 or self._turns < self._min_turns and quiet_for > 4 * self._every_s
        ):
            # A window starts at a turn: the CPU of a quiet spell before it (start-up, a thousand agents connecting,
            # their pings) is no turn's. Counted in, it made the first turns after one look 50 ms each, and a few
            # arriving together were refused as overload by a relay that was nearly idle.
            self._turns, self._since, self._cpu_since, self._sched_since = 0, now, self._cpu(), self._sched()
        self._turns += 1
        if self._turns < self._min_turns:
            return
        if now - self._since < self._every_s:
            return
        cpu = self._cpu()
        sample = (cpu - self._cpu_since) / self._turns
        # Half the last window, half the ones before: a change of load shows within a second or two.
        self.cpu_s = min(0.05, max(0.0001, 0.5 * self.cpu_s + 0.5 * sample))
        sched = self._sched()
        if sched is not None and self._sched_since is not None:
            ran, waited = sched[0] - self._sched_since[0], sched[1] - self._sched_since[1]
            if ran > 0:
                stretch = min(self._max_stretch, max(1.0, (ran + waited) / ran))
                self.stretch = 0.5 * self.stretch + 0.5 * stretch
        self._turns, self._since, self._cpu_since, self._sched_since = 0, now, cpu, sched


@dataclass(frozen=True)
class Shed:
    """Why a request was refused: ``reason`` for /metrics and the log, ``retry_after_s`` for Kommo."""

    # "queued" (it waited too long already) | "queue_wait" (it would) | "loop_behind" | "turns_full" | "store_slow"
    reason: str
    retry_after_s: int


class Admission:
    def __init__(
        self,
        *,
        max_lag_s: float,
        max_turns_in_flight: int,
        turns_in_flight: Callable[[], int],
        lag: LoopLag | None,
        retry_after_s: int = 1,
        min_turns_for_lag: int = 8,
        max_wait_s: float = 0.0,
        busy_turns: Callable[[], int] | None = None,
        cost: TurnCost | None = None,
        min_turns_for_wait: int = 4,
        rest_after_peer: float = 0.5,
        overloaded_for_s: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._max_lag_s = max_lag_s
        self._max_turns = max_turns_in_flight
        self._turns_in_flight = turns_in_flight
        self._lag = lag
        self.retry_after_s = retry_after_s
        self._min_turns_for_lag = min_turns_for_lag
        self._max_wait_s = max_wait_s
        self._busy_turns = busy_turns or turns_in_flight
        # A turn back from its agent still has part of its work ahead (the reply, the continuation): this share.
        self._rest_after_peer = rest_after_peer
        self.cost = cost or TurnCost()
        # A handful of turns is always taken in (the cost is an estimate; a relay that refuses its first turns after
        # a quiet spell helps nobody). More than that, and the measured wait decides.
        self._min_turns_for_wait = min_turns_for_wait
        # Past its capacity is a state: for this long after refusing one, a request that is late already is refused
        # however few turns are under way.
        self._overloaded_for_s = overloaded_for_s
        self._clock = clock
        self._shed_until = float("-inf")

    def expected_wait_s(self) -> float:
        """How long a request accepted now would take to get its CPU, on the clock: the work already admitted
        ahead of it (the runnable turns; the rest of those waiting on an agent or on Kommo, which come back and
        share the loop with it), then its own — each at the CPU a turn costs, stretched by the time this
        process waits for a core on a busy machine — plus how late the loop runs now."""
        lag = self._lag.lag_s if self._lag is not None else 0.0
        busy = self._busy_turns()
        on_peers = max(0, self._turns_in_flight() - busy)
        return (busy + self._rest_after_peer * on_peers + 1) * self.cost.wall_s + lag

    def accepted(self) -> None:
        """One more turn accepted (its CPU is measured with the others')."""
        self.cost.accepted()

    def check(self, queued_s: float = 0.0) -> Shed | None:
        """None when a new widget_request may start now; otherwise why not.

        ``queued_s``: how long this request already waited between arriving and its handler running.
        """
        shed = self._check(queued_s)
        if shed is not None:
            self._shed_until = self._clock() + self._overloaded_for_s
        return shed

    def _check(self, queued_s: float) -> Shed | None:
        in_flight = self._turns_in_flight()
        if self._max_turns > 0 and in_flight >= self._max_turns:
            return Shed("turns_full", self.retry_after_s)
        if self._max_wait_s > 0 and queued_s > self._max_wait_s:
            if in_flight >= self._min_turns_for_wait:
                return Shed("queued", self.retry_after_s)
            # Late by twice the budget: a few turns of its own or not, a relay that is shedding anyway (past its
            # capacity, the backlog in front of it is requests not yet read, not turns) refuses it rather than
            # answer it that late.
            if queued_s > 2 * self._max_wait_s and self._clock() < self._shed_until:
                return Shed("queued", self.retry_after_s)
        if self._max_wait_s > 0 and in_flight >= self._min_turns_for_wait:
            # The budget is the request's whole wait: what it waited already and what it would wait still. Each held
            # to the budget on its own, an accepted request waited up to twice it (a p99 of 107-118 ms past
            # capacity with a 50 ms budget; 63-69 ms counted together, as many accepted).
            if queued_s + self.expected_wait_s() > self._max_wait_s:
                return Shed("queue_wait", self.retry_after_s)
        if (
            self._lag is not None
            and self._max_lag_s > 0
            and in_flight >= self._min_turns_for_lag
            and self._lag.lag_s > self._max_lag_s
        ):
            return Shed("loop_behind", self.retry_after_s)
        return None
