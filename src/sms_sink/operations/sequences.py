"""Sequence operations: length, counting, aggregation, mapping, joining, per-element chains."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

from .base import ChainCompiler, OperationFailed, Step, builders, safe_stringify
from .enums import SequenceAggregationFunction, SequenceAggregationMode

__all__ = ["BUILDERS"]

MAX_JOINED_STRING_LENGTH = 1_000_000

_AGGREGATIONS = {
    SequenceAggregationFunction.MIN: min,
    SequenceAggregationFunction.MAX: max,
    SequenceAggregationFunction.SUM: sum,
}


def sequence_length(value: Any, op: Any, params: Mapping[str, Any]) -> int:
    """``len(value)``: detections, lists, dicts (their key count) and strings alike."""
    try:
        return len(value)
    except TypeError as exc:
        raise OperationFailed("value has no length") from exc


def elements_count(value: Any, op: Any, params: Mapping[str, Any]) -> dict[str, int]:
    """``{str(element): occurrences}`` in first-seen order (keys cut at 128 chars)."""
    counts: dict[str, int] = {}
    try:
        for element in value:
            key = safe_stringify(element)
            counts[key] = counts.get(key, 0) + 1
    except TypeError as exc:
        raise OperationFailed("value is not iterable") from exc
    return counts


def aggregate(value: Any, op: Any, params: Mapping[str, Any]) -> Any:
    """First / last element, or the most / least common (ties: ``Counter`` order)."""
    try:
        if len(value) < 1:
            raise OperationFailed("an empty sequence cannot be aggregated")
        if op.mode is SequenceAggregationMode.FIRST:
            return value[0]
        if op.mode is SequenceAggregationMode.LAST:
            return value[-1]
        ranked = [element for element, _ in Counter(value).most_common()]
    except (TypeError, ValueError) as exc:
        raise OperationFailed(f"value cannot be aggregated: {exc}") from exc
    return ranked[0] if op.mode is SequenceAggregationMode.MOST_COMMON else ranked[-1]


def numeric_aggregate(value: Any, op: Any, params: Mapping[str, Any]) -> Any:
    """``min`` / ``max`` / ``sum``; ``neutral_value`` for an empty sequence."""
    try:
        if len(value) == 0:
            return op.neutral_value
        return _AGGREGATIONS[op.function](value)
    except (TypeError, ValueError) as exc:
        raise OperationFailed(f"cannot compute {op.function.value}: {exc}") from exc


def sequence_map(value: Any, op: Any, params: Mapping[str, Any]) -> list[Any]:
    table = op.lookup_table
    try:
        return [table[element] for element in value]
    except TypeError as exc:
        raise OperationFailed(f"value is not a sequence of lookup keys: {exc}") from exc
    except KeyError as exc:
        raise OperationFailed(
            f"element {exc} not found in lookup table with keys: {list(table)}"
        ) from exc


def join(value: Any, op: Any, params: Mapping[str, Any]) -> str:
    try:
        parts = [str(element) for element in value]
    except TypeError as exc:
        raise OperationFailed("value is not iterable") from exc
    length = sum(map(len, parts)) + len(op.separator) * max(len(parts) - 1, 0)
    if length > MAX_JOINED_STRING_LENGTH:
        raise OperationFailed(
            f"joined string would have {length} characters, more than "
            f"{MAX_JOINED_STRING_LENGTH}"
        )
    return op.separator.join(parts)


def build_sequence_apply(op: Any, path: str, compile_chain: ChainCompiler) -> Step:
    """Run the nested chain on every element; the result is always a list."""
    element_chain = compile_chain(op.operations, f"{path}.operations")

    def apply(value: Any, global_parameters: Mapping[str, Any]) -> list[Any]:
        try:
            elements = iter(value)
        except TypeError as exc:
            raise OperationFailed("value is not iterable") from exc
        return [element_chain(element, global_parameters) for element in elements]

    return apply


BUILDERS = {
    **builders(
        SequenceLength=sequence_length,
        SequenceElementsCount=elements_count,
        SequenceAggregate=aggregate,
        NumericSequenceAggregate=numeric_aggregate,
        SequenceMap=sequence_map,
        SequenceJoin=join,
    ),
    "SequenceApply": build_sequence_apply,
}
