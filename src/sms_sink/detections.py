"""Turn Roboflow predictions into ``sv.Detections`` for the detection operations.

In the reference workflow block a model's output reaches the operations as
``sv.Detections``; behind an ``InferencePipeline`` the sink receives the serialised
response instead (``{"image": {...}, "predictions": [{"x", "y", "width", "height",
"class", "class_id", "confidence", ...}]}``, boxes in centre format). This module bridges
the two.

``sv.Detections.from_inference`` is not used: it requires the ``image`` key (a bare list of
predictions has none), rasterises every polygon into a full-frame boolean mask (2 MB per
detection at 1080p, and text needs none of it) and drops ``detection_id``. Here only boxes
are built; ``points``, ``keypoints`` and RLE masks are left out.

Columns follow supervision's rule for ``tracker_id``: a field is kept only when every
prediction carries it (otherwise the arrays would not line up with the boxes).
``data["class_name"]`` holds the ``class`` values; every other scalar per-prediction key
(``detection_id``, ``parent_id`` ...) is kept under its own name; like ``inference``,
``image_dimensions`` (``[height, width]`` per box) and ``inference_id`` are added when the
response has them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import supervision as sv

__all__ = ["has_detections", "is_detections_like", "to_detections"]

_BOX_KEYS = ("x", "y", "width", "height")
_COLUMN_KEYS = frozenset({*_BOX_KEYS, "confidence", "class", "class_id", "tracker_id"})
_SCALAR_TYPES = (str, int, float, bool)


def has_detections(predictions: Any, video_frame: Any = None) -> bool:
    """True when ``predictions`` holds at least one detection: the usual ``alert_when``.

    Takes ``sv.Detections``, a Roboflow response dict or a list of prediction dicts;
    anything else (``None`` for a frame the model skipped, a classification) is False.
    ``video_frame`` is unused: the signature is the one ``alert_when`` is called with.
    """
    if isinstance(predictions, sv.Detections):
        return len(predictions) > 0
    found = _predictions_of(predictions)
    return bool(found) and all(_is_box(p) for p in found)


def is_detections_like(value: Any) -> bool:
    """Return True when :func:`to_detections` accepts ``value``."""
    if isinstance(value, sv.Detections):
        return True
    predictions = _predictions_of(value)
    return predictions is not None and all(_is_box(p) for p in predictions)


def to_detections(value: Any) -> sv.Detections:
    """Convert ``value`` to ``sv.Detections`` (an ``sv.Detections`` is returned as is).

    Accepts a Roboflow response dict with a ``predictions`` list, or a bare list of
    prediction dicts; an empty list gives empty detections. Raises ``TypeError`` otherwise.
    """
    if isinstance(value, sv.Detections):
        return value
    predictions = _predictions_of(value)
    if predictions is None:
        raise TypeError(
            f"cannot convert {type(value).__name__} to sv.Detections: expected "
            "sv.Detections, a Roboflow response dict with a 'predictions' list, or a "
            "list of prediction dicts"
        )
    for index, prediction in enumerate(predictions):
        if not _is_box(prediction):
            raise TypeError(
                f"prediction {index} is not a box: a dict with keys "
                f"{', '.join(_BOX_KEYS)} (centre format) is required, got {_describe(prediction)}"
            )
    if not predictions:
        detections = sv.Detections.empty()
        detections.data = {"class_name": np.empty(0, dtype=str)}
        return detections
    data = _data_columns(predictions)
    if isinstance(value, Mapping):
        data.update(_response_columns(value, len(predictions)))
    return sv.Detections(
        xyxy=_xyxy(predictions),
        confidence=_column(predictions, "confidence", np.float64),
        class_id=_column(predictions, "class_id", np.int64),
        tracker_id=_column(predictions, "tracker_id", np.int64),
        data=data,
    )


def _predictions_of(value: Any) -> Sequence[Any] | None:
    """The prediction list of a response dict or a bare list, else None."""
    if isinstance(value, Mapping):
        value = value.get("predictions")
    return value if isinstance(value, (list, tuple)) else None


def _is_box(prediction: Any) -> bool:
    """True for a dict carrying a centre-format box."""
    return (
        isinstance(prediction, Mapping)
        and "x" in prediction
        and "y" in prediction
        and "width" in prediction
        and "height" in prediction
    )


def _describe(prediction: Any) -> str:
    """Short description of a rejected prediction for error messages."""
    if isinstance(prediction, Mapping):
        return f"keys {sorted(map(str, prediction))}"
    return type(prediction).__name__


def _xyxy(predictions: Sequence[Mapping[str, Any]]) -> np.ndarray:
    """Corner-format boxes from centre-format predictions."""
    corners = []
    for p in predictions:
        x, y, half_w, half_h = p["x"], p["y"], p["width"] / 2, p["height"] / 2
        corners.append((x - half_w, y - half_h, x + half_w, y + half_h))
    return np.array(corners, dtype=np.float64)


def _column(
    predictions: Sequence[Mapping[str, Any]], key: str, dtype: Any
) -> np.ndarray | None:
    """An array of ``key`` when every prediction has a non-None value, else None."""
    values = [p.get(key) for p in predictions]
    if any(v is None for v in values):
        return None
    return np.array(values, dtype=dtype)


def _data_columns(predictions: Sequence[Mapping[str, Any]]) -> dict[str, np.ndarray]:
    """``class_name`` plus every other scalar key that all predictions share with one type."""
    data: dict[str, np.ndarray] = {}
    class_names = _column(predictions, "class", str)
    if class_names is not None:
        data["class_name"] = class_names
    first = predictions[0]
    for key, sample in first.items():
        if key in _COLUMN_KEYS or not isinstance(key, str):
            continue
        if not isinstance(sample, _SCALAR_TYPES):
            continue
        kind = type(sample)
        values = [p.get(key) for p in predictions]
        if all(type(v) is kind for v in values):
            data[key] = np.array(values)
    if "parent_id" not in data:  # as the workflows converter: "" when a model gives none
        data["parent_id"] = np.array([str(p.get("parent_id", "")) for p in predictions])
    return data


def _response_columns(response: Mapping[str, Any], count: int) -> dict[str, np.ndarray]:
    """Per-box copies of the response-level ``image`` size and ``inference_id``."""
    data: dict[str, np.ndarray] = {}
    image = response.get("image")
    if isinstance(image, Mapping) and "width" in image and "height" in image:
        data["image_dimensions"] = np.full((count, 2), (image["height"], image["width"]))
    inference_id = response.get("inference_id")
    if isinstance(inference_id, str):
        data["inference_id"] = np.full(count, inference_id)
    return data
