"""Twilio Programmable Messaging over raw aiohttp.

Not twilio-python's async client: it ignores its timeout on the async path, retries 5xx
(duplicates) and never retries 429. Here one attempt is one POST; the sink owns retries.
"""

from __future__ import annotations

import base64
import re
from typing import Any

from ..errors import (
    AmbiguousDeliveryError,
    ConfigurationError,
    DeliveryError,
    PermanentDeliveryError,
    RateLimitedError,
)
from ..messages import OutboundMessage, ProviderReceipt
from ..phone import normalize_e164
from .http_base import HttpProvider, parse_retry_after

__all__ = ["TwilioProvider", "message_receipt"]

_ACCOUNT_SID = re.compile(r"^AC[0-9a-zA-Z]+$")  # real ones have 32 more; sandboxes may not
_SERVICE_SID = re.compile(r"^MG[0-9a-fA-F]{32}$")
#: Codes Twilio uses for "not processed, try later" beside HTTP 429.
_RATE_LIMIT_CODES = {20429, 21611}
#: Message resource states that mean the message will not go out.
_FAILED_STATES = {"failed", "undelivered", "canceled"}


class TwilioProvider(HttpProvider):
    """Sends through your own Twilio account.

    >>> provider = TwilioProvider("AC" + "0" * 32, "token", "+15557654321")
    >>> provider
    TwilioProvider(account_sid='AC…0000', sender='+15557654321', base_url='https://api.twilio.com')

    ``sender_number`` may also be a Messaging Service SID (``MG…``). ``validity_period``
    (1-36000 s) lets Twilio drop an alert that could not leave its queue in time, so a
    stale alert is never delivered hours late.
    """

    accepts_inline_media = False

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        sender_number: str,
        *,
        base_url: str = "https://api.twilio.com",
        validity_period: int | None = None,
        status_callback: str | None = None,
        connect_timeout: float = 5.0,
    ) -> None:
        super().__init__(base_url, connect_timeout=connect_timeout)
        if not isinstance(account_sid, str) or not _ACCOUNT_SID.match(account_sid):
            raise ConfigurationError(
                "twilio_account_sid", "expected 'AC' followed by letters/digits (32 of them), from the Twilio Console"
            )
        if not isinstance(auth_token, str) or not auth_token:
            raise ConfigurationError("twilio_auth_token", "is required for Custom Twilio (env TWILIO_AUTH_TOKEN)")
        if isinstance(sender_number, str) and _SERVICE_SID.match(sender_number):
            self._sender_param = ("MessagingServiceSid", sender_number)
        else:
            self._sender_param = ("From", normalize_e164(sender_number, "sender_number"))
        if validity_period is not None and not 1 <= validity_period <= 36000:
            raise ConfigurationError("validity_period", "must be between 1 and 36000 seconds")
        self.account_sid = account_sid
        # Built by hand: aiohttp.BasicAuth is deprecated from 3.14 on.
        credentials = base64.b64encode(f"{account_sid}:{auth_token}".encode()).decode("ascii")
        self._headers = {"Authorization": f"Basic {credentials}"}
        self._extra: list[tuple[str, str]] = []
        if validity_period is not None:
            self._extra.append(("ValidityPeriod", str(int(validity_period))))
        if status_callback is not None:
            self._extra.append(("StatusCallback", status_callback))
        self._url = f"{self.base_url}/2010-04-01/Accounts/{account_sid}/Messages.json"

    def __repr__(self) -> str:
        return (
            f"TwilioProvider(account_sid='{self.account_sid[:2]}…{self.account_sid[-4:]}', "
            f"sender='{self._sender_param[1]}', base_url='{self.base_url}')"
        )

    async def send(self, message: OutboundMessage) -> ProviderReceipt:
        form: list[tuple[str, str]] = [("To", message.to), self._sender_param, ("Body", message.body)]
        for attachment in message.media:
            if attachment.url is None:
                raise PermanentDeliveryError(
                    "Twilio needs a URL for every attachment: configure media_store= so frames get one"
                )
            form.append(("MediaUrl", attachment.url))
        form.extend(self._extra)
        status, headers, body = await self._request("POST", self._url, data=form, headers=self._headers)
        if status in (200, 201) and isinstance(body, dict):
            return message_receipt(status, body)
        raise _classify(status, headers, body)


def message_receipt(status: int, body: dict[str, Any]) -> ProviderReceipt:
    """The receipt for a 2xx Message resource; a failed/undelivered/canceled one raises."""
    state = body.get("status")
    if state in _FAILED_STATES:
        raise PermanentDeliveryError(
            f"Twilio error {body.get('error_code')}: {body.get('error_message') or 'message ' + state}",
            http_status=status,
            error_code=_int_or_none(body.get("error_code")),
        )
    return ProviderReceipt(
        message_id=body.get("sid"),
        http_status=status,
        status=state,
        segments=_int_or_none(body.get("num_segments")),
        raw=body,
    )


def _classify(status: int, headers: dict[str, str], body: Any) -> DeliveryError:
    """Map a Twilio error response to the delivery error class that decides retries."""
    code = _int_or_none(body.get("code")) if isinstance(body, dict) else None
    text = body.get("message") if isinstance(body, dict) else None
    message = f"Twilio error {code}: {text}" if code else f"Twilio HTTP {status}: {str(text or body)[:200]}"
    response = body if isinstance(body, dict) else None
    if status == 429 or code in _RATE_LIMIT_CODES:
        return RateLimitedError(message, http_status=status, error_code=code, response=response,
                                retry_after=parse_retry_after(headers.get("Retry-After")))
    if status >= 500:
        return AmbiguousDeliveryError(message, http_status=status, error_code=code, response=response)
    return PermanentDeliveryError(message, http_status=status, error_code=code, response=response)


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
