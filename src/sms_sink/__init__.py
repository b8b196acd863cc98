"""sms-sink: SMS/MMS alerts from live computer-vision video, without slowing the video down.

Attach :class:`SMSNotificationSink` to an ``InferencePipeline`` as ``on_prediction``.
"""

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
from .messages import Attachment, DeliveryResult, OutboundMessage, ProviderReceipt
from .providers import MemoryProvider, Provider, RoboflowManagedProvider, TwilioProvider
from .retry import RetryPolicy
from .sink import CloseReport, SMSNotificationSink

__version__ = "0.1.0"

__all__ = [
    "AmbiguousDeliveryError",
    "Attachment",
    "CloseReport",
    "ConfigurationError",
    "ConnectionFailedError",
    "DeliveryError",
    "DeliveryResult",
    "MediaError",
    "MemoryProvider",
    "OutboundMessage",
    "PermanentDeliveryError",
    "Provider",
    "ProviderReceipt",
    "RateLimitedError",
    "RetryPolicy",
    "RoboflowManagedProvider",
    "SMSNotificationSink",
    "SinkClosedError",
    "SmsSinkError",
    "TwilioProvider",
]
