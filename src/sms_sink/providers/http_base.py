"""Shared HTTP plumbing for providers: one keep-alive session, one error boundary.

Transport failures are translated here, once, into the delivery error classes the retry
policy understands. Translated errors are raised ``from None``: aiohttp's own exceptions
carry the request URL, and the Roboflow proxy puts the API key in the query string.
"""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp

from ..errors import AmbiguousDeliveryError, ConfigurationError, ConnectionFailedError
from .base import Provider

__all__ = ["HttpProvider", "parse_retry_after", "validate_base_url"]


def validate_base_url(base_url: str, field: str = "base_url") -> str:
    from yarl import URL

    url = URL(base_url) if isinstance(base_url, str) else None
    if url is None or url.scheme not in ("http", "https") or not url.host:
        raise ConfigurationError(field, f"expected an http(s) URL like 'https://api.twilio.com', got {base_url!r}")
    return str(url).rstrip("/")


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds form); None when absent/unusable."""
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        return None  # HTTP-date form: rare for APIs; fall back to our own backoff
    return max(0.0, seconds)


class HttpProvider(Provider):
    """A provider that talks HTTP through one lazily created ``aiohttp.ClientSession``."""

    def __init__(self, base_url: str, *, connect_timeout: float = 5.0, max_connections: int = 16) -> None:
        self.base_url = validate_base_url(base_url)
        if connect_timeout <= 0:
            raise ConfigurationError("connect_timeout", "must be > 0 seconds")
        self._connect_timeout = connect_timeout
        self._max_connections = max_connections
        # One keep-alive session per event loop: a provider shared by several sinks (each
        # with its own loop) works, and one sink closing it leaves the others' sessions open.
        self._sessions: dict[asyncio.AbstractEventLoop, aiohttp.ClientSession] = {}

    def _get_session(self) -> aiohttp.ClientSession:
        loop = asyncio.get_running_loop()
        session = self._sessions.get(loop)
        if session is None or session.closed:
            session = self._sessions[loop] = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._max_connections, keepalive_timeout=30),
                timeout=aiohttp.ClientTimeout(total=None, sock_connect=self._connect_timeout),
                raise_for_status=False,
            )
        return session

    async def _request(self, method: str, url: str, **kwargs: Any) -> tuple[int, dict[str, str], Any]:
        """Send one request; return (status, headers, parsed JSON or text)."""
        host = self.base_url
        try:
            async with self._get_session().request(method, url, **kwargs) as response:
                raw = await response.read()
                try:
                    body: Any = await response.json(content_type=None) if raw else {}
                except ValueError:
                    body = raw.decode("utf-8", "replace")
                return response.status, dict(response.headers), body
        except (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError):
            raise ConnectionFailedError(f"could not connect to {host}") from None
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as exc:
            raise AmbiguousDeliveryError(
                f"connection to {host} failed after the request was sent ({type(exc).__name__})"
            ) from None

    async def aclose(self) -> None:
        """Close this loop's session; idempotent, and a later send opens a new one."""
        session = self._sessions.pop(asyncio.get_running_loop(), None)
        if session is not None and not session.closed:
            await session.close()
