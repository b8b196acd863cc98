"""Shared plumbing of operation families: the step type, builders and failure signal.

Every family module exposes ``BUILDERS``: operation ``type`` -> builder. A builder
turns a validated model into a *step* ``(value, global_parameters) -> value``;
the registry wraps each step so that any failure surfaces as ``SmsSinkError``
naming the operation, its place in the configuration and the value's type.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

from .models import Operation

__all__ = [
    "Builder",
    "ChainCompiler",
    "OperationFailed",
    "Step",
    "builders",
    "safe_stringify",
    "simple",
    "type_name",
]

Step = Callable[[Any, Mapping[str, Any]], Any]


class ChainCompiler(Protocol):
    """Compiles nested operations (``SequenceApply``, operands) below ``path``."""

    def __call__(self, operations: Sequence[Operation], path: str) -> Step: ...


Builder = Callable[[Any, str, ChainCompiler], Step]


class OperationFailed(Exception):
    """Raised by an operation body with a plain-language problem; the registry adds context."""


def simple(function: Callable[[Any, Any, Mapping[str, Any]], Any]) -> Builder:
    """Adapt ``function(value, op, global_parameters)`` into a builder."""

    def build(op: Any, path: str, compile_chain: ChainCompiler) -> Step:
        def step(value: Any, global_parameters: Mapping[str, Any]) -> Any:
            return function(value, op, global_parameters)

        return step

    return build


def builders(**functions: Callable[[Any, Any, Mapping[str, Any]], Any]) -> dict[str, Builder]:
    """``BUILDERS`` for a family made only of simple operations."""
    return {name: simple(function) for name, function in functions.items()}


def safe_stringify(value: Any, max_characters: int = 128) -> str:
    """``str(value)`` cut to ``max_characters`` plus ``" [...]"``, as the reference keys counts."""
    try:
        text = str(value)
    except Exception:
        return "could not get string representation of value"
    if len(text) > max_characters:
        return f"{text[:max_characters]} [...]"
    return text


def type_name(value: Any) -> str:
    """Readable type of ``value`` for error messages (``int``, ``numpy.ndarray`` ...)."""
    kind = type(value)
    module = kind.__module__
    if module == "builtins":
        return kind.__qualname__
    return f"{module.split('.')[0]}.{kind.__qualname__}"
