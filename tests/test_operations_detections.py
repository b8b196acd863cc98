"""Detections family: selection, sorting, renaming, geometry, parents, serialisation."""

from __future__ import annotations

import json

import numpy as np
import pytest
import supervision as sv

from sms_sink.errors import SmsSinkError
from sms_sink.operations import compile_operations


def boxes(*, tracker: bool = False, ids: bool = False) -> sv.Detections:
    data = {"class_name": np.array(["car", "person", "car"])}
    if ids:
        data["detection_id"] = np.array(["a", "b", "c"])
    return sv.Detections(
        xyxy=np.array([[10, 20, 30, 60], [100, 100, 150, 120], [0, 0, 5, 5]], dtype=float),
        confidence=np.array([0.9, 0.35, 0.6]),
        class_id=np.array([1, 0, 1]),
        tracker_id=np.array([7, 8, 9]) if tracker else None,
        data=data,
    )


def run(specs, value, params=None):
    return compile_operations(specs, field="ops")(value, params)


def names(detections: sv.Detections) -> list:
    return detections.data.get("class_name", np.array([])).tolist()


@pytest.mark.parametrize(
    ("mode", "confidences"),
    [
        ("first", [0.9]),
        ("last", [0.6]),
        ("left_most", [0.6]),  # centre x: 20, 125, 2.5
        ("right_most", [0.35]),
        ("top_confidence", [0.9]),
    ],
)
def test_detections_selection(mode, confidences):
    selected = run([{"type": "DetectionsSelection", "mode": mode}], boxes())
    assert isinstance(selected, sv.Detections)
    assert selected.confidence.tolist() == confidences


@pytest.mark.parametrize("mode", ["first", "last", "left_most", "right_most", "top_confidence"])
def test_detections_selection_of_nothing_is_empty(mode):
    assert len(run([{"type": "DetectionsSelection", "mode": mode}], sv.Detections.empty())) == 0


@pytest.mark.parametrize(
    ("mode", "ascending", "confidences"),
    [
        ("confidence", True, [0.35, 0.6, 0.9]),
        ("confidence", False, [0.9, 0.6, 0.35]),
        ("x_min", True, [0.6, 0.9, 0.35]),
        ("x_max", False, [0.35, 0.9, 0.6]),
        ("y_min", True, [0.6, 0.9, 0.35]),
        ("y_max", True, [0.6, 0.9, 0.35]),
        ("size", False, [0.35, 0.9, 0.6]),  # areas 800, 1000, 25
        ("center_x", True, [0.6, 0.9, 0.35]),
        ("center_y", False, [0.35, 0.9, 0.6]),  # 40, 110, 2.5
    ],
)
def test_sort_detections(mode, ascending, confidences):
    spec = {"type": "SortDetections", "mode": mode, "ascending": ascending}
    assert run([spec], boxes()).confidence.tolist() == confidences


def test_sort_detections_defaults_to_ascending_and_keeps_empty():
    assert run([{"type": "SortDetections", "mode": "size"}], boxes()).confidence.tolist() == [0.6, 0.9, 0.35]
    assert len(run([{"type": "SortDetections", "mode": "size"}], sv.Detections.empty())) == 0


@pytest.mark.parametrize(
    ("spec", "params", "class_names", "class_ids"),
    [
        ({"class_map": {"car": "vehicle", "person": "human"}}, None,
         ["vehicle", "human", "vehicle"], [1, 0, 1]),
        ({"class_map": {"car": "vehicle"}, "strict": False}, None,
         ["vehicle", "person", "vehicle"], [1024, 0, 1024]),
        ({"class_map": {"car": "vehicle"}, "strict": False, "new_classes_id_offset": 50}, None,
         ["vehicle", "person", "vehicle"], [50, 0, 50]),
        ({"class_map": {"car": "person"}, "strict": False}, None,
         ["person", "person", "person"], [0, 0, 0]),
        ({"class_map": "mapping", "strict": "is_strict"},
         {"mapping": {"car": "auto", "person": "human"}, "is_strict": True},
         ["auto", "human", "auto"], [0, 1, 0]),
    ],
)  # fmt: skip
def test_detections_rename(spec, params, class_names, class_ids):
    original = boxes()
    renamed = run([{"type": "DetectionsRename", **spec}], original, params)
    assert names(renamed) == class_names
    assert renamed.class_id.tolist() == class_ids
    assert names(original) == ["car", "person", "car"]


