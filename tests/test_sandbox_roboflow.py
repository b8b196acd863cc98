"""The sandbox's Roboflow proxy endpoint: key check, payload validation, inline media."""

from __future__ import annotations

import base64
import io
import json
import logging

import aiohttp
import pytest

from sms_sink.sandbox import SandboxServer

TO = "+15551234567"
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 60 + b"\xff\xd9"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40


def b64(data: bytes, mime: str = "image/jpeg") -> dict[str, str]:
    return {"base64": base64.b64encode(data).decode("ascii"), "mimeType": mime}


@pytest.fixture
async def sb():
    async with SandboxServer(api_keys=["key-a", "key-b"]) as server:
        yield server


@pytest.fixture
async def session():
    async with aiohttp.ClientSession() as client:
        yield client


async def send(session, sb, payload, *, api_key=None):
    """POST JSON to the proxy; returns (status, json)."""
    async with session.post(sb.roboflow_url(api_key), json=payload) as response:
        return response.status, await response.json()


async def test_success_reply_and_record(sb, session):
    status, body = await send(session, sb, {"receiver_number": TO, "message": "Forklift in aisle 4"})

    assert status == 200
    assert body["success"] is True and body["status"] == "queued"
    assert body["sid"].startswith("SM") and len(body["sid"]) == 34
    assert (body["num_segments"], body["num_media"]) == (1, 0)  # ints here, unlike Twilio
    [message] = await sb.async_wait_for_messages(1)
    assert (message.api, message.account_sid, message.from_) == ("roboflow", None, None)
    assert (message.to, message.body, message.force_mms) == (TO, "Forklift in aisle 4", False)


@pytest.mark.parametrize(("text", "force_mms", "segments"), [("a" * 161, False, 2), ("a" * 161, True, 1)])
async def test_segments_and_force_mms(sb, session, text, force_mms, segments):
    status, body = await send(session, sb, {"receiver_number": TO, "message": text, "force_mms": force_mms})
    assert (status, body["num_segments"]) == (200, segments)
    assert sb.messages[0].force_mms is force_mms


async def test_inline_base64_media_is_decoded_and_recorded(sb, session):
    payload = {"receiver_number": TO, "message": "two frames", "media_base64": [b64(JPEG), b64(PNG, "image/png")]}
    status, body = await send(session, sb, payload)

    assert (status, body["num_media"]) == (200, 2)
    [message] = sb.messages
    assert [(i.content_type, i.data, i.source) for i in message.images] == [
        ("image/jpeg", JPEG, "inline"),
        ("image/png", PNG, "inline"),
    ]


@pytest.mark.parametrize("api_key", ["", "wrong-key", "key-a-but-longer"])
async def test_bad_or_missing_key_is_403(sb, session, api_key, caplog):
    caplog.set_level(logging.DEBUG)
    url = sb.roboflow_url().split("?")[0] + (f"?api_key={api_key}" if api_key else "")
    async with session.post(url, json={"receiver_number": TO, "message": "x"}) as response:
        assert response.status == 403
        assert "Forbidden" in (await response.json())["error"]
    assert sb.messages == []
    assert "unknown api_key" in caplog.text and "/apiproxy/twilio -> 403" in caplog.text
    assert "api_key=" not in caplog.text
    if api_key:
        assert api_key not in caplog.text


@pytest.mark.parametrize("api_key", ["key-a", "key-b"])
async def test_every_configured_key_works(sb, session, api_key):
    status, _ = await send(session, sb, {"receiver_number": TO, "message": "x"}, api_key=api_key)
    assert status == 200


@pytest.mark.parametrize(
    ("payload", "error_part"),
    [
        ([1, 2], "JSON object"),
        ({"message": "x"}, "receiver_number"),
        ({"receiver_number": "5551234567", "message": "x"}, "E.164"),
        ({"receiver_number": TO}, "message is required"),
        ({"receiver_number": TO, "message": ""}, "message is required"),
        ({"receiver_number": TO, "message": "a" * 1601}, "1600"),
        ({"receiver_number": TO, "message": "x", "media_urls": ["http://127.0.0.1:1/a.jpg"] * 6,
          "media_base64": [b64(JPEG)] * 5}, "at most 10"),
        ({"receiver_number": TO, "message": "x", "media_urls": "http://127.0.0.1:1/a.jpg"}, "media_urls"),
        ({"receiver_number": TO, "message": "x", "media_base64": [{"base64": "!!!not base64", "mimeType": "image/jpeg"}]},
         "not valid base64"),
        ({"receiver_number": TO, "message": "x", "media_base64": [b64(JPEG, "text/plain")]}, "mimeType"),
        ({"receiver_number": TO, "message": "x", "media_base64": [{"mimeType": "image/jpeg"}]}, "'base64' string"),
        ({"receiver_number": TO, "message": "x", "force_mms": "yes"}, "force_mms"),
    ],
)
async def test_invalid_payloads_are_400(sb, session, payload, error_part):
    status, body = await send(session, sb, payload)
    assert status == 400
    assert error_part in body["error"]
    assert sb.messages == [] and sb.requests == 1


async def test_non_json_body_is_400(sb, session):
    async with session.post(sb.roboflow_url(), data=b"receiver_number=+1555",
                            headers={"Content-Type": "application/json"}) as response:
        assert response.status == 400
        assert "JSON" in (await response.json())["error"]


async def test_inline_media_over_5_mb_is_400(sb, session):
    big = b"\xff\xd8" + b"\x00" * (5 * 1024 * 1024)
    payload = json.dumps({"receiver_number": TO, "message": "x", "media_base64": [b64(big)]}).encode()
    headers = {"Content-Type": "application/json"}
    async with session.post(sb.roboflow_url(), data=io.BytesIO(payload), headers=headers) as response:
        assert response.status == 400
        assert "byte total" in (await response.json())["error"]
    assert sb.messages == []
