"""The preparer: text and attachments of one alert, as the workers build them."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
import supervision as sv

from sms_sink.attachments import MediaPlan
from sms_sink.dispatch import Alert
from sms_sink.media.encode import JpegEncoder
from sms_sink.preparation import Preparer
from sms_sink.template import MessageTemplate

BOX = {"x": 200.0, "y": 200.0, "width": 120.0, "height": 120.0, "class": "person", "class_id": 0, "confidence": 0.9}


def draw_in_place(image: np.ndarray, detections: sv.Detections) -> np.ndarray:
    """What users write: supervision annotators draw on the array they are given."""
    return sv.BoxAnnotator(thickness=6).annotate(image, detections)


def prepared_images(media_url: list[str], visualizer: object) -> list[np.ndarray]:
    frame = np.full((480, 640, 3), 90, np.uint8)
    preparer = Preparer(MessageTemplate("alert", None, None), MediaPlan.parse(media_url),
                        encoder=JpegEncoder(quality=95), visualizer=visualizer)  # type: ignore[arg-type]
    alert = Alert(source_id=0, receivers=("+15551234567",), snapshot=MessageTemplate("alert", None, None).snapshot(
        None, None), image=frame, predictions={"predictions": [BOX]})
    prepared = preparer(alert)
    return [cv2.imdecode(np.frombuffer(a.data, np.uint8), cv2.IMREAD_COLOR) for a in prepared.media]


@pytest.mark.parametrize("order", [["$frame.image", "$visualization"], ["$visualization", "$frame.image"]])
@pytest.mark.parametrize("visualizer", [None, draw_in_place], ids=["default", "user-in-place"])
def test_the_raw_frame_stays_raw_beside_a_visualization(order: list[str], visualizer: object) -> None:
    images = dict(zip(order, prepared_images(order, visualizer)))
    raw, drawn = images["$frame.image"], images["$visualization"]
    assert np.abs(raw.astype(int) - 90).max() <= 4  # JPEG noise only: no box on the raw frame
    assert np.abs(drawn.astype(int) - 90).max() > 60  # the box is on the visualization


def test_a_user_visualizer_draws_on_the_sinks_copy_when_alone() -> None:
    [drawn] = prepared_images(["$visualization"], draw_in_place)
    assert np.abs(drawn.astype(int) - 90).max() > 60
