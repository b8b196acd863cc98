"""Input checks shared by both endpoints, as lenient or strict as the real services.

Phone numbers are checked for strict E.164 *format and possibility*, not validity:
``+15551234567`` (a fictional 555 number used everywhere in docs and tests) is
possible but not "valid" for ``phonenumbers``, and Twilio accepts it at the API.
Unlike :func:`sms_sink.phone.normalize_e164` (user input, separators tolerated),
the sandbox refuses anything but the bare ``+digits`` form a client must send.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from ..errors import ConfigurationError
from ..phone import normalize_e164

__all__ = [
    "MAX_BODY_CHARS",
    "MAX_MEDIA",
    "MAX_MEDIA_BYTES",
    "SUPPORTED_IMAGE_TYPES",
    "is_e164",
    "is_http_url",
    "is_sender",
]

MAX_BODY_CHARS = 1600
MAX_MEDIA = 10
MAX_MEDIA_BYTES = 5_000_000
SUPPORTED_IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif"})

_E164 = re.compile(r"\+[1-9]\d{1,14}")
_SHORT_CODE = re.compile(r"\d{3,8}")
_ALPHANUMERIC_ID = re.compile(r"(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}")


def is_e164(number: object) -> bool:
    """True for strict ``+<country><subscriber>`` (no separators) of a possible length."""
    if not isinstance(number, str) or not _E164.fullmatch(number):
        return False
    try:
        normalize_e164(number, "number")
    except ConfigurationError:
        return False
    return True


def is_sender(value: object) -> bool:
    """True for a From Twilio accepts: E.164, a short code or an alphanumeric sender ID."""
    if not isinstance(value, str):
        return False
    return is_e164(value) or bool(_SHORT_CODE.fullmatch(value) or _ALPHANUMERIC_ID.fullmatch(value))


def is_http_url(value: object) -> bool:
    """True for an absolute ``http``/``https`` URL with a host."""
    if not isinstance(value, str):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)
