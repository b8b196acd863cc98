"""Compile validated definitions into one callable chain; dispatch by ``type``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..errors import ConfigurationError, SmsSinkError
from . import (
    classification,
    detection,
    detections,
    frames,
    generic,
    images,
    numbers,
    sequences,
    strings,
)
from .base import Builder, OperationFailed, Step, type_name
from .models import Operation
from .validation import OPERATION_TYPES, validate_operation

__all__ = ["SUPPORTED_OPERATIONS", "CompiledOperations", "compile_operations"]

BUILDERS: dict[str, Builder] = {
    **classification.BUILDERS,
    **detection.BUILDERS,
    **detections.BUILDERS,
    **frames.BUILDERS,
    **generic.BUILDERS,
    **images.BUILDERS,
    **numbers.BUILDERS,
    **sequences.BUILDERS,
    **strings.BUILDERS,
}
SUPPORTED_OPERATIONS: tuple[str, ...] = tuple(sorted(BUILDERS))
assert SUPPORTED_OPERATIONS == OPERATION_TYPES, "every model needs a builder"


class CompiledOperations:
    """A validated chain; call it as ``chain(value, global_parameters=None)``.

    Example::

        upper = compile_operations([{"type": "StringToUpperCase"}], field="ops")
        upper("cat")  # -> "CAT"
    """

    __slots__ = ("_chain", "_description")

    def __init__(self, chain: Step, description: str) -> None:
        self._chain = chain
        self._description = description

    def __call__(self, value: Any, global_parameters: Mapping[str, Any] | None = None) -> Any:
        return self._chain(value, {} if global_parameters is None else global_parameters)

    def __repr__(self) -> str:
        return f"CompiledOperations({self._description})"


def compile_operations(
    specs: Sequence[Mapping[str, Any]], *, field: str
) -> CompiledOperations:
    """Validate ``specs`` (errors name ``field[i].param``) and build the chain, left to right."""
    if isinstance(specs, (str, bytes, Mapping)) or not isinstance(specs, Sequence):
        raise ConfigurationError(
            field, f"expected a list of operation definitions, got {type_name(specs)}"
        )
    operations = [validate_operation(spec, f"{field}[{i}]") for i, spec in enumerate(specs)]
    description = " -> ".join(op.type for op in operations) or "identity"
    return CompiledOperations(compile_chain(operations, field), f"{field}: {description}")


def compile_chain(operations: Sequence[Operation], path: str) -> Step:
    """Chain compiler shared with compound operations (nested paths get their own index)."""
    steps = [
        _guarded(BUILDERS[op.type](op, f"{path}[{i}]", compile_chain), f"{path}[{i}]", op.type)
        for i, op in enumerate(operations)
    ]

    def chain(value: Any, global_parameters: Mapping[str, Any]) -> Any:
        for step in steps:
            value = step(value, global_parameters)
        return value

    return chain


def _guarded(step: Step, path: str, op_type: str) -> Step:
    """Turn any failure of ``step`` into ``SmsSinkError`` naming place, operation and type."""

    def guarded(value: Any, global_parameters: Mapping[str, Any]) -> Any:
        try:
            return step(value, global_parameters)
        except SmsSinkError:
            raise
        except OperationFailed as exc:
            raise SmsSinkError(
                f"{path} ({op_type}): {exc}; got a value of type {type_name(value)}"
            ) from exc
        except Exception as exc:
            raise SmsSinkError(
                f"{path} ({op_type}) failed on a value of type {type_name(value)}: "
                f"{type(exc).__name__}: {exc}"
            ) from exc

    return guarded
