"""The operation-parity corpus: inputs in both shapes and the operation chains to run on them.

Each input is built fresh for each side, in the shape each side receives:

- detections: ``sv.Detections`` given to both (with and without tracker ids, empty); and
  Roboflow response dicts, converted by ``sms_sink.detections.to_detections`` for us and by
  the workflows engine's own converter (``convert_inference_detections_batch_to_sv_detections``,
  what a model block runs) for the reference;
- images: a BGR ``ndarray`` for us, ``WorkflowImageData`` for the reference;
- frames: a streamvision ``VideoFrame`` for us, ``WorkflowImageData`` with the
  ``VideoMetadata`` InferencePipeline derives from that frame for the reference;
- everything else (classification responses, strings, numbers, timestamps, lists, dicts):
  the same value.

Case ids read ``<Operation>:<detail>``; the suite's summary groups results by operation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
import supervision as sv
from inference.core.workflows.core_steps.common.query_language.entities.enums import (
    ClassificationProperty,
    DetectionsProperty,
    DetectionsSelectionMode,
    DetectionsSortProperties,
    FrameMetadataProperty,
    ImageProperty,
)
from inference.core.workflows.core_steps.common.utils import convert_inference_detections_batch_to_sv_detections
from inference.core.workflows.execution_engine.entities.base import (
    ImageParentMetadata,
    VideoMetadata,
    WorkflowImageData,
)
from streamvision.camera.entities import VideoFrame

from sms_sink.detections import to_detections

__all__ = ["CASES", "Case", "inputs"]

TIMESTAMP = datetime(2026, 1, 2, 3, 4, 5, 678000)


@dataclass(frozen=True)
class Case:
    """One chain on one input; ``known`` names a reported difference (strict xfail)."""

    id: str
    value: str
    operations: list[dict[str, Any]]
    known: str | None = field(default=None, compare=False)


# -- inputs -------------------------------------------------------------------------------
def _detections(tracked: bool) -> sv.Detections:
    return sv.Detections(
        xyxy=np.array([[10.0, 20.0, 50.0, 80.0], [60.0, 10.0, 90.0, 40.0], [5.0, 5.0, 300.0, 200.0]]),
        confidence=np.array([0.9, 0.35, 0.6]),
        class_id=np.array([0, 1, 0]),
        tracker_id=np.array([7, 8, 9]) if tracked else None,
        data={"class_name": np.array(["car", "person", "car"]), "detection_id": np.array(["a", "b", "c"])},
    )


def _empty_detections() -> sv.Detections:
    detections = sv.Detections.empty()
    detections.data = {"class_name": np.empty(0, dtype=str)}
    return detections


def _tracked_twice() -> sv.Detections:
    """Native tracker ids and a ``tracker_id`` data column that disagree."""
    detections = _detections(tracked=True)
    detections.data["tracker_id"] = np.array([70, 80, 90])
    return detections


def _response(tracked: bool = False, n: int = 3) -> dict[str, Any]:
    boxes = [(30.0, 50.0, 40.0, 60.0, "car", 0, 0.9), (75.0, 25.0, 30.0, 30.0, "person", 1, 0.35),
             (152.5, 102.5, 295.0, 195.0, "car", 0, 0.6)]
    predictions = []
    for i, (x, y, w, h, name, class_id, confidence) in enumerate(boxes[:n]):
        prediction = {"x": x, "y": y, "width": w, "height": h, "class": name, "class_id": class_id,
                      "confidence": confidence, "detection_id": f"d{i}"}
        if tracked:
            prediction["tracker_id"] = 100 + i
        predictions.append(prediction)
    return {"image": {"width": 320, "height": 240}, "predictions": predictions}


def _image() -> np.ndarray:
    rng = np.random.default_rng(7)
    return rng.integers(0, 256, size=(48, 64, 3), dtype=np.uint8)


def _workflow_image(image: np.ndarray, metadata: VideoMetadata | None = None) -> WorkflowImageData:
    return WorkflowImageData(parent_metadata=ImageParentMetadata(parent_id="image"), numpy_image=image,
                             video_metadata=metadata)


def _frame() -> VideoFrame:
    return VideoFrame(image=_image(), frame_id=46, frame_timestamp=TIMESTAMP, fps=15.0, source_id=2,
                      comes_from_video_file=True)


def _frame_for_reference() -> WorkflowImageData:
    frame = _frame()  # the VideoMetadata InferencePipeline builds from this frame
    metadata = VideoMetadata(video_identifier=str(frame.source_id), frame_number=frame.frame_id,
                             frame_timestamp=frame.frame_timestamp, fps=frame.fps,
                             measured_fps=frame.measured_fps, comes_from_video_file=frame.comes_from_video_file)
    return _workflow_image(frame.image, metadata)


def _reference_detections(response: dict[str, Any]) -> sv.Detections:
    return convert_inference_detections_batch_to_sv_detections([response])[0]


_SAME = {
    "tracked": lambda: _detections(tracked=True),
    "untracked": lambda: _detections(tracked=False),
    "empty": _empty_detections,
    "boxes_only_empty": lambda: sv.Detections(xyxy=np.empty((0, 4))),
    "tracked_twice": _tracked_twice,
    "classification": lambda: {
        "top": "cat", "confidence": 0.8,
        "predictions": [{"class": "cat", "class_id": 0, "confidence": 0.8},
                        {"class": "dog", "class_id": 1, "confidence": 0.2}],
    },
    "multilabel": lambda: {
        "predicted_classes": ["cat", "dog"],
        "predictions": {"cat": {"confidence": 0.9, "class_id": 0}, "dog": {"confidence": 0.6, "class_id": 1},
                        "bird": {"confidence": 0.1, "class_id": 2}},
    },
    "text": lambda: "Person at Gate 3",
    "empty_text": lambda: "",
    "numeric_text": lambda: "42.7",
    "number": lambda: 3.14159,
    "integer": lambda: 7,
    "timestamp": lambda: TIMESTAMP,
    "labels": lambda: ["car", "person", "car", "dog"],
    "numbers": lambda: [3, 1.5, 2],
    "empty_list": lambda: [],
    "dictionary": lambda: {"camera": "gate", "count": 3, "ok": True},
}
_OURS: dict[str, Callable[[], Any]] = {
    **_SAME,
    "response": lambda: to_detections(_response()),
    "response_tracked": lambda: to_detections(_response(tracked=True)),
    "response_empty": lambda: to_detections(_response(n=0)),
    "image": _image,
    "frame": _frame,
}
_REFERENCE: dict[str, Callable[[], Any]] = {
    **_SAME,
    "response": lambda: _reference_detections(_response()),
    "response_tracked": lambda: _reference_detections(_response(tracked=True)),
    "response_empty": lambda: _reference_detections(_response(n=0)),
    "image": lambda: _workflow_image(_image()),
    "frame": _frame_for_reference,
}


def inputs(key: str) -> tuple[Any, Any]:
    """Fresh (ours, reference) inputs for ``key``."""
    return _OURS[key](), _REFERENCE[key]()


# -- cases --------------------------------------------------------------------------------
def _op(type_: str, **params: Any) -> dict[str, Any]:
    return {"type": type_, **params}


def _class_is(name: str) -> dict[str, Any]:
    return {
        "type": "StatementGroup", "operator": "and",
        "statements": [{
            "type": "BinaryStatement",
            "left_operand": {"type": "DynamicOperand", "operand_name": "_",
                             "operations": [_op("ExtractDetectionProperty", property_name="class_name")]},
            "comparator": {"type": "=="},
            "right_operand": {"type": "StaticOperand", "value": name},
        }],
    }  # fmt: skip


def _confidence_at_least(value: float) -> dict[str, Any]:
    return {
        "type": "StatementGroup", "operator": "or",
        "statements": [{
            "type": "BinaryStatement",
            "left_operand": {"type": "DynamicOperand", "operand_name": "_",
                             "operations": [_op("ExtractDetectionProperty", property_name="confidence")]},
            "comparator": {"type": "(Number) >="},
            "right_operand": {"type": "StaticOperand", "value": value},
        }],
    }  # fmt: skip


DETECTION_INPUTS = ("tracked", "untracked", "empty", "response", "response_tracked", "response_empty",
                    "boxes_only_empty", "tracked_twice")


def _cases() -> list[Case]:
    cases = [
        Case(f"DetectionsPropertyExtract:{prop.value}:{value}", value,
             [_op("DetectionsPropertyExtract", property_name=prop.value)])
        for prop in DetectionsProperty for value in DETECTION_INPUTS
    ]
    cases += [
        Case(f"SortDetections:{mode.value}:{'asc' if ascending else 'desc'}", "untracked",
             [_op("SortDetections", mode=mode.value, ascending=ascending)])
        for mode in DetectionsSortProperties for ascending in (True, False)
    ]
    cases += [Case("SortDetections:confidence:empty", "empty", [_op("SortDetections", mode="confidence")])]
    cases += [
        Case(f"DetectionsSelection:{mode.value}:{value}", value, [_op("DetectionsSelection", mode=mode.value)])
        for mode in DetectionsSelectionMode for value in ("untracked", "empty")
    ]
    cases += [
        Case(f"DetectionsFilter:class_is_car:{value}", value, [_op("DetectionsFilter", filter_operation=_class_is("car"))])
        for value in ("untracked", "response", "empty")
    ]
    cases += [
        Case("DetectionsFilter:confidence>=0.5:tracked", "tracked",
             [_op("DetectionsFilter", filter_operation=_confidence_at_least(0.5))]),
        Case("DetectionsRename:strict", "untracked",
             [_op("DetectionsRename", class_map={"car": "vehicle", "person": "human"})]),
        Case("DetectionsRename:non_strict", "untracked",
             [_op("DetectionsRename", class_map={"car": "vehicle"}, strict=False)]),
        Case("DetectionsOffset:10x20", "untracked", [_op("DetectionsOffset", offset_x=10, offset_y=20)]),
        Case("DetectionsShift:5x-3", "tracked", [_op("DetectionsShift", shift_x=5, shift_y=-3)]),
        Case("PickDetectionsByParentClass:car", "untracked", [_op("PickDetectionsByParentClass", parent_class="car")]),
        Case("PickDetectionsByParentClass:empty", "empty", [_op("PickDetectionsByParentClass", parent_class="car")]),
    ]
    cases += [Case(f"DetectionsToDictionary:{value}", value, [_op("DetectionsToDictionary")])
              for value in DETECTION_INPUTS]
    cases += [
        Case(f"ExtractDetectionProperty:{prop}:{value}", value,
             [_op("SequenceApply", operations=[_op("ExtractDetectionProperty", property_name=prop)])])
        for prop in ("class_name", "confidence", "center", "size", "tracker_id")
        for value in ("tracked", "untracked", "response_tracked", "tracked_twice")
    ]
    # Renamed classes are an object column: filtering on them must still read class_name.
    cases += [
        Case(f"DetectionsRename+DetectionsFilter:{value}", value, [
            _op("DetectionsRename", class_map={"car": "vehicle", "person": "human"}),
            _op("DetectionsFilter", filter_operation=_class_is("vehicle")),
            _op("SequenceLength"),
        ]) for value in ("untracked", "response")
    ]
    cases += [
        Case(f"ClassificationPropertyExtract:{prop.value}:{value}", value,
             [_op("ClassificationPropertyExtract", property_name=prop.value)])
        for prop in ClassificationProperty for value in ("classification", "multilabel")
    ]
    cases += [Case(f"ExtractImageProperty:{p.value}", "image", [_op("ExtractImageProperty", property_name=p.value)]) for p in ImageProperty]
    cases += [Case(f"ExtractFrameMetadata:{p.value}", "frame", [_op("ExtractFrameMetadata", property_name=p.value)])
              for p in FrameMetadataProperty]
    cases += [
        Case("ConvertImageToJPEG:default", "image", [_op("ConvertImageToJPEG")]),
        Case("ConvertImageToJPEG:50", "image", [_op("ConvertImageToJPEG", compression_level=50)]),
        Case("ConvertImageToBase64:image", "image", [_op("ConvertImageToBase64")]),
        Case("ConvertDictionaryToJSON:dictionary", "dictionary", [_op("ConvertDictionaryToJSON")]),
        Case("TimestampToISOFormat:timestamp", "timestamp", [_op("TimestampToISOFormat")]),
        Case("SequenceElementsCount:labels", "labels", [_op("SequenceElementsCount")]),
        Case("SequenceElementsCount:class_names", "response",
             [_op("DetectionsPropertyExtract", property_name="class_name"), _op("SequenceElementsCount")]),
        Case("SequenceMap:labels", "labels", [_op("SequenceMap", lookup_table={"car": "vehicle", "person": "human", "dog": "animal"})]),
        Case("SequenceApply:upper", "labels", [_op("SequenceApply", operations=[_op("StringToUpperCase")])]),
        Case("SequenceJoin:default", "labels", [_op("SequenceJoin")]),
        Case("SequenceJoin:pipe", "labels", [_op("SequenceJoin", separator=" | ")]),
        Case("SequenceJoin:class_names", "response",
             [_op("DetectionsPropertyExtract", property_name="class_name"), _op("SequenceJoin")]),
        Case("NumericSequenceAggregate:sum:empty", "empty_list", [_op("NumericSequenceAggregate", function="sum", neutral_value=0)]),
        Case("StringToUpperCase:text", "text", [_op("StringToUpperCase")]),
        Case("StringToLowerCase:text", "text", [_op("StringToLowerCase")]),
        Case("StringSubSequence:default", "text", [_op("StringSubSequence")]),
        Case("StringSubSequence:2-5", "text", [_op("StringSubSequence", start=2, end=5)]),
        Case("StringMatches:found", "text", [_op("StringMatches", regex=r"Gate \d+")]),
        Case("StringMatches:absent", "text", [_op("StringMatches", regex="^x")]),
        Case("ToNumber:int", "numeric_text", [_op("ToNumber", cast_to="int")]),
        Case("ToNumber:float", "numeric_text", [_op("ToNumber", cast_to="float")]),
        Case("ToNumber:not_a_number", "text", [_op("ToNumber", cast_to="float")]),
        Case("NumberRound:2", "number", [_op("NumberRound", decimal_digits=2)]),
        Case("NumberRound:int", "integer", [_op("NumberRound", decimal_digits=0)]),
        Case("Multiply:number", "number", [_op("Multiply", other=2)]),
        Case("Multiply:text", "text", [_op("Multiply", other=2)]),
        Case("Divide:number", "number", [_op("Divide", other=4)]),
        Case("Divide:by_zero", "integer", [_op("Divide", other=0)]),
        Case("LookupTable:hit", "text", [_op("LookupTable", lookup_table={"Person at Gate 3": "gate 3"})]),
        Case("LookupTable:miss", "text", [_op("LookupTable", lookup_table={"x": "y"})]),
        Case("RandomNumber:fixed", "integer", [_op("RandomNumber", min_value=3.0, max_value=3.0)]),
    ]
    cases += [Case(f"SequenceLength:{value}", value, [_op("SequenceLength")])
              for value in ("labels", "empty_list", "text", "dictionary", "untracked", "response", "classification")]
    cases += [Case(f"SequenceAggregate:{mode}:labels", "labels", [_op("SequenceAggregate", mode=mode)])
              for mode in ("first", "last", "most_common", "least_common")]
    cases += [Case("SequenceAggregate:first:empty", "empty_list", [_op("SequenceAggregate", mode="first")])]
    cases += [Case(f"NumericSequenceAggregate:{fn}", "numbers", [_op("NumericSequenceAggregate", function=fn)])
              for fn in ("min", "max", "sum")]
    cases += [Case(f"ToString:{value}", value, [_op("ToString")]) for value in ("number", "timestamp", "untracked", "labels")]
    cases += [Case(f"ToBoolean:{value}", value, [_op("ToBoolean")]) for value in ("empty_text", "text", "integer")]
    return cases


CASES = _cases()
