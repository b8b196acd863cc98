"""Normalise sink inputs into what an operation family works on.

The reference receives ``sv.Detections`` and ``WorkflowImageData``; a sink receives
raw inference responses and ``VideoFrame`` objects. These adapters bridge the two
once, at the edge of each operation.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import supervision as sv

from .base import OperationFailed

__all__ = ["as_detections", "as_frame", "as_image"]


def as_detections(value: Any) -> sv.Detections:
    """Return ``value`` as ``sv.Detections``, converting inference responses."""
    if isinstance(value, sv.Detections):
        return value
    # imported on first use so this package imports even while that module is broken
    from ..detections import to_detections

    try:
        return to_detections(value)
    except TypeError as exc:
        raise OperationFailed(f"needs detections: {exc}") from exc


def as_image(value: Any) -> np.ndarray:
    """Return the BGR ``np.ndarray`` of ``value`` (an image, or a frame carrying one)."""
    image = value.image if _is_frame(value) else value
    if not isinstance(image, np.ndarray) or image.ndim not in (2, 3):
        raise OperationFailed(
            "expected an image: an HxW or HxWxC numpy array, or a VideoFrame"
        )
    return image


def as_frame(value: Any) -> Any:
    """Check ``value`` carries video metadata (a streamvision ``VideoFrame``)."""
    if not _is_frame(value):
        raise OperationFailed(
            "expected a VideoFrame (with frame_id, frame_timestamp and fps), e.g. $frame"
        )
    return value


def _is_frame(value: Any) -> bool:
    return all(hasattr(value, name) for name in ("image", "frame_id", "frame_timestamp"))
