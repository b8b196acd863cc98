"""MessageTemplate: placeholders, truncation, snapshots and operations."""

from __future__ import annotations

import logging

import re
import sys
import threading
import types
from datetime import datetime
from typing import Any, Callable, Mapping, Sequence

import numpy as np
import pytest
import supervision as sv
from hypothesis import given, settings
from hypothesis import strategies as st
from streamvision.camera.entities import VideoFrame

from sms_sink.errors import ConfigurationError, SmsSinkError
from sms_sink.segments import count_segments, encoding
from sms_sink.template import MessageTemplate, RenderedText, isolate

PREDICTIONS: dict[str, Any] = {
    "image": {"width": 640, "height": 480},
    "predictions": [
        {"x": 10.0, "y": 10.0, "width": 4.0, "height": 4.0, "class": "dog", "class_id": 0,
         "confidence": 0.9},
        {"x": 30.0, "y": 30.0, "width": 4.0, "height": 4.0, "class": "cat", "class_id": 1,
         "confidence": 0.8},
    ],
}  # fmt: skip


def render(message: str, parameters: Mapping[str, Any] | None = None, **kwargs: Any) -> RenderedText:
    template = MessageTemplate(message, parameters, **kwargs)
    return template.render(template.snapshot(PREDICTIONS, None))


def make_frame(frame_id: int = 1) -> VideoFrame:
    return VideoFrame(
        image=np.zeros((4, 6, 3), dtype=np.uint8),
        frame_id=frame_id,
        frame_timestamp=datetime(2026, 8, 1, 9, 0, 0),
        source_id=0,
    )


@pytest.mark.parametrize(
    ("message", "parameters", "expected"),
    [
        ("{{$parameters.a}}", {"a": 1}, "1"),
        ("{{ $parameters.a }}", {"a": 1}, "1"),
        ("{{  $parameters.a  }}", {"a": 1}, "1"),
        ("{{\t$parameters.a\n}}", {"a": 1}, "1"),
        ("{{ $parameters.a }}+{{$parameters.a}}={{ $parameters.a }}", {"a": 2}, "2+2=2"),
        ("{{ $parameters.a_1 }} {{ $parameters.B2 }}", {"a_1": "x", "B2": "y"}, "x y"),
        ("{{ $parameters.2 }}", {"2": "two"}, "two"),
        ("hi {{ $parameters.b }}!", {"a": 1}, "hi {{ $parameters.b }}!"),  # unknown stays
        ("{{ $parameters.ab }}", {"a": 1}, "{{ $parameters.ab }}"),  # no prefix match
        ("{{ $parameters.a.b }}", {"a": 1}, "{{ $parameters.a.b }}"),
        ("{ $parameters.a }", {"a": 1}, "{ $parameters.a }"),
        ("{{ $ parameters.a }}", {"a": 1}, "{{ $ parameters.a }}"),
        ("{{ $Parameters.a }}", {"a": 1}, "{{ $Parameters.a }}"),
        ("{{{ $parameters.a }}}", {"a": 1}, "{1}"),
        ("{{ $parameters.a }}", {"a": None}, "None"),
        ("{{ $parameters.a }}/{{ $parameters.b }}", {"a": True, "b": 0.5}, "True/0.5"),
        ("{{ $parameters.a }}", {"a": ""}, ""),
        ("no placeholders", {"a": 1}, "no placeholders"),
        ("", None, ""),
        # The block's str.replace per parameter, in order: a value holding a later
        # parameter's placeholder is expanded too; an earlier one's is not.
        ("{{ $parameters.a }} {{ $parameters.b }}", {"a": "{{ $parameters.b }}", "b": 2}, "2 2"),
        ("{{ $parameters.a }} {{ $parameters.b }}", {"a": 1, "b": "{{ $parameters.a }}"},
         "1 {{ $parameters.a }}"),
        ("{{$parameters.a}} and {{ $parameters.a }}", {"a": "x"}, "x and x"),
        ("{{ $parameters.cls }} on camera {{ $parameters.cam }}",
         {"cls": "$predictions.predictions.1.class", "cam": "$predictions.image.width"},
         "cat on camera 640"),
    ],
)  # fmt: skip
def test_placeholders(message: str, parameters: dict[str, Any] | None, expected: str) -> None:
    assert render(message, parameters).text == expected


