"""An in-memory :class:`MediaStore` double for unit tests: no network, everything recorded."""

from __future__ import annotations

import itertools

from .base import MediaStore, check_ttl, extension_for

__all__ = ["MemoryMediaStore"]


class MemoryMediaStore(MediaStore):
    """Keeps every put in :attr:`objects` (URL -> (bytes, content type)) and in order in
    :attr:`urls`; returns ``memory://media/<n>.<ext>`` URLs.

    ``fail_with`` makes every put raise that exception, to test the sink's error path.

    Example::

        store = MemoryMediaStore()
        url = await store.put(jpeg)
        assert store.objects[url] == (jpeg, "image/jpeg")
    """

    def __init__(self, *, ttl_s: float = 3600.0, fail_with: BaseException | None = None) -> None:
        self.ttl_s = check_ttl(ttl_s, float("inf"))
        self.fail_with = fail_with
        self.objects: dict[str, tuple[bytes, str]] = {}
        self.urls: list[str] = []
        self.discarded: list[str] = []
        self.closed = False
        self._counter = itertools.count(1)

    async def put(self, data: bytes, *, content_type: str = "image/jpeg") -> str:
        if self.fail_with is not None:
            raise self.fail_with
        url = f"memory://media/{next(self._counter)}{extension_for(content_type)}"
        self.objects[url] = (bytes(data), content_type)
        self.urls.append(url)
        return url

    async def discard(self, url: str) -> None:
        if self.objects.pop(url, None) is not None:
            self.discarded.append(url)

    async def aclose(self) -> None:
        self.closed = True

    def __repr__(self) -> str:
        return f"MemoryMediaStore(puts={len(self.urls)}, closed={self.closed})"
