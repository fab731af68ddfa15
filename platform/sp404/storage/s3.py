"""S3BlobStore: blobs in an S3-compatible bucket (R2, MinIO, AWS) through aiobotocore.

Uploads stream: bodies under one part go up as a single PutObject, larger ones as a multipart
upload of `part_size` parts that is aborted on any failure, so no partial object or dangling
upload is ever left. Presigned uploads are PUT URLs that sign `Content-Length` (R2 has no
presigned POST): S3 then refuses any body whose length differs from the signed one, so the
caller passes the exact declared size of the file as `max_bytes`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterable, AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import aiohttp
from aiobotocore.config import AioConfig
from aiobotocore.session import get_session
from botocore.exceptions import ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as BotoConnectionError

from sp404.storage.base import (
    DEFAULT_CONTENT_TYPE,
    READ_CHUNK,
    BlobInfo,
    BlobStore,
    ListedBlob,
    PresignedUpload,
    StoredBlob,
    StreamMeter,
    aclose_source,
    check_expiry,
    check_range,
)
from sp404.storage.disposition import content_disposition
from sp404.storage.errors import BlobNotFound, RangeNotSatisfiable, StorageUnavailable
from sp404.storage.keys import validate_key, validate_prefix

log = logging.getLogger(__name__)

MIN_PART_SIZE = 5 * 1024 * 1024  # S3's floor for every part but the last
DEFAULT_PART_SIZE = 8 * 1024 * 1024
DELETE_BATCH = 1000  # DeleteObjects takes at most 1000 keys
_NOT_FOUND = {"NoSuchKey", "NotFound", "404"}
_TRANSIENT = {"SlowDown", "ServiceUnavailable", "InternalError", "RequestTimeout"}


@contextlib.contextmanager
def _translated() -> Iterator[None]:
    """Turn botocore/aiohttp failures into our errors (`raise ... from` keeps the cause)."""
    try:
        yield
    except ClientError as exc:
        code = str(exc.response.get("Error", {}).get("Code", ""))
        status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0))
        if code in _NOT_FOUND:
            raise BlobNotFound() from exc
        if code == "InvalidRange":
            raise RangeNotSatisfiable() from exc
        if status >= 500 or code in _TRANSIENT:
            raise StorageUnavailable() from exc
        raise
    except (BotoConnectionError, HTTPClientError, aiohttp.ClientError, TimeoutError) as exc:
        raise StorageUnavailable() from exc


async def _nothing() -> AsyncIterator[bytes]:
    return
    yield  # pragma: no cover - makes this an async generator


class S3BlobStore(BlobStore):
    """Blobs as objects in one bucket; the client is created on first use and kept."""

    def __init__(
        self,
        *,
        endpoint_url: str | None,
        bucket: str,
        region: str,
        access_key_id: str | None,
        secret_access_key: str | None,
        public_endpoint_url: str | None = None,
        part_size: int = DEFAULT_PART_SIZE,
        addressing_style: Literal["path", "virtual", "auto"] = "path",
        connect_timeout_s: float = 5,
        read_timeout_s: float = 60,
        max_attempts: int = 3,
    ) -> None:
        if part_size < MIN_PART_SIZE:
            raise ValueError(f"part_size must be at least {MIN_PART_SIZE} bytes")
        self.bucket = bucket
        self.part_size = part_size
        self._endpoint_url = endpoint_url
        self._public_endpoint_url = public_endpoint_url
        self._client_args: dict[str, Any] = {
            "region_name": region,
            "aws_access_key_id": access_key_id,
            "aws_secret_access_key": secret_access_key,
            "config": AioConfig(
                signature_version="s3v4",
                s3={"addressing_style": addressing_style},
                connect_timeout=connect_timeout_s,
                read_timeout=read_timeout_s,
                retries={"max_attempts": max_attempts, "mode": "standard"},
                # Newer botocore adds CRC headers by default; several S3-compatibles reject
                # them, and we hash with sha256 ourselves.
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
            ),
        }
        self._session = get_session()
        self._clients = contextlib.AsyncExitStack()
        self._client: Any = None
        self._presigner: Any = None
        self._lock = asyncio.Lock()

    async def _s3(self) -> Any:
        if self._client is None:
            async with self._lock:
                if self._client is None:
                    self._presigner = self._client = await self._clients.enter_async_context(
                        self._session.create_client(
                            "s3", endpoint_url=self._endpoint_url, **self._client_args
                        )
                    )
                    if self._public_endpoint_url:
                        # A second client only for signing: browsers reach the bucket by
                        # another host name than we do, and the host is signed.
                        self._presigner = await self._clients.enter_async_context(
                            self._session.create_client(
                                "s3", endpoint_url=self._public_endpoint_url, **self._client_args
                            )
                        )
        return self._client

    # -- writing ---------------------------------------------------------------------------

    async def put_stream(
        self,
        key: str,
        chunks: AsyncIterable[bytes],
        *,
        max_bytes: int | None = None,
        content_type: str | None = None,
    ) -> StoredBlob:
        """Stream up as one PutObject or a multipart upload; abort it on any failure."""
        validate_key(key)
        client = await self._s3()
        meter = StreamMeter(max_bytes)
        target = {"Bucket": self.bucket, "Key": key}
        upload_id: str | None = None
        parts: list[dict[str, Any]] = []
        buffer = bytearray()

        async def send_part() -> None:
            nonlocal upload_id, buffer
            body = bytes(buffer)
            buffer = bytearray()
            with _translated():
                if upload_id is None:
                    created = await client.create_multipart_upload(
                        **target, ContentType=content_type or DEFAULT_CONTENT_TYPE
                    )
                    upload_id = str(created["UploadId"])
                number = len(parts) + 1
                sent = await client.upload_part(
                    **target, UploadId=upload_id, PartNumber=number, Body=body
                )
            parts.append({"PartNumber": number, "ETag": sent["ETag"]})

        try:
            async for chunk in chunks:
                meter.count(chunk)
                meter.hash(chunk)
                buffer += chunk
                if len(buffer) >= self.part_size:
                    await send_part()
            if upload_id is None:
                with _translated():
                    await client.put_object(
                        **target,
                        Body=bytes(buffer),
                        ContentType=content_type or DEFAULT_CONTENT_TYPE,
                    )
            else:
                if buffer:
                    await send_part()
                with _translated():
                    await client.complete_multipart_upload(
                        **target, UploadId=upload_id, MultipartUpload={"Parts": parts}
                    )
        except BaseException as exc:
            if upload_id is not None:
                await self._abort(key, upload_id)
            if isinstance(exc, Exception):
                # An error while closing the source must not hide the one that stopped us.
                with contextlib.suppress(Exception):
                    await aclose_source(chunks)
            raise
        return meter.result(key)

    async def _abort(self, key: str, upload_id: str) -> None:
        try:
            await self._client.abort_multipart_upload(
                Bucket=self.bucket, Key=key, UploadId=upload_id
            )
        except Exception:
            # The original error matters more; a bucket lifecycle rule should reap leftovers.
            log.warning("aborting multipart upload failed", extra={"key": key}, exc_info=True)

    # -- reading ---------------------------------------------------------------------------

    async def open_read(
        self, key: str, *, start: int = 0, end: int | None = None
    ) -> AsyncIterator[bytes]:
        """Chunks of bytes [start, end) from one (ranged) GetObject; BlobNotFound is raised now."""
        validate_key(key)
        check_range(start, end)
        client = await self._s3()
        if end is not None and 0 <= end <= start:
            if await self.stat(key) is None:
                raise BlobNotFound()
            return _nothing()
        request = {"Bucket": self.bucket, "Key": key}
        if start < 0:
            request["Range"] = f"bytes={start}"
        elif start > 0 or end is not None:
            request["Range"] = f"bytes={start}-{'' if end is None else end - 1}"
        try:
            with _translated():
                response = await client.get_object(**request)
        except RangeNotSatisfiable:
            # The object exists but the range starts past its end: sliced like Python, empty.
            return _nothing()
        return self._chunks(response["Body"])

    @staticmethod
    async def _chunks(body: Any) -> AsyncIterator[bytes]:
        async with body:
            while True:
                with _translated():
                    chunk = await body.read(READ_CHUNK)
                if not chunk:
                    return
                yield chunk

    async def stat(self, key: str) -> BlobInfo | None:
        """Size and content type from HeadObject, or None."""
        validate_key(key)
        client = await self._s3()
        try:
            with _translated():
                head = await client.head_object(Bucket=self.bucket, Key=key)
        except BlobNotFound:
            return None
        return BlobInfo(
            size=int(head["ContentLength"]),
            content_type=str(head.get("ContentType") or DEFAULT_CONTENT_TYPE),
        )

    # -- deleting and listing --------------------------------------------------------------

    async def delete(self, key: str) -> None:
        """DeleteObject; S3 treats a missing key as deleted."""
        validate_key(key)
        client = await self._s3()
        with _translated():
            await client.delete_object(Bucket=self.bucket, Key=key)

    async def _pages(self, operation: str, **params: Any) -> AsyncIterator[dict[str, Any]]:
        client = await self._s3()
        pages = client.get_paginator(operation).paginate(Bucket=self.bucket, **params)
        iterator = pages.__aiter__()
        while True:
            with _translated():
                try:
                    page = await iterator.__anext__()
                except StopAsyncIteration:
                    return
            yield page

    async def list_keys(self, prefix: str) -> list[str]:
        """Sorted keys under the folder `prefix` (ListObjectsV2, every page)."""
        folder = validate_prefix(prefix)
        keys = [
            str(item["Key"])
            async for page in self._pages("list_objects_v2", Prefix=folder)
            for item in page.get("Contents", [])
        ]
        return sorted(keys)

    async def list_blobs(self, prefix: str) -> list[ListedBlob]:
        """Keys under the folder `prefix` with sizes and LastModified, from the listing alone."""
        folder = validate_prefix(prefix)
        blobs = [
            ListedBlob(
                key=str(item["Key"]),
                size=int(item["Size"]),
                modified_at=item["LastModified"].astimezone(UTC),
            )
            async for page in self._pages("list_objects_v2", Prefix=folder)
            for item in page.get("Contents", [])
        ]
        return sorted(blobs, key=lambda blob: blob.key)

    async def list_folders(self, prefix: str) -> list[str]:
        """The next path segments under `prefix` (ListObjectsV2 with a '/' delimiter)."""
        folder = validate_prefix(prefix)
        names = {
            str(common["Prefix"])[len(folder) :].rstrip("/")
            async for page in self._pages("list_objects_v2", Prefix=folder, Delimiter="/")
            for common in page.get("CommonPrefixes", [])
        }
        return sorted(names)

    async def delete_prefix(self, prefix: str) -> int:
        """Delete every object under the folder in batches and abort its unfinished uploads."""
        folder = validate_prefix(prefix)
        client = await self._s3()
        deleted = 0
        async for page in self._pages("list_objects_v2", Prefix=folder):
            keys = [item["Key"] for item in page.get("Contents", [])]
            for offset in range(0, len(keys), DELETE_BATCH):
                batch = [{"Key": k} for k in keys[offset : offset + DELETE_BATCH]]
                with _translated():
                    result = await client.delete_objects(
                        Bucket=self.bucket, Delete={"Objects": batch, "Quiet": True}
                    )
                if result.get("Errors"):
                    raise StorageUnavailable("Some blobs could not be deleted.")
                deleted += len(batch)
        # Unfinished multipart uploads hold bytes too (an account deletion must reach them).
        async for page in self._pages("list_multipart_uploads", Prefix=folder):
            for upload in page.get("Uploads", []):
                with _translated():
                    await client.abort_multipart_upload(
                        Bucket=self.bucket, Key=upload["Key"], UploadId=upload["UploadId"]
                    )
        return deleted

    # -- presigned URLs --------------------------------------------------------------------

    async def presign_put(
        self, key: str, *, max_bytes: int, content_type: str, expires_s: int = 900
    ) -> PresignedUpload:
        """A PUT URL signing Content-Length: the body must be exactly `max_bytes` long."""
        validate_key(key)
        check_expiry(expires_s)
        if max_bytes < 0:
            raise ValueError("max_bytes must be >= 0")
        await self._s3()
        issued = datetime.now(UTC)
        url = await self._presigner.generate_presigned_url(
            "put_object",
            Params={
                "Bucket": self.bucket,
                "Key": key,
                "ContentType": content_type,
                "ContentLength": max_bytes,
            },
            ExpiresIn=expires_s,
        )
        return PresignedUpload(
            url=str(url),
            method="PUT",
            headers={"Content-Type": content_type, "Content-Length": str(max_bytes)},
            expires_at=issued + timedelta(seconds=expires_s),
        )

    async def presign_get(
        self, key: str, *, expires_s: int = 900, filename: str | None = None
    ) -> str:
        """A GET URL; with `filename` S3 answers with a matching Content-Disposition."""
        validate_key(key)
        check_expiry(expires_s)
        await self._s3()
        params = {"Bucket": self.bucket, "Key": key}
        if filename is not None:
            params["ResponseContentDisposition"] = content_disposition(filename)
        url = await self._presigner.generate_presigned_url(
            "get_object", Params=params, ExpiresIn=expires_s
        )
        return str(url)

    async def aclose(self) -> None:
        """Close the clients and their connection pools."""
        await self._clients.aclose()
        self._client = self._presigner = None
