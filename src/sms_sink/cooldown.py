"""The cooldown gate: at most one accepted alert per key per window.

Unlike the reference block (one wall-clock timestamp per block, consumed before the send),
the window here is keyed (per source and receiver by default), read from a monotonic or
video clock, and consumed only when the sink accepts an alert. Throttled, disabled and
rejected calls leave it untouched.
"""

from __future__ import annotations

import threading
from typing import Hashable

__all__ = ["CooldownGate"]


class CooldownGate:
    """Per-key cooldown windows on caller-supplied time.

    ``ready`` is a non-blocking probe; ``consume`` starts a window. They are split so the
    sink can probe, build the alert, and consume only once the alert is really accepted.
    The caller passes ``now`` (monotonic seconds, or video seconds) so tests never sleep.

    >>> gate = CooldownGate(5.0)
    >>> gate.ready("cam-1", now=100.0)
    True
    >>> gate.consume("cam-1", now=100.0)
    >>> gate.ready("cam-1", now=104.9), gate.ready("cam-1", now=105.0)
    (False, True)
    """

    __slots__ = ("_seconds", "_last", "_lock")

    def __init__(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("cooldown seconds must be >= 0")
        self._seconds = float(seconds)
        self._last: dict[Hashable, float] = {}
        self._lock = threading.Lock()

    @property
    def seconds(self) -> float:
        return self._seconds

    def ready(self, key: Hashable, *, now: float) -> bool:
        """True when ``key`` may send now (its window has elapsed or never started)."""
        if self._seconds == 0.0:
            return True
        last = self._last.get(key)
        # A clock that went backwards (a video source restarted) opens the window again.
        return last is None or now - last >= self._seconds or now < last

    def consume(self, key: Hashable, *, now: float) -> None:
        """Start ``key``'s window at ``now``."""
        if self._seconds == 0.0:
            return
        with self._lock:
            self._last[key] = now
