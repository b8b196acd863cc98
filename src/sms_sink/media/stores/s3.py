"""Upload media to S3 (or any S3-compatible store) and hand Twilio a presigned GET URL.

Needs the optional dependency ``aiobotocore``. Objects are private; the presigned URL
stops working after ``ttl_s``. The objects themselves stay until deleted: add a bucket
lifecycle rule on ``prefix`` (e.g. expire after 1 day) to clean them up. Credentials come
from the arguments or, when omitted, from the usual AWS chain (environment, shared config,
instance role); they never appear in reprs, logs or error messages.

Caveat: a presigned URL is signed for one method. AWS S3 answers ``HEAD`` on a presigned
``GET`` URL with 403 (some S3-compatible servers, and moto, do not check). Twilio is
documented to check media with HEAD as well as GET; if it rejects such media, serve
through :class:`~sms_sink.media.stores.LocalMediaServer` (or a CDN that signs GET and
HEAD alike) instead.
"""

from __future__ import annotations

import asyncio
import importlib.util
import logging
import math
import secrets
from contextlib import AsyncExitStack
from typing import Any

from yarl import URL

from ...errors import ConfigurationError, MediaError
from .base import MediaStore, check_ttl, extension_for

__all__ = ["S3MediaStore"]

log = logging.getLogger("sms_sink")

_TOKEN_BYTES = 24
_MAX_PRESIGN_S = 7 * 24 * 3600.0  # SigV4 presigned URLs live at most 7 days
_CONNECT_TIMEOUT_S = 5.0
_READ_TIMEOUT_S = 15.0


class S3MediaStore(MediaStore):
    """Stores each attachment at ``{prefix}{token}.{ext}`` and returns a presigned GET URL.

    One client is created on the first put (on the running loop) and closed by
    :meth:`aclose`. With ``endpoint_url`` (MinIO, Ceph, R2, moto ...) path-style
    addressing is used, which every S3-compatible server understands.

    Example::

        async with S3MediaStore("alerts-bucket", ttl_s=3600) as store:
            url = await store.put(jpeg)   # https://...X-Amz-Expires=3600...
    """

    def __init__(
        self,
        bucket: str,
        prefix: str = "sms-sink/",
        ttl_s: float = 3600.0,
        endpoint_url: str | None = None,
        *,
        region_name: str | None = None,
        aws_access_key_id: str | None = None,
        aws_secret_access_key: str | None = None,
    ) -> None:
        if importlib.util.find_spec("aiobotocore") is None:
            raise ConfigurationError(
                "media_store", "S3MediaStore needs aiobotocore: pip install 'aiobotocore>=2.13,<4'"
            )
        if not isinstance(bucket, str) or not bucket.strip():
            raise ConfigurationError("bucket", "expected a non-empty bucket name")
        if not isinstance(prefix, str) or prefix.startswith("/"):
            raise ConfigurationError("prefix", f"{prefix!r}: expected a key prefix without a leading '/'")
        if endpoint_url is not None:
            url = URL(endpoint_url) if isinstance(endpoint_url, str) else None
            if url is None or url.scheme not in ("http", "https") or not url.host:
                raise ConfigurationError("endpoint_url", f"{endpoint_url!r} is not an http(s) URL")
        if (aws_access_key_id is None) != (aws_secret_access_key is None):
            raise ConfigurationError(
                "aws_secret_access_key",
                "give both aws_access_key_id and aws_secret_access_key, or neither to use the AWS chain",
            )
        self.bucket = bucket
        self.prefix = prefix
        self.ttl_s = check_ttl(ttl_s, _MAX_PRESIGN_S)
        self.endpoint_url = endpoint_url
        self.region_name = region_name
        self._credentials = {
            "aws_access_key_id": aws_access_key_id,
            "aws_secret_access_key": aws_secret_access_key,
        }
        self._client: Any = None
        self._stack: AsyncExitStack | None = None
        self._lock: asyncio.Lock | None = None
        self._counters = dict.fromkeys(("puts", "bytes_uploaded", "discarded", "errors"), 0)

    async def _get_client(self) -> Any:
        """Create the client once, on the running loop."""
        if self._client is not None:
            return self._client
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            if self._client is None:
                from aiobotocore.config import AioConfig
                from aiobotocore.session import get_session

                style = "path" if self.endpoint_url else "auto"
                config = AioConfig(
                    signature_version="s3v4",
                    s3={"addressing_style": style},
                    connect_timeout=_CONNECT_TIMEOUT_S,
                    read_timeout=_READ_TIMEOUT_S,
                    retries={"mode": "standard", "max_attempts": 3},
                )
                stack = AsyncExitStack()
                self._client = await stack.enter_async_context(
                    get_session().create_client(
                        "s3",
                        region_name=self.region_name,
                        endpoint_url=self.endpoint_url,
                        config=config,
                        **self._credentials,
                    )
                )
                self._stack = stack
        return self._client

    async def put(self, data: bytes, *, content_type: str = "image/jpeg") -> str:
        key = f"{self.prefix}{secrets.token_urlsafe(_TOKEN_BYTES)}{extension_for(content_type)}"
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            client = await self._get_client()
            await client.put_object(Bucket=self.bucket, Key=key, Body=bytes(data), ContentType=content_type)
            url = await client.generate_presigned_url(
                "get_object", Params={"Bucket": self.bucket, "Key": key}, ExpiresIn=math.ceil(self.ttl_s)
            )
        except (BotoCoreError, ClientError) as exc:
            self._counters["errors"] += 1
            raise MediaError(f"S3 upload to bucket {self.bucket!r} failed: {_describe(exc)}") from exc
        self._counters["puts"] += 1
        self._counters["bytes_uploaded"] += len(data)
        return url

    async def discard(self, url: str) -> None:
        """Delete the object behind a URL this store presigned (a refused message's frame)."""
        key = URL(url).path.lstrip("/")
        if self.endpoint_url or not URL(url).host.startswith(f"{self.bucket}."):  # path style: /bucket/key
            key = key.partition("/")[2]
        if not key.startswith(self.prefix):
            return
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            client = await self._get_client()
            await client.delete_object(Bucket=self.bucket, Key=key)
        except (BotoCoreError, ClientError) as exc:
            self._counters["errors"] += 1
            log.warning("sms-sink: S3 delete of a refused message's frame failed: %s", _describe(exc))
            return
        self._counters["discarded"] += 1

    async def aclose(self) -> None:
        """Close the client; idempotent (a later put opens a new one)."""
        stack, self._stack, self._client = self._stack, None, None
        if stack is not None:
            await stack.aclose()

    def stats(self) -> dict[str, int]:
        return dict(self._counters)

    def __repr__(self) -> str:
        return (
            f"S3MediaStore(bucket={self.bucket!r}, prefix={self.prefix!r}, ttl_s={self.ttl_s:g}, "
            f"endpoint_url={self.endpoint_url!r}, puts={self._counters['puts']}, "
            f"errors={self._counters['errors']})"
        )


def _describe(exc: Exception) -> str:
    """The error code and message from a botocore error (never request headers)."""
    response = getattr(exc, "response", None)
    if isinstance(response, dict) and "Error" in response:
        error = response["Error"]
        return f"{error.get('Code', '?')}: {error.get('Message', '')}".strip()
    return f"{type(exc).__name__}: {exc}"
