"""LocalBlobStore: blobs as files under one root, written atomically, I/O off the event loop.

Layout: the blob `users/u/samples/x` is the file `<root>/users/u/samples/x`. Its content type,
when not application/octet-stream, sits in the sidecar `.x.type` next to it. Uploads go to a
hidden `.x.<random>.part` file in the same directory and are renamed over the key with
`os.replace` only once complete and fsynced, so a reader or a crash never sees a half blob.
Keys cannot start a segment with "." (see keys.py), so no key can address those files.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import tempfile
import time
from collections.abc import AsyncIterable, AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO, ParamSpec, TypeVar

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
    resolve_range,
)
from sp404.storage.errors import BlobExists, BlobNotFound, InvalidKey, StorageUnavailable
from sp404.storage.keys import validate_key, validate_prefix
from sp404.storage.signing import SignedGrant, signed_query, verify_presigned

# Small chunks from the network are gathered to this size before one thread hop writes them.
WRITE_BUFFER = 1024 * 1024
# Reads hop to a thread once per block and hand out READ_CHUNK-sized slices of it.
READ_BLOCK = 16 * READ_CHUNK
MIN_SECRET_BYTES = 16

P = ParamSpec("P")
T = TypeVar("T")


def _sidecar(path: Path) -> Path:
    return path.with_name(f".{path.name}.type")


def _sidecar_tmp(path: Path, tmp: Path) -> Path:
    return path.with_name(f"{_sidecar(path).name}{tmp.name}")


async def _io(fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """Run blocking file I/O in a thread; the disk failing is StorageUnavailable."""
    try:
        return await asyncio.to_thread(fn, *args, **kwargs)
    except OSError as exc:
        raise StorageUnavailable("The blob directory failed.") from exc


class LocalBlobStore(BlobStore):
    """Blobs as files under `root`; presigned URLs point at the routes of `blob_routes`."""

    def __init__(self, root: Path, *, signing_secret: bytes, public_base_url: str) -> None:
        if len(signing_secret) < MIN_SECRET_BYTES:
            raise ValueError(f"signing_secret must be at least {MIN_SECRET_BYTES} bytes")
        self.root = Path(root).resolve()
        self.public_base_url = public_base_url.rstrip("/")
        self._secret = signing_secret

    def _path(self, key: str) -> Path:
        return self.root.joinpath(*validate_key(key).split("/"))

    # -- writing ---------------------------------------------------------------------------

    def _open_temp(self, path: Path) -> tuple[Path, BinaryIO]:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
        except (FileExistsError, NotADirectoryError) as exc:
            raise InvalidKey("A blob already uses part of that key as its name.") from exc
        return Path(name), os.fdopen(fd, "wb")

    @staticmethod
    async def _write(handle: BinaryIO, meter: StreamMeter, data: bytearray) -> None:
        # Hashing and writing both release the GIL: on two threads they overlap, which makes
        # put_stream ~1.4x faster than doing one after the other (bench_blob_store.py).
        # Both finish before we return, so the caller may reuse `data` even after a failure.
        results = await asyncio.gather(
            _io(handle.write, data), asyncio.to_thread(meter.hash, data), return_exceptions=True
        )
        for result in results:
            if isinstance(result, BaseException):
                raise result

    @staticmethod
    def _commit(handle: BinaryIO, tmp: Path, path: Path, content_type: str) -> None:
        handle.flush()
        os.fsync(handle.fileno())
        handle.close()
        sidecar = _sidecar(path)
        if content_type == DEFAULT_CONTENT_TYPE:
            sidecar.unlink(missing_ok=True)
        else:
            sidecar_tmp = _sidecar_tmp(path, tmp)
            sidecar_tmp.write_text(content_type, encoding="utf-8")
            os.replace(sidecar_tmp, sidecar)
        try:
            os.replace(tmp, path)
        except IsADirectoryError as exc:
            raise InvalidKey("Other blobs are stored under that key as a folder.") from exc

    @staticmethod
    def _commit_new(handle: BinaryIO, tmp: Path, path: Path, content_type: str) -> None:
        handle.flush()
        os.fsync(handle.fileno())
        handle.close()
        try:
            # link() fails when the name exists, so of two racing writers exactly one wins.
            os.link(tmp, path)
        except FileExistsError as exc:
            raise BlobExists() from exc
        finally:
            tmp.unlink(missing_ok=True)
        if content_type != DEFAULT_CONTENT_TYPE:
            sidecar_tmp = _sidecar_tmp(path, tmp)
            sidecar_tmp.write_text(content_type, encoding="utf-8")
            os.replace(sidecar_tmp, _sidecar(path))

    @staticmethod
    def _discard(handle: BinaryIO, tmp: Path, path: Path) -> None:
        with contextlib.suppress(OSError):
            handle.close()
            tmp.unlink(missing_ok=True)
            _sidecar_tmp(path, tmp).unlink(missing_ok=True)

    async def put_stream(
        self,
        key: str,
        chunks: AsyncIterable[bytes],
        *,
        max_bytes: int | None = None,
        content_type: str | None = None,
    ) -> StoredBlob:
        """Stream into a temp file, then rename it over the key; on any failure delete it."""
        return await self._put(key, chunks, max_bytes, content_type, self._commit)

    async def put_new(
        self,
        key: str,
        chunks: AsyncIterable[bytes],
        *,
        max_bytes: int | None = None,
        content_type: str | None = None,
    ) -> StoredBlob:
        """Like put_stream, but only if nothing is stored under `key` yet; else BlobExists."""
        return await self._put(key, chunks, max_bytes, content_type, self._commit_new)

    async def _put(
        self,
        key: str,
        chunks: AsyncIterable[bytes],
        max_bytes: int | None,
        content_type: str | None,
        commit: Callable[[BinaryIO, Path, Path, str], None],
    ) -> StoredBlob:
        path = self._path(key)
        meter = StreamMeter(max_bytes)
        tmp, handle = await _io(self._open_temp, path)
        try:
            buffer = bytearray()
            async for chunk in chunks:
                meter.count(chunk)
                buffer += chunk
                if len(buffer) >= WRITE_BUFFER:
                    await self._write(handle, meter, buffer)
                    buffer.clear()
            if buffer:
                await self._write(handle, meter, buffer)
            await _io(commit, handle, tmp, path, content_type or DEFAULT_CONTENT_TYPE)
        except BaseException as exc:
            # Synchronous on purpose: it must run even while the task is being cancelled.
            self._discard(handle, tmp, path)
            if isinstance(exc, Exception):
                # We may have stopped reading mid-stream; an error while closing the source
                # must not hide the one that stopped us.
                with contextlib.suppress(Exception):
                    await aclose_source(chunks)
            raise
        return meter.result(key)

    # -- reading ---------------------------------------------------------------------------

    async def open_read(
        self, key: str, *, start: int = 0, end: int | None = None
    ) -> AsyncIterator[bytes]:
        """Chunks of bytes [start, end); the file is opened when iteration starts."""
        check_range(start, end)
        path = self._path(key)
        if await self.stat(key) is None:
            raise BlobNotFound()
        return self._chunks(path, start, end)

    async def _chunks(self, path: Path, start: int, end: int | None) -> AsyncIterator[bytes]:
        try:
            handle = await asyncio.to_thread(path.open, "rb")
        except (FileNotFoundError, IsADirectoryError) as exc:
            # Deleted between open_read's check and the first chunk.
            raise BlobNotFound() from exc
        except OSError as exc:
            raise StorageUnavailable("The blob directory failed.") from exc
        try:
            size = os.fstat(handle.fileno()).st_size
            begin, stop = resolve_range(size, start, end)
            handle.seek(begin)
            remaining = stop - begin
            while remaining > 0:
                block = await _io(handle.read, min(READ_BLOCK, remaining))
                if not block:
                    break
                remaining -= len(block)
                for offset in range(0, len(block), READ_CHUNK):
                    yield block[offset : offset + READ_CHUNK]
        finally:
            handle.close()

    def _stat(self, path: Path) -> BlobInfo | None:
        try:
            result = path.stat()
        except (FileNotFoundError, NotADirectoryError):
            return None
        if not path.is_file():
            return None
        try:
            content_type = _sidecar(path).read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            content_type = DEFAULT_CONTENT_TYPE
        return BlobInfo(size=result.st_size, content_type=content_type or DEFAULT_CONTENT_TYPE)

    async def stat(self, key: str) -> BlobInfo | None:
        """Size and content type, or None."""
        return await _io(self._stat, self._path(key))

    # -- deleting and listing --------------------------------------------------------------

    @staticmethod
    def _delete(path: Path) -> None:
        with contextlib.suppress(FileNotFoundError, NotADirectoryError, IsADirectoryError):
            path.unlink()
        with contextlib.suppress(FileNotFoundError, NotADirectoryError):
            _sidecar(path).unlink()

    async def delete(self, key: str) -> None:
        """Remove the file and its sidecar; missing is fine."""
        await _io(self._delete, self._path(key))

    def _folder(self, prefix: str) -> Path:
        return self.root.joinpath(*validate_prefix(prefix).rstrip("/").split("/"))

    def _list(self, folder: Path) -> list[str]:
        keys: list[str] = []
        for directory, subdirs, files in os.walk(folder):
            # Hidden names are our temp files and sidecars, never blobs.
            subdirs[:] = [d for d in subdirs if not d.startswith(".")]
            base = Path(directory).relative_to(self.root).as_posix()
            keys.extend(f"{base}/{name}" for name in files if not name.startswith("."))
        return sorted(keys)

    async def list_keys(self, prefix: str) -> list[str]:
        """Sorted keys under the folder `prefix`."""
        return await _io(self._list, self._folder(prefix))

    def _listed(self, folder: Path) -> list[ListedBlob]:
        blobs: list[ListedBlob] = []
        for key in self._list(folder):
            try:
                result = self._path(key).stat()
            except FileNotFoundError:
                continue  # deleted while we walked
            modified = datetime.fromtimestamp(result.st_mtime, UTC)
            blobs.append(ListedBlob(key=key, size=result.st_size, modified_at=modified))
        return blobs

    async def list_blobs(self, prefix: str) -> list[ListedBlob]:
        """Keys under the folder `prefix` with their sizes and modification times."""
        return await _io(self._listed, self._folder(prefix))

    async def list_folders(self, prefix: str) -> list[str]:
        """Names of the folders directly inside `prefix` (hidden ones are never blobs)."""
        folder = self._folder(prefix)

        def names() -> list[str]:
            try:
                entries = list(os.scandir(folder))
            except (FileNotFoundError, NotADirectoryError):
                return []
            return sorted(e.name for e in entries if e.is_dir() and not e.name.startswith("."))

        return await _io(names)

    async def delete_prefix(self, prefix: str) -> int:
        """Remove the folder `prefix` with everything in it; returns how many blobs it held."""
        folder = self._folder(prefix)

        def remove() -> int:
            count = len(self._list(folder))
            with contextlib.suppress(FileNotFoundError, NotADirectoryError):
                shutil.rmtree(folder)
            return count

        return await _io(remove)

    # -- presigned URLs --------------------------------------------------------------------

    def _url(self, grant: SignedGrant) -> str:
        return f"{self.public_base_url}/blobs/{grant.key}?{signed_query(self._secret, grant)}"

    async def presign_put(
        self, key: str, *, max_bytes: int, content_type: str, expires_s: int = 900
    ) -> PresignedUpload:
        """A signed PUT URL for `blob_routes`, accepting at most `max_bytes`."""
        check_expiry(expires_s)
        if max_bytes < 0:
            raise ValueError("max_bytes must be >= 0")
        expires = int(time.time()) + expires_s
        grant = SignedGrant(
            "PUT", validate_key(key), expires, max_bytes=max_bytes, content_type=content_type
        )
        return PresignedUpload(
            url=self._url(grant),
            method="PUT",
            headers={"Content-Type": content_type},
            expires_at=datetime.fromtimestamp(expires, UTC),
        )

    async def presign_get(
        self, key: str, *, expires_s: int = 900, filename: str | None = None
    ) -> str:
        """A signed GET URL for `blob_routes`."""
        check_expiry(expires_s)
        expires = int(time.time()) + expires_s
        return self._url(SignedGrant("GET", validate_key(key), expires, filename=filename))

    def verify(self, method: str, key: str, query: dict[str, str]) -> SignedGrant:
        """The grant of a presigned request to this store; raises InvalidSignature."""
        return verify_presigned(self._secret, method=method, key=key, query=query)

    async def aclose(self) -> None:
        """Nothing to release: every file is closed when its call ends."""
