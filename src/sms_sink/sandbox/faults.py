"""Faults the sandbox can inject, and the thread-safe plan that hands them out.

A fault is a small frozen value; :class:`FaultPlan` decides which request gets
which one. Injected faults (``inject``) win over the schedule; the schedule
advances only on requests no injected fault took. How each fault looks on the
wire (Twilio error JSON, Roboflow ``{"error": ...}``, a reset) lives in
``replies.py``.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Union

from ..errors import ConfigurationError
from .codes import TWILIO_ERRORS, twilio_message

__all__ = [
    "APIS",
    "Fault",
    "FaultPlan",
    "Hang",
    "Latency",
    "RateLimit",
    "Reset",
    "ServerError",
    "TwilioError",
    "fault_from_json",
]

#: The endpoints a fault can target; ``None`` means either.
APIS = ("twilio", "roboflow")


@dataclass(frozen=True)
class Latency:
    """Delay the answer by ``seconds``, then answer normally.

    A client that times out meanwhile still gets its message recorded, as with a
    slow real provider: that is what makes a timeout ambiguous.
    """

    seconds: float

    def __post_init__(self) -> None:
        _non_negative("seconds", self.seconds)


@dataclass(frozen=True)
class RateLimit:
    """HTTP 429 (Twilio code 20429); ``Retry-After`` is sent only when ``retry_after`` is set.

    Fractional values are written as is (``"0.5"``): not standard HTTP, but it keeps
    retry tests fast, and integral values look exactly like a real header.
    """

    retry_after: float | None = None

    def __post_init__(self) -> None:
        if self.retry_after is not None:
            _non_negative("retry_after", self.retry_after)


@dataclass(frozen=True)
class ServerError:
    """A 5xx answer (Twilio 20500/20503 body, or the proxy's ``{"error": ...}``)."""

    status: int = 500

    def __post_init__(self) -> None:
        if not isinstance(self.status, int) or not 500 <= self.status <= 599:
            raise ConfigurationError("status", f"must be an HTTP 5xx status, got {self.status!r}")


@dataclass(frozen=True)
class Reset:
    """Abort the TCP connection (RST) without any response."""


@dataclass(frozen=True)
class Hang:
    """Accept the request and never answer; the connection is dropped after ``seconds``.

    Nothing is recorded. The client normally times out first (the sandbox notices
    and lets go); server shutdown is never held up.
    """

    seconds: float = 60.0

    def __post_init__(self) -> None:
        _non_negative("seconds", self.seconds)
        if self.seconds == 0:
            raise ConfigurationError("seconds", "must be > 0; use Reset() to drop the connection at once")


@dataclass(frozen=True)
class TwilioError:
    """A chosen Twilio error ``code``; ``status`` and ``message`` default to Twilio's own."""

    code: int
    status: int | None = None
    message: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.code, int) or self.code <= 0:
            raise ConfigurationError("code", f"must be a positive Twilio error code, got {self.code!r}")
        if self.status is None:
            object.__setattr__(self, "status", TWILIO_ERRORS.get(self.code, (400, ""))[0])
        elif not isinstance(self.status, int) or not 400 <= self.status <= 599:
            raise ConfigurationError("status", f"must be an HTTP 4xx/5xx status, got {self.status!r}")
        if self.message is None:
            object.__setattr__(self, "message", twilio_message(self.code))


Fault = Union[Latency, RateLimit, ServerError, Reset, Hang, TwilioError]
_FAULT_TYPES = (Latency, RateLimit, ServerError, Reset, Hang, TwilioError)


class FaultPlan:
    """Hands one fault (or ``None``) to each request; safe to drive from any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._injected: list[list[Any]] = []  # [fault, remaining, api]
        self._schedule: deque[Fault | None] = deque()
        self._schedule_api: str | None = None

    def inject(self, fault: Fault, times: int = 1, *, api: str | None = None) -> None:
        """Apply ``fault`` to the next ``times`` requests for ``api`` (``None``: any)."""
        _check_fault(fault)
        if not isinstance(times, int) or times < 1:
            raise ConfigurationError("times", f"must be an int >= 1, got {times!r}")
        _check_api(api)
        with self._lock:
            self._injected.append([fault, times, api])

    def schedule(self, faults: Iterable[Fault | None], *, api: str | None = None) -> None:
        """Replace the schedule: one entry per matching request, ``None`` answers normally."""
        items = list(faults)
        for item in items:
            if item is not None:
                _check_fault(item)
        _check_api(api)
        with self._lock:
            self._schedule = deque(items)
            self._schedule_api = api

    def clear(self) -> None:
        """Drop every pending fault and the schedule."""
        with self._lock:
            self._injected.clear()
            self._schedule.clear()

    def pending(self) -> int:
        """Requests still covered by injected faults plus schedule entries left."""
        with self._lock:
            return sum(entry[1] for entry in self._injected) + len(self._schedule)

    def take(self, api: str) -> Fault | None:
        """The fault for one request to ``api``; consumes it."""
        with self._lock:
            for entry in self._injected:
                fault, remaining, target = entry
                if target is None or target == api:
                    if remaining == 1:
                        self._injected.remove(entry)
                    else:
                        entry[1] = remaining - 1
                    return fault
            if self._schedule and self._schedule_api in (None, api):
                return self._schedule.popleft()
            return None


def fault_from_json(spec: Mapping[str, Any]) -> Fault:
    """Build a fault from ``{"kind": "rate_limit", "retry_after": 1}``-style JSON."""
    if not isinstance(spec, Mapping):
        raise ConfigurationError("fault", "must be a JSON object with a 'kind'")
    args = {k: v for k, v in spec.items() if k not in ("kind", "times", "api")}
    kind = spec.get("kind")
    factory = _KINDS.get(kind) if isinstance(kind, str) else None
    if factory is None:
        raise ConfigurationError("kind", f"must be one of {sorted(_KINDS)}, got {kind!r}")
    try:
        return factory(**args)
    except TypeError as exc:
        raise ConfigurationError(kind, f"unexpected or missing arguments {sorted(args)}: {exc}") from None


_KINDS: dict[str, type] = {
    "latency": Latency,
    "rate_limit": RateLimit,
    "server_error": ServerError,
    "reset": Reset,
    "hang": Hang,
    "twilio_error": TwilioError,
}


def _check_fault(fault: object) -> None:
    if not isinstance(fault, _FAULT_TYPES):
        raise ConfigurationError("fault", f"must be one of {[t.__name__ for t in _FAULT_TYPES]}, got {fault!r}")


def _check_api(api: str | None) -> None:
    if api is not None and api not in APIS:
        raise ConfigurationError("api", f"must be one of {APIS} or None, got {api!r}")


def _non_negative(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ConfigurationError(name, f"must be a number >= 0, got {value!r}")
