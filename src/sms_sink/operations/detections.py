"""Operations on a whole detections prediction (``sv.Detections``).

Inputs go through ``as_detections`` first, so inference response dicts and lists of
prediction dicts work as well. Results mirror the reference's numpy representation:
lists from ``.tolist()`` (Python scalars), anchors rounded half-to-even to ``int``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from copy import deepcopy
from typing import Any

import numpy as np
import supervision as sv

from .adapters import as_detections
from .base import ChainCompiler, OperationFailed, Step, builders
from .enums import DetectionsProperty, DetectionsSelectionMode, DetectionsSortProperties
from .evaluation import compile_statement
from .models import DEFAULT_OPERAND_NAME
from .serialise import serialise_detections

__all__ = ["BUILDERS"]


def _required(array: Any, name: str) -> np.ndarray:
    if array is None:
        raise OperationFailed(f"detections carry no {name}")
    return array


def _anchors(position: sv.Position) -> Callable[[sv.Detections], list[Any]]:
    def extract(detections: sv.Detections) -> list[Any]:
        anchors = detections.get_anchors_coordinates(anchor=position)
        return anchors.round().astype(int).tolist()

    return extract


_BUILTIN_PROPERTIES: dict[DetectionsProperty, Callable[[sv.Detections], list[Any]]] = {
    DetectionsProperty.CONFIDENCE: lambda d: _required(d.confidence, "confidence").tolist(),
    # reached only without a class_name column: upstream then answers [] whatever the count
    DetectionsProperty.CLASS_NAME: lambda d: [],
    DetectionsProperty.X_MIN: lambda d: d.xyxy[:, 0].tolist(),
    DetectionsProperty.Y_MIN: lambda d: d.xyxy[:, 1].tolist(),
    DetectionsProperty.X_MAX: lambda d: d.xyxy[:, 2].tolist(),
    DetectionsProperty.Y_MAX: lambda d: d.xyxy[:, 3].tolist(),
    DetectionsProperty.CLASS_ID: lambda d: _required(d.class_id, "class_id").tolist(),
    DetectionsProperty.SIZE: lambda d: d.box_area.tolist(),
    DetectionsProperty.CENTER: _anchors(sv.Position.CENTER),
    DetectionsProperty.TOP_LEFT: _anchors(sv.Position.TOP_LEFT),
    DetectionsProperty.TOP_RIGHT: _anchors(sv.Position.TOP_RIGHT),
    DetectionsProperty.BOTTOM_LEFT: _anchors(sv.Position.BOTTOM_LEFT),
    DetectionsProperty.BOTTOM_RIGHT: _anchors(sv.Position.BOTTOM_RIGHT),
}  # fmt: skip


def extract_property(value: Any, op: Any, params: Mapping[str, Any]) -> list[Any]:
    """One list element per detection, in the reference's order of precedence: nothing for
    no detections, the native tracker ids, a ``data`` column of that name, the box itself."""
    detections = as_detections(value)
    if len(detections) == 0:
        return []
    if op.property_name is DetectionsProperty.TRACKER_ID and detections.tracker_id is not None:
        return detections.tracker_id.tolist()
    name = op.property_name.value
    if name in detections.data:
        column = detections.data[name]
        return column.tolist() if isinstance(column, np.ndarray) else list(column)
    if op.property_name in _BUILTIN_PROPERTIES:
        return _BUILTIN_PROPERTIES[op.property_name](detections)
    raise OperationFailed(f"detections carry no {name!r} data (produced by another block)")


def _top_confidence(detections: sv.Detections) -> sv.Detections:
    confidence = _required(detections.confidence, "confidence")
    return detections[int(np.argwhere(confidence == confidence.max())[0].item())]


def _center_x(detections: sv.Detections) -> np.ndarray:
    return (detections.xyxy[:, 0] + detections.xyxy[:, 2]) * 0.5


def _anchor_x(detections: sv.Detections) -> np.ndarray:
    return detections.get_anchors_coordinates(anchor=sv.Position.CENTER)[:, 0]


_SELECTORS: dict[DetectionsSelectionMode, Callable[[sv.Detections], sv.Detections]] = {
    DetectionsSelectionMode.FIRST: lambda d: d[0],
    DetectionsSelectionMode.LAST: lambda d: d[-1],
    DetectionsSelectionMode.LEFT_MOST: lambda d: d[int(np.argmin(_anchor_x(d)))],
    DetectionsSelectionMode.RIGHT_MOST: lambda d: d[int(np.argmax(_anchor_x(d)))],
    DetectionsSelectionMode.TOP_CONFIDENCE: _top_confidence,
}


def select(value: Any, op: Any, params: Mapping[str, Any]) -> sv.Detections:
    """Keep the one detection picked by ``mode`` (empty in, empty out)."""
    detections = as_detections(value)
    if len(detections) == 0:
        return deepcopy(detections)
    return _SELECTORS[op.mode](detections)


_SORT_KEYS: dict[DetectionsSortProperties, Callable[[sv.Detections], Any]] = {
    DetectionsSortProperties.CONFIDENCE: lambda d: d.confidence,
    DetectionsSortProperties.X_MIN: lambda d: d.xyxy[:, 0],
    DetectionsSortProperties.Y_MIN: lambda d: d.xyxy[:, 1],
    DetectionsSortProperties.X_MAX: lambda d: d.xyxy[:, 2],
    DetectionsSortProperties.Y_MAX: lambda d: d.xyxy[:, 3],
    DetectionsSortProperties.SIZE: lambda d: d.box_area,
    DetectionsSortProperties.CENTER_X: _center_x,
    DetectionsSortProperties.CENTER_Y: lambda d: (d.xyxy[:, 1] + d.xyxy[:, 3]) * 0.5,
}


def sort(value: Any, op: Any, params: Mapping[str, Any]) -> sv.Detections:
    """Order by ``mode`` with numpy's default ``argsort``; descending reverses it."""
    detections = as_detections(value)
    if len(detections) == 0:
        return detections
    key = _SORT_KEYS[op.mode](detections)
    if key is None:
        return detections
    order = np.argsort(key)
    return detections[order if op.ascending else order[::-1]]


