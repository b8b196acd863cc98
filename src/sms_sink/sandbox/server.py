"""``SandboxServer``: lifecycle, thread mode and the test-facing API.

The server is an aiohttp app on loopback (port 0 by default, the real port read
back). Async code uses it as an async context manager; synchronous code (the
pipeline) uses :meth:`SandboxServer.run_in_thread`, which runs it on its own
event loop in a daemon thread. Records and faults sit behind locks, so every
public method is safe from any thread in both modes.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from pathlib import Path
from types import TracebackType
from typing import Any, Iterable, Mapping
from urllib.parse import urlencode

import aiohttp
from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

from ..errors import ConfigurationError
from . import control, roboflow_api, twilio_api
from .faults import Fault
from .media_fetch import MediaFetcher
from .outbox import Outbox
from .records import SandboxMessage
from .state import STATE, SandboxState
from .validation import is_sender

__all__ = ["SandboxServer"]

logger = logging.getLogger("sms_sink.sandbox")

_MAX_REQUEST_BYTES = 16 * 1024 * 1024  # 10 inline images of 5 MB total, base64-encoded, fit
_SHUTDOWN_TIMEOUT = 2.0


class SandboxServer:
    """A Twilio- and Roboflow-proxy-compatible server for tests and demos.

    Example::

        async with SandboxServer() as sb:
            ...  # point a provider at sb.url with sb.account_sid / sb.auth_token
            sb.inject(RateLimit(retry_after=1), times=2)
            [message] = await sb.async_wait_for_messages(1)

        with SandboxServer.run_in_thread(outbox_dir="outbox") as sb:
            ...  # synchronous code
            sb.wait_for_messages(3)
    """

    DEFAULT_ACCOUNT_SID = "AC" + "0" * 32
    DEFAULT_AUTH_TOKEN = "test-auth-token"
    DEFAULT_API_KEY = "test-api-key"

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        accounts: Mapping[str, str] | None = None,
        api_keys: Iterable[str] | None = None,
        senders: Iterable[str] | None = None,
        outbox_dir: str | Path | None = None,
        latency: float = 0.0,
        fetch_media: bool = True,
        media_fetch_timeout: float = 10.0,
    ) -> None:
        if not isinstance(port, int) or not 0 <= port <= 65535:
            raise ConfigurationError("port", f"must be an int in 0..65535 (0 picks a free port), got {port!r}")
        if not isinstance(media_fetch_timeout, (int, float)) or media_fetch_timeout <= 0:
            raise ConfigurationError("media_fetch_timeout", f"must be > 0 seconds, got {media_fetch_timeout!r}")
        self._host = host
        self._port = port
        self._fetch_media = bool(fetch_media)
        self._media_fetch_timeout = float(media_fetch_timeout)
        self._state = SandboxState(
            accounts=_accounts(accounts),
            api_keys=_api_keys(api_keys),
            senders=_senders(senders),
            outbox=Outbox(outbox_dir) if outbox_dir is not None else None,
        )
        self.latency = latency
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._closed = False

    # -- lifecycle -------------------------------------------------------------------

    async def start(self) -> SandboxServer:
        """Bind and serve; returns ``self``."""
        if self._closed:
            raise RuntimeError("SandboxServer is closed; create a new one")
        if self._runner is not None:
            raise RuntimeError("SandboxServer is already started")
        self._loop = asyncio.get_running_loop()
        if self._fetch_media:
            self._session = aiohttp.ClientSession()
            self._state.fetcher = MediaFetcher(self._session, timeout=self._media_fetch_timeout)
        app = web.Application(client_max_size=_MAX_REQUEST_BYTES)
        app[STATE] = self._state
        twilio_api.add_routes(app)
        roboflow_api.add_routes(app)
        control.add_routes(app, self._state)
        runner = web.AppRunner(
            app,
            shutdown_timeout=_SHUTDOWN_TIMEOUT,
            access_log_class=_PathOnlyAccessLogger,
            access_log=logging.getLogger("sms_sink.sandbox.access"),
        )
        self._runner = runner
        try:
            await runner.setup()
            await web.TCPSite(runner, self._host, self._port).start()
        except BaseException:
            await self.aclose()
            raise
        self._port = runner.addresses[0][1]
        logger.info("sandbox listening on %s", self.url)
        return self

    async def aclose(self) -> None:
        """Stop serving (hanging requests are dropped) and release the fetch session; idempotent."""
        if self._closed:
            return
        self._closed = True
        self._state.closing.set()
        if self._runner is not None:
            await self._runner.cleanup()
        if self._session is not None:
            await self._session.close()

    async def __aenter__(self) -> SandboxServer:
        return await self.start()

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        await self.aclose()

    @classmethod
    def run_in_thread(cls, **kwargs: Any) -> SandboxServer:
        """Construct with ``kwargs`` and serve from a daemon thread with its own event loop."""
        server = cls(**kwargs)
        server._serve_in_thread()
        return server

    def close(self, timeout: float = 10.0) -> None:
        """Stop a :meth:`run_in_thread` server and join its thread; idempotent."""
        thread, loop = self._thread, self._loop
        if thread is None or loop is None:
            raise RuntimeError("close() is for run_in_thread() servers; use 'await aclose()'")
        if not thread.is_alive():
            return
        asyncio.run_coroutine_threadsafe(self.aclose(), loop).result(timeout)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout)

    def __enter__(self) -> SandboxServer:
        if self._thread is None:
            raise RuntimeError("use 'with SandboxServer.run_in_thread(...)' or 'async with SandboxServer(...)'")
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def _serve_in_thread(self, timeout: float = 10.0) -> None:
        started = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            try:
                try:
                    loop.run_until_complete(self.start())
                except BaseException as exc:  # handed to the caller below
                    failure.append(exc)
                    return
                finally:
                    started.set()
                loop.run_forever()
            finally:
                loop.run_until_complete(loop.shutdown_default_executor())
                loop.close()

        self._thread = threading.Thread(target=run, name="sms-sink-sandbox", daemon=True)
        self._thread.start()
        if not started.wait(timeout):
            raise RuntimeError(f"sandbox did not start within {timeout} s")
        if failure:
            raise failure[0]

    # -- addresses ---------------------------------------------------------------------

    @property
    def url(self) -> str:
        """Base URL, e.g. ``http://127.0.0.1:54321`` (use it as the API base URL)."""
        if self._runner is None:
            raise RuntimeError("SandboxServer is not started")
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"http://{host}:{self._port}"

    @property
    def port(self) -> int:
        """The bound port (the real one once started)."""
        return self._port

    def make_url(self, path: str) -> str:
        """Absolute URL for ``path`` on this server."""
        return self.url + ("" if path.startswith("/") else "/") + path

    def twilio_url(self, account_sid: str | None = None) -> str:
        """The Messages create URL for ``account_sid`` (default: :attr:`account_sid`)."""
        return self.make_url(twilio_api.MESSAGES_PATH.format(account_sid=account_sid or self.account_sid))

    def roboflow_url(self, api_key: str | None = None) -> str:
        """The proxy URL with ``api_key`` (default: :attr:`api_key`) in the query string."""
        return self.make_url(f"{roboflow_api.PROXY_PATH}?{urlencode({'api_key': api_key or self.api_key})}")

    def twilio_auth_headers(self, account_sid: str | None = None) -> dict[str, str]:
        """``{"Authorization": "Basic ..."}`` for ``account_sid`` (default: :attr:`account_sid`)."""
        sid = account_sid or self.account_sid
        return {"Authorization": twilio_api.basic_auth_header(sid, self._state.accounts.get(sid, ""))}

    @property
    def account_sid(self) -> str:
        """The first configured Twilio account SID."""
        return next(iter(self._state.accounts))

    @property
    def auth_token(self) -> str:
        """The auth token of :attr:`account_sid` (a test credential)."""
        return self._state.accounts[self.account_sid]

    @property
    def api_key(self) -> str:
        """One configured Roboflow API key (a test credential)."""
        return sorted(self._state.api_keys)[0]

    @property
    def outbox_dir(self) -> Path | None:
        """The outbox folder, if any."""
        return self._state.outbox.directory if self._state.outbox is not None else None

    # -- records ----------------------------------------------------------------------

    @property
    def messages(self) -> list[SandboxMessage]:
        """A copy of the recorded messages, oldest first."""
        return self._state.log.snapshot()

    @property
    def requests(self) -> int:
        """Send requests received (Twilio create + proxy), faulted and rejected ones included."""
        return self._state.log.requests

    def wait_for_messages(self, n: int, timeout: float = 5.0) -> list[SandboxMessage]:
        """Block until ``n`` messages are recorded, from any thread but the server's own loop."""
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is not None and running is self._loop:
            raise RuntimeError("wait_for_messages would block the sandbox's loop; await async_wait_for_messages()")
        return self._state.log.wait(n, timeout)

    async def async_wait_for_messages(self, n: int, timeout: float = 5.0) -> list[SandboxMessage]:
        """Wait without blocking the event loop until ``n`` messages are recorded."""
        return await self._state.log.async_wait(n, timeout)

    def clear(self) -> None:
        """Forget recorded messages and reset :attr:`requests` (the outbox folder stays)."""
        self._state.log.clear()

    # -- faults -------------------------------------------------------------------------

    def inject(self, fault: Fault, times: int = 1, api: str | None = None) -> None:
        """Apply ``fault`` to the next ``times`` send requests for ``api`` (``None``: either)."""
        self._state.faults.inject(fault, times, api=api)

    def schedule(self, faults: Iterable[Fault | None], *, api: str | None = None) -> None:
        """One entry per send request, in order (``None`` answers normally); replaces the last schedule."""
        self._state.faults.schedule(faults, api=api)

    def clear_faults(self) -> None:
        """Drop injected faults and the schedule."""
        self._state.faults.clear()

    @property
    def latency(self) -> float:
        """Delay in seconds added to every send request; settable at run time."""
        return self._state.latency

    @latency.setter
    def latency(self, seconds: float) -> None:
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds < 0:
            raise ConfigurationError("latency", f"must be a number of seconds >= 0, got {seconds!r}")
        self._state.latency = float(seconds)

    def __repr__(self) -> str:
        where = self.url if self._runner is not None else "not started"
        state = "closed" if self._closed else where
        return f"<SandboxServer {state} messages={len(self.messages)} requests={self.requests}>"