@pytest.mark.parametrize(
    ("spec", "params", "fragment"),
    [
        ({"class_map": {"car": "vehicle"}}, None, "class 'person' not found in class_map"),
        ({"class_map": "mapping"}, {}, "class_map refers to parameter 'mapping'"),
        ({"class_map": "mapping"}, {"mapping": ["car"]}, "class_map must be a dict"),
        ({"class_map": {}, "strict": "flag"}, {"flag": "yes"}, "strict must be a bool"),
    ],
)
def test_detections_rename_failures(spec, params, fragment):
    with pytest.raises(SmsSinkError, match="DetectionsRename") as caught:
        run([{"type": "DetectionsRename", **spec}], boxes(), params)
    assert fragment in str(caught.value)


@pytest.mark.parametrize(
    ("spec", "first_box"),
    [
        ({"type": "DetectionsOffset", "offset_x": 10, "offset_y": 4}, [5.0, 18.0, 35.0, 62.0]),
        ({"type": "DetectionsOffset", "offset_x": 3, "offset_y": 0}, [8.5, 20.0, 31.5, 60.0]),
        ({"type": "DetectionsShift", "shift_x": 5, "shift_y": -5}, [15.0, 15.0, 35.0, 55.0]),
    ],
)
def test_offset_and_shift_copy_the_detections(spec, first_box):
    original = boxes()
    moved = run([spec], original)
    assert moved.xyxy[0].tolist() == first_box
    assert original.xyxy[0].tolist() == [10.0, 20.0, 30.0, 60.0]


def family() -> sv.Detections:
    return sv.Detections(
        xyxy=np.array(
            [[0, 0, 100, 100], [10, 10, 20, 20], [200, 200, 210, 210], [50, 50, 150, 150]],
            dtype=float,
        ),
        confidence=np.array([0.9, 0.8, 0.7, 0.6]),
        class_id=np.array([0, 1, 1, 2]),
        data={"class_name": np.array(["person", "helmet", "helmet", "dog"])},
    )


@pytest.mark.parametrize(
    ("value", "parent", "expected"),
    [
        # the dog's centre (100, 100) lies on the person's edge: edges count as inside
        (family(), "person", ["person", "helmet", "dog"]),
        (family(), "dog", ["dog", "person"]),  # person centre (50, 50) on the dog's edge
        (family(), "cat", []),
        (sv.Detections.empty(), "person", []),
    ],
)
def test_pick_detections_by_parent_class(value, parent, expected):
    picked = run([{"type": "PickDetectionsByParentClass", "parent_class": parent}], value)
    assert names(picked) == expected


def test_detections_to_dictionary_matches_inference_response_layout():
    detections = boxes(tracker=True, ids=True)
    detections.data["image_dimensions"] = np.array([[480, 640]] * 3)
    result = run([{"type": "DetectionsToDictionary"}], detections)
    assert result["image"] == {"width": 640, "height": 480}
    assert result["predictions"][0] == {
        "width": 20.0, "height": 40.0, "x": 20.0, "y": 40.0, "confidence": 0.9,
        "class_id": 1, "tracker_id": 7, "class": "car", "detection_id": "a",
    }  # fmt: skip
    assert list(result["predictions"][1]) == [
        "width", "height", "x", "y", "confidence", "class_id", "tracker_id", "class", "detection_id",
    ]  # fmt: skip
    assert [type(v) for v in result["predictions"][2].values()] == [
        float, float, float, float, float, int, int, str, str,
    ]  # fmt: skip


def test_detections_to_dictionary_then_json():
    text = run([{"type": "DetectionsToDictionary"}, {"type": "ConvertDictionaryToJSON"}], boxes()[[1]])
    assert text == (
        '{"image": {"width": null, "height": null}, "predictions": [{"width": 50.0, '
        '"height": 20.0, "x": 125.0, "y": 110.0, "confidence": 0.35, "class_id": 0, '
        '"class": "person"}]}'
    )
    assert json.loads(text)["predictions"][0]["class"] == "person"


