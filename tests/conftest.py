"""Shared fixtures: a generated video, the sandbox over loopback, providers pointed at it."""

from __future__ import annotations

import os
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
