"""The state every handler shares, and the wrapper that runs faults before a send.

Handlers reach it through ``request.app[STATE]``. :func:`send_endpoint` counts the
request, applies the global latency and the next fault, and only then lets the
endpoint validate and record; so faults hit valid and invalid requests alike,
just as an overloaded provider would.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from dataclasses import dataclass, field
from typing import Awaitable, Callable, Sequence

from aiohttp import web

from .faults import FaultPlan
from .media_fetch import MediaFailure, MediaFetcher
from .outbox import Outbox
from .records import MessageLog, SandboxImage, SandboxMessage
from .replies import fault_reply, sleep_unless

__all__ = ["STATE", "MediaOutcome", "SandboxState", "send_endpoint"]

logger = logging.getLogger("sms_sink.sandbox")


@dataclass(frozen=True)
class MediaOutcome:
    """Images fetched, or why fetching failed (then ``status`` is ``"failed"``)."""

    images: tuple[SandboxImage, ...] = ()
    error_code: int | None = None
    error_message: str | None = None

    @property
    def status(self) -> str:
        return "queued" if self.error_code is None else "failed"


@dataclass(eq=False)
class SandboxState:
    """Configuration plus the live parts (log, faults, outbox, media fetcher)."""

    accounts: dict[str, str] = field(repr=False)
    api_keys: frozenset[str] = field(repr=False)
    senders: frozenset[str] | None
    outbox: Outbox | None
    latency: float = 0.0
    log: MessageLog = field(default_factory=MessageLog)
    faults: FaultPlan = field(default_factory=FaultPlan)
    fetcher: MediaFetcher | None = None
    closing: asyncio.Event = field(default_factory=asyncio.Event)

    async def fetch(self, urls: Sequence[str], *, budget_used: int = 0) -> MediaOutcome:
        """Fetch ``urls`` like Twilio (skipped when media fetching is off)."""
        if self.fetcher is None or not urls:
            return MediaOutcome()
        try:
            return MediaOutcome(await self.fetcher.fetch_all(urls, budget_used=budget_used))
        except MediaFailure as failure:
            return MediaOutcome(error_code=failure.code, error_message=str(failure))

    async def record(self, message: SandboxMessage) -> None:
        """Write ``message`` to the outbox (off the loop), then make it visible to waiters."""
        if self.outbox is not None:
            try:
                await asyncio.to_thread(self.outbox.write, message)
            except OSError as exc:
                logger.warning("sandbox outbox write failed for %s: %s", message.sid, exc)
        self.log.add(message)


STATE = web.AppKey("sms_sink_sandbox_state", SandboxState)

Endpoint = Callable[[web.Request, SandboxState], Awaitable[web.StreamResponse]]


def send_endpoint(api: str) -> Callable[[Endpoint], Callable[[web.Request], Awaitable[web.StreamResponse]]]:
    """Wrap a send endpoint of ``api`` with request counting, latency and fault injection."""

    def decorate(endpoint: Endpoint) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        @functools.wraps(endpoint)
        async def handler(request: web.Request) -> web.StreamResponse:
            state = request.app[STATE]
            state.log.count_request()
            fault = state.faults.take(api)  # on arrival, so faults follow request order
            await request.read()  # cached: the request stays valid if the client leaves while we stall
            await sleep_unless(state.closing, state.latency)
            if fault is not None:
                logger.info("sandbox fault %r on %s %s", fault, request.method, request.path)
                reply = await fault_reply(fault, api, request, state.closing)
                if reply is not None:
                    return reply
            return await endpoint(request, state)

        return handler

    return decorate
