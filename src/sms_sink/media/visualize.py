"""``"$visualization"``: the frame with the predictions drawn on it.

The default :func:`annotate_frame` draws boxes and "class confidence" labels (with
``#tracker_id`` when tracked) sized for the frame's resolution. Any
``(frame, detections) -> image`` callable can replace it (``media_visualizer=``). Drawing
is CPU work for the media thread pool, not the event loop.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Callable

import numpy as np
import supervision as sv

from ..errors import MediaError
from .encode import as_bgr

__all__ = ["Visualizer", "annotate_frame", "labels_for", "render_visualization"]

#: ``(BGR frame, detections) -> BGR image``; must not modify the frame it is given.
Visualizer = Callable[[np.ndarray, sv.Detections], np.ndarray]


@lru_cache(maxsize=8)
def _annotators(width: int, height: int) -> tuple[sv.BoxAnnotator, sv.LabelAnnotator]:
    """Annotators styled for one resolution (they are stateless, so shared by threads)."""
    thickness = sv.calculate_optimal_line_thickness((width, height))
    scale = max(0.4, sv.calculate_optimal_text_scale((width, height)))
    box = sv.BoxAnnotator(thickness=thickness)
    label = sv.LabelAnnotator(
        text_scale=scale,
        text_thickness=max(1, thickness // 2),
        text_padding=max(4, thickness * 2),
        # smart_position spreads overlapping labels in pure Python under the GIL (~17 ms at
        # 1080p with 5 boxes, 2x the JPEG encode): too slow for an alert path.
        smart_position=False,
    )
    return box, label


def labels_for(detections: sv.Detections) -> list[str]:
    """One label per detection: ``"#7 person 0.87"`` (parts that are missing are left out)."""
    names = detections.data.get("class_name") if detections.data else None
    labels = []
    for i in range(len(detections)):
        parts = []
        if detections.tracker_id is not None:
            parts.append(f"#{int(detections.tracker_id[i])}")
        if names is not None:
            parts.append(str(names[i]))
        elif detections.class_id is not None:
            parts.append(str(int(detections.class_id[i])))
        if detections.confidence is not None:
            parts.append(f"{float(detections.confidence[i]):.2f}")
        labels.append(" ".join(parts))
    return labels


def annotate_frame(image: np.ndarray, detections: sv.Detections, *, in_place: bool = False) -> np.ndarray:
    """Return ``image`` with boxes and labels drawn, on a copy unless ``in_place``.

    ``in_place`` is for a frame the caller owns (the sink's own snapshot): it saves a
    full-frame copy per alert.
    """
    scene = as_bgr(image)
    if not in_place and np.may_share_memory(scene, image):
        scene = scene.copy()
    if len(detections) == 0:
        return scene
    height, width = scene.shape[:2]
    box, label = _annotators(width, height)
    # Colour by class; detections without class ids get one colour per box instead.
    lookup = None if detections.class_id is not None else np.arange(len(detections))
    scene = box.annotate(scene, detections, custom_color_lookup=lookup)
    labels = labels_for(detections)
    if not any(labels):
        return scene
    return label.annotate(scene, detections, labels=labels, custom_color_lookup=lookup)


def render_visualization(
    image: np.ndarray, predictions: Any, visualizer: Visualizer | None = None
) -> np.ndarray:
    """Convert ``predictions`` (``sv.Detections`` or a Roboflow response) and draw them.

    ``None`` (a frame the model skipped) draws nothing: the alert still gets its picture.
    Raises :class:`MediaError` when the predictions cannot be read or the visualizer fails
    or returns something that is not an image.
    """
    from ..detections import to_detections  # lazy: keeps media importable on its own

    try:
        detections = to_detections([] if predictions is None else predictions)
    except (TypeError, ValueError) as exc:
        raise MediaError(f"cannot draw the predictions: {exc}") from exc
    draw = visualizer or annotate_frame
    try:
        result = draw(image, detections)
    except MediaError:
        raise
    except Exception as exc:
        name = getattr(draw, "__qualname__", type(draw).__name__)
        raise MediaError(f"media_visualizer {name} raised {type(exc).__name__}: {exc}") from exc
    try:
        return as_bgr(result)
    except MediaError as exc:
        name = getattr(draw, "__qualname__", type(draw).__name__)
        raise MediaError(f"media_visualizer {name} returned {_describe(result)}; it must return "
                         f"an HxWx3 uint8 BGR image ({exc})") from None


def _describe(value: Any) -> str:
    """What a visualizer returned, in a few words, for its error message."""
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    return "None" if value is None else f"a {type(value).__name__}"

