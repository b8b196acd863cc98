"""The outbox page in a real headless browser (Debian's chromium over the DevTools protocol).

No browser download and no extra dependency: chromium is driven over its DevTools
websocket with aiohttp. ``scripts/install-browser.sh`` installs chromium; without it
these tests skip with that reason.
"""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, AsyncIterator, Iterator

import aiohttp
import cv2
import numpy as np
import pytest

from sms_sink import PermanentDeliveryError, RoboflowManagedProvider, TwilioProvider
from sms_sink.__main__ import main
from sms_sink.messages import Attachment, OutboundMessage
from sms_sink.sandbox import SandboxServer

from support import RECEIVER, SENDER

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="chromium is not installed: run scripts/install-browser.sh"
)
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--remote-debugging-port=0")
# Waits for every image (lazy ones too: the viewport is tall) to load or fail, then counts.
INSPECT = """(async () => {
  const images = [...document.images];
  const settled = images.map(i => i.complete ? null : new Promise(r => {
    i.addEventListener('load', r); i.addEventListener('error', r); }));
  await Promise.race([Promise.all(settled), new Promise(r => setTimeout(r, 5000))]);
  return {cards: document.querySelectorAll('article.card').length,
          failed_cards: document.querySelectorAll('article.card.failed').length,
          images: images.length,
          loaded: images.filter(i => i.complete && i.naturalWidth > 0).length,
          bodies: [...document.querySelectorAll('article.card .body')].map(e => e.textContent)};
})()"""


@dataclass
class PageReport:
    cards: int
    failed_cards: int
    images: int
    loaded: int
    bodies: list[str]
    errors: list[str] = field(default_factory=list)


class DevTools:
    """A headless chromium and one DevTools websocket (flat sessions)."""

    def __init__(self, process: asyncio.subprocess.Process, ws: aiohttp.ClientWebSocketResponse,
                 http: aiohttp.ClientSession, stderr_drain: asyncio.Task[None]) -> None:
        self._process, self._ws, self._http, self._stderr_drain = process, ws, http, stderr_drain
        self._next_id = 0
        self._pending: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self.events: list[dict[str, Any]] = []
        self._event_added = asyncio.Event()
        self._reader = asyncio.create_task(self._read())

    @classmethod
    async def launch(cls, profile: Path) -> "DevTools":
        process = await asyncio.create_subprocess_exec(
            CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "about:blank",
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
        )
        assert process.stderr is not None
        url = None
        try:
            while url is None:
                line = await asyncio.wait_for(process.stderr.readline(), 30)
                if not line:
                    raise RuntimeError("chromium exited before opening DevTools")
                match = re.search(rb"DevTools listening on (ws://\S+)", line)
                url = match and match.group(1).decode()
        except BaseException:
            if process.returncode is None:
                process.kill()
            await process.wait()
            raise
        stderr_drain = asyncio.create_task(_drain(process.stderr))  # a full pipe would stall chromium
        http = aiohttp.ClientSession()
        ws = await http.ws_connect(url, max_msg_size=0)
        return cls(process, ws, http, stderr_drain)

    async def _read(self) -> None:
        async for message in self._ws:
            data = json.loads(message.data)
            future = self._pending.pop(data.get("id", -1), None)
            if future is not None and not future.done():
                future.set_result(data)
            elif "method" in data:
                self.events.append(data)
                self._event_added.set()

    async def send(self, method: str, params: dict[str, Any] | None = None,
                   session: str | None = None) -> dict[str, Any]:
        self._next_id += 1
        future = self._pending[self._next_id] = asyncio.get_running_loop().create_future()
        payload: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session is not None:
            payload["sessionId"] = session
        await self._ws.send_str(json.dumps(payload))
        reply = await asyncio.wait_for(future, 30)
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        return reply["result"]

    async def wait_event(self, method: str, session: str, timeout: float = 30) -> None:
        async def seen() -> None:
            while not any(e["method"] == method and e.get("sessionId") == session for e in self.events):
                self._event_added.clear()
                await self._event_added.wait()

        await asyncio.wait_for(seen(), timeout)

    async def inspect(self, url: str) -> PageReport:
        """Open ``url`` in a new tab; count cards and loaded images; collect console errors."""
        target = await self.send("Target.createTarget", {"url": "about:blank"})
        attached = await self.send("Target.attachToTarget", {"targetId": target["targetId"], "flatten": True})
        session = attached["sessionId"]
        for domain in ("Page", "Runtime", "Log"):
            await self.send(f"{domain}.enable", session=session)
        await self.send("Emulation.setDeviceMetricsOverride",
                        {"width": 1280, "height": 4000, "deviceScaleFactor": 1, "mobile": False}, session)
        await self.send("Page.navigate", {"url": url}, session)
        await self.wait_event("Page.loadEventFired", session)
        result = await self.send("Runtime.evaluate", {"expression": INSPECT, "awaitPromise": True,
                                                      "returnByValue": True}, session)
        report = PageReport(**result["result"]["value"])
        report.errors = [_describe(e) for e in self.events if e.get("sessionId") == session and _is_error(e)]
        await self.send("Target.closeTarget", {"targetId": target["targetId"]})
        return report

    async def close(self) -> None:
        try:
            await asyncio.wait_for(self.send("Browser.close"), 5)
        except (asyncio.TimeoutError, RuntimeError, ConnectionError):
            pass
        self._reader.cancel()
        await self._ws.close()
        await self._http.close()
        try:
            await asyncio.wait_for(self._process.wait(), 10)
        except asyncio.TimeoutError:
            self._process.kill()
            await self._process.wait()
        await self._stderr_drain


