"""The cooldown gate: at most one accepted alert per key per window, and the video clock.

Unlike the reference block (one wall-clock timestamp per block, consumed before the send),
the window here is keyed (per source and receiver by default), read from a monotonic or
video clock, and consumed only when the sink accepts an alert. Throttled, disabled and
rejected calls leave it untouched, and an accepted alert that could not even be prepared
(an operation failed on its values, its frame could not be stored) gives its window back.
"""

from __future__ import annotations

import threading
import time
from typing import Any, Callable, Hashable

from .callbacks import takes_one_argument

__all__ = ["CooldownGate", "VideoClock", "keyed_per_receiver"]


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
        return last is None or now - last >= self._seconds

    def consume(self, key: Hashable, *, now: float) -> float | None:
        """Start ``key``'s window at ``now``; returns when the previous one started (``None``: never)."""
        if self._seconds == 0.0:
            return None
        with self._lock:
            previous = self._last.get(key)
            self._last[key] = now
            return previous

    def reopen(self, key: Hashable, *, started: float, previous: float | None) -> None:
        """Undo the window started at ``started`` (its alert sent nothing), unless a later one replaced it."""
        with self._lock:
            if self._last.get(key) != started:
                return
            if previous is None:
                del self._last[key]
            else:
                self._last[key] = previous


class VideoClock:
    """Seconds of video per source: ``frame_timestamp`` aligned so each source starts at 0.

    Each source keeps its own timeline, so sources whose timestamps are hours apart (files
    recorded on different days) still share a global cooldown fairly, and a timeline never
    runs backwards: a source that restarts (a looping file, a reconnected camera) continues
    from where it was. A frame without a timestamp counts monotonic time on that timeline.
    Called on the pipeline thread only.

    >>> from datetime import datetime
    >>> clock, frame = VideoClock(), type("F", (), {"frame_timestamp": datetime(2026, 1, 1, 12)})
    >>> clock.now("cam", frame)
    0.0
    """

    __slots__ = ("_offset", "_last")

    def __init__(self) -> None:
        self._offset: dict[Hashable, float] = {}
        self._last: dict[Hashable, float] = {}

    def now(self, source_id: Hashable, frame: Any) -> float:
        timestamp = getattr(frame, "frame_timestamp", None)
        raw = timestamp.timestamp() if timestamp is not None else time.monotonic()
        offset = self._offset.get(source_id)
        if offset is None:
            offset = self._offset[source_id] = -raw
        now = raw + offset
        last = self._last.get(source_id)
        if last is not None and now < last:  # the source restarted: continue its timeline
            self._offset[source_id] = last - raw
            now = last
        self._last[source_id] = now
        return now


def keyed_per_receiver(key: Callable[..., Hashable]) -> Callable[[Any, str], Hashable]:
    """A ``cooldown_key`` callable as ``(video_frame, receiver) -> key``.

    One that takes only the frame (``lambda frame: frame.source_id // 4``, cameras in groups)
    still keeps a window per receiver, as the default key does.
    """
    if not takes_one_argument(key):
        return key
    return lambda frame, receiver: (key(frame), receiver)
