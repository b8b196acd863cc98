"""Frames to JPEG bytes that fit MMS size budgets.

Twilio takes at most 5 MB of media per message and carriers often refuse single images
past ~600 KB, so :class:`JpegEncoder` resizes (long side <= ``media_max_side``), encodes
at ``jpeg_quality`` and, when over budget, steps the quality down to ``min_quality`` and
then scales down until it fits, in a bounded number of encodes.

Backend: ``cv2.imencode`` (4:2:0). Measured against ``simplejpeg`` 4:2:0 at q85 on a
2-core machine (``benchmarks/jpeg_encoders.py``) the two are within noise of each other
(1080p ~7 ms, 720p ~3 ms, ~1.7-2x with two threads: both release the GIL), so the extra
dependency buys nothing. Encoding is CPU work meant for a small thread pool, never for the
event loop or the pipeline thread.
"""

from __future__ import annotations

import math
from typing import Any, Sequence

import cv2
import numpy as np

from ..errors import ConfigurationError, MediaError

__all__ = ["MIN_IMAGE_BYTES", "MMS_TOTAL_BYTES", "JpegEncoder", "as_bgr", "check_bgr", "encode_jpeg"]

MMS_TOTAL_BYTES = 5_000_000  # Twilio: "5 MB" for all media of one message (decimal, the safe reading)
MIN_IMAGE_BYTES = 10_000  # below this a frame is no longer worth looking at
_MIN_SIDE = 32  # smallest max_side, and the floor the shrink loop never goes below
_QUALITY_STEP = 10
_DEFAULT_MIN_QUALITY = 40
_MAX_SCALE_STEPS = 8
_SAMPLING = getattr(cv2, "IMWRITE_JPEG_SAMPLING_FACTOR", None)
_SAMPLING_420 = getattr(cv2, "IMWRITE_JPEG_SAMPLING_FACTOR_420", None)


def check_bgr(image: Any) -> None:
    """Raise :class:`MediaError` unless ``image`` is a non-empty HxWx3 uint8 (BGR) array.

    Constant time, so the sink checks every frame it accepts on the pipeline thread: a
    frame that can never be sent is rejected there, with an error status, before it takes
    the cooldown. Grayscale, BGRA, float, empty and batched arrays are refused rather than
    guessed at: a VideoFrame is always BGR, and a guess about scale or layout would send a
    wrong picture.
    """
    if not isinstance(image, np.ndarray):
        raise MediaError(
            f"expected a numpy.ndarray image (HxWx3 uint8 BGR), got {type(image).__name__}; "
            "pass the frame's pixels (VideoFrame.image)"
        )
    if image.dtype != np.uint8:
        raise MediaError(
            f"image dtype {image.dtype} (shape {image.shape}) is not supported: expected uint8 "
            "BGR; convert first, e.g. (np.clip(img, 0, 1) * 255).astype(np.uint8) for floats in [0, 1]"
        )
    if image.size == 0:
        raise MediaError(f"image is empty (shape {image.shape}); a frame needs height and width > 0")
    if image.ndim != 3 or image.shape[2] != 3:
        raise MediaError(
            f"image shape {image.shape} is not supported: expected HxWx3 BGR; convert grayscale "
            "with cv2.cvtColor(img, cv2.COLOR_GRAY2BGR) and BGRA with cv2.COLOR_BGRA2BGR, and "
            "pass one frame, not a batch"
        )


def as_bgr(image: Any) -> np.ndarray:
    """``image`` as a contiguous HxWx3 uint8 BGR array (see :func:`check_bgr`)."""
    check_bgr(image)
    return np.ascontiguousarray(image)


def encode_jpeg(image: np.ndarray, quality: int) -> bytes:
    """Encode a BGR uint8 array with ``cv2.imencode`` (4:2:0 chroma, like phones' cameras)."""
    params = [cv2.IMWRITE_JPEG_QUALITY, quality]
    if _SAMPLING is not None and _SAMPLING_420 is not None:
        params += [_SAMPLING, _SAMPLING_420]
    ok, buffer = cv2.imencode(".jpg", image, params)
    if not ok:
        raise MediaError(f"cv2.imencode failed for an image of shape {image.shape}")
    return buffer.tobytes()


def _resize_long_side(image: np.ndarray, long_side: int) -> np.ndarray:
    """Shrink with INTER_AREA (no aliasing) so the long side is ``long_side``; never enlarge."""
    height, width = image.shape[:2]
    if max(height, width) <= long_side:
        return image
    scale = long_side / max(height, width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA)