@pytest.mark.parametrize(
    ("length", "needs_mms", "truncated"),
    [(0, False, False), (160, False, False), (161, True, False), (1600, True, False),
     (1601, True, True), (5000, True, True)],
)  # fmt: skip
def test_length_limits(length: int, needs_mms: bool, truncated: bool) -> None:
    body = "".join(chr(ord("a") + i % 26) for i in range(length))
    rendered = render(body)
    assert (rendered.needs_mms, rendered.truncated) == (needs_mms, truncated)
    if truncated:
        assert len(rendered.text) == 1600
        assert rendered.text == body[:1594] + " [...]"
    else:
        assert rendered.text == body


def test_truncation_applies_to_the_rendered_text() -> None:
    rendered = render("{{ $parameters.a }}{{ $parameters.a }}", {"a": "é" * 900})
    assert rendered.truncated and rendered.needs_mms
    assert rendered.text == "é" * 1594 + " [...]"
    assert (rendered.encoding, rendered.segments) == ("GSM-7", 11)


@pytest.mark.parametrize(
    ("text", "expected_encoding", "expected_segments"),
    [("a" * 161, "GSM-7", 2), ("ê" * 71, "UCS-2", 2), ("", "GSM-7", 0), ("€" * 80, "GSM-7", 1)],
)
def test_rendered_text_reports_segments(
    text: str, expected_encoding: str, expected_segments: int
) -> None:
    rendered = render("{{ $parameters.t }}", {"t": text})
    assert (rendered.encoding, rendered.segments) == (expected_encoding, expected_segments)


def test_snapshot_is_isolated_from_later_mutation() -> None:
    predictions = isolate(PREDICTIONS)
    detections = sv.Detections(xyxy=np.zeros((2, 4)), confidence=np.array([0.25, 0.5]))
    frame = make_frame(frame_id=5)
    template = MessageTemplate(
        "{{ $parameters.first }}|{{ $parameters.all }}|{{ $parameters.pixel }}|"
        "{{ $parameters.conf }}|{{ $parameters.id }}",
        {
            "first": "$predictions.predictions.0.class",
            "all": "$predictions.predictions",
            "pixel": "$frame.image.0.0",
            "conf": "$predictions.confidence",
            "id": "$frame.frame_id",
        },
    )
    snap_dict = template.snapshot(predictions, frame)
    snap_detections = template.snapshot(detections, frame)
    expected = template.render(snap_dict).text

    predictions["predictions"][0]["class"] = "wolf"
    predictions["predictions"].append({"class": "new"})
    frame.image[:] = 255
    detections.confidence[:] = 0.0

    assert template.render(snap_dict).text == expected
    assert "wolf" not in expected and "new" not in expected and "[0 0 0]" in expected
    assert "[0.25 0.5 ]" in template.render(snap_detections).text


def test_literal_only_template_shares_one_snapshot_and_render() -> None:
    template = MessageTemplate("{{ $parameters.a }} and {{ $parameters.b }}", {"a": 1, "b": "x"})
    first = template.snapshot(PREDICTIONS, None)
    assert template.snapshot({"other": 1}, make_frame()) is first
    assert template.render(first) is template.render(first)
    assert template.render(first).text == "1 and x"


def test_parameters_with_one_selector_share_one_copy() -> None:
    template = MessageTemplate(
        "{{ $parameters.a }} {{ $parameters.b }}", {"a": "$predictions", "b": "$predictions"}
    )
    values = template.snapshot(PREDICTIONS, None).values
    assert values["a"] is values["b"]
    assert values["a"] == PREDICTIONS and values["a"] is not PREDICTIONS


def test_only_used_parameters_are_resolved() -> None:
    template = MessageTemplate(
        "{{ $parameters.b }} {{ $parameters.a }} {{ $parameters.b }} {{ $parameters.zz }}",
        {"a": "$predictions.image", "b": 2, "unused": "$frame.image"},
    )
    assert template.parameter_names == ("b", "a")
    assert set(template.snapshot(PREDICTIONS, None).values) == {"a", "b"}
    assert not template.uses_frame_image


