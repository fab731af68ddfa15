"""What only the local store does: atomic files, hidden bookkeeping, a folder that is a key."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from sp404.storage import BlobExists, InvalidKey, LocalBlobStore
from tests.storage.conftest import Backend, pattern, stream


@pytest.fixture
def local(local_backend: Backend) -> LocalBlobStore:
    assert isinstance(local_backend.store, LocalBlobStore)
    return local_backend.store


async def test_a_blob_is_a_file_under_the_root_at_its_key(
    local: LocalBlobStore, sample_key: str
) -> None:
    await local.put_bytes(sample_key, b"snare")
    assert local.root.joinpath(*sample_key.split("/")).read_bytes() == b"snare"


async def test_an_upload_in_progress_is_invisible_under_its_key(
    local: LocalBlobStore, sample_key: str
) -> None:
    halfway = asyncio.Event()
    finish = asyncio.Event()

    async def slow_source() -> AsyncIterator[bytes]:
        yield b"a" * (2 * 1024 * 1024)  # past the write buffer, so bytes are on disk
        halfway.set()
        await finish.wait()
        yield b"b"

    upload = asyncio.create_task(local.put_stream(sample_key, slow_source()))
    await halfway.wait()
    await asyncio.sleep(0.05)  # let the buffered write reach the temp file
    assert await local.stat(sample_key) is None
    assert await local.list_keys(sample_key.rsplit("/", 1)[0]) == []
    finish.set()
    stored = await upload
    assert stored.size == 2 * 1024 * 1024 + 1
    assert (await local.stat(sample_key)) is not None


async def test_a_cancelled_upload_leaves_no_file(
    local_backend: Backend, local: LocalBlobStore, sample_key: str
) -> None:
    started = asyncio.Event()

    async def stalled() -> AsyncIterator[bytes]:
        yield b"x" * (2 * 1024 * 1024)
        started.set()
        await asyncio.Event().wait()
        yield b""

    upload = asyncio.create_task(local.put_stream(sample_key, stalled()))
    await started.wait()
    upload.cancel()
    with pytest.raises(asyncio.CancelledError):
        await upload
    assert await local_backend.leftovers() == []


async def test_a_key_cannot_be_both_a_blob_and_a_folder(
    local: LocalBlobStore, sample_key: str
) -> None:
    await local.put_bytes(sample_key, b"x")
    with pytest.raises(InvalidKey):
        await local.put_bytes(sample_key + "/inner", b"y")
    with pytest.raises(InvalidKey):
        await local.put_bytes(sample_key.rsplit("/", 1)[0], b"z")
    assert await local.stat(sample_key.rsplit("/", 1)[0]) is None


async def test_content_type_lives_in_a_hidden_sidecar_that_is_never_listed(
    local: LocalBlobStore, sample_key: str
) -> None:
    await local.put_bytes(sample_key, b"x", "audio/wav")
    folder = sample_key.rsplit("/", 1)[0]
    hidden = [p.name for p in local.root.joinpath(*folder.split("/")).iterdir()]
    assert any(name.startswith(".") and name.endswith(".type") for name in hidden)
    assert await local.list_keys(folder) == [sample_key]
    await local.delete(sample_key)
    assert list(local.root.joinpath(*folder.split("/")).iterdir()) == []


def test_a_short_signing_secret_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="signing_secret"):
        LocalBlobStore(tmp_path, signing_secret=b"short", public_base_url="http://x")


async def test_presigned_urls_start_with_the_public_base_url(tmp_path: Path) -> None:
    store = LocalBlobStore(
        tmp_path, signing_secret=os.urandom(32), public_base_url="https://cloud.example/"
    )
    url = await store.presign_get("users/u/avatar", expires_s=60)
    assert url.startswith("https://cloud.example/blobs/users/u/avatar?expires=")
    upload = await store.presign_put(
        "users/u/avatar", max_bytes=10, content_type="image/png", expires_s=60
    )
    assert upload.url.startswith("https://cloud.example/blobs/users/u/avatar?")
    assert upload.headers == {"Content-Type": "image/png"}


@pytest.mark.parametrize("expires_s", [0, -5, 8 * 24 * 3600])
async def test_presign_lifetimes_outside_one_second_to_a_week_are_refused(
    local: LocalBlobStore, sample_key: str, expires_s: int
) -> None:
    with pytest.raises(ValueError):
        await local.presign_get(sample_key, expires_s=expires_s)


async def test_put_new_refuses_a_key_that_exists_and_keeps_the_first(
    local: LocalBlobStore, sample_key: str
) -> None:
    await local.put_new(sample_key, stream(10), max_bytes=10, content_type="audio/wav")
    with pytest.raises(BlobExists):
        await local.put_new(sample_key, stream(5, fill=1), max_bytes=10)
    assert await local.read_bytes(sample_key) == pattern(10)
    info = await local.stat(sample_key)
    assert info is not None and info.content_type == "audio/wav"
