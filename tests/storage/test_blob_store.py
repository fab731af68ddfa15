"""Behaviour every BlobStore shares; each test runs against the local store and against S3."""

from __future__ import annotations

import hashlib
import tracemalloc
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from sp404.storage import BlobNotFound, BlobStore, BlobTooLarge, InvalidKey, user_key
from tests.storage.conftest import MIB, Backend, pattern, stream


async def read_all(store: BlobStore, key: str, start: int = 0, end: int | None = None) -> bytes:
    return b"".join([chunk async for chunk in await store.open_read(key, start=start, end=end)])


async def test_round_trip_returns_size_and_sha256_and_reads_back_the_bytes(
    store: BlobStore, sample_key: str
) -> None:
    data = b"kick drum " * 1000
    stored = await store.put_bytes(sample_key, data, "audio/wav")
    assert (stored.key, stored.size) == (sample_key, len(data))
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert await read_all(store, sample_key) == data
    info = await store.stat(sample_key)
    assert info is not None
    assert (info.size, info.content_type) == (len(data), "audio/wav")


async def test_content_type_defaults_to_octet_stream(store: BlobStore, sample_key: str) -> None:
    await store.put_bytes(sample_key, b"x")
    info = await store.stat(sample_key)
    assert info is not None and info.content_type == "application/octet-stream"


async def test_empty_blob_round_trips(store: BlobStore, sample_key: str) -> None:
    stored = await store.put_bytes(sample_key, b"")
    assert stored.size == 0 and stored.sha256 == hashlib.sha256(b"").hexdigest()
    assert await read_all(store, sample_key) == b""


async def test_putting_again_replaces_the_blob(store: BlobStore, sample_key: str) -> None:
    await store.put_bytes(sample_key, b"first take, much longer", "audio/wav")
    await store.put_bytes(sample_key, b"second", "audio/flac")
    assert await read_all(store, sample_key) == b"second"
    info = await store.stat(sample_key)
    assert info is not None and info.content_type == "audio/flac"


@pytest.mark.slow
async def test_a_50_mb_stream_is_stored_whole_in_bounded_memory(
    backend: Backend, sample_key: str
) -> None:
    total = 50 * MIB
    # Only the local store is measured: moto keeps S3's bytes in this very process.
    if backend.name == "local":
        tracemalloc.start()
    try:
        stored = await backend.store.put_stream(sample_key, stream(total), content_type="audio/wav")
    finally:
        if backend.name == "local":
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            assert peak < 16 * MIB
    assert stored.size == total
    assert stored.sha256 == hashlib.sha256(pattern(total)).hexdigest()
    if backend.raw is not None:
        # A multipart upload's ETag ends in "-<parts>": 50 MiB in 5 MiB parts is 10 of them.
        head = await backend.raw.head_object(Bucket=backend.bucket, Key=sample_key)
        assert head["ETag"].strip('"').endswith("-10")
    digest = hashlib.sha256()
    async for chunk in await backend.store.open_read(sample_key):
        assert len(chunk) <= 64 * 1024
        digest.update(chunk)
    assert digest.hexdigest() == stored.sha256
    assert await backend.leftovers() == [sample_key]


async def test_more_than_max_bytes_raises_blob_too_large_and_leaves_nothing(
    backend: Backend, sample_key: str
) -> None:
    # Past one S3 part (5 MiB) so a multipart upload is under way when the limit is hit.
    with pytest.raises(BlobTooLarge):
        await backend.store.put_stream(sample_key, stream(12 * MIB), max_bytes=6 * MIB)
    assert await backend.store.stat(sample_key) is None
    assert await backend.store.list_keys(sample_key.rsplit("/", 1)[0]) == []
    assert await backend.leftovers() == []


async def test_blob_too_large_stops_reading_the_source(store: BlobStore, sample_key: str) -> None:
    pulled = 0

    async def endless() -> AsyncIterator[bytes]:
        nonlocal pulled
        while True:
            pulled += 1
            yield b"\0" * 1024

    with pytest.raises(BlobTooLarge):
        await store.put_stream(sample_key, endless(), max_bytes=10 * 1024)
    assert pulled == 11


async def test_exactly_max_bytes_is_accepted(store: BlobStore, sample_key: str) -> None:
    stored = await store.put_stream(sample_key, stream(100_000), max_bytes=100_000)
    assert stored.size == 100_000


async def test_a_source_failing_mid_stream_leaves_nothing_and_reraises(
    backend: Backend, sample_key: str
) -> None:
    class UploadCut(Exception):
        pass

    async def cut_after_7_mib() -> AsyncIterator[bytes]:
        async for chunk in stream(7 * MIB):
            yield chunk
        raise UploadCut

    with pytest.raises(UploadCut):
        await backend.store.put_stream(sample_key, cut_after_7_mib())
    assert await backend.store.stat(sample_key) is None
    assert await backend.leftovers() == []


async def test_a_failed_overwrite_keeps_the_previous_blob(
    store: BlobStore, sample_key: str
) -> None:
    await store.put_bytes(sample_key, b"keep me")
    with pytest.raises(BlobTooLarge):
        await store.put_stream(sample_key, stream(10_000), max_bytes=100)
    assert await read_all(store, sample_key) == b"keep me"


