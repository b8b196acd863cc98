"""The async lifecycle shared by providers and media stores, written once."""

from __future__ import annotations

from types import TracebackType
from typing import TypeVar

__all__ = ["AsyncResource"]

R = TypeVar("R", bound="AsyncResource")


class AsyncResource:
    """``start`` on the running loop, ``aclose`` idempotently; ``async with`` does both."""

    async def start(self) -> None:
        """Bind servers or open clients on the running loop; idempotent."""

    async def aclose(self) -> None:
        """Release connections and servers; idempotent."""

    async def __aenter__(self: R) -> R:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
