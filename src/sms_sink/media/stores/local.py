"""A small HTTP server on the sink's loop that serves each frame at an unguessable,
expiring URL, so private camera frames never go to a third-party host.

Only ``GET``/``HEAD /media/<token>.<ext>`` is served; every other path and method is 404. Tokens
carry 192 bits of randomness (``secrets.token_urlsafe(24)``); unknown and expired tokens
are 404. Memory is bounded by a byte budget (oldest evicted first) and by the TTL.
The server must be reachable by Twilio: expose it through a reverse proxy or tunnel and
pass that public address as ``public_base_url`` (a path prefix is kept: the proxy maps
``<public_base_url>/media/...`` to ``/media/...`` here). Access logs are off because the
URLs are capabilities. At close the sink waits (within its deadline) until every URL was
fetched once, because Twilio fetches media after it has accepted the message.
"""

from __future__ import annotations

import asyncio
import math
import secrets
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Callable

from aiohttp import web
from yarl import URL

from ...errors import ConfigurationError, MediaError
from .base import CONTENT_TYPES, MediaStore, check_ttl, extension_for

__all__ = ["LocalMediaServer"]

_TOKEN_BYTES = 24
_SHUTDOWN_TIMEOUT_S = 1.0
_MAX_TTL_S = 7 * 24 * 3600.0


@dataclass(frozen=True, slots=True)
class _Entry:
    data: bytes
    content_type: str
    expires_at: float


def _check_base_url(value: Any) -> URL:
    """Validate ``public_base_url``: absolute http(s), no query or fragment; trailing / dropped."""
    if not isinstance(value, str):
        raise ConfigurationError("public_base_url", f"expected a str, got {type(value).__name__}")
    url = URL(value)
    if url.scheme not in ("http", "https") or not url.host:
        raise ConfigurationError(
            "public_base_url",
            f"{value!r} is not an absolute http(s) URL; give the address Twilio reaches this "
            "server at, e.g. https://cams.example.com",
        )
    if url.query_string or url.fragment or url.user or url.password:
        raise ConfigurationError(
            "public_base_url",
            "must not carry a query, fragment or credentials; give scheme, host and path only",
        )
    return url.with_path(url.path.rstrip("/"))