def _parameter(setting: Any, name: str, params: Mapping[str, Any]) -> Any:
    """A string setting names a global parameter holding the real value."""
    if not isinstance(setting, str):
        return setting
    if setting not in params:
        raise OperationFailed(f"{name} refers to parameter {setting!r}, which is not defined")
    return params[setting]


def rename(value: Any, op: Any, params: Mapping[str, Any]) -> sv.Detections:
    """Rename classes; ids are re-numbered (strict) or new names get ids from the offset."""
    detections = as_detections(value)
    class_map = _parameter(op.class_map, "class_map", params)
    strict = _parameter(op.strict, "strict", params)
    if not isinstance(class_map, dict):
        raise OperationFailed(f"class_map must be a dict, got {type(class_map).__name__}")
    if not isinstance(strict, bool):
        raise OperationFailed(f"strict must be a bool, got {type(strict).__name__}")
    renamed = deepcopy(detections)
    if "class_name" not in renamed.data:
        if strict and len(renamed) > 0:
            raise OperationFailed("strict renaming needs a class_name for every detection")
        return renamed
    names = renamed.data["class_name"].tolist()
    if strict:
        missing = [name for name in names if name not in class_map]
        if missing:
            raise OperationFailed(f"class {missing[0]!r} not found in class_map")
        ids = {name: i for i, name in enumerate(sorted(set(class_map.values())))}
    else:
        ids = dict(zip(names, _required(renamed.class_id, "class_id").tolist(), strict=True))
        added = sorted({new for new in class_map.values() if new not in ids})
        ids.update({name: op.new_classes_id_offset + i for i, name in enumerate(added)})
    new_names = [class_map.get(name, name) for name in names]
    renamed.data["class_name"] = np.array(new_names, dtype=object)
    renamed.class_id = np.array([ids[name] for name in new_names], dtype=int)
    return renamed


def offset(value: Any, op: Any, params: Mapping[str, Any]) -> sv.Detections:
    """Grow each box by ``offset_x`` / ``offset_y`` in total, half on each side."""
    grown = deepcopy(as_detections(value))
    grown.xyxy += [-op.offset_x / 2, -op.offset_y / 2, op.offset_x / 2, op.offset_y / 2]
    return grown


def shift(value: Any, op: Any, params: Mapping[str, Any]) -> sv.Detections:
    moved = deepcopy(as_detections(value))
    moved.xyxy += [op.shift_x, op.shift_y, op.shift_x, op.shift_y]
    return moved


def to_dictionary(value: Any, op: Any, params: Mapping[str, Any]) -> dict:
    return serialise_detections(as_detections(value))


def pick_by_parent_class(value: Any, op: Any, params: Mapping[str, Any]) -> sv.Detections:
    """Parents of ``parent_class`` first, then others whose box centre lies in a parent box."""
    detections = as_detections(value)
    class_names = detections.data.get("class_name")
    if class_names is None or len(class_names) == 0:
        return sv.Detections.empty()
    is_parent = np.asarray(class_names) == op.parent_class
    parents = detections[is_parent]
    if len(parents) == 0:
        return sv.Detections.empty()
    others = detections[~is_parent]
    centers = others.get_anchors_coordinates(anchor=sv.Position.CENTER)
    keep = [
        i
        for i, (x, y) in enumerate(centers)
        if any(x1 <= x <= x2 and y1 <= y <= y2 for x1, y1, x2, y2 in parents.xyxy)
    ]
    return sv.Detections.merge([parents, others[keep]])


def build_filter(op: Any, path: str, compile_chain: ChainCompiler) -> Step:
    """Keep detections for which ``filter_operation`` holds; ``_`` names the detection."""
    predicate = compile_statement(op.filter_operation, f"{path}.filter_operation", compile_chain)

    def filter_detections(value: Any, global_parameters: Mapping[str, Any]) -> sv.Detections:
        detections = as_detections(value)
        scope = dict(global_parameters)
        keep = []
        for detection in detections:
            scope[DEFAULT_OPERAND_NAME] = detection
            keep.append(predicate(scope))
        return detections[keep]

    return filter_detections


BUILDERS = {
    **builders(
        DetectionsPropertyExtract=extract_property,
        DetectionsSelection=select,
        SortDetections=sort,
        DetectionsRename=rename,
        DetectionsOffset=offset,
        DetectionsShift=shift,
        DetectionsToDictionary=to_dictionary,
        PickDetectionsByParentClass=pick_by_parent_class,
    ),
    "DetectionsFilter": build_filter,
}
