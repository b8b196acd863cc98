"""``SMSNotificationSink``: the InferencePipeline ``on_prediction`` sink.

The call runs on the pipeline's thread and must return in microseconds: it checks the
switch and the cooldown, snapshots what the alert needs, and hands it to the sink's own
event loop with ``call_soon_threadsafe``. Rendering, encoding and sending happen there
(see :mod:`sms_sink.dispatch`).
"""

from __future__ import annotations

import concurrent.futures
import logging
import time
import weakref
from dataclasses import dataclass
from typing import Any, Callable, Hashable, Mapping, Protocol, Sequence, runtime_checkable

from .alert_queue import OVERFLOW_POLICIES, OverflowPolicy
from .attachments import MediaPlan
from .config import MANAGED, build_provider, check_number
from .callbacks import takes_one_argument
from .cooldown import CooldownGate, VideoClock, keyed_per_receiver
from .dispatch import Alert, Dispatcher, ResultCallback
from .errors import ConfigurationError, SinkClosedError
from .frames import FramePool
from .loop import EventLoopThread
from .media.encode import JpegEncoder, check_bgr
from .media.stores.base import MediaStore
from .media.visualize import Visualizer
from .messages import DeliveryResult
from .phone import normalize_e164
from .preparation import Preparer, media_executor
from .providers import Provider
from .ratelog import RateLimitedLog
from .retry import RetryPolicy
from . import status as outputs
from .stats import SinkStats
from .template import MessageTemplate, isolate

__all__ = ["CloseReport", "SMSNotificationSink", "SinkMetrics"]

log = logging.getLogger("sms_sink")

CooldownKey = Callable[[Any, str], Hashable]


@dataclass(frozen=True)
class CloseReport:
    """What ``close()`` could not deliver before its deadline (each also went to ``on_result``)."""

    undelivered: tuple[DeliveryResult, ...]

    @property
    def ok(self) -> bool:
        return not self.undelivered


