"""Sequence, string, number, lookup, timestamp and dictionary operations."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest

from sms_sink.errors import SmsSinkError
from sms_sink.operations import compile_operations


def run(specs, value, params=None):
    return compile_operations(specs, field="ops")(value, params)


@pytest.mark.parametrize(
    ("spec", "value", "expected"),
    [
        ({"type": "SequenceAggregate", "mode": "first"}, ["a", "b", "b", "c"], "a"),
        ({"type": "SequenceAggregate", "mode": "last"}, ["a", "b", "b", "c"], "c"),
        ({"type": "SequenceAggregate", "mode": "most_common"}, ["a", "b", "b", "c"], "b"),
        # ties keep first-seen order, so the least common is the last of them
        ({"type": "SequenceAggregate", "mode": "least_common"}, ["a", "b", "b", "c"], "c"),
        ({"type": "SequenceAggregate", "mode": "most_common"}, ["x", "y"], "x"),
        ({"type": "NumericSequenceAggregate", "function": "min"}, [3, 1.5, 2], 1.5),
        ({"type": "NumericSequenceAggregate", "function": "max"}, [3, 1.5, 2], 3),
        ({"type": "NumericSequenceAggregate", "function": "sum"}, [3, 1.5, 2], 6.5),
        ({"type": "NumericSequenceAggregate", "function": "max"}, [], None),
        ({"type": "NumericSequenceAggregate", "function": "sum", "neutral_value": 0}, [], 0),
        ({"type": "SequenceMap", "lookup_table": {"car": "auto", "dog": "hund"}}, ["dog", "car"], ["hund", "auto"]),
        ({"type": "SequenceMap", "lookup_table": {}}, [], []),
        ({"type": "SequenceJoin"}, ["a", 1, 0.5], "a, 1, 0.5"),
        ({"type": "SequenceJoin", "separator": "|"}, ("a", "b"), "a|b"),
        ({"type": "SequenceJoin"}, [], ""),
        ({"type": "SequenceApply", "operations": [{"type": "ToString"}, {"type": "StringToUpperCase"}]},
         ["a", 1], ["A", "1"]),
        ({"type": "SequenceApply", "operations": []}, ("a", "b"), ["a", "b"]),
        ({"type": "SequenceApply", "operations": [{"type": "SequenceLength"}]}, [[1, 2], []], [2, 0]),
    ],
)  # fmt: skip
def test_sequences(spec, value, expected):
    result = run([spec], value)
    assert result == expected
    assert type(result) is type(expected)


@pytest.mark.parametrize(
    ("spec", "value", "expected"),
    [
        ({"type": "StringSubSequence"}, "hello", "hell"),  # default end=-1 drops the last char
        ({"type": "StringSubSequence", "start": 1, "end": 3}, "hello", "el"),
        ({"type": "StringSubSequence", "start": -3, "end": 100}, "hello", "llo"),
        ({"type": "StringMatches", "regex": "^c.r$"}, "car", True),
        ({"type": "StringMatches", "regex": "^c.r$"}, "cart", False),
        ({"type": "StringMatches", "regex": "ar"}, "car", True),  # search, not fullmatch
        ({"type": "TimestampToISOFormat"}, datetime(2024, 1, 2, 3, 4, 5, 678000), "2024-01-02T03:04:05.678000"),
        ({"type": "TimestampToISOFormat"}, datetime(2024, 1, 2, tzinfo=timezone.utc), "2024-01-02T00:00:00+00:00"),
        ({"type": "ConvertDictionaryToJSON"}, {"a": 1, "b": [1, 2], "c": None}, '{"a": 1, "b": [1, 2], "c": null}'),
        ({"type": "LookupTable", "lookup_table": {"car": "vehicle"}}, "car", "vehicle"),
        ({"type": "LookupTable", "lookup_table": {"1": "one"}}, "1", "one"),
    ],
)  # fmt: skip
def test_strings_and_generic(spec, value, expected):
    result = run([spec], value)
    assert result == expected
    assert type(result) is type(expected)


@pytest.mark.parametrize(
    ("spec", "value", "expected"),
    [
        ({"type": "ToNumber", "cast_to": "int"}, "3.7", 3),
        ({"type": "ToNumber", "cast_to": "float"}, "3.7", 3.7),
        ({"type": "ToNumber", "cast_to": "float"}, 2, 2.0),
        ({"type": "ToNumber", "cast_to": "int"}, True, 1),
        ({"type": "ToNumber", "cast_to": "int"}, -2.9, -2),
        ({"type": "ToBoolean"}, 0, False),
        ({"type": "ToBoolean"}, 2.5, True),
        ({"type": "ToBoolean"}, [], False),
        ({"type": "ToBoolean"}, "no", True),
        ({"type": "Multiply", "other": 2}, 3, 6),
        ({"type": "Multiply", "other": 2}, 0.5, 1.0),
        ({"type": "Multiply", "other": 2.5}, 2, 5.0),
        ({"type": "Multiply", "other": 2}, "ab", "abab"),
        ({"type": "Divide", "other": 2}, 7, 3.5),
        ({"type": "Divide", "other": 3}, 6, 2.0),
        ({"type": "Divide", "other": 0.5}, 1, 2.0),
    ],
)  # fmt: skip
def test_numbers(spec, value, expected):
    result = run([spec], value)
    assert result == expected
    assert type(result) is type(expected)


def test_random_number_ignores_its_input():
    random.seed(7)
    draws = [run([{"type": "RandomNumber", "min_value": 2, "max_value": 4}], "anything") for _ in range(50)]
    assert all(2.0 <= d < 4.0 for d in draws) and len(set(draws)) == 50
    fixed = run([{"type": "RandomNumber", "min_value": 3, "max_value": 3}], None)
    assert fixed == 3.0 and type(fixed) is float
    assert 0.0 <= run([{"type": "RandomNumber"}], None) < 1.0


@pytest.mark.parametrize(
    ("spec", "value", "fragments"),
    [
        ({"type": "SequenceAggregate", "mode": "first"}, [], ["(SequenceAggregate)", "empty sequence", "list"]),
        ({"type": "SequenceAggregate", "mode": "most_common"}, [[1], [1]], ["(SequenceAggregate)", "unhashable"]),
        ({"type": "NumericSequenceAggregate", "function": "sum"}, ["a"], ["cannot compute sum", "list"]),
        ({"type": "SequenceMap", "lookup_table": {"a": 1}}, ["a", "b"], ["element 'b' not found", "['a']"]),
        ({"type": "SequenceElementsCount"}, 5, ["(SequenceElementsCount)", "not iterable", "int"]),
        ({"type": "SequenceJoin"}, 5, ["not iterable", "int"]),
        ({"type": "SequenceApply", "operations": [{"type": "ToString"}]}, 5, ["not iterable", "int"]),
        ({"type": "SequenceApply", "operations": [{"type": "ToString"}, {"type": "NumberRound", "decimal_digits": 1}]},
         [1], ["ops[0].operations[1] (NumberRound)", "str"]),
        ({"type": "StringSubSequence"}, 5, ["expected a str", "int"]),
        ({"type": "StringMatches", "regex": "a"}, None, ["expected a str", "NoneType"]),
        ({"type": "TimestampToISOFormat"}, "2024-01-01", ["expected a datetime", "str"]),
        ({"type": "TimestampToISOFormat"}, timedelta(1), ["expected a datetime", "datetime.timedelta"]),
        ({"type": "ConvertDictionaryToJSON"}, [1], ["expected a dict", "list"]),
        ({"type": "ConvertDictionaryToJSON"}, {"a": {1, 2}}, ["not JSON-serialisable", "dict"]),
        ({"type": "LookupTable", "lookup_table": {"car": 1}}, "bus", ["`bus` not found", "['car']", "str"]),
        ({"type": "LookupTable", "lookup_table": {"car": 1}}, ["car"], ["cannot be used as a lookup-table key"]),
        ({"type": "ToNumber", "cast_to": "int"}, "abc", ["cannot be cast into int", "str"]),
        ({"type": "ToNumber", "cast_to": "int"}, float("inf"), ["cannot be cast into int", "float"]),
        ({"type": "ToNumber", "cast_to": "float"}, None, ["cannot be cast into float", "NoneType"]),
        ({"type": "ToBoolean"}, np.array([1, 2]), ["no truth value", "numpy.ndarray"]),
        ({"type": "Multiply", "other": 2}, None, ["cannot be multiplied by 2", "NoneType"]),
        ({"type": "Divide", "other": 0}, 1, ["cannot be divided by 0", "int"]),
        ({"type": "Divide", "other": 2}, "x", ["cannot be divided by 2", "str"]),
    ],
)  # fmt: skip
def test_failures(spec, value, fragments):
    with pytest.raises(SmsSinkError) as caught:
        run([spec], value)
    assert caught.value.__cause__ is not None
    for fragment in fragments:
        assert fragment in str(caught.value)
