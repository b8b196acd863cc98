"""Roboflow query-language operations for ``message_parameters_operations``.

Same JSON shapes, defaults and results as the ``inference`` workflows engine, without
depending on it. Definitions are validated once, at construction::

    from sms_sink.operations import compile_operations

    count = compile_operations(
        [{"type": "DetectionsPropertyExtract", "property_name": "class_name"},
         {"type": "SequenceElementsCount"}],
        field="message_parameters_operations.classes",
    )
    count(detections)  # -> {"car": 2, "person": 1}

Configuration problems raise ``ConfigurationError`` naming ``field[i].param``; failures
while running raise ``SmsSinkError`` naming the operation and the value's type.
See ``STATUS.md`` for each operation and where it differs from the reference.
"""

from __future__ import annotations

from .registry import SUPPORTED_OPERATIONS, CompiledOperations, compile_operations

__all__ = ["SUPPORTED_OPERATIONS", "CompiledOperations", "compile_operations"]
