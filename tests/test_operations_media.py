"""Classification responses, images (BGR ndarrays) and frame metadata (VideoFrame)."""

from __future__ import annotations

import base64
from datetime import datetime

import cv2
import numpy as np
import pytest
from streamvision.camera.entities import VideoFrame

from sms_sink.errors import SmsSinkError
from sms_sink.operations import compile_operations


def run(specs, value, params=None):
    return compile_operations(specs, field="ops")(value, params)


SINGLE = {
    "top": "cat",
    "confidence": 0.9,
    "predictions": [
        {"class": "cat", "class_id": 0, "confidence": 0.9},
        {"class": "dog", "class_id": 1, "confidence": 0.1},
    ],
}
MULTI = {
    "predicted_classes": ["dog", "cat"],
    "predictions": {
        "cat": {"class_id": 1, "confidence": 0.7},
        "dog": {"class_id": 0, "confidence": 0.8},
        "bird": {"class_id": 2, "confidence": 0.1},
    },
}
MULTI_NONE = {**MULTI, "predicted_classes": []}


@pytest.mark.parametrize(
    ("value", "prop", "expected"),
    [
        (SINGLE, "top_class", "cat"),
        (SINGLE, "top_class_confidence", 0.9),
        (SINGLE, "top_class_confidence_single", 0.9),
        (SINGLE, "all_classes", ["cat", "dog"]),
        (SINGLE, "all_confidences", [0.9, 0.1]),
        (MULTI, "top_class", ["dog", "cat"]),
        (MULTI, "top_class_confidence", [0.8, 0.7]),
        (MULTI, "top_class_confidence_single", 0.8),
        (MULTI, "all_classes", ["dog", "cat", "bird"]),  # class-id order
        (MULTI, "all_confidences", [0.8, 0.7, 0.1]),
        (MULTI_NONE, "top_class", []),
        (MULTI_NONE, "top_class_confidence", []),
        (MULTI_NONE, "top_class_confidence_single", 0.0),
    ],
)
def test_classification_property_extract(value, prop, expected):
    assert run([{"type": "ClassificationPropertyExtract", "property_name": prop}], value) == expected


@pytest.mark.parametrize(
    ("value", "prop", "fragment"),
    [
        ("cat", "top_class", "expected a classification response dict"),
        ({"top": "cat"}, "all_classes", "no key 'predictions'"),
        ({"predicted_classes": ["x"], "predictions": {}}, "top_class_confidence", "no key 'x'"),
    ],
)
def test_classification_failures(value, prop, fragment):
    with pytest.raises(SmsSinkError, match=r"ClassificationPropertyExtract") as caught:
        run([{"type": "ClassificationPropertyExtract", "property_name": prop}], value)
    assert fragment in str(caught.value)


def image(height: int = 48, width: int = 64) -> np.ndarray:
    return np.random.default_rng(0).integers(0, 256, (height, width, 3), dtype=np.uint8)


STAMP = datetime(2024, 5, 6, 7, 8, 9)


def frame(fps=30.0, frame_id=31) -> VideoFrame:
    return VideoFrame(image=image(), frame_id=frame_id, frame_timestamp=STAMP, fps=fps, source_id=0)


@pytest.mark.parametrize(
    ("value", "prop", "expected"),
    [
        (image(), "size", 3072),
        (image(), "height", 48),
        (image(), "width", 64),
        (image(), "aspect_ratio", 64 / 48),
        (image(10, 10)[:, :, 0], "aspect_ratio", 1.0),
        (np.zeros((0, 10, 3), np.uint8), "aspect_ratio", 0),
        (frame(), "width", 64),
    ],
)
def test_extract_image_property(value, prop, expected):
    result = run([{"type": "ExtractImageProperty", "property_name": prop}], value)
    assert result == expected
    assert type(result) is type(expected)


@pytest.mark.parametrize("value", [image(), frame()])
def test_jpeg_and_base64_use_quality_95(value):
    reference = cv2.imencode(".jpg", image(), [int(cv2.IMWRITE_JPEG_QUALITY), 95])[1].tobytes()
    jpeg = run([{"type": "ConvertImageToJPEG"}], value)
    assert type(jpeg) is bytes and jpeg == reference
    encoded = run([{"type": "ConvertImageToBase64"}], value)
    assert type(encoded) is str and base64.b64decode(encoded) == reference


def test_jpeg_compression_level():
    small = run([{"type": "ConvertImageToJPEG", "compression_level": 10}], image())
    decoded = cv2.imdecode(np.frombuffer(small, np.uint8), cv2.IMREAD_COLOR)
    assert decoded.shape == (48, 64, 3)
    assert len(small) < len(run([{"type": "ConvertImageToJPEG"}], image()))


@pytest.mark.parametrize(
    ("value", "prop", "expected"),
    [
        (frame(), "frame_number", 31),
        (frame(), "frame_timestamp", STAMP),
        (frame(), "seconds_since_start", 1.0),
        (frame(fps=25, frame_id=1), "seconds_since_start", 0.0),
        (frame(fps=4, frame_id=3), "seconds_since_start", 0.5),
    ],
)
def test_extract_frame_metadata(value, prop, expected):
    result = run([{"type": "ExtractFrameMetadata", "property_name": prop}], value)
    assert result == expected
    assert type(result) is type(expected)


def test_frame_timestamp_chain():
    chain = [{"type": "ExtractFrameMetadata", "property_name": "frame_timestamp"}, {"type": "TimestampToISOFormat"}]
    assert run(chain, frame()) == "2024-05-06T07:08:09"


@pytest.mark.parametrize(
    ("spec", "value", "fragments"),
    [
        ({"type": "ExtractImageProperty", "property_name": "size"}, "img", ["expected an image", "str"]),
        ({"type": "ExtractImageProperty", "property_name": "size"}, np.zeros(5), ["expected an image", "numpy.ndarray"]),
        ({"type": "ConvertImageToJPEG"}, None, ["(ConvertImageToJPEG)", "expected an image", "NoneType"]),
        ({"type": "ConvertImageToBase64"}, [[1]], ["expected an image", "list"]),
        ({"type": "ConvertImageToJPEG"}, np.zeros((0, 4, 3), np.uint8), ["(ConvertImageToJPEG)", "numpy.ndarray"]),
        ({"type": "ExtractFrameMetadata", "property_name": "frame_number"}, image(), ["expected a VideoFrame", "numpy.ndarray"]),
        ({"type": "ExtractFrameMetadata", "property_name": "seconds_since_start"}, frame(fps=None), ["needs the frame's fps", "None"]),
        ({"type": "ExtractFrameMetadata", "property_name": "seconds_since_start"}, frame(fps=0), ["needs the frame's fps"]),
    ],
)  # fmt: skip
def test_media_failures(spec, value, fragments):
    with pytest.raises(SmsSinkError) as caught:
        run([spec], value)
    for fragment in fragments:
        assert fragment in str(caught.value)
