"""``ExtractDetectionProperty``: one property of a single detection.

A single detection is the 6-tuple ``sv.Detections`` yields when iterated,
``(xyxy, mask, confidence, class_id, tracker_id, data)``; inside ``DetectionsFilter``
it is the operand ``_``. Result types follow the reference: Python scalars for box
values, numpy scalars for ``data`` entries and for ``center``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .base import OperationFailed, builders
from .enums import DetectionsProperty as P

__all__ = ["BUILDERS"]

Detection = tuple


def _class_name(detection: Detection) -> Any:
    """Object columns (what ``DetectionsRename`` makes) hold ``str``; unicode ones numpy strings."""
    name = detection[5].get("class_name")
    return str(name) if isinstance(name, str) else name.item()


_BOX: dict[P, Callable[[Detection], Any]] = {
    P.X_MIN: lambda d: d[0][0].item(),
    P.Y_MIN: lambda d: d[0][1].item(),
    P.X_MAX: lambda d: d[0][2].item(),
    P.Y_MAX: lambda d: d[0][3].item(),
    P.CONFIDENCE: lambda d: d[2].item(),
    P.CLASS_ID: lambda d: d[3].item(),
    P.CLASS_NAME: _class_name,
    P.SIZE: lambda d: ((d[0][3] - d[0][1]) * (d[0][2] - d[0][0])).item(),
    P.CENTER: lambda d: (
        d[0][0] + (d[0][2] - d[0][0]) / 2,
        d[0][1] + (d[0][3] - d[0][1]) / 2,
    ),
    P.TOP_LEFT: lambda d: (d[0][0].item(), d[0][1].item()),
    P.TOP_RIGHT: lambda d: (d[0][2].item(), d[0][1].item()),
    P.BOTTOM_LEFT: lambda d: (d[0][0].item(), d[0][3].item()),
    P.BOTTOM_RIGHT: lambda d: (d[0][2].item(), d[0][3].item()),
}


def extract_detection_property(value: Any, op: Any, params: Mapping[str, Any]) -> Any:
    if not isinstance(value, tuple) or len(value) != 6:
        raise OperationFailed(
            "expected a single detection: the 6-tuple (xyxy, mask, confidence, class_id, "
            "tracker_id, data) that iterating sv.Detections yields"
        )
    extract = _BOX.get(op.property_name)
    if extract is None:
        return value[5].get(op.property_name.value)
    try:
        return extract(value)
    except AttributeError as exc:
        raise OperationFailed(f"detection has no {op.property_name.value}") from exc


BUILDERS = builders(ExtractDetectionProperty=extract_detection_property)