@pytest.mark.parametrize(
    ("selector", "uses_image"),
    [("$frame", True), ("$frame.image", True), ("$frame.frame_id", False), ("$predictions", False),
     ("plain", False)],
)  # fmt: skip
def test_uses_frame_image(selector: str, uses_image: bool) -> None:
    template = MessageTemplate("{{ $parameters.p }}", {"p": selector})
    assert template.uses_frame_image is uses_image


def test_frame_selectors_render() -> None:
    template = MessageTemplate(
        "frame {{ $parameters.id }} at {{ $parameters.ts }}",
        {"id": "$frame.frame_id", "ts": "$frame.frame_timestamp"},
    )
    assert template.render(template.snapshot({}, make_frame(9))).text == (
        "frame 9 at 2026-08-01 09:00:00"
    )


def test_uncopyable_value_names_the_parameter() -> None:
    template = MessageTemplate("{{ $parameters.p }}", {"p": "$predictions.lock"})
    with pytest.raises(SmsSinkError, match=r"message_parameters\.p: cannot copy the"):
        template.snapshot({"lock": threading.Lock()}, None)


@pytest.mark.parametrize(
    ("kwargs", "field", "fragment"),
    [
        ({"message": None}, "message", "must be a str, got NoneType"),
        ({"message": b"hi"}, "message", "got bytes"),
        ({"message": "x", "message_parameters": [("a", 1)]}, "message_parameters", "mapping"),
        ({"message": "x", "message_parameters": {"a": "$steps.m.predictions"}},
         "message_parameters.a", "workflow selector"),
        # Operations for a name that is not a parameter are ignored, but still validated.
        ({"message": "x", "message_parameters_operations": {"a": [{"type": "Bogus"}]}},
         "message_parameters_operations.a[0]", "Bogus"),
        ({"message": "x", "message_parameters_operations": [{"type": "SequenceLength"}]},
         "message_parameters_operations", "mapping"),
        ({"message": "x", "message_parameters": {"a": 1},
          "message_parameters_operations": {"a": "SequenceLength"}},
         "message_parameters_operations.a", "list of operation specs"),
        ({"message": "x", "message_parameters": {"a": 1},
          "message_parameters_operations": {"a": {"type": "SequenceLength"}}},
         "message_parameters_operations.a", "list of operation specs"),
    ],
)  # fmt: skip
def test_configuration_errors_name_the_field(
    kwargs: dict[str, Any], field: str, fragment: str
) -> None:
    with pytest.raises(ConfigurationError) as caught:
        MessageTemplate(**kwargs)
    assert caught.value.field == field
    assert fragment in str(caught.value)


def test_operations_for_an_unknown_parameter_are_ignored_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The spec's own example keys its operations by ``predictions``, not by a parameter."""
    with caplog.at_level(logging.WARNING, logger="sms_sink"):
        rendered = render("{{ $parameters.num_detections }} objects", {"num_detections": "3"},
                          message_parameters_operations={"predictions": [{"type": "SequenceLength"}]})
    assert rendered.text == "3 objects"
    assert "message_parameters_operations.predictions ignored" in caplog.text and "'num_detections'" in caplog.text


def test_empty_operation_list_is_identity() -> None:
    assert render("{{ $parameters.a }}", {"a": 3}, message_parameters_operations={"a": []}).text == "3"


# --- wiring of operations, with a stand-in for sms_sink.operations --------------------------

def _fail_named(value: Any) -> Any:
    raise SmsSinkError("ops.x[0] (FailNamed): no")


FAKE_OPERATIONS: dict[str, Callable[[Any], Any]] = {
    "Upper": lambda value: value.upper(),
    "Len": len,
    "TypeName": lambda value: type(value).__name__,
    "Fail": lambda value: 1 / 0,
    "FailNamed": _fail_named,
}


