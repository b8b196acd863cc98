"""The outbox folder, its index.html, the live page and the message control endpoints."""

from __future__ import annotations

import base64
import json
from html.parser import HTMLParser

import aiohttp
import pytest

from sms_sink.sandbox import SandboxServer

TO = "+15551234567"
JPEG = b"\xff\xd8\xff\xe0" + b"\x01" * 100 + b"\xff\xd9"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x02" * 50
VOID = {"meta", "link", "img", "br", "hr", "input"}


class PageCheck(HTMLParser):
    """Collects cards, image sources and external references; checks tags nest properly."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.cards = 0
        self.images: list[str] = []
        self.problems: list[str] = []
        self.scripts = 0

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "article" and "card" in (attributes.get("class") or "").split():
            self.cards += 1
        if tag == "img":
            self.images.append(attributes["src"])
            if not attributes.get("alt"):
                self.problems.append("img without alt")
        if tag == "script":
            self.scripts += 1
        for name in ("src", "href"):
            if (attributes.get(name) or "").startswith(("http:", "https:", "//")):
                self.problems.append(f"external {name}: {attributes[name]}")
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack.pop() != tag:
            self.problems.append(f"misnested </{tag}>")


def check_page(text: str) -> PageCheck:
    assert text.startswith("<!DOCTYPE html>")
    parser = PageCheck()
    parser.feed(text)
    parser.close()
    assert parser.problems == [] and parser.stack == [] and parser.scripts == 0
    return parser


@pytest.fixture
async def session():
    async with aiohttp.ClientSession() as client:
        yield client


async def send_both(session, sb):
    """One Twilio text and one proxy MMS with two inline images."""
    form = {"To": TO, "From": "+15557654321", "Body": "Gate <b>3</b> & more"}
    async with session.post(sb.twilio_url(), data=form, headers=sb.twilio_auth_headers()) as response:
        assert response.status == 201
    media = [{"base64": base64.b64encode(d).decode(), "mimeType": m} for d, m in ((JPEG, "image/jpeg"), (PNG, "image/png"))]
    async with session.post(sb.roboflow_url(), json={"receiver_number": TO, "message": "two", "media_base64": media}) as r:
        assert r.status == 200
    return await sb.async_wait_for_messages(2)


async def test_outbox_files_and_index(tmp_path, session):
    async with SandboxServer(outbox_dir=tmp_path / "outbox") as sb:
        text, mms = await send_both(session, sb)
        outbox = tmp_path / "outbox"

        metadata = [json.loads(p.read_text()) for p in sorted(outbox.glob("*.json"))]
        assert [p.name for p in sorted(outbox.glob("*.json"))] == [f"0001-{text.sid}.json", f"0002-{mms.sid}.json"]
        assert [(m["n"], m["sid"], m["api"], m["num_segments"]) for m in metadata] == [
            (1, text.sid, "twilio", 1), (2, mms.sid, "roboflow", 1)]
        assert metadata[1]["images"][0] == {"content_type": "image/jpeg", "size": len(JPEG), "source": "inline",
                                            "url": f"{mms.sid}-0.jpg"}
        assert (outbox / f"{mms.sid}-0.jpg").read_bytes() == JPEG
        assert (outbox / f"{mms.sid}-1.png").read_bytes() == PNG

        page = (outbox / "index.html").read_text()
        parsed = check_page(page)
        assert parsed.cards == len(sb.messages) == 2
        assert parsed.images == [f"{mms.sid}-0.jpg", f"{mms.sid}-1.png"]  # files beside the page
        assert "Gate &lt;b&gt;3&lt;/b&gt; &amp; more" in page  # escaped, not injected
        for field in (text.sid, TO, "+15557654321", "queued", "twilio", "roboflow"):
            assert field in page

        async with session.get(sb.url + "/") as response:
            assert response.status == 200 and response.content_type == "text/html"
            live = check_page(await response.text())
        assert live.cards == 2
        assert live.images == [f"/outbox/{mms.sid}-0.jpg", f"/outbox/{mms.sid}-1.png"]
        async with session.get(sb.make_url(live.images[1])) as response:
            assert response.status == 200 and await response.read() == PNG


async def test_index_exists_before_any_message_and_survives_a_restart(tmp_path, session):
    async with SandboxServer(outbox_dir=tmp_path) as sb:
        assert check_page((tmp_path / "index.html").read_text()).cards == 0
        await send_both(session, sb)
    async with SandboxServer(outbox_dir=tmp_path) as sb:
        form = {"To": TO, "From": "+15557654321", "Body": "third"}
        async with session.post(sb.twilio_url(), data=form, headers=sb.twilio_auth_headers()) as response:
            sid = (await response.json())["sid"]
        await sb.async_wait_for_messages(1)
        assert (tmp_path / f"0003-{sid}.json").exists()
        assert check_page((tmp_path / "index.html").read_text()).cards == 3


async def test_failed_message_card_shows_the_error(tmp_path, session):
    async with SandboxServer(outbox_dir=tmp_path) as sb:
        form = {"To": TO, "From": "+15557654321", "MediaUrl": "http://127.0.0.1:9/x.jpg"}
        async with session.post(sb.twilio_url(), data=form, headers=sb.twilio_auth_headers()) as response:
            assert (await response.json())["status"] == "failed"
        await sb.async_wait_for_messages(1)
    page = (tmp_path / "index.html").read_text()
    assert 'class="card failed"' in page and "11200" in page


async def test_live_page_and_message_endpoints_without_outbox(session):
    async with SandboxServer() as sb:
        text, mms = await send_both(session, sb)

        async with session.get(sb.url) as response:
            html = await response.text()
            page = check_page(html)
        assert page.cards == 2
        assert '<meta http-equiv="refresh" content="5">' in html  # the live page follows new messages
        assert page.images == [f"/_sandbox/messages/{mms.sid}/media/0", f"/_sandbox/messages/{mms.sid}/media/1"]

        async with session.get(sb.make_url("/_sandbox/messages")) as response:
            listed = await response.json()
        assert [m["sid"] for m in listed] == [text.sid, mms.sid]
        assert listed[1]["images"][1] == {"content_type": "image/png", "size": len(PNG), "source": "inline",
                                          "url": page.images[1]}
        assert listed[0]["from"] == "+15557654321" and listed[0]["created_at"].endswith("Z")

        async with session.get(sb.make_url(page.images[0])) as response:
            assert response.content_type == "image/jpeg" and await response.read() == JPEG
        async with session.get(sb.make_url(f"/_sandbox/messages/{mms.sid}/media/9")) as response:
            assert response.status == 404

        async with session.delete(sb.make_url("/_sandbox/messages")) as response:
            assert response.status == 204
        assert sb.messages == [] and sb.requests == 0
        async with session.get(sb.make_url("/_sandbox/messages")) as response:
            assert await response.json() == []


def test_clear_removes_earlier_messages_only(tmp_path):
    from sms_sink.sandbox.outbox import Outbox
    from sms_sink.sandbox.records import SandboxImage, SandboxMessage
    import datetime as dt

    keep = tmp_path / "notes.txt"
    keep.write_text("mine")
    outbox = Outbox(tmp_path)
    message = SandboxMessage(
        sid="SM" + "1" * 32, api="twilio", account_sid="AC" + "0" * 32, to="+15551234567", from_="+15557654321",
        body="hi", num_segments=1, status="queued", error_code=None, error_message=None, media_urls=(),
        images=(SandboxImage("image/jpeg", b"\xff\xd8\xff\xd9", "inline"),), force_mms=False,
        created_at=dt.datetime.now(dt.timezone.utc), extra={},
    )
    outbox.write(message)
    assert len(list(tmp_path.glob("*.jpg"))) == 1
    Outbox(tmp_path).clear()
    assert Outbox(tmp_path).entries() == [] and not list(tmp_path.glob("*.jpg")) and keep.read_text() == "mine"
    assert (tmp_path / "index.html").exists()
