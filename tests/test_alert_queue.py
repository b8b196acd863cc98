import asyncio

import pytest

from sms_sink.alert_queue import AlertQueue


@pytest.mark.parametrize(
    ("overflow", "kept", "dropped"),
    [("drop_oldest", [2, 3], [1]), ("drop_newest", [1, 2], [3])],
)
async def test_overflow(overflow: str, kept: list[int], dropped: list[int]) -> None:
    queue: AlertQueue[int] = AlertQueue(2, overflow)  # type: ignore[arg-type]
    out = [d for d in (queue.put(i) for i in (1, 2, 3)) if d is not None]
    assert out == dropped
    assert [await queue.get() for _ in range(len(queue))] == kept


async def test_get_waits_for_put() -> None:
    queue: AlertQueue[str] = AlertQueue(4)
    getter = asyncio.create_task(queue.get())
    await asyncio.sleep(0)
    assert not getter.done()
    queue.put("a")
    assert await asyncio.wait_for(getter, 1) == "a"


def test_take_all_empties() -> None:
    queue: AlertQueue[int] = AlertQueue(4)
    for i in range(3):
        queue.put(i)
    assert queue.take_all() == [0, 1, 2] and len(queue) == 0


@pytest.mark.parametrize(("maxsize", "overflow"), [(0, "drop_oldest"), (1, "block")])
def test_invalid(maxsize: int, overflow: str) -> None:
    with pytest.raises(ValueError):
        AlertQueue(maxsize, overflow)  # type: ignore[arg-type]
