"""The sink on the real InferencePipeline (streamvision) over generated video, sending to the sandbox."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from streamvision.stream.pipeline import InferencePipeline, SinkMode

from sms_sink import SMSNotificationSink, TwilioProvider
from sms_sink.sandbox import SandboxServer

from support import RECEIVER, detections_response

MESSAGE = "{{ $parameters.n }} objects on camera {{ $parameters.cam }}"
PARAMS = {"n": "$predictions.predictions", "cam": "$frame.source_id"}
OPS = {"n": [{"type": "SequenceLength"}]}


def two_boxes(frames):
    return [detections_response(2) for _ in frames]


def run_pipeline(video, sink, sink_mode: SinkMode = SinkMode.ADAPTIVE) -> float:
    pipeline = InferencePipeline.init_with_custom_logic(
        video_reference=video, on_video_frame=two_boxes, on_prediction=sink, sink_mode=sink_mode
    )
    started = time.perf_counter()
    pipeline.start()
    pipeline.join()
    return time.perf_counter() - started


def alert_sink(provider: TwilioProvider, **kwargs) -> SMSNotificationSink:
    # 60 frames at 30 fps = 2 s of video; a 0.5 s window on the video clock gives 4 alerts per camera.
    settings = dict(receiver_number=RECEIVER, message=MESSAGE, message_parameters=PARAMS,
                    message_parameters_operations=OPS, provider=provider, cooldown_seconds=0.5,
                    cooldown_clock="video")
    return SMSNotificationSink(**(settings | kwargs))


def test_one_source(video_path: Path, sandbox: SandboxServer, twilio: TwilioProvider) -> None:
    with alert_sink(twilio) as sink:
        run_pipeline(str(video_path), sink)
    bodies = [m.body for m in sandbox.messages]
    assert bodies == ["2 objects on camera 0"] * 4
    assert sink.stats()["throttled"] == 56 and sink.stats()["sent"] == 4


@pytest.mark.parametrize("mode", [SinkMode.ADAPTIVE, SinkMode.SEQUENTIAL])
def test_two_sources(mode: SinkMode, video_path: Path, sandbox: SandboxServer, twilio: TwilioProvider) -> None:
    with alert_sink(twilio) as sink:
        run_pipeline([str(video_path), str(video_path)], sink, mode)
    bodies = sorted(m.body for m in sandbox.messages)
    assert bodies == ["2 objects on camera 0"] * 4 + ["2 objects on camera 1"] * 4
    assert sink.status(0)["error_status"] is False and sink.status(1)["error_status"] is False


def test_slow_provider_does_not_slow_the_video(video_path: Path, sandbox: SandboxServer,
                                                twilio: TwilioProvider) -> None:
    """Every frame is accepted (cooldown 0) while each send takes 2 s: the run must not wait."""
    baseline = min(run_pipeline(str(video_path), lambda p, f: None) for _ in range(2))
    sandbox.latency = 2.0
    sink = alert_sink(twilio, cooldown_seconds=0, max_queue_size=8)
    with_sink = run_pipeline(str(video_path), sink)
    stats = sink.stats()
    sink.close(timeout=0.1)
    assert stats["accepted"] == 60
    # Generous bound (shared, noisy machine); the exact ratio is in benchmarks/hot_path.py.
    assert with_sink < baseline + 1.0, (with_sink, baseline)
    final = sink.stats()
    assert final["accepted"] == final["sent"] + final["failed"] + final["dropped"] + final["abandoned"]
