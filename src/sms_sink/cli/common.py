"""What every ``sms-sink`` command shares: exit codes, the error that carries one, argument types.

Exit codes are part of the interface (scripts branch on them), so they live in one place
and are printed in ``sms-sink --help``.
"""

from __future__ import annotations

import argparse
import math
import os
import re
from pathlib import Path
from typing import Union
from urllib.parse import unquote, urlsplit, urlunsplit

from ..errors import ConfigurationError
from ..phone import normalize_e164

__all__ = [
    "EXIT_CODES_HELP",
    "EXIT_CONFIG",
    "EXIT_FAILED",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_SOURCE",
    "EXIT_USAGE",
    "CliError",
    "SourceRef",
    "e164",
    "non_negative_float",
    "parse_source",
    "positive_float",
    "redact",
    "scrub",
    "tcp_port",
    "zone",
]

EXIT_OK = 0
EXIT_FAILED = 1  #: a message was not delivered (or the demo delivered none)
EXIT_USAGE = 2  #: bad arguments
EXIT_SOURCE = 3  #: the video source is missing or unreachable
EXIT_CONFIG = 4  #: configuration or credentials (environment variables) missing or invalid
EXIT_INTERRUPTED = 130  #: a second Ctrl-C stopped the drain

EXIT_CODES_HELP = """\
exit codes:
  0    success (run: the source ended or Ctrl-C drained the queue, every alert delivered)
  1    delivery failed: send was refused, run left alerts failed/undelivered, demo delivered none
  2    bad arguments
  3    video source missing or unreachable
  4    configuration or credentials missing/invalid (see the environment variables)
  130  interrupted by a second Ctrl-C while draining

environment:
  TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_PHONE_NUMBER   --provider twilio
  ROBOFLOW_API_KEY                                             --provider roboflow
Credentials are read from the environment only, never from flags (which end up in shell history)."""

SourceRef = Union[str, int]


class CliError(Exception):
    """A failure the user can fix, with the exit code to leave with."""

    def __init__(self, code: int, message: str) -> None:
        self.code = code
        super().__init__(message)


def e164(value: str) -> str:
    """argparse type: an E.164 phone number."""
    try:
        return normalize_e164(value, "--to")
    except ConfigurationError as exc:
        raise argparse.ArgumentTypeError(str(exc).removeprefix("--to: ")) from None


def _number(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number") from None
    if not math.isfinite(number):
        raise argparse.ArgumentTypeError(f"{value!r} is not a finite number")
    return number


def non_negative_float(value: str) -> float:
    """argparse type: seconds >= 0."""
    number = _number(value)
    if number < 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, got {value}")
    return number


def positive_float(value: str) -> float:
    """argparse type: a number > 0."""
    number = _number(value)
    if number <= 0:
        raise argparse.ArgumentTypeError(f"must be > 0, got {value}")
    return number


def zone(value: str) -> list[tuple[int, int]]:
    """argparse type: ``x1,y1,x2,y2,x3,y3[,...]`` -> a polygon of at least 3 points."""
    try:
        numbers = [int(round(float(part))) for part in value.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated pixel coordinates x1,y1,x2,y2,..., got {value!r}") from None
    if len(numbers) < 6 or len(numbers) % 2:
        raise argparse.ArgumentTypeError("expected an even count of numbers forming at least 3 (x,y) points")
    if any(n < 0 for n in numbers):
        raise argparse.ArgumentTypeError("coordinates must be >= 0 pixels")
    return list(zip(numbers[::2], numbers[1::2]))


_URL_CREDENTIALS = re.compile(r"(//)[^/@\s]+@")
_STREAM_SCHEMES = ("rtsp", "rtsps", "rtmp", "http", "https", "udp", "tcp", "srt")


def tcp_port(value: str) -> int:
    """argparse type: a TCP port, 0 (any free port) to 65535."""
    try:
        port = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a port number, got {value!r}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a TCP port (0-65535; 0 picks a free one)")
    return port


def parse_source(value: str) -> SourceRef:
    """A video reference as InferencePipeline takes it: device index, stream URL, existing file
    (also as a ``file://`` URL) or a capture device path such as ``/dev/video0``.

    A missing file is a :class:`CliError` (exit 3) now rather than a traceback later.
    """
    text = value.strip()
    if text.isdigit():
        return int(text)
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme in _STREAM_SCHEMES:
        return text
    path = Path(unquote(parts.path) if scheme == "file" else text).expanduser()
    if path.is_char_device():  # V4L2 and other capture devices
        return str(path)
    if not path.is_file():
        raise CliError(EXIT_SOURCE, f"video source {text!r} is not a file, a device (index or /dev path) "
                                    "or a stream URL")
    if not os.access(path, os.R_OK):
        raise CliError(EXIT_SOURCE, f"video file {text!r} is not readable")
    return str(path)


def redact(reference: SourceRef) -> str:
    """A source for display: credentials and query tokens of a URL become ``***``."""
    if not isinstance(reference, str):
        return str(reference)
    parts = urlsplit(reference)
    if not parts.scheme or not parts.netloc:
        return reference
    netloc = f"***@{parts.netloc.rsplit('@', 1)[1]}" if "@" in parts.netloc else parts.netloc
    return urlunsplit((parts.scheme, netloc, parts.path, "***" if parts.query else "", ""))


def scrub(text: str) -> str:
    """``text`` (e.g. a library's error message) with URL credentials replaced by ``***``."""
    return _URL_CREDENTIALS.sub(r"\1***@", text)
