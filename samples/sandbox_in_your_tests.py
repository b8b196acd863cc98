"""How to test your own alert rules: the sandbox stands in for Twilio, over real HTTP.

    pytest samples/sandbox_in_your_tests.py

The sandbox validates requests like Twilio (auth, E.164, length, media), records every
message, and injects faults (429s, refusals, latency), so a test can check the exact text
a person would receive, how often, and what happens when the provider says no.
No account, no network: everything runs on 127.0.0.1.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Iterator

import numpy as np
import pytest
from streamvision.camera.entities import VideoFrame

from sms_sink import DeliveryResult, SMSNotificationSink, TwilioProvider
from sms_sink.sandbox import RateLimit, SandboxServer, TwilioError

RECEIVER = "+15551234567"
T0 = datetime(2026, 1, 1, 12, 0, 0)


# -- the alert rule under test (in your project, import it from your code) ----------------
def make_alert(provider: TwilioProvider, **overrides: object) -> SMSNotificationSink:
    settings = dict(
        receiver_number=RECEIVER,
        message="{{ $parameters.n }} people at the {{ $parameters.cam }}",
        message_parameters={"n": "$predictions.predictions", "cam": "$frame.source_id"},
        message_parameters_operations={
            "n": [{"type": "SequenceLength"}],
            "cam": [{"type": "LookupTable", "lookup_table": {0: "front door", 1: "back door"}}],
        },
        provider=provider,
        cooldown_seconds=60,
        cooldown_clock="video",  # the tests move video time instead of sleeping
    )
    return SMSNotificationSink(**(settings | overrides))


# -- fixtures and helpers ------------------------------------------------------------------
@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer.run_in_thread() as server:
        yield server


@pytest.fixture
def provider(sandbox: SandboxServer) -> TwilioProvider:
    return TwilioProvider(sandbox.account_sid, sandbox.auth_token, "+15005550006", base_url=sandbox.url)


def people(n: int) -> dict:
    """A detection model's response with ``n`` people."""
    return {"predictions": [{"x": 50.0 + 10 * i, "y": 40.0, "width": 8.0, "height": 20.0, "confidence": 0.9,
                             "class": "person", "class_id": 0, "detection_id": str(i)} for i in range(n)]}


def frame(seconds: float = 0.0, camera: int = 0) -> VideoFrame:
    return VideoFrame(image=np.zeros((120, 160, 3), np.uint8), frame_id=1,
                      frame_timestamp=T0 + timedelta(seconds=seconds), source_id=camera)


# -- the tests -------------------------------------------------------------------------------
@pytest.mark.parametrize(("n", "camera", "text"), [(1, 0, "1 people at the front door"),
                                                   (3, 1, "3 people at the back door")])
def test_the_text_people_receive(sandbox: SandboxServer, provider: TwilioProvider, n: int, camera: int,
                                 text: str) -> None:
    with make_alert(provider) as alert:
        alert(people(n), frame(camera=camera))
    [message] = sandbox.wait_for_messages(1)
    assert (message.body, message.to, message.num_segments) == (text, RECEIVER, 1)


def test_one_message_per_minute_per_camera(sandbox: SandboxServer, provider: TwilioProvider) -> None:
    with make_alert(provider) as alert:
        for second in range(0, 150, 10):  # 2.5 minutes of video, a detection every 10 s
            alert(people(1), frame(second, camera=0))
        alert(people(1), frame(0, camera=1))  # the other camera has its own window
    bodies = sorted(m.body for m in sandbox.messages)
    assert bodies == ["1 people at the back door"] + ["1 people at the front door"] * 3  # at 0, 60 and 120 s


def test_rate_limits_are_retried(sandbox: SandboxServer, provider: TwilioProvider) -> None:
    sandbox.inject(RateLimit(retry_after=0), times=2)
    with make_alert(provider) as alert:
        alert(people(2), frame())
    assert sandbox.requests == 3 and len(sandbox.messages) == 1
    assert alert.stats()["retried"] == 2


def test_a_refusal_is_reported_not_retried(sandbox: SandboxServer, provider: TwilioProvider) -> None:
    results: list[DeliveryResult] = []
    sandbox.inject(TwilioError(21610))  # the receiver replied STOP
    with make_alert(provider, on_result=results.append) as alert:
        alert(people(1), frame())
    [result] = results
    assert (result.ok, result.error_code, result.attempts) == (False, 21610, 1)
    assert sandbox.messages == [] and alert.stats()["failed"] == 1
