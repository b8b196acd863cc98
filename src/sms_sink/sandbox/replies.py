"""How errors and faults look on the wire for each API.

Twilio errors are ``{"code", "message", "more_info", "status"}``; the Roboflow
proxy answers ``{"error": "..."}``. A reset aborts the socket with SO_LINGER 0
so the client sees a real RST, not a clean close.
"""

from __future__ import annotations

import asyncio
import socket
import struct
from typing import Mapping

from aiohttp import web

from .codes import MORE_INFO, TWILIO_ERRORS, twilio_message
from .faults import Fault, Hang, Latency, RateLimit, Reset, ServerError, TwilioError

__all__ = ["abort_connection", "fault_reply", "roboflow_error", "twilio_error"]

_SERVER_ERROR_CODES = {503: 20503}
_PROXY_SERVER_TEXT = {503: "Service unavailable"}


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
        await sleep_unless(closing, fault.seconds)
    elif not isinstance(fault, Reset):
        raise TypeError(f"unknown fault {fault!r}")
    await abort_connection(request)
    # Nobody reads this: the socket is gone (the handler is normally cancelled first).
    return web.Response(status=500)


async def abort_connection(request: web.Request) -> None:
    """Reset the client's connection; aiohttp then cancels the handler (handler_cancellation)."""
    transport = request.transport
    if transport is None:
        return
    sock = transport.get_extra_info("socket")
    if sock is not None:
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass  # a plain close still drops the connection
    transport.abort()
    await asyncio.sleep(0.5)


async def sleep_unless(event: asyncio.Event, seconds: float) -> None:
    """Sleep ``seconds`` or until ``event`` is set (server shutdown), whichever is first."""
    if seconds <= 0:
        return
    try:
        await asyncio.wait_for(event.wait(), seconds)
    except asyncio.TimeoutError:
        pass
