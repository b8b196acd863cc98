"""E.164 phone number validation (via ``phonenumbers``)."""

from __future__ import annotations

import re

import phonenumbers

from .errors import ConfigurationError

__all__ = ["normalize_e164"]

#: phonenumbers reads letters as a keypad ("+1 555 CALL NOW"); an alert recipient is never that.
_ALLOWED = re.compile(r"^\+?[0-9 ().\-]+$")


def normalize_e164(value: object, field: str) -> str:
    """Return ``value`` as an E.164 string, or raise ``ConfigurationError`` naming ``field``.

    Spaces, dashes and brackets are tolerated and removed; the leading ``+`` and country
    code are required. Numbers must be *possible* (right length for the country) rather
    than allocated, so reserved test numbers such as +15551234567 pass, as at Twilio.
    """
    if not isinstance(value, str) or not value.strip():
        raise ConfigurationError(field, f"expected an E.164 phone number like '+15551234567', got {value!r}")
    text = value.strip()
    if not _ALLOWED.match(text):
        raise ConfigurationError(field, f"{text!r} may only hold '+', digits, spaces, dots, dashes and brackets")
    if not text.startswith("+"):
        raise ConfigurationError(
            field, f"{text!r} is not in E.164 format: start with '+' and the country code, e.g. '+15551234567'"
        )
    try:
        number = phonenumbers.parse(text, None)
    except phonenumbers.NumberParseException as exc:
        raise ConfigurationError(field, f"{text!r} is not a phone number ({exc})") from None
    if not phonenumbers.is_possible_number(number):
        raise ConfigurationError(field, f"{text!r} has the wrong length for its country code")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
