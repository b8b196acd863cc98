"""Dispatcher contracts that the sink relies on, driven directly on a loop."""

from __future__ import annotations

import asyncio
import concurrent.futures

from sms_sink.dispatch import Alert, Dispatcher, PreparedAlert
from sms_sink.messages import DeliveryResult
from sms_sink.providers import MemoryProvider
from sms_sink.retry import RetryPolicy
from sms_sink.stats import SinkStats


def dispatcher(results: list[DeliveryResult], **kwargs) -> Dispatcher:  # type: ignore[no-untyped-def]
    return Dispatcher(
        provider=MemoryProvider(), prepare=lambda alert: PreparedAlert(str(alert.snapshot), 1, False, ()),
        stats=SinkStats(), retry=RetryPolicy(), executor=concurrent.futures.ThreadPoolExecutor(1),
        on_result=results.append, **kwargs,
    )


async def test_drop_reports_even_when_the_queue_has_room() -> None:
    """A pipeline-side drop (queue seen full) must never be queued later, even if room appeared."""
    results: list[DeliveryResult] = []
    d = dispatcher(results, queue_size=4)
    await d.start()
    d.drop_soon(Alert(source_id=0, receivers=("+15551234567",), snapshot=None))
    d.hand_off(Alert(source_id=0, receivers=("+15551234567",), snapshot="kept"))
    await asyncio.sleep(0.05)
    undelivered = await d.drain(1.0)
    assert not undelivered and [r.ok for r in results] == [False, True]
    assert results[0].error_message.startswith("dropped") and results[1].body == "kept"
    assert d.provider.sent[0].body == "kept" and len(d.provider.sent) == 1


async def test_hand_off_batches_wakeups() -> None:
    results: list[DeliveryResult] = []
    d = dispatcher(results, queue_size=64)
    await d.start()
    loop = asyncio.get_running_loop()
    calls = 0
    original = loop.call_soon_threadsafe

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        nonlocal calls
        calls += 1
        return original(*args, **kwargs)

    loop.call_soon_threadsafe = counting  # type: ignore[method-assign]
    try:
        await loop.run_in_executor(None, lambda: [d.hand_off(Alert(0, ("+15551234567",), i)) for i in range(50)])
    finally:
        loop.call_soon_threadsafe = original  # type: ignore[method-assign]
    await d.drain(5.0)
    assert len(results) == 50 and all(r.ok for r in results)
    assert calls < 50  # one wake-up drains a burst
