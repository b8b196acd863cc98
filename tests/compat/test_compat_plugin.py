"""The ``sms_sink.workflows`` plugin in the real execution engine and InferencePipeline.

``WORKFLOWS_PLUGINS`` is set by this directory's conftest before ``inference`` is imported.
Providers point at the sandbox through the init parameter ``sink_options``.
"""

from __future__ import annotations

import gc
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Iterator

import numpy as np
import pytest
import supervision as sv
from inference import InferencePipeline
from inference.core.workflows.core_steps.sinks.twilio.sms.v2 import BlockManifest as ReferenceManifest
from inference.core.workflows.execution_engine.core import ExecutionEngine
from inference.core.workflows.execution_engine.entities.base import ImageParentMetadata, VideoMetadata, WorkflowImageData
from inference.core.workflows.execution_engine.introspection.blocks_loader import load_workflow_blocks

from sms_sink import ConfigurationError, RoboflowManagedProvider
from sms_sink.sandbox import SandboxServer
from sms_sink.workflows import BLOCK_TYPE, BlockManifest, SMSNotificationBlockV1, load_blocks
from support import RECEIVER

pytestmark = pytest.mark.compat

_PRESENTATION = {"description", "examples", "title", "always_visible", "hide_description", "multiline",
                 "relevant_for", "private"}  # fmt: skip


@pytest.fixture(autouse=True, scope="module")
def collect_blocks() -> Iterator[None]:
    """Collect the engines the tests built: their blocks' finalizers close the sinks they built."""
    yield
    gc.collect()


def _shape(schema: dict[str, Any]) -> dict[str, Any]:
    """A field's JSON schema without what only the UI reads."""
    return {k: v for k, v in schema.items() if k not in _PRESENTATION}


def test_manifest_mirrors_the_reference_fields_and_outputs() -> None:
    ours, reference = BlockManifest.model_json_schema(), ReferenceManifest.model_json_schema()
    assert list(ours["properties"]) == list(reference["properties"])
    for name in reference["properties"]:
        if name != "type":
            assert _shape(ours["properties"][name]) == _shape(reference["properties"][name]), name
    assert ours["required"] == reference["required"]
    assert [(o.name, o.kind) for o in BlockManifest.describe_outputs()] == [
        (o.name, o.kind) for o in ReferenceManifest.describe_outputs()
    ]
    assert BlockManifest.get_execution_engine_compatibility() == ReferenceManifest.get_execution_engine_compatibility()


def test_blocks_loader_finds_the_plugin_block() -> None:
    assert load_blocks() == [SMSNotificationBlockV1]
    [spec] = [b for b in load_workflow_blocks() if b.block_class is SMSNotificationBlockV1]
    assert spec.block_source == "sms_sink.workflows"
    assert spec.manifest_class.model_fields["type"].annotation.__args__ == (BLOCK_TYPE,)


def _provider_factory(sandbox: SandboxServer) -> Callable[[], RoboflowManagedProvider]:
    return lambda: RoboflowManagedProvider(SandboxServer.DEFAULT_API_KEY, base_url=sandbox.url)


def _engine(sandbox: SandboxServer, **fields: Any) -> ExecutionEngine:
    step = {
        "type": BLOCK_TYPE, "name": "sms", "receiver_number": RECEIVER,
        "message": "{{ $parameters.n }} objects at {{ $parameters.site }}",
        "message_parameters": {"n": "$steps.model.output", "site": "$inputs.site"},
        "message_parameters_operations": {"n": [{"type": "SequenceLength"}]},
        "cooldown_seconds": 60, **fields,
    }  # fmt: skip
    workflow = {
        "version": "1.0",
        "inputs": [{"type": "WorkflowBatchInput", "name": "detections", "kind": ["object_detection_prediction"]},
                   {"type": "WorkflowParameter", "name": "site"}],
        "steps": [
            {"type": "roboflow_core/property_definition@v1", "name": "model", "data": "$inputs.detections", "operations": []},
            step,
        ],
        "outputs": [{"type": "JsonField", "name": "status", "selector": "$steps.sms.*"}],
    }
    return ExecutionEngine.init(
        workflow_definition=workflow,
        init_parameters={"sms_sink.workflows.sink_options": {"provider": _provider_factory(sandbox)}},
    )


def _run(engine: ExecutionEngine, n: int = 2) -> dict[str, Any]:
    detections = sv.Detections(xyxy=np.tile([[1.0, 2.0, 30.0, 40.0]], (n, 1)), class_id=np.zeros(n, int),
                               data={"class_name": np.array(["car"] * n)})
    return engine.run(runtime_parameters={"detections": [detections], "site": "gate 3"})[0]["status"]


