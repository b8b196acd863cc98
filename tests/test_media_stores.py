"""MediaStore base, MemoryMediaStore and LocalMediaServer over real HTTP on loopback."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator

import aiohttp
import pytest
from yarl import URL

from sms_sink.errors import ConfigurationError, MediaError
from sms_sink.media.stores import CONTENT_TYPES, LocalMediaServer, MediaStore, MemoryMediaStore

MiB = 1024 * 1024


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def server(clock: FakeClock) -> AsyncIterator[LocalMediaServer]:
    async with LocalMediaServer(
        "http://127.0.0.1:0", host="127.0.0.1", port=0, ttl_s=60.0, max_bytes=MiB, clock=clock
    ) as store:
        yield store  # type: ignore[misc]


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def fetch(http: aiohttp.ClientSession, method: str, url: str) -> tuple[int, dict[str, str], bytes]:
    async with http.request(method, url) as response:
        return response.status, dict(response.headers), await response.read()


# --- base and memory double -------------------------------------------------------------


def test_media_store_requires_put() -> None:
    class NoPut(MediaStore):
        pass

    with pytest.raises(TypeError, match="put"):
        NoPut()  # type: ignore[abstract]


async def test_base_context_manager_starts_and_closes() -> None:
    calls: list[str] = []

    class Recording(MediaStore):
        async def start(self) -> None:
            calls.append("start")

        async def put(self, data: bytes, *, content_type: str = "image/jpeg") -> str:
            return "x"

        async def aclose(self) -> None:
            calls.append("aclose")

    async with Recording() as store:
        assert await store.put(b"") == "x"
    assert calls == ["start", "aclose"]


@pytest.mark.parametrize(("content_type", "suffix"), list(CONTENT_TYPES.items()))
async def test_memory_store_records_puts(content_type: str, suffix: str) -> None:
    async with MemoryMediaStore() as store:
        first = await store.put(b"one", content_type=content_type)
        second = await store.put(b"two", content_type=content_type)
    assert first.startswith("memory://media/") and first.endswith(suffix) and first != second
    assert store.urls == [first, second]
    assert store.objects[second] == (b"two", content_type)
    assert store.closed


@pytest.mark.parametrize(
    ("fail_with", "content_type", "match"),
    [
        (MediaError("disk full"), "image/jpeg", "disk full"),
        (None, "image/webp", "not supported"),
    ],
)
async def test_memory_store_failures(fail_with: Exception | None, content_type: str, match: str) -> None:
    store = MemoryMediaStore(fail_with=fail_with)
    with pytest.raises(MediaError, match=match):
        await store.put(b"x", content_type=content_type)
    assert store.urls == [] and store.objects == {}


# --- LocalMediaServer ------------------------------------------------------------------


@pytest.mark.parametrize(("content_type", "suffix"), list(CONTENT_TYPES.items()))
async def test_get_and_head_serve_identical_headers(
    server: LocalMediaServer, http: aiohttp.ClientSession, content_type: str, suffix: str
) -> None:
    data = bytes(range(256)) * 40
    url = await server.put(data, content_type=content_type)
    assert url.startswith(f"http://127.0.0.1:{server.port}/media/") and url.endswith(suffix)
    get_status, get_headers, body = await fetch(http, "GET", url)
    head_status, head_headers, head_body = await fetch(http, "HEAD", url)
    assert (get_status, head_status) == (200, 200)
    assert body == data and head_body == b""
    for name in ("Content-Type", "Content-Length", "Cache-Control"):
        assert get_headers[name] == head_headers[name], name
    assert get_headers["Content-Type"] == content_type
    assert get_headers["Content-Length"] == str(len(data))
    assert get_headers["Cache-Control"] == "private, max-age=60"
    assert server.stats()["hits"] == 2


async def test_tokens_are_long_random_and_unique(server: LocalMediaServer) -> None:
    urls = [await server.put(b"x") for _ in range(50)]
    matches = [re.fullmatch(r".*/media/([A-Za-z0-9_-]+)\.jpg", url) for url in urls]
    tokens = [match.group(1) for match in matches if match]
    assert len(set(tokens)) == 50
    assert all(len(token) >= 32 for token in tokens)  # 32 base64 chars = 192 bits >= 128


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/"),
        ("GET", "/media/"),
        ("GET", "/media"),
        ("GET", "/media/unknown-token.jpg"),
        ("HEAD", "/media/unknown-token.jpg"),
        ("GET", "/media/../etc/passwd"),
        ("GET", "/favicon.ico"),
        ("GET", "/{token}"),  # the token without the media path
        ("GET", "/media/{token}"),  # no extension
        ("GET", "/media/{token}.png"),  # wrong extension
        ("GET", "/media/{token}.jpg/extra"),
        ("POST", "/media/{token}.jpg"),
        ("PUT", "/media/{token}.jpg"),
        ("DELETE", "/media/{token}.jpg"),
        ("OPTIONS", "/media/{token}.jpg"),
        ("PATCH", "/media/{token}.jpg"),
    ],
)
async def test_nothing_else_is_served(
    server: LocalMediaServer, http: aiohttp.ClientSession, method: str, path: str
) -> None:
    url = await server.put(b"secret frame")
    token = URL(url).name.removesuffix(".jpg")
    status, _, body = await fetch(http, method, server.public_base_url + path.format(token=token))
    assert status == 404
    assert b"secret frame" not in body
    assert (await fetch(http, "GET", url))[0] == 200  # the real URL still works


async def test_expired_media_is_404_and_counted(
    server: LocalMediaServer, http: aiohttp.ClientSession, clock: FakeClock
) -> None:
    url = await server.put(b"frame")
    clock.now += 45.5
    status, headers, _ = await fetch(http, "HEAD", url)
    assert status == 200 and headers["Cache-Control"] == "private, max-age=14"
    clock.now += 14.5  # exactly at expiry
    assert (await fetch(http, "GET", url))[0] == 404
    assert (await fetch(http, "HEAD", url))[0] == 404
    stats = server.stats()
    assert stats["evicted_ttl"] == 1 and stats["objects"] == 0 and stats["bytes_stored"] == 0
    assert stats["misses"] == 2


async def test_put_sweeps_expired_media(server: LocalMediaServer, clock: FakeClock) -> None:
    for _ in range(3):
        await server.put(b"a" * 1000)
    clock.now += 30
    await server.put(b"b" * 1000)
    clock.now += 31  # the first three are expired, the fourth is not
    await server.put(b"c" * 1000)
    stats = server.stats()
    assert (stats["evicted_ttl"], stats["objects"], stats["bytes_stored"]) == (3, 2, 2000)


async def test_stats_forget_expired_media_without_a_put(server: LocalMediaServer, clock: FakeClock) -> None:
    await server.put(b"a" * 1000)
    clock.now += 61
    stats = server.stats()
    assert (stats["evicted_ttl"], stats["objects"], stats["bytes_stored"], stats["unfetched"]) == (1, 0, 0, 0)


async def test_discard_deletes_a_refused_frame_and_releases_settle(
    server: LocalMediaServer, http: aiohttp.ClientSession
) -> None:
    kept, refused = await server.put(b"kept"), await server.put(b"refused")
    await server.discard(refused)
    await server.discard(refused)  # twice, or an unknown URL: ignored
    await server.discard("https://elsewhere.example/media/x.jpg")
    assert (await fetch(http, "GET", refused))[0] == 404
    assert server.stats()["discarded"] == 1 and server.stats()["unfetched"] == 1
    await fetch(http, "GET", kept)
    await asyncio.wait_for(server.settle(), 2)


async def test_byte_budget_evicts_oldest_first(server: LocalMediaServer, http: aiohttp.ClientSession) -> None:
    chunk = 400 * 1024  # three exceed the 1 MiB budget
    urls = [await server.put(bytes([i]) * chunk) for i in range(4)]
    statuses = [(await fetch(http, "GET", url))[0] for url in urls]
    assert statuses == [404, 404, 200, 200]
    stats = server.stats()
    assert stats["evicted_budget"] == 2 and stats["bytes_stored"] == 2 * chunk <= MiB
    assert stats["puts"] == 4


@pytest.mark.parametrize(
    ("data", "content_type", "words"),
    [(b"x" * (MiB + 1), "image/jpeg", "max_bytes"), (b"x", "text/html", "not supported")],
)
async def test_put_refuses_oversize_and_unsupported_media(
    server: LocalMediaServer, data: bytes, content_type: str, words: str
) -> None:
    with pytest.raises(MediaError, match=words):
        await server.put(data, content_type=content_type)
    assert server.stats()["puts"] == 0


async def test_lifecycle_put_before_start_restart_and_idempotent_close(http: aiohttp.ClientSession) -> None:
    server = LocalMediaServer("http://127.0.0.1:0", host="127.0.0.1", port=0)
    with pytest.raises(MediaError, match="not started"):
        await server.put(b"x")
    await server.start()
    await server.start()  # no-op while running
    first_url = await server.put(b"first")
    assert (await fetch(http, "GET", first_url))[0] == 200
    await server.aclose()
    await server.aclose()
    assert not server.started and server.stats()["objects"] == 0
    with pytest.raises(aiohttp.ClientConnectionError):
        await fetch(http, "GET", first_url)
    await server.start()
    try:
        second_url = await server.put(b"second")
        assert (await fetch(http, "GET", second_url))[2] == b"second"
        old_token_now = URL(second_url).with_path(URL(first_url).path)
        assert (await fetch(http, "GET", str(old_token_now)))[0] == 404
    finally:
        await server.aclose()


async def test_public_base_url_keeps_a_path_prefix_and_a_fixed_port() -> None:
    async with LocalMediaServer("https://cams.example.com/proxy/", host="127.0.0.1", port=0) as server:
        url = await server.put(b"x")
        assert server.public_base_url == "https://cams.example.com/proxy"
        assert re.fullmatch(r"https://cams\.example\.com/proxy/media/[A-Za-z0-9_-]{32}\.jpg", url)
        assert "cams.example.com" in repr(server) and URL(url).name.removesuffix(".jpg") not in repr(server)


async def test_bind_failure_is_a_media_error() -> None:
    async with LocalMediaServer("http://127.0.0.1:0", host="127.0.0.1", port=0) as first:
        taken = LocalMediaServer("http://127.0.0.1:0", host="127.0.0.1", port=first.port)
        with pytest.raises(MediaError, match="cannot bind"):
            await taken.start()
        assert not taken.started


@pytest.mark.parametrize(
    ("args", "kwargs", "field"),
    [
        (("ftp://cams.example.com",), {}, "public_base_url"),
        (("cams.example.com",), {}, "public_base_url"),
        (("http://cams.example.com/?key=1",), {}, "public_base_url"),
        (("http://cams.example.com/#x",), {}, "public_base_url"),
        (("http://user:pw@cams.example.com",), {}, "public_base_url"),
        ((None,), {}, "public_base_url"),
        (("http://127.0.0.1",), {"port": -1}, "port"),
        (("http://127.0.0.1",), {"port": 70000}, "port"),
        (("http://127.0.0.1",), {"host": ""}, "host"),
        (("http://127.0.0.1",), {"ttl_s": 0}, "ttl_s"),
        (("http://127.0.0.1",), {"ttl_s": float("nan")}, "ttl_s"),
        (("http://127.0.0.1",), {"max_bytes": 1000}, "max_bytes"),
    ],
)
def test_configuration_is_validated(args: tuple, kwargs: dict, field: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        LocalMediaServer(*args, **kwargs)
    assert info.value.field == field


async def test_positional_arguments_in_the_documented_order(http: aiohttp.ClientSession) -> None:
    async with LocalMediaServer("http://127.0.0.1:0", "127.0.0.1", 0, 90) as store:
        assert (store.host, store.ttl_s) == ("127.0.0.1", 90.0)
        assert (await fetch(http, "GET", await store.put(b"frame")))[2] == b"frame"


async def test_settle_waits_until_every_frame_was_fetched_with_get(
    server: LocalMediaServer, http: aiohttp.ClientSession
) -> None:
    """Twilio fetches after it answered "queued": close() must not take frames offline first."""
    await server.settle()  # nothing handed out: returns at once
    first, second = await server.put(b"one"), await server.put(b"two")
    settle = asyncio.ensure_future(server.settle())
    await fetch(http, "HEAD", first)
    await fetch(http, "GET", first)
    await asyncio.sleep(0.05)
    assert not settle.done() and server.stats()["unfetched"] == 1  # a HEAD alone is not a fetch
    await fetch(http, "GET", second)
    await asyncio.wait_for(settle, 2)
    assert server.stats()["unfetched"] == 0

