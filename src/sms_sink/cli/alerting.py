"""The alert the ``demo`` and ``run`` commands send: a motion message, with the frame if asked."""

from __future__ import annotations

from typing import Sequence

from ..detections import has_detections
from ..sink import SinkMetrics, SMSNotificationSink
from .delivery import Delivery
from .report import Reporter

__all__ = ["DEFAULT_MESSAGE", "MEDIA_CHOICES", "MESSAGE_HELP", "motion_sink"]

DEFAULT_MESSAGE = "Motion on camera {{ $parameters.cam }}: {{ $parameters.n }} moving object(s)"
MESSAGE_HELP = ("message template; {{ $parameters.n }} is the number of moving objects, {{ $parameters.cam }} "
                "the camera (source index), {{ $parameters.time }} the frame time")
#: ``--media`` choice -> the sink's ``media_url``.
MEDIA_CHOICES = {"visualization": "$visualization", "frame": "$frame.image", "none": None}

_PARAMETERS = {"n": "$predictions.predictions", "cam": "$frame.source_id", "time": "$frame.frame_timestamp"}
_OPERATIONS = {"n": [{"type": "SequenceLength"}], "time": [{"type": "TimestampToISOFormat"}]}


def motion_sink(
    *,
    receivers: Sequence[str],
    message: str,
    cooldown: float,
    media: str,
    delivery: Delivery,
    reporter: Reporter,
    video_clock: bool,
    metrics: SinkMetrics | None = None,
) -> SMSNotificationSink:
    """A sink for :class:`~sms_sink.detectors.MotionDetector` predictions.

    ``video_clock`` measures the cooldown in video time, right for files decoded faster
    than real time; live sources use the monotonic clock.
    """
    return SMSNotificationSink(
        receiver_number=list(receivers),
        message=message,
        message_parameters=_PARAMETERS,
        message_parameters_operations=_OPERATIONS,
        provider=delivery.provider,
        media_store=delivery.media_store,
        media_url=MEDIA_CHOICES[media],
        cooldown_seconds=cooldown,
        cooldown_clock="video" if video_clock else "monotonic",
        alert_when=has_detections,  # the detector answers every frame; alert on motion only
        on_result=reporter.delivery,
        metrics=metrics,
    )
