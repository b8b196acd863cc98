"""Shared benchmark plumbing: a sandbox in its own process, generated video, A/B pairs."""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

import cv2
import numpy as np

os.environ.setdefault("DISABLE_VERSION_CHECK", "True")

from sms_sink.sandbox import SandboxServer  # noqa: E402

RECEIVER = "+15551234567"
SENDER = "+15557654321"
RESULTS = Path(__file__).with_name("RESULTS.md")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def sandbox_process(latency: float = 0.0, *, fetch_media: bool = False) -> Iterator[str]:
    """The sandbox in a separate, lower-priority process: it stands in for a remote service,
    so its CPU and GIL should not count against the sink on this 2-core machine."""
    port = free_port()
    command = [sys.executable, "-m", "sms_sink.sandbox", "--port", str(port), "--latency", str(latency)]
    proc = subprocess.Popen(
        command + ([] if fetch_media else ["--no-fetch-media"]),
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, preexec_fn=lambda: os.nice(10),
    )
    try:
        assert proc.stdout is not None
        proc.stdout.readline()  # "listening on ..."
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(10)


def dead_url() -> str:
    """A loopback URL nobody listens on: every connection is refused."""
    return f"http://127.0.0.1:{free_port()}"


def camera_frame(width: int = 1920, height: int = 1080, seed: int = 0) -> np.ndarray:
    """Camera-like content (gradient, texture, noise), not a flat image that encodes for free."""
    rng = np.random.default_rng(seed)
    x = np.linspace(0, 255, width, dtype=np.float32)
    y = np.linspace(0, 255, height, dtype=np.float32)[:, None]
    base = np.stack([(x + y) / 2, np.abs(x - y), 255 - (x + y) / 2], axis=-1) % 256
    noise = rng.normal(0, 12, (height, width, 3))
    return np.clip(base + noise, 0, 255).astype(np.uint8)


def write_video(path: Path, *, width: int, height: int, frames: int, fps: int = 30) -> Path:
    if path.exists():
        return path
    base = camera_frame(width, height)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (width, height))
    for i in range(frames):
        frame = base.copy()
        x = (i * 12) % (width - 200)
        cv2.rectangle(frame, (x, height // 3), (x + 200, height // 3 + 300), (30, 200, 30), -1)
        writer.write(frame)
    writer.release()
    return path


def pipeline_seconds(video: str, sink: Callable[[Any, Any], None], prediction: dict,
                     max_fps: float | None = None) -> float:
    """Wall time of the real InferencePipeline over ``video``, every frame predicting ``prediction``;
    ``max_fps`` paces the file like a live camera."""
    from streamvision.stream.pipeline import InferencePipeline

    pipeline = InferencePipeline.init_with_custom_logic(
        video_reference=video, on_video_frame=lambda frames: [prediction for _ in frames], on_prediction=sink,
        max_fps=max_fps,
    )
    t0 = time.perf_counter()
    pipeline.start()
    pipeline.join()
    return time.perf_counter() - t0


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def alternate(runs: dict[str, Callable[[], float]], pairs: int) -> dict[str, list[float]]:
    """Run each variant once per round (A B C, A B C, ...) so drift hits them alike."""
    out: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(pairs):
        for name, run in runs.items():
            out[name].append(run())
    return out


def ratio_summary(numerators: list[float], denominators: list[float]) -> tuple[float, float, float]:
    """Median, min and max of the per-round ratios."""
    ratios = [n / d for n, d in zip(numerators, denominators)]
    return statistics.median(ratios), min(ratios), max(ratios)


def write_figures(name: str, figures: dict[str, Any]) -> None:
    """Keep a run's figures as JSON beside RESULTS.md, for plot.py."""
    import json

    (RESULTS.parent / f"{name}.json").write_text(json.dumps(figures, indent=2) + "\n")


def write_section(title: str, body: str) -> None:
    """Replace (or append) the ``## title`` section of RESULTS.md."""
    text = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n\nMachine: 2 cores, shared.\n"
    header = f"## {title}\n"
    section = f"{header}\n_{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}_\n\n{body.strip()}\n"
    if header in text:
        start = text.index(header)
        end = text.find("\n## ", start + len(header))
        text = text[:start] + section + (text[end:] if end != -1 else "")
    else:
        text = text.rstrip() + "\n\n" + section
    RESULTS.write_text(text)


__all__ = [
    "RECEIVER", "SENDER", "SandboxServer", "alternate", "camera_frame", "dead_url", "percentile", "pipeline_seconds",
    "ratio_summary", "sandbox_process", "write_figures", "write_section", "write_video",
]
