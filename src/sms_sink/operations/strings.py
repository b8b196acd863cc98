"""String operations: case, slicing, regex match, stringification and serialisation."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from .base import OperationFailed, builders

__all__ = ["BUILDERS"]


def _require_str(value: Any) -> str:
    if not isinstance(value, str):
        raise OperationFailed("expected a str")
    return value


def string_to_lower(value: Any, op: Any, params: Mapping[str, Any]) -> str:
    return _require_str(value).lower()


def string_to_upper(value: Any, op: Any, params: Mapping[str, Any]) -> str:
    return _require_str(value).upper()


def to_string(value: Any, op: Any, params: Mapping[str, Any]) -> str:
    return str(value)


def string_sub_sequence(value: Any, op: Any, params: Mapping[str, Any]) -> str:
    """``value[start:end]``; the default ``end=-1`` drops the last character, as upstream."""
    return _require_str(value)[op.start : op.end]


def string_matches(value: Any, op: Any, params: Mapping[str, Any]) -> bool:
    return bool(re.search(op.regex, _require_str(value)))


def timestamp_to_iso_format(value: Any, op: Any, params: Mapping[str, Any]) -> str:
    if not isinstance(value, datetime):
        raise OperationFailed("expected a datetime")
    return value.isoformat()


def dictionary_to_json(value: Any, op: Any, params: Mapping[str, Any]) -> str:
    if not isinstance(value, dict):
        raise OperationFailed("expected a dict")
    try:
        return json.dumps(value)
    except (TypeError, ValueError) as exc:
        raise OperationFailed(f"not JSON-serialisable: {exc}") from exc


BUILDERS = builders(
    StringToLowerCase=string_to_lower,
    StringToUpperCase=string_to_upper,
    ToString=to_string,
    StringSubSequence=string_sub_sequence,
    StringMatches=string_matches,
    TimestampToISOFormat=timestamp_to_iso_format,
    ConvertDictionaryToJSON=dictionary_to_json,
)
