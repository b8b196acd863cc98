"""How errors and faults look on the wire for each API.

Twilio errors are ``{"code", "message", "more_info", "status"}``; the Roboflow
proxy answers ``{"error": "..."}``. A reset aborts the socket with SO_LINGER 0
so the client sees a real RST, not a clean close. Handlers are not cancelled
when a client leaves (a slow send still gets recorded, as a real provider would
still send it), so a hang watches its own connection to end early.
"""

from __future__ import annotations

import asyncio
import socket
import struct
import time
from typing import Mapping

from aiohttp import web

from .codes import MORE_INFO, TWILIO_ERRORS, twilio_message
from .faults import Fault, Hang, Latency, RateLimit, Reset, ServerError, TwilioError

__all__ = ["abort_connection", "fault_reply", "roboflow_error", "sleep_unless", "twilio_error"]

_SERVER_ERROR_CODES = {503: 20503}
_PROXY_SERVER_TEXT = {503: "Service unavailable"}
_CLIENT_POLL = 0.05  # how often a hanging request checks whether its client gave up


def twilio_error(
    code: int,
    *,
    status: int | None = None,
    message: str | None = None,
    headers: Mapping[str, str] | None = None,
    **values: str,
) -> web.Response:
    """A Twilio-shaped error; ``values`` fill placeholders such as ``to``."""
    if status is None:
        status = TWILIO_ERRORS.get(code, (400, ""))[0]
    body = {
        "code": code,
        "message": message if message is not None else twilio_message(code, **values),
        "more_info": MORE_INFO.format(code=code),
        "status": status,
    }
    return web.json_response(body, status=status, headers=headers)


def roboflow_error(status: int, message: str, *, headers: Mapping[str, str] | None = None) -> web.Response:
    """The proxy's error shape."""
    return web.json_response({"error": message}, status=status, headers=headers)


async def fault_reply(fault: Fault, api: str, request: web.Request, closing: asyncio.Event) -> web.StreamResponse | None:
    """Act out ``fault``; the response to send, or ``None`` to carry on normally."""
    if isinstance(fault, Latency):
        await sleep_unless(closing, fault.seconds)
        return None
    if isinstance(fault, RateLimit):
        headers = {} if fault.retry_after is None else {"Retry-After": f"{fault.retry_after:g}"}
        if api == "twilio":
            return twilio_error(20429, headers=headers)
        return roboflow_error(429, "rate limit exceeded", headers=headers)
    if isinstance(fault, ServerError):
        if api == "twilio":
            return twilio_error(_SERVER_ERROR_CODES.get(fault.status, 20500), status=fault.status)
        return roboflow_error(fault.status, _PROXY_SERVER_TEXT.get(fault.status, "Internal server error"))
    if isinstance(fault, TwilioError):
        if api == "twilio":
            return twilio_error(fault.code, status=fault.status, message=fault.message)
        return roboflow_error(fault.status or 400, f"Twilio error {fault.code}: {fault.message}")
    if isinstance(fault, Hang):
        await _hold(request, closing, fault.seconds)
    elif not isinstance(fault, Reset):
        raise TypeError(f"unknown fault {fault!r}")
    abort_connection(request)
    return web.Response(status=500)  # never reaches the client: the socket is gone


def abort_connection(request: web.Request) -> None:
    """Reset the client's connection (RST where the platform allows SO_LINGER 0)."""
    transport = request.transport
    if transport is None:
        return
    sock = transport.get_extra_info("socket")
    if sock is not None:
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass  # a plain abort still drops the connection
    transport.abort()


async def _hold(request: web.Request, closing: asyncio.Event, seconds: float) -> None:
    """Answer nothing until ``seconds`` pass, the client leaves, or the server shuts down."""
    deadline = time.monotonic() + seconds
    while not closing.is_set():
        transport = request.transport
        remaining = deadline - time.monotonic()
        if transport is None or transport.is_closing() or remaining <= 0:
            return
        await sleep_unless(closing, min(_CLIENT_POLL, remaining))


async def sleep_unless(event: asyncio.Event, seconds: float) -> None:
    """Sleep ``seconds`` or until ``event`` is set (server shutdown), whichever is first."""
    if seconds <= 0:
        return
    try:
        await asyncio.wait_for(event.wait(), seconds)
    except asyncio.TimeoutError:
        pass
