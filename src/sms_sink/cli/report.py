"""What the commands print: a line per delivery and a summary, for people or as JSON lines.

``--json`` writes one object per line on stdout (``{"event": "delivery", ...}``, then
``{"event": "summary", ...}``), built from explicit fields only, so no credential can leak
into it. Human lines go through the status line so they never tear it.
"""

from __future__ import annotations

import json
import sys
import threading
from typing import Any, TextIO

from ..messages import DeliveryResult
from .status_line import StatusLine

__all__ = ["Reporter", "delivery_fields"]


def delivery_fields(result: DeliveryResult) -> dict[str, Any]:
    """The JSON form of one delivery result."""
    return {
        "ok": result.ok,
        "to": result.receiver_number,
        "sid": result.provider_message_id,
        "http_status": result.http_status,
        "error_code": result.error_code,
        "error": result.error_message,
        "attempts": result.attempts,
        "latency_s": round(result.latency_s, 3),
        "source_id": result.source_id,
        "segments": result.segments,
        "media_count": result.media_count,
        "body": result.body,
    }


class Reporter:
    """Prints deliveries and summaries; safe to call from the sink's loop thread."""

    def __init__(self, *, json_mode: bool, out: TextIO | None = None) -> None:
        self.json_mode = json_mode
        self._out = out if out is not None else sys.stdout
        self._status: StatusLine | None = None
        self._lock = threading.Lock()

    def attach(self, status: StatusLine | None) -> None:
        """Route human lines through ``status`` (``None`` to detach)."""
        self._status = status

    def delivery(self, result: DeliveryResult) -> None:
        """``on_result`` callback: one line per delivered or failed message."""
        if self.json_mode:
            self.event("delivery", **delivery_fields(result))
            return
        where = f"camera {result.source_id}" if result.source_id is not None else "message"
        if result.ok:
            media = f", {result.media_count} image{'s' * (result.media_count != 1)}" if result.media_count else ""
            self.say(f"sent    {where} -> {result.receiver_number}  {result.provider_message_id}  "
                     f"({result.segments} segment{'s' * (result.segments != 1)}{media}, {result.latency_s:.2f} s)")
        else:
            code = f" [{result.error_code}]" if result.error_code is not None else ""
            self.say(f"FAILED  {where} -> {result.receiver_number}{code} {result.error_message} "
                     f"({result.attempts} attempt{'s' * (result.attempts != 1)})")

    def event(self, kind: str, **fields: Any) -> None:
        """A JSON line ``{"event": kind, ...}`` (JSON mode only)."""
        if self.json_mode:
            self._write(json.dumps({"event": kind, **fields}, default=str, ensure_ascii=False))

    def say(self, text: str) -> None:
        """A human line (human mode only)."""
        if not self.json_mode:
            self._write(text)

    def _write(self, line: str) -> None:
        status = self._status
        if status is not None:
            status.emit(line, self._out)
            return
        with self._lock:
            self._out.write(line + "\n")
            self._out.flush()
