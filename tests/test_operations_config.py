"""Compile-time validation: every problem is a ConfigurationError naming its field."""

from __future__ import annotations

import pytest

from sms_sink.errors import ConfigurationError
from sms_sink.operations import SUPPORTED_OPERATIONS, compile_operations


def statement(**overrides) -> dict:
    base = {
        "type": "BinaryStatement",
        "left_operand": {"type": "DynamicOperand"},
        "comparator": {"type": "=="},
        "right_operand": {"type": "StaticOperand", "value": 1},
    }
    return {**base, **overrides}


def filter_with(*statements, **group) -> dict:
    return {
        "type": "DetectionsFilter",
        "filter_operation": {"type": "StatementGroup", "statements": list(statements), **group},
    }


@pytest.mark.parametrize(
    ("specs", "field", "fragments"),
    [
        ({"type": "ToString"}, "ops", ["expected a list of operation definitions", "dict"]),
        ("ToString", "ops", ["expected a list", "str"]),
        (None, "ops", ["expected a list", "NoneType"]),
        (["ToString"], "ops[0]", ["expected a mapping with a 'type' key", "str"]),
        ([{}], "ops[0].type", ["required; supported: ClassificationPropertyExtract, "]),
        ([{"type": "Nope"}], "ops[0]", ["unknown operation 'Nope'; supported: ClassificationPropertyExtract, "]),
        ([{"type": "ToString"}, {"type": "tostring"}], "ops[1]", ["unknown operation 'tostring'"]),
        ([{"type": "NumberRound"}], "ops[0].decimal_digits", ["required"]),
        ([{"type": "NumberRound", "decimal_digits": "two"}], "ops[0].decimal_digits", ["valid integer", "'two'"]),
        ([{"type": "NumberRound", "decimal_digits": 1.5}], "ops[0].decimal_digits", ["fractional part"]),
        ([{"type": "DetectionsPropertyExtract", "property_name": "colour"}],
         "ops[0].property_name", ["'class_name'", "'tracker_id'", "'colour'"]),
        ([{"type": "DetectionsPropertyExtract"}], "ops[0].property_name", ["required"]),
        ([{"type": "ToNumber", "cast_to": "double"}], "ops[0].cast_to", ["'int' or 'float'"]),
        ([{"type": "SequenceAggregate", "mode": "median"}], "ops[0].mode", ["'most_common'"]),
        ([{"type": "NumericSequenceAggregate", "function": "avg"}], "ops[0].function", ["'min'"]),
        ([{"type": "SortDetections", "mode": "area"}], "ops[0].mode", ["'center_x'"]),
        ([{"type": "SortDetections", "mode": "size", "ascending": "maybe"}], "ops[0].ascending", ["boolean"]),
        ([{"type": "DetectionsSelection", "mode": "middle"}], "ops[0].mode", ["'left_most'"]),
        ([{"type": "ClassificationPropertyExtract", "property_name": "top"}], "ops[0].property_name", ["'top_class'"]),
        ([{"type": "ExtractImageProperty", "property_name": "depth"}], "ops[0].property_name", ["'aspect_ratio'"]),
        ([{"type": "ExtractFrameMetadata", "property_name": "fps"}], "ops[0].property_name", ["'seconds_since_start'"]),
        ([{"type": "ConvertImageToJPEG", "compression_level": 0}], "ops[0].compression_level", ["greater than or equal to 1"]),
        ([{"type": "ConvertImageToJPEG", "compression_level": 101}], "ops[0].compression_level", ["less than or equal to 100"]),
        ([{"type": "StringMatches", "regex": "("}], "ops[0].regex", ["invalid regular expression"]),
        ([{"type": "StringMatches"}], "ops[0].regex", ["required"]),
        ([{"type": "LookupTable", "lookup_table": ["a"]}], "ops[0].lookup_table", ["dictionary"]),
        ([{"type": "Multiply", "other": "x"}], "ops[0].other", ["number"]),
        ([{"type": "Divide"}], "ops[0].other", ["required"]),
        ([{"type": "DetectionsOffset", "offset_x": 2}], "ops[0].offset_y", ["required"]),
        ([{"type": "DetectionsShift", "shift_x": 1, "shift_y": "up"}], "ops[0].shift_y", ["integer"]),
        ([{"type": "DetectionsRename"}], "ops[0].class_map", ["required"]),
        ([{"type": "DetectionsRename", "class_map": {"a": 1}}], "ops[0].class_map.a", ["string"]),
        ([{"type": "PickDetectionsByParentClass"}], "ops[0].parent_class", ["required"]),
        ([{"type": "RandomNumber", "min_value": "low"}], "ops[0].min_value", ["number"]),
        ([{"type": "SequenceApply"}], "ops[0].operations", ["required"]),
        ([{"type": "SequenceApply", "operations": [{"type": "ToString"}, {"type": "Bogus"}]}],
         "ops[0].operations[1]", ["unknown operation 'Bogus'; supported: "]),
        ([{"type": "SequenceApply", "operations": [{"type": "NumberRound"}]}],
         "ops[0].operations[0].decimal_digits", ["required"]),
        ([{"type": "SequenceApply", "operations": [{}]}], "ops[0].operations[0].type", ["required"]),
        ([{"type": "DetectionsFilter"}], "ops[0].filter_operation", ["required"]),
        ([filter_with()], "ops[0].filter_operation.statements", ["at least 1 item"]),
        ([filter_with(statement(), operator="xor")], "ops[0].filter_operation.operator", ["'and' or 'or'"]),
        ([filter_with(statement(comparator={"type": "=~"}))],
         "ops[0].filter_operation.statements[0].comparator.type", ["'(Number) >='", "'=~'"]),
        ([filter_with(statement(type="TernaryStatement"))],
         "ops[0].filter_operation.statements[0]", ["unknown type 'TernaryStatement'", "'UnaryStatement'"]),
        ([filter_with(statement(right_operand={"type": "Operand"}))],
         "ops[0].filter_operation.statements[0].right_operand", ["unknown type 'Operand'", "'StaticOperand'"]),
        ([filter_with(statement(right_operand={"value": 1}))],
         "ops[0].filter_operation.statements[0].right_operand.type", ["required"]),
        ([filter_with(statement(right_operand={"type": "StaticOperand"}))],
         "ops[0].filter_operation.statements[0].right_operand.value", ["required"]),
        ([filter_with(statement(left_operand={"type": "DynamicOperand", "operations": [{"type": "Nope"}]}))],
         "ops[0].filter_operation.statements[0].left_operand.operations[0]", ["unknown operation 'Nope'"]),
        ([filter_with({"type": "UnaryStatement", "operand": {"type": "DynamicOperand"},
                       "operator": {"type": "IsEmpty"}})],
         "ops[0].filter_operation.statements[0].operator.type", ["'(Sequence) is empty'"]),
        ([filter_with({"type": "StatementGroup", "statements": [statement(negate="perhaps")]})],
         "ops[0].filter_operation.statements[0].statements[0].negate", ["boolean"]),
    ],
)  # fmt: skip
def test_configuration_errors_name_the_field(specs, field, fragments):
    with pytest.raises(ConfigurationError) as caught:
        compile_operations(specs, field="ops")
    assert caught.value.field == field
    assert str(caught.value).startswith(f"{field}: ")
    for fragment in fragments:
        assert fragment in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_unknown_operation_lists_every_supported_name():
    with pytest.raises(ConfigurationError) as caught:
        compile_operations([{"type": "X"}], field="message_parameters_operations.count")
    assert caught.value.field == "message_parameters_operations.count[0]"
    assert str(caught.value).endswith("supported: " + ", ".join(SUPPORTED_OPERATIONS))


def test_several_problems_are_counted():
    with pytest.raises(ConfigurationError, match=r"and 1 more problem") as caught:
        compile_operations([{"type": "DetectionsOffset"}], field="ops")
    assert caught.value.field == "ops[0].offset_x"


@pytest.mark.parametrize(
    ("spec", "value", "expected"),
    [
        # lax coercion, as the reference's pydantic models do
        ({"type": "NumberRound", "decimal_digits": "2"}, 1.2345, 1.23),
        ({"type": "Multiply", "other": "3"}, 2, 6),
        ({"type": "StringSubSequence", "start": 1.0}, "abcd", "bc"),
        # unknown keys are ignored, as in the reference
        ({"type": "ToString", "comment": "for the SMS"}, 5, "5"),
    ],
)
def test_values_are_coerced_like_the_reference(spec, value, expected):
    assert compile_operations([spec], field="ops")(value) == expected


def test_tuples_and_mapping_types_are_accepted():
    from types import MappingProxyType

    chain = compile_operations((MappingProxyType({"type": "StringToUpperCase"}),), field="ops")
    assert chain("sms") == "SMS"
