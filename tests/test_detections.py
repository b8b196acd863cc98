"""Roboflow predictions to sv.Detections."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import supervision as sv

from sms_sink.detections import is_detections_like, to_detections


def prediction(index: int, **extra: Any) -> dict[str, Any]:
    box = {
        "x": 100.0 + index,
        "y": 50.0,
        "width": 20.0,
        "height": 10.0,
        "confidence": 0.9 - index / 10,
        "class": "car" if index % 2 else "person",
        "class_id": index % 2,
        "detection_id": f"det-{index}",
        "parent_id": "image",
    }
    box.update(extra)
    return box


def response(predictions: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "inference_id": "inf-1",
        "time": 0.01,
        "image": {"width": 640, "height": 480},
        "predictions": predictions,
    }


def test_response_becomes_boxes_with_columns() -> None:
    detections = to_detections(response([prediction(i, tracker_id=7 + i) for i in range(3)]))

    assert len(detections) == 3
    np.testing.assert_allclose(detections.xyxy[0], [90.0, 45.0, 110.0, 55.0])
    np.testing.assert_allclose(detections.confidence, [0.9, 0.8, 0.7])
    assert detections.class_id.tolist() == [0, 1, 0]
    assert detections.tracker_id.tolist() == [7, 8, 9]
    assert detections.data["class_name"].tolist() == ["person", "car", "person"]
    assert detections.data["detection_id"].tolist() == ["det-0", "det-1", "det-2"]
    assert detections.data["parent_id"].tolist() == ["image"] * 3
    assert detections.data["image_dimensions"].tolist() == [[480, 640]] * 3
    assert detections.data["inference_id"].tolist() == ["inf-1"] * 3


def test_boxes_match_supervision_from_inference() -> None:
    payload = response([prediction(i, tracker_id=i) for i in range(10)])
    ours, theirs = to_detections(payload), sv.Detections.from_inference(payload)

    np.testing.assert_allclose(ours.xyxy, theirs.xyxy)
    np.testing.assert_allclose(ours.confidence, theirs.confidence)
    assert ours.class_id.tolist() == theirs.class_id.tolist()
    assert ours.tracker_id.tolist() == theirs.tracker_id.tolist()
    assert ours.data["class_name"].tolist() == theirs.data["class_name"].tolist()


@pytest.mark.parametrize(
    ("value", "expected_classes"),
    [
        ([prediction(0), prediction(1)], ["person", "car"]),
        ((prediction(1),), ["car"]),
        ({"predictions": [prediction(0)]}, ["person"]),  # no image key needed
    ],
)
def test_bare_predictions_convert(value: Any, expected_classes: list[str]) -> None:
    detections = to_detections(value)
    assert detections.data["class_name"].tolist() == expected_classes
    assert "image_dimensions" not in detections.data


@pytest.mark.parametrize("value", [[], (), {"predictions": []}, response([])])
def test_empty_predictions_give_empty_detections(value: Any) -> None:
    detections = to_detections(value)
    assert len(detections) == 0
    assert detections.xyxy.shape == (0, 4)
    assert detections.data["class_name"].shape == (0,)


def test_detections_are_returned_as_is() -> None:
    detections = sv.Detections(xyxy=np.array([[0.0, 0.0, 1.0, 1.0]]))
    assert to_detections(detections) is detections


@pytest.mark.parametrize(
    ("key", "values", "kept"),
    [
        ("tracker_id", [1, None], False),  # partly tracked: dropped, like supervision
        ("tracker_id", [1, 2], True),
        ("detection_id", ["a", 3], False),  # mixed types: dropped
        ("zone", ["in", "out"], True),  # any shared scalar key is kept
        ("points", [[{"x": 1, "y": 2}]] * 2, False),  # nested values are not columns
    ],
)
def test_columns_kept_only_when_every_prediction_has_them(
    key: str, values: list[Any], kept: bool
) -> None:
    predictions = [prediction(i) for i in range(2)]
    for item, value in zip(predictions, values):
        item[key] = value
    detections = to_detections(predictions)
    present = detections.tracker_id is not None if key == "tracker_id" else key in detections.data
    assert present == kept
    if kept and key != "tracker_id":
        assert detections.data[key].tolist() == values


def test_segmentation_keeps_boxes_without_rasterising_masks() -> None:
    points = [{"x": 95.0, "y": 45.0}, {"x": 105.0, "y": 45.0}, {"x": 100.0, "y": 55.0}]
    detections = to_detections(response([prediction(0, points=points)]))
    assert detections.mask is None
    np.testing.assert_allclose(detections.xyxy, [[90.0, 45.0, 110.0, 55.0]])


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (None, "cannot convert NoneType"),
        ("predictions", "cannot convert str"),
        (5, "cannot convert int"),
        ({"predictions": {"cat": {"confidence": 0.9}}}, "cannot convert dict"),
        ({"top": "cat", "confidence": 0.9}, "cannot convert dict"),
        ([{"class": "cat", "confidence": 0.9}], "prediction 0 is not a box"),
        ([prediction(0), 3], "prediction 1 is not a box"),
    ],
)
def test_other_values_raise_type_error(value: Any, message: str) -> None:
    with pytest.raises(TypeError, match=message):
        to_detections(value)
    assert not is_detections_like(value)


@pytest.mark.parametrize(
    "value",
    [
        sv.Detections.empty(),
        [],
        [prediction(0)],
        response([prediction(0), prediction(1)]),
    ],
)
def test_is_detections_like_accepts_what_converts(value: Any) -> None:
    assert is_detections_like(value)
    assert isinstance(to_detections(value), sv.Detections)


@pytest.mark.parametrize(
    ("predictions", "expected"),
    [
        ({"predictions": [{"x": 1.0, "y": 2.0, "width": 3.0, "height": 4.0}]}, True),
        ({"predictions": []}, False),
        ([{"x": 1.0, "y": 2.0, "width": 3.0, "height": 4.0}], True),
        (sv.Detections(xyxy=np.array([[0.0, 0.0, 1.0, 1.0]])), True),
        (sv.Detections.empty(), False),
        ({"top": "cat", "predictions": [{"class": "cat", "confidence": 0.9}]}, False),  # a classification
        (None, False),
    ],
)
def test_has_detections(predictions: object, expected: bool) -> None:
    from sms_sink import has_detections

    assert has_detections(predictions, None) is expected
