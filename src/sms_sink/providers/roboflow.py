"""Roboflow's managed SMS proxy: no Twilio account, media sent inline as base64 JPEG."""

from __future__ import annotations

import base64
from typing import Any

from ..errors import AmbiguousDeliveryError, ConfigurationError, DeliveryError, PermanentDeliveryError, RateLimitedError
from ..messages import OutboundMessage, ProviderReceipt
from .http_base import HttpProvider, parse_retry_after
from .twilio import message_receipt

__all__ = ["RoboflowManagedProvider"]


class RoboflowManagedProvider(HttpProvider):
    """Sends through ``POST {base_url}/apiproxy/twilio?api_key=…`` (the block's contract).

    ``base_url`` is ``https://api.roboflow.com`` (EU: ``https://api.roboflow.eu``).
    Pricing: US/CA 30 messages per credit, elsewhere 10.
    """

    accepts_inline_media = True
    success_message = "Notification sent successfully via Roboflow proxy"
    failure_prefix = "Failed to send SMS via proxy. Internal error details: "

    def __init__(self, api_key: str, *, base_url: str = "https://api.roboflow.com", connect_timeout: float = 5.0) -> None:
        super().__init__(base_url, connect_timeout=connect_timeout)
        if not isinstance(api_key, str) or not api_key:
            raise ConfigurationError("roboflow_api_key", "is required for the managed provider (env ROBOFLOW_API_KEY)")
        self._api_key = api_key
        self._url = f"{self.base_url}/apiproxy/twilio"

    def __repr__(self) -> str:
        return f"RoboflowManagedProvider(base_url='{self.base_url}')"

    async def send(self, message: OutboundMessage) -> ProviderReceipt:
        payload: dict[str, Any] = {"receiver_number": message.to, "message": message.body}
        urls = [a.url for a in message.media if a.url is not None]
        inline = [
            {"base64": base64.b64encode(a.data).decode("ascii"), "mimeType": a.content_type}
            for a in message.media
            if a.data is not None
        ]
        if urls:
            payload["media_urls"] = urls
        if inline:
            payload["media_base64"] = inline
        if message.force_mms and not message.media:
            payload["force_mms"] = True
        status, headers, body = await self._request("POST", self._url, json=payload, params={"api_key": self._api_key})
        if 200 <= status < 300:
            data = body if isinstance(body, dict) else {}
            if not data.get("sid") and data.get("message_sid"):
                data = {**data, "sid": data["message_sid"]}
            return message_receipt(status, data)  # the proxy relays Twilio's Message resource
        raise _classify(status, headers, body)


def _classify(status: int, headers: dict[str, str], body: Any) -> DeliveryError:
    """Map a proxy error to a delivery error, with the block's friendly texts."""
    detail = ""
    if isinstance(body, dict):
        detail = str(body.get("details") or body.get("error") or "")
    elif isinstance(body, str):
        detail = body[:200]
    lowered = detail.lower()
    if status == 429 or "rate limit" in lowered:
        return RateLimitedError(
            "Failed to send SMS: rate limit exceeded. The workspace has exceeded its SMS sending limits. "
            "Please wait before sending more messages.",
            http_status=status,
            retry_after=parse_retry_after(headers.get("Retry-After")),
        )
    if "credits exceeded" in lowered:
        return PermanentDeliveryError(
            "Failed to send SMS: workspace credits exceeded. "
            "Please add more credits to your workspace to continue sending messages.",
            http_status=status,
        )
    if status == 403:
        return PermanentDeliveryError(f"Failed to send SMS: access forbidden. {detail}".strip(), http_status=status)
    if status >= 500:
        return AmbiguousDeliveryError(f"Failed to send SMS via proxy. {detail}".strip(), http_status=status)
    return PermanentDeliveryError(f"Failed to send SMS via proxy. {detail}".strip(), http_status=status)
