"""The sms-sink exception tree.

One root, so callers can catch everything the library raises with one clause::

    SmsSinkError
    ├── ConfigurationError      bad construction argument (also a ValueError); names the field
    ├── SinkClosedError         the sink was called after close()
    ├── MediaError              a frame could not be rendered, encoded or stored
    └── DeliveryError           one send attempt failed; carries http_status / error_code
        ├── RateLimitedError        429 / Twilio 20429: not processed, safe to retry
        ├── ConnectionFailedError   no connection was made: not sent, safe to retry
        ├── AmbiguousDeliveryError  5xx, reset or timeout after sending: may exist, retry can duplicate
        └── PermanentDeliveryError  the provider refused it (21211, 21610, 401 ...): never retried

Messages never contain secrets: providers build them from status codes and the
provider's own error text, never from request headers or URLs with credentials.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "AmbiguousDeliveryError",
    "ConfigurationError",
    "ConnectionFailedError",
    "DeliveryError",
    "MediaError",
    "PermanentDeliveryError",
    "RateLimitedError",
    "SinkClosedError",
    "SmsSinkError",
]


class SmsSinkError(Exception):
    """Root of every error sms-sink raises."""


class ConfigurationError(SmsSinkError, ValueError):
    """A construction argument is invalid; ``field`` names it."""

    def __init__(self, field: str, problem: str) -> None:
        self.field = field
        super().__init__(f"{field}: {problem}")


class SinkClosedError(SmsSinkError, RuntimeError):
    """The sink was called after ``close()``."""


class MediaError(SmsSinkError):
    """A frame could not be turned into an attachment."""


class DeliveryError(SmsSinkError):
    """One send attempt failed.

    ``http_status`` and ``error_code`` are the provider's (``None`` when no response came);
    ``response`` is the provider's JSON error body when it sent one (Twilio's ``code``,
    ``message``, ``more_info``, ``status``), which never holds credentials.
    """

    retryable = False

    def __init__(
        self,
        message: str,
        *,
        http_status: int | None = None,
        error_code: int | None = None,
        response: dict[str, Any] | None = None,
    ) -> None:
        self.http_status = http_status
        self.error_code = error_code
        self.response = response
        super().__init__(message)


class RateLimitedError(DeliveryError):
    """The provider did not process the request (429 / 20429 / 21611); ``retry_after`` in s."""

    retryable = True

    def __init__(
        self,
        message: str,
        *,
        http_status: int | None = 429,
        error_code: int | None = None,
        retry_after: float | None = None,
        response: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message, http_status=http_status, error_code=error_code, response=response)
        self.retry_after = retry_after


class ConnectionFailedError(DeliveryError):
    """No connection reached the provider, so nothing was sent."""

    retryable = True


class AmbiguousDeliveryError(DeliveryError):
    """The request may have been processed (5xx, reset or timeout after sending)."""

    retryable = True


class PermanentDeliveryError(DeliveryError):
    """The provider refused the message; retrying cannot help."""
