"""Construction-time checks and the provider chosen by the block's fields."""

from __future__ import annotations

import math
import os
from typing import Any

from .errors import ConfigurationError
from .providers import Provider, RoboflowManagedProvider, TwilioProvider

__all__ = ["MANAGED", "CUSTOM_TWILIO", "build_provider", "check_number"]

MANAGED = "Roboflow Managed API Key"
CUSTOM_TWILIO = "Custom Twilio"
SMS_PROVIDERS = (MANAGED, CUSTOM_TWILIO)


def check_number(
    field: str,
    value: Any,
    *,
    minimum: float | None = None,
    exclusive: bool = False,
    maximum: float | None = None,
    integer: bool = False,
    optional: bool = False,
) -> Any:
    """Validate a numeric setting; ``bool`` is not a number here."""
    if value is None and optional:
        return None
    kind = "an integer" if integer else "a number"
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (integer and not isinstance(value, int)):
        raise ConfigurationError(field, f"expected {kind}, got {value!r}")
    if not math.isfinite(value):
        raise ConfigurationError(field, f"expected a finite number, got {value!r}")
    if minimum is not None and (value <= minimum if exclusive else value < minimum):
        raise ConfigurationError(field, f"must be {'>' if exclusive else '>='} {minimum:g}, got {value!r}")
    if maximum is not None and value > maximum:
        raise ConfigurationError(field, f"must be <= {maximum:g}, got {value!r}")
    return value


def build_provider(
    *,
    sms_provider: str,
    twilio_account_sid: str | None,
    twilio_auth_token: str | None,
    sender_number: str | None,
    roboflow_api_key: str | None,
) -> Provider:
    """The provider the block's fields describe, with credentials defaulting to env vars.

    Env: ``ROBOFLOW_API_KEY``; ``TWILIO_ACCOUNT_SID``, ``TWILIO_AUTH_TOKEN``,
    ``TWILIO_PHONE_NUMBER``. To point at the sandbox or a region, pass a provider instance.
    """
    if sms_provider == MANAGED:
        api_key = roboflow_api_key or os.environ.get("ROBOFLOW_API_KEY")
        if not api_key:
            raise ConfigurationError(
                "roboflow_api_key",
                "the managed provider needs a Roboflow API key: pass roboflow_api_key= or set ROBOFLOW_API_KEY "
                "(or use sms_provider='Custom Twilio')",
            )
        return RoboflowManagedProvider(api_key)
    if sms_provider == CUSTOM_TWILIO:
        sid = twilio_account_sid or os.environ.get("TWILIO_ACCOUNT_SID")
        token = twilio_auth_token or os.environ.get("TWILIO_AUTH_TOKEN")
        sender = sender_number or os.environ.get("TWILIO_PHONE_NUMBER")
        for field, value, env in (
            ("twilio_account_sid", sid, "TWILIO_ACCOUNT_SID"),
            ("twilio_auth_token", token, "TWILIO_AUTH_TOKEN"),
            ("sender_number", sender, "TWILIO_PHONE_NUMBER"),
        ):
            if not value:
                raise ConfigurationError(field, f"Custom Twilio requires it: pass {field}= or set {env}")
        return TwilioProvider(sid, token, sender)  # type: ignore[arg-type]
    raise ConfigurationError("sms_provider", f"expected one of {SMS_PROVIDERS}, got {sms_provider!r}")
