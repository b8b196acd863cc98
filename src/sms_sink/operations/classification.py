"""``ClassificationPropertyExtract`` on classification responses (dicts).

Single-label: ``{"top": "cat", "confidence": 0.9, "predictions": [{"class", "class_id",
"confidence"}, ...]}``. Multi-label: ``{"predicted_classes": [...], "predictions":
{name: {"class_id", "confidence"}}}``. ``all_*`` keep response order for lists and
class-id order for dicts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .base import OperationFailed, builders
from .enums import ClassificationProperty

__all__ = ["BUILDERS"]


def _top_class(prediction: dict) -> str | list[str]:
    if "top" in prediction:
        return prediction["top"]
    return prediction.get("predicted_classes", [])


def _predicted_confidences(prediction: dict) -> list[float]:
    return [
        prediction["predictions"][name]["confidence"]
        for name in prediction.get("predicted_classes", [])
    ]


def _top_confidence(prediction: dict) -> float | list[float]:
    if "confidence" in prediction:
        return prediction["confidence"]
    return _predicted_confidences(prediction)


def _top_confidence_single(prediction: dict) -> float:
    if "confidence" in prediction:
        return prediction["confidence"]
    return max(_predicted_confidences(prediction), default=0.0)


def _by_class_id(prediction: dict, key: str) -> list[Any]:
    predictions = prediction["predictions"]
    if isinstance(predictions, list):
        return [entry["class" if key == "name" else key] for entry in predictions]
    by_id = {
        entry["class_id"]: (name if key == "name" else entry[key])
        for name, entry in predictions.items()
    }
    return [by_id[class_id] for class_id in sorted(by_id)]


_EXTRACTORS: dict[ClassificationProperty, Callable[[dict], Any]] = {
    ClassificationProperty.TOP_CLASS: _top_class,
    ClassificationProperty.TOP_CLASS_CONFIDENCE: _top_confidence,
    ClassificationProperty.TOP_CLASS_CONFIDENCE_SINGLE: _top_confidence_single,
    ClassificationProperty.ALL_CLASSES: lambda p: _by_class_id(p, "name"),
    ClassificationProperty.ALL_CONFIDENCES: lambda p: _by_class_id(p, "confidence"),
}


def extract_classification_property(value: Any, op: Any, params: Mapping[str, Any]) -> Any:
    if not isinstance(value, dict):
        raise OperationFailed("expected a classification response dict")
    try:
        return _EXTRACTORS[op.property_name](value)
    except KeyError as exc:
        raise OperationFailed(f"classification response has no key {exc}") from exc


BUILDERS = builders(ClassificationPropertyExtract=extract_classification_property)
