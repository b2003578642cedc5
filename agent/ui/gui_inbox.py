"""Calls from any thread, run on the GUI thread, without a single Qt call on the sending thread.

A worker thread (the engine's asyncio loop) must not emit Qt signals, queue Qt events or start timers:
PySide6 then takes Qt's connection locks and the GIL in the opposite order from the GUI thread
(connecting a timer, say), and the two threads can deadlock. So the worker only touches Python:
it puts the call on a `queue.SimpleQueue` and writes one byte to a socket pair. On the GUI thread
a QSocketNotifier sees the byte and runs the queued calls in order; a slow timer does the same in
case a wake-up is ever missed (a platform whose notifier does not fire stays correct, only slower).

The notifier and the timer belong to the inbox, are created on the GUI thread and are stopped
by `close()` on the GUI thread, so nothing of Qt is left running when the owner goes away.
"""

from __future__ import annotations

import logging
import queue
import socket
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QSocketNotifier, QTimer

log = logging.getLogger(__name__)

SAFETY_POLL_MS = 250  # only matters when a wake-up byte was not seen


class GuiInbox(QObject):
    """`post(fn, *args)` from any thread; `fn(*args)` runs later on the thread that created the inbox."""

    def __init__(self, parent: QObject | None = None, *, poll_ms: int = SAFETY_POLL_MS) -> None:
        super().__init__(parent)
        self._calls: queue.SimpleQueue[tuple[Callable[..., Any], tuple[Any, ...]]] = queue.SimpleQueue()
        self._lock = threading.Lock()  # the write end is never closed while another thread writes to it
        self._closed = False
        self._reader, self._writer = socket.socketpair()
        self._reader.setblocking(False)
        self._writer.setblocking(False)
        self._notifier = QSocketNotifier(self._reader.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._on_wake)
        self._timer = QTimer(self)
        self._timer.setInterval(poll_ms)
        self._timer.timeout.connect(self.drain)
        self._timer.start()

    @property
    def closed(self) -> bool:
        return self._closed

    def post(self, fn: Callable[..., Any], *args: Any) -> bool:
        """Queue ``fn(*args)`` for the GUI thread. Safe from any thread; False once closed (the call is dropped)."""
        with self._lock:
            if self._closed:
                return False
            self._calls.put((fn, args))
            try:
                self._writer.send(b"\0")
            except (BlockingIOError, InterruptedError):
                pass  # the buffer is full of wake-ups already: the GUI thread will come
            except OSError:
                log.debug("could not wake the GUI thread; its timer will run the call", exc_info=True)
        return True

    def drain(self) -> int:
        """Run every queued call in order (GUI thread) and return how many ran.

        A call that raises is logged; the first such error is raised again once the others have run.
        """
        if self._closed:
            return 0
        first_error: BaseException | None = None
        ran = 0
        while not self._closed:
            try:
                fn, args = self._calls.get_nowait()
            except queue.Empty:
                break
            ran += 1
            try:
                fn(*args)
            except Exception as exc:  # noqa: BLE001 - the calls after it must still run
                log.exception("a call from the engine thread failed on the GUI thread")
                first_error = first_error or exc
        if first_error is not None:
            raise first_error
        return ran

    def close(self) -> None:
        """Stop the notifier and the timer and drop what is still queued (GUI thread; idempotent)."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._writer.close()
        self._timer.stop()
        self._notifier.setEnabled(False)
        self._reader.close()
        while True:
            try:
                self._calls.get_nowait()
            except queue.Empty:
                break

    def _on_wake(self, *_args: Any) -> None:
        self._swallow_wakeups()
        self.drain()

    def _swallow_wakeups(self) -> None:
        while not self._closed:
            try:
                if not self._reader.recv(4096):
                    return
            except OSError:  # BlockingIOError: all read; anything else: the inbox is closing
                return
