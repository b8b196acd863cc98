"""S3MediaStore against moto's standalone S3 server, started on loopback by the fixture."""

from __future__ import annotations

import os
import re
from collections.abc import AsyncIterator

import aiohttp
import pytest
from yarl import URL

pytest.importorskip("aiobotocore")
pytest.importorskip("moto.server")

from aiobotocore.session import get_session  # noqa: E402

from sms_sink.errors import ConfigurationError, MediaError  # noqa: E402
from sms_sink.media.stores import S3MediaStore  # noqa: E402

BUCKET = "alerts"
KEY_ID, SECRET = "AKIDTESTING", "s3cr3t-value-never-shown"


@pytest.fixture
async def s3_client(moto_endpoint: str) -> AsyncIterator[object]:
    async with get_session().create_client(
        "s3", region_name="us-east-1", endpoint_url=moto_endpoint,
        aws_access_key_id=KEY_ID, aws_secret_access_key=SECRET,
    ) as client:
        buckets = await client.list_buckets()
        if not any(b["Name"] == BUCKET for b in buckets["Buckets"]):
            await client.create_bucket(Bucket=BUCKET)
        yield client


def make_store(endpoint: str, **kwargs: object) -> S3MediaStore:
    options: dict = {"bucket": BUCKET, "endpoint_url": endpoint, "region_name": "us-east-1",
                     "aws_access_key_id": KEY_ID, "aws_secret_access_key": SECRET}
    options.update(kwargs)
    return S3MediaStore(**options)


async def fetch(method: str, url: str) -> tuple[int, dict[str, str], bytes]:
    async with aiohttp.ClientSession() as http:
        # encoded=True: send the signed query exactly as presigned, no re-quoting.
        async with http.request(method, URL(url, encoded=True)) as response:
            return response.status, dict(response.headers), await response.read()


async def test_discard_deletes_the_object_and_ignores_foreign_urls(moto_endpoint: str, s3_client: object) -> None:
    """A refused message's frame leaves the bucket now, not when the presigned URL expires."""
    async with make_store(moto_endpoint, prefix="cams/") as store:
        kept, refused = await store.put(b"\xff\xd8kept\xff\xd9"), await store.put(b"\xff\xd8gone\xff\xd9")
        await store.discard(refused)
        await store.discard(f"{moto_endpoint}/{BUCKET}/elsewhere/x.jpg")  # not this store's: left alone
        assert store.stats()["discarded"] == 1
    assert (await fetch("GET", kept))[0] == 200
    assert (await fetch("GET", refused))[0] == 404


async def test_sub_second_ttl_still_signs_a_url_that_lives(moto_endpoint: str, s3_client: object) -> None:
    async with make_store(moto_endpoint, ttl_s=0.5) as store:
        url = await store.put(b"\xff\xd8frame\xff\xd9")
    assert URL(url, encoded=True).query["X-Amz-Expires"] == "1"


@pytest.mark.parametrize(("content_type", "suffix"), [("image/jpeg", ".jpg"), ("image/png", ".png")])
async def test_presigned_url_serves_the_bytes_with_get_and_head(
    moto_endpoint: str, s3_client: object, content_type: str, suffix: str
) -> None:
    data = b"\xff\xd8" + os.urandom(20_000) + b"\xff\xd9"
    async with make_store(moto_endpoint, prefix="cams/", ttl_s=900) as store:
        url = await store.put(data, content_type=content_type)
        assert store.stats() == {"puts": 1, "bytes_uploaded": len(data), "discarded": 0, "errors": 0}
    parsed = URL(url, encoded=True)
    assert str(parsed.with_query(None)).startswith(f"{moto_endpoint}/{BUCKET}/cams/")
    assert parsed.name.endswith(suffix) and len(parsed.name) == 32 + len(suffix)
    # moto does not enforce presigned expiry, so check the signed lifetime instead.
    assert parsed.query["X-Amz-Expires"] == "900" and "X-Amz-Signature" in parsed.query
    assert SECRET not in url

    get_status, get_headers, body = await fetch("GET", url)
    head_status, head_headers, head_body = await fetch("HEAD", url)
    assert (get_status, head_status) == (200, 200)
    assert body == data and head_body == b""
    for name in ("Content-Type", "Content-Length"):
        assert get_headers[name] == head_headers[name], name
    assert get_headers["Content-Type"] == content_type
    assert get_headers["Content-Length"] == str(len(data))
    key = parsed.path.removeprefix(f"/{BUCKET}/")
    stored = await s3_client.head_object(Bucket=BUCKET, Key=key)  # type: ignore[attr-defined]
    assert stored["ContentType"] == content_type


async def test_keys_are_random_under_the_prefix_and_the_client_reopens(
    moto_endpoint: str, s3_client: object
) -> None:
    store = make_store(moto_endpoint, prefix="reopen/")
    first = await store.put(b"a")
    await store.aclose()
    await store.aclose()  # idempotent
    second = await store.put(b"b")  # a new client after close
    await store.aclose()
    listed = await s3_client.list_objects_v2(Bucket=BUCKET, Prefix="reopen/")  # type: ignore[attr-defined]
    keys = {item["Key"] for item in listed["Contents"]}
    assert keys == {URL(u, encoded=True).path.removeprefix(f"/{BUCKET}/") for u in (first, second)}
    assert len(keys) == 2 and all(re.fullmatch(r"reopen/[A-Za-z0-9_-]{32}\.jpg", key) for key in keys)


async def test_upload_failure_is_a_media_error_without_secrets(moto_endpoint: str) -> None:
    async with make_store(moto_endpoint, bucket="no-such-bucket") as store:
        with pytest.raises(MediaError) as info:
            await store.put(b"x")
    message = str(info.value)
    assert "no-such-bucket" in message and "NoSuchBucket" in message
    assert SECRET not in message and KEY_ID not in message
    assert store.stats()["errors"] == 1 and store.stats()["puts"] == 0
    assert SECRET not in repr(store) and "no-such-bucket" in repr(store)


async def test_unsupported_content_type_is_refused_before_upload(moto_endpoint: str) -> None:
    store = make_store(moto_endpoint)
    with pytest.raises(MediaError, match="not supported"):
        await store.put(b"x", content_type="image/webp")
    assert store.stats()["puts"] == 0


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"bucket": ""}, "bucket"),
        ({"prefix": "/abs"}, "prefix"),
        ({"ttl_s": 0}, "ttl_s"),
        ({"ttl_s": 8 * 24 * 3600}, "ttl_s"),  # SigV4 presigned URLs live at most 7 days
        ({"endpoint_url": "localhost:9000"}, "endpoint_url"),
        ({"aws_secret_access_key": None}, "aws_secret_access_key"),
    ],
)
def test_configuration_is_validated(kwargs: dict, field: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        make_store("http://127.0.0.1:9", **kwargs)
    assert info.value.field == field and SECRET not in str(info.value)


def test_missing_aiobotocore_is_a_configuration_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "aiobotocore" else real(name, *a)
    )
    with pytest.raises(ConfigurationError, match="pip install"):
        S3MediaStore("bucket")
