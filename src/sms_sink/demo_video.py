"""A generated, deterministic "camera" video for the offline demo and the tests.

A static, textured background (gradient, soft blotches, a fixed grain, a few buildings and
a road) is crossed by a "person" and a "car" at known times, with quiet stretches before,
between and after, so a motion detector fires a few distinct alerts. The schedule scales
with the video length; ``expected_motion_intervals`` and ``object_boxes_at`` expose it so
tests can check detections against ground truth. For the default 8 s: person 1.2-3.2 s,
car 4.0-5.76 s, person 6.56-7.76 s (about 2.6 s apart, so a cooldown up to ~2.5 s gives
three alerts; the default 5 s gives two).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from sms_sink.errors import ConfigurationError

__all__ = ["MotionInterval", "expected_motion_intervals", "object_boxes_at", "write_demo_video"]


@dataclass(frozen=True)
class MotionInterval:
    """One object crossing the frame: visible (moving) from ``start_s`` to ``end_s``."""

    label: str
    start_s: float
    end_s: float

    def contains(self, t: float) -> bool:
        """Whether the object is (at least partly) in view at video time ``t`` seconds."""
        return self.start_s < t < self.end_s


@dataclass(frozen=True)
class _Crossing:
    """A scheduled crossing, in fractions of the video length and of the frame size."""

    label: str
    start: float
    end: float
    left_to_right: bool
    size_wh: tuple[float, float]
    ground_y: float  # bottom edge of the object
    color_bgr: tuple[int, int, int]


_CROSSINGS = (
    _Crossing("person", 0.15, 0.40, True, (0.05, 0.30), 0.86, (60, 40, 200)),
    _Crossing("car", 0.50, 0.72, False, (0.20, 0.12), 0.95, (200, 120, 30)),
    _Crossing("person", 0.82, 0.97, False, (0.045, 0.26), 0.80, (40, 170, 240)),
)
_TEMPORAL_NOISE_SIGMA = 1.5  # sensor noise, well under what MOG2 calls motion
_NOISE_BANK = 6


def expected_motion_intervals(*, seconds: float = 8.0) -> tuple[MotionInterval, ...]:
    """When each object is in view in a ``write_demo_video(seconds=...)`` file."""
    return tuple(MotionInterval(c.label, c.start * seconds, c.end * seconds) for c in _CROSSINGS)


def object_boxes_at(
    t: float, *, width: int = 1280, height: int = 720, seconds: float = 8.0
) -> list[tuple[str, tuple[int, int, int, int]]]:
    """Labels and ``(x0, y0, x1, y1)`` boxes (clipped to the frame) of objects in view at ``t``."""
    boxes = []
    for crossing, (x0, y0, x1, y1) in _placements(t, width, height, seconds):
        box = (max(0, x0), y0, min(width, x1), y1)
        if box[2] > box[0]:
            boxes.append((crossing.label, box))
    return boxes


def _placements(
    t: float, width: int, height: int, seconds: float
) -> list[tuple[_Crossing, tuple[int, int, int, int]]]:
    """Crossings under way at ``t`` with their unclipped boxes (partly off-screen at the edges)."""
    placed = []
    for crossing in _CROSSINGS:
        start, end = crossing.start * seconds, crossing.end * seconds
        if not start < t < end:
            continue
        w, h = round(crossing.size_wh[0] * width), round(crossing.size_wh[1] * height)
        x0 = round(-w + (width + w) * (t - start) / (end - start))
        if not crossing.left_to_right:
            x0 = width - w - x0
        y1 = round(crossing.ground_y * height)
        placed.append((crossing, (x0, y1 - h, x0 + w, y1)))
    return placed


def write_demo_video(
    path: str | Path,
    *,
    width: int = 1280,
    height: int = 720,
    fps: int = 15,
    seconds: float = 8,
    seed: int = 0,
) -> Path:
    """Write the demo mp4 (codec mp4v) to ``path`` and return it; same seed, same pixels."""
    for field, side in (("width", width), ("height", height)):
        if side < 64 or side % 2:
            raise ConfigurationError(field, f"must be an even number of pixels >= 64, got {side}")
    for field, value in (("fps", fps), ("seconds", seconds)):
        if not value > 0:
            raise ConfigurationError(field, f"must be > 0, got {value}")
    path = Path(path)
    rng = np.random.default_rng(seed)
    background = _background(width, height, rng)
    # Sensor noise from a small bank of pre-noised backgrounds: realistic flicker for MOG2
    # at the cost of a copy per frame instead of a full-frame random draw.
    noisy = [
        np.clip(background + rng.normal(0.0, _TEMPORAL_NOISE_SIGMA, size=(height, width, 1)), 0, 255)
        .astype(np.uint8)
        for _ in range(_NOISE_BANK)
    ]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), float(fps), (width, height))
    if not writer.isOpened():
        raise OSError(f"cannot open a video writer for {path}")
    try:
        for index in range(round(fps * seconds)):
            frame = noisy[int(rng.integers(_NOISE_BANK))].copy()
            for crossing, box in _placements(index / fps, width, height, seconds):
                _draw_object(frame, crossing.label, box, crossing.color_bgr)
            writer.write(frame)
    finally:
        writer.release()
    return path


def _background(width: int, height: int, rng: np.random.Generator) -> np.ndarray:
    """A still scene that is not trivially flat: sky and ground, blotches, buildings, road, grain."""
    ys = np.linspace(0.0, 1.0, height, dtype=np.float32)[:, None, None]
    xs = np.linspace(0.0, 1.0, width, dtype=np.float32)[None, :, None]
    horizon = int(0.55 * height)
    sky = np.array([205, 175, 140], np.float32) - np.array([40, 30, 20], np.float32) * ys
    ground = np.array([95, 125, 110], np.float32) - np.array([20, 25, 20], np.float32) * ys
    scene = np.where(np.arange(height)[:, None, None] < horizon, sky, ground) + 15 * xs
    scene = np.broadcast_to(scene, (height, width, 3)).copy()
    blotches = rng.normal(0.0, 12.0, size=(max(2, height // 90), max(2, width // 90), 1))
    soft = cv2.resize(blotches.astype(np.float32), (width, height), interpolation=cv2.INTER_CUBIC)
    scene += soft[..., None]
    for _ in range(6):
        x0 = int(rng.integers(0, width - width // 8))
        w = int(rng.integers(width // 16, width // 6))
        top = int(rng.integers(height // 8, horizon - height // 10))
        shade = rng.uniform(70, 150, size=3).astype(np.float32)
        scene[top:horizon, x0 : x0 + w] = scene[top:horizon, x0 : x0 + w] * 0.3 + shade * 0.7
        for wy in range(top + 8, horizon - 8, max(8, height // 30)):  # windows
            scene[wy : wy + max(2, height // 90), x0 + 4 : x0 + w - 4 : 12] *= 0.6
    scene[int(0.82 * height) : int(0.98 * height)] *= 0.55  # road
    scene += rng.normal(0.0, 5.0, size=(height, width, 1)).astype(np.float32)  # fixed grain
    return np.clip(scene, 0, 255).astype(np.float32)


def _draw_object(
    frame: np.ndarray, label: str, box: tuple[int, int, int, int], color: tuple[int, int, int]
) -> None:
    """Draw a person (body and head) or a car (ellipse body and a window) filling ``box``."""
    x0, y0, x1, y1 = box
    if label == "car":
        center = ((x0 + x1) // 2, (y0 + y1) // 2)
        axes = (max(1, (x1 - x0) // 2), max(1, (y1 - y0) // 2))
        cv2.ellipse(frame, center, axes, 0, 0, 360, color, thickness=-1)
        quarter = (x1 - x0) // 4
        cv2.rectangle(frame, (x0 + quarter, y0 + 2), (x1 - quarter, center[1]), (40, 40, 40), -1)
        return
    head = max(2, (x1 - x0) // 2)
    cv2.rectangle(frame, (x0, y0 + 2 * head), (x1, y1), color, thickness=-1)
    cv2.circle(frame, ((x0 + x1) // 2, y0 + head), head, (120, 160, 200), thickness=-1)
