"""The seven operations the sink core relies on, chains, and the public entry point."""

from __future__ import annotations

import numpy as np
import pytest
import supervision as sv

import sms_sink.operations as operations
from sms_sink.errors import SmsSinkError
from sms_sink.operations import SUPPORTED_OPERATIONS, compile_operations


def boxes(*, tracker: bool = False) -> sv.Detections:
    return sv.Detections(
        xyxy=np.array([[10, 20, 30, 60], [100, 100, 150, 120], [0, 0, 5, 5]], dtype=float),
        confidence=np.array([0.9, 0.35, 0.6]),
        class_id=np.array([1, 0, 1]),
        tracker_id=np.array([7, 8, 9]) if tracker else None,
        data={"class_name": np.array(["car", "person", "car"])},
    )


RESPONSE = {
    "image": {"width": 640, "height": 480},
    "predictions": [
        {"x": 20, "y": 40, "width": 20, "height": 40, "confidence": 0.9,
         "class": "car", "class_id": 1, "detection_id": "d1"},
        {"x": 125, "y": 110, "width": 50, "height": 20, "confidence": 0.35,
         "class": "person", "class_id": 0, "detection_id": "d2"},
    ],
}  # fmt: skip


def run(specs, value, params=None):
    return compile_operations(specs, field="ops")(value, params)


def extract(name: str) -> dict:
    return {"type": "DetectionsPropertyExtract", "property_name": name}


@pytest.mark.parametrize(
    ("prop", "expected"),
    [
        ("class_name", ["car", "person", "car"]),
        ("confidence", [0.9, 0.35, 0.6]),
        ("class_id", [1, 0, 1]),
        ("x_min", [10.0, 100.0, 0.0]),
        ("y_min", [20.0, 100.0, 0.0]),
        ("x_max", [30.0, 150.0, 5.0]),
        ("y_max", [60.0, 120.0, 5.0]),
        ("size", [800.0, 1000.0, 25.0]),
        # anchors are rounded half-to-even: 2.5 -> 2
        ("center", [[20, 40], [125, 110], [2, 2]]),
        ("top_left", [[10, 20], [100, 100], [0, 0]]),
        ("top_right", [[30, 20], [150, 100], [5, 0]]),
        ("bottom_left", [[10, 60], [100, 120], [0, 5]]),
        ("bottom_right", [[30, 60], [150, 120], [5, 5]]),
    ],
)
def test_detections_property_extract(prop, expected):
    result = run([extract(prop)], boxes())
    assert result == expected
    assert type(result) is list
    assert [type(v) for v in result] == [type(v) for v in expected]


@pytest.mark.parametrize(
    ("value", "prop", "expected"),
    [
        (boxes(tracker=True), "tracker_id", [7, 8, 9]),
        (sv.Detections.empty(), "tracker_id", []),
        (sv.Detections.empty(), "class_name", []),
        (sv.Detections.empty(), "confidence", []),
        (sv.Detections.empty(), "center", []),
        (sv.Detections.empty(), "time_in_zone", []),
        (RESPONSE, "class_name", ["car", "person"]),
        (RESPONSE, "center", [[20, 40], [125, 110]]),
        (RESPONSE, "x_min", [10.0, 100.0]),
        (RESPONSE["predictions"], "confidence", [0.9, 0.35]),
        ({"predictions": []}, "class_name", []),
    ],
)
def test_detections_property_extract_inputs(value, prop, expected):
    assert run([extract(prop)], value) == expected


def test_data_column_wins_over_builtin_property():
    detections = boxes()
    detections.data["time_in_zone"] = np.array([1.5, 0.0, 3.25])
    assert run([extract("time_in_zone")], detections) == [1.5, 0.0, 3.25]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (boxes(), 3),
        (sv.Detections.empty(), 0),
        (["a", "b"], 2),
        ({"a": 1, "b": 2, "c": 3}, 3),
        ("four", 4),
        # as in the reference, a response dict counts its keys, not its predictions
        (RESPONSE, 2),
    ],
)
def test_sequence_length(value, expected):
    assert run([{"type": "SequenceLength"}], value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (["car", "person", "car"], {"car": 2, "person": 1}),
        ([], {}),
        ([1, 1.0, True, None], {"1": 1, "1.0": 1, "True": 1, "None": 1}),
        ("aba", {"a": 2, "b": 1}),
        (["x" * 130], {"x" * 128 + " [...]": 1}),
    ],
)
def test_sequence_elements_count(value, expected):
    result = run([{"type": "SequenceElementsCount"}], value)
    assert result == expected
    assert list(result) == list(expected)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (3, "3"),
        (0.5, "0.5"),
        (None, "None"),
        ([0.9, 0.35], "[0.9, 0.35]"),
        ({"car": 2}, "{'car': 2}"),
        ("text", "text"),
    ],
)
def test_to_string(value, expected):
    assert run([{"type": "ToString"}], value) == expected


