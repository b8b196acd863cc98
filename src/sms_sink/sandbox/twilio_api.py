"""The Twilio Messages API: create (``POST .../Messages.json``) and fetch one message.

Checks run in the order Twilio reports them: authentication, To, From /
MessagingServiceSid, Body/MediaUrl, lengths and counts, ValidityPeriod,
StatusCallback. Then media are fetched (HEAD + GET). Where real Twilio reports a
media failure later (status callback, message status ``failed``), the sandbox
already answers the create call with ``status: "failed"`` and the error code,
still with HTTP 201, so a test sees it without polling.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import logging
import re
import uuid
from datetime import datetime, timezone
from email.utils import format_datetime
from typing import Any

from aiohttp import web
from multidict import MultiDictProxy

from .records import SandboxMessage
from .replies import twilio_error
from ..segments import count_segments
from .state import STATE, SandboxState, send_endpoint
from .validation import MAX_BODY_CHARS, MAX_MEDIA, is_e164, is_http_url, is_sender

__all__ = ["MESSAGES_PATH", "MESSAGE_PATH", "add_routes", "basic_auth_header", "message_resource", "new_sid"]

logger = logging.getLogger("sms_sink.sandbox")

MESSAGES_PATH = "/2010-04-01/Accounts/{account_sid}/Messages.json"
MESSAGE_PATH = "/2010-04-01/Accounts/{account_sid}/Messages/{message_sid}.json"

_CORE_PARAMS = frozenset({"To", "From", "Body", "MediaUrl"})
_SERVICE_SID = re.compile(r"MG[0-9a-fA-F]{32}")
_MAX_VALIDITY = 36000


def add_routes(app: web.Application) -> None:
    """Register the Twilio endpoints on ``app``."""
    app.router.add_post(MESSAGES_PATH, create_message)
    app.router.add_get(MESSAGE_PATH, fetch_message)


@send_endpoint("twilio")
async def create_message(request: web.Request, state: SandboxState) -> web.StreamResponse:
    """``POST /2010-04-01/Accounts/{sid}/Messages.json`` (form-encoded)."""
    account_sid = request.match_info["account_sid"]
    if not _authenticated(request, state, account_sid):
        return _auth_failed(account_sid)
    form = await request.post()
    invalid = _validate(form, state)
    if invalid is not None:
        return invalid
    body = str(form.get("Body", ""))
    media_urls = tuple(str(url) for url in form.getall("MediaUrl", []))
    outcome = await state.fetch(media_urls)
    message = SandboxMessage(
        sid=new_sid(),
        api="twilio",
        account_sid=account_sid,
        to=str(form["To"]),
        from_=str(form["From"]) if "From" in form else None,
        body=body,
        num_segments=1 if media_urls else count_segments(body),
        status=outcome.status,
        error_code=outcome.error_code,
        error_message=outcome.error_message,
        media_urls=media_urls,
        images=outcome.images,
        force_mms=False,
        created_at=datetime.now(timezone.utc),
        extra={key: str(value) for key, value in form.items() if key not in _CORE_PARAMS},
    )
    await state.record(message)
    return web.json_response(message_resource(message), status=201)


async def fetch_message(request: web.Request) -> web.StreamResponse:
    """``GET /2010-04-01/Accounts/{sid}/Messages/{MessageSid}.json``."""
    state = request.app[STATE]
    account_sid = request.match_info["account_sid"]
    if not _authenticated(request, state, account_sid):
        return _auth_failed(account_sid)
    message = state.log.find(request.match_info["message_sid"])
    if message is None or message.account_sid != account_sid:
        return twilio_error(20404, path=request.path)
    return web.json_response(message_resource(message))


def message_resource(message: SandboxMessage) -> dict[str, Any]:
    """The Message resource as Twilio returns it (counts as strings, RFC 2822 dates)."""
    uri = f"/2010-04-01/Accounts/{message.account_sid}/Messages/{message.sid}"
    created = format_datetime(message.created_at)
    return {
        "account_sid": message.account_sid,
        "api_version": "2010-04-01",
        "body": message.body,
        "date_created": created,
        "date_sent": None,
        "date_updated": created,
        "direction": "outbound-api",
        "error_code": message.error_code,
        "error_message": message.error_message,
        "from": message.from_,
        "messaging_service_sid": message.extra.get("MessagingServiceSid"),
        "num_media": str(message.num_media),
        "num_segments": str(message.num_segments),
        "price": None,
        "price_unit": "USD",
        "sid": message.sid,
        "status": message.status,
        "subresource_uris": {"media": f"{uri}/Media.json"},
        "to": message.to,
        "uri": f"{uri}.json",
    }


def new_sid() -> str:
    """A Message SID: ``SM`` and 32 hex digits."""
    return "SM" + uuid.uuid4().hex


def _validate(form: MultiDictProxy[Any], state: SandboxState) -> web.Response | None:
    """The first Twilio error this request deserves, or ``None``."""
    to = form.get("To")
    if not to:
        return twilio_error(21604)
    if not is_e164(to):
        return twilio_error(21211, to=str(to))
    sender = form.get("From")
    service = form.get("MessagingServiceSid")
    if not sender and not service:
        return twilio_error(21603)
    if sender:
        if not is_sender(sender):
            return twilio_error(21212, from_=str(sender))
        if state.senders is not None and sender not in state.senders:
            return twilio_error(21606)
    elif not _SERVICE_SID.fullmatch(str(service)):
        return twilio_error(21701, sid=str(service))
    body = str(form.get("Body", ""))
    media_urls = form.getall("MediaUrl", [])
    if not body and not media_urls:
        return twilio_error(21602)
    if len(body) > MAX_BODY_CHARS:
        return twilio_error(21617)
    if len(media_urls) > MAX_MEDIA:
        return twilio_error(21623)
    if not all(is_http_url(url) for url in media_urls):
        return twilio_error(21620)
    if "ValidityPeriod" in form and not _valid_period(form["ValidityPeriod"]):
        return twilio_error(21624)
    if "StatusCallback" in form and not is_http_url(form["StatusCallback"]):
        return twilio_error(21609)
    return None


def _valid_period(value: object) -> bool:
    try:
        seconds = int(str(value))
    except ValueError:
        return False
    return 1 <= seconds <= _MAX_VALIDITY


def basic_auth_header(login: str, password: str) -> str:
    """The ``Authorization`` value for HTTP Basic auth."""
    return "Basic " + base64.b64encode(f"{login}:{password}".encode("utf-8")).decode("ascii")


def _authenticated(request: web.Request, state: SandboxState, account_sid: str) -> bool:
    """Basic auth must name the URL's account and carry its token (compared in constant time)."""
    scheme, _, encoded = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        login, sep, password = base64.b64decode(encoded.strip(), validate=True).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return False
    expected = state.accounts.get(account_sid)
    if not sep or expected is None or login != account_sid:
        return False
    return hmac.compare_digest(password.encode("utf-8"), expected.encode("utf-8"))


def _auth_failed(account_sid: str) -> web.Response:
    logger.info("sandbox: Twilio authentication failed for account %s", account_sid)
    return twilio_error(20003, headers={"WWW-Authenticate": 'Basic realm="Twilio API"'})