async def _drain(stream: asyncio.StreamReader) -> None:
    while await stream.readline():
        pass


def _is_error(event: dict[str, Any]) -> bool:
    method, params = event["method"], event.get("params", {})
    return (method == "Runtime.exceptionThrown"
            or (method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"))
            or (method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error"))


def _describe(event: dict[str, Any]) -> str:
    return f"{event['method']}: {json.dumps(event.get('params'))[:300]}"


@pytest.fixture
async def browser(tmp_path: Path) -> AsyncIterator[DevTools]:
    tools = await DevTools.launch(tmp_path / "profile")
    try:
        yield tools
    finally:
        await tools.close()


@pytest.fixture(scope="module")
def demo_outbox() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="outbox-browser-") as tmp:
        outbox = Path(tmp) / "outbox"
        assert main(["demo", "--outbox", str(outbox), "--seconds", "4", "--cooldown", "1", "--json"]) == 0
        yield outbox


async def test_demo_outbox_from_disk(browser: DevTools, demo_outbox: Path) -> None:
    saved = [json.loads(p.read_text()) for p in sorted(demo_outbox.glob("0*.json"))]
    report = await browser.inspect((demo_outbox / "index.html").as_uri())
    assert report.errors == []
    assert len(saved) >= 2 and report.cards == len(saved)
    assert report.images == report.loaded == len(list(demo_outbox.glob("*.jpg"))) == len(saved)
    assert all(body.startswith("Motion on camera 0: ") for body in report.bodies)


def _jpeg(color: tuple[int, int, int]) -> bytes:
    ok, data = cv2.imencode(".jpg", np.full((120, 160, 3), color, np.uint8))
    assert ok
    return data.tobytes()


async def _fill(sandbox: SandboxServer) -> None:
    """A text message, an MMS with two inline images, and one whose media fetch fails (a failed card)."""
    async with TwilioProvider(sandbox.account_sid, sandbox.auth_token, SENDER, base_url=sandbox.url) as twilio, \
            RoboflowManagedProvider(sandbox.api_key, base_url=sandbox.url) as roboflow:
        await twilio.send(OutboundMessage(to=RECEIVER, body="plain <text> & no media"))
        images = tuple(Attachment(data=_jpeg(c)) for c in ((0, 0, 255), (0, 255, 0)))
        await roboflow.send(OutboundMessage(to=RECEIVER, body="two images", media=images))
        missing = Attachment(url=sandbox.make_url("/no-such-image.jpg"))
        with pytest.raises(PermanentDeliveryError, match="11200"):
            await twilio.send(OutboundMessage(to=RECEIVER, body="media fetch fails", media=(missing,)))


@pytest.mark.parametrize("with_outbox", [True, False], ids=["outbox-folder", "in-memory"])
async def test_live_sandbox_page(browser: DevTools, tmp_path: Path, with_outbox: bool) -> None:
    async with SandboxServer(outbox_dir=tmp_path / "outbox" if with_outbox else None) as sandbox:
        await _fill(sandbox)
        report = await browser.inspect(sandbox.url + "/")
    assert report.errors == []
    assert (report.cards, report.failed_cards) == (3, 1)
    assert report.images == report.loaded == 2
    assert sorted(report.bodies) == sorted(["plain <text> & no media", "two images", "media fetch fails"])


async def test_harness_sees_errors(browser: DevTools, tmp_path: Path) -> None:
    """The checks above are not vacuous: a console error, an exception and a broken image are caught."""
    page = tmp_path / "broken.html"
    page.write_text('<!DOCTYPE html><html><head><link rel="icon" href="data:,"></head><body>'
                    '<article class="card"><p class="body">x</p><img src="missing.jpg" alt="gone"></article>'
                    '<script>console.error("boom"); null.oops;</script></body></html>')
    report = await browser.inspect(page.as_uri())
    assert (report.cards, report.images, report.loaded) == (1, 1, 0)
    kinds = {error.split(":", 1)[0] for error in report.errors}
    assert kinds == {"Runtime.consoleAPICalled", "Runtime.exceptionThrown", "Log.entryAdded"}, report.errors
