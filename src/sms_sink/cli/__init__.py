"""The ``sms-sink`` command line (``sms-sink`` or ``python -m sms_sink``): demo, run, send, sandbox."""

from .app import build_parser, main

__all__ = ["build_parser", "main"]
