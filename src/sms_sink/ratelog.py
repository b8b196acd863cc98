"""A warning that repeats at most once per interval, with how many it held back."""

from __future__ import annotations

import logging
import time
from typing import Callable

__all__ = ["RateLimitedLog"]


class RateLimitedLog:
    """Logs a recurring condition (queue overflow) without flooding the log."""

    __slots__ = ("_logger", "_interval", "_clock", "_next", "_suppressed")

    def __init__(
        self, logger: logging.Logger, interval: float = 10.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._logger = logger
        self._interval = interval
        self._clock = clock
        self._next = float("-inf")
        self._suppressed = 0

    def warning(self, msg: str, *args: object) -> None:
        now = self._clock()
        if now < self._next:
            self._suppressed += 1
            return
        if self._suppressed:
            msg += " (%d similar warnings suppressed)"
            args = (*args, self._suppressed)
        self._logger.warning(msg, *args)
        self._suppressed = 0
        self._next = now + self._interval
