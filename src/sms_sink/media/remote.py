"""Sizes of the media URLs a message carries beside its frames.

Twilio's 5 MB is for all the media of a message, the user's own URLs included, so the
frames may only take what those leave. The URLs are fixed when the sink is built: each is
asked once, with ``HEAD`` (as Twilio does before fetching), for its ``Content-Length``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

import aiohttp

__all__ = ["content_lengths"]

log = logging.getLogger("sms_sink")


async def content_lengths(urls: Sequence[str], *, timeout: float = 5.0) -> list[int | None]:
    """``Content-Length`` of each URL (``None`` where the server did not say or did not answer)."""
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)) as session:
        return list(await asyncio.gather(*(_content_length(session, url) for url in urls)))


async def _content_length(session: aiohttp.ClientSession, url: str) -> int | None:
    try:
        async with session.head(url, allow_redirects=True) as response:
            if response.status == 200 and response.content_length is not None:
                return response.content_length
            log.debug("sms-sink: HEAD of a media URL answered %d without a size", response.status)
    except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
        log.debug("sms-sink: HEAD of a media URL failed: %s", type(exc).__name__)
    return None
