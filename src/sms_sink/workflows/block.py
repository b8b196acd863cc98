"""The block's ``run()``: workflow values in, an :class:`SMSNotificationSink` call out.

One sink per configuration (provider, receiver, message, operations, media, credentials,
``fire_and_forget``, ``cooldown_seconds``), built on first use and kept (at most
``MAX_SINKS``; the oldest is closed in the background), and closed with the block when it
is collected or at interpreter exit (the engine never says a block is done). The
workflow's resolved values are handed to it as the "predictions" of the call (parameter
``<name>`` is ``$predictions.<name>``), and a workflow image as the frame
(``$frame.image``), so the sink snapshots them on the engine's thread and renders,
encodes and sends on its own. A throttled ``run()`` costs about 60 us.

The cooldown is kept per video source: the ``video_identifier`` of the first workflow image
among ``media_url`` and the parameters (one shared window when there is none).
"""

from __future__ import annotations

import hashlib
import inspect
import json
import logging
import threading
import weakref
from collections import OrderedDict
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Dict, List, Optional, Type, Union

import numpy as np
from inference.core.workflows.core_steps.sinks.noop import disabled_sink_message
from inference.core.workflows.execution_engine.entities.base import WorkflowImageData
from inference.core.workflows.prototypes.block import BlockResult, WorkflowBlock, WorkflowBlockManifest
from streamvision.camera.entities import VideoFrame

from ..attachments import FRAME
from ..errors import ConfigurationError, SmsSinkError
from ..sink import SMSNotificationSink
from ..template import PARAMETER_PATTERN
from ..workflow_step import STEP_FIELDS
from .manifest import BLOCK_TYPE, BlockManifest

__all__ = ["BLOCK_TYPE", "MAX_SINKS", "SMSNotificationBlockV1"]

log = logging.getLogger(__name__)

MAX_SINKS = 16
_SINK_SETTINGS = frozenset(inspect.signature(SMSNotificationSink.__init__).parameters) - {"self"}
# Set by the block from the step's fields; sink_options may not replace them.
_STEP_SETTINGS = frozenset(STEP_FIELDS) | {"roboflow_api_key"}


@dataclass(frozen=True)
class _StepFrame:
    """What the sink reads from a frame: the source, the image to attach, the video time."""

    source_id: Hashable
    image: Optional[np.ndarray]
    frame_timestamp: Optional[datetime]


