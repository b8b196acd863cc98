"""The media path of an MMS alert: draw the predictions, encode to JPEG under Twilio's and
the carriers' size caps, and store the bytes behind an expiring URL.

Everything here except the stores is synchronous CPU work meant for a small thread pool
(cv2 releases the GIL), never for the event loop or the pipeline thread.
"""

from __future__ import annotations

from .encode import MMS_TOTAL_BYTES, JpegEncoder, as_bgr
from .stores import LocalMediaServer, MediaStore, MemoryMediaStore, S3MediaStore
from .visualize import Visualizer, annotate_frame, render_visualization

__all__ = [
    "MMS_TOTAL_BYTES",
    "JpegEncoder",
    "LocalMediaServer",
    "MediaStore",
    "MemoryMediaStore",
    "S3MediaStore",
    "Visualizer",
    "annotate_frame",
    "as_bgr",
    "render_visualization",
]
