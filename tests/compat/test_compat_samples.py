"""The model sample with the real ``inference`` package: its import, its sink and its rule.

The main job imports it against a stand-in ``inference``; here the real one is installed, so
the sample's ``from inference import InferencePipeline`` is checked for what users run. Its
``main()`` is not called: it downloads model weights.
"""

from __future__ import annotations

import importlib.util
from datetime import datetime
from pathlib import Path

import inference
import numpy as np
import pytest
from streamvision.camera.entities import VideoFrame

from sms_sink import RoboflowManagedProvider
from sms_sink.sandbox import SandboxServer
from support import RECEIVER

pytestmark = pytest.mark.compat

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "model_alert_with_visualization.py"


def test_model_sample_runs_on_the_real_inference(sandbox: SandboxServer, roboflow: RoboflowManagedProvider) -> None:
    spec = importlib.util.spec_from_file_location("model_alert_with_visualization", SAMPLE)
    assert spec is not None and spec.loader is not None
    sample = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(sample)
    assert sample.InferencePipeline is inference.InferencePipeline
    response = {"predictions": [
        {"x": 40.0, "y": 50.0, "width": 20.0, "height": 60.0, "confidence": 0.91, "class": "person", "class_id": 0},
        {"x": 120.0, "y": 60.0, "width": 30.0, "height": 20.0, "confidence": 0.95, "class": "car", "class_id": 2},
    ]}
    frame = VideoFrame(image=np.zeros((120, 160, 3), np.uint8), frame_id=1, frame_timestamp=datetime.now(),
                       source_id=0)
    with sample.make_sink(RECEIVER, provider=roboflow) as sink:
        sample.alert_on_people(sink)(response, frame)
    [message] = sandbox.messages
    assert message.body == "1 person(s) on camera 0 (0.91)" and len(message.images) == 1
