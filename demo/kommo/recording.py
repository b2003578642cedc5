"""Every continuation the stand-in received, and waiters for the one a test is expecting.

The stand-in's server runs in its own thread and event loop while tests and benchmarks wait from
theirs, so the log is guarded by a lock and an async waiter is woken with ``call_soon_threadsafe``
on its own loop (no thread parked per waiter: the load benchmark has hundreds in flight).
"""

from __future__ import annotations

import asyncio
import threading
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class RecordedContinuation:
    subdomain: str
    bot_id: str
    continue_id: str
    body: dict  # the JSON the relay POSTed ({} when it was not a JSON object)
    accepted: bool  # False when it broke a rule; then `reason` says which and the HTTP answer was 4xx/5xx
    reason: str
    received_at: float  # time.time()
    authorization_ok: bool
    status_code: int = 200  # what the stand-in answered
    injected: bool = False  # a failure the test asked for (fail_next), not a broken rule
    widget_data: dict = field(default_factory=dict)  # the data of the widget_request this return_url came with

    @property
    def settles(self) -> bool:
        """Whether a waiter for this continue_id gets this call as its answer.

        Not an injected failure nor a 401: after those a correct relay retries (with fresh tokens after a
        401), and the retry is what the waiter wants to see.
        """
        return not self.injected and self.status_code != 401

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> RecordedContinuation:
        return cls(**{k: raw[k] for k in cls.__dataclass_fields__ if k in raw})


class ContinuationLog:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: list[RecordedContinuation] = []
        # The answer a waiter gets: the first call for that continue_id that `settles`.
        self._settled: dict[str, RecordedContinuation] = {}
        self._condition = threading.Condition(self._lock)
        self._async_waiters: dict[str, list[tuple[asyncio.AbstractEventLoop, asyncio.Future]]] = defaultdict(list)

    def add(self, record: RecordedContinuation) -> None:
        with self._lock:
            self._records.append(record)
            if not record.settles or record.continue_id in self._settled:
                return
            self._settled[record.continue_id] = record
            waiters = self._async_waiters.pop(record.continue_id, [])
            self._condition.notify_all()
        for loop, future in waiters:
            try:
                loop.call_soon_threadsafe(_settle, future, record)
            except RuntimeError:  # that loop is closed: its waiter gave up long ago
                pass

    def records(self, subdomain: str | None = None) -> list[RecordedContinuation]:
        with self._lock:
            return [r for r in self._records if subdomain is None or r.subdomain == subdomain]

    def clear(self) -> None:
        with self._lock:
            self._records.clear()
            self._settled.clear()

    async def wait(self, continue_id: str, timeout: float) -> RecordedContinuation:  # noqa: ASYNC109 (the contract)
        loop = asyncio.get_running_loop()
        future: asyncio.Future = loop.create_future()
        with self._lock:
            settled = self._settled.get(continue_id)
            if settled is not None:
                return settled
            self._async_waiters[continue_id].append((loop, future))
        try:
            return await asyncio.wait_for(future, timeout)
        except TimeoutError:
            raise TimeoutError(self._timeout_message(continue_id, timeout)) from None
        finally:
            with self._lock:
                waiters = self._async_waiters.get(continue_id)
                if waiters is not None:
                    waiters[:] = [w for w in waiters if w[1] is not future]
                    if not waiters:
                        del self._async_waiters[continue_id]

    def wait_sync(self, continue_id: str, timeout: float) -> RecordedContinuation:
        with self._condition:
            if self._condition.wait_for(lambda: continue_id in self._settled, timeout):
                return self._settled[continue_id]
        raise TimeoutError(self._timeout_message(continue_id, timeout))

    def _timeout_message(self, continue_id: str, timeout: float) -> str:
        message = f"the stand-in Kommo received no continuation for continue_id {continue_id} within {timeout:g} s"
        calls = [r for r in self.records() if r.continue_id == continue_id]
        if calls:
            last = calls[-1]
            message += f" ({len(calls)} refused call(s), the last HTTP {last.status_code}: {last.reason})"
        return message


def _settle(future: asyncio.Future, record: RecordedContinuation) -> None:
    if not future.done():
        future.set_result(record)
