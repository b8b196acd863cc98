"""``SMSNotificationSink.from_workflow_step``: the v2 block's step JSON, mapped once (sandbox)."""

from __future__ import annotations

import copy
import json
import logging
import subprocess
import sys
from datetime import datetime
from typing import Any

import numpy as np
import pytest
from streamvision.camera.entities import VideoFrame

from sms_sink import ConfigurationError, MemoryProvider, RoboflowManagedProvider, SMSNotificationSink
from sms_sink.sandbox import SandboxServer
from sms_sink.workflow_step import sink_kwargs_from_step, unescape_message
from support import RECEIVER, SENDER, detections_response

# Copied verbatim from the spec's "Example JSON definition".
SPEC_EXAMPLE = """
{
"name": "<your_step_name_here>",
"type": "roboflow_core/twilio_sms_notification@v2",
"sms_provider": "Roboflow Managed API Key",
"receiver_number": "+15551234567",
"message": "Alert! Detected {{ '{{' }} $parameters.num_detections {{ '}}' }} objects",
"message_parameters": {
"num_detections": "$steps.model.predictions",
"reference": "$inputs.reference_class_names"
},
"message_parameters_operations": {
"predictions": [
{
"property_name": "class_name",
"type": "DetectionsPropertyExtract"
}
]
},
"media_url": "$steps.visualization.image",
"twilio_account_sid": "$inputs.twilio_account_sid",
"twilio_auth_token": "$inputs.twilio_auth_token",
"sender_number": "+15551234567",
"fire_and_forget": "$inputs.fire_and_forget",
"disable_sink": false,
"cooldown_seconds": "$inputs.cooldown_seconds"
}
"""
SPEC_INPUTS = {
    "reference_class_names": ["car", "person"],
    "twilio_account_sid": SandboxServer.DEFAULT_ACCOUNT_SID,
    "twilio_auth_token": SandboxServer.DEFAULT_AUTH_TOKEN,
    "fire_and_forget": False,
    "cooldown_seconds": 5,
}
BASE = {"type": "roboflow_core/twilio_sms_notification@v2", "receiver_number": RECEIVER, "message": "alert"}


def frame(source_id: int = 0) -> VideoFrame:
    return VideoFrame(image=np.zeros((240, 320, 3), np.uint8), frame_id=1, frame_timestamp=datetime(2026, 1, 1),
                      source_id=source_id)


def kwargs(step: dict[str, Any] | None = None, **options: Any) -> dict[str, Any]:
    return sink_kwargs_from_step(BASE | (step or {}), **options)


def test_spec_example_verbatim_sends_through_the_sandbox(sandbox: SandboxServer,
                                                         caplog: pytest.LogCaptureFixture) -> None:
    provider = RoboflowManagedProvider(SandboxServer.DEFAULT_API_KEY, base_url=sandbox.url)
    response = detections_response(1)
    with caplog.at_level(logging.WARNING, logger="sms_sink"):
        sink = SMSNotificationSink.from_workflow_step(json.loads(SPEC_EXAMPLE), inputs=SPEC_INPUTS, provider=provider)
    with sink:
        sink(response, frame(source_id=3))
        status = sink.status(3)  # fire_and_forget comes from the inputs: False, so the outcome is known
        sink(response, frame(source_id=3))
        throttled = sink.status(3)
    assert status == {"error_status": False, "throttling_status": False,
                      "message": "Notification sent successfully via Roboflow proxy"}
    assert throttled["throttling_status"] is True  # cooldown_seconds=5 from the inputs
    [message] = sandbox.messages
    assert message.body == f"Alert! Detected {response['predictions']} objects"
    assert message.to == "+15551234567" and message.num_media == 1  # $steps.visualization.image: the annotated frame
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 2
    assert "escaped braces" in warnings[0] and "operations.predictions ignored" in warnings[1]


def test_spec_example_without_inputs_uses_the_environment_and_the_blocks_defaults(
        sandbox: SandboxServer, caplog: pytest.LogCaptureFixture) -> None:
    """A managed-provider user need not invent Twilio credentials or unused inputs."""
    provider = RoboflowManagedProvider(SandboxServer.DEFAULT_API_KEY, base_url=sandbox.url)
    with caplog.at_level(logging.WARNING, logger="sms_sink"):
        with SMSNotificationSink.from_workflow_step(json.loads(SPEC_EXAMPLE), provider=provider) as sink:
            sink(detections_response(2), frame(source_id=1))
            assert sink.status(1)["message"] == "Notification sent in the background task"  # fire_and_forget=True
    assert len(sandbox.messages) == 1
    assert "cooldown_seconds: $inputs.cooldown_seconds is not in inputs; using the block's default 5" in caplog.text


