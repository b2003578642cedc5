"""The engine in a worker thread with its own asyncio loop, seen from Qt as signals and non-blocking calls.

PySide6.QtAsyncio cannot open network connections, so the engine (websockets, Playwright) gets
a plain asyncio loop in a thread. Commands go in with `asyncio.run_coroutine_threadsafe`; events
and results come back through a `GuiInbox` (a Python queue and a socket byte, agent/ui/gui_inbox.py),
so every callback runs on the GUI thread and the GUI thread never waits on the network or the
browser. The loop thread makes no Qt call at all: emitting a queued signal from it could deadlock
PySide6 against the GUI thread (Qt's connection locks and the GIL taken in opposite orders).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
from collections.abc import Awaitable, Callable, Coroutine
from pathlib import Path
from typing import Any, Protocol

from PySide6.QtCore import QObject, Signal

from agent.event_loop import new_event_loop
from agent.events import Event
from agent.settings import AgentSettings
from agent.ui.gui_inbox import GuiInbox

log = logging.getLogger(__name__)

Done = Callable[[Any, BaseException | None], None]  # (result, error): called on the GUI thread
LoginChecker = Callable[[AgentSettings, str, Path], Awaitable[Any]]


class EngineLike(Protocol):
    """The part of agent.engine.Engine the UI uses (see the engine contract)."""

    async def run(self) -> None: ...
    async def stop(self) -> None: ...
    def subscribe(self, listener: Callable[[Event], None]) -> Callable[[], None]: ...
    async def set_paused(self, paused: bool, until: Any = None) -> None: ...
    async def refresh_now(self) -> None: ...
    def snapshot(self) -> Any: ...
    async def reload_settings(self, settings: AgentSettings) -> None: ...


class LoopThread:
    """An asyncio event loop running forever in a daemon thread until `stop()`."""

    def __init__(self, name: str = "cita-engine") -> None:
        self.loop = new_event_loop()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> LoopThread:
        self._thread.start()
        return self

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        try:
            self.loop.run_forever()
        finally:
            pending = [t for t in asyncio.all_tasks(self.loop) if not t.done()]
            for task in pending:
                task.cancel()
            if pending:
                self.loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            self.loop.run_until_complete(self.loop.shutdown_asyncgens())
            self.loop.close()

    def submit(self, coro: Coroutine[Any, Any, Any]) -> concurrent.futures.Future[Any]:
        return asyncio.run_coroutine_threadsafe(coro, self.loop)

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def stop(self, timeout: float = 10.0) -> None:
        """Stops the loop (tasks still pending are cancelled). Call after the engine has stopped."""
        if self._thread.is_alive():
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(timeout)


def _default_login_checker(settings: AgentSettings, password: str, work_dir: Path) -> Awaitable[Any]:
    from agent.login_check import test_login

    return test_login(settings, password, work_dir)


class EngineBridge(QObject):
    """Owns the loop thread and (once configured) the engine on it."""

    # Public signals: always emitted on the GUI thread.
    changed = Signal(object, object)  # (event or None, snapshot)
    engine_finished = Signal(str)  # "" after a clean stop, else what went wrong

    def __init__(self, loop: LoopThread | None = None, *, login_checker: LoginChecker | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._loop = loop or LoopThread()
        self._login_checker = login_checker or _default_login_checker
        self.engine: EngineLike | None = None
        self.snapshot: Any = None
        self._run_future: concurrent.futures.Future[Any] | None = None
        self._run_task: asyncio.Task[Any] | None = None
        self._inbox = GuiInbox(self)  # the only way back from the loop thread

    # -- lifecycle --------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._run_future is not None and not self._run_future.done()

    def start(self, engine: EngineLike) -> None:
        """Run the engine on the loop thread; its events arrive as `changed`."""
        if self.running:
            raise RuntimeError("the engine is already running")
        if not self._loop.running:
            self._loop.start()
        self.engine = engine
        self._run_future = self._loop.submit(self._run_engine(engine))
        self._run_future.add_done_callback(self._run_finished)

    async def _run_engine(self, engine: EngineLike) -> None:
        def listener(event: Event) -> None:  # on the loop thread
            self._inbox.post(self._on_from_engine, event, engine.snapshot())

        self._run_task = asyncio.current_task()
        unsubscribe = engine.subscribe(listener)
        self._inbox.post(self._on_from_engine, None, engine.snapshot())
        try:
            await engine.run()
        finally:
            unsubscribe()

    def _run_finished(self, future: concurrent.futures.Future[Any]) -> None:
        if future.cancelled():
            self._inbox.post(self._on_engine_done, "")
            return
        error = future.exception()
        if error is not None:
            log.error("the engine stopped after an error: %s", error, exc_info=error)
        self._inbox.post(self._on_engine_done, _describe(error) if error else "")

    def stop(self, on_done: Callable[[], None] | None = None, timeout: float = 30.0) -> None:
        """Stop the engine (browser closed, journal flushed) without blocking; `on_done` runs on the GUI thread."""
        engine = self.engine
        if engine is None or not self._loop.running:
            if on_done:
                on_done()
            return

        async def stop_and_wait() -> None:
            try:
                await asyncio.wait_for(engine.stop(), timeout)
            finally:
                # run() returns once stop() is done; wait for it so its listener is gone too.
                if self._run_task is not None and not self._run_task.done():
                    await asyncio.wait({self._run_task}, timeout=timeout)

        def finished(_result: Any, error: BaseException | None) -> None:
            if error is not None:
                log.error("the engine did not stop cleanly: %s", _describe(error))
            if on_done:
                on_done()

        self.call(stop_and_wait(), finished)

    def shutdown(self, timeout: float = 10.0) -> None:
        """Stop the loop thread itself, then the GUI side's inbox; call once the engine has stopped (at quit).

        On the GUI thread. Results still on their way are dropped: nothing is delivered after this.
        """
        self._loop.stop(timeout)
        self._inbox.close()

    # -- commands ---------------------------------------------------------

    def call(self, coro: Coroutine[Any, Any, Any], on_done: Done | None = None) -> concurrent.futures.Future[Any]:
        """Run a coroutine on the loop thread; `on_done(result, error)` is called on the GUI thread."""
        if not self._loop.running:
            self._loop.start()
        future = self._loop.submit(coro)
        if on_done is not None:
            def done(f: concurrent.futures.Future[Any]) -> None:
                if f.cancelled():
                    self._inbox.post(on_done, None, concurrent.futures.CancelledError())
                else:
                    error = f.exception()
                    self._inbox.post(on_done, None if error else f.result(), error)

            future.add_done_callback(done)
        return future

    def set_paused(self, paused: bool, on_done: Done | None = None, until: Any = None) -> None:
        """Pause or resume; ``until`` (an aware datetime) makes a pause that ends by itself."""
        if self.engine is not None:
            job = self.engine.set_paused(paused, until) if until is not None else self.engine.set_paused(paused)
            self.call(job, on_done or _log_failure("pause"))

    def tell_relay_soon(self) -> None:
        """Something the relay must hear was written (a "Contactado"): the engine sends it now."""
        tell = getattr(self.engine, "tell_relay_soon", None)
        if callable(tell):
            tell()  # thread-safe: it only schedules the send on the engine's loop

    def refresh_now(self, on_done: Done | None = None) -> None:
        if self.engine is not None:
            self.call(self.engine.refresh_now(), on_done or _log_failure("refresh"))

    def reload_settings(self, settings: AgentSettings, on_done: Done | None = None) -> None:
        if self.engine is not None:
            self.call(self.engine.reload_settings(settings), on_done or _log_failure("reload settings"))

    def finish_login_by_person(self, on_done: Done | None = None) -> None:
        """The web app asks for a code: open it in a visible window; ``on_done(True)`` once the agent is back in."""
        finish = getattr(self.engine, "finish_login_by_person", None)
        if finish is not None:
            self.call(finish(), on_done or _log_failure("open the web app for a person"))

    def test_login(self, settings: AgentSettings, password: str, work_dir: Path, on_done: Done) -> None:
        """A real login with the real driver, on the loop thread (the engine need not be running)."""

        async def check() -> Any:
            return await self._login_checker(settings, password, work_dir)

        self.call(check(), on_done)

    # -- GUI-thread side --------------------------------------------------

    def _on_from_engine(self, event: Any, snapshot: Any) -> None:
        self.snapshot = snapshot
        self.changed.emit(event, snapshot)

    def _on_engine_done(self, error: str) -> None:
        self.engine_finished.emit(error)


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__


def _log_failure(what: str) -> Done:
    def done(_result: Any, error: BaseException | None) -> None:
        if error is not None:
            log.warning("%s did not work: %s", what, _describe(error))

    return done
