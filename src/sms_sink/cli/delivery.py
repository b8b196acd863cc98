"""Where the CLI's messages go: a provider (credentials from the environment), the media
store it needs for frames, and the embedded sandbox for offline use.

``--provider sandbox`` is the real Twilio code path pointed at a loopback sandbox, with a
loopback :class:`LocalMediaServer` the sandbox fetches images from, exactly as Twilio would.
"""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from ..errors import ConfigurationError
from ..media.stores import LocalMediaServer, MediaStore, S3MediaStore
from ..providers import Provider, RoboflowManagedProvider, TwilioProvider
from ..sandbox import SandboxServer
from .common import EXIT_CONFIG, CliError, tcp_port

__all__ = ["PROVIDERS", "SANDBOX_SENDER", "Delivery", "add_delivery_arguments", "open_delivery", "sandbox_delivery"]

PROVIDERS = ("twilio", "roboflow", "sandbox")
#: Twilio's magic "valid sender" test number: what sandbox messages come from.
SANDBOX_SENDER = "+15005550006"
_TWILIO_ENV = ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_PHONE_NUMBER")


@dataclass
class Delivery:
    """A provider, its media store (``None`` when not needed) and the embedded sandbox, if any."""

    name: str
    provider: Provider
    media_store: MediaStore | None = None
    sandbox: SandboxServer | None = None

    def close(self) -> None:
        """Stop the embedded sandbox (after the sink drained into it); idempotent."""
        if self.sandbox is not None:
            self.sandbox.close()


def add_delivery_arguments(parser: argparse.ArgumentParser, *, outbox_default: str | None) -> None:
    """``--provider`` and the options that say where frames are published."""
    group = parser.add_argument_group("delivery")
    group.add_argument(
        "--provider", choices=PROVIDERS, default=None,
        help="twilio (env TWILIO_*), roboflow (env ROBOFLOW_API_KEY) or sandbox (embedded, offline). "
             "Default: twilio if TWILIO_ACCOUNT_SID is set, else roboflow if ROBOFLOW_API_KEY is set",
    )
    group.add_argument("--base-url", metavar="URL", help="provider API base URL (default the provider's own)")
    group.add_argument("--outbox", metavar="DIR", default=outbox_default,
                       help=f"sandbox: write messages, images and index.html here (default {outbox_default})")
    group.add_argument("--media-url-base", metavar="URL",
                       help="twilio: public URL at which Twilio reaches the built-in media server")
    group.add_argument("--media-host", default="0.0.0.0", help="media server interface (default 0.0.0.0)")
    group.add_argument("--media-port", type=tcp_port, default=8765, help="media server port (default 8765)")
    group.add_argument("--s3-bucket", metavar="BUCKET", help="twilio: publish frames as expiring S3 URLs instead")


def open_delivery(args: argparse.Namespace, *, needs_media: bool, env: Mapping[str, str] | None = None) -> Delivery:
    """Build what ``args`` ask for; :class:`CliError` (exit 4) for missing credentials or media setup."""
    env = os.environ if env is None else env
    name = args.provider or _default_provider(env)
    try:
        if name == "sandbox":
            return sandbox_delivery(args.outbox, needs_media=needs_media)
        if name == "roboflow":
            return _roboflow(args, env)
        return _twilio(args, env, needs_media)
    except ConfigurationError as exc:
        raise CliError(EXIT_CONFIG, f"{name} provider: {exc}") from None


def _default_provider(env: Mapping[str, str]) -> str:
    if env.get("TWILIO_ACCOUNT_SID"):
        return "twilio"
    if env.get("ROBOFLOW_API_KEY"):
        return "roboflow"
    raise CliError(
        EXIT_CONFIG,
        "no provider configured: set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_PHONE_NUMBER, "
        "or ROBOFLOW_API_KEY; or try it offline with --provider sandbox",
    )


def sandbox_delivery(outbox: str | Path | None, *, needs_media: bool) -> Delivery:
    """An embedded sandbox (its own thread) and a Twilio provider pointed at it."""
    sandbox = SandboxServer.run_in_thread(outbox_dir=Path(outbox) if outbox else None)
    provider = TwilioProvider(sandbox.account_sid, sandbox.auth_token, SANDBOX_SENDER, base_url=sandbox.url)
    store = LocalMediaServer("http://127.0.0.1:0", host="127.0.0.1", port=0) if needs_media else None
    return Delivery("sandbox", provider, store, sandbox)


def _roboflow(args: argparse.Namespace, env: Mapping[str, str]) -> Delivery:
    api_key = env.get("ROBOFLOW_API_KEY")
    if not api_key:
        raise CliError(EXIT_CONFIG, "--provider roboflow needs the environment variable ROBOFLOW_API_KEY")
    extra = {"base_url": args.base_url} if args.base_url else {}
    return Delivery("roboflow", RoboflowManagedProvider(api_key, **extra))


def _twilio(args: argparse.Namespace, env: Mapping[str, str], needs_media: bool) -> Delivery:
    missing = [var for var in _TWILIO_ENV if not env.get(var)]
    if missing:
        raise CliError(EXIT_CONFIG, f"--provider twilio needs the environment variable(s) {', '.join(missing)}")
    extra = {"base_url": args.base_url} if args.base_url else {}
    provider = TwilioProvider(*(env[var] for var in _TWILIO_ENV), **extra)
    store: MediaStore | None = None
    if needs_media:
        if args.media_url_base:
            store = LocalMediaServer(args.media_url_base, host=args.media_host, port=args.media_port)
        elif args.s3_bucket:
            store = S3MediaStore(args.s3_bucket)
        else:
            raise CliError(
                EXIT_CONFIG,
                "Twilio fetches images from a public URL: pass --media-url-base URL (the built-in media "
                "server, reachable by Twilio through your proxy or tunnel) or --s3-bucket BUCKET (or send no picture)",
            )
    return Delivery("twilio", provider, store)
