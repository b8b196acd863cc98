"""``sms-sink run``: a real deployment in one command.

Watches one or more cameras (RTSP/HTTP URL, video file or device index) with the built-in
motion detector and texts every receiver when something moves, at most once per cooldown
per camera. Credentials come from the environment (see 'sms-sink --help'). Ctrl-C or
SIGTERM stops the video and delivers what is queued; a second Ctrl-C quits at once.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from ..detectors import MotionDetector
from .alerting import DEFAULT_MESSAGE, MEDIA_CHOICES, MESSAGE_HELP, motion_sink
from .common import (
    EXIT_CONFIG,
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    CliError,
    e164,
    non_negative_float,
    parse_source,
    positive_float,
    redact,
    tcp_port,
    zone,
)
from .delivery import add_delivery_arguments, open_delivery
from .report import Reporter
from .session import watch

if TYPE_CHECKING:
    from ..metrics import PrometheusMetrics

__all__ = ["add_parser", "main"]


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "run", help="watch cameras and text on motion (a real deployment)",
        description=__doc__.split("\n\n", 1)[1], formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--source", action="append", required=True, metavar="URL|FILE|DEVICE",
                        help="video source; repeat for several cameras (each has its own cooldown)")
    parser.add_argument("--to", action="append", required=True, type=e164, metavar="+E164",
                        help="receiver; repeat for several")
    parser.add_argument("--message", default=DEFAULT_MESSAGE, help=MESSAGE_HELP)
    parser.add_argument("--cooldown", type=non_negative_float, default=30.0,
                        help="seconds between alerts per camera and receiver (default 30)")
    parser.add_argument("--media", choices=MEDIA_CHOICES, default="visualization",
                        help="attach the annotated frame, the raw frame, or nothing (default visualization)")
    detection = parser.add_argument_group("detection")
    detection.add_argument("--detector", choices=["motion"], default="motion",
                           help="built-in detector (default motion)")
    detection.add_argument("--min-area", type=int, default=500, help="smallest moving region in pixels (default 500)")
    detection.add_argument("--zone", type=zone, metavar="x1,y1,x2,y2,x3,y3,...",
                           help="only alert on motion whose center is inside this polygon (frame pixels)")
    detection.add_argument("--max-fps", type=positive_float, help="process at most this many frames per second")
    add_delivery_arguments(parser, outbox_default="outbox")
    output = parser.add_argument_group("output")
    output.add_argument("--json", action="store_true", help="print JSON lines (deliveries, summary) instead of text")
    output.add_argument("--drain-timeout", type=positive_float, default=10.0,
                        help="seconds to deliver queued alerts when stopping (default 10)")
    output.add_argument("--metrics-port", type=tcp_port, metavar="PORT",
                        help="serve Prometheus metrics on this port (needs sms-sink[metrics])")
    output.add_argument("--metrics-addr", default="127.0.0.1", help="metrics interface (default 127.0.0.1)")
    parser.set_defaults(handler=main)


def main(args: argparse.Namespace) -> int:
    if args.min_area < 0:
        raise CliError(EXIT_USAGE, "--min-area must be >= 0")
    sources = [parse_source(value) for value in args.source]
    detector = MotionDetector(min_area=args.min_area, zone=args.zone)
    reporter = Reporter(json_mode=args.json)
    delivery = open_delivery(args, needs_media=args.media != "none")
    metrics = None
    try:
        metrics = _metrics(args)
        sink = motion_sink(
            receivers=args.to, message=args.message, cooldown=args.cooldown, media=args.media, delivery=delivery,
            reporter=reporter, video_clock=all(_is_file(source) for source in sources), metrics=metrics,
        )
        shown = [redact(source) for source in sources]
        metrics_url = f"http://{args.metrics_addr}:{metrics.port}/metrics" if metrics is not None else None
        reporter.event("start", sources=shown, provider=delivery.name, receivers=len(args.to), cooldown=args.cooldown,
                       metrics=metrics_url)
        reporter.say(f"watching {', '.join(shown)}; alerts via {delivery.name} to {', '.join(args.to)} "
                     f"(cooldown {args.cooldown:g} s). Ctrl-C to stop.")
        if metrics_url:
            reporter.say(f"Prometheus metrics: {metrics_url}")
        result = watch(sources=sources, detector=detector, sink=sink, reporter=reporter,
                       drain_timeout=args.drain_timeout, max_fps=args.max_fps)
    finally:
        delivery.close()
        if metrics is not None:
            metrics.close()
            metrics.unregister()
    stats = result.stats
    reporter.event("summary", frames=result.frames, seconds=round(result.seconds, 2), interrupted=result.interrupted,
                   errors=result.errors, **stats)
    reporter.say(f"{result.frames} frames in {result.seconds:.1f} s: {stats['sent']} sent, {stats['failed']} failed, "
                 f"{stats['throttled']} throttled, {stats['dropped']} dropped, {result.undelivered} undelivered")
    if delivery.sandbox is not None and delivery.sandbox.outbox_dir is not None:
        reporter.say(f"outbox: {(delivery.sandbox.outbox_dir.resolve() / 'index.html').as_uri()}")
    for error in result.errors:
        reporter.say(f"pipeline error: {error}")
    undelivered = stats["failed"] + stats["dropped"] + result.undelivered
    return EXIT_FAILED if undelivered or result.errors else EXIT_OK


def _is_file(source: Any) -> bool:
    return isinstance(source, str) and "://" not in source


def _metrics(args: argparse.Namespace) -> PrometheusMetrics | None:
    if args.metrics_port is None:
        return None
    try:
        from ..metrics import PrometheusMetrics
    except ImportError as exc:
        raise CliError(EXIT_CONFIG, str(exc)) from None
    return PrometheusMetrics(port=args.metrics_port, addr=args.metrics_addr)
