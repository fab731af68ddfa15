"""The BlobStore interface, its result types and the bookkeeping both stores share."""

from __future__ import annotations

import abc
import hashlib
from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime

from sp404.storage.errors import BlobTooLarge

READ_CHUNK = 64 * 1024
DEFAULT_CONTENT_TYPE = "application/octet-stream"
# S3's limit for presigned URLs; the local store keeps the same ceiling so both behave alike.
MAX_PRESIGN_EXPIRY_S = 7 * 24 * 3600


@dataclass(frozen=True, slots=True)
class StoredBlob:
    """What put_stream/put_bytes stored: the key, its size in bytes and its sha256 (hex)."""

    key: str
    size: int
    sha256: str


@dataclass(frozen=True, slots=True)
class BlobInfo:
    """Size in bytes and content type of a stored blob."""

    size: int
    content_type: str


@dataclass(frozen=True, slots=True)
class ListedBlob:
    """One blob of a listing: its key, size in bytes and when it was last written."""

    key: str
    size: int
    modified_at: datetime


@dataclass(frozen=True, slots=True)
class PresignedUpload:
    """A URL a browser may upload to directly: send `method` with exactly these `headers`."""

    url: str
    method: str
    headers: dict[str, str] = field(default_factory=dict)
    expires_at: datetime | None = None


class StreamMeter:
    """Counts and hashes bytes as they stream by; raises BlobTooLarge past `max_bytes`."""

    def __init__(self, max_bytes: int | None) -> None:
        if max_bytes is not None and max_bytes < 0:
            raise ValueError("max_bytes must be >= 0")
        self.max_bytes = max_bytes
        self.size = 0
        self._sha256 = hashlib.sha256()

    def count(self, chunk: bytes) -> None:
        """Account for `chunk` before it is written; raise BlobTooLarge if it crosses the limit."""
        self.size += len(chunk)
        if self.max_bytes is not None and self.size > self.max_bytes:
            raise BlobTooLarge(f"The upload is larger than {self.max_bytes} bytes.")

    def hash(self, data: bytes | bytearray | memoryview) -> None:
        """Feed already-counted bytes to the digest (safe to call from a worker thread)."""
        self._sha256.update(data)

    def result(self, key: str) -> StoredBlob:
        """The StoredBlob for everything counted and hashed."""
        return StoredBlob(key=key, size=self.size, sha256=self._sha256.hexdigest())


def resolve_range(size: int, start: int, end: int | None) -> tuple[int, int]:
    """Half-open byte range [begin, stop) of a `size`-byte blob, clamped like a Python slice.

    A negative `start` means the last `-start` bytes (HTTP's `bytes=-N`); `end` is exclusive.
    """
    check_range(start, end)
    begin = max(0, size + start) if start < 0 else min(start, size)
    stop = size if end is None else min(end, size)
    return begin, max(begin, stop)


def check_range(start: int, end: int | None) -> None:
    """Refuse ranges that mean nothing: a suffix with an end, or a negative end."""
    if start < 0 and end is not None:
        raise ValueError("a suffix range (negative start) takes no end")
    if end is not None and end < 0:
        raise ValueError("end must be >= 0")


def check_expiry(expires_s: int) -> None:
    """Refuse presign lifetimes outside 1 s .. 7 days."""
    if not 1 <= expires_s <= MAX_PRESIGN_EXPIRY_S:
        raise ValueError(f"expires_s must be between 1 and {MAX_PRESIGN_EXPIRY_S}")


async def aclose_source(chunks: AsyncIterable[bytes]) -> None:
    """Close an abandoned source generator now rather than whenever it is collected."""
    aclose = getattr(chunks, "aclose", None)
    if aclose is not None:
        await aclose()


async def _one_chunk(data: bytes) -> AsyncIterator[bytes]:
    yield data


class BlobStore(abc.ABC):
    """Where blobs live. Every method validates its key; none trusts a path from a request."""

    @abc.abstractmethod
    async def put_stream(
        self,
        key: str,
        chunks: AsyncIterable[bytes],
        *,
        max_bytes: int | None = None,
        content_type: str | None = None,
    ) -> StoredBlob:
        """Store the streamed bytes; on any failure (BlobTooLarge included) nothing is left."""

    async def put_bytes(self, key: str, data: bytes, content_type: str | None = None) -> StoredBlob:
        """Store `data` under `key`."""
        return await self.put_stream(key, _one_chunk(data), content_type=content_type)

    async def read_bytes(self, key: str) -> bytes:
        """The whole blob in memory; only for blobs known to be small."""
        return b"".join([chunk async for chunk in await self.open_read(key)])

    @abc.abstractmethod
    async def open_read(
        self, key: str, *, start: int = 0, end: int | None = None
    ) -> AsyncIterator[bytes]:
        """Chunks (~64 KiB) of bytes [start, end), sliced like Python; raises BlobNotFound now."""

    @abc.abstractmethod
    async def stat(self, key: str) -> BlobInfo | None:
        """Size and content type, or None if nothing is stored under `key`."""

    @abc.abstractmethod
    async def delete(self, key: str) -> None:
        """Remove the blob; a missing one is fine."""

    @abc.abstractmethod
    async def delete_prefix(self, prefix: str) -> int:
        """Remove every blob under the folder `prefix` (e.g. `users/{id}`); returns how many."""

    @abc.abstractmethod
    async def list_keys(self, prefix: str) -> list[str]:
        """Sorted keys of every blob under the folder `prefix`."""

    @abc.abstractmethod
    async def list_blobs(self, prefix: str) -> list[ListedBlob]:
        """Every blob under the folder `prefix` with its size and time, sorted by key."""

    @abc.abstractmethod
    async def list_folders(self, prefix: str) -> list[str]:
        """The sorted names of the folders directly inside the folder `prefix` (one level)."""

    @abc.abstractmethod
    async def presign_put(
        self, key: str, *, max_bytes: int, content_type: str, expires_s: int = 900
    ) -> PresignedUpload:
        """A URL a browser can upload one blob of at most `max_bytes` to."""

    @abc.abstractmethod
    async def presign_get(
        self, key: str, *, expires_s: int = 900, filename: str | None = None
    ) -> str:
        """A URL that downloads the blob, as attachment `filename` when given."""

    @abc.abstractmethod
    async def aclose(self) -> None:
        """Release connections; the store is unusable afterwards."""
