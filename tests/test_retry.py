import random

import pytest

from sms_sink.errors import (
    AmbiguousDeliveryError,
    ConnectionFailedError,
    DeliveryError,
    PermanentDeliveryError,
    RateLimitedError,
)
from sms_sink.retry import RetryPolicy


def policy(**kwargs: object) -> RetryPolicy:
    return RetryPolicy(rng=random.Random(7), **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("error", "retry_ambiguous", "retried"),
    [
        (RateLimitedError("429"), False, True),
        (ConnectionFailedError("refused"), False, True),
        (AmbiguousDeliveryError("500"), True, True),
        (AmbiguousDeliveryError("500"), False, False),
        (PermanentDeliveryError("21211", error_code=21211), True, False),
        (PermanentDeliveryError("401", http_status=401, error_code=20003), True, False),
    ],
)
def test_classes(error: DeliveryError, retry_ambiguous: bool, retried: bool) -> None:
    delay = policy(retry_ambiguous=retry_ambiguous).next_delay(error, attempt=1, remaining=100.0)
    assert (delay is not None) is retried


def test_full_jitter_bounds() -> None:
    p = policy(base_delay=0.5, max_delay=4.0)
    for attempt in range(1, 8):
        ceiling = min(4.0, 0.5 * 2 ** (attempt - 1))
        samples = [p.backoff(attempt) for _ in range(200)]
        assert all(0.0 <= s <= ceiling for s in samples)
        assert max(samples) > ceiling / 2  # jitter spreads over the range


@pytest.mark.parametrize(("retry_after", "expected_min"), [(3.0, 3.0), (None, 0.0)])
def test_retry_after_honoured(retry_after: float | None, expected_min: float) -> None:
    delay = policy().next_delay(RateLimitedError("busy", retry_after=retry_after), attempt=1, remaining=60.0)
    assert delay is not None and delay >= expected_min


def test_queue_full_backs_off_hard() -> None:
    error = RateLimitedError("queue full", http_status=400, error_code=21611)
    assert policy(queue_full_delay=60.0).next_delay(error, attempt=1, remaining=600.0) >= 60.0
    # A shorter deadline still gets a retry, half-way through what is left.
    assert 10.0 <= policy(queue_full_delay=60.0).next_delay(error, attempt=1, remaining=20.0) < 20.0
    # Twilio's own Retry-After wins over the floor.
    hinted = RateLimitedError("queue full", http_status=400, error_code=21611, retry_after=2.0)
    assert 2.0 <= policy(queue_full_delay=60.0).next_delay(hinted, attempt=1, remaining=600.0) <= 2.5


def test_attempts_and_deadline_bound() -> None:
    p = policy(max_attempts=3)
    error = RateLimitedError("busy", retry_after=5.0)
    assert p.next_delay(error, attempt=3, remaining=600.0) is None
    assert p.next_delay(error, attempt=1, remaining=4.0) is None  # sleeping would overrun the deadline
