"""A built-in motion detector, so the offline demo and ``--detector motion`` need no model.

``MotionDetector`` runs OpenCV MOG2 background subtraction on a downscaled, blurred copy
of each frame, cleans the mask with morphology, and turns the outer contours into boxes.
It keeps one background model per ``VideoFrame.source_id`` because the pipeline feeds it
frames from every camera in turn, and a shared model would see each camera switch as
motion everywhere.

Used as ``on_video_frame`` for ``InferencePipeline.init_with_custom_logic`` it returns one
Roboflow-style response dict per frame, so sinks, templates and ``sv.Detections.from_inference``
treat it exactly like a real object-detection model.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
import supervision as sv

from sms_sink.errors import ConfigurationError

__all__ = ["MOTION_CLASS_ID", "MOTION_CLASS_NAME", "MotionDetector"]

MOTION_CLASS_NAME = "motion"
MOTION_CLASS_ID = 0

_SHADOW_CUTOFF = 200  # MOG2 marks shadows 127 and foreground 255
_OPEN_KERNEL = cv2.getStructuringElement(cv2.MORPH_RECT, (3, 3))
_CLOSE_KERNEL = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (7, 7))
_MIN_MAX_SIDE = 32


@dataclass
class _SourceState:
    """Background model of one camera and how many frames it has seen."""

    subtractor: cv2.BackgroundSubtractorMOG2
    shape: tuple[int, ...]
    frames_seen: int = 0


class MotionDetector:
    """Detect moving regions; usable directly as an ``on_video_frame`` handler.

    Example::

        detector = MotionDetector(min_area=800, zone=[(0, 400), (1280, 400), (1280, 720), (0, 720)])
        sink = SMSNotificationSink(..., alert_when=has_detections)  # it answers every frame
        pipeline = InferencePipeline.init_with_custom_logic(
            video_reference="cam.mp4", on_video_frame=detector, on_prediction=sink
        )

    ``min_area`` and ``zone`` are in original frame pixels whatever ``max_side`` is.
    ``area`` is the moving region's contour area (not its box area). The first
    ``warmup_frames`` frames of each source (at least its first frame, which has nothing to
    compare with) only train the background model. Something that stops moving fades into
    the background after roughly ``history / 10`` frames; raise ``history`` to keep it longer.
    """

    def __init__(
        self,
        *,
        min_area: int = 500,
        zone: Sequence[tuple[int, int]] | np.ndarray | None = None,
        zone_anchor: sv.Position | str = sv.Position.CENTER,
        warmup_frames: int = 10,
        history: int = 200,
        var_threshold: float = 25.0,
        detect_shadows: bool = False,
        blur: int = 5,
        max_side: int | None = 640,
    ) -> None:
        self._min_area = _non_negative_int("min_area", min_area)
        self._warmup_frames = _non_negative_int("warmup_frames", warmup_frames)
        self._history = _non_negative_int("history", history)
        if self._history < 1:
            raise ConfigurationError("history", "must be at least 1 frame; 200 is a good start")
        self._learning_rate = 1.0 / self._history
        if isinstance(var_threshold, bool) or not isinstance(var_threshold, (int, float)):
            raise ConfigurationError("var_threshold", f"must be a number, got {var_threshold!r}")
        if not (math.isfinite(var_threshold) and var_threshold > 0):
            raise ConfigurationError(
                "var_threshold", f"must be a finite number > 0 (try 16-50), got {var_threshold!r}"
            )
        self._var_threshold = float(var_threshold)
        if not isinstance(detect_shadows, bool):
            raise ConfigurationError("detect_shadows", f"must be True or False, got {detect_shadows!r}")
        self._detect_shadows = detect_shadows
        self._blur = _non_negative_int("blur", blur)
        if self._blur and self._blur % 2 == 0:
            raise ConfigurationError("blur", f"must be 0 (off) or an odd kernel size, got {blur}")
        if max_side is not None:
            max_side = _non_negative_int("max_side", max_side)
            if max_side < _MIN_MAX_SIDE:
                raise ConfigurationError(
                    "max_side", f"must be None (full size) or >= {_MIN_MAX_SIDE}, got {max_side}"
                )
        self._max_side = max_side
        self._zone_anchor = _position(zone_anchor)
        self._zone = None if zone is None else _polygon_zone(zone, self._zone_anchor)
        self._sources: dict[Hashable, _SourceState] = {}

    def __call__(self, video_frames: list[Any]) -> list[dict[str, Any]]:
        """Return one Roboflow-style prediction dict per ``VideoFrame``, in order."""
        responses = []
        for frame in video_frames:
            image = frame.image
            detections = self.detect(image, source_id=frame.source_id)
            responses.append(
                _to_response(
                    detections,
                    width=image.shape[1],
                    height=image.shape[0],
                    frame_id=frame.frame_id,
                    source_id=frame.source_id,
                )
            )
        return responses

    def detect(self, image: np.ndarray, source_id: Hashable = 0) -> sv.Detections:
        """Feed ``image`` (BGR uint8) to ``source_id``'s model and return its moving regions."""
        if not isinstance(image, np.ndarray) or image.ndim not in (2, 3) or image.size == 0:
            raise ValueError("image must be a non-empty HxW or HxWxC numpy array (BGR uint8)")
        height, width = image.shape[:2]
        scale = 1.0
        if self._max_side is not None and max(height, width) > self._max_side:
            scale = self._max_side / max(height, width)
            size = (max(1, round(width * scale)), max(1, round(height * scale)))
            image = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
        if self._blur:
            image = cv2.GaussianBlur(image, (self._blur, self._blur), 0)
        state = self._state_for(source_id, image.shape)
        state.frames_seen += 1
        # Learn fast (OpenCV's automatic rate) while warming up, then at 1/history: the
        # automatic rate stays high for ~history/2 frames and would soak slow movers into
        # the background within a few frames.
        warming_up = state.frames_seen <= max(1, self._warmup_frames)
        mask = state.subtractor.apply(image, learningRate=-1 if warming_up else self._learning_rate)
        if warming_up:
            return _empty_detections()
        return self._mask_to_detections(mask, scale=scale, width=width, height=height)

    def reset(self, source_id: Hashable | None = None) -> None:
        """Forget the background of one source (or all), e.g. after the camera moved."""
        if source_id is None:
            self._sources.clear()
        else:
            self._sources.pop(source_id, None)

    def __repr__(self) -> str:
        return (
            f"MotionDetector(min_area={self._min_area}, zone={self._zone is not None}, "
            f"warmup_frames={self._warmup_frames}, max_side={self._max_side}, "
            f"sources={len(self._sources)})"
        )

    def _state_for(self, source_id: Hashable, shape: tuple[int, ...]) -> _SourceState:
        """The source's model, rebuilt when its frame size changes (e.g. a reconnect)."""
        state = self._sources.get(source_id)
        if state is None or state.shape != shape:
            subtractor = cv2.createBackgroundSubtractorMOG2(
                history=self._history,
                varThreshold=self._var_threshold,
                detectShadows=self._detect_shadows,
            )
            state = self._sources[source_id] = _SourceState(subtractor=subtractor, shape=shape)
        return state

    def _mask_to_detections(
        self, mask: np.ndarray, *, scale: float, width: int, height: int
    ) -> sv.Detections:
        """Clean the foreground mask and turn its blobs into boxes in original pixels."""
        if self._detect_shadows:
            _, mask = cv2.threshold(mask, _SHADOW_CUTOFF, 255, cv2.THRESH_BINARY)
        mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, _OPEN_KERNEL)
        mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, _CLOSE_KERNEL, iterations=2)
        contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        area_factor = 1.0 / (scale * scale)
        boxes, areas = [], []
        for contour in contours:
            area = cv2.contourArea(contour) * area_factor
            if area < self._min_area or area == 0:
                continue
            x, y, w, h = cv2.boundingRect(contour)
            boxes.append(
                (
                    x / scale,
                    y / scale,
                    min((x + w) / scale, width),
                    min((y + h) / scale, height),
                )
            )
            areas.append(round(area))
        if not boxes:
            return _empty_detections()
        detections = sv.Detections(
            xyxy=np.asarray(boxes, dtype=np.float32),
            confidence=np.ones(len(boxes), dtype=np.float32),
            class_id=np.full(len(boxes), MOTION_CLASS_ID, dtype=int),
            data={
                "class_name": np.full(len(boxes), MOTION_CLASS_NAME),
                "area": np.asarray(areas, dtype=np.int64),
            },
        )
        if self._zone is not None:
            detections = detections[self._zone.trigger(detections)]
        return detections


