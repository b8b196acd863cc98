"""An in-memory provider double for unit tests: records messages, scripts failures."""

from __future__ import annotations

import asyncio
import itertools
from collections import deque
from typing import Iterable

from ..errors import DeliveryError
from ..messages import OutboundMessage, ProviderReceipt
from .base import Provider

__all__ = ["MemoryProvider"]


class MemoryProvider(Provider):
    """Accepts every message unless a scripted failure is next.

    >>> from sms_sink.errors import RateLimitedError
    >>> provider = MemoryProvider(failures=[RateLimitedError("busy")])
    """

    accepts_inline_media = True

    def __init__(self, *, failures: Iterable[DeliveryError | None] = (), latency: float = 0.0) -> None:
        self.sent: list[OutboundMessage] = []
        self.attempts = 0
        self.latency = latency
        self._failures: deque[DeliveryError | None] = deque(failures)
        self._ids = itertools.count(1)

    def fail_next(self, *errors: DeliveryError | None) -> None:
        """Script the next attempts' outcomes (``None`` = succeed)."""
        self._failures.extend(errors)

    async def send(self, message: OutboundMessage) -> ProviderReceipt:
        self.attempts += 1
        if self.latency:
            await asyncio.sleep(self.latency)
        if self._failures:
            failure = self._failures.popleft()
            if failure is not None:
                raise failure
        self.sent.append(message)
        return ProviderReceipt(message_id=f"MM{next(self._ids):032d}", http_status=201, status="queued")
