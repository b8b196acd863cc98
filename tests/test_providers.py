"""Providers against the sandbox over real HTTP: success shapes and every error class."""

from __future__ import annotations

import asyncio
import socket

import cv2
import numpy as np
import pytest

from sms_sink import (
    AmbiguousDeliveryError,
    Attachment,
    ConfigurationError,
    ConnectionFailedError,
    OutboundMessage,
    PermanentDeliveryError,
    RateLimitedError,
    RoboflowManagedProvider,
    TwilioProvider,
)
from sms_sink.sandbox import SandboxServer, faults

from support import RECEIVER, SENDER

SID, TOKEN, KEY = SandboxServer.DEFAULT_ACCOUNT_SID, SandboxServer.DEFAULT_AUTH_TOKEN, SandboxServer.DEFAULT_API_KEY


def jpeg() -> bytes:
    ok, buf = cv2.imencode(".jpg", np.full((32, 32, 3), 128, np.uint8))
    assert ok
    return buf.tobytes()


@pytest.fixture
async def sb():
    async with SandboxServer() as server:
        yield server


def twilio_for(sb: SandboxServer, token: str = TOKEN) -> TwilioProvider:
    return TwilioProvider(SID, token, SENDER, base_url=sb.url)


async def test_twilio_success(sb: SandboxServer) -> None:
    async with twilio_for(sb) as provider:
        receipt = await provider.send(OutboundMessage(to=RECEIVER, body="hello"))
    assert receipt.http_status == 201 and receipt.message_id.startswith("SM") and receipt.segments == 1
    [message] = sb.messages
    assert (message.to, message.from_, message.body, message.api) == (RECEIVER, SENDER, "hello", "twilio")


@pytest.mark.parametrize(
    ("fault", "error_type", "code", "retry_after"),
    [
        (faults.RateLimit(retry_after=2), RateLimitedError, 20429, 2.0),
        (faults.RateLimit(), RateLimitedError, 20429, None),
        (faults.ServerError(500), AmbiguousDeliveryError, None, None),
        (faults.ServerError(503), AmbiguousDeliveryError, None, None),
        (faults.Reset(), AmbiguousDeliveryError, None, None),
        (faults.TwilioError(21211), PermanentDeliveryError, 21211, None),
        (faults.TwilioError(21610), PermanentDeliveryError, 21610, None),
        (faults.TwilioError(21408), PermanentDeliveryError, 21408, None),
        (faults.TwilioError(21606), PermanentDeliveryError, 21606, None),
        (faults.TwilioError(20003, status=401), PermanentDeliveryError, 20003, None),
        (faults.TwilioError(21611), RateLimitedError, 21611, None),
    ],
)
async def test_twilio_error_classes(sb, fault, error_type, code, retry_after) -> None:
    sb.inject(fault)
    async with twilio_for(sb) as provider:
        with pytest.raises(error_type) as info:
            await provider.send(OutboundMessage(to=RECEIVER, body="x"))
        assert type(info.value) is error_type
        if code is not None:
            assert info.value.error_code == code
        if error_type is RateLimitedError:
            assert info.value.retry_after == retry_after
        # the fault was one-shot: the next attempt goes through
        assert (await provider.send(OutboundMessage(to=RECEIVER, body="x"))).http_status == 201


async def test_twilio_bad_token_is_permanent_and_secret_free(sb: SandboxServer) -> None:
    async with twilio_for(sb, token="wrong-secret-token") as provider:
        with pytest.raises(PermanentDeliveryError) as info:
            await provider.send(OutboundMessage(to=RECEIVER, body="x"))
    assert info.value.http_status == 401 and info.value.error_code == 20003
    assert "wrong-secret-token" not in str(info.value) + repr(provider)


async def test_hang_needs_the_callers_timeout(sb: SandboxServer) -> None:
    sb.inject(faults.Hang(seconds=5))
    async with twilio_for(sb) as provider:
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(provider.send(OutboundMessage(to=RECEIVER, body="x")), 0.3)


async def test_connection_refused_is_safe_to_retry() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    async with TwilioProvider(SID, TOKEN, SENDER, base_url=f"http://127.0.0.1:{port}") as provider:
        with pytest.raises(ConnectionFailedError):
            await provider.send(OutboundMessage(to=RECEIVER, body="x"))


async def test_twilio_refuses_inline_bytes(sb: SandboxServer) -> None:
    async with twilio_for(sb) as provider:
        with pytest.raises(PermanentDeliveryError, match="media_store"):
            await provider.send(OutboundMessage(to=RECEIVER, body="x", media=(Attachment(data=b"123"),)))


async def test_roboflow_inline_media_and_force_mms(sb: SandboxServer) -> None:
    async with RoboflowManagedProvider(KEY, base_url=sb.url) as provider:
        receipt = await provider.send(OutboundMessage(to=RECEIVER, body="pic", media=(Attachment(data=jpeg()),)))
        assert 200 <= receipt.http_status < 300
        await provider.send(OutboundMessage(to=RECEIVER, body="y" * 200, force_mms=True))
    first, second = sb.messages
    assert first.api == "roboflow" and len(first.images) == 1 and first.images[0].content_type == "image/jpeg"
    assert not first.force_mms and second.force_mms


@pytest.mark.parametrize(
    ("fault", "error_type"),
    [
        (faults.RateLimit(retry_after=1), RateLimitedError),
        (faults.ServerError(503), AmbiguousDeliveryError),
        (faults.Reset(), AmbiguousDeliveryError),
    ],
)
async def test_roboflow_error_classes(sb, fault, error_type) -> None:
    sb.inject(fault)
    async with RoboflowManagedProvider(KEY, base_url=sb.url) as provider:
        with pytest.raises(error_type):
            await provider.send(OutboundMessage(to=RECEIVER, body="x"))


async def test_roboflow_bad_key_forbidden_without_leaking_it(sb: SandboxServer) -> None:
    async with RoboflowManagedProvider("secret-key-123", base_url=sb.url) as provider:
        with pytest.raises(PermanentDeliveryError) as info:
            await provider.send(OutboundMessage(to=RECEIVER, body="x"))
    assert info.value.http_status == 403 and "access forbidden" in str(info.value)
    assert "secret-key-123" not in str(info.value) + repr(provider)
    assert info.value.__cause__ is None and info.value.__context__ is None or "secret" not in repr(info.value.__context__)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"account_sid": "nope"}, "twilio_account_sid"),
        ({"auth_token": ""}, "twilio_auth_token"),
        ({"sender_number": "5557654321"}, "sender_number"),
        ({"base_url": "ftp://x"}, "base_url"),
        ({"validity_period": 0}, "validity_period"),
    ],
)
def test_twilio_config_errors(kwargs: dict, field: str) -> None:
    args = {"account_sid": SID, "auth_token": TOKEN, "sender_number": SENDER} | kwargs
    with pytest.raises(ConfigurationError) as info:
        TwilioProvider(**args)
    assert info.value.field == field
