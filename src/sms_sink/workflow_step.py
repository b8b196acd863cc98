"""Sink settings from a ``roboflow_core/twilio_sms_notification@v2`` workflow step's JSON.

Behind ``SMSNotificationSink.from_workflow_step``. A step definition names workflow values
the sink has no workflow to resolve; they are mapped once, at construction:

==============================  ==============================================================
in the step                     becomes
==============================  ==============================================================
``$inputs.<x>``                 ``inputs[x]``. In ``message_parameters`` the value is constant
                                for the sink's life, so its text (operations, then ``str()``)
                                is written into ``message`` once; a parameter the message does
                                not use is not resolved. Absent from ``inputs``: Twilio
                                credentials fall back to the environment (as the sink's
                                defaults), other optional fields to the block's default, with a
                                warning; ``receiver_number`` and used parameters are errors.
``$steps.<s>.<out>``            ``selectors[...]`` when given, else ``$predictions.<out>``
(``message_parameters``)        (``$steps.<s>.*``: ``$predictions``).
``$steps.<s>.image``            ``selectors[...]`` when given, else ``$visualization`` (the frame
(``media_url``)                 annotated with the predictions); ``$frame.image`` is the raw frame.
doc-escaped message             ``{{ '{{' }} $parameters.x {{ '}}' }}`` (the form the block's
                                documentation shows) is read as ``{{ $parameters.x }}``, with one
                                warning.
operations for a name absent    validated, then ignored with a warning by the sink (as the
from ``message_parameters``     reference; the spec's own example keys them by ``predictions``).
==============================  ==============================================================

``overrides`` replace step fields before the mapping (``message=...``) or add sink settings
(``provider=``, ``roboflow_api_key=``, ``cooldown_clock=`` ...). Errors are
``ConfigurationError`` naming the field; credential values never appear in them.

A constant written into the message is not escaped: if its text holds a
``{{ $parameters.<name> }}`` placeholder, the sink fills that in too.
"""

from __future__ import annotations

import inspect
import logging
import re
from collections.abc import Mapping, Sequence
from typing import Any

from .errors import ConfigurationError, SmsSinkError
from .template import PARAMETER_PATTERN

__all__ = ["BLOCK_TYPE", "STEP_FIELDS", "sink_kwargs_from_step", "unescape_message"]

log = logging.getLogger(__name__)

BLOCK_TYPE = "roboflow_core/twilio_sms_notification@v2"
# Sink settings a step can carry, in the block's order; ``name`` and ``type`` describe the step.
_SETTINGS = (
    "sms_provider", "receiver_number", "message", "message_parameters",
    "message_parameters_operations", "media_url", "twilio_account_sid", "twilio_auth_token",
    "sender_number", "fire_and_forget", "disable_sink", "cooldown_seconds",
)  # fmt: skip
STEP_FIELDS = ("name", "type", *_SETTINGS)
_REQUIRED = ("receiver_number", "message")
# Scalar fields the block lets a workflow bind (its "Refs" column).
_BINDABLE = (
    "receiver_number", "twilio_account_sid", "twilio_auth_token", "sender_number",
    "fire_and_forget", "disable_sink", "cooldown_seconds",
)  # fmt: skip
# Optional bindable fields and what an absent input leaves (None: the sink's env default).
_INPUT_DEFAULTS: dict[str, Any] = {
    "twilio_account_sid": None, "twilio_auth_token": None, "sender_number": None,
    "fire_and_forget": True, "disable_sink": False, "cooldown_seconds": 5,
}  # fmt: skip
_ABSENT = object()
_INPUT = re.compile(r"\$inputs\.[^.\s]+")
_STEP = re.compile(r"\$steps\.(?P<step>[^.\s]+)\.(?P<output>[^.\s]+)")
_ESCAPED_BRACES = re.compile(r"""\{\{\s*(['"])(\{\{|\}\})\1\s*\}\}""")


