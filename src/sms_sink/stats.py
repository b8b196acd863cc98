"""Counters the sink keeps, shown by ``stats()`` and ``repr``.

Counts are per message (one per receiver). Each counter has a single writer (the pipeline
thread or the sink's loop), so plain integer updates are safe under the GIL. Once the
queue is empty: ``accepted == sent + failed + dropped + abandoned``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

__all__ = ["SinkStats"]


@dataclass
class SinkStats:
    accepted: int = 0  #: handed to the queue
    throttled: int = 0  #: stopped by the cooldown
    disabled: int = 0  #: stopped by disable_sink
    skipped: int = 0  #: alert_when said no
    rejected: int = 0  #: could not be built (bad frame, closed queue): an error status, not queued
    dropped: int = 0  #: pushed out by the overflow policy
    sent: int = 0  #: accepted by the provider
    failed: int = 0  #: given up after the attempts / deadline, or refused permanently
    retried: int = 0  #: extra attempts made
    abandoned: int = 0  #: still queued or in flight when close() ran out of time
    queue_depth: int = 0
    in_flight: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)
