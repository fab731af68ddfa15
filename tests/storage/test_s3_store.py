"""What only the S3 store does: part sizing, unreachable endpoints, unfinished uploads."""

from __future__ import annotations

import pytest

from sp404.storage import S3BlobStore, StorageUnavailable
from tests.storage.conftest import MIB, Backend, stream
from tests.support import free_port


async def test_a_body_under_one_part_is_a_single_put_object(
    s3_backend: Backend, sample_key: str
) -> None:
    await s3_backend.store.put_stream(sample_key, stream(4 * MIB))
    head = await s3_backend.raw.head_object(Bucket=s3_backend.bucket, Key=sample_key)
    assert "-" not in head["ETag"]


async def test_a_body_over_one_part_is_uploaded_in_parts(
    s3_backend: Backend, sample_key: str
) -> None:
    stored = await s3_backend.store.put_stream(sample_key, stream(11 * MIB))
    head = await s3_backend.raw.head_object(Bucket=s3_backend.bucket, Key=sample_key)
    assert head["ETag"].strip('"').endswith("-3")  # 5 + 5 + 1 MiB
    assert head["ContentLength"] == stored.size == 11 * MIB


async def test_delete_prefix_also_aborts_unfinished_uploads_there(
    s3_backend: Backend, sample_key: str
) -> None:
    await s3_backend.raw.create_multipart_upload(Bucket=s3_backend.bucket, Key=sample_key)
    user_folder = "/".join(sample_key.split("/")[:2])
    assert await s3_backend.store.delete_prefix(user_folder) == 0
    assert await s3_backend.leftovers() == []


async def test_an_unreachable_endpoint_raises_storage_unavailable(sample_key: str) -> None:
    store = S3BlobStore(
        endpoint_url=f"http://127.0.0.1:{free_port()}",
        bucket="nowhere",
        region="us-east-1",
        access_key_id="AKIDX",
        secret_access_key="x",
        connect_timeout_s=1,
        max_attempts=1,
    )
    try:
        with pytest.raises(StorageUnavailable):
            await store.stat(sample_key)
        with pytest.raises(StorageUnavailable):
            await store.put_bytes(sample_key, b"x")
        with pytest.raises(StorageUnavailable):
            await store.list_keys("users")
    finally:
        await store.aclose()


def test_parts_smaller_than_s3_allows_are_refused() -> None:
    with pytest.raises(ValueError, match="part_size"):
        S3BlobStore(
            endpoint_url=None,
            bucket="b",
            region="auto",
            access_key_id=None,
            secret_access_key=None,
            part_size=MIB,
        )