@pytest.mark.parametrize(
    ("fields", "first", "second", "sent"),
    [
        ({}, "Notification sent in the background task", "Sink cooldown applies", 1),
        ({"fire_and_forget": False}, "Notification sent successfully via Roboflow proxy", "Sink cooldown applies", 1),
        ({"cooldown_seconds": 0}, "Notification sent in the background task", "Notification sent in the background task", 2),
        ({"disable_sink": True}, "Sink was disabled by parameter `disable_sink`",
         "Sink was disabled by parameter `disable_sink`", 0),
    ],
)
def test_block_sends_through_the_sandbox(fields: dict[str, Any], first: str, second: str, sent: int,
                                         sandbox: SandboxServer) -> None:
    engine = _engine(sandbox, **fields)
    statuses = [_run(engine), _run(engine, n=3)]
    assert [s["message"] for s in statuses] == [first, second]
    assert statuses[1]["throttling_status"] is (second == "Sink cooldown applies")
    assert not any(s["error_status"] for s in statuses)
    if sent:
        sandbox.wait_for_messages(sent)
    assert sorted(m.body for m in sandbox.messages) == ["2 objects at gate 3", "3 objects at gate 3"][:sent]


def test_configuration_errors_become_the_error_output(sandbox: SandboxServer) -> None:
    status = _run(_engine(sandbox, receiver_number="12345"))
    assert status["error_status"] is True and "receiver_number" in status["message"]
    assert sandbox.messages == []


def test_init_with_workflow_cooldown_per_source(video_path: Path, sandbox: SandboxServer) -> None:
    """Two cameras, 60 frames at 30 fps each, a 1 s window on the video clock: 2 alerts per
    camera (frames 1 and 31), each with its frame attached."""
    workflow = {
        "version": "1.0",
        "inputs": [{"type": "WorkflowImage", "name": "image"}],
        "steps": [{
            "type": BLOCK_TYPE, "name": "sms", "receiver_number": RECEIVER,
            "message": "frame {{ $parameters.frame }}", "message_parameters": {"frame": "$inputs.image"},
            "message_parameters_operations": {"frame": [{"type": "ExtractFrameMetadata", "property_name": "frame_number"}]},
            "media_url": "$inputs.image", "cooldown_seconds": 1,
        }],
        "outputs": [{"type": "JsonField", "name": "status", "selector": "$steps.sms.*"}],
    }  # fmt: skip
    outputs: list[Any] = []
    pipeline = InferencePipeline.init_with_workflow(
        video_reference=[str(video_path), str(video_path)],
        workflow_specification=workflow,
        on_prediction=lambda predictions, frames: outputs.append(predictions),
        workflow_init_parameters={
            "sms_sink.workflows.sink_options": {"provider": _provider_factory(sandbox), "cooldown_clock": "video"},
        },
    )
    pipeline.start()
    pipeline.join()
    messages = sandbox.wait_for_messages(4)
    assert sorted(m.body for m in messages) == ["frame 1", "frame 1", "frame 31", "frame 31"]
    assert all(m.num_media == 1 for m in messages)
    assert len(outputs) > 0


def _image(source: str, frame_number: int) -> WorkflowImageData:
    metadata = VideoMetadata(video_identifier=source, frame_number=frame_number, frame_timestamp=datetime(2026, 1, 1),
                             fps=30.0)
    return WorkflowImageData(parent_metadata=ImageParentMetadata(parent_id="image"),
                             numpy_image=np.zeros((48, 64, 3), np.uint8), video_metadata=metadata)


def _run_block(block: SMSNotificationBlockV1, media_url: Any, image: WorkflowImageData) -> dict[str, Any]:
    return block.run(
        sms_provider="Roboflow Managed API Key", receiver_number=RECEIVER,
        message="frame {{ $parameters.frame }}", message_parameters={"frame": image},
        message_parameters_operations={"frame": [{"type": "ExtractFrameMetadata", "property_name": "frame_number"}]},
        media_url=media_url, twilio_account_sid=None, twilio_auth_token=None, sender_number=None,
        fire_and_forget=True, disable_sink=False, cooldown_seconds=60,
    )  # fmt: skip


def test_block_run_cooldown_per_source_and_close(sandbox: SandboxServer) -> None:
    block = SMSNotificationBlockV1(api_key=None, sink_options={"provider": _provider_factory(sandbox)})
    statuses = [_run_block(block, image, image) for image in (_image("a", 1), _image("b", 2), _image("a", 3))]
    assert [s["throttling_status"] for s in statuses] == [False, False, True]
    two = _run_block(block, [_image("a", 4), _image("a", 4)], _image("a", 4))
    assert two["error_status"] is True and "at most one workflow image" in two["message"]
    block.close()
    block.close()
    assert sorted((m.body, m.num_media) for m in sandbox.messages) == [("frame 1", 1), ("frame 2", 1)]


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"no_such_setting": 1}, "sink_options.no_such_setting"),
        ({"cooldown_seconds": 1}, "sink_options.cooldown_seconds"),
        ({"provider": RoboflowManagedProvider("key")}, "sink_options.provider"),
    ],
)
def test_sink_options_are_validated(options: dict[str, Any], field: str) -> None:
    with pytest.raises(ConfigurationError) as raised:
        SMSNotificationBlockV1(api_key=None, sink_options=options)
    assert raised.value.field == field