def test_spec_example_maps_every_field() -> None:
    mapped = sink_kwargs_from_step(json.loads(SPEC_EXAMPLE), inputs=SPEC_INPUTS)
    assert mapped == {
        "sms_provider": "Roboflow Managed API Key",
        "receiver_number": "+15551234567",
        "message": "Alert! Detected {{ $parameters.num_detections }} objects",
        "message_parameters": {"num_detections": "$predictions.predictions"},
        "message_parameters_operations": {
            "predictions": [{"property_name": "class_name", "type": "DetectionsPropertyExtract"}],
        },
        "media_url": "$visualization",
        "twilio_account_sid": SandboxServer.DEFAULT_ACCOUNT_SID,
        "twilio_auth_token": SandboxServer.DEFAULT_AUTH_TOKEN,
        "sender_number": "+15551234567",
        "fire_and_forget": False,
        "disable_sink": False,
        "cooldown_seconds": 5,
    }


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("Alert! {{ '{{' }} $parameters.n {{ '}}' }} objects", "Alert! {{ $parameters.n }} objects"),
        ('{{"{{"}}$parameters.n{{"}}"}} and {{ \'{{\' }} $parameters.m {{ \'}}\' }}',
         "{{$parameters.n}} and {{ $parameters.m }}"),
    ],
)
def test_doc_escaped_message_is_unescaped_with_one_warning(message: str, expected: str,
                                                           caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="sms_sink.workflow_step"):
        mapped = kwargs({"message": message, "name": "gate"})
    assert mapped["message"] == expected
    assert [r.levelno for r in caplog.records] == [logging.WARNING]
    assert "'gate'" in caplog.records[0].getMessage()


def test_plain_message_is_left_alone(caplog: pytest.LogCaptureFixture) -> None:
    message = "{{ $parameters.n }} cars; literal {{ '{{' braces"
    assert unescape_message(message) == (message, 0)
    assert kwargs({"message": message})["message"] == message
    assert caplog.records == []


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("receiver_number", "+15550001111"),
        ("twilio_account_sid", "AC" + "1" * 32),
        ("twilio_auth_token", "token"),
        ("sender_number", SENDER),
        ("fire_and_forget", False),
        ("disable_sink", True),
        ("cooldown_seconds", 2.5),
    ],
)
def test_inputs_resolve_bound_fields(field: str, value: Any) -> None:
    assert kwargs({field: "$inputs.x"}, inputs={"x": value})[field] == value


@pytest.mark.parametrize(
    ("media_url", "inputs", "selectors", "expected"),
    [
        ("$steps.visualization.image", {}, None, "$visualization"),
        ("$steps.bounding_box_visualization.image", {}, None, "$visualization"),
        ("$steps.viz.image", {}, {"$steps.viz.image": "$frame.image"}, "$frame.image"),
        ("$inputs.url", {"url": "https://example.com/a.jpg"}, None, "https://example.com/a.jpg"),
        (["https://example.com/a.jpg", "$steps.viz.image"], {}, None, ["https://example.com/a.jpg", "$visualization"]),
    ],
)
def test_media_url_mapping(media_url: Any, inputs: dict[str, Any], selectors: dict[str, str] | None,
                           expected: Any) -> None:
    assert kwargs({"media_url": media_url}, inputs=inputs, selectors=selectors)["media_url"] == expected


@pytest.mark.parametrize(
    ("selector", "selectors", "expected"),
    [
        ("$steps.model.predictions", None, "$predictions.predictions"),
        ("$steps.counter.count_in", None, "$predictions.count_in"),
        ("$steps.model.*", None, "$predictions"),
        ("$steps.model.predictions", {"$steps.model.predictions": "$predictions"}, "$predictions"),
        ("$steps.model.predictions", {"$steps.model.predictions": "$frame.source_id"}, "$frame.source_id"),
        ("$predictions.custom", None, "$predictions.custom"),
        ("literal", None, "literal"),
    ],
)
def test_step_selectors_map_to_sink_selectors(selector: str, selectors: dict[str, str] | None, expected: str) -> None:
    step = {"message": "{{ $parameters.p }}", "message_parameters": {"p": selector}}
    assert kwargs(step, selectors=selectors)["message_parameters"] == {"p": expected}


