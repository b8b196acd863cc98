"""Literal and selector message parameters."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

import numpy as np
import pytest
import supervision as sv
from streamvision.camera.entities import VideoFrame

from sms_sink.errors import ConfigurationError
from sms_sink.parameters import FRAME_FIELDS, compile_parameter

TIMESTAMP = datetime(2026, 8, 1, 12, 30, 0)
PREDICTIONS = {
    "time": 0.02,
    "image": {"width": 1920, "height": 1080},
    "predictions": [
        {"x": 10.0, "y": 10.0, "width": 4.0, "height": 4.0, "class": "dog", "class_id": 0},
        {"x": 20.0, "y": 20.0, "width": 4.0, "height": 4.0, "class": "cat", "class_id": 1},
    ],
}
DETECTIONS = sv.Detections(
    xyxy=np.array([[0.0, 0.0, 2.0, 2.0], [1.0, 1.0, 3.0, 3.0]]),
    confidence=np.array([0.5, 0.75]),
    class_id=np.array([3, 4]),
    data={"class_name": np.array(["dog", "cat"])},
)


@pytest.fixture
def frame() -> VideoFrame:
    image = np.arange(2 * 3 * 3, dtype=np.uint8).reshape(2, 3, 3)
    return VideoFrame(
        image=image, frame_id=42, frame_timestamp=TIMESTAMP, source_id=3, fps=25.0
    )


@pytest.mark.parametrize("value", ["hello", "", "50% off", "$5.00", "$", "$ 10", 7, 2.5, True, False, None])
def test_literals_resolve_to_themselves(value: Any, frame: VideoFrame) -> None:
    parameter = compile_parameter("p", value)
    assert parameter.is_literal
    assert not parameter.uses_frame_image
    assert parameter.resolve(PREDICTIONS, frame) is value


@pytest.mark.parametrize(
    ("selector", "expected"),
    [
        ("$predictions", PREDICTIONS),
        ("$predictions.time", 0.02),
        ("$predictions.image.width", 1920),
        ("$predictions.predictions.0.class", "dog"),
        ("$predictions.predictions.1.class_id", 1),
        ("$predictions.predictions.-1.class", "cat"),
        ("$predictions.predictions.2.class", None),  # index out of range
        ("$predictions.missing", None),
        ("$predictions.predictions.first", None),  # a name cannot index a list
        ("$predictions.time.seconds", None),  # a float has no keys
    ],
)
def test_prediction_selectors(selector: str, expected: Any, frame: VideoFrame) -> None:
    parameter = compile_parameter("p", selector)
    assert not parameter.is_literal
    assert parameter.resolve(PREDICTIONS, frame) == expected


@pytest.mark.parametrize(
    ("selector", "expected"),
    [
        ("$predictions.confidence", [0.5, 0.75]),
        ("$predictions.class_id.1", 4),
        ("$predictions.xyxy.1", [1.0, 1.0, 3.0, 3.0]),
        ("$predictions.data.class_name", ["dog", "cat"]),
        ("$predictions.data.class_name.0", "dog"),
        ("$predictions.tracker_id", None),
        ("$predictions.class_name", None),  # data keys live under .data
        ("$predictions.__class__", None),  # only the Detections fields are reachable
    ],
)
def test_detections_selectors(selector: str, expected: Any) -> None:
    value = compile_parameter("p", selector).resolve(DETECTIONS, None)
    if isinstance(value, np.ndarray):
        value = value.tolist()
    assert value == expected


@pytest.mark.parametrize(
    ("selector", "expected", "uses_image"),
    [
        ("$frame.frame_id", 42, False),
        ("$frame.source_id", 3, False),
        ("$frame.frame_timestamp", TIMESTAMP, False),
        ("$frame.fps", 25.0, False),
        ("$frame.measured_fps", None, False),
        ("$frame.comes_from_video_file", None, False),
        ("$frame.image.1.2", [15, 16, 17], True),
    ],
)
def test_frame_selectors(selector: str, expected: Any, uses_image: bool, frame: VideoFrame) -> None:
    parameter = compile_parameter("p", selector)
    value = parameter.resolve(PREDICTIONS, frame)
    assert (value.tolist() if isinstance(value, np.ndarray) else value) == expected
    assert parameter.uses_frame_image is uses_image


@pytest.mark.parametrize("selector", ["$frame", "$frame.image"])
def test_whole_frame_and_image_use_the_image(selector: str, frame: VideoFrame) -> None:
    parameter = compile_parameter("p", selector)
    assert parameter.uses_frame_image
    assert parameter.resolve(PREDICTIONS, frame) is (frame if selector == "$frame" else frame.image)


@pytest.mark.parametrize("selector", ["$frame", "$frame.frame_id", "$frame.image.0"])
def test_frame_selectors_without_a_frame_give_none(selector: str) -> None:
    assert compile_parameter("p", selector).resolve(PREDICTIONS, None) is None


def test_missing_path_is_logged_at_debug(caplog: pytest.LogCaptureFixture) -> None:
    parameter = compile_parameter("count", "$predictions.nothing.here")
    with caplog.at_level(logging.DEBUG, logger="sms_sink.parameters"):
        assert parameter.resolve(PREDICTIONS, None) is None
    assert [record.levelno for record in caplog.records] == [logging.DEBUG]
    assert "message_parameters.count" in caplog.text
    assert "'nothing'" in caplog.text


def test_frame_fields_come_from_video_frame() -> None:
    assert {"image", "frame_id", "frame_timestamp", "source_id", "fps"} <= set(FRAME_FIELDS)


@pytest.mark.parametrize(
    ("name", "value", "field", "fragment"),
    [
        ("a", "$visualization", "message_parameters.a", "reserved for media"),
        ("a", "$inputs.threshold", "message_parameters.a", "from_workflow_step"),
        ("a", "$steps.model.predictions", "message_parameters.a", "workflow selector"),
        ("a", "$prediction", "message_parameters.a", "supported: $predictions, $frame"),
        ("a", "$predictons", "message_parameters.a", "unknown selector root"),
        ("a", "$predictions.", "message_parameters.a", "empty path segment"),
        ("a", "$predictions..class", "message_parameters.a", "empty path segment"),
        ("a", "$frame.timestamp", "message_parameters.a", "VideoFrame has no field 'timestamp'"),
        ("a", ["x"], "message_parameters.a", "got list"),
        ("a", {"x": 1}, "message_parameters.a", "got dict"),
        ("a", b"$predictions", "message_parameters.a", "got bytes"),
        ("a-b", 1, "message_parameters.a-b", "letters, digits and '_'"),
        ("", 1, "message_parameters.", "letters, digits and '_'"),
        (5, 1, "message_parameters", "names must be str"),
    ],
)
def test_invalid_parameters_name_the_field(name: Any, value: Any, field: str, fragment: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        compile_parameter(name, value)
    assert caught.value.field == field
    assert fragment in str(caught.value)
    assert isinstance(caught.value, ValueError)