DATA = bytes(range(256)) * 1000  # 256,000 bytes, every offset distinguishable


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (0, None),
        (0, 1),
        (1000, 2000),
        (100_000, None),
        (255_999, None),
        (0, 256_000),
        (200_000, 10**9),  # end past the blob: clamped
        (300_000, None),  # start past the blob: empty
        (500, 500),  # empty range
        (-100, None),  # the last 100 bytes
        (-(10**9), None),  # a suffix longer than the blob: all of it
    ],
)
async def test_range_reads_match_python_slicing(
    store: BlobStore, sample_key: str, start: int, end: int | None
) -> None:
    await store.put_bytes(sample_key, DATA)
    assert await read_all(store, sample_key, start=start, end=end) == DATA[start:end]


async def test_reading_a_missing_blob_raises_blob_not_found(
    store: BlobStore, sample_key: str
) -> None:
    with pytest.raises(BlobNotFound):
        await store.open_read(sample_key)
    assert await store.stat(sample_key) is None


async def test_delete_removes_the_blob_and_missing_is_fine(
    store: BlobStore, sample_key: str
) -> None:
    await store.put_bytes(sample_key, b"x", "audio/wav")
    await store.delete(sample_key)
    assert await store.stat(sample_key) is None
    await store.delete(sample_key)


async def test_delete_prefix_removes_only_that_users_blobs(backend: Backend) -> None:
    store = backend.store
    mine, theirs = uuid.uuid4(), uuid.uuid4()
    my_keys = [
        user_key(mine, "samples", "a"),
        user_key(mine, "samples", "b"),
        user_key(mine, "avatar"),
        user_key(mine, "exports", "kit.zip"),
    ]
    their_keys = [user_key(theirs, "samples", "a"), user_key(theirs, "avatar")]
    for key in my_keys + their_keys:
        await store.put_bytes(key, key.encode(), "text/plain")
    assert await store.delete_prefix(f"users/{mine}") == len(my_keys)
    assert await store.list_keys(f"users/{mine}") == []
    assert await store.list_keys(f"users/{theirs}/") == sorted(their_keys)
    assert sorted(await backend.leftovers()) == sorted(their_keys)


async def test_a_prefix_matches_whole_segments_only(store: BlobStore) -> None:
    await store.put_bytes("users/abc/x", b"1")
    await store.put_bytes("users/abcdef/x", b"2")
    assert await store.list_keys("users/abc") == ["users/abc/x"]
    assert await store.delete_prefix("users/abc") == 1
    assert await store.list_keys("users/abcdef") == ["users/abcdef/x"]


async def test_list_keys_is_sorted_and_recursive(store: BlobStore, producer_id: uuid.UUID) -> None:
    keys = [user_key(producer_id, *parts) for parts in [("b",), ("a", "z"), ("a", "y", "1")]]
    for key in keys:
        await store.put_bytes(key, b"x", "audio/wav")
    assert await store.list_keys(f"users/{producer_id}") == sorted(keys)


async def test_list_blobs_gives_each_blobs_size_and_time(
    store: BlobStore, producer_id: uuid.UUID
) -> None:
    before = datetime.now(UTC) - timedelta(seconds=5)
    small, large = user_key(producer_id, "a"), user_key(producer_id, "b", "c")
    await store.put_bytes(large, b"x" * 300, "audio/wav")
    await store.put_bytes(small, b"x" * 3)
    listed = await store.list_blobs(f"users/{producer_id}")
    assert [(blob.key, blob.size) for blob in listed] == [(small, 3), (large, 300)]
    assert all(blob.modified_at > before for blob in listed)
    assert await store.list_blobs(f"users/{uuid.uuid4()}") == []


async def test_list_folders_names_one_level_only(store: BlobStore) -> None:
    await store.put_bytes("users/u1/samples/x", b"1")
    await store.put_bytes("users/u1/staging/y", b"2")
    await store.put_bytes("users/u2/avatar", b"3")
    await store.put_bytes("users/file", b"4")
    assert await store.list_folders("users") == ["u1", "u2"]
    assert await store.list_folders("users/u1/") == ["samples", "staging"]
    assert await store.list_folders("nothing") == []


HOSTILE_KEYS = [
    "../x",
    "users/../../etc/passwd",
    "users/./x",
    "/etc/passwd",
    "users\\x",
    "users/x\0y",
    "users//x",
    "users/x/",
    "",
    ".signing-secret",
    "users/.x.type",
    "users/x y",
    "users/ü",
    "a" * 513,
]


@pytest.mark.parametrize("key", HOSTILE_KEYS)
async def test_hostile_keys_are_refused_by_every_method(store: BlobStore, key: str) -> None:
    with pytest.raises(InvalidKey):
        await store.put_bytes(key, b"x")
    with pytest.raises(InvalidKey):
        await store.open_read(key)
    with pytest.raises(InvalidKey):
        await store.stat(key)
    with pytest.raises(InvalidKey):
        await store.delete(key)
    with pytest.raises(InvalidKey):
        await store.presign_put(key, max_bytes=1, content_type="audio/wav", expires_s=60)
    with pytest.raises(InvalidKey):
        await store.presign_get(key, expires_s=60)


@pytest.mark.parametrize("prefix", ["", "/", "../users", "users/../..", "/users"])
async def test_hostile_prefixes_are_refused(store: BlobStore, prefix: str) -> None:
    with pytest.raises(InvalidKey):
        await store.list_keys(prefix)
    with pytest.raises(InvalidKey):
        await store.delete_prefix(prefix)
