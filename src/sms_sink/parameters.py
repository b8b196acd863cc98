"""Message parameters: a literal, or a selector into the prediction or the frame.

A value in ``message_parameters`` is one of:

- a literal: ``str`` (not starting with ``$``), ``int``, ``float``, ``bool`` or ``None``;
- ``$predictions`` or ``$predictions.<key>[.<key>...]``: the prediction object given to the
  sink. Each segment is a dict key, an integer index into a list, tuple or array
  (``$predictions.predictions.0.class``), or, on ``sv.Detections``, an attribute
  (``xyxy``, ``confidence``, ``class_id``, ``tracker_id``, ``mask``, ``data``, ``metadata``:
  so ``$predictions.data.class_name``);
- ``$frame`` or ``$frame.<field>[...]``: the ``VideoFrame`` (``image``, ``frame_id``,
  ``frame_timestamp``, ``fps``, ``measured_fps``, ``source_id`` ...).

Every string starting with ``$`` is a selector; a literal text starting with ``$`` belongs
in ``message`` itself. ``$visualization`` is reserved for media and workflow selectors
(``$inputs.*``, ``$steps.*``) are rejected: the sink has no workflow to resolve them in.

A path that does not exist at run time (missing key, index out of range, ``None`` frame)
resolves to ``None`` (logged at DEBUG), so the text shows ``None`` as the reference block
does for an empty workflow value: a missing detail should not cost the alert.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Mapping
from typing import Any

import numpy as np
import supervision as sv
from streamvision.camera.entities import VideoFrame

from sms_sink.errors import ConfigurationError

__all__ = ["FRAME_FIELDS", "Parameter", "SELECTOR_ROOTS", "compile_parameter"]

logger = logging.getLogger(__name__)

SELECTOR_ROOTS = ("$predictions", "$frame")
FRAME_FIELDS = tuple(field.name for field in dataclasses.fields(VideoFrame))
_DETECTIONS_ATTRIBUTES = frozenset(
    {"xyxy", "mask", "confidence", "class_id", "tracker_id", "data", "metadata"}
)
_LITERAL_TYPES = (str, int, float, bool, type(None))
_NAME = re.compile(r"\w+")
_SELECTOR_START = re.compile(r"\$[A-Za-z_]")
_INDEX = re.compile(r"-?\d+")
_MISSING: Any = object()


class Parameter:
    """One compiled message parameter; ``resolve`` is called per alert, so it is lean."""

    __slots__ = ("name", "source", "is_literal", "uses_frame_image", "_root", "_field", "_steps")

    def __init__(
        self,
        name: str,
        source: Any,
        *,
        root: str | None = None,
        steps: tuple[tuple[str, int | None], ...] = (),
    ) -> None:
        self.name = name
        self.source = source
        self.is_literal = root is None
        self._root = root
        # The first segment under $frame is an attribute of the VideoFrame.
        self._field = steps[0][0] if root == "frame" and steps else None
        self._steps = steps[1:] if self._field is not None else steps
        self.uses_frame_image = root == "frame" and self._field in (None, "image")

    def resolve(self, predictions: Any, frame: Any) -> Any:
        """Return the literal, or what the selector points at (``None`` when missing)."""
        if self._root is None:
            return self.source
        if self._root == "predictions":
            return self._walk(predictions)
        if frame is None:
            return self._missing("no frame was given")
        if self._field is None:
            return frame
        value = getattr(frame, self._field, _MISSING)
        if value is _MISSING:
            return self._missing(f"the frame has no {self._field!r}")
        return self._walk(value)

    def _walk(self, value: Any) -> Any:
        """Follow the path segments from ``value``."""
        for key, index in self._steps:
            value = _step(value, key, index)
            if value is _MISSING:
                return self._missing(f"nothing at {key!r}")
        return value

    def _missing(self, why: str) -> None:
        """Log why the selector found nothing; the parameter renders as ``None``."""
        logger.debug("message_parameters.%s (%s): %s, using None", self.name, self.source, why)
        return None

    def __repr__(self) -> str:
        return f"Parameter({self.name!r}, {self.source!r})"


def compile_parameter(name: str, value: Any) -> Parameter:
    """Validate one ``message_parameters`` entry and compile it.

    Raises ``ConfigurationError`` naming ``message_parameters.<name>``.
    """
    if not isinstance(name, str):
        raise ConfigurationError(
            "message_parameters", f"parameter names must be str, got {type(name).__name__}"
        )
    field = f"message_parameters.{name}"
    if not _NAME.fullmatch(name):
        raise ConfigurationError(
            field,
            "a parameter name may only hold letters, digits and '_' "
            "(a {{ $parameters.<name> }} placeholder cannot reference it otherwise)",
        )
    if not isinstance(value, _LITERAL_TYPES):
        raise ConfigurationError(
            field,
            f"expected a literal (str, int, float, bool, None) or a selector string, "
            f"got {type(value).__name__}",
        )
    if not isinstance(value, str) or not _SELECTOR_START.match(value):
        return Parameter(name, value)  # "$5.00" is a price, not a selector
    root, _, path = value[1:].partition(".")
    segments = tuple(path.split(".")) if path else ()
    if "" in segments or value.endswith("."):
        raise ConfigurationError(field, f"selector {value!r} has an empty path segment")
    _check_root(field, value, root, segments)
    steps = tuple((key, int(key) if _INDEX.fullmatch(key) else None) for key in segments)
    return Parameter(name, value, root=root, steps=steps)


def _check_root(field: str, value: str, root: str, segments: tuple[str, ...]) -> None:
    """Reject selector roots the sink cannot resolve, saying what to use instead."""
    if root == "predictions":
        return
    if root == "frame":
        if segments and segments[0] not in FRAME_FIELDS:
            raise ConfigurationError(
                field,
                f"VideoFrame has no field {segments[0]!r}; use one of {', '.join(FRAME_FIELDS)}",
            )
        return
    if root == "visualization":
        raise ConfigurationError(
            field,
            "$visualization is reserved for media (the annotated frame); it cannot be a "
            "message parameter",
        )
    if root in ("inputs", "steps"):
        raise ConfigurationError(
            field,
            f"{value!r} is a workflow selector, which the sink cannot resolve; use "
            f"{' or '.join(SELECTOR_ROOTS)} (SMSNotificationSink.from_workflow_step maps "
            "workflow steps to these)",
        )
    raise ConfigurationError(
        field,
        f"unknown selector root ${root}; supported: {', '.join(SELECTOR_ROOTS)} "
        "(a literal text starting with '$' belongs in message itself)",
    )


def _step(value: Any, key: str, index: int | None) -> Any:
    """One path segment: dict key, sequence/array index or sv.Detections attribute."""
    if type(value) is dict or isinstance(value, Mapping):
        return value.get(key, _MISSING)
    if index is not None and isinstance(value, (list, tuple, np.ndarray)):
        try:
            return value[index]
        except IndexError:
            return _MISSING
    if isinstance(value, sv.Detections) and key in _DETECTIONS_ATTRIBUTES:
        return getattr(value, key)
    return _MISSING
