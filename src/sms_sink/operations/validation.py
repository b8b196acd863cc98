"""Validate operation definitions and report problems as ``ConfigurationError``.

Paths name the configuration field down to the parameter, e.g.
``message_parameters_operations.count[1].filter_operation.statements[0].comparator.type``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import ValidationError

from ..errors import ConfigurationError
from .base import safe_stringify, type_name
from .models import OPERATION_ADAPTER, OPERATION_MODELS, Operation

__all__ = ["OPERATION_TYPES", "validate_operation"]

OPERATION_TYPES: tuple[str, ...] = tuple(
    sorted(model.model_fields["type"].annotation.__args__[0] for model in OPERATION_MODELS)
)
_UNION_TAGS = frozenset(OPERATION_TYPES) | {
    "StaticOperand",
    "DynamicOperand",
    "BinaryStatement",
    "UnaryStatement",
    "StatementGroup",
}
# labels pydantic puts in locations for members of plain (non-discriminated) unions
_UNION_MEMBERS = frozenset({"int", "float", "str", "bool", "dict[str,str]"})
_SUPPORTED = ", ".join(OPERATION_TYPES)
_NO_INPUT_SHOWN = frozenset({"missing", "union_tag_invalid", "union_tag_not_found"})


def validate_operation(spec: Any, path: str) -> Operation:
    """Parse one definition (a mapping, or an already-built model) located at ``path``."""
    if isinstance(spec, Operation):
        return spec
    if not isinstance(spec, Mapping):
        raise ConfigurationError(
            path, f"expected a mapping with a 'type' key, got {type_name(spec)}"
        )
    if "type" not in spec:
        raise ConfigurationError(f"{path}.type", f"required; supported: {_SUPPORTED}")
    if spec["type"] not in OPERATION_TYPES:
        raise ConfigurationError(
            path, f"unknown operation {spec['type']!r}; supported: {_SUPPORTED}"
        )
    try:
        return OPERATION_ADAPTER.validate_python(dict(spec))
    except ValidationError as exc:
        raise _configuration_error(exc, path) from None


def _configuration_error(exc: ValidationError, path: str) -> ConfigurationError:
    """Report the first location; every union member's complaint about it is joined."""
    by_location: dict[str, list[Mapping[str, Any]]] = {}
    for error in exc.errors():
        location = path + _format_location(error["loc"])
        if error["type"] == "union_tag_not_found":
            location += ".type"
        by_location.setdefault(location, []).append(error)
    location, errors = next(iter(by_location.items()))
    problem = " or ".join(dict.fromkeys(_describe(error) for error in errors))
    if errors[0]["type"] not in _NO_INPUT_SHOWN:
        problem += f"; got {safe_stringify(repr(errors[0]['input']), 80)}"
    if len(by_location) > 1:
        problem += f" (and {len(by_location) - 1} more problem(s) in this definition)"
    return ConfigurationError(location, problem)


def _format_location(loc: Iterable[Any]) -> str:
    """``('ToNumber', 'cast_to')`` -> ``.cast_to``; union labels dropped, indices bracketed."""
    parts = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        elif item not in _UNION_TAGS and item not in _UNION_MEMBERS:
            parts.append(f".{item}")
    return "".join(parts)


def _describe(error: Mapping[str, Any]) -> str:
    kind = error["type"]
    context = error.get("ctx") or {}
    if kind == "union_tag_invalid":
        if "'ToString'" in context.get("expected_tags", ""):
            return f"unknown operation {context['tag']!r}; supported: {_SUPPORTED}"
        return f"unknown type {context['tag']!r}; expected one of: {context['expected_tags']}"
    if kind in ("missing", "union_tag_not_found"):
        return "required"
    return str(error["msg"])
