"""The bounded queue between the pipeline's hand-off and the delivery workers.

Full queue: ``drop_oldest`` (default) keeps the freshest alerts, since a stale alert about a
scene that has moved on is worth less than a new one; ``drop_newest`` keeps what is queued.
Either way the dropped alert is returned to the caller, which counts it: nothing is lost
silently. Lives on the sink's event loop; only ``__len__`` is read from other threads.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Generic, Literal, TypeVar

__all__ = ["AlertQueue", "OverflowPolicy"]

T = TypeVar("T")
OverflowPolicy = Literal["drop_oldest", "drop_newest"]
OVERFLOW_POLICIES: tuple[str, ...] = ("drop_oldest", "drop_newest")


class AlertQueue(Generic[T]):
    """A bounded FIFO with an overflow policy instead of back-pressure."""

    __slots__ = ("maxsize", "overflow", "_items", "_not_empty")

    def __init__(self, maxsize: int, overflow: OverflowPolicy = "drop_oldest") -> None:
        if maxsize < 1:
            raise ValueError("maxsize must be >= 1")
        if overflow not in OVERFLOW_POLICIES:
            raise ValueError(f"overflow must be one of {OVERFLOW_POLICIES}")
        self.maxsize = maxsize
        self.overflow = overflow
        self._items: deque[T] = deque()
        self._not_empty = asyncio.Event()

    def __len__(self) -> int:
        return len(self._items)

    def full(self) -> bool:
        return len(self._items) >= self.maxsize

    def put(self, item: T) -> T | None:
        """Enqueue ``item``; return the item dropped to make room (or ``item`` itself)."""
        dropped: T | None = None
        if self.full():
            if self.overflow == "drop_newest":
                return item
            dropped = self._items.popleft()
        self._items.append(item)
        self._not_empty.set()
        return dropped

    async def get(self) -> T:
        """Wait for and remove the oldest item."""
        while not self._items:
            self._not_empty.clear()
            await self._not_empty.wait()
        return self._items.popleft()

    def take_all(self) -> list[T]:
        """Remove and return everything queued (for shutdown reporting)."""
        items = list(self._items)
        self._items.clear()
        return items
