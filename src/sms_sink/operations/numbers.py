"""Number operations: casting, rounding and arithmetic, with Python's own result types.

``round(3, 2)`` stays ``int`` and ``round(2.5, 0)`` is ``2.0``, exactly as upstream.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .base import OperationFailed, builders
from .enums import NumberCastingMode

__all__ = ["BUILDERS"]

Number = int | float


def to_number(value: Any, op: Any, params: Mapping[str, Any]) -> Number:
    """``float(value)``, then ``int(...)`` when casting to int (``"2.7"`` -> ``2``)."""
    try:
        number = float(value)
        return int(number) if op.cast_to is NumberCastingMode.INT else number
    except (TypeError, ValueError, OverflowError) as exc:
        raise OperationFailed(f"cannot be cast into {op.cast_to.value}: {exc}") from exc


def number_round(value: Any, op: Any, params: Mapping[str, Any]) -> Number:
    try:
        return round(value, op.decimal_digits)
    except TypeError as exc:
        raise OperationFailed(f"cannot be rounded: {exc}") from exc


def multiply(value: Any, op: Any, params: Mapping[str, Any]) -> Any:
    try:
        return value * op.other
    except TypeError as exc:
        raise OperationFailed(f"cannot be multiplied by {op.other!r}: {exc}") from exc


def divide(value: Any, op: Any, params: Mapping[str, Any]) -> Any:
    try:
        return value / op.other
    except (TypeError, ZeroDivisionError) as exc:
        raise OperationFailed(f"cannot be divided by {op.other!r}: {exc}") from exc


def to_boolean(value: Any, op: Any, params: Mapping[str, Any]) -> bool:
    try:
        return bool(value)
    except (TypeError, ValueError) as exc:
        raise OperationFailed(f"has no truth value: {exc}") from exc


BUILDERS = builders(
    ToNumber=to_number,
    NumberRound=number_round,
    Multiply=multiply,
    Divide=divide,
    ToBoolean=to_boolean,
)
