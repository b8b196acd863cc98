import numpy as np
import pytest

from sms_sink.frames import FramePool


@pytest.mark.parametrize(
    "image",
    [
        np.arange(48 * 64 * 3, dtype=np.uint8).reshape(48, 64, 3),
        np.arange(48 * 64, dtype=np.float32).reshape(48, 64),
        np.arange(48 * 64 * 3, dtype=np.uint8).reshape(48, 64, 3)[:, ::2],  # not contiguous
    ],
    ids=["bgr", "float", "strided"],
)
def test_copy_is_private_and_equal(image: np.ndarray) -> None:
    pool = FramePool(max_free=2)
    copy = pool.copy(image)
    assert np.array_equal(copy, image) and not np.may_share_memory(copy, image)
    image[...] = 0
    assert copy.any()


def test_released_buffers_are_reused_up_to_the_bound() -> None:
    pool = FramePool(max_free=1)
    image = np.ones((8, 8, 3), np.uint8)
    first, second = pool.copy(image), pool.copy(image)
    pool.release(first)
    pool.release(second)  # over max_free: left to the garbage collector
    assert pool.copy(image) is first
    assert pool.copy(image) is not second
    pool.release(image[:, :4])  # a view is never pooled
    assert pool.copy(image[:, :4].copy()) is not None
