"""sms-sink: SMS/MMS alerts from live computer-vision video, without slowing the video down.

Attach :class:`SMSNotificationSink` to an ``InferencePipeline`` as ``on_prediction``.

Names are imported on first use, so ``python -m sms_sink.sandbox`` and the CLI start
without loading OpenCV and supervision.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "AmbiguousDeliveryError": "errors",
    "ConfigurationError": "errors",
    "ConnectionFailedError": "errors",
    "DeliveryError": "errors",
    "MediaError": "errors",
    "PermanentDeliveryError": "errors",
    "RateLimitedError": "errors",
    "SinkClosedError": "errors",
    "SmsSinkError": "errors",
    "Attachment": "messages",
    "DeliveryResult": "messages",
    "OutboundMessage": "messages",
    "ProviderReceipt": "messages",
    "MemoryProvider": "providers",
    "Provider": "providers",
    "RoboflowManagedProvider": "providers",
    "TwilioProvider": "providers",
    "RetryPolicy": "retry",
    "CloseReport": "sink",
    "SMSNotificationSink": "sink",
    "SinkMetrics": "sink",
    "LocalMediaServer": "media.stores",
    "MediaStore": "media.stores",
    "MemoryMediaStore": "media.stores",
    "S3MediaStore": "media.stores",
    "MotionDetector": "detectors",
    "has_detections": "detections",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'sms_sink' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


if TYPE_CHECKING:
    from .detections import has_detections
    from .detectors import MotionDetector
    from .errors import (
        AmbiguousDeliveryError,
        ConfigurationError,
        ConnectionFailedError,
        DeliveryError,
        MediaError,
        PermanentDeliveryError,
        RateLimitedError,
        SinkClosedError,
        SmsSinkError,
    )
    from .media.stores import LocalMediaServer, MediaStore, MemoryMediaStore, S3MediaStore
    from .messages import Attachment, DeliveryResult, OutboundMessage, ProviderReceipt
    from .providers import MemoryProvider, Provider, RoboflowManagedProvider, TwilioProvider
    from .retry import RetryPolicy
    from .sink import CloseReport, SinkMetrics, SMSNotificationSink
