"""``sms-sink demo``: the whole product offline, in seconds, with no account.

A generated street video goes through the real InferencePipeline and the built-in
motion detector; alerts with the annotated frame go through the real Twilio provider to
the embedded sandbox, which fetches each frame from a loopback media server exactly as
Twilio would (the private-frames path), and writes an outbox page to open in a browser.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path
from typing import Any

from ..demo_video import write_demo_video
from ..detectors import MotionDetector
from ..sandbox.outbox import Outbox
from .alerting import DEFAULT_MESSAGE, motion_sink
from .common import EXIT_FAILED, EXIT_OK, e164, non_negative_float, positive_float
from .delivery import sandbox_delivery
from .report import Reporter
from .session import watch

__all__ = ["add_parser", "main"]

_RECEIVER = "+15551234567"  # a reserved test number: the sandbox never sends anything
_WIDTH, _HEIGHT = 1280, 720
#: Alert on motion centred in the middle 60% of the picture, so the photo shows the whole object.
_ZONE = [(_WIDTH // 5, 0), (_WIDTH * 4 // 5, 0), (_WIDTH * 4 // 5, _HEIGHT), (_WIDTH // 5, _HEIGHT)]


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "demo", help="offline demo: generated video -> motion alerts -> sandbox outbox page",
        description=__doc__.split("\n\n", 1)[1], formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--outbox", metavar="DIR", default="outbox",
                        help="where the outbox page goes (default ./outbox)")
    parser.add_argument("--seconds", type=positive_float, default=8.0, help="length of the generated video (default 8)")
    parser.add_argument("--cooldown", type=non_negative_float, default=2.0,
                        help="seconds of video between alerts (default 2)")
    parser.add_argument("--to", type=e164, default=_RECEIVER, metavar="+E164",
                        help=f"receiver shown in the outbox (default {_RECEIVER})")
    parser.add_argument("--json", action="store_true", help="print JSON lines (deliveries, summary) instead of text")
    parser.set_defaults(handler=main)


def main(args: argparse.Namespace) -> int:
    reporter = Reporter(json_mode=args.json)
    outbox = Path(args.outbox).expanduser().resolve()
    Outbox(outbox).clear()  # each demo run starts a fresh page
    with tempfile.TemporaryDirectory(prefix="sms-sink-demo-") as tmp:
        video = write_demo_video(Path(tmp) / "street.mp4", width=_WIDTH, height=_HEIGHT, seconds=args.seconds)
        delivery = sandbox_delivery(outbox, needs_media=True)
        sandbox = delivery.sandbox
        assert sandbox is not None  # a sandbox delivery always has one
        try:
            reporter.say(f"sms-sink demo: {args.seconds:g} s of generated video, motion alerts to the sandbox at "
                         f"{sandbox.url}")
            sink = motion_sink(receivers=[args.to], message=DEFAULT_MESSAGE, cooldown=args.cooldown,
                               media="visualization", delivery=delivery, reporter=reporter, video_clock=True)
            result = watch(sources=[str(video)], detector=MotionDetector(zone=_ZONE), sink=sink, reporter=reporter,
                           drain_timeout=15.0)
            messages = sandbox.messages
        finally:
            delivery.close()
    page = outbox / "index.html"
    stats = result.stats
    images = sum(len(message.images) for message in messages)
    reporter.event("summary", frames=result.frames, seconds=round(result.seconds, 2), images=images,
                   outbox=page.as_uri(), **stats)
    reporter.say(
        f"\n{result.frames} frames in {result.seconds:.1f} s: {stats['sent']} alert(s) sent with {images} image(s), "
        f"{stats['failed']} failed, {stats['throttled']} throttled by the {args.cooldown:g} s cooldown.\n"
        f"Open the outbox: {page.as_uri()}\n"
        f"Or serve it live: sms-sink sandbox --outbox {args.outbox}"
    )
    return EXIT_OK if stats["sent"] > 0 and not result.undelivered else EXIT_FAILED
