"""Text a phone, with the annotated frame, when something moves in front of an RTSP camera.

    export TWILIO_ACCOUNT_SID=AC... TWILIO_AUTH_TOKEN=... TWILIO_PHONE_NUMBER=+1...
    export PUBLIC_MEDIA_URL=https://cams.example.com   # reaches this machine's port 8765
    python samples/motion_alert_rtsp.py --source rtsp://user:pass@10.0.0.5:554/stream1 --to +15551234567

Twilio fetches MMS images from a URL, so the frames are served by a small built-in media
server at unguessable, expiring URLs; PUBLIC_MEDIA_URL is where Twilio reaches it (your
reverse proxy or tunnel). Without it the alert is text only. With ROBOFLOW_API_KEY set
instead of the Twilio variables, Roboflow's managed service sends the frame inline.

The same in one command: sms-sink run --source ... --to ... --media-url-base $PUBLIC_MEDIA_URL
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from streamvision.stream.pipeline import InferencePipeline  # `from inference import InferencePipeline` works too

from sms_sink import SMSNotificationSink
from sms_sink.detectors import MotionDetector
from sms_sink.media.stores import LocalMediaServer, MediaStore
from sms_sink.providers import Provider


def make_sink(to: str, *, cooldown_seconds: float = 60, provider: Provider | None = None,
              media_store: MediaStore | None = None, **settings: Any) -> SMSNotificationSink:
    """The alert: who, what, how often, and which picture."""
    managed = provider is None and "TWILIO_ACCOUNT_SID" not in os.environ
    with_frame = managed or media_store is not None
    return SMSNotificationSink(
        receiver_number=to,
        message="Motion on {{ $parameters.camera }}: {{ $parameters.n }} moving object(s)",
        message_parameters={"n": "$predictions.predictions", "camera": "$frame.source_id"},
        message_parameters_operations={
            "n": [{"type": "SequenceLength"}],
            "camera": [{"type": "LookupTable", "lookup_table": {0: "the driveway camera"}}],
        },
        sms_provider="Roboflow Managed API Key" if managed else "Custom Twilio",  # credentials from the env
        provider=provider,
        media_url="$visualization" if with_frame else None,  # the frame with the motion boxes drawn
        media_store=media_store,
        cooldown_seconds=cooldown_seconds,
        **settings,
    )


def watch(source: str | int, sink: SMSNotificationSink, *, min_area: int = 800) -> None:
    """Run until the stream ends or Ctrl-C; then deliver what is queued."""

    def on_prediction(predictions: dict, frame: Any) -> None:
        if predictions["predictions"]:  # the alert rule: anything moved
            sink(predictions, frame)

    pipeline = InferencePipeline.init_with_custom_logic(
        video_reference=source, on_video_frame=MotionDetector(min_area=min_area), on_prediction=on_prediction,
    )
    pipeline.start(use_main_thread=False)
    try:
        pipeline.join()
    except KeyboardInterrupt:
        pipeline.terminate()
        pipeline.join()
    finally:
        report = sink.close(timeout=10)
        print(f"stats: {sink.stats()}; undelivered: {len(report.undelivered)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", required=True, help="RTSP URL, video file or device index")
    parser.add_argument("--to", required=True, help="receiver in E.164 form, e.g. +15551234567")
    parser.add_argument("--cooldown", type=float, default=60, help="seconds between alerts (default 60)")
    args = parser.parse_args(argv)
    source = int(args.source) if args.source.isdigit() else args.source
    public_url = os.environ.get("PUBLIC_MEDIA_URL")
    store = LocalMediaServer(public_url, port=8765) if public_url else None  # serves frames to Twilio
    watch(source, make_sink(args.to, cooldown_seconds=args.cooldown, media_store=store))
    return 0


if __name__ == "__main__":
    sys.exit(main())
