"""The provider interface: one async ``send`` per attempt, plus ``aclose``."""

from __future__ import annotations

import abc

from ..lifecycle import AsyncResource
from ..messages import OutboundMessage, ProviderReceipt

__all__ = ["Provider"]


class Provider(AsyncResource, abc.ABC):
    """Sends one message in one attempt.

    ``send`` returns a receipt or raises a :class:`~sms_sink.errors.DeliveryError`
    subclass that says whether a retry is safe; retries, timeouts and rate limits
    live in the sink, not here.
    """

    #: True when the provider takes attachment bytes inline (no media store needed).
    accepts_inline_media: bool = False
    #: The block's ``message`` output after a successful synchronous send.
    success_message: str = "Notification sent successfully"
    #: What the block's ``message`` output puts before an error that is not already worded
    #: as a failed send (the Custom Twilio block's wording).
    failure_prefix: str = "Failed to send Twilio SMS notification. Internal error details: "

    def failure_message(self, error: str) -> str:
        """The block's ``message`` output after a failed synchronous send."""
        return error if error.startswith("Failed to send") else self.failure_prefix + error

    @abc.abstractmethod
    async def send(self, message: OutboundMessage) -> ProviderReceipt:
        """Send ``message`` once."""