@pytest.mark.parametrize(
    ("op", "value", "expected"),
    [
        ("StringToUpperCase", "Car ß", "CAR SS"),
        ("StringToLowerCase", "CaR", "car"),
        ("StringToUpperCase", "", ""),
    ],
)
def test_case_operations(op, value, expected):
    assert run([{"type": op}], value) == expected


@pytest.mark.parametrize(
    ("value", "digits", "expected", "kind"),
    [
        (0.123456, 2, 0.12, float),
        (0.875, 2, 0.88, float),
        (2.5, 0, 2.0, float),
        (3, 2, 3, int),
        (1234, -2, 1200, int),
        (np.float64(0.876), 2, 0.88, np.float64),
    ],
)
def test_number_round(value, digits, expected, kind):
    result = run([{"type": "NumberRound", "decimal_digits": digits}], value)
    assert result == expected
    assert type(result) is kind


@pytest.mark.parametrize(
    ("specs", "value", "expected"),
    [
        ([extract("class_name"), {"type": "SequenceElementsCount"}, {"type": "ToString"}],
         boxes(), "{'car': 2, 'person': 1}"),
        ([extract("class_name"), {"type": "SequenceAggregate", "mode": "most_common"},
          {"type": "StringToUpperCase"}], boxes(), "CAR"),
        ([extract("confidence"), {"type": "NumericSequenceAggregate", "function": "max"},
          {"type": "NumberRound", "decimal_digits": 1}], boxes(), 0.9),
        ([{"type": "SequenceLength"}, {"type": "ToString"}], boxes(), "3"),
        ([], "unchanged", "unchanged"),
    ],
)  # fmt: skip
def test_chains_apply_left_to_right(specs, value, expected):
    assert run(specs, value) == expected


def test_public_api():
    assert operations.__all__ == ["SUPPORTED_OPERATIONS", "CompiledOperations", "compile_operations"]
    assert tuple(sorted(SUPPORTED_OPERATIONS)) == SUPPORTED_OPERATIONS
    assert len(SUPPORTED_OPERATIONS) == 36
    assert {"DetectionsPropertyExtract", "SequenceJoin", "TimestampToISOFormat"} <= set(
        SUPPORTED_OPERATIONS
    )


def test_compiled_chain_is_reusable_and_describes_itself():
    chain = compile_operations([{"type": "SequenceLength"}, {"type": "ToString"}], field="ops.n")
    assert repr(chain) == "CompiledOperations(ops.n: SequenceLength -> ToString)"
    assert [chain([1] * n) for n in range(3)] == ["0", "1", "2"]


@pytest.mark.parametrize(
    ("specs", "value", "fragments"),
    [
        ([{"type": "StringToUpperCase"}], 5, ["ops[0] (StringToUpperCase)", "expected a str", "int"]),
        ([{"type": "SequenceLength"}], 5, ["ops[0] (SequenceLength)", "no length", "int"]),
        ([{"type": "NumberRound", "decimal_digits": 1}], "1.5", ["(NumberRound)", "str"]),
        ([{"type": "ToString"}, extract("class_name")], 5,
         ["ops[1] (DetectionsPropertyExtract)", "needs detections", "a Roboflow response dict", "str"]),
        ([extract("tracker_id")], boxes(), ["no 'tracker_id'", "supervision.Detections"]),
        ([extract("class_name")], {"predictions": [{"x": 1}]}, ["needs detections", "not a box", "dict"]),
        ([extract("class_name")], None, ["needs detections", "NoneType"]),
    ],
)  # fmt: skip
def test_runtime_failures_name_operation_and_value_type(specs, value, fragments):
    with pytest.raises(SmsSinkError) as caught:
        run(specs, value)
    assert not isinstance(caught.value, (KeyError, TypeError))
    for fragment in fragments:
        assert fragment in str(caught.value)


def test_class_name_without_a_class_name_column_is_empty_as_upstream():
    unnamed = sv.Detections(xyxy=np.array([[0, 0, 1, 1]], dtype=float), class_id=np.array([3]))
    assert run([extract("class_name")], unnamed) == []
    assert run([extract("class_id")], unnamed) == [3]


def test_status_table_lists_every_operation():
    from pathlib import Path

    status = Path(__file__).parents[1] / "src" / "sms_sink" / "operations" / "STATUS.md"
    table = status.read_text(encoding="utf-8")
    listed = {
        name.strip(" `")
        for row in table.splitlines()
        if row.startswith("| `")
        for name in row.split("|")[1].split("/")
    }
    assert listed == set(SUPPORTED_OPERATIONS)
