"""MotionDetector on synthetic frames, the demo video, and the real InferencePipeline."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
import supervision as sv
from streamvision.camera.entities import VideoFrame

from sms_sink.demo_video import (
    expected_motion_intervals,
    object_boxes_at,
    write_demo_video,
)
from sms_sink.detectors import MotionDetector
from sms_sink.errors import ConfigurationError

BLOCK_COLOR = (20, 220, 240)


def scene(width: int, height: int, seed: int = 0) -> np.ndarray:
    """A textured still background (not flat, so MOG2 has something to learn)."""
    rng = np.random.default_rng(seed)
    base = rng.integers(60, 180, size=(height // 8 + 1, width // 8 + 1, 3), dtype=np.uint8)
    image = cv2.resize(base, (width, height), interpolation=cv2.INTER_LINEAR)
    return cv2.GaussianBlur(image, (5, 5), 0)


def with_blocks(background: np.ndarray, *boxes: tuple[int, int, int, int]) -> np.ndarray:
    frame = background.copy()
    for x0, y0, x1, y1 in boxes:
        cv2.rectangle(frame, (x0, y0), (x1 - 1, y1 - 1), BLOCK_COLOR, thickness=-1)
    return frame


def feed_background(
    detector: MotionDetector, background: np.ndarray, n: int, source_id: Any = 0
) -> None:
    for _ in range(n):
        assert len(detector.detect(background, source_id=source_id)) == 0


Box = tuple[int, int, int, int]


def moving_boxes(start: Box, steps: int, dx: int = 24) -> list[Box]:
    x0, y0, x1, y1 = start
    return [(x0 + i * dx, y0, x1 + i * dx, y1) for i in range(steps)]


def iou(a: Any, b: Any) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union else 0.0


def frame_of(image: np.ndarray, frame_id: int, source_id: int = 0) -> VideoFrame:
    return VideoFrame(
        image=image,
        frame_id=frame_id,
        frame_timestamp=datetime.datetime(2026, 1, 1),
        fps=15.0,
        source_id=source_id,
        comes_from_video_file=True,
    )


# --- synthetic frames -------------------------------------------------------------------


@pytest.mark.parametrize("warmup_frames", [0, 3, 10])
def test_static_scene_never_moves(warmup_frames: int) -> None:
    rng = np.random.default_rng(1)
    background = scene(1280, 720).astype(np.int16)
    noisy = [  # sensor noise
        np.clip(background + rng.integers(-3, 4, background.shape, dtype=np.int16), 0, 255).astype(np.uint8)
        for _ in range(4)
    ]
    detector = MotionDetector(warmup_frames=warmup_frames)
    assert [len(detector.detect(noisy[i % 4])) for i in range(30)] == [0] * 30


@pytest.mark.parametrize(
    ("width", "height", "max_side"),
    [
        (1280, 720, 640),  # downscaled 2x
        (1280, 720, 320),  # downscaled 4x
        (1280, 720, None),  # full size
        (640, 360, 640),  # already small: untouched
    ],
)
def test_moving_block_box_is_in_original_coordinates(
    width: int, height: int, max_side: int | None
) -> None:
    background = scene(width, height)
    detector = MotionDetector(max_side=max_side, warmup_frames=5)
    feed_background(detector, background, 10)
    size = width // 10
    path = moving_boxes((width // 5, height // 3, width // 5 + size, height // 3 + size), steps=6)
    for box in path:
        detections = detector.detect(with_blocks(background, box))
    scale = 1.0 if max_side is None else min(1.0, max_side / max(width, height))
    tolerance = 4 + 6 / scale  # blur + closing + downscale rounding
    assert len(detections) == 1
    np.testing.assert_allclose(detections.xyxy[0], path[-1], atol=tolerance)
    assert detections.data["class_name"].tolist() == ["motion"]
    assert detections.class_id.tolist() == [0]
    assert detections.data["area"][0] == pytest.approx(size * size, rel=0.2)


@pytest.mark.parametrize(
    ("block_side", "min_area", "expected"),
    [
        (12, 500, 0),  # 144 px: below the default minimum
        (40, 500, 1),  # 1600 px
        (40, 2500, 0),  # 1600 px < 2500
        (60, 2500, 1),  # 3600 px
    ],
)
def test_min_area_filters_small_blobs(block_side: int, min_area: int, expected: int) -> None:
    background = scene(640, 360)
    detector = MotionDetector(min_area=min_area, warmup_frames=0, max_side=None)
    feed_background(detector, background, 10)
    for box in moving_boxes((100, 100, 100 + block_side, 100 + block_side), steps=4):
        detections = detector.detect(with_blocks(background, box))
    assert len(detections) == expected


LEFT_HALF = [(0, 0), (320, 0), (320, 360), (0, 360)]


@pytest.mark.parametrize(
    ("zone_anchor", "expected_boxes"),
    [
        # blocks: inside (x 60..120), straddling (x 290..370, center outside), outside (x 460..520)
        (sv.Position.CENTER, [(60, 100, 120, 160)]),
        ("TOP_LEFT", [(60, 100, 120, 160), (290, 100, 370, 160)]),
        (sv.Position.BOTTOM_RIGHT, [(60, 100, 120, 160)]),
    ],
)
def test_zone_keeps_only_motion_inside(zone_anchor: Any, expected_boxes: list[tuple[int, ...]]) -> None:
    background = scene(640, 360)
    detector = MotionDetector(zone=LEFT_HALF, zone_anchor=zone_anchor, warmup_frames=0, max_side=None)
    feed_background(detector, background, 10)
    final = [(60, 100, 120, 160), (290, 100, 370, 160), (460, 100, 520, 160)]
    for step in range(3, -1, -1):  # each block slides down onto its final place
        boxes = [(x0, y0 - 12 * step, x1, y1 - 12 * step) for x0, y0, x1, y1 in final]
        detections = detector.detect(with_blocks(background, *boxes))
    found = sorted(detections.xyxy.tolist())
    assert len(found) == len(expected_boxes)
    for got, want in zip(found, sorted(expected_boxes)):
        np.testing.assert_allclose(got, want, atol=6)


def test_sources_keep_separate_backgrounds_and_warmups() -> None:
    """Interleaved cameras with different scenes (and sizes) must not see each other as motion."""
    backgrounds = {0: scene(640, 360, seed=1), 7: scene(480, 270, seed=2)}
    detector = MotionDetector(warmup_frames=4)
    counts: dict[int, list[int]] = {0: [], 7: []}
    for _ in range(12):
        for source_id, background in backgrounds.items():
            counts[source_id].append(len(detector.detect(background, source_id=source_id)))
    for box in moving_boxes((50, 50, 110, 110), steps=5):
        counts[0].append(len(detector.detect(backgrounds[0], source_id=0)))
        counts[7].append(len(detector.detect(with_blocks(backgrounds[7], box), source_id=7)))
    assert counts[0] == [0] * 17
    assert counts[7] == [0] * 12 + [1] * 5
    # A source seen for the first time now still gets its own warm-up.
    late = scene(640, 360, seed=3)
    first = [
        len(detector.detect(with_blocks(late, box), source_id=9))
        for box in moving_boxes((50, 50, 110, 110), 6)
    ]
    assert first[:4] == [0, 0, 0, 0]


@pytest.mark.parametrize("warmup_frames", [1, 6])
def test_no_detections_during_warmup(warmup_frames: int) -> None:
    background = scene(640, 360)
    detector = MotionDetector(warmup_frames=warmup_frames)
    detector.detect(background)  # first frame: background only
    results = [
        len(detector.detect(with_blocks(background, box)))
        for box in moving_boxes((50, 50, 110, 110), 10)
    ]
    assert results == [0] * (warmup_frames - 1) + [1] * (11 - warmup_frames)


def test_frame_size_change_restarts_the_source() -> None:
    detector = MotionDetector(warmup_frames=2)
    feed_background(detector, scene(640, 360), 5)
    resized = scene(320, 180)
    assert [len(detector.detect(resized)) for _ in range(4)] == [0, 0, 0, 0]


@pytest.mark.parametrize(("reset_id", "warming_up"), [(0, {0}), (1, {1}), (None, {0, 1})])
def test_reset_restarts_warmup(reset_id: int | None, warming_up: set[int]) -> None:
    background = scene(640, 360)
    detector = MotionDetector(warmup_frames=3)
    for source_id in (0, 1):
        feed_background(detector, background, 5, source_id)
    detector.reset(reset_id)
    found = set()
    for box in moving_boxes((50, 50, 110, 110), steps=3):
        found |= {s for s in (0, 1) if len(detector.detect(with_blocks(background, box), source_id=s))}
    assert found == {0, 1} - warming_up


def test_call_returns_one_roboflow_response_per_frame() -> None:
    background = scene(1280, 720)
    detector = MotionDetector(warmup_frames=0)
    detector([frame_of(background, i, source_id=s) for i in range(1, 9) for s in (0, 1)])
    box = None
    for i, box in enumerate(moving_boxes((200, 300, 400, 420), steps=4), start=9):
        responses = detector([frame_of(background, i, 0), frame_of(with_blocks(background, box), i, 1)])
    assert [(r["frame_id"], r["source_id"]) for r in responses] == [(12, 0), (12, 1)]
    assert responses[0]["predictions"] == []
    assert responses[1]["image"] == {"width": 1280, "height": 720}
    (prediction,) = responses[1]["predictions"]
    assert (prediction["class"], prediction["class_id"], prediction["confidence"]) == ("motion", 0, 1.0)
    assert isinstance(prediction["area"], int) and prediction["area"] > 20_000
    assert len(prediction["detection_id"]) == 36
    assert prediction["x"] == pytest.approx((box[0] + box[2]) / 2, abs=6)
    assert prediction["width"] == pytest.approx(box[2] - box[0], abs=12)
    detections = sv.Detections.from_inference(responses[1])
    assert detections.data["class_name"].tolist() == ["motion"]
    assert iou(detections.xyxy[0], box) > 0.85


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"min_area": -1}, "min_area"),
        ({"min_area": 2.5}, "min_area"),
        ({"warmup_frames": -3}, "warmup_frames"),
        ({"history": 0}, "history"),
        ({"var_threshold": 0}, "var_threshold"),
        ({"var_threshold": float("nan")}, "var_threshold"),
        ({"detect_shadows": "yes"}, "detect_shadows"),
        ({"blur": 4}, "blur"),
        ({"blur": True}, "blur"),
        ({"max_side": 8}, "max_side"),
        ({"zone": [(0, 0), (10, 10)]}, "zone"),
        ({"zone": [(0, 0), (10, -1), (5, 5)]}, "zone"),
        ({"zone": "left half"}, "zone"),
        ({"zone_anchor": "MIDDLE"}, "zone_anchor"),
    ],
)
def test_bad_configuration_names_the_field(kwargs: dict[str, Any], field: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        MotionDetector(**kwargs)
    assert caught.value.field == field


# --- demo video ---------------------------------------------------------------------------


def read_frames(path: Path) -> tuple[list[np.ndarray], float]:
    capture = cv2.VideoCapture(str(path))
    frames = []
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        frames.append(frame)
    fps = capture.get(cv2.CAP_PROP_FPS)
    capture.release()
    return frames, fps


def test_demo_video_plays_back_and_is_deterministic(tmp_path: Path) -> None:
    first = write_demo_video(tmp_path / "a.mp4", width=320, height=180, fps=10, seconds=2, seed=5)
    again = write_demo_video(tmp_path / "b.mp4", width=320, height=180, fps=10, seconds=2, seed=5)
    other = write_demo_video(tmp_path / "c.mp4", width=320, height=180, fps=10, seconds=2, seed=6)
    frames, fps = read_frames(first)
    assert len(frames) == 20 and fps == pytest.approx(10) and frames[0].shape == (180, 320, 3)
    assert all(np.array_equal(a, b) for a, b in zip(frames, read_frames(again)[0]))
    assert not np.array_equal(frames[0], read_frames(other)[0][0])
    assert frames[0].std() > 10  # textured, not flat


def test_demo_schedule_scales_with_length() -> None:
    short, default = expected_motion_intervals(seconds=4), expected_motion_intervals()
    assert [i.label for i in default] == ["person", "car", "person"]
    assert [(i.start_s * 2, i.end_s * 2) for i in short] == [(i.start_s, i.end_s) for i in default]
    for before, after in zip(default, default[1:]):
        assert before.end_s < after.start_s  # quiet gap between crossings
    assert object_boxes_at(0.0) == [] and not any(i.contains(0.0) for i in default)
    assert [i.label for i in default if i.contains(default[1].start_s + 0.1)] == ["car"]
    (label, box) = object_boxes_at(default[1].start_s + 0.5 * (default[1].end_s - default[1].start_s))[0]
    assert label == "car" and 0 < box[0] < box[2] < 1280


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [("width", {"width": 63}), ("height", {"height": 101}), ("fps", {"fps": 0}), ("seconds", {"seconds": -1})],
)
def test_demo_video_rejects_bad_settings(tmp_path: Path, field: str, kwargs: dict[str, Any]) -> None:
    with pytest.raises(ConfigurationError) as caught:
        write_demo_video(tmp_path / "x.mp4", **kwargs)
    assert caught.value.field == field


# --- the real InferencePipeline -----------------------------------------------------------

SECONDS, FPS = 4, 15


def run_pipeline(video_reference: Any, detector: MotionDetector) -> dict[int, dict[int, dict[str, Any]]]:
    """Run the pipeline to the end; return {source_id: {frame_id: prediction}}."""
    from streamvision.stream.pipeline import InferencePipeline

    collected: dict[int, dict[int, dict[str, Any]]] = {}

    def collect(predictions: Any, video_frames: Any) -> None:
        if not isinstance(video_frames, list):
            predictions, video_frames = [predictions], [video_frames]
        for prediction, frame in zip(predictions, video_frames):
            if frame is not None:
                collected.setdefault(frame.source_id, {})[frame.frame_id] = prediction

    pipeline = InferencePipeline.init_with_custom_logic(
        video_reference=video_reference, on_video_frame=detector, on_prediction=collect
    )
    pipeline.start()
    pipeline.join()
    return collected


def check_against_schedule(
    by_frame: dict[int, dict[str, Any]], *, width: int, height: int, warmup: int
) -> None:
    """Quiet while nothing moves (after warm-up), the object found while it crosses."""
    intervals = expected_motion_intervals(seconds=SECONDS)
    margin = 2 / FPS  # an object at the very edge may be too small to count
    assert sorted(by_frame) == list(range(1, SECONDS * FPS + 1))
    moving = quiet = 0
    for frame_id, prediction in by_frame.items():
        t = (frame_id - 1) / FPS
        boxes = [
            (p["x"] - p["width"] / 2, p["y"] - p["height"] / 2, p["x"] + p["width"] / 2, p["y"] + p["height"] / 2)
            for p in prediction["predictions"]
        ]
        assert prediction["image"] == {"width": width, "height": height}
        if frame_id <= warmup:
            assert boxes == []
        elif not any(i.start_s - margin <= t <= i.end_s + margin for i in intervals):
            assert boxes == [], f"motion at t={t:.2f}s in a quiet stretch"
            quiet += 1
        elif any(i.start_s + margin < t < i.end_s - margin for i in intervals):
            (label, expected), = object_boxes_at(t, width=width, height=height, seconds=SECONDS)
            assert len(boxes) == 1 and iou(boxes[0], expected) > 0.6, (t, label, boxes, expected)
            moving += 1
    assert quiet >= 5 and moving >= 25


def test_pipeline_on_demo_video(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISABLE_VERSION_CHECK", "True")
    video = write_demo_video(tmp_path / "demo.mp4", width=640, height=360, fps=FPS, seconds=SECONDS)
    collected = run_pipeline(str(video), MotionDetector(warmup_frames=3))
    assert list(collected) == [0]
    check_against_schedule(collected[0], width=640, height=360, warmup=3)


def test_pipeline_with_two_sources_keeps_state_per_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DISABLE_VERSION_CHECK", "True")
    videos = [
        write_demo_video(tmp_path / "a.mp4", width=640, height=360, fps=FPS, seconds=SECONDS, seed=1),
        write_demo_video(tmp_path / "b.mp4", width=480, height=270, fps=FPS, seconds=SECONDS, seed=2),
    ]
    collected = run_pipeline([str(v) for v in videos], MotionDetector(warmup_frames=3))
    assert sorted(collected) == [0, 1]
    check_against_schedule(collected[0], width=640, height=360, warmup=3)
    check_against_schedule(collected[1], width=480, height=270, warmup=3)