def _empty_detections() -> sv.Detections:
    """No motion, with the same data keys as a non-empty result."""
    return sv.Detections(
        xyxy=np.empty((0, 4), dtype=np.float32),
        confidence=np.empty(0, dtype=np.float32),
        class_id=np.empty(0, dtype=int),
        data={"class_name": np.empty(0, dtype="<U6"), "area": np.empty(0, dtype=np.int64)},
    )


def _to_response(
    detections: sv.Detections, *, width: int, height: int, frame_id: Any, source_id: Any
) -> dict[str, Any]:
    """Shape detections like a Roboflow object-detection response (boxes by center)."""
    predictions = []
    for (x0, y0, x1, y1), area in zip(detections.xyxy.tolist(), detections.data["area"].tolist()):
        predictions.append(
            {
                "x": (x0 + x1) / 2,
                "y": (y0 + y1) / 2,
                "width": x1 - x0,
                "height": y1 - y0,
                "confidence": 1.0,
                "class": MOTION_CLASS_NAME,
                "class_id": MOTION_CLASS_ID,
                "detection_id": str(uuid.uuid4()),
                "area": int(area),
            }
        )
    return {
        "image": {"width": int(width), "height": int(height)},
        "predictions": predictions,
        "frame_id": frame_id,
        "source_id": source_id,
    }