class SMSNotificationBlockV1(WorkflowBlock):
    """``sms_sink/twilio_sms_notification@v1``: the v2 SMS block's contract on the sms-sink engine."""

    def __init__(
        self,
        api_key: Optional[str],
        disable_sinks: bool = False,
        sink_options: Optional[Mapping[str, Any]] = None,
    ) -> None:
        options = dict(sink_options or {})
        for name in options:
            if name not in _SINK_SETTINGS or name in _STEP_SETTINGS:
                raise ConfigurationError(
                    f"sink_options.{name}", "not an SMSNotificationSink setting the step leaves open"
                )
        provider = options.get("provider")
        if provider is not None and not callable(provider):
            raise ConfigurationError(
                "sink_options.provider", "expected a zero-argument callable returning a new Provider (each sink owns one)"
            )
        self._api_key = api_key
        self._disable_sinks = disable_sinks
        self._options = options
        self._sinks: OrderedDict[str, Union[SMSNotificationSink, str]] = OrderedDict()
        self._lock = threading.Lock()
        # The engine never tells a block it is done: close the sinks (delivering what they
        # queued) when the block is collected or, at the latest, at interpreter exit.
        weakref.finalize(self, _close_sinks, self._sinks)

    @classmethod
    def get_init_parameters(cls) -> List[str]:
        return ["api_key", "disable_sinks", "sink_options"]

    @classmethod
    def get_manifest(cls) -> Type[WorkflowBlockManifest]:
        return BlockManifest

    def run(
        self,
        sms_provider: str,
        receiver_number: str,
        message: str,
        message_parameters: Dict[str, Any],
        message_parameters_operations: Dict[str, List[Any]],
        media_url: Optional[Union[str, List[Any], WorkflowImageData]],
        twilio_account_sid: Optional[str],
        twilio_auth_token: Optional[str],
        sender_number: Optional[str],
        fire_and_forget: bool,
        disable_sink: bool,
        cooldown_seconds: int,
    ) -> BlockResult:
        if self._disable_sinks or disable_sink:
            return _status(False, disabled_sink_message(disabled_by_execution_policy=self._disable_sinks))
        names = [name for name in dict.fromkeys(m[1] for m in PARAMETER_PATTERN.findall(message)) if name in message_parameters]
        operations = {
            name: [_as_dict(op) for op in message_parameters_operations[name]]
            for name in names
            if message_parameters_operations.get(name)
        }
        items = media_url if isinstance(media_url, list) else [] if media_url is None else [media_url]
        images = [item for item in items if isinstance(item, WorkflowImageData)]
        if len(images) > 1:
            return _status(True, f"{BLOCK_TYPE} attaches at most one workflow image per message, got {len(images)}")
        settings = {
            "sms_provider": sms_provider,
            "receiver_number": receiver_number,
            "message": message,
            "message_parameters": {name: f"$predictions.{name}" for name in names},
            "message_parameters_operations": operations,
            "media_url": [FRAME if isinstance(item, WorkflowImageData) else item for item in items] or None,
            "twilio_account_sid": twilio_account_sid,
            "twilio_auth_token": twilio_auth_token,
            "sender_number": sender_number,
            "fire_and_forget": fire_and_forget,
            "cooldown_seconds": cooldown_seconds,
        }
        values = {name: message_parameters[name] for name in names}
        image = next(iter(images), None) or next((v for v in values.values() if isinstance(v, WorkflowImageData)), None)
        metadata = image.video_metadata if image is not None else None
        frame = _StepFrame(
            source_id=metadata.video_identifier if metadata is not None else None,
            image=images[0].numpy_image if images else None,
            frame_timestamp=metadata.frame_timestamp if metadata is not None else None,
        )
        predictions = {name: _operand(value) if name in operations else value for name, value in values.items()}
        with self._lock:
            sink = self._sink_for(settings)
            if isinstance(sink, str):
                return _status(True, sink)
            sink(predictions, frame)
            return sink.status(frame.source_id)

    def close(self, timeout: float = 10.0) -> None:
        """Close every sink the block built (each delivers what it has queued within ``timeout``).

        The block stays usable: the next ``run()`` builds new sinks.
        """
        with self._lock:
            _close_sinks(self._sinks, timeout)

    def _sink_for(self, settings: Dict[str, Any]) -> Union[SMSNotificationSink, str]:
        """The sink for ``settings`` (built once), or why it cannot be built."""
        key = _fingerprint(settings)
        cached = self._sinks.get(key)
        if cached is not None:
            self._sinks.move_to_end(key)
            return cached
        options = dict(self._options)
        if "provider" in options:
            options["provider"] = options["provider"]()
        try:
            sink: Union[SMSNotificationSink, str] = SMSNotificationSink(
                **settings, roboflow_api_key=self._api_key, **options
            )
        except SmsSinkError as exc:
            sink = f"{BLOCK_TYPE} configuration rejected: {exc}"
            log.warning("%s", sink)
        self._sinks[key] = sink
        if len(self._sinks) > MAX_SINKS:
            _, oldest = self._sinks.popitem(last=False)
            if isinstance(oldest, SMSNotificationSink):
                threading.Thread(target=oldest.close, name="sms-sink-evict", daemon=True).start()
        return sink


def _close_sinks(sinks: OrderedDict[str, Union[SMSNotificationSink, str]], timeout: float = 10.0) -> None:
    """Close and forget every sink in ``sinks``."""
    built = [sink for sink in sinks.values() if isinstance(sink, SMSNotificationSink)]
    sinks.clear()
    for sink in built:
        sink.close(timeout)


def _status(error: bool, message: str) -> BlockResult:
    return {"error_status": error, "throttling_status": False, "message": message}


def _as_dict(operation: Any) -> Any:
    """An operation as its JSON definition (the engine hands over parsed pydantic models)."""
    dump = getattr(operation, "model_dump", None)
    return dump(mode="json") if dump is not None else operation


def _operand(value: Any) -> Any:
    """A workflow image as the ``VideoFrame`` the sink's operations read; other values as they are."""
    if not isinstance(value, WorkflowImageData):
        return value
    metadata = value.video_metadata
    return VideoFrame(
        image=value.numpy_image,
        frame_id=metadata.frame_number,
        frame_timestamp=metadata.frame_timestamp,
        fps=metadata.fps,
        measured_fps=metadata.measured_fps,
        source_id=metadata.video_identifier,
        comes_from_video_file=metadata.comes_from_video_file,
    )


def _fingerprint(settings: Mapping[str, Any]) -> str:
    """A cache key for ``settings`` that holds no credential in clear."""
    text = json.dumps(settings, sort_keys=True, default=repr)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