def test_selector_mapping_renders_through_the_sink() -> None:
    provider = MemoryProvider()
    step = {"message": "{{ $parameters.n }} objects on camera {{ $parameters.cam }}",
            "message_parameters": {"n": "$steps.model.predictions", "cam": "$steps.meta.camera"},
            "message_parameters_operations": {"n": [{"type": "SequenceLength"}]}}
    with SMSNotificationSink.from_workflow_step(BASE | step, selectors={"$steps.meta.camera": "$frame.source_id"},
                                                provider=provider) as sink:
        sink(detections_response(3), frame(source_id=7))
    assert [m.body for m in provider.sent] == ["3 objects on camera 7"]


@pytest.mark.parametrize(
    ("value", "operations", "message", "expected"),
    [
        ("gate 3", [{"type": "StringToUpperCase"}], "at {{ $parameters.p }}!", "at GATE 3!"),
        (["car", "person"], [{"type": "SequenceLength"}], "{{ $parameters.p }} classes", "2 classes"),
        (["car", "person"], [], "watching {{ $parameters.p }}", "watching ['car', 'person']"),
        ("$5 off", [], "{{ $parameters.p }} / {{$parameters.p}}", "$5 off / $5 off"),
        (3, [{"type": "Multiply", "other": 2}], "{{ $parameters.p }} {{ $parameters.other }}", "6 {{ $parameters.other }}"),
    ],
)
def test_input_parameters_are_written_into_the_message(value: Any, operations: list[dict[str, Any]], message: str,
                                                       expected: str) -> None:
    step = {"message": message, "message_parameters": {"p": "$inputs.x"},
            "message_parameters_operations": {"p": operations}}
    mapped = kwargs(step, inputs={"x": value})
    assert mapped["message"] == expected
    assert mapped["message_parameters"] == {} and mapped["message_parameters_operations"] == {}


def test_unused_input_parameter_is_not_evaluated() -> None:
    step = {"message": "{{ $parameters.n }}", "message_parameters": {"n": "$steps.m.x", "unused": "$inputs.x"},
            "message_parameters_operations": {"unused": [{"type": "ToNumber", "cast_to": "int"}]}}
    assert kwargs(step, inputs={"x": "not a number"})["message"] == "{{ $parameters.n }}"


def test_operations_for_unknown_names_are_validated_then_ignored(caplog: pytest.LogCaptureFixture) -> None:
    step = BASE | {"message": "{{ $parameters.n }}", "message_parameters": {"n": "$steps.m.predictions"},
                   "message_parameters_operations": {"n": [{"type": "SequenceLength"}], "typo": [{"type": "ToString"}]}}
    with caplog.at_level(logging.WARNING, logger="sms_sink"):
        SMSNotificationSink.from_workflow_step(step, provider=MemoryProvider()).close()
    assert "message_parameters_operations.typo ignored" in caplog.text
    step["message_parameters_operations"]["typo"] = [{"type": "Nope"}]
    with pytest.raises(ConfigurationError, match=r"message_parameters_operations\.typo\[0\]"):
        SMSNotificationSink.from_workflow_step(step, provider=MemoryProvider())


def test_an_input_parameter_the_message_does_not_use_is_not_required() -> None:
    step = {"message": "{{ $parameters.n }}", "message_parameters": {"n": "$steps.m.predictions", "ref": "$inputs.ref"}}
    assert kwargs(step)["message_parameters"] == {"n": "$predictions.predictions"}


def test_overrides_win_over_the_step() -> None:
    step = {"message": "from step", "cooldown_seconds": "$inputs.missing", "twilio_auth_token": "$inputs.missing"}
    mapped = kwargs(step, overrides={"message": "from override", "cooldown_seconds": 1,
                                     "twilio_auth_token": "t", "cooldown_clock": "video"})
    assert (mapped["message"], mapped["cooldown_seconds"], mapped["cooldown_clock"]) == ("from override", 1, "video")


