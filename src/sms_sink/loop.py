"""The sink's own event loop, on a daemon thread (uvloop when installed).

The pipeline thread never awaits anything: it hands work over with
``call_soon_threadsafe`` (see ``Dispatcher.hand_off``) and returns. Everything asynchronous (queue, workers, HTTP,
media servers) lives on this loop.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
from typing import Awaitable, TypeVar

__all__ = ["EventLoopThread"]

T = TypeVar("T")
log = logging.getLogger(__name__)


def _new_loop() -> asyncio.AbstractEventLoop:
    try:
        import uvloop
    except ImportError:  # pragma: no cover - Windows, or uvloop not installed
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


class EventLoopThread:
    """Runs one event loop on a daemon thread until ``stop``."""

    def __init__(self, name: str = "sms-sink") -> None:
        self.loop = _new_loop()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._started = threading.Event()
        self._thread.start()
        self._started.wait()

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.call_soon(self._started.set)
        try:
            self.loop.run_forever()
        finally:
            self.loop.run_until_complete(self.loop.shutdown_asyncgens())
            self.loop.close()

    @property
    def is_running(self) -> bool:
        return self._thread.is_alive() and not self.loop.is_closed()

    def in_loop_thread(self) -> bool:
        return threading.current_thread() is self._thread

    def submit(self, coro: Awaitable[T]) -> concurrent.futures.Future[T]:
        """Run a coroutine on the loop; the returned future is waitable from any thread."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop)  # type: ignore[arg-type]

    def run(self, coro: Awaitable[T], timeout: float | None = None) -> T:
        """Run a coroutine on the loop and wait for it (from another thread)."""
        if self.in_loop_thread():
            raise RuntimeError("EventLoopThread.run() would deadlock on its own thread")
        return self.submit(coro).result(timeout)

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the loop and join the thread; idempotent."""
        if self.loop.is_closed():
            return
        try:
            self.loop.call_soon_threadsafe(self.loop.stop)
        except RuntimeError:  # closed between the check and the call
            return
        if not self.in_loop_thread():
            self._thread.join(timeout)
            if self._thread.is_alive():
                log.warning("sms-sink loop thread did not stop within %.1f s", timeout)
