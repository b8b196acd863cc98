"""Twilio error codes the sandbox emits, with Twilio's wording and HTTP status.

Messages may contain ``{to}``/``{from_}``/``{sid}`` placeholders, filled from the
request the way Twilio echoes the offending value back.
"""

from __future__ import annotations

__all__ = ["MORE_INFO", "TWILIO_ERRORS", "twilio_message"]

MORE_INFO = "https://www.twilio.com/docs/errors/{code}"

#: code -> (HTTP status, message)
TWILIO_ERRORS: dict[int, tuple[int, str]] = {
    11200: (400, "HTTP retrieval failure"),
    12300: (400, "Invalid Content-Type"),
    20003: (401, "Authenticate"),
    20404: (404, "The requested resource {path} was not found"),
    20429: (429, "Too Many Requests"),
    20500: (500, "An internal server error has occurred"),
    20503: (503, "Service unavailable"),
    21211: (400, "The 'To' number {to} is not a valid phone number."),
    21212: (400, "The 'From' number {from_} is not a valid phone number, shortcode, or alphanumeric sender ID."),
    21408: (400, "Permission to send an SMS has not been enabled for the region indicated by the 'To' number: {to}"),
    21602: (400, "Message body is required."),
    21603: (400, "A 'From' phone number is required."),
    21604: (400, "A 'To' phone number is required."),
    21606: (400, "The 'From' phone number provided is not a valid message-capable Twilio phone number for this destination/account."),
    21609: (400, "Invalid StatusCallback url"),
    21610: (400, "Attempt to send to unsubscribed recipient"),
    21611: (400, "This 'From' number has exceeded the maximum number of queued messages"),
    21617: (400, "The concatenated message body exceeds the 1600 character limit."),
    21620: (400, "Invalid media URL(s)"),
    21623: (400, "Number of media files exceeds allowed limit"),
    21624: (400, "Invalid validity period value"),
    21701: (400, "The Messaging Service Sid {sid} is invalid."),
    30007: (400, "Message filtered"),
    30019: (400, "Content size exceeds carrier limit"),
}


def twilio_message(code: int, **values: str) -> str:
    """Twilio's message for ``code`` with placeholders filled (unknown ones left as is)."""
    _, template = TWILIO_ERRORS.get(code, (400, f"Twilio error {code}"))
    text = template.format_map(_BlankMissing(values))
    return " ".join(text.split()).rstrip(": ")


class _BlankMissing(dict):  # type: ignore[type-arg]
    """Format mapping that renders an absent placeholder as nothing."""

    def __missing__(self, key: str) -> str:
        return ""