@pytest.mark.parametrize(
    ("step", "options", "field", "needle"),
    [
        ({"type": "roboflow_core/twilio_sms_notification@v1"}, {}, "type", "twilio_sms_notification@v2"),
        ({"type": "TwilioSMSNotificationV2"}, {}, "type", "got 'TwilioSMSNotificationV2'"),
        ({"type": None}, {}, "type", "got None"),
        ({"sms_provder": "Custom Twilio"}, {}, "sms_provder", "not a field"),
        ({"receiver_number": "$inputs.phone"}, {}, "receiver_number", "$inputs.phone is not in inputs"),
        ({"receiver_number": "$inputs.to"}, {"inputs": {"other": 1}}, "receiver_number", "inputs={'to'"),
        ({"message": "{{ $parameters.p }}", "message_parameters": {"p": "$inputs.site"}}, {},
         "message_parameters.p", "$inputs.site"),
        ({"media_url": "$inputs.url"}, {}, "media_url", "$inputs.url"),
        ({"media_url": "$steps.model.predictions"}, {}, "media_url", "not an image output"),
        ({"receiver_number": "$steps.lookup.phone"}, {}, "receiver_number", "only known while the workflow runs"),
        ({"name": 3}, {}, "name", "expected a str"),
        ({}, {"selectors": {"$steps.unused.x": "$predictions"}}, "selectors", "not used by the step"),
        ({}, {"selectors": {"predictions": "$predictions"}}, "selectors", "keys are step outputs"),
        ({}, {"selectors": {"$steps.m.x": "predictions"}}, "selectors['$steps.m.x']", "sink selector"),
        ({}, {"overrides": {"no_such_setting": 1}}, "no_such_setting", "not an SMSNotificationSink setting"),
        ({}, {"inputs": ["x"]}, "inputs", "expected a dict"),
        ({"message_parameters_operations": {"p": [{"type": "NoSuchOp"}]},
          "message": "{{ $parameters.p }}", "message_parameters": {"p": "$inputs.x"}},
         {"inputs": {"x": 1}}, "message_parameters_operations.p[0]", "NoSuchOp"),
        ({"message_parameters_operations": {"p": [{"type": "ToNumber", "cast_to": "int"}]},
          "message": "{{ $parameters.p }}", "message_parameters": {"p": "$inputs.x"}},
         {"inputs": {"x": "abc"}}, "message_parameters_operations.p", "failed on the input value"),
    ],
)
def test_errors_name_the_field(step: dict[str, Any], options: dict[str, Any], field: str, needle: str) -> None:
    with pytest.raises(ConfigurationError) as raised:
        kwargs(step, **options)
    assert raised.value.field == field
    assert needle in str(raised.value)


@pytest.mark.parametrize("missing", ["receiver_number", "message"])
def test_required_fields(missing: str) -> None:
    step = {k: v for k, v in BASE.items() if k != missing}
    with pytest.raises(ConfigurationError) as raised:
        sink_kwargs_from_step(step)
    assert raised.value.field == missing


def test_not_a_dict() -> None:
    with pytest.raises(ConfigurationError) as raised:
        sink_kwargs_from_step(json.dumps(BASE))  # type: ignore[arg-type]
    assert raised.value.field == "step"


def test_step_is_not_modified() -> None:
    step = json.loads(SPEC_EXAMPLE)
    before = copy.deepcopy(step)
    sink_kwargs_from_step(step, inputs=SPEC_INPUTS)
    assert step == before


def test_credentials_from_inputs_stay_out_of_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TWILIO_PHONE_NUMBER", raising=False)
    secret = "s3cr3t-token-value"
    step = {"sms_provider": "Custom Twilio", "twilio_account_sid": "$inputs.sid", "twilio_auth_token": "$inputs.token"}
    with pytest.raises(ConfigurationError) as raised:
        SMSNotificationSink.from_workflow_step(BASE | step, inputs={"sid": SandboxServer.DEFAULT_ACCOUNT_SID, "token": secret})
    assert raised.value.field == "sender_number"
    assert secret not in str(raised.value) and secret not in repr(raised.value)


def test_importing_sms_sink_loads_neither_torch_nor_inference() -> None:
    code = ("import sys, sms_sink, sms_sink.workflow_step; "
            "print(sorted(m for m in ('torch', 'inference', 'sms_sink.workflows') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_workflows_plugin_needs_the_inference_extra() -> None:
    if subprocess.run([sys.executable, "-c", "import inference"], capture_output=True).returncode == 0:
        pytest.skip("inference is installed here; tests/compat covers the plugin")
    result = subprocess.run([sys.executable, "-c", "import sms_sink.workflows"], capture_output=True, text=True)
    assert result.returncode != 0
    assert "pip install 'sms-sink[inference]'" in result.stderr
