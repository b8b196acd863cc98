"""Which failed attempts are retried, and after how long.

Classes (see :mod:`sms_sink.errors`):

- rate limited (429 / 20429 / 21611): always retried, exponential backoff with full jitter,
  ``Retry-After`` honoured when present;
- connection failed before any response: always retried (nothing was sent);
- ambiguous (5xx, reset or timeout after sending): retried only when ``retry_ambiguous``;
  the provider may already have the message, so this is at-least-once and a duplicate
  is possible (Twilio has no idempotency key);
- permanent: never retried.

Every delivery is bounded by ``max_attempts`` and by a total ``deadline``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from .errors import AmbiguousDeliveryError, DeliveryError, RateLimitedError

__all__ = ["RetryPolicy"]


@dataclass(frozen=True)
class RetryPolicy:
    """Decides the delay before the next attempt, or ``None`` to give up.

    >>> policy = RetryPolicy(max_attempts=3, rng=random.Random(0))
    >>> policy.next_delay(RateLimitedError("busy", retry_after=2.0), attempt=1, remaining=30.0)
    2.0
    """

    max_attempts: int = 5
    retry_ambiguous: bool = True
    base_delay: float = 0.5
    max_delay: float = 30.0
    #: Twilio's 21611 means the sender's queue is full: without a ``Retry-After``, back off
    #: this long, or half of what is left of the deadline when that is shorter.
    queue_full_delay: float = 60.0
    rng: random.Random = field(default_factory=random.Random, repr=False, compare=False)

    def is_retryable(self, error: DeliveryError) -> bool:
        if isinstance(error, AmbiguousDeliveryError):
            return self.retry_ambiguous
        return error.retryable

    def backoff(self, attempt: int) -> float:
        """Full jitter: uniform in [0, min(max_delay, base * 2**(attempt-1))]."""
        ceiling = min(self.max_delay, self.base_delay * (2 ** (attempt - 1)))
        return self.rng.uniform(0.0, ceiling)

    def next_delay(self, error: DeliveryError, *, attempt: int, remaining: float) -> float | None:
        """Seconds to wait after failed ``attempt`` (1-based), or None to stop.

        ``remaining`` is what is left of the delivery's deadline: a delay that would
        overrun it means giving up now rather than sleeping past it.
        """
        if attempt >= self.max_attempts or not self.is_retryable(error):
            return None
        delay = self.backoff(attempt)
        if isinstance(error, RateLimitedError):
            if error.retry_after is not None:
                delay = max(delay, error.retry_after)
            elif error.error_code == 21611:
                delay = max(delay, min(self.queue_full_delay, remaining / 2))
        if delay >= remaining:
            return None
        return delay
