"""The reference ``TwilioSMSNotificationBlockV2`` and our sink, given the same step JSON and
inputs, render the same message text.

The reference runs in the real execution engine, behind a ``roboflow_core/property_definition``
step named ``model`` that passes detections through (a stand-in for a model: no weights),
with a platform client that records the Roboflow proxy payload instead of sending it. Our
sink is built by ``SMSNotificationSink.from_workflow_step`` from the same step (``$steps.model.output``
maps to ``$predictions.output``), called with the same detections, and sends to the sandbox.
"""

from __future__ import annotations

import copy
from datetime import datetime
from typing import Any

import numpy as np
import pytest
import supervision as sv
from inference.core.workflows.execution_engine.core import ExecutionEngine
from streamvision.camera.entities import VideoFrame

from sms_sink import RoboflowManagedProvider, SMSNotificationSink
from sms_sink.sandbox import SandboxServer
from support import RECEIVER

pytestmark = pytest.mark.compat

REFERENCE_TYPE = "roboflow_core/twilio_sms_notification@v2"


class RecordingPlatformClient:
    """The reference block's port to the Roboflow API, recording each proxy payload."""

    def __init__(self) -> None:
        self.payloads: list[dict[str, Any]] = []

    def post(self, endpoint: str, api_key: str | None, payload: dict | None = None, params: Any = None,
             http_errors_handlers: Any = None) -> dict:
        assert endpoint == "apiproxy/twilio"
        self.payloads.append(payload or {})
        return {}


def detections() -> sv.Detections:
    return sv.Detections(
        xyxy=np.array([[10.0, 20.0, 50.0, 80.0], [60.0, 10.0, 90.0, 40.0], [5.0, 5.0, 300.0, 200.0]]),
        confidence=np.array([0.913, 0.35, 0.6]),
        class_id=np.array([0, 1, 0]),
        data={"class_name": np.array(["car", "person", "car"])},
    )


def step(message: str, parameters: dict[str, Any], operations: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "name": "sms", "type": REFERENCE_TYPE, "receiver_number": RECEIVER, "message": message,
        "message_parameters": parameters, "message_parameters_operations": operations or {},
        "fire_and_forget": False, "cooldown_seconds": 0,
    }  # fmt: skip


def reference_text(step_json: dict[str, Any], inputs: dict[str, Any]) -> str:
    workflow = {
        "version": "1.0",
        "inputs": [{"type": "WorkflowBatchInput", "name": "detections", "kind": ["object_detection_prediction"]}]
        + [{"type": "WorkflowParameter", "name": name} for name in inputs],
        "steps": [
            {"type": "roboflow_core/property_definition@v1", "name": "model", "data": "$inputs.detections", "operations": []},
            step_json,
        ],
        "outputs": [{"type": "JsonField", "name": "status", "selector": "$steps.sms.*"}],
    }
    client = RecordingPlatformClient()
    engine = ExecutionEngine.init(
        workflow_definition=workflow,
        init_parameters={"workflows_core.platform_client": client, "workflows_core.api_key": "key"},
    )
    result = engine.run(runtime_parameters={"detections": [detections()], **inputs})
    assert result[0]["status"]["error_status"] is False, result
    [payload] = client.payloads
    return payload["message"]


def our_text(step_json: dict[str, Any], inputs: dict[str, Any], sandbox: SandboxServer) -> str:
    provider = RoboflowManagedProvider(SandboxServer.DEFAULT_API_KEY, base_url=sandbox.url)
    frame = VideoFrame(image=np.zeros((48, 64, 3), np.uint8), frame_id=1, frame_timestamp=datetime.now(), source_id=0)
    with SMSNotificationSink.from_workflow_step(step_json, inputs=inputs, provider=provider) as sink:
        sink({"output": detections()}, frame)
        assert sink.status(0)["error_status"] is False, sink.status(0)
    [message] = sandbox.wait_for_messages(1)
    return message.body


CASES = {
    "counts and classes from a step": step(
        "{{ $parameters.n }} objects: {{ $parameters.classes }}",
        {"n": "$steps.model.output", "classes": "$steps.model.output"},
        {"n": [{"type": "SequenceLength"}],
         "classes": [{"type": "DetectionsPropertyExtract", "property_name": "class_name"},
                     {"type": "SequenceElementsCount"}]},
    ),
    "input with an operation": step(
        "Alert at {{ $parameters.site }} ({{$parameters.site}})", {"site": "$inputs.site"},
        {"site": [{"type": "StringToUpperCase"}]},
    ),
    "rounded top confidence": step(
        "top confidence {{ $parameters.conf }}", {"conf": "$steps.model.output"},
        {"conf": [{"type": "DetectionsPropertyExtract", "property_name": "confidence"},
                  {"type": "NumericSequenceAggregate", "function": "max"}, {"type": "NumberRound", "decimal_digits": 2}]},
    ),
    "unknown placeholder stays, literal parameter": step(
        "{{ $parameters.level }}: {{ $parameters.unknown }} on {{ $parameters.site }}",
        {"level": "WARN", "site": "$inputs.site"},
    ),
    "detections without operations": step("seen: {{ $parameters.raw }}", {"raw": "$steps.model.output"}),
    "operations keyed by an unknown name (spec example)": step(
        "{{ $parameters.n }} objects", {"n": "$steps.model.output"},
        {"predictions": [{"type": "DetectionsPropertyExtract", "property_name": "class_name"}]},
    ),
    "unicode": step("Alerta en {{ $parameters.site }} 🚨", {"site": "$inputs.site"}),
    "over 1600 characters, truncated": step("{{ $parameters.long }}", {"long": "$inputs.long"}),
}
INPUTS = {"site": "Puerta Ñ 3", "long": "x" * 2000}


@pytest.mark.parametrize("name", list(CASES))
def test_same_text_as_reference_block(name: str, sandbox: SandboxServer) -> None:
    step_json = CASES[name]
    inputs = {k: v for k, v in INPUTS.items() if f"$inputs.{k}" in str(step_json)}
    expected = reference_text(copy.deepcopy(step_json), inputs)
    assert our_text(copy.deepcopy(step_json), inputs, sandbox) == expected


def test_doc_escaped_message_is_sent_as_documented_not_verbatim(sandbox: SandboxServer) -> None:
    """The reference sends the documentation's escaped braces literally; we unescape them."""
    escaped = step("Alert! Detected {{ '{{' }} $parameters.n {{ '}}' }} objects", {"n": "$steps.model.output"},
                   {"n": [{"type": "SequenceLength"}]})
    plain = step("Alert! Detected {{ $parameters.n }} objects", {"n": "$steps.model.output"},
                 {"n": [{"type": "SequenceLength"}]})
    assert reference_text(copy.deepcopy(escaped), {}) == escaped["message"]
    assert our_text(escaped, {}, sandbox) == reference_text(plain, {}) == "Alert! Detected 3 objects"
