"""The sink's call path, cooldown, queue, retries and lifecycle (provider double + sandbox)."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from datetime import datetime, timedelta

import numpy as np
import pytest
from streamvision.camera.entities import VideoFrame

from sms_sink import (
    ConfigurationError,
    DeliveryResult,
    MemoryProvider,
    RateLimitedError,
    SinkClosedError,
    RoboflowManagedProvider,
    SMSNotificationSink,
    TwilioProvider,
)
from sms_sink.sandbox import SandboxServer, faults

from support import RECEIVER, SENDER, detections_response

T0 = datetime(2026, 1, 1, 12, 0, 0)


def frame(source_id: int = 0, frame_id: int = 1, seconds: float = 0.0, shape=(48, 64, 3)) -> VideoFrame:
    return VideoFrame(image=np.zeros(shape, np.uint8), frame_id=frame_id,
                      frame_timestamp=T0 + timedelta(seconds=seconds), source_id=source_id)


def make_sink(provider=None, **kwargs) -> SMSNotificationSink:
    settings = {"receiver_number": RECEIVER, "message": "alert", "provider": provider or MemoryProvider()} | kwargs
    return SMSNotificationSink(**settings)


def wait_until(predicate, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.01)


def test_message_rendered_from_predictions_and_frame() -> None:
    provider = MemoryProvider()
    with make_sink(provider, message="{{ $parameters.n }} objects on camera {{ $parameters.cam }}",
                   message_parameters={"n": "$predictions.predictions", "cam": "$frame.source_id"},
                   message_parameters_operations={"n": [{"type": "SequenceLength"}]}) as sink:
        sink(detections_response(3), frame(source_id=7))
        assert sink.status(7)["message"] == "Notification sent in the background task"
    assert [m.body for m in provider.sent] == ["3 objects on camera 7"]
    assert sink.stats()["sent"] == 1


def test_cooldown_per_source_and_status() -> None:
    provider = MemoryProvider()
    sink = make_sink(provider, cooldown_seconds=60)
    sink(detections_response(1), frame(0))
    sink(detections_response(1), frame(0))  # same camera: throttled
    sink(detections_response(1), frame(1))  # another camera has its own window
    assert sink.status(0) == {"error_status": False, "throttling_status": True, "message": "Sink cooldown applies"}
    assert sink.status(1)["throttling_status"] is False
    sink.close()
    assert sink.stats()["accepted"] == 2 and sink.stats()["throttled"] == 1 and len(provider.sent) == 2


def test_global_cooldown_shared_by_cameras() -> None:
    sink = make_sink(cooldown_seconds=60, cooldown_key="global")
    sink(None, frame(0))
    sink(None, frame(1))
    sink.close()
    assert sink.stats()["accepted"] == 1 and sink.stats()["throttled"] == 1


def test_video_clock_throttles_file_processed_fast() -> None:
    """A 60 s video processed in a blink fires once per 10 s of video, not once."""
    sink = make_sink(cooldown_seconds=10, cooldown_clock="video")
    for second in range(60):
        sink(None, frame(0, frame_id=second + 1, seconds=second))
    sink.close()
    assert sink.stats()["accepted"] == 6


def test_video_clock_with_a_global_key_over_sources_recorded_apart() -> None:
    """Two files an hour apart in wall time share one global window on their own video time."""
    sink = make_sink(cooldown_seconds=5, cooldown_clock="video", cooldown_key="global")
    for second in range(20):
        sink(None, frame(0, frame_id=second + 1, seconds=3600 + second))
        sink(None, frame(1, frame_id=second + 1, seconds=second))
    sink.close()
    assert sink.stats()["accepted"] == 4 and sink.stats()["throttled"] == 36


def test_an_alert_that_cannot_be_prepared_gives_its_window_back() -> None:
    """An operation failing on the worker sent nothing: the next good event must not be throttled."""
    provider = MemoryProvider()
    results: list[DeliveryResult] = []
    sink = make_sink(provider, cooldown_seconds=60, message="{{ $parameters.c }}",
                     message_parameters={"c": "$predictions"}, on_result=results.append,
                     message_parameters_operations={"c": [{"type": "LookupTable", "lookup_table": {"a": "A"}}]})
    sink("b", frame(0))  # no such key: fails on the worker, after the call accepted it
    wait_until(lambda: len(results) == 1)
    sink("a", frame(0))
    sink("a", frame(0))  # this one is throttled by the window of the previous
    sink.close()
    assert [r.ok for r in results] == [False, True] and [m.body for m in provider.sent] == ["A"]
    assert sink.stats()["throttled"] == 1


def test_disabled_and_throttled_do_not_consume_the_window() -> None:
    sink = make_sink(cooldown_seconds=60, disable_sink=True)
    sink(None, frame(0))
    assert sink.status()["message"] == "Sink was disabled by parameter `disable_sink`"
    assert sink.stats()["disabled"] == 1 and sink.stats()["accepted"] == 0
    sink.close()


def test_block_fields_may_be_positional_and_extras_are_keyword_only() -> None:
    with SMSNotificationSink(RECEIVER, "alert", provider=MemoryProvider()) as sink:
        assert "receivers=1" in repr(sink)
    with pytest.raises(TypeError):
        SMSNotificationSink(RECEIVER, "alert", None, None, "Custom Twilio", None, None, None, None, True, False, 5,
                            MemoryProvider())  # type: ignore[misc]


@pytest.mark.parametrize("key", [lambda f: f.source_id // 2, lambda f, receiver: (f.source_id // 2, receiver)],
                         ids=["frame-only", "frame-and-receiver"])
def test_a_callable_cooldown_key_groups_cameras(key) -> None:
    provider = MemoryProvider()
    with make_sink(provider, cooldown_seconds=60, cooldown_key=key, receiver_number=[RECEIVER, "+15557654321"]) as sink:
        for source in (0, 1, 2, 3):  # cameras 0-1 and 2-3 share a window; each receiver has its own
            sink(None, frame(source))
    assert sorted((m.source_id, m.to) for m in provider.sent) == [
        (0, "+15551234567"), (0, "+15557654321"), (2, "+15551234567"), (2, "+15557654321")]


def test_a_raising_cooldown_key_rejects_the_call_without_breaking_the_video() -> None:
    provider = MemoryProvider()

    def key(frame: VideoFrame, receiver: str) -> object:
        if frame.source_id == 1:
            raise LookupError("camera 1 has no zone")
        return frame.source_id

    with make_sink(provider, cooldown_key=key) as sink:
        sink(None, frame(1))
        assert sink.status(1)["error_status"] is True and "cooldown_key raised LookupError" in sink.status(1)["message"]
        sink(None, frame(0))
    assert sink.stats()["rejected"] == 1 and len(provider.sent) == 1


def test_alert_when_has_detections_skips_empty_frames_in_both_call_shapes() -> None:
    from sms_sink import has_detections

    provider = MemoryProvider()
    with make_sink(provider, cooldown_seconds=0, alert_when=has_detections) as sink:
        sink({"predictions": []}, frame(0))
        assert sink.status(0) == {"error_status": False, "throttling_status": False,
                                  "message": "Alert condition not met"}
        sink([{"predictions": []}, detections_response(2), None], [frame(0), frame(1), None])
        assert sink.status(1)["message"] == "Notification sent in the background task"
    assert sink.stats()["skipped"] == 2 and sink.stats()["accepted"] == 1
    assert [m.source_id for m in provider.sent] == [1]


def test_alert_when_may_take_the_predictions_alone() -> None:
    provider = MemoryProvider()
    with make_sink(provider, cooldown_seconds=0, alert_when=lambda p: len(p["predictions"]) >= 2) as sink:
        sink(detections_response(1), frame(0))
        sink(detections_response(3), frame(0))
    assert sink.stats()["skipped"] == 1 and len(provider.sent) == 1


def test_a_store_failing_to_discard_leaves_the_real_outcome(caplog: pytest.LogCaptureFixture) -> None:
    from sms_sink import MemoryMediaStore, PermanentDeliveryError

    class UrlsOnly(MemoryProvider):
        accepts_inline_media = False

    class BrokenDiscard(MemoryMediaStore):
        async def discard(self, url: str) -> None:
            raise OSError("disk gone")

    results: list[DeliveryResult] = []
    provider = UrlsOnly(failures=[PermanentDeliveryError("Twilio error 21610: unsubscribed", error_code=21610)])
    with make_sink(provider, media_url="$frame.image", media_store=BrokenDiscard(), on_result=results.append) as sink:
        sink(None, frame())
    assert [(r.ok, r.error_code) for r in results] == [(False, 21610)]  # not "internal error"
    assert "could not discard" in caplog.text


def test_rejected_call_does_not_consume_the_window() -> None:
    provider = MemoryProvider()
    sink = make_sink(provider, cooldown_seconds=60, media_url="$frame.image")
    sink(None, None)  # no frame to attach: rejected, window untouched
    assert sink.status()["error_status"] is True and sink.stats()["rejected"] == 1
    sink(None, frame(None))
    sink.close()
    assert sink.stats()["accepted"] == 1 and len(provider.sent) == 1 and len(provider.sent[0].media) == 1


def test_multiple_receivers_one_message_each() -> None:
    provider = MemoryProvider()
    with make_sink(provider, receiver_number=[RECEIVER, "+15550000001"]) as sink:
        sink(None, frame())
    assert sorted(m.to for m in provider.sent) == ["+15550000001", RECEIVER]


def test_frame_is_snapshotted_at_call_time() -> None:
    provider = MemoryProvider(latency=0.2)
    f = frame(shape=(64, 64, 3))
    with make_sink(provider, media_url="$frame.image", jpeg_quality=95) as sink:
        sink(None, f)
        f.image[:] = 255  # the pipeline reuses its buffer
    import cv2

    decoded = cv2.imdecode(np.frombuffer(provider.sent[0].media[0].data, np.uint8), cv2.IMREAD_COLOR)
    assert decoded.mean() < 10


@pytest.mark.parametrize(("overflow", "sent_bodies"), [("drop_oldest", ["0", "3", "4"]), ("drop_newest", ["0", "1", "2"])])
def test_overflow_policy_counts_and_reports(overflow: str, sent_bodies: list[str]) -> None:
    release = threading.Event()

    class HeldProvider(MemoryProvider):
        async def send(self, message):  # holds the single worker until released
            while not release.is_set():
                await asyncio.sleep(0.01)
            return await super().send(message)

    provider = HeldProvider()
    results: list[DeliveryResult] = []
    sink = make_sink(provider, message="{{ $parameters.i }}", message_parameters={"i": "$predictions.i"},
                     cooldown_seconds=0, max_queue_size=2, overflow=overflow, workers=1, on_result=results.append)
    sink({"i": 0}, frame())
    wait_until(lambda: sink.stats()["in_flight"] == 1)
    for i in range(1, 3):
        sink({"i": i}, frame())
    wait_until(lambda: sink.stats()["queue_depth"] == 2)
    for i in range(3, 5):
        sink({"i": i}, frame())
    wait_until(lambda: sink.stats()["dropped"] == 2)
    if overflow == "drop_newest":
        assert sink.status()["error_status"] is True and "queue full" in sink.status()["message"]
    release.set()
    sink.close()
    stats = sink.stats()
    assert (stats["accepted"], stats["sent"], stats["dropped"]) == (5, 3, 2)
    assert [m.body for m in provider.sent] == sent_bodies
    assert sum(1 for r in results if not r.ok and r.error_message.startswith("dropped")) == 2


def test_retry_then_success_counts_retries() -> None:
    provider = MemoryProvider(failures=[RateLimitedError("busy", retry_after=0.01)] * 2)
    results: list[DeliveryResult] = []
    with make_sink(provider, on_result=results.append) as sink:
        sink(None, frame())
    assert provider.attempts == 3 and sink.stats()["retried"] == 2
    assert results[0].ok and results[0].attempts == 3


def test_fire_and_forget_false_reports_real_outcome(sandbox: SandboxServer, twilio: TwilioProvider) -> None:
    sandbox.inject(faults.TwilioError(21610))
    with make_sink(twilio, fire_and_forget=False, cooldown_seconds=0) as sink:
        sink(None, frame())
        failed = sink.status()
        sink(None, frame())
        ok = sink.status()
    assert failed["error_status"] is True
    assert failed["message"].startswith("Failed to send Twilio SMS notification. Internal error details: Twilio error 21610")
    assert ok == {"error_status": False, "throttling_status": False, "message": "Notification sent successfully"}
    assert sink.stats()["failed"] == 1 and sink.stats()["sent"] == 1


@pytest.mark.parametrize(("fault", "expected"), [
    (faults.TwilioError(20003, status=403), "Failed to send SMS: access forbidden."),
    (faults.ServerError(503), "Failed to send SMS via proxy."),
])
def test_managed_failures_read_like_the_blocks(sandbox: SandboxServer, roboflow: RoboflowManagedProvider,
                                               fault: faults.Fault, expected: str) -> None:
    sandbox.inject(fault, api="roboflow")
    with make_sink(roboflow, fire_and_forget=False, max_attempts=1) as sink:
        sink(None, frame())
    assert sink.status()["error_status"] is True and sink.status()["message"].startswith(expected)


def test_close_drains_the_queue(sandbox: SandboxServer, twilio: TwilioProvider) -> None:
    sandbox.latency = 0.05
    sink = make_sink(twilio, cooldown_seconds=0, workers=2)
    for i in range(10):
        sink(None, frame(frame_id=i + 1))
    report = sink.close(timeout=10)
    assert report.ok and sink.stats()["sent"] == 10 and len(sandbox.messages) == 10
    with pytest.raises(SinkClosedError):
        sink(None, frame())
    assert sink.close() is report  # idempotent


def test_close_deadline_reports_undelivered(sandbox: SandboxServer, twilio: TwilioProvider) -> None:
    sandbox.latency = 5.0
    results: list[DeliveryResult] = []
    sink = make_sink(twilio, cooldown_seconds=0, workers=1, on_result=results.append)
    for i in range(3):
        sink(None, frame(frame_id=i + 1))
    time.sleep(0.2)  # the first is being sent
    report = sink.close(timeout=0.3)
    assert len(report.undelivered) == 3 and sink.stats()["abandoned"] == 3
    assert len(results) == 3 and not any(r.ok for r in results)
    sending, *queued = report.undelivered
    assert sending.body == "alert" and sending.segments == 1 and "may have been sent" in sending.error_message
    assert all(r.error_message == "not delivered: close() deadline passed" for r in queued)


def test_secrets_never_logged(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    sid, token, key = "AC" + "7" * 32, "sEcReT-t0ken-value", "rf-secret-api-key"
    with SandboxServer.run_in_thread(accounts={sid: token}, api_keys=[key]) as sandbox:
        sandbox.inject(faults.ServerError(500), times=2)
        twilio = TwilioProvider(sid, token, SENDER, base_url=sandbox.url)
        with make_sink(twilio, fire_and_forget=False, max_attempts=3) as sink:
            sink(None, frame())
            text = repr(sink) + str(sink.status()) + str(sink.stats())
        assert sink.status()["error_status"] is False and sink.stats()["retried"] == 2
        sandbox.inject(faults.RateLimit(), api="roboflow")
        roboflow = RoboflowManagedProvider(key, base_url=sandbox.url)
        with make_sink(roboflow, fire_and_forget=False, max_attempts=1) as sink:
            sink(None, frame())
            text += repr(sink) + str(sink.status()) + str(sink.stats())
        assert sink.status()["error_status"] is True and "rate limit" in sink.status()["message"]
        wrong = TwilioProvider(sid, "wrong-" + token, SENDER, base_url=sandbox.url)
        with make_sink(wrong, fire_and_forget=False) as sink:
            sink(None, frame())
            text += repr(sink) + str(sink.status())
        assert "20003" in sink.status()["message"]
    text += caplog.text
    assert "sms-sink" in caplog.text  # the logs were captured
    for secret in (token, key):
        assert secret not in text


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"receiver_number": "5551234567"}, "receiver_number"),
        ({"receiver_number": []}, "receiver_number"),
        ({"cooldown_seconds": -1}, "cooldown_seconds"),
        ({"overflow": "block"}, "overflow"),
        ({"workers": 0}, "workers"),
        ({"max_queue_size": 0}, "max_queue_size"),
        ({"request_timeout": 0}, "request_timeout"),
        ({"max_attempts": 0}, "max_attempts"),
        ({"cooldown_clock": "wall"}, "cooldown_clock"),
        ({"cooldown_key": 3}, "cooldown_key"),
        ({"fire_and_forget": "yes"}, "fire_and_forget"),
        ({"media_url": "ftp://x/y.jpg"}, "media_url[0]"),
        ({"media_url": ["https://x/y.jpg"] * 11}, "media_url"),
        ({"message_parameters_operations": {"n": [{"type": "Nope"}]}, "message_parameters": {"n": 1}},
         "message_parameters_operations.n[0]"),
    ],
)
def test_construction_errors_name_the_field(kwargs: dict, field: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        make_sink(**kwargs)
    assert info.value.field == field


def test_custom_twilio_fields_and_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_PHONE_NUMBER", "ROBOFLOW_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ConfigurationError) as info:
        SMSNotificationSink(receiver_number=RECEIVER, message="m", sms_provider="Custom Twilio")
    assert info.value.field == "twilio_account_sid"
    with pytest.raises(ConfigurationError) as info:
        SMSNotificationSink(receiver_number=RECEIVER, message="m")
    assert info.value.field == "roboflow_api_key"
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", "AC" + "1" * 32)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "tok")
    monkeypatch.setenv("TWILIO_PHONE_NUMBER", SENDER)
    with SMSNotificationSink(receiver_number=RECEIVER, message="m", sms_provider="Custom Twilio") as sink:
        assert isinstance(sink.provider, TwilioProvider) and "tok" not in repr(sink)
    with pytest.raises(ConfigurationError) as info:
        SMSNotificationSink(receiver_number=RECEIVER, message="m", sms_provider="Custom Twilio",
                            media_url="$frame.image")
    assert info.value.field == "media_url" and "media_store" in str(info.value)
    with pytest.raises(ConfigurationError) as info:
        SMSNotificationSink(receiver_number=RECEIVER, message="m", sms_provider="Custom Twilio",
                            media_url="$frame.image", media_store="s3://bucket")  # type: ignore[arg-type]
    assert info.value.field == "media_store" and "LocalMediaServer" in str(info.value)


def test_dropped_sink_still_delivers_what_it_accepted() -> None:
    import gc

    provider = MemoryProvider(latency=0.05)
    sink = make_sink(provider, cooldown_seconds=0)
    for i in range(3):
        sink(None, frame(frame_id=i + 1))
    del sink
    gc.collect()
    assert len(provider.sent) == 3


def test_drop_newest_never_queues_what_it_dropped() -> None:
    """The full-queue check on the pipeline thread may race with workers freeing room;
    an alert dropped there must stay dropped (it carries no snapshot to render)."""
    provider = MemoryProvider(latency=0.002)
    results: list[DeliveryResult] = []
    sink = make_sink(provider, cooldown_seconds=0, max_queue_size=1, workers=1, overflow="drop_newest",
                     message="frame {{ $parameters.id }}", message_parameters={"id": "$frame.frame_id"},
                     on_result=results.append)
    for i in range(300):
        sink(None, frame(frame_id=i + 1))
    sink.close(timeout=10)
    stats = sink.stats()
    assert stats["failed"] == 0 and stats["sent"] + stats["dropped"] == stats["accepted"] == 300
    assert all(r.ok or r.error_message.startswith("dropped") for r in results) and len(results) == 300


@pytest.mark.parametrize(
    ("fault", "retry_ambiguous", "ok", "attempts", "error_code"),
    [
        (faults.RateLimit(retry_after=0.2), False, True, 2, None),  # 429: always retried, Retry-After honoured
        (faults.RateLimit(), False, True, 2, None),
        (faults.ServerError(500), True, True, 2, None),  # ambiguous: retried when allowed
        (faults.ServerError(503), False, False, 1, 20503),  # ... and not when at-most-once is asked
        (faults.Reset(), True, True, 2, None),
        (faults.Hang(seconds=5), True, True, 2, None),  # request_timeout, then a retry
        (faults.TwilioError(21211), True, False, 1, 21211),  # permanent: never retried
        (faults.TwilioError(21610), True, False, 1, 21610),
        (faults.TwilioError(20003, status=401), True, False, 1, 20003),
    ],  # 21611 (sender queue full) backs off 60 s: covered in test_retry.py
    ids=["429-retry-after", "429", "500", "503-at-most-once", "reset", "hang", "21211", "21610", "401"],
)
def test_retry_classes_against_the_sandbox(fault, retry_ambiguous, ok, attempts, error_code, sandbox,
                                           twilio) -> None:
    results: list[DeliveryResult] = []
    sandbox.inject(fault)
    with make_sink(twilio, retry_ambiguous=retry_ambiguous, request_timeout=0.5, on_result=results.append) as sink:
        started = time.monotonic()
        sink(None, frame())
    [result] = results
    assert (result.ok, result.attempts, result.error_code) == (ok, attempts, error_code)
    assert sink.stats()["retried"] == attempts - 1
    if isinstance(fault, faults.RateLimit) and fault.retry_after:
        assert time.monotonic() - started >= 0.2


def test_connection_refused_is_retried_until_attempts_run_out() -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    provider = TwilioProvider(SandboxServer.DEFAULT_ACCOUNT_SID, SandboxServer.DEFAULT_AUTH_TOKEN, SENDER,
                              base_url=f"http://127.0.0.1:{port}")
    results: list[DeliveryResult] = []
    with make_sink(provider, max_attempts=3, on_result=results.append) as sink:
        sink(None, frame())
    assert not results[0].ok and results[0].attempts == 3 and "could not connect" in results[0].error_message


def test_max_messages_per_second_paces_deliveries() -> None:
    """aiolimiter lets a burst of `rate` through, then one every 1/rate s."""
    provider = MemoryProvider()
    finished: list[float] = []
    started = time.monotonic()
    with make_sink(provider, cooldown_seconds=0, max_messages_per_second=5, max_queue_size=16,
                   on_result=lambda r: finished.append(time.monotonic())) as sink:
        for i in range(10):
            sink(None, frame(frame_id=i + 1))
    assert len(provider.sent) == 10
    assert finished[-1] - started >= 0.7  # 5 at once, 5 more at 0.2 s intervals


def test_rate_limit_is_paid_before_encoding(monkeypatch: pytest.MonkeyPatch) -> None:
    """Waiting for a token happens before the frame is encoded, so a storm costs no CPU ahead."""
    from sms_sink.media.encode import JpegEncoder

    encodes: list[int] = []
    original = JpegEncoder.fit_total
    monkeypatch.setattr(JpegEncoder, "fit_total", lambda self, images, **kw: encodes.append(1) or original(
        self, images, **kw))
    provider = MemoryProvider()
    with make_sink(provider, cooldown_seconds=0, max_messages_per_second=1, media_url="$frame.image",
                   max_queue_size=8, workers=4) as sink:
        for i in range(4):
            sink(None, frame(frame_id=i + 1))
        time.sleep(0.3)
        early_sent, early_encodes = len(provider.sent), len(encodes)
        report = sink.close(timeout=0.2)
    assert (early_sent, early_encodes) == (1, 1)  # 4 workers busy, but only the paid alert was encoded
    assert len(report.undelivered) == 3