class SMSNotificationSink:
    """Sends an SMS/MMS when the pipeline reports something, without slowing the video.

    Same fields, defaults and outputs as Roboflow's ``roboflow_core/twilio_sms_notification@v2``
    block, plus the keyword-only settings below it. Example::

        sink = SMSNotificationSink(
            receiver_number="+15551234567",
            message="{{ $parameters.n }} objects on camera {{ $parameters.cam }}",
            message_parameters={"n": "$predictions.predictions", "cam": "$frame.source_id"},
            message_parameters_operations={"n": [{"type": "SequenceLength"}]},
            sms_provider="Custom Twilio",
            cooldown_seconds=30,
        )
        pipeline = InferencePipeline.init_with_custom_logic(..., on_prediction=sink)
    """

    def __init__(
        self,
        receiver_number: str | Sequence[str],
        message: str,
        message_parameters: Mapping[str, Any] | None = None,
        message_parameters_operations: Mapping[str, Sequence[Mapping[str, Any]]] | None = None,
        sms_provider: str = MANAGED,
        twilio_account_sid: str | None = None,
        twilio_auth_token: str | None = None,
        sender_number: str | None = None,
        media_url: str | Sequence[str] | None = None,
        fire_and_forget: bool = True,
        disable_sink: bool = False,
        cooldown_seconds: float = 5,
        *,
        provider: Provider | None = None,
        roboflow_api_key: str | None = None,
        max_queue_size: int = 32,
        overflow: OverflowPolicy = "drop_oldest",
        workers: int = 4,
        request_timeout: float = 10.0,
        delivery_timeout: float = 120.0,
        max_attempts: int = 5,
        retry_ambiguous: bool = True,
        max_messages_per_second: float | None = None,
        cooldown_key: str | CooldownKey = "source",
        cooldown_clock: str = "monotonic",
        alert_when: Callable[[Any, Any], bool] | None = None,
        on_result: ResultCallback | None = None,
        metrics: SinkMetrics | None = None,
        media_store: MediaStore | None = None,
        media_visualizer: Visualizer | None = None,
        jpeg_quality: int = 85,
        media_max_side: int | None = 1920,
        media_max_bytes: int = 600_000,
    ) -> None:
        receivers = [receiver_number] if isinstance(receiver_number, str) else receiver_number
        if not isinstance(receivers, (list, tuple)) or not receivers:
            raise ConfigurationError("receiver_number", "expected an E.164 number or a non-empty list of them")
        self._receivers = tuple(dict.fromkeys(
            normalize_e164(r, f"receiver_number[{i}]" if len(receivers) > 1 else "receiver_number")
            for i, r in enumerate(receivers)
        ))
        self._template = MessageTemplate(message, message_parameters, message_parameters_operations)
        self._media = MediaPlan.parse(media_url)
        for name, flag in (("fire_and_forget", fire_and_forget), ("disable_sink", disable_sink),
                           ("retry_ambiguous", retry_ambiguous)):
            if not isinstance(flag, bool):
                raise ConfigurationError(name, f"expected True or False, got {flag!r}")
        self._gate = CooldownGate(check_number("cooldown_seconds", cooldown_seconds, minimum=0))
        check_number("max_queue_size", max_queue_size, minimum=1, integer=True)
        check_number("workers", workers, minimum=1, integer=True)
        check_number("max_attempts", max_attempts, minimum=1, integer=True)
        check_number("request_timeout", request_timeout, minimum=0, exclusive=True)
        check_number("delivery_timeout", delivery_timeout, minimum=0, exclusive=True)
        check_number("max_messages_per_second", max_messages_per_second, minimum=0, exclusive=True, optional=True)
        if overflow not in OVERFLOW_POLICIES:
            raise ConfigurationError("overflow", f"expected one of {OVERFLOW_POLICIES}, got {overflow!r}")
        if not (cooldown_key in ("source", "global") or callable(cooldown_key)):
            raise ConfigurationError("cooldown_key", "expected 'source', 'global' or a callable "
                                     "(video_frame, receiver) -> key (or video_frame -> key)")
        if cooldown_clock not in ("monotonic", "video"):
            raise ConfigurationError("cooldown_clock", f"expected 'monotonic' or 'video', got {cooldown_clock!r}")
        if alert_when is not None and not callable(alert_when):
            raise ConfigurationError("alert_when", "expected a callable (predictions, video_frame) -> bool, "
                                     "e.g. sms_sink.has_detections")
        self._alert_when = _on_predictions(alert_when) if alert_when and takes_one_argument(alert_when) else alert_when
        if on_result is not None and not callable(on_result):
            raise ConfigurationError("on_result", "expected a callable taking a DeliveryResult")
        if metrics is not None and not isinstance(metrics, SinkMetrics):
            raise ConfigurationError("metrics", "expected an object with observe_call(seconds) and observe_result(result)")
        self._metrics = metrics
        if provider is None:
            provider = build_provider(
                sms_provider=sms_provider, twilio_account_sid=twilio_account_sid,
                twilio_auth_token=twilio_auth_token, sender_number=sender_number, roboflow_api_key=roboflow_api_key,
            )
        elif not isinstance(provider, Provider):
            raise ConfigurationError("provider", f"expected a sms_sink.Provider, got {type(provider).__name__}")
        if media_store is not None and not isinstance(media_store, MediaStore):
            raise ConfigurationError(
                "media_store", f"expected a sms_sink.MediaStore (LocalMediaServer, S3MediaStore), "
                f"got {type(media_store).__name__}")
        if self._media.uses_frame and not provider.accepts_inline_media and media_store is None:
            raise ConfigurationError(
                "media_url",
                f"{type(provider).__name__} needs a public URL for frame media: pass media_store= "
                f"(LocalMediaServer or S3MediaStore), or use sms_provider={MANAGED!r}, which sends frames inline",
            )
        self._preparer = Preparer(
            self._template, self._media,
            encoder=JpegEncoder(quality=jpeg_quality, max_side=media_max_side, max_bytes=media_max_bytes),
            visualizer=media_visualizer,
        )
        self._fire_and_forget = fire_and_forget
        self._disabled = disable_sink
        self._cooldown_key = keyed_per_receiver(cooldown_key) if callable(cooldown_key) else cooldown_key
        self._video_clock = VideoClock() if cooldown_clock == "video" else None
        self._key_cache: dict[Hashable, tuple[Hashable, ...]] = {}
        self._status: dict[Hashable, outputs.Status] = {}
        self._last_status: outputs.Status = outputs.NO_CALL
        self._delivery_timeout = delivery_timeout
        self._closed = False
        self._reject_log = RateLimitedLog(log)
        self._close_report: CloseReport | None = None
        self.provider = provider
        self._stats = SinkStats()
        self._executor = media_executor()
        self._frames = FramePool(max_free=max_queue_size + workers + 2)
        self._loop = EventLoopThread()
        self._dispatcher = Dispatcher(
            provider=provider, prepare=self._preparer, stats=self._stats, executor=self._executor,
            frames=self._frames, gate=self._gate,
            retry=RetryPolicy(max_attempts=max_attempts, retry_ambiguous=retry_ambiguous),
            media_store=media_store, queue_size=max_queue_size, overflow=overflow, workers=workers,
            request_timeout=request_timeout, delivery_timeout=delivery_timeout,
            max_messages_per_second=max_messages_per_second, on_result=_chain(on_result, metrics),
        )
        try:
            self._loop.run(self._dispatcher.start(), timeout=30)
        except BaseException:
            self._loop.stop()
            self._executor.shutdown(wait=False)
            raise
        if self._preparer.url_items and self._media.uses_frame:  # in the background: never delays the video
            from .media.remote import content_lengths

            self._preparer.url_sizes = self._loop.submit(content_lengths(self._preparer.url_items))
        # A sink dropped without close(), or alive at interpreter exit, still drains: the
        # finalizer holds the parts that deliver, not the sink itself.
        self._finalizer = weakref.finalize(self, _shutdown, self._loop, self._dispatcher, self._executor,
                                           self._stats, 10.0)
        bind = getattr(metrics, "bind", None)
        if callable(bind):  # e.g. PrometheusMetrics: its counters read this sink's stats()
            bind(self)

    @classmethod
    def from_workflow_step(
        cls,
        step: Mapping[str, Any],
        *,
        inputs: Mapping[str, Any] | None = None,
        selectors: Mapping[str, str] | None = None,
        **overrides: Any,
    ) -> "SMSNotificationSink":
        """Build a sink from a ``roboflow_core/twilio_sms_notification@v2`` step definition.

        ``$inputs.x`` resolve from ``inputs``; ``$steps.<step>.<output>`` map through
        ``selectors`` (default ``$predictions.<output>``); ``overrides`` win over the step.
        """
        from .workflow_step import sink_kwargs_from_step

        return cls(**sink_kwargs_from_step(step, inputs=inputs, selectors=selectors, overrides=overrides))

    # -- the pipeline call -----------------------------------------------------------------
    def __call__(self, predictions: Any, video_frame: Any) -> None:
        """``on_prediction``: one prediction and frame, or lists of them in source order."""
        if self._metrics is None:
            return self._dispatch_call(predictions, video_frame)
        started = time.perf_counter()
        try:
            return self._dispatch_call(predictions, video_frame)
        finally:
            self._metrics.observe_call(time.perf_counter() - started)

    def _dispatch_call(self, predictions: Any, video_frame: Any) -> None:
        if isinstance(video_frame, list):
            if not isinstance(predictions, list):
                predictions = [predictions] * len(video_frame)
            for prediction, frame in zip(predictions, video_frame):
                if frame is not None:
                    self._handle(prediction, frame)
            return None
        self._handle(predictions, video_frame)
        return None

    def _handle(self, predictions: Any, frame: Any) -> None:
        if self._closed:
            raise SinkClosedError("this SMSNotificationSink is closed; create a new one to send more alerts")
        source_id = getattr(frame, "source_id", None)
        receivers = self._receivers
        if self._disabled:
            self._stats.disabled += len(receivers)
            self._set_status(source_id, outputs.DISABLED)
            return
        if self._alert_when is not None:
            try:
                wanted = self._alert_when(predictions, frame)
            except Exception as exc:  # a user's rule must not break the video
                self._reject(source_id, receivers, f"alert_when raised {type(exc).__name__}: {exc}")
                return
            if not wanted:
                self._stats.skipped += len(receivers)
                self._set_status(source_id, outputs.SKIPPED)
                return
        now = time.monotonic() if self._video_clock is None else self._video_clock.now(source_id, frame)
        try:
            keys = self._keys(source_id, frame)
        except Exception as exc:  # a user's cooldown_key must not break the video
            self._reject(source_id, receivers, f"cooldown_key raised {type(exc).__name__}: {exc}")
            return
        gate = self._gate
        ready = [i for i, key in enumerate(keys) if gate.ready(key, now=now)]
        if not ready:
            self._stats.throttled += len(receivers)
            self._set_status(source_id, outputs.THROTTLED)
            return
        self._stats.throttled += len(receivers) - len(ready)
        accepted = receivers if len(ready) == len(receivers) else tuple(receivers[i] for i in ready)
        queue = self._dispatcher.queue
        if queue.overflow == "drop_newest" and queue.full():
            # Accepted (the window is consumed, as for any accepted alert) and dropped before
            # anything is copied; counted, logged and reported on the loop.
            self._stats.accepted += len(accepted)
            for i in ready:
                gate.consume(keys[i], now=now)
            self._dispatcher.drop_soon(Alert(source_id, accepted, None))
            self._set_status(source_id, outputs.error(f"Notification dropped: queue full ({queue.maxsize} alerts pending)"))
            return
        try:
            alert = self._snapshot(source_id, accepted, predictions, frame)
        except Exception as exc:
            self._reject(source_id, accepted, str(exc))
            return
        self._stats.accepted += len(accepted)
        if gate.seconds:  # kept on the alert: a worker that cannot prepare it gives the window back
            alert.window_started = now
            alert.window = tuple((keys[i], gate.consume(keys[i], now=now)) for i in ready)
        if self._fire_and_forget:
            self._dispatcher.hand_off(alert)
            self._set_status(source_id, outputs.BACKGROUND)
            return
        alert.waiter = concurrent.futures.Future()
        self._dispatcher.hand_off(alert)
        try:
            results = alert.waiter.result(timeout=self._delivery_timeout + 30)
        except concurrent.futures.TimeoutError:
            self._set_status(source_id, outputs.error(self.provider.failure_message("no outcome within delivery_timeout")))
            return
        self._set_status(source_id, outputs.outcome(self.provider, results))

    def _reject(self, source_id: Hashable, receivers: tuple[str, ...], reason: str) -> None:
        """Counted here, reported to on_result on the loop; the cooldown stays untouched."""
        self._stats.rejected += len(receivers)
        self._reject_log.warning("sms-sink: alert for source %r rejected: %s", source_id, reason)
        self._dispatcher.reject_soon(Alert(source_id, receivers, None), f"rejected: {reason}")
        self._set_status(source_id, outputs.error(f"Alert rejected: {reason}"))

    def _snapshot(self, source_id: Hashable, receivers: tuple[str, ...], predictions: Any, frame: Any) -> Alert:
        image = None
        if self._media.uses_frame:
            image = getattr(frame, "image", None)
            if image is None:
                raise ValueError("media_url needs the frame image but the call carried no frame")
            check_bgr(image)  # a frame that can never be sent fails here, not in a worker
            image = self._frames.copy(image)
        return Alert(
            source_id=source_id,
            receivers=receivers,
            snapshot=self._template.snapshot(predictions, frame),
            image=image,
            predictions=isolate(predictions) if self._media.uses_visualization else None,
        )

    def _keys(self, source_id: Hashable, frame: Any) -> tuple[Hashable, ...]:
        if callable(self._cooldown_key):
            return tuple(self._cooldown_key(frame, r) for r in self._receivers)
        keys = self._key_cache.get(source_id)
        if keys is None:
            scope = source_id if self._cooldown_key == "source" else "global"
            keys = self._key_cache[source_id] = tuple((scope, r) for r in self._receivers)
        return keys

    def _set_status(self, source_id: Hashable, value: outputs.Status) -> None:
        self._status[source_id] = value
        self._last_status = value

    # -- outputs ---------------------------------------------------------------------------
    def status(self, source_id: Hashable | None = None) -> dict[str, Any]:
        """The block's outputs (error_status, throttling_status, message) for the latest call.

        With ``source_id``, the latest call of that source; otherwise the latest of any.
        """
        if source_id is None:
            return dict(self._last_status)
        return dict(self._status.get(source_id, outputs.NO_CALL))

    def stats(self) -> dict[str, int]:
        """Counters (per message): accepted, throttled, disabled, skipped, rejected, dropped, sent,
        failed, retried, abandoned, queue_depth, in_flight."""
        return self._stats.as_dict()

    def __repr__(self) -> str:
        counters = ", ".join(f"{k}={v}" for k, v in self._stats.as_dict().items())
        state = "closed" if self._closed else "open"
        return (f"SMSNotificationSink({state}, provider={self.provider!r}, receivers={len(self._receivers)}, "
                f"cooldown_seconds={self._gate.seconds:g}, {counters})")

    # -- lifecycle -------------------------------------------------------------------------
    def close(self, timeout: float = 10.0) -> CloseReport:
        """Stop accepting, deliver what is queued within ``timeout`` s, report the rest.

        Idempotent. Alerts still queued or in flight at the deadline are reported (log,
        ``on_result``, ``stats()['abandoned']`` and the returned report), never dropped silently.
        """
        if self._close_report is not None:
            return self._close_report
        if self._loop.in_loop_thread():
            raise RuntimeError("close() cannot be called from on_result (the sink's own loop)")
        self._closed = True
        self._finalizer.detach()
        undelivered = _shutdown(self._loop, self._dispatcher, self._executor, self._stats, timeout)
        self._close_report = CloseReport(tuple(undelivered))
        return self._close_report

    def __enter__(self) -> "SMSNotificationSink":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _shutdown(loop: EventLoopThread, dispatcher: Dispatcher, executor: concurrent.futures.Executor,
              stats: SinkStats, timeout: float) -> list[DeliveryResult]:
    """Drain within ``timeout``, stop the loop and the media threads; return what was not delivered."""
    if loop.in_loop_thread():  # garbage-collected on its own loop: cannot wait for itself
        loop.stop()
        return []
    undelivered = loop.run(dispatcher.drain(timeout), timeout=timeout + 30)
    loop.stop()
    executor.shutdown(wait=True)
    if undelivered:
        log.error("sms-sink closed with %d message(s) undelivered after %.1f s", len(undelivered), timeout)
    log.info("sms-sink closed: %s", stats.as_dict())
    return undelivered


@runtime_checkable
class SinkMetrics(Protocol):
    """What ``metrics=`` receives: the cost of every call and every delivery's result."""

    def observe_call(self, seconds: float) -> None: ...

    def observe_result(self, result: DeliveryResult) -> None: ...


def _chain(on_result: ResultCallback | None, metrics: SinkMetrics | None) -> ResultCallback | None:
    """One result callback from the user's and the metrics' (either may be absent)."""
    if metrics is None:
        return on_result
    if on_result is None:
        return metrics.observe_result

    def both(result: DeliveryResult) -> None:
        metrics.observe_result(result)
        on_result(result)

    return both


def _on_predictions(rule: Callable[[Any], bool]) -> Callable[[Any, Any], bool]:
    """An ``alert_when`` written for the predictions alone, called as the sink calls it."""

    def wanted(predictions: Any, video_frame: Any) -> bool:
        return rule(predictions)

    return wanted
