"""Operations that accept any value: lookup tables and random sampling."""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

from .base import OperationFailed, builders, safe_stringify

__all__ = ["BUILDERS"]


def lookup(value: Any, op: Any, params: Mapping[str, Any]) -> Any:
    table = op.lookup_table
    try:
        return table[value]
    except TypeError as exc:
        raise OperationFailed("value cannot be used as a lookup-table key") from exc
    except KeyError as exc:
        raise OperationFailed(
            f"`{safe_stringify(value)}` not found in lookup table with keys: {list(table)}"
        ) from exc


def random_number(value: Any, op: Any, params: Mapping[str, Any]) -> float:
    """Ignore ``value``; draw uniformly from ``[min_value, max_value)`` (for sampling)."""
    if op.min_value == op.max_value:
        return op.min_value
    return op.min_value + random.random() * abs(op.max_value - op.min_value)


BUILDERS = builders(LookupTable=lookup, RandomNumber=random_number)
