"""The media store interface: bytes in, a URL that Twilio can fetch (and that expires) out.

Twilio has no upload API: every MMS image must sit at a URL it can GET. Stores keep the
private frames reachable only through unguessable, expiring URLs.
"""

from __future__ import annotations

import abc
from typing import Any

from ...config import check_number
from ...errors import MediaError
from ...lifecycle import AsyncResource

__all__ = ["CONTENT_TYPES", "MediaStore", "check_ttl", "extension_for"]

#: Media types Twilio fully supports on every carrier, with the file extension used.
CONTENT_TYPES = {"image/jpeg": ".jpg", "image/png": ".png", "image/gif": ".gif"}


def extension_for(content_type: str) -> str:
    """The file extension for ``content_type``; :class:`MediaError` for other types."""
    try:
        return CONTENT_TYPES[content_type]
    except KeyError:
        raise MediaError(
            f"content type {content_type!r} is not supported: use one of {', '.join(CONTENT_TYPES)}"
        ) from None


def check_ttl(value: Any, maximum: float) -> float:
    """Validate ``ttl_s``: seconds in (0, maximum] (Twilio fetches media within minutes)."""
    return float(check_number("ttl_s", value, minimum=0, exclusive=True, maximum=maximum))


class MediaStore(AsyncResource, abc.ABC):
    """Stores one attachment and returns a URL that stops working after the store's TTL.

    Subclasses implement :meth:`put`; stores that need the running loop (servers,
    clients) start in :meth:`start`. Use as ``async with store: ...``.
    """

    @abc.abstractmethod
    async def put(self, data: bytes, *, content_type: str = "image/jpeg") -> str:
        """Store ``data`` and return its expiring URL; :class:`MediaError` on failure."""

    async def settle(self) -> None:
        """Return once the URLs handed out no longer need this process.

        Twilio answers "queued" and fetches media afterwards, so a store that serves from
        this process waits here, at close, until each URL was fetched (the caller bounds
        the wait). Stores whose objects outlive the process have nothing to wait for.
        """

    async def discard(self, url: str) -> None:
        """Forget ``url``: the provider refused its message, so nobody will fetch it.

        The private frame is deleted now instead of at expiry, and :meth:`settle` stops
        waiting for it. Never raises; an unknown URL is ignored.
        """
