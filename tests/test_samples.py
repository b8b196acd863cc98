"""Every sample compiles; the runnable ones run offline against the sandbox, as users would."""

from __future__ import annotations

import ast
import importlib.util
import os
import py_compile
import subprocess
import sys
import types
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest
from streamvision.camera.entities import VideoFrame
from streamvision.stream.pipeline import InferencePipeline

from sms_sink import RoboflowManagedProvider, TwilioProvider
from sms_sink.demo_video import write_demo_video
from sms_sink.media.stores import LocalMediaServer
from sms_sink.sandbox import SandboxServer

from support import RECEIVER

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
ENV = {**os.environ, "DISABLE_VERSION_CHECK": "True"}


def load(name: str) -> types.ModuleType:
    """Import ``samples/<name>.py`` as a module (registered while it runs: dataclasses need that)."""
    spec = importlib.util.spec_from_file_location(f"sample_{name}", SAMPLES / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    return module


def run(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=timeout, env=ENV,
                          cwd=SAMPLES.parent)


def test_the_four_samples_exist() -> None:
    assert sorted(p.name for p in SAMPLES.glob("*.py")) == [
        "model_alert_with_visualization.py", "motion_alert_rtsp.py", "multi_camera.py", "sandbox_in_your_tests.py"]


@pytest.mark.parametrize("path", sorted(SAMPLES.glob("*.py")), ids=lambda p: p.stem)
def test_compiles(path: Path, tmp_path: Path) -> None:
    py_compile.compile(str(path), cfile=str(tmp_path / "out.pyc"), doraise=True)


@pytest.mark.parametrize("name", ["motion_alert_rtsp", "multi_camera"])
def test_help_runs(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        load(name).main(["--help"])
    assert done.value.code == 0 and "--to" in capsys.readouterr().out


def test_motion_alert_rtsp_sends_the_annotated_frame(sandbox: SandboxServer, twilio: TwilioProvider,
                                                      tmp_path: Path) -> None:
    sample = load("motion_alert_rtsp")
    video = write_demo_video(tmp_path / "cam.mp4", width=320, height=240, seconds=4)
    store = LocalMediaServer("http://127.0.0.1:0", host="127.0.0.1", port=0)
    sink = sample.make_sink(RECEIVER, provider=twilio, media_store=store, cooldown_seconds=1, cooldown_clock="video")
    sample.watch(str(video), sink)
    messages = sandbox.messages
    assert [m.body for m in messages] == ["Motion on the driveway camera: 1 moving object(s)"] * 3
    assert all(len(m.images) == 1 and m.images[0].content_type == "image/jpeg" for m in messages)


def test_multi_camera_offline() -> None:
    done = run("samples/multi_camera.py", "--offline")
    assert done.returncode == 0, done.stderr
    assert "front door (1 s cooldown): 3 alerts; car park (10 s cooldown): 1 alert" in done.stdout


def test_sandbox_in_your_tests_passes_under_pytest() -> None:
    done = run("-m", "pytest", "-q", "-p", "no:cacheprovider", "samples/sandbox_in_your_tests.py")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "5 passed" in done.stdout


def test_model_sample_uses_inference_pipeline() -> None:
    tree = ast.parse((SAMPLES / "model_alert_with_visualization.py").read_text())
    imports = {(node.module, alias.name) for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
               for alias in node.names}
    calls = {ast.unparse(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}
    strings = {node.value for node in ast.walk(tree) if isinstance(node, ast.Constant)}
    assert ("inference", "InferencePipeline") in imports and "InferencePipeline.init" in calls
    assert "$visualization" in strings


@pytest.fixture
def fake_inference(monkeypatch: pytest.MonkeyPatch) -> None:
    """``inference`` needs torch and model weights: stand in with the same InferencePipeline class."""
    monkeypatch.setitem(sys.modules, "inference", types.SimpleNamespace(InferencePipeline=InferencePipeline))


def test_model_sample_alert_rule(fake_inference: None, sandbox: SandboxServer,
                                 roboflow: RoboflowManagedProvider) -> None:
    """The sample's sink and rule, fed a model response by hand: only confident people count."""
    sample = load("model_alert_with_visualization")
    response = {"predictions": [
        {"x": 40.0, "y": 50.0, "width": 20.0, "height": 60.0, "confidence": 0.91, "class": "person", "class_id": 0},
        {"x": 90.0, "y": 50.0, "width": 20.0, "height": 60.0, "confidence": 0.62, "class": "person", "class_id": 0},
        {"x": 120.0, "y": 60.0, "width": 30.0, "height": 20.0, "confidence": 0.95, "class": "car", "class_id": 2},
        {"x": 20.0, "y": 20.0, "width": 10.0, "height": 30.0, "confidence": 0.3, "class": "person", "class_id": 0},
    ]}
    frame = VideoFrame(image=np.zeros((120, 160, 3), np.uint8), frame_id=1, frame_timestamp=datetime.now(),
                       source_id=0)
    with sample.make_sink(RECEIVER, provider=roboflow) as sink:
        rule = sample.alert_on_people(sink)
        rule({"predictions": response["predictions"][2:3]}, frame)  # a car only: no alert
        rule(response, frame)
    [message] = sandbox.messages
    assert message.body == "2 person(s) on camera 0 (0.91)"
    assert message.api == "roboflow" and len(message.images) == 1
