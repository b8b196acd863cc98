"""Value types that travel from the sink to a provider and back."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Hashable

__all__ = ["Attachment", "DeliveryResult", "OutboundMessage", "ProviderReceipt"]


@dataclass(frozen=True, slots=True)
class Attachment:
    """One MMS attachment: a URL the provider fetches, or encoded bytes sent inline/stored."""

    url: str | None = None
    data: bytes | None = None
    content_type: str = "image/jpeg"

    def __post_init__(self) -> None:
        if (self.url is None) == (self.data is None):
            raise ValueError("Attachment needs exactly one of url or data")

    def __repr__(self) -> str:
        if self.url is not None:
            return f"Attachment(url={self.url!r})"
        return f"Attachment(data=<{len(self.data or b'')} bytes>, content_type={self.content_type!r})"


@dataclass(frozen=True, slots=True)
class OutboundMessage:
    """A rendered message, ready for ``Provider.send``."""

    to: str
    body: str
    media: tuple[Attachment, ...] = ()
    force_mms: bool = False
    source_id: Hashable = None


@dataclass(frozen=True, slots=True)
class ProviderReceipt:
    """What a provider returns when it accepted a message."""

    message_id: str | None
    http_status: int
    status: str | None = None
    segments: int | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True, slots=True)
class DeliveryResult:
    """The outcome of one delivery (all attempts), given to ``on_result``."""

    ok: bool
    provider_message_id: str | None
    http_status: int | None
    error_code: int | None
    error_message: str | None
    attempts: int
    latency_s: float
    source_id: Hashable
    receiver_number: str
    body: str
    segments: int
    media_count: int
