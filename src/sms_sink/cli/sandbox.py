"""``sms-sink sandbox``: the Twilio/Roboflow-compatible sandbox as a server, with faults.

Point your code at the printed URL with the printed test credentials. The outbox page is
served live at / (and written to --outbox DIR). Faults apply to the next requests:

  --fault rate_limit          one 429 (Twilio code 20429)
  --fault rate_limit:1@3      three 429s with Retry-After: 1
  --fault twilio_error:21610  one refusal with that Twilio code (alias: error:21610)
  --fault server_error:503@2  two 503s
  --fault latency:2@5         the next five answers 2 s late
  --fault reset / hang:30     a dropped connection / no answer for 30 s

More faults at run time: POST /_sandbox/faults (see sms_sink.sandbox.control).
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from typing import Any

from ..errors import ConfigurationError
from ..sandbox import Hang, Latency, RateLimit, Reset, SandboxServer, ServerError, TwilioError
from ..sandbox.faults import Fault
from .common import EXIT_CONFIG, EXIT_OK, CliError, non_negative_float, tcp_port

__all__ = ["FaultSpec", "add_parser", "configure", "main", "parse_fault"]

#: kind -> (factory, type of its one optional argument)
_KINDS: dict[str, tuple[Any, Any]] = {
    "rate_limit": (RateLimit, float),
    "twilio_error": (TwilioError, int),
    "error": (TwilioError, int),
    "server_error": (ServerError, int),
    "latency": (Latency, float),
    "reset": (Reset, None),
    "hang": (Hang, float),
}

FaultSpec = tuple[Fault, int]


def parse_fault(text: str) -> FaultSpec:
    """argparse type: ``KIND[:ARG][@TIMES]`` -> (fault, times)."""
    spec, _, times_text = text.partition("@")
    kind, _, arg_text = spec.partition(":")
    factory, arg_type = _KINDS.get(kind.strip().lower(), (None, None))
    if factory is None:
        raise argparse.ArgumentTypeError(f"unknown fault {kind!r}; expected one of {', '.join(_KINDS)}")
    try:
        times = int(times_text) if times_text else 1
        if times < 1:
            raise ValueError
        if arg_text and arg_type is None:
            raise argparse.ArgumentTypeError(f"{kind} takes no argument")
        fault = factory(arg_type(arg_text)) if arg_text else factory()
    except ValueError as exc:
        if isinstance(exc, ConfigurationError):
            raise argparse.ArgumentTypeError(str(exc)) from None
        raise argparse.ArgumentTypeError(f"{text!r}: expected KIND[:NUMBER][@TIMES], e.g. rate_limit:1@3") from None
    except TypeError:
        raise argparse.ArgumentTypeError(f"{kind} needs an argument, e.g. {kind}:21610") from None
    return fault, times


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "sandbox", help="run the sandbox server (outbox page, test credentials, faults)",
        description=__doc__.split("\n\n", 1)[1], formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    configure(parser)


def configure(parser: argparse.ArgumentParser) -> None:
    """The sandbox's options; shared by ``sms-sink sandbox`` and ``python -m sms_sink.sandbox``."""
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=tcp_port, default=8080, help="port; 0 picks a free one (default 8080)")
    parser.add_argument("--outbox", metavar="DIR", help="also write messages, images and index.html here")
    parser.add_argument("--latency", type=non_negative_float, default=0.0, metavar="S", help="delay every send by S s")
    parser.add_argument("--fault", type=parse_fault, action="append", default=[], metavar="KIND[:ARG][@TIMES]",
                        help="inject a fault into the next requests (repeatable; see above)")
    parser.add_argument("--no-fetch-media", action="store_true", help="record MediaUrls without fetching them")
    parser.add_argument("--account-sid", default=SandboxServer.DEFAULT_ACCOUNT_SID, help="Twilio account SID to accept")
    parser.add_argument("--auth-token", default=SandboxServer.DEFAULT_AUTH_TOKEN, help="its auth token")
    parser.add_argument("--api-key", default=SandboxServer.DEFAULT_API_KEY, help="Roboflow api_key to accept")
    parser.set_defaults(handler=main)


def main(args: argparse.Namespace) -> int:
    try:
        asyncio.run(_serve(args))
    except KeyboardInterrupt:
        pass
    except OSError as exc:
        raise CliError(EXIT_CONFIG, f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}") from None
    return EXIT_OK


async def _serve(args: argparse.Namespace) -> None:
    stop = asyncio.Event()
    if sys.platform != "win32":
        for signum in (signal.SIGINT, signal.SIGTERM):  # explicit: a background job starts with SIGINT ignored
            asyncio.get_running_loop().add_signal_handler(signum, stop.set)
    server = SandboxServer(host=args.host, port=args.port, outbox_dir=args.outbox, latency=args.latency,
                           fetch_media=not args.no_fetch_media, accounts={args.account_sid: args.auth_token},
                           api_keys=[args.api_key])
    async with server as sb:
        for fault, times in args.fault:
            sb.inject(fault, times)
        # Sandbox credentials are test values; printing them is the point.
        print(f"sms-sink sandbox listening on {sb.url}")
        print(f"  Twilio:   base_url={sb.url}  account_sid={sb.account_sid}  auth_token={sb.auth_token}")
        print(f"  Roboflow: base_url={sb.url}  api_key={sb.api_key}")
        print(f"  Outbox:   {sb.url}/  (messages as JSON: {sb.url}/_sandbox/messages)")
        if args.fault:
            print("  Faults:   " + ", ".join(f"{fault!r} x{times}" for fault, times in args.fault))
        print("Press Ctrl-C to stop.", flush=True)
        await stop.wait()
