"""MediaUrl fetching (HEAD + GET, Content-Type, 5 MB) against a real loopback media server."""

from __future__ import annotations

import asyncio
import base64

import aiohttp
import pytest
from aiohttp import web

from sms_sink.sandbox import SandboxServer

TO = "+15551234567"
JPEG = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 4 + b"\xff\xd9"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(200)
FIVE_MB = 5_000_000  # Twilio's "5 MB" for all media of a message


class MediaHost:
    """A tiny image host on loopback that also remembers which methods hit which path."""

    def __init__(self) -> None:
        self.hits: list[tuple[str, str]] = []
        self.url = ""

    async def handle(self, request: web.Request) -> web.StreamResponse:
        self.hits.append((request.method, request.path))
        name = request.match_info["name"]
        if name == "a.jpg":
            return web.Response(body=JPEG, content_type="image/jpeg")
        if name == "b.png":
            return web.Response(body=PNG, content_type="image/png")
        if name == "page.html":
            return web.Response(text="<html></html>", content_type="text/html")
        if name == "mismatch.jpg":  # HEAD claims PNG, GET serves JPEG
            return web.Response(body=JPEG, content_type="image/png" if request.method == "HEAD" else "image/jpeg")
        if name == "short-head.jpg":  # HEAD announces fewer bytes than GET sends
            length = len(JPEG) - 10 if request.method == "HEAD" else len(JPEG)
            return web.Response(body=JPEG, content_type="image/jpeg", headers={"Content-Length": str(length)})
        if name == "big.jpg":
            return web.Response(body=b"\xff" * (FIVE_MB + 1), content_type="image/jpeg")
        if name == "half.jpg":
            return web.Response(body=b"\xff" * (FIVE_MB // 2 + 1), content_type="image/jpeg")
        if name == "slow.jpg":
            await asyncio.sleep(2)
            return web.Response(body=JPEG, content_type="image/jpeg")
        raise web.HTTPNotFound()


@pytest.fixture
async def host():
    media = MediaHost()
    app = web.Application()
    app.router.add_get("/{name}", media.handle)
    runner = web.AppRunner(app, handler_cancellation=True)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    media.url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    yield media
    await runner.cleanup()


@pytest.fixture
async def sb():
    async with SandboxServer(media_fetch_timeout=0.5) as server:
        yield server


@pytest.fixture
async def session():
    async with aiohttp.ClientSession() as client:
        yield client


async def send_twilio(session, sb, urls):
    form = [("To", TO), ("From", "+15557654321"), ("Body", "see photo")] + [("MediaUrl", u) for u in urls]
    async with session.post(sb.twilio_url(), data=form, headers=sb.twilio_auth_headers()) as response:
        return response.status, await response.json()


async def test_media_are_fetched_with_head_then_get(host, sb, session):
    status, body = await send_twilio(session, sb, [f"{host.url}/a.jpg", f"{host.url}/b.png"])

    assert status == 201
    assert (body["status"], body["num_media"], body["num_segments"], body["error_code"]) == ("queued", "2", "1", None)
    assert host.hits == [("HEAD", "/a.jpg"), ("GET", "/a.jpg"), ("HEAD", "/b.png"), ("GET", "/b.png")]
    [message] = sb.messages
    assert [(i.content_type, i.data, i.source) for i in message.images] == [
        ("image/jpeg", JPEG, f"{host.url}/a.jpg"),
        ("image/png", PNG, f"{host.url}/b.png"),
    ]


@pytest.mark.parametrize(
    ("names", "code", "detail"),
    [
        (["missing.jpg"], 11200, "HTTP 404"),
        (["a.jpg", "missing.jpg"], 11200, "HTTP 404"),
        (["page.html"], 12300, "text/html"),
        (["mismatch.jpg"], 12300, "HEAD said"),
        (["short-head.jpg"], 11200, "HEAD said"),
        (["big.jpg"], 30019, "5 MB"),
        (["half.jpg", "half.jpg"], 30019, "5 MB"),  # each fits, together they do not
        (["slow.jpg"], 11200, "Timeout"),
    ],
)
async def test_media_failures_fail_the_message_with_twilios_code(host, sb, session, names, code, detail):
    urls = [f"{host.url}/{name}" for name in names]
    status, body = await send_twilio(session, sb, urls)

    assert status == 201  # Twilio accepts, then fails the message; the sandbox reports it at once
    assert (body["status"], body["error_code"]) == ("failed", code)
    assert detail in body["error_message"]
    [message] = sb.messages
    assert (message.status, message.error_code, message.media_urls) == ("failed", code, tuple(urls))
    assert message.images == ()


async def test_unreachable_host_is_11200(sb, session):
    status, body = await send_twilio(session, sb, ["http://127.0.0.1:9/a.jpg"])
    assert (status, body["status"], body["error_code"]) == (201, "failed", 11200)


async def test_fetch_media_false_records_urls_only(host, session):
    async with SandboxServer(fetch_media=False) as sb:
        status, body = await send_twilio(session, sb, [f"{host.url}/missing.jpg"])
        assert (status, body["status"], body["num_media"]) == (201, "queued", "1")
        assert sb.messages[0].media_urls == (f"{host.url}/missing.jpg",) and sb.messages[0].images == ()
    assert host.hits == []


async def test_roboflow_media_urls_are_fetched_alongside_inline_media(host, sb, session):
    payload = {
        "receiver_number": TO,
        "message": "x",
        "media_urls": [f"{host.url}/b.png"],
        "media_base64": [{"base64": base64.b64encode(JPEG).decode(), "mimeType": "image/jpeg"}],
    }
    async with session.post(sb.roboflow_url(), json=payload) as response:
        body = await response.json()
    assert (response.status, body["status"], body["num_media"]) == (200, "queued", 2)
    assert [i.source for i in sb.messages[0].images] == [f"{host.url}/b.png", "inline"]


async def test_roboflow_media_failure_is_reported(host, sb, session):
    payload = {"receiver_number": TO, "message": "x", "media_urls": [f"{host.url}/page.html"]}
    async with session.post(sb.roboflow_url(), json=payload) as response:
        body = await response.json()
    assert (response.status, body["status"], body["error_code"]) == (200, "failed", 12300)
