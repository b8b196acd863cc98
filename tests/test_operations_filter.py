"""DetectionsFilter and its statements: operands, comparators, groups, global parameters."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import supervision as sv

from sms_sink.errors import SmsSinkError
from sms_sink.operations import compile_operations


def boxes() -> sv.Detections:
    return sv.Detections(
        xyxy=np.array([[10, 20, 30, 60], [100, 100, 150, 120], [0, 0, 5, 5]], dtype=float),
        confidence=np.array([0.9, 0.35, 0.6]),
        class_id=np.array([1, 0, 1]),
        tracker_id=np.array([7, 8, 9]),
        data={"class_name": np.array(["car", "person", "car"])},
    )


def prop(name: str) -> dict:
    return {"type": "DynamicOperand", "operations": [{"type": "ExtractDetectionProperty", "property_name": name}]}


def static(value: Any, *operations: dict) -> dict:
    return {"type": "StaticOperand", "value": value, "operations": list(operations)}


def binary(left: dict, comparator: str, right: dict, negate: bool = False) -> dict:
    return {
        "type": "BinaryStatement",
        "left_operand": left,
        "comparator": {"type": comparator},
        "right_operand": right,
        "negate": negate,
    }


def unary(operand: dict, operator: str, negate: bool = False) -> dict:
    return {"type": "UnaryStatement", "operand": operand, "operator": {"type": operator}, "negate": negate}


def group(*statements: dict, operator: str | None = None) -> dict:
    definition = {"type": "StatementGroup", "statements": list(statements)}
    if operator is not None:
        definition["operator"] = operator
    return definition


def kept(statement_group: dict, value: Any = None, params: Any = None) -> list:
    chain = compile_operations(
        [{"type": "DetectionsFilter", "filter_operation": statement_group},
         {"type": "DetectionsPropertyExtract", "property_name": "confidence"}],
        field="ops",
    )  # fmt: skip
    return chain(boxes() if value is None else value, params)


ZONE = [[5, 5], [60, 5], [60, 80], [5, 80]]
EDGE_ZONE = [[20, 0], [60, 0], [60, 80], [20, 80]]  # first centre (20, 40) on its edge


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        (group(binary(prop("class_name"), "==", static("car"))), [0.9, 0.6]),
        (group(binary(prop("class_name"), "!=", static("car"))), [0.35]),
        (group(binary(prop("class_name"), "==", static("car"), negate=True)), [0.35]),
        (group(binary(prop("confidence"), "(Number) >=", static(0.6))), [0.9, 0.6]),
        (group(binary(prop("confidence"), "(Number) >", static(0.6))), [0.9]),
        (group(binary(prop("confidence"), "(Number) <", static(0.6))), [0.35]),
        (group(binary(prop("confidence"), "(Number) <=", static(0.6))), [0.35, 0.6]),
        (group(binary(prop("confidence"), "(Number) ==", static(0.35))), [0.35]),
        (group(binary(prop("confidence"), "(Number) !=", static(0.35))), [0.9, 0.6]),
        (group(binary(prop("size"), "(Number) in range", static([25, 800]))), [0.9, 0.6]),
        (group(binary(prop("class_name"), "(String) startsWith", static("pe"))), [0.35]),
        (group(binary(prop("class_name"), "(String) endsWith", static("ar"))), [0.9, 0.6]),
        (group(binary(prop("class_name"), "(String) contains", static("rso"))), [0.35]),
        (group(binary(prop("class_name"), "in (Sequence)", static(["person", "dog"]))), [0.35]),
        (group(binary(static(["car", "bus"]), "any in (Sequence)", static(["car"]))), [0.9, 0.35, 0.6]),
        (group(binary(static(["car", "bus"]), "all in (Sequence)", static(["car"]))), []),
        (group(binary(prop("center"), "(Detection) in zone", static(ZONE))), [0.9]),
        (group(binary(prop("center"), "(Detection) in zone", static(EDGE_ZONE))), []),
        # As the reference: a detection's tracker_id is read from data only, not the native ids.
        (group(unary(prop("tracker_id"), "Exists")), []),
        (group(unary(prop("tracker_id"), "DoesNotExist")), [0.9, 0.35, 0.6]),
        (group(unary(prop("in_out"), "DoesNotExist")), [0.9, 0.35, 0.6]),
        (group(unary(prop("in_out"), "Exists")), []),
        (group(unary(static(True), "(Boolean) is True")), [0.9, 0.35, 0.6]),
        (group(unary(static(True), "(Boolean) is False")), []),
        (group(unary(static([]), "(Sequence) is empty")), [0.9, 0.35, 0.6]),
        (group(unary(static([]), "(Sequence) is not empty")), []),
        (group(unary(static("x"), "(Sequence) is not empty", negate=True)), []),
        # static operands run their own operations
        (group(binary(prop("class_name"), "==", static("CAR", {"type": "StringToLowerCase"}))), [0.9, 0.6]),
    ],
)  # fmt: skip
def test_statements(statement, expected):
    assert kept(statement) == expected


@pytest.mark.parametrize(
    ("operator", "expected"),
    [(None, [0.9, 0.35, 0.6]), ("or", [0.9, 0.35, 0.6]), ("and", [0.9])],
)
def test_groups_combine_with_or_by_default(operator, expected):
    statement = group(
        binary(prop("class_name"), "==", static("car")),
        binary(prop("confidence"), "(Number) >", static(0.5)),
        binary(prop("x_min"), "(Number) >", static(5)),
        operator=operator,
    )
    assert kept(statement) == expected


def test_nested_groups():
    statement = group(
        group(binary(prop("class_name"), "==", static("person"))),
        group(
            binary(prop("class_name"), "==", static("car")),
            binary(prop("confidence"), "(Number) <", static(0.7)),
            operator="and",
        ),
    )
    assert kept(statement) == [0.35, 0.6]


def test_dynamic_operands_read_global_parameters_without_mutating_them():
    params = {"min_confidence": 0.5, "wanted": ["car"]}
    statement = group(
        binary(prop("confidence"), "(Number) >=", {"type": "DynamicOperand", "operand_name": "min_confidence"}),
        binary(prop("class_name"), "in (Sequence)", {"type": "DynamicOperand", "operand_name": "wanted"}),
        operator="and",
    )
    assert kept(statement, params=params) == [0.9, 0.6]
    assert params == {"min_confidence": 0.5, "wanted": ["car"]}


@pytest.mark.parametrize(
    "value",
    [
        sv.Detections.empty(),
        {"image": {"width": 10, "height": 10}, "predictions": []},
    ],
)
def test_filter_of_nothing_is_empty(value):
    assert kept(group(binary(prop("class_name"), "==", static("car"))), value) == []


def test_filter_accepts_inference_responses():
    response = {
        "image": {"width": 640, "height": 480},
        "predictions": [
            {"x": 20, "y": 40, "width": 20, "height": 40, "confidence": 0.9, "class": "car", "class_id": 1},
            {"x": 5, "y": 5, "width": 2, "height": 2, "confidence": 0.2, "class": "cat", "class_id": 2},
        ],
    }
    assert kept(group(binary(prop("class_name"), "==", static("cat"))), response) == [0.2]


@pytest.mark.parametrize(
    ("statement", "fragments"),
    [
        (group(binary(prop("confidence"), "(Number) >", {"type": "DynamicOperand", "operand_name": "limit"})),
         ["ops[0].filter_operation.statements[0].right_operand", "undefined operand 'limit'"]),
        (group(binary(prop("class_name"), "(Number) >", static(1))),
         ["ops[0].filter_operation.statements[0] ((Number) >)", "str and int"]),
        (group(binary(prop("class_name"), "==", static(1, {"type": "StringToUpperCase"}))),
         ["ops[0].filter_operation.statements[0].right_operand.operations[0] (StringToUpperCase)"]),
        (group(unary(prop("confidence"), "(Sequence) is empty")),
         ["statements[0] ((Sequence) is empty)", "float"]),
        (group(binary(prop("center"), "(Detection) in zone", static([[0, 0], [1, 1]]))),
         ["at least 3 points"]),
    ],
)  # fmt: skip
def test_statement_failures_name_their_place(statement, fragments):
    with pytest.raises(SmsSinkError) as caught:
        kept(statement)
    for fragment in fragments:
        assert fragment in str(caught.value)
