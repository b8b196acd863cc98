"""Workflow plugin: ``WORKFLOWS_PLUGINS=sms_sink.workflows`` adds the block
``sms_sink/twilio_sms_notification@v1``.

The block has the fields and outputs of Roboflow's ``roboflow_core/twilio_sms_notification@v2``
and sends through :class:`sms_sink.SMSNotificationSink`: it returns in microseconds, keeps
a cooldown per video source, retries what is safe to retry and never uploads frames to a
public host. Needs the ``inference`` extra (``pip install "sms-sink[inference]"``); plain
``import sms_sink`` never imports this package.

Init parameters (``workflow_init_parameters`` of ``InferencePipeline.init_with_workflow``
or ``ExecutionEngine.init``), each under ``sms_sink.workflows.<name>``:

- ``api_key``: Roboflow API key of the managed provider (default: env ``ROBOFLOW_API_KEY``
  or ``API_KEY``, as ``inference`` reads it);
- ``disable_sinks``: True turns every notification off (the execution policy);
- ``sink_options``: extra ``SMSNotificationSink`` keyword arguments for every sink the
  block builds (``media_store=``, ``cooldown_clock=``, ``max_queue_size=`` ...).
  ``provider`` is a zero-argument callable returning a new ``Provider``: each sink owns,
  and closes, its own.

Example::

    os.environ["WORKFLOWS_PLUGINS"] = "sms_sink.workflows"  # before importing inference
    pipeline = InferencePipeline.init_with_workflow(
        video_reference="cam.mp4", workflow_specification=spec, on_prediction=print,
        workflow_init_parameters={"sms_sink.workflows.sink_options": {"cooldown_clock": "video"}},
    )
"""

from __future__ import annotations

import os
from typing import Any, Callable, List, Type

try:
    from inference.core.workflows.prototypes.block import WorkflowBlock
except ImportError as exc:  # pragma: no cover - exercised in the main venv's tests
    raise ImportError(
        "sms_sink.workflows needs the `inference` package: pip install 'sms-sink[inference]'"
    ) from exc

from .block import BLOCK_TYPE, SMSNotificationBlockV1
from .manifest import BlockManifest

__all__ = ["BLOCK_TYPE", "BlockManifest", "REGISTERED_INITIALIZERS", "SMSNotificationBlockV1", "load_blocks"]


def _api_key_from_env() -> str | None:
    return os.environ.get("ROBOFLOW_API_KEY") or os.environ.get("API_KEY")


#: Defaults for the block's init parameters (the engine calls callables once per block).
REGISTERED_INITIALIZERS: dict[str, Any | Callable[[], Any]] = {
    "api_key": _api_key_from_env,
    "disable_sinks": False,
    "sink_options": dict,
}


def load_blocks() -> List[Type[WorkflowBlock]]:
    """The plugin's blocks (the ``WORKFLOWS_PLUGINS`` interface)."""
    return [SMSNotificationBlockV1]
