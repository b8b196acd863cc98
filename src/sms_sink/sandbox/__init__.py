"""A Twilio- and Roboflow-proxy-compatible HTTP sandbox for tests, demos and users' own tests.

It validates like the real services (Basic auth / api_key, E.164, body length,
media count, media fetch with HEAD + GET, 5 MB total), answers with realistic
JSON and Twilio-shaped errors, records every message (and its images) in memory
and optionally in an outbox folder with an ``index.html``, and injects faults
(latency, 429 with or without Retry-After, 5xx, reset, hang, any Twilio code).
Run it standalone with ``python -m sms_sink.sandbox``.
"""

from __future__ import annotations

from .faults import Fault, Hang, Latency, RateLimit, Reset, ServerError, TwilioError
from .records import SandboxImage, SandboxMessage
from .server import SandboxServer

__all__ = [
    "Fault",
    "Hang",
    "Latency",
    "RateLimit",
    "Reset",
    "SandboxImage",
    "SandboxMessage",
    "SandboxServer",
    "ServerError",
    "TwilioError",
]
