"""The asynchronous half of the sink: queue, workers, retries, rate limit, results.

Everything here runs on the sink's event loop. Per alert a worker:
1. prepares it off the loop (render the text, annotate + encode the frame, in a thread pool),
2. stores frame bytes when the provider needs URLs (media store),
3. sends one message per receiver, each attempt bounded by ``request_timeout``, retried by
   the :class:`~sms_sink.retry.RetryPolicy` within ``delivery_timeout`` overall,
4. reports a :class:`~sms_sink.messages.DeliveryResult` for every message, sent or not.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import logging
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Callable, Hashable

from aiolimiter import AsyncLimiter

from .alert_queue import AlertQueue, OverflowPolicy
from .cooldown import CooldownGate
from .errors import AmbiguousDeliveryError, DeliveryError, SmsSinkError
from .frames import FramePool
from .messages import Attachment, DeliveryResult, OutboundMessage
from .providers.base import Provider
from .ratelog import RateLimitedLog
from .retry import RetryPolicy
from .stats import SinkStats

__all__ = ["Alert", "Dispatcher", "PreparedAlert"]

log = logging.getLogger("sms_sink")


@dataclass(eq=False, slots=True)
class Alert:
    """One accepted event of one source: everything copied at call time."""

    source_id: Hashable
    receivers: tuple[str, ...]
    snapshot: Any
    image: Any = None
    predictions: Any = None
    accepted_at: float = field(default_factory=time.monotonic)
    waiter: concurrent.futures.Future[list[DeliveryResult]] | None = None
    #: The cooldown windows this alert started: (key, the window it replaced), at ``window_started``.
    window: tuple[tuple[Hashable, float | None], ...] = ()
    window_started: float = 0.0
    #: Set once a worker has rendered it: what results report, even for an abandoned alert.
    prepared: PreparedAlert | None = None


@dataclass(frozen=True, slots=True)
class PreparedAlert:
    """The rendered text and encoded attachments, shared by every receiver of an alert."""

    body: str
    segments: int
    force_mms: bool
    media: tuple[Attachment, ...]


Preparer = Callable[[Alert], PreparedAlert]
ResultCallback = Callable[[DeliveryResult], None]


class Dispatcher:
    """Owns the queue and the worker tasks; lives on the sink's loop."""

    def __init__(
        self,
        *,
        provider: Provider,
        prepare: Preparer,
        stats: SinkStats,
        retry: RetryPolicy,
        executor: concurrent.futures.Executor,
        frames: FramePool | None = None,
        gate: CooldownGate | None = None,
        media_store: Any = None,
        queue_size: int = 32,
        overflow: OverflowPolicy = "drop_oldest",
        workers: int = 4,
        request_timeout: float = 10.0,
        delivery_timeout: float = 120.0,
        max_messages_per_second: float | None = None,
        on_result: ResultCallback | None = None,
    ) -> None:
        self.provider = provider
        self.media_store = media_store
        self.queue: AlertQueue[Alert] = AlertQueue(queue_size, overflow)
        self._prepare = prepare
        self._stats = stats
        self._retry = retry
        self._executor = executor
        self._frames = frames
        self._gate = gate
        self._workers = workers
        self._request_timeout = request_timeout
        self._delivery_timeout = delivery_timeout
        self._rate = max_messages_per_second
        self._limiter: AsyncLimiter | None = None
        self._on_result = on_result
        self._tasks: list[asyncio.Task[None]] = []
        self._in_flight: set[Alert] = set()
        self._idle = asyncio.Event()
        self._overflow_log = RateLimitedLog(log)
        self._inbox: deque[Alert] = deque()
        self._wake_pending = False
        self._loop: asyncio.AbstractEventLoop | None = None

    # -- lifecycle -----------------------------------------------------------------------
    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        if self._rate is not None:  # one token per message; below 1/s, one per 1/rate seconds
            self._limiter = AsyncLimiter(self._rate, 1.0) if self._rate >= 1 else AsyncLimiter(1, 1 / self._rate)
        if self.media_store is not None:
            await self.media_store.start()
        self._idle.set()
        self._tasks = [asyncio.create_task(self._worker(), name=f"sms-sink-worker-{i}") for i in range(self._workers)]

    async def drain(self, timeout: float) -> list[DeliveryResult]:
        """Deliver what is queued within ``timeout``; return results for what was not.

        The media store stays up until its URLs were fetched or the deadline passes.
        """
        deadline = time.monotonic() + timeout
        self._take_inbox()
        try:
            await asyncio.wait_for(self._until_idle(), timeout)
        except asyncio.TimeoutError:
            pass
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        in_flight, queued = list(self._in_flight), self.queue.take_all()
        self._in_flight.clear()
        undelivered: list[DeliveryResult] = []
        for alert in in_flight:
            undelivered += self._fail_alert(alert, "not confirmed: close() deadline passed while sending "
                                                   "(it may have been sent)", counter="abandoned")
        for alert in queued:
            undelivered += self._fail_alert(alert, "not delivered: close() deadline passed", counter="abandoned")
        self._stats.queue_depth = 0
        self._stats.in_flight = 0
        await self.provider.aclose()
        if self.media_store is not None:
            try:
                await asyncio.wait_for(self.media_store.settle(), max(0.0, deadline - time.monotonic()))
            except asyncio.TimeoutError:
                log.warning("sms-sink: closing the media store before the provider fetched every frame")
            await self.media_store.aclose()
        return undelivered

    async def _until_idle(self) -> None:
        while len(self.queue) or self._in_flight:
            self._idle.clear()
            await self._idle.wait()

    # -- hand-off ------------------------------------------------------------------------
    def hand_off(self, alert: Alert) -> None:
        """From the pipeline thread: queue ``alert`` for the loop without blocking.

        Alerts wait in an inbox and one wake-up drains them all, so a burst costs one
        ``call_soon_threadsafe`` (a self-pipe write and a loop wake-up), not one per alert.
        """
        self._inbox.append(alert)
        if not self._wake_pending:
            self._wake_pending = True
            self._loop.call_soon_threadsafe(self._take_inbox)  # type: ignore[union-attr]

    def reject_soon(self, alert: Alert, reason: str) -> None:
        """From the pipeline thread: report a rejected ``alert`` (the caller counted it)."""
        self._loop.call_soon_threadsafe(  # type: ignore[union-attr]
            functools.partial(self._fail_alert, alert, reason, counter=None)
        )

    def drop_soon(self, alert: Alert) -> None:
        """From the pipeline thread: ``alert`` met a full queue under ``drop_newest``."""
        self._loop.call_soon_threadsafe(self._drop, alert, "newest")  # type: ignore[union-attr]

    def _take_inbox(self) -> None:
        self._wake_pending = False  # before draining: a later append schedules a new wake-up
        while self._inbox:
            self.enqueue(self._inbox.popleft())

    def enqueue(self, alert: Alert) -> None:
        """On the loop: put ``alert`` in the queue, applying the overflow policy."""
        dropped = self.queue.put(alert)
        self._stats.queue_depth = len(self.queue)
        if dropped is not None:
            self._drop(dropped, "newest" if dropped is alert else "oldest")

    def _drop(self, alert: Alert, which: str) -> None:
        """Count, log (rate-limited) and report an alert the full queue pushed out."""
        self._overflow_log.warning(
            "sms-sink queue full (%d alerts): dropped the %s alert (overflow=%s)",
            self.queue.maxsize, which, self.queue.overflow,
        )
        self._fail_alert(alert, f"dropped: queue full (overflow={self.queue.overflow})", counter="dropped")

    # -- workers -------------------------------------------------------------------------
    async def _worker(self) -> None:
        while True:
            alert = await self.queue.get()
            self._in_flight.add(alert)
            self._stats.queue_depth = len(self.queue)
            self._stats.in_flight += len(alert.receivers)
            try:
                results = await self._deliver_alert(alert)
            except asyncio.CancelledError:
                raise  # close() reports in-flight alerts as abandoned
            except Exception as exc:  # never let one alert kill a worker
                log.exception("sms-sink: unexpected error delivering an alert")
                self._in_flight.discard(alert)
                self._stats.in_flight -= len(alert.receivers)
                self._fail_alert(alert, f"internal error: {type(exc).__name__}", counter="failed")
            else:
                self._in_flight.discard(alert)
                self._stats.in_flight -= len(alert.receivers)
                self._report(alert, results, count=True)
            if not len(self.queue) and not self._in_flight:
                self._idle.set()

    async def _deliver_alert(self, alert: Alert) -> list[DeliveryResult]:
        loop = asyncio.get_running_loop()
        if self._limiter is not None:
            # Tokens for the first attempts before rendering and encoding: the rate limit
            # then bounds the CPU an alert storm can take from the video, not just the sends.
            for _ in alert.receivers:
                await self._limiter.acquire()
        try:
            try:
                prepared = alert.prepared = await loop.run_in_executor(self._executor, self._prepare, alert)
            finally:
                self._release_frame(alert)
            stored: list[str] = []
            if not self.provider.accepts_inline_media and any(a.data is not None for a in prepared.media):
                prepared = await self._store_media(prepared, stored)
        except SmsSinkError as exc:
            self._reopen_window(alert)  # nothing was sent: the next event may alert at once
            return [self._result(alert, r, None, ok=False, error=str(exc), attempts=0) for r in alert.receivers]
        outcomes = await asyncio.gather(*(self._deliver(alert, receiver, prepared) for receiver in alert.receivers))
        if stored and not any(may_fetch for _, may_fetch in outcomes):
            await self._discard_media(stored)
        return [result for result, _ in outcomes]

    async def _store_media(self, prepared: PreparedAlert, stored: list[str]) -> PreparedAlert:
        """Put the encoded frames in the media store; their URLs are appended to ``stored``."""
        if self.media_store is None:
            raise SmsSinkError("this provider needs media URLs: configure media_store=")
        media = []
        try:
            for attachment in prepared.media:
                if attachment.data is not None:
                    url = await self.media_store.put(attachment.data, content_type=attachment.content_type)
                    stored.append(url)
                    attachment = Attachment(url=url, content_type=attachment.content_type)
                media.append(attachment)
        except SmsSinkError:
            await self._discard_media(stored)  # the message is not sent: nobody fetches the others
            raise
        return PreparedAlert(prepared.body, prepared.segments, prepared.force_mms, tuple(media))

    async def _discard_media(self, urls: list[str]) -> None:
        """No receiver's provider can fetch these frames: delete them, stop waiting for them.

        Best effort: a store of the user's that raises here must not turn the results of
        sends that already happened into an internal error.
        """
        for url in urls:
            try:
                await self.media_store.discard(url)
            except Exception:
                log.exception("sms-sink: the media store could not discard a refused message's frame")

    async def _deliver(self, alert: Alert, receiver: str, prepared: PreparedAlert) -> tuple[DeliveryResult, bool]:
        """Send to one receiver; returns the result and whether the provider may hold the
        message (sent, or an ambiguous failure), i.e. may still fetch its media."""
        message = OutboundMessage(
            to=receiver, body=prepared.body, media=prepared.media, force_mms=prepared.force_mms, source_id=alert.source_id
        )
        started = time.monotonic()
        deadline = started + self._delivery_timeout
        attempt = 0
        may_exist = False
        while True:
            attempt += 1
            try:
                if self._limiter is not None and attempt > 1:  # the first was paid before preparing
                    await self._limiter.acquire()
                timeout = min(self._request_timeout, deadline - time.monotonic())
                if timeout <= 0:
                    raise asyncio.TimeoutError
                receipt = await asyncio.wait_for(self.provider.send(message), timeout)
            except (DeliveryError, asyncio.TimeoutError) as exc:
                error = exc if isinstance(exc, DeliveryError) else AmbiguousDeliveryError(
                    f"no response within request_timeout={self._request_timeout:g}s "
                    f"(or the delivery_timeout={self._delivery_timeout:g}s left less)"
                )
                may_exist = may_exist or isinstance(error, AmbiguousDeliveryError)
                delay = self._retry.next_delay(error, attempt=attempt, remaining=deadline - time.monotonic())
                if delay is None:
                    return self._result(alert, receiver, prepared, ok=False, error=str(error), attempts=attempt,
                                        http_status=error.http_status, error_code=error.error_code,
                                        started=started), may_exist
                self._stats.retried += 1
                log.info("sms-sink: attempt %d to %s failed (%s); retrying in %.2f s", attempt,
                         _mask(receiver), error, delay)
                await asyncio.sleep(delay)
            else:
                return self._result(alert, receiver, prepared, ok=True, attempts=attempt, started=started,
                                    http_status=receipt.http_status, message_id=receipt.message_id), True

    # -- results -------------------------------------------------------------------------
    def _result(self, alert: Alert, receiver: str, prepared: PreparedAlert | None, *, ok: bool, attempts: int,
                error: str | None = None, http_status: int | None = None, error_code: int | None = None,
                message_id: str | None = None, started: float | None = None) -> DeliveryResult:
        return DeliveryResult(
            ok=ok,
            provider_message_id=message_id,
            http_status=http_status,
            error_code=error_code,
            error_message=error,
            attempts=attempts,
            latency_s=time.monotonic() - (started if started is not None else alert.accepted_at),
            source_id=alert.source_id,
            receiver_number=receiver,
            body=prepared.body if prepared else "",
            segments=prepared.segments if prepared else 0,  # counted here: GSM-7 160/153, UCS-2 70/67
            media_count=len(prepared.media) if prepared else 0,
        )

    def _reopen_window(self, alert: Alert) -> None:
        if self._gate is not None:
            for key, previous in alert.window:
                self._gate.reopen(key, started=alert.window_started, previous=previous)

    def _release_frame(self, alert: Alert) -> None:
        if self._frames is not None:
            self._frames.release(alert.image)
        alert.image = None

    def _fail_alert(self, alert: Alert, reason: str, *, counter: str | None) -> list[DeliveryResult]:
        self._release_frame(alert)
        results = [self._result(alert, r, alert.prepared, ok=False, error=reason, attempts=0) for r in alert.receivers]
        if counter is not None:
            setattr(self._stats, counter, getattr(self._stats, counter) + len(results))
        self._report(alert, results, count=False)
        return results

    def _report(self, alert: Alert, results: list[DeliveryResult], *, count: bool) -> None:
        for result in results:
            if count:
                if result.ok:
                    self._stats.sent += 1
                else:
                    self._stats.failed += 1
                    log.warning("sms-sink: message to %s failed after %d attempt(s): %s",
                                _mask(result.receiver_number), result.attempts, result.error_message)
            if self._on_result is not None:
                try:
                    self._on_result(result)
                except Exception:
                    log.exception("sms-sink: on_result callback raised")
        if alert.waiter is not None and not alert.waiter.done():
            alert.waiter.set_result(results)


def _mask(number: str) -> str:
    """Phone numbers are personal data: logs keep the last 4 digits."""
    return "…" + number[-4:]
