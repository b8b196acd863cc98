"""The block's manifest: the fields, defaults, kinds and outputs of Roboflow's v2 SMS block.

Only ``type`` (``sms_sink/twilio_sms_notification@v1``) and the descriptions differ, so a
step written for ``roboflow_core/twilio_sms_notification@v2`` runs here after changing its
``type``. The compat suite checks the mirror against the installed reference.
"""

from __future__ import annotations

from typing import Dict, List, Literal, Optional, Union

from inference.core.workflows.core_steps.common.query_language.entities.operations import (
    AllOperationsType,
)
from inference.core.workflows.execution_engine.entities.base import OutputDefinition
from inference.core.workflows.execution_engine.entities.types import (
    BOOLEAN_KIND,
    IMAGE_KIND,
    INTEGER_KIND,
    LIST_OF_VALUES_KIND,
    SECRET_KIND,
    STRING_KIND,
    Selector,
)
from inference.core.workflows.prototypes.block import (
    COOLDOWN_HTTP_SOFT_RESTRICTION,
    AirGappedAvailability,
    RuntimeRestriction,
    WorkflowBlockManifest,
)
from pydantic import ConfigDict, Field

from ..config import CUSTOM_TWILIO, MANAGED

__all__ = ["BLOCK_TYPE", "BlockManifest"]

BLOCK_TYPE = "sms_sink/twilio_sms_notification@v1"

_LONG_DESCRIPTION = """
Sends an SMS or MMS through Twilio (your account) or Roboflow's managed proxy, like
`roboflow_core/twilio_sms_notification@v2` and with the same fields, but through the
`sms-sink` engine:

* the step returns at once; sending, retries and media encoding run in the background;
* `cooldown_seconds` is kept per video source, and a window is used only when an alert is
  accepted;
* frames are never uploaded to a public file host: the managed provider sends them inline,
  Custom Twilio needs a media store (init parameter `sink_options`).

Placeholders: `{{ $parameters.<name> }}`; `message_parameters_operations` transform the
values first (same operations as the core blocks).
"""


class BlockManifest(WorkflowBlockManifest):
    model_config = ConfigDict(
        json_schema_extra={
            "name": "SMS Notification (sms-sink)",
            "version": "v1",
            "short_description": "Send SMS/MMS alerts without slowing the video down.",
            "long_description": _LONG_DESCRIPTION,
            "license": "Apache-2.0",
            "block_type": "sink",
            "ui_manifest": {"section": "notifications", "icon": "far fa-comment-sms"},
        }
    )
    type: Literal["sms_sink/twilio_sms_notification@v1"]
    sms_provider: Literal["Roboflow Managed API Key", "Custom Twilio"] = Field(
        default=MANAGED,
        description=f"{MANAGED!r} (Roboflow's proxy, API key of the workflow) or {CUSTOM_TWILIO!r}.",
    )
    receiver_number: Union[str, Selector(kind=[STRING_KIND])] = Field(
        description="Phone number to receive the message (E.164, e.g. +15551234567).",
        examples=["+15551234567", "$inputs.receiver_number"],
    )
    message: str = Field(
        description="Message text; {{ $parameters.<name> }} is replaced by that parameter.",
        examples=["{{ $parameters.count }} people at the gate"],
    )
    message_parameters: Dict[str, Union[Selector(), str, int, float, bool]] = Field(
        default_factory=dict,
        description="Values to put into the message.",
        examples=[{"count": "$steps.model.predictions"}],
    )
    message_parameters_operations: Dict[str, List[AllOperationsType]] = Field(
        default_factory=dict,
        description="Operations applied to a parameter before it is written into the message.",
        examples=[{"count": [{"type": "SequenceLength"}]}],
    )
    media_url: Optional[
        Union[str, List[str], Selector(kind=[STRING_KIND, LIST_OF_VALUES_KIND, IMAGE_KIND])]
    ] = Field(
        default=None,
        description="Public image URL(s), or one workflow image, to send as MMS.",
        examples=["$steps.visualization.image", "https://example.com/image.jpg"],
    )
    twilio_account_sid: Optional[Union[str, Selector(kind=[STRING_KIND, SECRET_KIND])]] = Field(
        default=None,
        description="Twilio Account SID (Custom Twilio).",
        examples=["$inputs.twilio_account_sid"],
    )
    twilio_auth_token: Optional[Union[str, Selector(kind=[STRING_KIND, SECRET_KIND])]] = Field(
        default=None,
        description="Twilio Auth Token (Custom Twilio).",
        examples=["$inputs.twilio_auth_token"],
    )
    sender_number: Optional[Union[str, Selector(kind=[STRING_KIND])]] = Field(
        default=None,
        description="Sender phone number (Custom Twilio, E.164).",
        examples=["+15551234567", "$inputs.sender_number"],
    )
    fire_and_forget: Union[bool, Selector(kind=[BOOLEAN_KIND])] = Field(
        default=True,
        description="True: return at once; False: wait for the delivery outcome (for debugging).",
        examples=["$inputs.fire_and_forget", False],
    )
    disable_sink: Union[bool, Selector(kind=[BOOLEAN_KIND])] = Field(
        default=False,
        description="True: send nothing.",
        examples=[False, "$inputs.disable_sms_notifications"],
    )
    cooldown_seconds: Union[int, Selector(kind=[INTEGER_KIND])] = Field(
        default=5,
        description="Seconds after an accepted alert during which a video source sends no other.",
        examples=["$inputs.cooldown_seconds", 3],
    )

    @classmethod
    def get_air_gapped_availability(cls) -> AirGappedAvailability:
        return AirGappedAvailability(available=False, reason="requires_internet")

    @classmethod
    def describe_outputs(cls) -> List[OutputDefinition]:
        return [
            OutputDefinition(name="error_status", kind=[BOOLEAN_KIND]),
            OutputDefinition(name="throttling_status", kind=[BOOLEAN_KIND]),
            OutputDefinition(name="message", kind=[STRING_KIND]),
        ]

    @classmethod
    def get_execution_engine_compatibility(cls) -> Optional[str]:
        return ">=1.4.0,<2.0.0"

    @classmethod
    def get_restrictions(cls) -> List[RuntimeRestriction]:
        # Cooldown state lives in the process, as in the reference.
        return [COOLDOWN_HTTP_SOFT_RESTRICTION]
