"""Shared fixtures: a generated video, the sandbox over loopback, providers pointed at it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

import pytest

os.environ.setdefault("DISABLE_VERSION_CHECK", "True")

from sms_sink import RoboflowManagedProvider, TwilioProvider  # noqa: E402
from sms_sink.sandbox import SandboxServer  # noqa: E402
from support import SENDER, write_video  # noqa: E402


@pytest.fixture(scope="session")
def video_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_video(tmp_path_factory.mktemp("video") / "moving.mp4")


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    """A sandbox on its own thread, usable from synchronous pipeline code."""
    with SandboxServer.run_in_thread() as server:
        yield server


@pytest.fixture
def twilio(sandbox: SandboxServer) -> TwilioProvider:
    return TwilioProvider(
        SandboxServer.DEFAULT_ACCOUNT_SID, SandboxServer.DEFAULT_AUTH_TOKEN, SENDER, base_url=sandbox.url
    )


@pytest.fixture
def roboflow(sandbox: SandboxServer) -> RoboflowManagedProvider:
    return RoboflowManagedProvider(SandboxServer.DEFAULT_API_KEY, base_url=sandbox.url)


@pytest.fixture(scope="session")
def moto_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """moto's S3 server as a subprocess on 127.0.0.1 with an OS-chosen port."""
    log = tmp_path_factory.mktemp("moto") / "server.log"
    with log.open("w") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", "0"],
            stdout=sink, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    try:
        yield _wait_for_port(process, log)
    finally:
        process.terminate()
        process.wait(timeout=10)


def _wait_for_port(process: subprocess.Popen, log: Path) -> str:
    deadline = time.monotonic() + 30.0
    while time.monotonic() < deadline:
        match = re.search(r"Running on (http://127\.0\.0\.1:\d+)", log.read_text())
        if match:
            return match.group(1)
        if process.poll() is not None:
            break
        time.sleep(0.05)
    raise RuntimeError(f"moto server did not start:\n{log.read_text()}")
