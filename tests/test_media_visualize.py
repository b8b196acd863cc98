"""The default visualizer and render_visualization (predictions -> annotated frame)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
import supervision as sv

from sms_sink.errors import MediaError
from sms_sink.media.visualize import annotate_frame, labels_for, render_visualization

BOXES = np.array([[100, 120, 300, 400], [700, 200, 900, 500]], dtype=np.float64)


def detections(**overrides: object) -> sv.Detections:
    fields: dict = {
        "xyxy": BOXES,
        "confidence": np.array([0.871, 0.5]),
        "class_id": np.array([0, 2]),
        "data": {"class_name": np.array(["person", "car"])},
    }
    fields.update(overrides)
    return sv.Detections(**fields)


def gray_frame(height: int = 720, width: int = 1280) -> np.ndarray:
    return np.full((height, width, 3), 60, np.uint8)


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({}, ["person 0.87", "car 0.50"]),
        ({"tracker_id": np.array([7, 12])}, ["#7 person 0.87", "#12 car 0.50"]),
        ({"data": {}}, ["0 0.87", "2 0.50"]),
        ({"confidence": None}, ["person", "car"]),
    ],
    ids=["class-confidence", "tracked", "no-class-name", "no-confidence"],
)
def test_labels(overrides: dict, expected: list[str]) -> None:
    assert labels_for(detections(**overrides)) == expected


def test_annotate_draws_boxes_and_one_label_per_detection_on_a_copy() -> None:
    frame = gray_frame()
    before = frame.copy()
    out = annotate_frame(frame, detections())
    assert out is not frame and np.array_equal(frame, before)  # input untouched
    changed = np.any(out != before, axis=2)
    for x1, y1, x2, y2 in BOXES.astype(int):
        assert changed[y1:y2, x1].mean() > 0.9 and changed[y1:y2, x2 - 1].mean() > 0.9  # sides
        interior = changed[y1 + 60 : y2 - 10, x1 + 10 : x2 - 10]
        assert not interior.any()  # boxes are outlines, the scene stays visible
        label_band = changed[max(0, y1 - 25) : y1, x1 : x1 + 80]
        assert label_band.mean() > 0.5  # the label background sits above the box
    assert not changed[600:, :].any() and not changed[:, 1000:].any()  # nothing elsewhere
    # One filled label per detection: blobs left once the box outlines are masked out.
    outside = changed.copy()
    for x1, y1, x2, y2 in BOXES.astype(int):
        outside[y1 - 3 : y2 + 3, x1 - 3 : x2 + 3] = False
    count, _ = cv2.connectedComponents(outside.astype(np.uint8))
    assert count - 1 == len(BOXES)


@pytest.mark.parametrize(("height", "width"), [(360, 640), (2160, 3840)])
def test_line_thickness_follows_resolution(height: int, width: int) -> None:
    scale = width / 1280
    boxes = (BOXES * scale).astype(np.float64)
    out = annotate_frame(gray_frame(height, width), detections(xyxy=boxes))
    x1, y1, _, y2 = boxes[0].astype(int)
    row = np.any(out[(y1 + y2) // 2] != 60, axis=1)
    thickness = int(np.count_nonzero(row[max(0, x1 - 10) : x1 + 10]))
    expected = sv.calculate_optimal_line_thickness((width, height))
    assert thickness in (expected, expected + 1)  # cv2 centres the line: t or t+1 pixels


def test_boxes_without_class_ids_or_confidence_are_still_drawn() -> None:
    bare = sv.Detections(xyxy=BOXES)
    out = annotate_frame(gray_frame(), bare)
    assert labels_for(bare) == ["", ""]
    changed = np.any(out != 60, axis=2)
    for x1, y1, x2, y2 in BOXES.astype(int):
        assert changed[y1:y2, x1].all()
        assert not changed[y1 - 25 : y1 - 5, x1 : x1 + 80].any()  # no empty label boxes


def test_empty_detections_return_an_unchanged_copy() -> None:
    frame = gray_frame()
    out = annotate_frame(frame, sv.Detections.empty())
    assert out is not frame and np.array_equal(out, frame)


def test_no_predictions_give_the_plain_frame() -> None:
    frame = gray_frame()
    assert np.array_equal(render_visualization(frame, None), frame)


def test_gray_frames_are_refused_with_the_conversion_to_use() -> None:
    with pytest.raises(MediaError, match="GRAY2BGR"):
        annotate_frame(np.full((720, 1280), 60, np.uint8), detections())


def roboflow_response() -> dict:
    return {
        "image": {"width": 1280, "height": 720},
        "predictions": [
            {"x": 200, "y": 260, "width": 200, "height": 280, "class": "person",
             "class_id": 0, "confidence": 0.9, "detection_id": "a"},
        ],
    }


def test_render_visualization_accepts_a_roboflow_response() -> None:
    frame = gray_frame()
    out = render_visualization(frame, roboflow_response())
    assert np.any(out[120:400, 100] != 60)  # left side of the box
    assert np.array_equal(frame, gray_frame())


def test_render_visualization_uses_a_custom_visualizer() -> None:
    seen: list[int] = []

    def invert(image: np.ndarray, dets: sv.Detections) -> np.ndarray:
        seen.append(len(dets))
        return 255 - image

    out = render_visualization(gray_frame(), detections(), invert)
    assert seen == [2] and np.all(out == 195)


@pytest.mark.parametrize(
    ("predictions", "visualizer", "words"),
    [
        ({"no": "predictions"}, None, ("cannot draw", "predictions")),
        ([{"x": 1}], None, ("cannot draw", "not a box")),
        (None, lambda image, dets: 1 / 0, ("media_visualizer", "ZeroDivisionError")),
        (None, lambda image, dets: "not an image", ("ndarray", "str")),
        (None, lambda image, dets: None, ("media_visualizer", "returned None", "HxWx3")),
        (None, lambda image, dets: image.astype(np.float32), ("float32",)),
    ],
    ids=["bad-response", "bad-prediction", "visualizer-raises", "returns-str", "returns-none", "returns-float"],
)
def test_render_visualization_errors_are_media_errors(
    predictions: object, visualizer: object, words: tuple[str, ...]
) -> None:
    value = predictions if predictions is not None else detections()
    with pytest.raises(MediaError) as info:
        render_visualization(gray_frame(), value, visualizer)  # type: ignore[arg-type]
    for word in words:
        assert word in str(info.value)
