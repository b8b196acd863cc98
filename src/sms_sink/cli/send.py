"""``sms-sink send``: one test message through the configured provider, like Twilio's own CLI.

Prints the provider's receipt as JSON (exit 0), or the error with its HTTP status and
provider code (exit 1). One attempt, no retries: it shows exactly what the provider says.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from ..errors import AmbiguousDeliveryError, ConnectionFailedError, DeliveryError, MediaError
from ..media.stores import CONTENT_TYPES, LocalMediaServer, MediaStore
from ..messages import Attachment, OutboundMessage, ProviderReceipt
from .common import EXIT_FAILED, EXIT_OK, EXIT_USAGE, CliError, e164
from .delivery import Delivery, add_delivery_arguments, open_delivery

__all__ = ["add_parser", "main"]

_TYPES = {ext: content_type for content_type, ext in CONTENT_TYPES.items()} | {".jpeg": "image/jpeg"}
_MAX_MEDIA = 10
_FETCH_WAIT_S = 60.0


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "send", help="send one test message and print the provider's response",
        description=__doc__.split("\n\n", 1)[1], formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--to", required=True, type=e164, metavar="+E164", help="receiver")
    parser.add_argument("--message", required=True, help="text to send")
    parser.add_argument("--media", action="append", default=[], metavar="FILE",
                        help="attach a JPEG, PNG or GIF (repeatable, up to 10)")
    add_delivery_arguments(parser, outbox_default=None)
    parser.set_defaults(handler=main)


def main(args: argparse.Namespace) -> int:
    attachments = [_read_media(path) for path in args.media]
    if len(attachments) > _MAX_MEDIA:
        raise CliError(EXIT_USAGE, f"--media: at most {_MAX_MEDIA} files per message")
    delivery = open_delivery(args, needs_media=bool(attachments))
    message = OutboundMessage(to=args.to, body=args.message)
    try:
        receipt = asyncio.run(_send(delivery, message, attachments))
    except (DeliveryError, MediaError) as exc:
        fields = {"error": str(exc), "http_status": getattr(exc, "http_status", None),
                  "error_code": getattr(exc, "error_code", None), "provider": delivery.name,
                  "response": getattr(exc, "response", None)}
        print(json.dumps(fields, indent=2, default=str))
        print(f"sms-sink send: {_failure(delivery.name, exc)}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    finally:
        delivery.close()
    print(json.dumps(_receipt_fields(delivery, message, receipt), indent=2, default=str))
    if delivery.sandbox is not None and delivery.sandbox.outbox_dir is not None:
        print(f"outbox: {(delivery.sandbox.outbox_dir.resolve() / 'index.html').as_uri()}", file=sys.stderr)
    return EXIT_OK


async def _send(delivery: Delivery, message: OutboundMessage, attachments: list[Attachment]) -> ProviderReceipt:
    """Publish attachments (the media store, when the provider needs URLs), then send once."""
    provider, store = delivery.provider, delivery.media_store
    async with provider:
        if not attachments:
            return await provider.send(message)
        if provider.accepts_inline_media or store is None:
            return await provider.send(_with_media(message, attachments))
        async with store:
            urls = [await store.put(a.data or b"", content_type=a.content_type) for a in attachments]
            receipt = await provider.send(_with_media(message, [Attachment(url=url) for url in urls]))
            await _until_fetched(store, len(urls))
            return receipt


async def _until_fetched(store: MediaStore, count: int) -> None:
    """Keep a media server up until Twilio fetched every image (HEAD + GET), which it does
    after answering the send; stores without a server (S3) keep their objects anyway."""
    if not isinstance(store, LocalMediaServer):
        return
    deadline = asyncio.get_running_loop().time() + _FETCH_WAIT_S
    if store.stats()["hits"] < 2 * count:
        print(f"waiting up to {_FETCH_WAIT_S:g} s for the provider to fetch the media...", file=sys.stderr)
    while store.stats()["hits"] < 2 * count and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.2)


def _failure(provider: str, error: Exception) -> str:
    """What happened, in words: refused, unreachable, or unknown."""
    if isinstance(error, ConnectionFailedError):
        return f"could not reach {provider}; nothing was sent"
    if isinstance(error, AmbiguousDeliveryError):
        return f"{provider} did not confirm the message (it may have been sent)"
    if isinstance(error, MediaError):
        return "the media could not be prepared"
    return f"{provider} refused the message"


def _with_media(message: OutboundMessage, media: list[Attachment]) -> OutboundMessage:
    return OutboundMessage(to=message.to, body=message.body, media=tuple(media))


def _read_media(path: str) -> Attachment:
    file = Path(path).expanduser()
    content_type = _TYPES.get(file.suffix.lower())
    if content_type is None:
        raise CliError(EXIT_USAGE, f"--media {path}: expected a .jpg, .jpeg, .png or .gif file")
    try:
        return Attachment(data=file.read_bytes(), content_type=content_type)
    except OSError as exc:
        raise CliError(EXIT_USAGE, f"--media {path}: cannot read it ({exc.strerror})") from None


def _receipt_fields(delivery: Delivery, message: OutboundMessage, receipt: ProviderReceipt) -> dict[str, Any]:
    return {
        "provider": delivery.name,
        "to": message.to,
        "sid": receipt.message_id,
        "status": receipt.status,
        "segments": receipt.segments,
        "http_status": receipt.http_status,
        "response": receipt.raw,
    }
