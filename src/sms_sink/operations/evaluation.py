"""Predicates of ``DetectionsFilter``: statement groups, binary and unary statements.

A statement is compiled into ``predicate(values) -> result`` where ``values`` maps
operand names to values (global parameters plus ``_``, the current detection).
Groups evaluate every statement, then fold with ``and`` / ``or`` (no short-circuit,
as upstream, so an error in any statement surfaces).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import cv2
import numpy as np

from ..errors import SmsSinkError
from .base import ChainCompiler, type_name
from .enums import StatementsGroupsOperator
from .models import BinaryStatement, StatementGroup, StaticOperand, UnaryStatement

__all__ = ["compile_statement"]

Predicate = Callable[[Mapping[str, Any]], Any]


def _point_in_zone(point: Sequence[float], zone: Sequence[Sequence[float]]) -> bool:
    """Strictly inside the polygon (a point on an edge is outside, like shapely ``within``)."""
    if len(zone) < 3:
        raise ValueError(f"a zone needs at least 3 points, got {len(zone)}")
    contour = np.array([(p[0], p[1]) for p in zone], dtype=np.float32).reshape(-1, 1, 2)
    return cv2.pointPolygonTest(contour, (float(point[0]), float(point[1])), False) > 0


BINARY_OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    "==": lambda a, b: a == b,
    "(Number) ==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "(Number) !=": lambda a, b: a != b,
    "(Number) >": lambda a, b: a > b,
    "(Number) >=": lambda a, b: a >= b,
    "(Number) <": lambda a, b: a < b,
    "(Number) <=": lambda a, b: a <= b,
    "(Number) in range": lambda a, b: b[0] <= a <= b[1],
    "(String) startsWith": lambda a, b: a.startswith(b),
    "(String) endsWith": lambda a, b: a.endswith(b),
    "(String) contains": lambda a, b: b in a,
    "in (Sequence)": lambda a, b: a in b,
    "any in (Sequence)": lambda a, b: any(item in b for item in a),
    "all in (Sequence)": lambda a, b: all(item in b for item in a),
    "(Detection) in zone": _point_in_zone,
}
UNARY_OPERATORS: dict[str, Callable[[Any], Any]] = {
    "Exists": lambda a: a is not None,
    "DoesNotExist": lambda a: a is None,
    "(Boolean) is True": lambda a: a is True,
    "(Boolean) is False": lambda a: a is False,
    "(Sequence) is empty": lambda a: len(a) == 0,
    "(Sequence) is not empty": lambda a: len(a) > 0,
}
_COMBINERS = {
    StatementsGroupsOperator.AND: lambda a, b: a and b,
    StatementsGroupsOperator.OR: lambda a, b: a or b,
}


def compile_statement(definition: Any, path: str, compile_chain: ChainCompiler) -> Predicate:
    """Compile a ``StatementGroup`` / ``BinaryStatement`` / ``UnaryStatement`` at ``path``."""
    if isinstance(definition, BinaryStatement):
        return _binary(definition, path, compile_chain)
    if isinstance(definition, UnaryStatement):
        return _unary(definition, path, compile_chain)
    assert isinstance(definition, StatementGroup)
    statements = [
        compile_statement(statement, f"{path}.statements[{i}]", compile_chain)
        for i, statement in enumerate(definition.statements)
    ]
    combine = _COMBINERS[definition.operator]

    def group(values: Mapping[str, Any]) -> Any:
        results = [statement(values) for statement in statements]
        outcome = results[0]
        for result in results[1:]:
            outcome = combine(outcome, result)
        return outcome

    return group


def _operand(definition: Any, path: str, compile_chain: ChainCompiler) -> Predicate:
    """Static value or named value, each through its own operations chain."""
    chain = compile_chain(definition.operations, f"{path}.operations")
    if isinstance(definition, StaticOperand):
        static_value = definition.value
        return lambda values: chain(static_value, values)
    name = definition.operand_name

    def dynamic(values: Mapping[str, Any]) -> Any:
        if name not in values:
            raise SmsSinkError(
                f"{path}: undefined operand {name!r}; defined: {sorted(values)}"
            )
        return chain(values[name], values)

    return dynamic


def _binary(definition: BinaryStatement, path: str, compile_chain: ChainCompiler) -> Predicate:
    kind = definition.comparator.type
    compare = BINARY_OPERATORS[kind]
    left = _operand(definition.left_operand, f"{path}.left_operand", compile_chain)
    right = _operand(definition.right_operand, f"{path}.right_operand", compile_chain)
    negate = definition.negate

    def binary(values: Mapping[str, Any]) -> Any:
        a, b = left(values), right(values)
        try:
            result = compare(a, b)
        except Exception as exc:
            raise SmsSinkError(
                f"{path} ({kind}) failed on operands of type {type_name(a)} and "
                f"{type_name(b)}: {type(exc).__name__}: {exc}"
            ) from exc
        return not result if negate else result

    return binary


def _unary(definition: UnaryStatement, path: str, compile_chain: ChainCompiler) -> Predicate:
    kind = definition.operator.type
    check = UNARY_OPERATORS[kind]
    operand = _operand(definition.operand, f"{path}.operand", compile_chain)
    negate = definition.negate

    def unary(values: Mapping[str, Any]) -> Any:
        a = operand(values)
        try:
            result = check(a)
        except Exception as exc:
            raise SmsSinkError(
                f"{path} ({kind}) failed on an operand of type {type_name(a)}: "
                f"{type(exc).__name__}: {exc}"
            ) from exc
        return not result if negate else result

    return unary
