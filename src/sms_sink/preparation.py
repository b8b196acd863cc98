"""Turns an accepted alert into text and attachments, on a worker thread.

Runs in the sink's small thread pool, never on the pipeline thread nor on the event loop:
operations, template rendering, annotation and JPEG encoding are CPU work (cv2 releases
the GIL while it encodes, so two threads give nearly twice the throughput).
"""

from __future__ import annotations

import concurrent.futures
import functools
import os
import threading

import numpy as np
import supervision as sv

from .attachments import FRAME, VISUALIZATION, MediaPlan
from .dispatch import Alert, PreparedAlert
from .media.encode import JpegEncoder
from .media.visualize import Visualizer, annotate_frame, render_visualization
from .messages import Attachment
from .template import MessageTemplate

__all__ = ["Preparer", "media_executor"]

#: Niceness added to the media threads: the video comes first. When frames arrive faster
#: than alerts can be encoded (cooldown 0 on a busy camera), the kernel gives the CPU to the
#: pipeline's decode threads and encoding takes what is left; the bounded queue absorbs it.
MEDIA_THREAD_NICENESS = 10


def media_executor(threads: int = 2) -> concurrent.futures.ThreadPoolExecutor:
    """The small pool that renders and encodes; its threads run at a lower priority."""
    return concurrent.futures.ThreadPoolExecutor(
        max_workers=threads, thread_name_prefix="sms-sink-media", initializer=_lower_priority
    )


def _lower_priority() -> None:
    """Raise this thread's niceness (Linux schedules threads individually; elsewhere a no-op)."""
    try:
        tid = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, tid, os.getpriority(os.PRIO_PROCESS, tid) + MEDIA_THREAD_NICENESS)
    except (AttributeError, OSError):
        pass


class Preparer:
    """``Preparer(alert) -> PreparedAlert``; shared by every receiver of the alert."""

    def __init__(
        self,
        template: MessageTemplate,
        media: MediaPlan,
        *,
        encoder: JpegEncoder,
        visualizer: Visualizer | None = None,
    ) -> None:
        self._template = template
        self._media = media
        self._encoder = encoder
        # The snapshot is the sink's own copy: when the raw frame is not attached as well,
        # any visualizer may draw on it. When it is, the raw frame must stay raw: the default
        # visualizer draws on a copy, and a user's (supervision annotators draw in place) gets one.
        if FRAME not in media.items:
            visualizer = visualizer or functools.partial(annotate_frame, in_place=True)
        elif visualizer is not None:
            visualizer = _on_a_copy(visualizer)
        self._visualizer = visualizer

    def __call__(self, alert: Alert) -> PreparedAlert:
        rendered = self._template.render(alert.snapshot)
        images = []
        visualization = None
        for item in self._media.items:
            if item == FRAME:
                images.append(alert.image)
            elif item == VISUALIZATION:
                if visualization is None:  # drawn once, even when listed twice
                    visualization = render_visualization(alert.image, alert.predictions, self._visualizer)
                images.append(visualization)
        encoded = iter(self._encoder.fit_total(images) if images else ())
        media = tuple(
            Attachment(data=next(encoded)) if item in (FRAME, VISUALIZATION) else Attachment(url=item)
            for item in self._media.items
        )
        return PreparedAlert(
            body=rendered.text, segments=rendered.segments, force_mms=rendered.needs_mms, media=media
        )


def _on_a_copy(visualizer: Visualizer) -> Visualizer:
    """``visualizer`` given its own copy of the frame, so the attached raw frame stays raw."""

    @functools.wraps(visualizer)
    def draw(image: np.ndarray, detections: sv.Detections) -> np.ndarray:
        return visualizer(image.copy(), detections)

    return draw
