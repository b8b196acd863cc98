"""Image operations on BGR ``np.ndarray`` images (or a ``VideoFrame``'s image).

JPEG encoding uses ``cv2.imencode`` at quality 95, the reference's default for both
``ConvertImageToJPEG`` and the base64 form of ``WorkflowImageData``.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

import cv2

from .adapters import as_image
from .base import OperationFailed, builders
from .enums import ImageProperty

__all__ = ["BUILDERS", "DEFAULT_JPEG_QUALITY"]

DEFAULT_JPEG_QUALITY = 95


def extract_image_property(value: Any, op: Any, params: Mapping[str, Any]) -> int | float:
    height, width = as_image(value).shape[:2]
    if op.property_name is ImageProperty.SIZE:
        return height * width
    if op.property_name is ImageProperty.HEIGHT:
        return height
    if op.property_name is ImageProperty.WIDTH:
        return width
    return width / height if height != 0 else 0


def _jpeg(value: Any, quality: int) -> bytes:
    ok, encoded = cv2.imencode(".jpg", as_image(value), [int(cv2.IMWRITE_JPEG_QUALITY), quality])
    if not ok:
        raise OperationFailed("could not encode the image as JPEG")
    return encoded.tobytes()


def to_jpeg(value: Any, op: Any, params: Mapping[str, Any]) -> bytes:
    return _jpeg(value, op.compression_level)


def to_base64(value: Any, op: Any, params: Mapping[str, Any]) -> str:
    """Base64 (ASCII) of the image as a quality-95 JPEG."""
    return base64.b64encode(_jpeg(value, DEFAULT_JPEG_QUALITY)).decode("ascii")


BUILDERS = builders(
    ExtractImageProperty=extract_image_property,
    ConvertImageToJPEG=to_jpeg,
    ConvertImageToBase64=to_base64,
)
