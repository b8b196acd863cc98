"""Turns an accepted alert into text and attachments, on a worker thread.

Runs in the sink's small thread pool, never on the pipeline thread nor on the event loop:
operations, template rendering, annotation and JPEG encoding are CPU work (cv2 releases
the GIL while it encodes, so two threads give nearly twice the throughput).
"""

from __future__ import annotations

from .attachments import FRAME, VISUALIZATION, MediaPlan
from .detections import to_detections
from .dispatch import Alert, PreparedAlert
from .errors import MediaError
from .media.encode import JpegEncoder
from .media.visualize import Visualizer, annotate_frame
from .messages import Attachment
from .template import MessageTemplate

__all__ = ["Preparer"]


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
        self._visualizer = visualizer or annotate_frame

    def __call__(self, alert: Alert) -> PreparedAlert:
        rendered = self._template.render(alert.snapshot)
        images = []
        for item in self._media.items:
            if item == FRAME:
                images.append(alert.image)
            elif item == VISUALIZATION:
                images.append(self._visualize(alert))
        encoded = iter(self._encoder.fit_total(images) if images else ())
        media = tuple(
            Attachment(data=next(encoded)) if item in (FRAME, VISUALIZATION) else Attachment(url=item)
            for item in self._media.items
        )
        return PreparedAlert(
            body=rendered.text, segments=rendered.segments, force_mms=rendered.needs_mms, media=media
        )

    def _visualize(self, alert: Alert):  # type: ignore[no-untyped-def]
        try:
            detections = to_detections(alert.predictions)
        except (TypeError, ValueError) as exc:
            raise MediaError(f"$visualization needs detections in the predictions: {exc}") from None
        annotated = self._visualizer(alert.image, detections)
        if annotated is None:
            raise MediaError("media_visualizer returned None; it must return the annotated image")
        return annotated
