"""A live one-line status on a terminal, and the output lines that must not garble it.

The line is redrawn with ``\\r`` from a background thread about twice a second, only when
its stream is a TTY; elsewhere (pipes, CI logs, ``--json``) it stays silent. Other output
goes through :meth:`StatusLine.emit`, which clears the line, writes, and redraws, under
one lock shared by the pipeline, the sink's loop and the refresh thread.
"""

from __future__ import annotations

import sys
import threading
from typing import Callable, TextIO

__all__ = ["StatusLine"]

_CLEAR = "\r\x1b[K"


class StatusLine:
    """Redraws ``render()`` every ``interval`` seconds on ``stream`` when it is a terminal.

    Example::

        with StatusLine(lambda: f"frames {counter.frames}") as status:
            status.emit("alert sent", sys.stdout)
    """

    def __init__(
        self,
        render: Callable[[], str],
        *,
        stream: TextIO | None = None,
        interval: float = 0.5,
        enabled: bool | None = None,
    ) -> None:
        self._render = render
        self._stream = stream if stream is not None else sys.stderr
        self._interval = interval
        self.enabled = _is_tty(self._stream) if enabled is None else enabled
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._shown = False

    def start(self) -> "StatusLine":
        """Begin redrawing (no thread at all when disabled)."""
        if self.enabled and self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="sms-sink-status", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop redrawing and erase the line; idempotent."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        with self._lock:
            self._erase()

    def emit(self, text: str, stream: TextIO) -> None:
        """Write one line of ``text`` to ``stream`` without tearing the status line."""
        with self._lock:
            self._erase()
            stream.write(text + "\n")
            stream.flush()
            self._draw()

    def _loop(self) -> None:
        while not self._stop.wait(self._interval):
            with self._lock:
                self._draw()

    def _draw(self) -> None:
        if not self.enabled or self._stop.is_set():
            return
        self._stream.write(_CLEAR + self._render())
        self._stream.flush()
        self._shown = True

    def _erase(self) -> None:
        if self._shown:
            self._stream.write(_CLEAR)
            self._stream.flush()
            self._shown = False

    def __enter__(self) -> "StatusLine":
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def _is_tty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # closed or not a real file
        return False
