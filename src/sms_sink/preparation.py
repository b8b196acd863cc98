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
from .media.encode import MIN_IMAGE_BYTES, MMS_TOTAL_BYTES, JpegEncoder
from .media.visualize import Visualizer, annotate_frame, render_visualization
from .messages import Attachment
from .template import MessageTemplate

__all__ = ["Preparer", "media_executor"]

#: Niceness added to the media threads: the video comes first. When frames arrive faster
#: than alerts can be encoded (cooldown 0 on a busy camera), the kernel gives the CPU to the
#: pipeline's decode threads and encoding takes what is left; the bounded queue absorbs it.
MEDIA_THREAD_NICENESS = 10
#: How long the first alert's media may wait for the sizes of the message's URL items.
URL_SIZES_WAIT_S = 6.0


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
        self.url_items = tuple(item for item in media.items if item not in (FRAME, VISUALIZATION))
        #: The sizes of ``url_items`` being measured (``remote.content_lengths``); read once, by
        #: the first alert prepared (a media thread may wait for it, never the video).
        self.url_sizes: concurrent.futures.Future[list[int | None]] | None = None
        self._frames_total = MMS_TOTAL_BYTES
        self.reserve_for_urls([None] * len(self.url_items))
        # The snapshot is the sink's own copy: when the raw frame is not attached as well,
        # any visualizer may draw on it. When it is, the raw frame must stay raw: the default
        # visualizer draws on a copy, and a user's (supervision annotators draw in place) gets one.
        if FRAME not in media.items:
            visualizer = visualizer or functools.partial(annotate_frame, in_place=True)
        elif visualizer is not None:
            visualizer = _on_a_copy(visualizer)
        self._visualizer = visualizer

    def reserve_for_urls(self, sizes: list[int | None]) -> None:
        """Twilio's 5 MB is per message: the frames get what the URL items leave.

        ``sizes`` are the URL items' bytes; an unknown one counts as ``media_max_bytes`` (what
        carriers take per image). Each frame keeps at least the encoder's minimum budget.
        """
        frames = len(self._media.items) - len(self.url_items)
        reserved = sum(self._encoder.max_bytes if size is None else size for size in sizes)
        self._frames_total = max(MMS_TOTAL_BYTES - reserved, frames * MIN_IMAGE_BYTES, 1)

    def __call__(self, alert: Alert) -> PreparedAlert:
        pending = self.url_sizes
        if pending is not None:
            try:
                self.reserve_for_urls(pending.result(timeout=URL_SIZES_WAIT_S))
            except Exception:  # not measured: the defaults stay
                pass
            self.url_sizes = None
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
        encoded = iter(self._encoder.fit_total(images, total_bytes=self._frames_total) if images else ())
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
