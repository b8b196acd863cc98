"""Helpers shared by the test modules (fixtures live in conftest.py)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

RECEIVER = "+15551234567"
SENDER = "+15557654321"

def write_video(path: Path, *, frames: int = 60, width: int = 320, height: int = 240, fps: int = 30) -> Path:
    """A small mp4 with a moving square (what the pipeline tests decode)."""
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (width, height))
    for i in range(frames):
        frame = np.full((height, width, 3), 40, np.uint8)
        x = (i * 4) % (width - 40)
        cv2.rectangle(frame, (x, 80), (x + 40, 120), (0, 200, 0), -1)
        writer.write(frame)
    writer.release()
    return path


def detections_response(n: int) -> dict:
    """A Roboflow object-detection response with ``n`` boxes."""
    return {
        "image": {"width": 320, "height": 240},
        "predictions": [
            {"x": 30.0 + 20 * i, "y": 50.0, "width": 10.0, "height": 10.0, "confidence": 0.9,
             "class": "person" if i % 2 == 0 else "car", "class_id": i % 2, "detection_id": f"d{i}"}
            for i in range(n)
        ],
    }
