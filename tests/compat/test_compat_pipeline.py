"""Our sink attached to ``inference.InferencePipeline`` (the class users import) on a video."""

from __future__ import annotations

from pathlib import Path

import pytest
from inference import InferencePipeline

from sms_sink import SMSNotificationSink, TwilioProvider
from sms_sink.sandbox import SandboxServer
from support import RECEIVER, detections_response

pytestmark = pytest.mark.compat


def two_boxes(frames):
    return [detections_response(2) for _ in frames]


@pytest.mark.parametrize(
    ("sources", "expected"),
    [
        (1, ["2 objects (person, car) on camera 0"] * 4),
        (2, sorted(["2 objects (person, car) on camera 0"] * 4 + ["2 objects (person, car) on camera 1"] * 4)),
    ],
)
def test_sink_on_inference_pipeline(sources: int, expected: list[str], video_path: Path,
                                    sandbox: SandboxServer, twilio: TwilioProvider) -> None:
    # 60 frames at 30 fps; a 0.5 s window on the video clock: 4 alerts per camera.
    sink = SMSNotificationSink(
        receiver_number=RECEIVER,
        message="{{ $parameters.n }} objects ({{ $parameters.classes }}) on camera {{ $parameters.cam }}",
        message_parameters={"n": "$predictions.predictions", "classes": "$predictions", "cam": "$frame.source_id"},
        message_parameters_operations={
            "n": [{"type": "SequenceLength"}],
            "classes": [{"type": "DetectionsPropertyExtract", "property_name": "class_name"},
                        {"type": "SequenceJoin", "separator": ", "}],
        },
        provider=twilio, cooldown_seconds=0.5, cooldown_clock="video",
    )
    reference = str(video_path) if sources == 1 else [str(video_path)] * sources
    pipeline = InferencePipeline.init_with_custom_logic(
        video_reference=reference, on_video_frame=two_boxes, on_prediction=sink
    )
    with sink:
        pipeline.start()
        pipeline.join()
    assert sorted(m.body for m in sandbox.messages) == expected
    assert sink.stats()["sent"] == 4 * sources and sink.stats()["failed"] == 0