class LocalMediaServer(MediaStore):
    """Serves stored media over HTTP at ``{public_base_url}/media/{token}.{ext}``.

    ``port=0`` binds a free port (read :attr:`port` after :meth:`start`); a
    ``public_base_url`` with the explicit port ``:0`` (``http://127.0.0.1:0``, for tests
    and same-host use) then takes the bound port too. ``clock`` is injectable so tests
    move time instead of sleeping.

    Example::

        async with LocalMediaServer("https://cams.example.com", port=8765) as store:
            url = await store.put(jpeg)   # https://cams.example.com/media/<token>.jpg
    """

    def __init__(
        self,
        public_base_url: str,
        host: str = "0.0.0.0",
        port: int = 8765,
        ttl_s: float = 3600.0,
        *,
        max_bytes: int = 256 * 1024 * 1024,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._base_url = _check_base_url(public_base_url)
        if not isinstance(host, str) or not host:
            raise ConfigurationError("host", "expected a non-empty interface address, e.g. 127.0.0.1")
        if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
            raise ConfigurationError("port", f"{port!r} is not a TCP port (0-65535; 0 picks a free one)")
        if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes < 1024 * 1024:
            raise ConfigurationError("max_bytes", f"{max_bytes!r} is too small: give at least 1 MiB")
        self.host = host
        self.ttl_s = check_ttl(ttl_s, _MAX_TTL_S)
        self.max_bytes = max_bytes
        self._requested_port = port
        self._port: int | None = None
        self._clock = clock
        self._entries: OrderedDict[str, _Entry] = OrderedDict()  # oldest first
        self._runner: web.AppRunner | None = None
        self._counters = dict.fromkeys(
            ("puts", "evicted_ttl", "evicted_budget", "discarded", "hits", "misses"), 0
        )
        self._bytes_stored = 0
        self._unfetched: set[str] = set()  # tokens handed out and not yet fetched with GET
        self._all_fetched: asyncio.Event | None = None  # made in start(), on the serving loop

    @property
    def port(self) -> int:
        """The bound port (the requested one until :meth:`start`)."""
        return self._port if self._port is not None else self._requested_port

    @property
    def public_base_url(self) -> str:
        """The URL prefix of every returned URL (port filled in after start when it was 0)."""
        url = self._base_url
        if url.explicit_port == 0 and self._port is not None:
            url = url.with_port(self._port)
        return str(url)

    @property
    def started(self) -> bool:
        return self._runner is not None

    async def start(self) -> None:
        """Bind and serve on the running loop; a second call while started does nothing."""
        if self._runner is not None:
            return
        app = web.Application()
        app.router.add_route("*", "/media/{name}", self._serve)  # other methods: 404 too
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=_SHUTDOWN_TIMEOUT_S)
        await runner.setup()
        try:
            await web.TCPSite(runner, self.host, self._requested_port).start()
        except OSError as exc:
            await runner.cleanup()
            address = f"{self.host}:{self._requested_port}"
            raise MediaError(f"LocalMediaServer cannot bind {address}: {exc}") from exc
        self._port = runner.addresses[0][1]
        self._runner = runner
        self._all_fetched = asyncio.Event()
        self._all_fetched.set()

    async def aclose(self) -> None:
        """Stop serving and drop every stored frame; idempotent, and start() works again."""
        runner, self._runner = self._runner, None
        self._port = None
        self._entries.clear()
        self._bytes_stored = 0
        self._unfetched.clear()
        if self._all_fetched is not None:
            self._all_fetched.set()
        if runner is not None:
            await runner.cleanup()

    async def put(self, data: bytes, *, content_type: str = "image/jpeg") -> str:
        if self._runner is None:
            raise MediaError("LocalMediaServer is not started: await start() (or use async with) first")
        ext = extension_for(content_type)
        size = len(data)
        if size > self.max_bytes:
            raise MediaError(f"{size} bytes exceed the store's max_bytes ({self.max_bytes})")
        now = self._clock()
        self._sweep(now)
        while self._bytes_stored + size > self.max_bytes:
            self._drop(next(iter(self._entries)), "evicted_budget")
        token = secrets.token_urlsafe(_TOKEN_BYTES)
        self._entries[token] = _Entry(bytes(data), content_type, now + self.ttl_s)
        self._bytes_stored += size
        self._counters["puts"] += 1
        self._unfetched.add(token)
        self._all_fetched.clear()  # type: ignore[union-attr]  # put() needs start()
        return f"{self.public_base_url}/media/{token}{ext}"

    async def discard(self, url: str) -> None:
        token = url.rsplit("/", 1)[-1].partition(".")[0]
        if url.startswith(f"{self.public_base_url}/media/") and token in self._entries:
            self._drop(token, "discarded")

    async def settle(self) -> None:
        """Wait until every stored frame was fetched once with GET (or evicted)."""
        if self._all_fetched is not None:
            await self._all_fetched.wait()

    def stats(self) -> dict[str, int]:
        """Counters since construction, plus what is stored now and not yet fetched."""
        self._sweep(self._clock())  # expired frames are gone, not just unreachable
        return {**self._counters, "objects": len(self._entries), "bytes_stored": self._bytes_stored,
                "unfetched": len(self._unfetched)}

    def _fetched(self, token: str) -> None:
        self._unfetched.discard(token)
        if not self._unfetched and self._all_fetched is not None:
            self._all_fetched.set()

    def _drop(self, token: str, counter: str) -> None:
        entry = self._entries.pop(token)
        self._bytes_stored -= len(entry.data)
        self._counters[counter] += 1
        self._fetched(token)

    def _sweep(self, now: float) -> None:
        """Evict expired entries; they are in expiry order because the TTL is fixed."""
        while self._entries:
            token, entry = next(iter(self._entries.items()))
            if entry.expires_at > now:
                return
            self._drop(token, "evicted_ttl")

    async def _serve(self, request: web.Request) -> web.Response:
        token, dot, ext = request.match_info["name"].partition(".")
        entry = self._entries.get(token)
        now = self._clock()
        if entry is not None and entry.expires_at <= now:
            self._drop(token, "evicted_ttl")
            entry = None
        if (entry is None or not dot or CONTENT_TYPES[entry.content_type] != f".{ext}"
                or request.method not in ("GET", "HEAD")):
            self._counters["misses"] += 1
            raise web.HTTPNotFound()
        self._counters["hits"] += 1
        if request.method == "GET":
            self._fetched(token)
        remaining = max(0, math.floor(entry.expires_at - now))
        return web.Response(
            body=entry.data,
            content_type=entry.content_type,
            headers={
                "Cache-Control": f"private, max-age={remaining}",
                "X-Content-Type-Options": "nosniff",
            },
        )

    def __repr__(self) -> str:
        counters = ", ".join(f"{key}={value}" for key, value in self.stats().items())
        return f"LocalMediaServer({self.public_base_url!r}, port={self.port}, {counters})"
