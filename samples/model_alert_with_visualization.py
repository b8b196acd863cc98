"""Text a photo with boxes when a Roboflow model sees a person (needs `pip install inference`).

    export ROBOFLOW_API_KEY=...            # the model and the managed SMS service both use it
    python samples/model_alert_with_visualization.py --source rtsp://10.0.0.5:554/stream1 --to +15551234567

`InferencePipeline.init` runs the model on every frame; the sink gets the model's response,
and the alert carries the frame with the model's boxes drawn (`media_url="$visualization"`).
Roboflow's managed service sends it inline (no public URL needed). Shown, not run, in CI:
it downloads model weights.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from inference import InferencePipeline

from sms_sink import SMSNotificationSink

MODEL_ID = "yolov8n-640"  # any Roboflow object-detection model id, e.g. "my-project/3"
WATCHED_CLASS = "person"
MIN_CONFIDENCE = 0.5


def make_sink(to: str, *, cooldown_seconds: float = 120, **settings: Any) -> SMSNotificationSink:
    return SMSNotificationSink(
        receiver_number=to,
        message="{{ $parameters.n }} person(s) on camera {{ $parameters.cam }} ({{ $parameters.best }})",
        message_parameters={"n": "$predictions", "cam": "$frame.source_id", "best": "$predictions"},
        message_parameters_operations={
            "n": [{"type": "SequenceLength"}],
            "best": [  # the surest detection's confidence, e.g. 0.91
                {"type": "DetectionsSelection", "mode": "top_confidence"},
                {"type": "DetectionsPropertyExtract", "property_name": "confidence"},
                {"type": "SequenceAggregate", "mode": "first"},
                {"type": "NumberRound", "decimal_digits": 2},
            ],
        },
        sms_provider="Roboflow Managed API Key",  # ROBOFLOW_API_KEY from the environment
        media_url="$visualization",
        cooldown_seconds=cooldown_seconds,
        **settings,
    )


def alert_on_people(sink: SMSNotificationSink) -> Any:
    """``on_prediction``: keep confident people only; call the sink when there is one."""

    def on_prediction(predictions: dict, frame: Any) -> None:
        people = [p for p in predictions["predictions"]
                  if p["class"] == WATCHED_CLASS and p["confidence"] >= MIN_CONFIDENCE]
        if people:
            sink(people, frame)  # "$predictions" is now the list of people: counted, drawn, sent

    return on_prediction


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", required=True, help="RTSP URL, video file or device index")
    parser.add_argument("--to", required=True, help="receiver in E.164 form")
    parser.add_argument("--model", default=MODEL_ID, help=f"Roboflow model id (default {MODEL_ID})")
    args = parser.parse_args(argv)
    sink = make_sink(args.to)
    pipeline = InferencePipeline.init(
        model_id=args.model,
        video_reference=int(args.source) if args.source.isdigit() else args.source,
        on_prediction=alert_on_people(sink),
        api_key=os.environ.get("ROBOFLOW_API_KEY"),
    )
    pipeline.start(use_main_thread=False)
    try:
        pipeline.join()
    except KeyboardInterrupt:
        pipeline.terminate()
        pipeline.join()
    finally:
        sink.close(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
