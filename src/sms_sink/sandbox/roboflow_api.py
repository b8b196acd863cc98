"""The Roboflow SMS proxy: ``POST /apiproxy/twilio?api_key=KEY`` with a JSON body.

Payload: ``receiver_number``, ``message``, optional ``media_urls`` (fetched like
Twilio does), ``media_base64`` (``[{"base64", "mimeType"}]``, decoded here) and
``force_mms``. Errors are ``{"error": "..."}``: 403 for a bad key, 400 for a bad
payload. Success is 200 ``{"success": true, "sid", "status", "num_segments",
"num_media"}``; when media could not be fetched ``status`` is ``"failed"`` with
``error_code``/``error_message`` (the proxy accepted the request, delivery failed).
"""

from __future__ import annotations

import hmac
import logging
from datetime import datetime, timezone
from typing import Any

from aiohttp import web

from .media_fetch import decode_inline
from .records import SandboxMessage
from .replies import roboflow_error
from ..segments import count_segments
from .state import SandboxState, send_endpoint
from .twilio_api import new_sid
from .validation import MAX_BODY_CHARS, MAX_MEDIA, is_e164, is_http_url

__all__ = ["PROXY_PATH", "add_routes"]

logger = logging.getLogger("sms_sink.sandbox")

PROXY_PATH = "/apiproxy/twilio"

_KNOWN_KEYS = frozenset({"receiver_number", "message", "media_urls", "media_base64", "force_mms"})


def add_routes(app: web.Application) -> None:
    """Register the proxy endpoint on ``app``."""
    app.router.add_post(PROXY_PATH, proxy_send)


@send_endpoint("roboflow")
async def proxy_send(request: web.Request, state: SandboxState) -> web.StreamResponse:
    """Validate, decode and fetch media, record, answer like the proxy."""
    key = request.query.get("api_key", "")
    if not any(hmac.compare_digest(key.encode("utf-8"), known.encode("utf-8")) for known in state.api_keys):
        logger.info("sandbox: Roboflow proxy request with a missing or unknown api_key")
        return roboflow_error(403, "Forbidden: invalid API key")
    try:
        payload = await request.json()
    except ValueError:
        return roboflow_error(400, "request body must be JSON")
    problem = _problem(payload)
    if problem is not None:
        return roboflow_error(400, problem)
    try:
        inline = decode_inline(payload.get("media_base64") or ())
    except ValueError as exc:
        return roboflow_error(400, str(exc))
    media_urls = tuple(payload.get("media_urls") or ())
    outcome = await state.fetch(media_urls, budget_used=sum(image.size for image in inline))
    text = payload["message"]
    force_mms = bool(payload.get("force_mms", False))
    as_mms = force_mms or bool(media_urls) or bool(inline)
    message = SandboxMessage(
        sid=new_sid(),
        api="roboflow",
        account_sid=None,
        to=payload["receiver_number"],
        from_=None,
        body=text,
        num_segments=1 if as_mms else count_segments(text),
        status=outcome.status,
        error_code=outcome.error_code,
        error_message=outcome.error_message,
        media_urls=media_urls,
        images=outcome.images + inline,
        force_mms=force_mms,
        created_at=datetime.now(timezone.utc),
        extra={key: value for key, value in payload.items() if key not in _KNOWN_KEYS},
    )
    await state.record(message)
    reply: dict[str, Any] = {
        "success": True,
        "sid": message.sid,
        "status": message.status,
        "num_segments": message.num_segments,
        "num_media": message.num_media,
    }
    if message.error_code is not None:
        reply.update(error_code=message.error_code, error_message=message.error_message)
    return web.json_response(reply)


def _problem(payload: object) -> str | None:
    """What is wrong with the payload, in the proxy's words, or ``None``."""
    if not isinstance(payload, dict):
        return "request body must be a JSON object"
    receiver = payload.get("receiver_number")
    if not is_e164(receiver):
        return f"receiver_number {receiver!r} is not a valid E.164 phone number"
    message = payload.get("message")
    if not isinstance(message, str):
        return "message is required and must be a string"
    if len(message) > MAX_BODY_CHARS:
        return f"message is {len(message)} characters; the limit is {MAX_BODY_CHARS}"
    media_urls = payload.get("media_urls") or []
    media_base64 = payload.get("media_base64") or []
    if not isinstance(media_urls, list) or not all(is_http_url(url) for url in media_urls):
        return "media_urls must be a list of http(s) URLs"
    if not isinstance(media_base64, list):
        return "media_base64 must be a list of {base64, mimeType} objects"
    if len(media_urls) + len(media_base64) > MAX_MEDIA:
        return f"at most {MAX_MEDIA} media items are allowed"
    if not message and not media_urls and not media_base64:
        return "message is required"
    if not isinstance(payload.get("force_mms", False), bool):
        return "force_mms must be a boolean"
    return None
