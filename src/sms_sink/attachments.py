"""What ``media_url`` asks for: public URLs passed through, or the frame itself.

Parsed once at construction. ``"$frame.image"`` attaches the raw frame and
``"$visualization"`` the frame annotated with the predictions; both are copied on the
pipeline thread when an alert is accepted and encoded later, off the event loop.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from yarl import URL

from .errors import ConfigurationError

__all__ = ["FRAME", "MAX_MEDIA", "VISUALIZATION", "MediaPlan"]

FRAME = "$frame.image"
VISUALIZATION = "$visualization"
MAX_MEDIA = 10  # Twilio's limit per message


@dataclass(frozen=True)
class MediaPlan:
    """The ordered attachments of every message: URLs and frame selectors."""

    items: tuple[str, ...] = ()

    @classmethod
    def parse(cls, media_url: str | Sequence[str] | None, field: str = "media_url") -> "MediaPlan":
        if media_url is None:
            return cls()
        values: Sequence[Any] = [media_url] if isinstance(media_url, str) else media_url
        if not isinstance(values, (list, tuple)):
            raise ConfigurationError(field, f"expected a URL, a selector or a list of them, got {type(media_url).__name__}")
        if len(values) > MAX_MEDIA:
            raise ConfigurationError(field, f"{len(values)} items given; a message carries at most {MAX_MEDIA}")
        return cls(tuple(_validate_item(value, f"{field}[{i}]") for i, value in enumerate(values)))

    @property
    def uses_frame(self) -> bool:
        """True when the frame image must be copied at call time."""
        return any(item in (FRAME, VISUALIZATION) for item in self.items)

    @property
    def uses_visualization(self) -> bool:
        return VISUALIZATION in self.items

    def __bool__(self) -> bool:
        return bool(self.items)


def _validate_item(value: Any, field: str) -> str:
    if not isinstance(value, str):
        raise ConfigurationError(field, f"expected a string, got {type(value).__name__}")
    if value in (FRAME, VISUALIZATION):
        return value
    if value.startswith("$"):
        raise ConfigurationError(
            field, f"unknown selector {value!r}; use {FRAME!r} (raw frame) or {VISUALIZATION!r} (annotated frame)"
        )
    url = URL(value)
    if url.scheme not in ("http", "https") or not url.host:
        raise ConfigurationError(field, f"{value!r} is not an http(s) URL the provider can fetch")
    return value
