"""``sv.Detections`` -> inference response dict, key for key as the reference serialiser.

Key order matters (``ConvertDictionaryToJSON`` output is compared as text), so keys
are written in the reference's order, including its quirk that the bounding-rect
``width`` / ``height`` overwrite the box size when all four rect keys are present.
Unlike the reference, a missing ``class_name`` or ``detection_id`` is left out
instead of failing, since responses converted by supervision carry no detection ids.
"""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np
import supervision as sv

from .base import OperationFailed

__all__ = ["serialise_detections"]

_RECT_KEYS = ("angle", "rect", "height", "width")
_KEYPOINT_KEYS = (
    "keypoints_class_id",
    "keypoints_class_name",
    "keypoints_confidence",
    "keypoints_xy",
)
_MIN_POLYGON_POINTS = 3


def serialise_detections(detections: sv.Detections) -> dict[str, Any]:
    """``{"image": {"width", "height"}, "predictions": [...]}`` (image size from ``data``)."""
    predictions = []
    dimensions = None
    for xyxy, mask, confidence, class_id, tracker_id, data in detections:
        dimensions = data.get("image_dimensions")
        entry = _detection(xyxy, mask, confidence, class_id, tracker_id, data)
        if entry is not None:
            predictions.append(entry)
    image: dict[str, Any] = {"width": None, "height": None}
    if dimensions is not None:
        image = {"width": dimensions[1].item(), "height": dimensions[0].item()}
    return {"image": image, "predictions": predictions}


def _detection(
    xyxy: np.ndarray, mask: Any, confidence: Any, class_id: Any, tracker_id: Any, data: dict
) -> dict[str, Any] | None:
    """One prediction dict, or ``None`` when its mask holds no polygon (dropped, as upstream)."""
    x1, y1, x2, y2 = xyxy.astype(float).tolist()
    entry: dict[str, Any] = {"width": abs(x2 - x1), "height": abs(y2 - y1)}
    entry["x"] = x1 + entry["width"] / 2
    entry["y"] = y1 + entry["height"] / 2
    entry["confidence"] = float(confidence)
    entry["class_id"] = int(class_id)
    if mask is not None:
        polygon = data.get("polygon")
        if polygon is None or len(polygon) <= 2:
            polygon = _mask_to_polygon(mask)
        if polygon is None:
            return None
        entry["points"] = [{"x": float(x), "y": float(y)} for x, y in polygon]
    if tracker_id is not None:
        entry["tracker_id"] = int(tracker_id)
    if "class_name" in data:
        entry["class"] = str(data["class_name"])
    if "detection_id" in data:
        entry["detection_id"] = str(data["detection_id"])
    for key in ("path_deviation", "time_in_zone"):
        if key in data:
            entry[key] = data[key]
    if "polygon" in data:
        entry["polygon"] = data["polygon"].astype(float).round().astype(int).tolist()
    if all(key in data for key in _RECT_KEYS):
        entry.update((key, data[key]) for key in _RECT_KEYS)
    if "parent_id" in data:
        entry["parent_id"] = str(data["parent_id"])
        if "root_parent_id" in data and str(data["parent_id"]) != str(data["root_parent_id"]):
            _attach_origin(entry, data, "parent")
            entry["root_parent_id"] = str(data["root_parent_id"])
            _attach_origin(entry, data, "root_parent")
    if all(key in data for key in _KEYPOINT_KEYS):
        entry["keypoints"] = _keypoints(data)
    if "data" in data:
        entry["data"] = data["data"]
    for key in ("velocity", "speed", "smoothed_velocity", "smoothed_speed"):
        if key in data:
            entry[key] = data[key].tolist() if "velocity" in key else data[key].astype(float)
    for key in ("area_px", "area_converted"):
        if key in data:
            entry[key] = float(data[key])
    if "nearest_target_distance" in data:
        distance = data["nearest_target_distance"]
        entry["nearest_target_distance"] = None if distance is None else float(distance)
    return entry


def _attach_origin(entry: dict[str, Any], data: dict, prefix: str) -> None:
    """``{prefix}_origin`` from ``{prefix}_coordinates`` (x, y) and ``_dimensions`` (h, w)."""
    coordinates = data.get(f"{prefix}_coordinates")
    dimensions = data.get(f"{prefix}_dimensions")
    if coordinates is None or dimensions is None:
        return
    if isinstance(coordinates, np.ndarray):
        coordinates = coordinates.astype(float).round().astype(int).tolist()
    if isinstance(dimensions, np.ndarray):
        dimensions = dimensions.astype(float).round().astype(int).tolist()
    width, height = int(dimensions[1]), int(dimensions[0])
    if width <= 0 or height <= 0:
        raise OperationFailed(f"{prefix}_dimensions must be positive, got {dimensions}")
    entry[f"{prefix}_origin"] = {
        "offset_x": int(coordinates[0]),
        "offset_y": int(coordinates[1]),
        "width": width,
        "height": height,
    }


def _keypoints(data: dict) -> list[dict[str, Any]]:
    """Keypoints without the trailing padding slots (those carry an empty class name)."""
    names = data["keypoints_class_name"]
    xy = data["keypoints_xy"]
    count = len(xy) if names is None else sum(1 for name in names if str(name) != "")
    return [
        {
            "class_id": int(class_id),
            "class": str(name),
            "confidence": float(confidence),
            "x": float(x),
            "y": float(y),
        }
        for class_id, name, confidence, (x, y) in zip(
            data["keypoints_class_id"][:count],
            names[:count],
            data["keypoints_confidence"][:count],
            xy[:count],
            strict=False,
        )
    ]


def _mask_to_polygon(mask: np.ndarray) -> np.ndarray | None:
    """Outline of the largest contour, padded to at least 3 points; ``None`` if empty."""
    contours, _ = cv2.findContours(mask.astype(np.uint8), cv2.RETR_TREE, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    contour = np.squeeze(max(contours, key=cv2.contourArea), axis=1)
    if contour.ndim == 1:
        contour = np.expand_dims(contour, axis=0)
    missing = max(_MIN_POLYGON_POINTS - contour.shape[0], 0)
    if missing:
        contour = np.append(contour, np.repeat(contour[-1:], missing, axis=0), axis=0)
    return contour