def _non_negative_int(field: str, value: Any) -> int:
    """Validate an integer setting >= 0."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ConfigurationError(field, f"must be an integer, got {value!r}")
    if value < 0:
        raise ConfigurationError(field, f"must be >= 0, got {value}")
    return int(value)


def _position(value: sv.Position | str) -> sv.Position:
    """Accept an ``sv.Position`` or its name, e.g. ``"BOTTOM_CENTER"``."""
    if isinstance(value, sv.Position):
        return value
    try:
        return sv.Position(str(value).upper())
    except ValueError:
        names = ", ".join(p.value for p in sv.Position)
        raise ConfigurationError("zone_anchor", f"must be one of {names}; got {value!r}") from None


def _polygon_zone(zone: Sequence[tuple[int, int]] | np.ndarray, anchor: sv.Position) -> sv.PolygonZone:
    """Validate the polygon (original pixels) and build the supervision zone."""
    try:
        polygon = np.asarray(zone, dtype=float)
    except (TypeError, ValueError):
        raise ConfigurationError("zone", "must be a list of (x, y) points") from None
    if polygon.ndim != 2 or polygon.shape[1] != 2 or len(polygon) < 3:
        raise ConfigurationError(
            "zone", f"must hold at least 3 (x, y) points, got an array of shape {polygon.shape}"
        )
    if not np.isfinite(polygon).all() or (polygon < 0).any():
        raise ConfigurationError("zone", "points must be finite, non-negative pixel coordinates")
    return sv.PolygonZone(polygon=np.rint(polygon).astype(np.int64), triggering_anchors=(anchor,))
