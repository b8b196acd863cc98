"""The ``sms-sink`` command line: parser, dispatch, and the one place errors become exit codes."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from typing import Callable, Sequence

from .. import __version__
from ..errors import ConfigurationError, MediaError
from . import demo, run, sandbox, send
from .common import EXIT_CODES_HELP, EXIT_CONFIG, EXIT_INTERRUPTED, EXIT_USAGE, CliError

__all__ = ["build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    """The ``sms-sink`` parser with its four commands."""
    parser = argparse.ArgumentParser(
        prog="sms-sink",
        description="SMS/MMS alerts from live computer-vision video. Start with 'sms-sink demo' (offline, no account).",
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"sms-sink {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log what the libraries do (INFO level)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in (demo, run, send, sandbox):
        module.add_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``sms-sink`` with ``argv`` (default ``sys.argv[1:]``); returns the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, or argparse's usage error (2)
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    if args.verbose:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    handler: Callable[[argparse.Namespace], int] = args.handler
    json_mode = bool(getattr(args, "json", False))
    try:
        return handler(args)
    except CliError as exc:
        return _fail(args.command, str(exc), exc.code, json_mode)
    except (ConfigurationError, MediaError) as exc:
        return _fail(args.command, f"configuration error: {exc}", EXIT_CONFIG, json_mode)
    except OSError as exc:  # an outbox folder that cannot be written, a port in use ...
        return _fail(args.command, str(exc), EXIT_CONFIG, json_mode)
    except KeyboardInterrupt:
        print(f"sms-sink {args.command}: interrupted; queued alerts were not delivered", file=sys.stderr)
        return EXIT_INTERRUPTED


def _fail(command: str, message: str, code: int, json_mode: bool = False) -> int:
    """Say why on stderr (and, with ``--json``, as a last ``error`` event on stdout); return ``code``."""
    if json_mode:
        print(json.dumps({"event": "error", "exit_code": code, "message": message}), flush=True)
    print(f"sms-sink {command}: error: {message}", file=sys.stderr)
    return code
