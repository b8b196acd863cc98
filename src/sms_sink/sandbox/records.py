"""What the sandbox remembers: one :class:`SandboxMessage` per accepted request.

:class:`MessageLog` is shared by the server's event loop and test threads, so
every access goes through one lock, and waiting works from any thread.
"""

from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable

__all__ = ["MessageLog", "SandboxImage", "SandboxMessage", "message_to_json"]


@dataclass(frozen=True)
class SandboxImage:
    """One image the sandbox received: fetched from ``source`` (a URL) or ``"inline"``."""

    content_type: str
    data: bytes = field(repr=False)
    source: str

    @property
    def size(self) -> int:
        """Length of ``data`` in bytes."""
        return len(self.data)

    @property
    def extension(self) -> str:
        """File extension matching ``content_type`` (``jpg``, ``png``, ``gif``)."""
        return {"image/jpeg": "jpg", "image/png": "png", "image/gif": "gif"}.get(self.content_type, "bin")


@dataclass(frozen=True)
class SandboxMessage:
    """A message as the sandbox recorded it.

    ``status`` is ``"queued"`` or ``"failed"`` (media could not be fetched; then
    ``error_code``/``error_message`` say why). ``extra`` holds the other request
    parameters (``StatusCallback``, ``ValidityPeriod``, ``MessagingServiceSid`` ...).
    """

    sid: str
    api: str
    account_sid: str | None
    to: str
    from_: str | None
    body: str
    num_segments: int
    status: str
    error_code: int | None
    error_message: str | None
    media_urls: tuple[str, ...]
    images: tuple[SandboxImage, ...]
    force_mms: bool
    created_at: datetime
    extra: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)

    @property
    def num_media(self) -> int:
        """Media items the request carried (URLs plus inline images)."""
        return len(self.media_urls) + sum(1 for image in self.images if image.source == "inline")


def message_to_json(message: SandboxMessage, image_url: Callable[[int], str]) -> dict[str, Any]:
    """JSON-ready dict of ``message``; images become metadata plus ``image_url(index)``."""
    return {
        "sid": message.sid,
        "api": message.api,
        "account_sid": message.account_sid,
        "to": message.to,
        "from": message.from_,
        "body": message.body,
        "num_segments": message.num_segments,
        "num_media": message.num_media,
        "status": message.status,
        "error_code": message.error_code,
        "error_message": message.error_message,
        "media_urls": list(message.media_urls),
        "images": [
            {"content_type": image.content_type, "size": image.size, "source": image.source, "url": image_url(i)}
            for i, image in enumerate(message.images)
        ],
        "force_mms": message.force_mms,
        "created_at": message.created_at.isoformat().replace("+00:00", "Z"),
        "extra": dict(message.extra),
    }


class MessageLog:
    """Thread-safe list of recorded messages and a count of send requests."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._messages: list[SandboxMessage] = []
        self._requests = 0

    def add(self, message: SandboxMessage) -> None:
        """Record ``message`` and wake every waiter."""
        with self._changed:
            self._messages.append(message)
            self._changed.notify_all()

    def count_request(self) -> None:
        """Count one send request, whatever became of it."""
        with self._changed:
            self._requests += 1

    @property
    def requests(self) -> int:
        """Send requests received since start or the last ``clear``."""
        with self._changed:
            return self._requests

    def snapshot(self) -> list[SandboxMessage]:
        """A copy of the recorded messages, oldest first."""
        with self._changed:
            return list(self._messages)

    def find(self, sid: str) -> SandboxMessage | None:
        """The message with ``sid``, if recorded."""
        with self._changed:
            return next((m for m in self._messages if m.sid == sid), None)

    def clear(self) -> None:
        """Forget every message and reset the request count."""
        with self._changed:
            self._messages.clear()
            self._requests = 0

    def wait(self, n: int, timeout: float) -> list[SandboxMessage]:
        """Block until ``n`` messages are recorded; ``TimeoutError`` after ``timeout`` s."""
        with self._changed:
            if not self._changed.wait_for(lambda: len(self._messages) >= n, timeout):
                raise TimeoutError(_timeout_text(n, len(self._messages), timeout))
            return list(self._messages)

    async def async_wait(self, n: int, timeout: float, poll: float = 0.005) -> list[SandboxMessage]:
        """Like :meth:`wait` without blocking the event loop (polls; works from any loop)."""
        deadline = time.monotonic() + timeout
        while True:
            messages = self.snapshot()
            if len(messages) >= n:
                return messages
            if time.monotonic() >= deadline:
                raise TimeoutError(_timeout_text(n, len(messages), timeout))
            await asyncio.sleep(poll)


def _timeout_text(n: int, got: int, timeout: float) -> str:
    return f"expected {n} sandbox message(s), got {got} within {timeout} s"