def _check_int(field: str, value: Any, low: int, high: int, hint: str) -> int:
    """Validate an int setting in [low, high] (bools refused)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigurationError(field, f"expected an int, got {type(value).__name__}; {hint}")
    if not low <= value <= high:
        raise ConfigurationError(field, f"{value} is out of range [{low}, {high}]; {hint}")
    return value


class JpegEncoder:
    """Encodes frames to JPEG under a per-image byte budget.

    Example::

        encoder = JpegEncoder(quality=85, max_side=1920, max_bytes=600_000)
        jpeg = encoder.encode(frame)                 # <= 600 KB, long side <= 1920
        jpegs = encoder.fit_total([a, b, c])         # each <= 600 KB, sum <= 5 MB

    At most ``len(quality ladder) + 8`` encodes per image; if the image still does not fit
    (only possible with tiny budgets) :class:`MediaError` says so. Thread-safe: no state
    changes after construction.
    """

    __slots__ = ("quality", "max_side", "max_bytes", "min_quality", "_ladder")

    def __init__(
        self,
        *,
        quality: int = 85,
        max_side: int | None = 1920,
        max_bytes: int = 600_000,
        min_quality: int | None = None,
    ) -> None:
        self.quality = _check_int("jpeg_quality", quality, 1, 100, "typical values are 70-90")
        if min_quality is None:  # the floor the budget loop may step down to
            min_quality = min(_DEFAULT_MIN_QUALITY, self.quality)
        self.min_quality = _check_int(
            "min_quality", min_quality, 1, self.quality, "the floor must not exceed jpeg_quality"
        )
        if max_side is not None:
            _check_int("media_max_side", max_side, _MIN_SIDE, 16384, "use None to keep the frame size")
        self.max_side = max_side
        self.max_bytes = _check_int(
            "media_max_bytes", max_bytes, MIN_IMAGE_BYTES, MMS_TOTAL_BYTES,
            "carriers accept ~600 KB per image and Twilio 5 MB per message",
        )
        steps = range(self.quality, self.min_quality, -_QUALITY_STEP)
        self._ladder = (*steps, self.min_quality)

    def encode(self, image: np.ndarray, *, max_bytes: int | None = None) -> bytes:
        """Encode ``image`` (see :func:`as_bgr`) to JPEG of at most ``max_bytes`` bytes.

        ``max_bytes`` defaults to the encoder's ``max_bytes``; a larger value is capped by it.
        """
        budget = self.max_bytes
        if max_bytes is not None:
            budget = min(budget, _check_int("max_bytes", max_bytes, MIN_IMAGE_BYTES, 2**62, "a byte budget"))
        frame = as_bgr(image)
        if self.max_side is not None:
            frame = _resize_long_side(frame, self.max_side)
        data = b""
        for quality in self._ladder:
            data = encode_jpeg(frame, quality)
            if len(data) <= budget:
                return data
        for _ in range(_MAX_SCALE_STEPS):
            long_side = max(frame.shape[:2])
            if long_side <= _MIN_SIDE:
                break
            # JPEG size is roughly proportional to the pixel count: aim 10% under.
            scale = min(0.9, max(0.5, math.sqrt(budget / len(data)) * 0.95))
            frame = _resize_long_side(frame, max(_MIN_SIDE, int(long_side * scale)))
            data = encode_jpeg(frame, self.min_quality)
            if len(data) <= budget:
                return data
        raise MediaError(
            f"could not encode the image under {budget} bytes (last try {len(data)} bytes at "
            f"{frame.shape[1]}x{frame.shape[0]}, quality {self.min_quality}); raise media_max_bytes"
        )

    def fit_total(
        self, images: Sequence[np.ndarray], total_bytes: int = MMS_TOTAL_BYTES
    ) -> list[bytes]:
        """Encode ``images`` (in order) so each fits ``max_bytes`` and the sum ``total_bytes``.

        Each image is first encoded under ``max_bytes``. If the sum is over, the images are
        visited smallest first and any larger than an equal share of what is left is
        re-encoded under that share, so small frames leave room for large ones. At most two
        encode runs per image.
        """
        if isinstance(total_bytes, bool) or not isinstance(total_bytes, int) or total_bytes <= 0:
            raise ConfigurationError("total_bytes", f"expected a positive int, got {total_bytes!r}")
        count = len(images)
        if count and total_bytes // count < MIN_IMAGE_BYTES:
            raise MediaError(
                f"{count} images cannot share {total_bytes} bytes (less than {MIN_IMAGE_BYTES} each); "
                "attach fewer images"
            )
        encoded = [self.encode(image) for image in images]
        if sum(map(len, encoded)) <= total_bytes:
            return encoded
        remaining = total_bytes
        for left, index in enumerate(sorted(range(count), key=lambda i: len(encoded[i]))):
            share = remaining // (count - left)
            if len(encoded[index]) > share:
                encoded[index] = self.encode(images[index], max_bytes=share)
            remaining -= len(encoded[index])
        return encoded

    def __repr__(self) -> str:
        return (
            f"JpegEncoder(quality={self.quality}, max_side={self.max_side}, "
            f"max_bytes={self.max_bytes}, min_quality={self.min_quality})"
        )