class _PathOnlyAccessLogger(AbstractAccessLogger):
    """Access log without query strings or headers, so API keys never reach a log."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        self.logger.info("%s %s -> %s (%.1f ms)", request.method, request.path, response.status, time * 1000)


def _accounts(accounts: Mapping[str, str] | None) -> dict[str, str]:
    if accounts is None:
        return {SandboxServer.DEFAULT_ACCOUNT_SID: SandboxServer.DEFAULT_AUTH_TOKEN}
    result = dict(accounts)
    if not result or not all(isinstance(k, str) and k and isinstance(v, str) and v for k, v in result.items()):
        raise ConfigurationError("accounts", "must map at least one account SID to its auth token (non-empty strings)")
    return result


def _api_keys(api_keys: Iterable[str] | None) -> frozenset[str]:
    if api_keys is None:
        return frozenset({SandboxServer.DEFAULT_API_KEY})
    keys = frozenset(api_keys) if not isinstance(api_keys, str) else frozenset()
    if not keys or not all(isinstance(k, str) and k for k in keys):
        raise ConfigurationError("api_keys", "must be a non-empty collection of non-empty strings (not one bare string)")
    return keys


def _senders(senders: Iterable[str] | None) -> frozenset[str] | None:
    if senders is None:
        return None
    if isinstance(senders, str):
        raise ConfigurationError("senders", "must be a collection of numbers, not one string; wrap it in a list")
    result = frozenset(senders)
    bad = sorted(str(s) for s in result if not is_sender(s))
    if bad:
        raise ConfigurationError("senders", f"{bad} are not E.164 numbers, short codes or alphanumeric sender IDs")
    return result
