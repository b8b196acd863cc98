"""Getting media the way Twilio does: HEAD then GET per URL, or decoding inline base64.

Twilio checks that both answers succeed, that the GET Content-Type is a
supported image type and agrees with the HEAD one (and the lengths agree), and that all media together
stay within 5 MB. A failure is a :class:`MediaFailure` carrying the Twilio code
(11200 retrieval, 12300 content type, 30019 size) the sandbox reports.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
from typing import Any, Iterable, Sequence

import aiohttp

from .codes import twilio_message
from .records import SandboxImage
from .validation import MAX_MEDIA_BYTES, SUPPORTED_IMAGE_TYPES

__all__ = ["MediaFailure", "MediaFetcher", "decode_inline"]

_CHUNK = 64 * 1024


class MediaFailure(Exception):
    """Media could not be used; ``code`` is the Twilio error code to report."""

    def __init__(self, code: int, detail: str) -> None:
        self.code = code
        super().__init__(f"{twilio_message(code)}: {detail}")


class MediaFetcher:
    """Fetches MediaUrls with a session the sandbox owns; one attempt per URL."""

    def __init__(self, session: aiohttp.ClientSession, *, timeout: float, max_total: int = MAX_MEDIA_BYTES) -> None:
        self._session = session
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._max_total = max_total

    async def fetch_all(self, urls: Sequence[str], *, budget_used: int = 0) -> tuple[SandboxImage, ...]:
        """Fetch every URL in order; ``budget_used`` bytes already count toward 5 MB."""
        images: list[SandboxImage] = []
        used = budget_used
        for url in urls:
            image = await self._fetch(url, self._max_total - used)
            used += image.size
            images.append(image)
        return tuple(images)

    async def _fetch(self, url: str, budget: int) -> SandboxImage:
        try:
            async with self._session.head(url, timeout=self._timeout, allow_redirects=True) as head:
                _require_ok(head, "HEAD", url)
                head_type, head_length = head.content_type, head.content_length
            async with self._session.get(url, timeout=self._timeout) as response:
                _require_ok(response, "GET", url)
                content_type = response.content_type
                if content_type not in SUPPORTED_IMAGE_TYPES:
                    raise MediaFailure(12300, f"{content_type!r} from {url} is not a supported image type")
                if content_type != head_type:
                    raise MediaFailure(12300, f"HEAD said {head_type!r} but GET said {content_type!r} for {url}")
                data = await _read_capped(response, budget, url)
                if head_length is not None and head_length != len(data):
                    raise MediaFailure(11200, f"HEAD said {head_length} bytes but GET sent {len(data)} for {url}")
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            raise MediaFailure(11200, f"{type(exc).__name__} fetching {url}") from None
        return SandboxImage(content_type=content_type, data=data, source=url)


def decode_inline(items: Iterable[Any], *, max_total: int = MAX_MEDIA_BYTES) -> tuple[SandboxImage, ...]:
    """Decode the proxy's ``[{"base64": ..., "mimeType": ...}]``; ``ValueError`` says what is wrong."""
    images: list[SandboxImage] = []
    total = 0
    for index, item in enumerate(items):
        if not isinstance(item, dict) or not isinstance(item.get("base64"), str):
            raise ValueError(f"media_base64[{index}] must be an object with a 'base64' string")
        mime = item.get("mimeType", "image/jpeg")
        if mime not in SUPPORTED_IMAGE_TYPES:
            raise ValueError(f"media_base64[{index}] mimeType {mime!r} is not one of {sorted(SUPPORTED_IMAGE_TYPES)}")
        try:
            data = base64.b64decode(item["base64"], validate=True)
        except (binascii.Error, ValueError):
            raise ValueError(f"media_base64[{index}] is not valid base64") from None
        if not data:
            raise ValueError(f"media_base64[{index}] is empty")
        total += len(data)
        if total > max_total:
            raise ValueError(f"media exceeds the {max_total} byte total")
        images.append(SandboxImage(content_type=mime, data=data, source="inline"))
    return tuple(images)


def _require_ok(response: aiohttp.ClientResponse, method: str, url: str) -> None:
    if response.status >= 400:
        raise MediaFailure(11200, f"{method} {url} answered HTTP {response.status}")


async def _read_capped(response: aiohttp.ClientResponse, budget: int, url: str) -> bytes:
    """Read the body, giving up as soon as it would exceed ``budget`` bytes."""
    if response.content_length is not None and response.content_length > budget:
        raise MediaFailure(30019, f"{url} is {response.content_length} bytes; media total is limited to 5 MB")
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.content.iter_chunked(_CHUNK):
        size += len(chunk)
        if size > budget:
            raise MediaFailure(30019, f"{url} pushes the media total past 5 MB")
        chunks.append(chunk)
    return b"".join(chunks)
