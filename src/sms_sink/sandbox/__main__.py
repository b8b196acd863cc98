"""``python -m sms_sink.sandbox``: serve the sandbox until Ctrl-C (or SIGTERM).

Prints the URL and the test credentials to use; these are sandbox credentials,
chosen on the command line or the defaults, so printing them is the point.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from typing import Sequence

from .server import SandboxServer

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv``, run the sandbox until interrupted; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        asyncio.run(_serve(args))
    except KeyboardInterrupt:
        pass
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m sms_sink.sandbox",
        description="Twilio- and Roboflow-proxy-compatible sandbox server for tests and demos.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8080, help="port, 0 picks a free one (default 8080)")
    parser.add_argument("--outbox", metavar="DIR", help="also write messages, images and index.html here")
    parser.add_argument("--latency", type=float, default=0.0, metavar="S", help="delay every send by S seconds")
    parser.add_argument("--account-sid", default=SandboxServer.DEFAULT_ACCOUNT_SID, help="Twilio account SID to accept")
    parser.add_argument("--auth-token", default=SandboxServer.DEFAULT_AUTH_TOKEN, help="its auth token")
    parser.add_argument("--api-key", default=SandboxServer.DEFAULT_API_KEY, help="Roboflow api_key to accept")
    parser.add_argument("--no-fetch-media", action="store_true", help="record MediaUrls without fetching them")
    return parser


async def _serve(args: argparse.Namespace) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    if sys.platform != "win32":
        loop.add_signal_handler(signal.SIGTERM, stop.set)
    async with SandboxServer(
        host=args.host,
        port=args.port,
        accounts={args.account_sid: args.auth_token},
        api_keys=[args.api_key],
        outbox_dir=args.outbox,
        latency=args.latency,
        fetch_media=not args.no_fetch_media,
    ) as sb:
        print(f"sms-sink sandbox listening on {sb.url}", flush=True)
        print(f"  Twilio:   POST {sb.url}/2010-04-01/Accounts/{sb.account_sid}/Messages.json")
        print(f"            Basic auth {sb.account_sid} / {sb.auth_token}")
        print(f"  Roboflow: POST {sb.url}/apiproxy/twilio?api_key={sb.api_key}")
        print(f"  Messages: {sb.url}/ (page), {sb.url}/_sandbox/messages (JSON)")
        if sb.outbox_dir is not None:
            print(f"  Outbox:   {sb.outbox_dir.resolve()}/index.html")
        print("Press Ctrl-C to stop.", flush=True)
        await stop.wait()


if __name__ == "__main__":
    raise SystemExit(main())
