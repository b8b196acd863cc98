"""Normalise sink inputs into what an operation family works on.

The reference receives ``sv.Detections`` and ``WorkflowImageData``; a sink receives
raw inference responses and ``VideoFrame`` objects. These adapters bridge the two
once, at the edge of each operation.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

import numpy as np
import supervision as sv

from .base import OperationFailed, type_name

__all__ = ["as_detections", "as_frame", "as_image"]

_DETECTIONS_EXPECTED = (
    "expected detections: an sv.Detections, an inference response dict with a "
    "'predictions' list, or a list of prediction dicts"
)

_converter: Optional[Callable[[Any], sv.Detections]] = None


def _fallback_to_detections(value: Any) -> sv.Detections:
    """Stand-in used only while ``sms_sink.detections.to_detections`` does not exist."""
    if isinstance(value, list):
        value = {"predictions": value}
    return sv.Detections.from_inference(value)


def _resolve_converter() -> Callable[[Any], sv.Detections]:
    """Import ``sms_sink.detections.to_detections`` lazily; cache it once found."""
    global _converter
    if _converter is not None:
        return _converter
    try:
        from ..detections import to_detections
    except ImportError:
        return _fallback_to_detections
    _converter = to_detections
    return to_detections


def _looks_like_predictions(value: Any) -> bool:
    if isinstance(value, dict):
        return isinstance(value.get("predictions"), list)
    return isinstance(value, list) and all(isinstance(item, dict) for item in value)


def as_detections(value: Any) -> sv.Detections:
    """Return ``value`` as ``sv.Detections``, converting inference responses."""
    if isinstance(value, sv.Detections):
        return value
    if not _looks_like_predictions(value):
        raise OperationFailed(_DETECTIONS_EXPECTED)
    try:
        detections = _resolve_converter()(value)
    except Exception as exc:
        raise OperationFailed(
            f"could not convert {type_name(value)} into detections: {exc}"
        ) from exc
    if not isinstance(detections, sv.Detections):
        raise OperationFailed(f"detections converter returned {type_name(detections)}")
    return detections


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