def test_detections_to_dictionary_serialises_masks_and_extra_fields():
    mask = np.zeros((1, 10, 10), dtype=bool)
    mask[0, 2:6, 3:8] = True
    detections = sv.Detections(
        xyxy=np.array([[3, 2, 7, 5]], dtype=float),
        mask=mask,
        confidence=np.array([0.5]),
        class_id=np.array([4]),
        data={
            "class_name": np.array(["blob"]),
            "time_in_zone": np.array([2.5]),
            "area_px": np.array([20]),
        },
    )
    (prediction,) = run([{"type": "DetectionsToDictionary"}], detections)["predictions"]
    assert prediction["points"] == [
        {"x": 3.0, "y": 2.0}, {"x": 3.0, "y": 5.0}, {"x": 7.0, "y": 5.0}, {"x": 7.0, "y": 2.0},
    ]  # fmt: skip
    assert prediction["time_in_zone"] == 2.5
    assert prediction["area_px"] == 20.0 and type(prediction["area_px"]) is float
    assert list(prediction)[-3:] == ["class", "time_in_zone", "area_px"]


def test_empty_detections_to_dictionary():
    assert run([{"type": "DetectionsToDictionary"}], sv.Detections.empty()) == {
        "image": {"width": None, "height": None},
        "predictions": [],
    }


@pytest.mark.parametrize(
    ("prop", "expected", "kind"),
    [
        ("x_min", 10.0, float),
        ("y_max", 60.0, float),
        ("confidence", 0.9, float),
        ("class_id", 1, int),
        ("class_name", "car", str),
        ("size", 800.0, float),
        ("center", (20.0, 40.0), tuple),
        ("top_right", (30.0, 20.0), tuple),
        ("bottom_left", (10.0, 60.0), tuple),
        ("tracker_id", None, type(None)),  # the reference reads data["tracker_id"] only
        ("in_out", None, type(None)),
    ],
)
def test_extract_detection_property_on_one_detection(prop, expected, kind):
    detection = next(iter(boxes(tracker=True)))
    result = run([{"type": "ExtractDetectionProperty", "property_name": prop}], detection)
    assert result == expected
    assert type(result) is kind


def test_extract_detection_property_types_follow_the_reference():
    detection = next(iter(boxes()))
    center = run([{"type": "ExtractDetectionProperty", "property_name": "center"}], detection)
    assert [type(v) for v in center] == [np.float64, np.float64]
    assert run([{"type": "ExtractDetectionProperty", "property_name": "tracker_id"}], detection) is None


@pytest.mark.parametrize("value", [boxes(), (1, 2, 3), "car"])
def test_extract_detection_property_needs_a_detection_tuple(value):
    with pytest.raises(SmsSinkError, match=r"ops\[0\] \(ExtractDetectionProperty\): expected a single"):
        run([{"type": "ExtractDetectionProperty", "property_name": "x_min"}], value)


def test_filter_on_renamed_classes_reads_the_object_column():
    """DetectionsRename makes an object column of str; ExtractDetectionProperty must read it."""
    chain = [
        {"type": "DetectionsRename", "class_map": {"car": "vehicle", "person": "human"}},
        {"type": "DetectionsFilter", "filter_operation": {"type": "StatementGroup", "statements": [{
            "type": "BinaryStatement",
            "left_operand": {"type": "DynamicOperand", "operations": [
                {"type": "ExtractDetectionProperty", "property_name": "class_name"}]},
            "comparator": {"type": "=="},
            "right_operand": {"type": "StaticOperand", "value": "vehicle"}}]}},
        {"type": "SequenceLength"},
    ]
    assert run(chain, boxes()) == 2


def test_detections_property_precedence_follows_the_reference():
    tracked = boxes(tracker=True)
    tracked.data["tracker_id"] = np.array([70, 80, 90])
    assert run([{"type": "DetectionsPropertyExtract", "property_name": "tracker_id"}], tracked) == [7, 8, 9]
    bare = sv.Detections(xyxy=np.empty((0, 4)))  # no confidence at all: empty in, empty out
    assert run([{"type": "DetectionsPropertyExtract", "property_name": "confidence"}], bare) == []
