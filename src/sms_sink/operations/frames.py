"""``ExtractFrameMetadata`` on a streamvision ``VideoFrame`` (the sink's ``$frame``).

The reference reads ``WorkflowImageData.video_metadata``, which InferencePipeline fills
from the same ``VideoFrame``: ``frame_number`` is ``frame_id`` (from 1),
``frame_timestamp`` is ``frame_timestamp`` and ``seconds_since_start`` is
``(frame_id - 1) / fps`` with the declared ``fps``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .adapters import as_frame
from .base import OperationFailed, builders
from .enums import FrameMetadataProperty

__all__ = ["BUILDERS"]


def extract_frame_metadata(value: Any, op: Any, params: Mapping[str, Any]) -> Any:
    frame = as_frame(value)
    if op.property_name is FrameMetadataProperty.FRAME_NUMBER:
        return frame.frame_id
    if op.property_name is FrameMetadataProperty.FRAME_TIMESTAMP:
        return frame.frame_timestamp
    fps = getattr(frame, "fps", None)
    if not fps:
        raise OperationFailed(f"seconds_since_start needs the frame's fps, which is {fps!r}")
    return (frame.frame_id - 1) / fps


BUILDERS = builders(ExtractFrameMetadata=extract_frame_metadata)