def sink_kwargs_from_step(
    step: Mapping[str, Any],
    *,
    inputs: Mapping[str, Any] | None = None,
    selectors: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """``SMSNotificationSink`` keyword arguments for ``step`` (see the module docstring)."""
    inputs = _optional_mapping("inputs", inputs)
    selectors = _check_selectors(_optional_mapping("selectors", selectors))
    overrides = _check_overrides(_optional_mapping("overrides", overrides))
    step = _check_step(step)
    label = step.get("name", BLOCK_TYPE)
    merged = {**step, **{k: v for k, v in overrides.items() if k in _SETTINGS}}
    used: set[str] = set()
    kwargs: dict[str, Any] = {}
    for field in _BINDABLE:
        if field in merged:
            value = _bound(field, merged[field], inputs)
            if value is not _ABSENT:
                kwargs[field] = value
    if "sms_provider" in merged:
        kwargs["sms_provider"] = merged["sms_provider"]
    if merged.get("media_url") is not None:
        kwargs["media_url"] = _media(merged["media_url"], inputs, selectors, used)
    kwargs.update(_message(merged, inputs, selectors, used, label))
    unused = sorted(set(selectors) - used)
    if unused:
        raise ConfigurationError(
            "selectors", f"{', '.join(map(repr, unused))} not used by the step; check for a typo"
        )
    return kwargs | {k: v for k, v in overrides.items() if k not in _SETTINGS}


def unescape_message(message: str) -> tuple[str, int]:
    """``{{ '{{' }}`` / ``{{ '}}' }}`` (the documentation's escaped braces) as ``{{`` / ``}}``.

    Returns the text and how many escapes were replaced.
    """
    return _ESCAPED_BRACES.subn(lambda match: match.group(2), message)


# -- validation ---------------------------------------------------------------------------
def _optional_mapping(field: str, value: Mapping[str, Any] | None) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ConfigurationError(field, f"expected a dict, got {type(value).__name__}")
    return value


def _check_step(step: Any) -> Mapping[str, Any]:
    if not isinstance(step, Mapping):
        raise ConfigurationError("step", f"expected the step's JSON object (a dict), got {type(step).__name__}")
    if step.get("type") != BLOCK_TYPE:
        got = f"got {step['type']!r}" if "type" in step else "it is missing"
        raise ConfigurationError("type", f"expected {BLOCK_TYPE!r}, {got}")
    for field in step:
        if field not in STEP_FIELDS:
            raise ConfigurationError(
                str(field), f"not a field of {BLOCK_TYPE}; its fields are {', '.join(STEP_FIELDS)}"
            )
    if "name" in step and not isinstance(step["name"], str):
        raise ConfigurationError("name", f"expected a str, got {type(step['name']).__name__}")
    for field in _REQUIRED:
        if field not in step:
            raise ConfigurationError(field, f"required by {BLOCK_TYPE}")
    return step


def _check_selectors(selectors: Mapping[str, Any]) -> Mapping[str, str]:
    for key, value in selectors.items():
        if not isinstance(key, str) or not _STEP.fullmatch(key):
            raise ConfigurationError("selectors", f"keys are step outputs like '$steps.model.predictions', got {key!r}")
        if not isinstance(value, str) or not value.startswith("$"):
            raise ConfigurationError(
                f"selectors[{key!r}]", f"expected a sink selector ('$predictions...', '$frame...', '$visualization'), got {value!r}"
            )
    return selectors


def _check_overrides(overrides: Mapping[str, Any]) -> Mapping[str, Any]:
    from .sink import SMSNotificationSink  # deferred: sink.py imports this module lazily too

    settings = inspect.signature(SMSNotificationSink.__init__).parameters
    for field in overrides:
        if field not in settings or field == "self":
            raise ConfigurationError(str(field), "not an SMSNotificationSink setting; see SMSNotificationSink's keyword arguments")
    return overrides


# -- mapping ------------------------------------------------------------------------------
def _bound(field: str, value: Any, inputs: Mapping[str, Any]) -> Any:
    """A bindable scalar: ``$inputs.x`` resolved; a step output cannot be known up front."""
    if not isinstance(value, str) or not value.startswith("$"):
        return value
    if _INPUT.fullmatch(value):
        if field in _INPUT_DEFAULTS and value[len("$inputs."):] not in inputs:
            default = _INPUT_DEFAULTS[field]
            log.warning("%s: %s is not in inputs; using %s", field, value,
                        "the environment" if default is None else f"the block's default {default!r}")
            return _ABSENT
        return _input(field, value, inputs)
    raise ConfigurationError(
        field, f"{value!r} is only known while the workflow runs; the sink needs it at construction: "
        "bind it to $inputs.<name> and pass inputs=, or pass it as an override"
    )


def _input(field: str, selector: str, inputs: Mapping[str, Any]) -> Any:
    name = selector[len("$inputs."):]
    if name not in inputs:
        raise ConfigurationError(field, f"{selector} is not in inputs; pass inputs={{{name!r}: ...}}")
    return inputs[name]


def _media(value: Any, inputs: Mapping[str, Any], selectors: Mapping[str, str], used: set[str]) -> Any:
    if isinstance(value, str):
        return _media_item("media_url", value, inputs, selectors, used)
    if isinstance(value, Sequence):
        return [_media_item(f"media_url[{i}]", item, inputs, selectors, used) for i, item in enumerate(value)]
    return value  # the sink reports the type


def _media_item(field: str, value: Any, inputs: Mapping[str, Any], selectors: Mapping[str, str], used: set[str]) -> Any:
    if not isinstance(value, str):
        return value
    if _INPUT.fullmatch(value):
        return _input(field, value, inputs)
    step = _STEP.fullmatch(value)
    if step is None:
        return value  # a URL or a sink selector, validated by the sink
    if value in selectors:
        used.add(value)
        return selectors[value]
    if step["output"] == "image":
        return "$visualization"
    raise ConfigurationError(
        field, f"{value!r} is not an image output; map it with selectors={{{value!r}: '$frame.image'}} "
        "(raw frame) or '$visualization' (annotated frame)"
    )


def _parameter(value: Any, selectors: Mapping[str, str], used: set[str]) -> Any:
    if not isinstance(value, str) or (step := _STEP.fullmatch(value)) is None:
        return value  # a literal or a sink selector, validated by the sink
    if value in selectors:
        used.add(value)
        return selectors[value]
    return "$predictions" if step["output"] == "*" else f"$predictions.{step['output']}"


def _message(
    step: Mapping[str, Any], inputs: Mapping[str, Any], selectors: Mapping[str, str], used: set[str], label: str
) -> dict[str, Any]:
    """``message``, ``message_parameters`` and their operations, mapped."""
    message = step["message"]
    if isinstance(message, str):
        message, escapes = unescape_message(message)
        if escapes:
            log.warning(
                "step %r: message uses the documentation's escaped braces ({{ '{{' }} ... {{ '}}' }}); "
                "read as {{ $parameters.<name> }}, which is what to write", label,
            )
    parameters = step.get("message_parameters") or {}
    operations = step.get("message_parameters_operations") or {}
    if not isinstance(parameters, Mapping) or not isinstance(operations, Mapping):
        # Let the sink name the field and the type.
        return {"message": message, "message_parameters": parameters, "message_parameters_operations": operations}
    placed = {match[1] for match in PARAMETER_PATTERN.findall(message)} if isinstance(message, str) else set(parameters)
    constants: dict[str, Any] = {}
    mapped: dict[str, Any] = {}
    for name, value in parameters.items():
        if isinstance(value, str) and _INPUT.fullmatch(value):
            if name in placed:  # an unused input is never needed, so never required
                constants[name] = _input(f"message_parameters.{name}", value, inputs)
        else:
            mapped[name] = _parameter(value, selectors, used)
    if isinstance(message, str) and constants:
        message = _inline(message, constants, operations)
    inputs_only = {name for name, value in parameters.items() if name not in mapped}
    return {
        "message": message,
        "message_parameters": mapped,
        # Stray names go through: the sink validates them, then ignores them with a warning.
        "message_parameters_operations": {n: ops for n, ops in operations.items() if n not in inputs_only},
    }


def _inline(message: str, constants: Mapping[str, Any], operations: Mapping[str, Any]) -> str:
    """Write the text of each constant parameter the message uses into the message."""
    from .operations import compile_operations  # loaded only when a step needs it

    chains = {
        name: compile_operations(operations[name], field=f"message_parameters_operations.{name}")
        for name in constants
        if operations.get(name)
    }
    texts: dict[str, str] = {}

    def text(name: str) -> str:
        if name not in texts:
            value = constants[name]
            try:
                texts[name] = str(chains[name](value) if name in chains else value)
            except SmsSinkError as exc:
                raise ConfigurationError(f"message_parameters_operations.{name}", f"failed on the input value: {exc}") from exc
        return texts[name]

    return PARAMETER_PATTERN.sub(lambda m: text(m.group(2)) if m.group(2) in constants else m.group(1), message)
