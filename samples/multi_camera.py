"""Several cameras in one pipeline, each with its own cooldown and its own message.

One InferencePipeline decodes every camera; a small router hands each camera's frames to
that camera's sink, so the front door can alert every 30 s while the car park alerts at
most every 5 minutes, and a busy camera never silences a quiet one.

    export TWILIO_ACCOUNT_SID=AC... TWILIO_AUTH_TOKEN=... TWILIO_PHONE_NUMBER=+1...
    python samples/multi_camera.py --to +15551234567

Try it offline (two generated videos, the embedded sandbox, no account):

    python samples/multi_camera.py --offline
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from streamvision.stream.pipeline import InferencePipeline  # `from inference import InferencePipeline` works too

from sms_sink import SMSNotificationSink, TwilioProvider
from sms_sink.demo_video import write_demo_video
from sms_sink.detectors import MotionDetector
from sms_sink.sandbox import SandboxServer


@dataclass(frozen=True)
class Camera:
    name: str
    source: str | int
    cooldown_seconds: float


CAMERAS = [
    Camera("front door", "rtsp://10.0.0.11:554/stream1", cooldown_seconds=30),
    Camera("car park", "rtsp://10.0.0.12:554/stream1", cooldown_seconds=300),
]


def camera_sink(camera: Camera, to: str, *, provider: TwilioProvider | None = None,
                video_clock: bool = False) -> SMSNotificationSink:
    """One sink per camera: its own cooldown window and a message that names the camera."""
    return SMSNotificationSink(
        receiver_number=to,
        message=f"Motion at the {camera.name}: {{{{ $parameters.n }}}} moving object(s)",
        message_parameters={"n": "$predictions.predictions"},
        message_parameters_operations={"n": [{"type": "SequenceLength"}]},
        sms_provider="Custom Twilio",  # credentials from TWILIO_* unless a provider is given
        provider=provider,
        cooldown_seconds=camera.cooldown_seconds,
        cooldown_clock="video" if video_clock else "monotonic",  # files play faster than real time
    )


class Router:
    """``on_prediction`` for several sources: frames with motion go to their camera's sink."""

    def __init__(self, sinks: list[SMSNotificationSink]) -> None:
        self.sinks = sinks

    def __call__(self, predictions: Any, frames: Any) -> None:
        if not isinstance(frames, list):  # one source, or SinkMode.SEQUENTIAL
            predictions, frames = [predictions], [frames]
        for prediction, frame in zip(predictions, frames):
            if frame is not None and prediction and prediction["predictions"]:
                self.sinks[frame.source_id](prediction, frame)


def watch(cameras: list[Camera], sinks: list[SMSNotificationSink]) -> None:
    """Run until the sources end or Ctrl-C, then deliver what is queued."""
    pipeline = InferencePipeline.init_with_custom_logic(
        video_reference=[camera.source for camera in cameras],
        on_video_frame=MotionDetector(min_area=800),  # one background model per camera
        on_prediction=Router(sinks),
    )
    pipeline.start(use_main_thread=False)
    try:
        pipeline.join()
    except KeyboardInterrupt:
        pipeline.terminate()
        pipeline.join()
    finally:
        for sink in sinks:
            sink.close(timeout=10)


def offline() -> int:
    """Two generated videos with different cooldowns, alerts to an embedded sandbox."""
    with tempfile.TemporaryDirectory() as tmp, SandboxServer.run_in_thread() as sandbox:
        cameras = [
            Camera("front door", str(write_demo_video(Path(tmp) / "a.mp4", width=320, height=240, seconds=4)), 1.0),
            Camera("car park",
                   str(write_demo_video(Path(tmp) / "b.mp4", width=320, height=240, seconds=4, seed=1)), 10.0),
        ]
        sinks = [
            camera_sink(camera, "+15551234567", video_clock=True,
                        provider=TwilioProvider(sandbox.account_sid, sandbox.auth_token, "+15005550006",
                                                base_url=sandbox.url))
            for camera in cameras
        ]
        watch(cameras, sinks)
        for message in sandbox.messages:
            print(message.body)
        counts = [sum(m.body.startswith(f"Motion at the {c.name}:") for m in sandbox.messages) for c in cameras]
    print(f"front door (1 s cooldown): {counts[0]} alerts; car park (10 s cooldown): {counts[1]} alert")
    return 0 if counts[0] > counts[1] >= 1 else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--to", help="receiver in E.164 form, e.g. +15551234567")
    parser.add_argument("--offline", action="store_true", help="generated videos and the embedded sandbox")
    args = parser.parse_args(argv)
    if args.offline:
        return offline()
    if not args.to:
        parser.error("--to is required (or try --offline)")
    watch(CAMERAS, [camera_sink(camera, args.to) for camera in CAMERAS])
    return 0


if __name__ == "__main__":
    sys.exit(main())