@pytest.fixture
def fake_operations(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Install a tiny ``sms_sink.operations``; returns the log of compiled fields."""
    compiled: list[str] = []

    def compile_operations(specs: Sequence[Mapping[str, Any]], *, field: str) -> Callable[[Any], Any]:
        steps = []
        for index, spec in enumerate(specs):
            if spec.get("type") not in FAKE_OPERATIONS:
                raise ConfigurationError(f"{field}[{index}].type", f"unknown {spec.get('type')!r}")
            steps.append(FAKE_OPERATIONS[spec["type"]])
        compiled.append(field)

        def chain(value: Any) -> Any:
            for step in steps:
                value = step(value)
            return value

        return chain

    module = types.ModuleType("sms_sink.operations")
    module.compile_operations = compile_operations  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "sms_sink.operations", module)
    return compiled


def test_operations_run_at_render_on_the_snapshot(fake_operations: list[str]) -> None:
    template = MessageTemplate(
        "{{ $parameters.cls }} x{{ $parameters.n }}",
        {"cls": "$predictions.predictions.0.class", "n": "$predictions.predictions"},
        {"cls": [{"type": "Upper"}], "n": [{"type": "Len"}]},
    )
    predictions = isolate(PREDICTIONS)
    snapshot = template.snapshot(predictions, None)
    assert snapshot.values["cls"] == "dog"  # raw value: operations have not run yet
    predictions["predictions"].clear()
    assert template.render(snapshot).text == "DOG x2"


def test_all_operations_are_validated_even_for_unused_parameters(fake_operations: list[str]) -> None:
    with pytest.raises(ConfigurationError) as caught:
        MessageTemplate("nothing used", {"a": 1}, {"a": [{"type": "Upper"}, {"type": "Nope"}]})
    assert caught.value.field == "message_parameters_operations.a[1].type"


def test_unused_operations_are_compiled_but_not_run(fake_operations: list[str]) -> None:
    template = MessageTemplate(
        "{{ $parameters.a }}", {"a": "x", "b": 1}, {"a": [{"type": "Upper"}], "b": [{"type": "Fail"}]}
    )
    assert sorted(fake_operations) == [
        "message_parameters_operations.a",
        "message_parameters_operations.b",
    ]
    assert template.render(template.snapshot(None, None)).text == "X"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (PREDICTIONS, "Detections"),  # a Roboflow response reaches operations as detections
        (PREDICTIONS["predictions"], "Detections"),
        ({"a": 1}, "dict"),
        ("text", "str"),
    ],
)
def test_operations_see_detections_like_values_as_detections(
    fake_operations: list[str], value: Any, expected: str
) -> None:
    template = MessageTemplate("{{ $parameters.v }}", {"v": "$predictions"}, {"v": [{"type": "TypeName"}]})
    assert template.render(template.snapshot(value, None)).text == expected


@pytest.mark.parametrize(
    ("operation", "pattern"),
    [
        ("Fail", r"^message_parameters\.v: operations failed: ZeroDivisionError"),
        ("FailNamed", r"^ops\.x\[0\] \(FailNamed\): no$"),  # already named: passed through
    ],
)
def test_operation_failures_raise_sms_sink_error(
    fake_operations: list[str], operation: str, pattern: str
) -> None:
    template = MessageTemplate("{{ $parameters.v }}", {"v": 1}, {"v": [{"type": operation}]})
    with pytest.raises(SmsSinkError, match=pattern) as caught:
        template.render(template.snapshot(None, None))
    assert not isinstance(caught.value, ConfigurationError)


def test_str_failure_names_the_parameter() -> None:
    class Unprintable:
        def __str__(self) -> str:
            raise RuntimeError("no text")

    template = MessageTemplate("{{ $parameters.v }}", {"v": "$predictions"})
    with pytest.raises(SmsSinkError, match=r"message_parameters\.v: str\(\) of Unprintable failed"):
        template.render(template.snapshot(Unprintable(), None))


# --- the real operations package -------------------------------------------------------------


@pytest.mark.parametrize(
    ("parameter", "operations", "expected"),
    [
        ("$predictions.predictions", [{"type": "SequenceLength"}], "2"),
        ("$predictions", [{"type": "SequenceLength"}], "2"),
        ("$predictions", [{"type": "DetectionsPropertyExtract", "property_name": "class_name"}],
         "['dog', 'cat']"),
        ("$predictions.predictions.0.class", [{"type": "StringToUpperCase"}], "DOG"),
    ],
)  # fmt: skip
def test_real_operations(parameter: str, operations: list[dict[str, Any]], expected: str) -> None:
    pytest.importorskip("sms_sink.operations")
    template = MessageTemplate("{{ $parameters.p }}", {"p": parameter}, {"p": operations})
    assert template.render(template.snapshot(PREDICTIONS, None)).text == expected


def test_real_operations_reject_unknown_types() -> None:
    pytest.importorskip("sms_sink.operations")
    with pytest.raises(ConfigurationError) as caught:
        MessageTemplate("x", {"p": 1}, {"p": [{"type": "NoSuchOperation"}]})
    assert caught.value.field.startswith("message_parameters_operations.p")


# --- isolate -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        {"a": [1, {"b": (2, [3])}], "c": datetime(2026, 1, 1)},
        [np.arange(3), np.array([{"k": 1}], dtype=object)],
        sv.Detections(xyxy=np.ones((1, 4)), data={"class_name": np.array(["dog"])}),
        make_frame(),
    ],
    ids=["nested", "arrays", "detections", "frame"],
)
def test_isolate_copies_every_mutable_level(value: Any) -> None:
    copied = isolate(value)
    originals, copies = _mutables(value), _mutables(copied)
    assert len(originals) == len(copies) > 0
    assert all(a is not b for a, b in zip(originals, copies))


def test_isolate_falls_back_to_deepcopy_for_cycles() -> None:
    cyclic: list[Any] = [1]
    cyclic.append(cyclic)
    copied = isolate(cyclic)
    assert copied is not cyclic and copied[1] is copied


def _mutables(value: Any) -> list[Any]:
    """Every dict, list, array and dataclass reachable from ``value``."""
    found: list[Any] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            found.append(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            found.append(item)
            stack.extend(item)
        elif isinstance(item, tuple):
            stack.extend(item)
        elif isinstance(item, np.ndarray):
            found.append(item)
            if item.dtype == object:
                stack.extend(item.tolist())
        elif isinstance(item, (sv.Detections, VideoFrame)):
            found.append(item)
            stack.extend(vars(item).values())
    return found


# --- properties ------------------------------------------------------------------------------

NAMES = st.text(alphabet="abcxyz_019", min_size=1, max_size=4)
LITERALS = st.one_of(
    st.text(max_size=300).filter(lambda text: not text.startswith("$")),
    st.integers(),
    st.floats(),
    st.booleans(),
    st.none(),
)
PATTERN = re.compile(r"({{\s*\$parameters\.(\w+)\s*}})")


@st.composite
def templates(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    parameters = draw(st.dictionaries(NAMES, LITERALS, max_size=4))
    names = st.sampled_from(sorted(parameters) + ["unknown"])
    placeholder = st.builds(lambda n, pad: "{{" + pad + "$parameters." + n + pad + "}}", names,
                            st.sampled_from(["", " ", "  "]))  # fmt: skip
    pieces = draw(st.lists(st.one_of(st.text(max_size=200), placeholder), max_size=12))
    return "".join(pieces), parameters


@settings(deadline=None)  # shared 2-core machine: no per-example timing
@given(templates())
def test_render_matches_single_pass_substitution(case: tuple[str, dict[str, Any]]) -> None:
    message, parameters = case
    rendered = render(message, parameters)
    expected = PATTERN.sub(
        lambda m: str(parameters[m[2]]) if m[2] in parameters else m[1], message
    )
    assert rendered.needs_mms == (len(expected) > 160)
    assert len(rendered.text) <= 1600
    assert rendered.text == (expected if len(expected) <= 1600 else expected[:1594] + " [...]")
    assert rendered.segments == count_segments(rendered.text)
    assert rendered.encoding == encoding(rendered.text)


@settings(deadline=None)  # shared 2-core machine: no per-example timing
@given(st.text(max_size=2000).filter(lambda text: "{{" not in text), st.dictionaries(NAMES, LITERALS))
def test_text_without_placeholders_is_unchanged(text: str, parameters: dict[str, Any]) -> None:
    rendered = render(text, parameters)
    if len(text) <= 1600:
        assert rendered.text == text and not rendered.truncated
    else:
        assert len(rendered.text) == 1600 and rendered.truncated
