"""The block's three outputs (``error_status``, ``throttling_status``, ``message``) and their texts.

The texts are the reference block's, so users of ``roboflow_core/twilio_sms_notification@v2``
read the same ``message``. The constant ones are shared: the throttled and disabled paths of
the sink call allocate nothing but the status update.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from .messages import DeliveryResult
from .providers.base import Provider

__all__ = ["BACKGROUND", "DISABLED", "NO_CALL", "SKIPPED", "THROTTLED", "Status", "error", "outcome"]

Status = Mapping[str, Any]

DISABLED: Status = {"error_status": False, "throttling_status": False,
                    "message": "Sink was disabled by parameter `disable_sink`"}
THROTTLED: Status = {"error_status": False, "throttling_status": True, "message": "Sink cooldown applies"}
BACKGROUND: Status = {"error_status": False, "throttling_status": False,
                      "message": "Notification sent in the background task"}
SKIPPED: Status = {"error_status": False, "throttling_status": False, "message": "Alert condition not met"}
NO_CALL: Status = {"error_status": False, "throttling_status": False, "message": "No alert evaluated yet"}


def error(message: str) -> Status:
    """An error status (``error_status=True``) with ``message``."""
    return {"error_status": True, "throttling_status": False, "message": message}


def outcome(provider: Provider, results: Sequence[DeliveryResult]) -> Status:
    """The status after a synchronous delivery (``fire_and_forget=False``), in the provider's words."""
    failures = [r for r in results if not r.ok]
    if not failures:
        return {"error_status": False, "throttling_status": False, "message": provider.success_message}
    errors = sorted({str(r.error_message) for r in failures})
    return error("; ".join(provider.failure_message(e) for e in errors))
