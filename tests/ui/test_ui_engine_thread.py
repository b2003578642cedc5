"""The engine's thread never calls Qt: what it reports reaches the GUI thread through a Python queue and a socket byte.

A Qt signal emitted from the engine's thread could deadlock PySide6 against the GUI thread, so these tests watch
every C call the engine's thread makes (a profile hook on threads started by the test) while the GUI thread keeps
creating and connecting timers the way pytest-qt's waits do.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from agent.ui.engine_bridge import EngineBridge
from agent.ui.gui_inbox import GuiInbox

EVENTS = 3000


class BusyEngine:
    """Reports ``count`` events as fast as its loop goes, then waits to be stopped (the EngineLike contract)."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.sent = 0
        self._listeners: list[Callable[[Any], None]] = []
        self._stop: asyncio.Event | None = None

    async def run(self) -> None:
        self._stop = asyncio.Event()
        for n in range(self.count):
            self.sent = n + 1
            for listener in list(self._listeners):
                listener(("event", n))
            if n % 50 == 0:
                await asyncio.sleep(0)
        await self._stop.wait()

    async def stop(self) -> None:
        if self._stop is not None:
            self._stop.set()

    def subscribe(self, listener: Callable[[Any], None]) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def snapshot(self) -> int:
        return self.sent

    async def set_paused(self, paused: bool, until: Any = None) -> None: ...
    async def refresh_now(self) -> None: ...
    async def reload_settings(self, settings: Any) -> None: ...


@pytest.fixture
def qt_calls_off_gui_thread() -> Iterator[list[str]]:
    """Every Qt (PySide6/shiboken6) function called by a thread started while the fixture is active."""
    calls: list[str] = []

    def profile(_frame: Any, event: str, arg: Any) -> None:
        if event == "c_call":
            owner = getattr(arg, "__self__", None)
            module = type(owner).__module__ if owner is not None else (getattr(arg, "__module__", "") or "")
            if module.startswith(("PySide6", "shiboken6")):
                calls.append(f"{module}.{getattr(arg, '__qualname__', arg)}")

    threading.setprofile(profile)
    try:
        yield calls
    finally:
        threading.setprofile(None)  # type: ignore[arg-type]


def connect_timers_while(qtbot: Any, done: Callable[[], bool]) -> int:
    """What the GUI thread did when the old bridge hung: new timers, connected, waited on, until ``done()``."""
    rounds = 0
    while not done():
        timer = QTimer()
        timer.setInterval(1)
        timer.timeout.connect(lambda: None)
        timer.start()
        qtbot.wait(1)
        timer.stop()
        rounds += 1
        assert rounds < 200_000, "the engine's events stopped arriving"
    return rounds


def test_every_engine_event_arrives_in_order_on_the_gui_thread_without_a_qt_call_from_the_engine_thread(
        qtbot, qt_calls_off_gui_thread):
    bridge = EngineBridge()
    seen: list[Any] = []
    threads: set[str] = set()

    def changed(event: Any, snapshot: Any) -> None:
        seen.append(event)
        threads.add(threading.current_thread().name)

    bridge.changed.connect(changed)
    finished: list[str] = []
    bridge.engine_finished.connect(finished.append)
    results: list[Any] = []
    engine = BusyEngine(EVENTS)
    try:
        bridge.start(engine)
        bridge.call(asyncio.sleep(0, result="answer"), lambda result, error: results.append((result, error)))
        rounds = connect_timers_while(qtbot, lambda: len(seen) > EVENTS and bool(results))
        stopped: list[bool] = []
        bridge.stop(on_done=lambda: stopped.append(True))
        qtbot.waitUntil(lambda: bool(stopped) and bool(finished), timeout=30_000)
    finally:
        bridge.shutdown()

    assert seen == [None] + [("event", n) for n in range(EVENTS)]  # the first snapshot, then each event once
    assert bridge.snapshot == EVENTS
    assert results == [("answer", None)]
    assert finished == [""]  # a clean stop
    assert threads == {threading.main_thread().name}
    assert qt_calls_off_gui_thread == []
    assert rounds > 0


def test_posts_from_several_threads_keep_each_threads_order_and_nothing_runs_after_close(qtbot):
    inbox = GuiInbox()
    got: list[tuple[int, int]] = []
    per_thread = 2000

    def worker(k: int) -> None:
        for n in range(per_thread):
            inbox.post(got.append, (k, n))

    workers = [threading.Thread(target=worker, args=(k,)) for k in range(3)]
    for thread in workers:
        thread.start()
    connect_timers_while(qtbot, lambda: len(got) == 3 * per_thread)
    for thread in workers:
        thread.join()
    for k in range(3):
        assert [n for (j, n) in got if j == k] == list(range(per_thread))

    late: list[str] = []
    inbox.post(late.append, "queued before close")
    inbox.close()
    assert inbox.post(late.append, "after close") is False
    qtbot.wait(600)  # longer than the safety poll
    assert late == []
    inbox.close()  # twice is fine


def test_a_failing_call_does_not_hold_up_the_next_ones(qtbot):
    inbox = GuiInbox(poll_ms=60_000)
    ran: list[str] = []

    def broken() -> None:
        raise ValueError("a listener bug")

    inbox.post(broken)
    inbox.post(ran.append, "next")
    with pytest.raises(ValueError, match="a listener bug"):
        inbox.drain()
    assert ran == ["next"]
    inbox.close()


def test_a_post_from_another_thread_wakes_the_gui_thread_without_the_poll(qtbot):
    inbox = GuiInbox(poll_ms=600_000)  # the safety poll would come after ten minutes
    ran: list[str] = []
    threading.Thread(target=inbox.post, args=(ran.append, "from a thread")).start()
    qtbot.waitUntil(lambda: ran == ["from a thread"], timeout=60_000)
    inbox.close()


def test_a_missed_wake_up_is_caught_by_the_safety_poll(qtbot):
    inbox = GuiInbox(poll_ms=20)
    inbox._notifier.setEnabled(False)  # as if the platform's socket notifier never fired
    ran: list[str] = []
    threading.Thread(target=inbox.post, args=(ran.append, "from a thread")).start()
    qtbot.waitUntil(lambda: ran == ["from a thread"], timeout=5_000)
    inbox.close()
    QApplication.processEvents()
