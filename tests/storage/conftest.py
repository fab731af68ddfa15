"""One behavioural suite, two stores: local files in tmp_path, and S3 against a real moto server."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from aiobotocore.session import get_session
from starlette.applications import Starlette

from sp404.storage import BlobStore, LocalBlobStore, S3BlobStore, blob_routes, user_key
from tests.storage.servers import SigV4Gate, Swappable, serve_in_thread
from tests.support.s3 import moto_server

ACCESS_KEY = "AKIDSTORAGETESTS"
SECRET_KEY = "storage-tests-secret-key"
REGION = "us-east-1"
MIB = 1024 * 1024
PART_SIZE = 5 * MIB


@pytest.fixture(scope="session")
def moto_url() -> Iterator[str]:
    """A moto S3 server on 127.0.0.1 for the whole session."""
    with moto_server() as url:
        yield url


@pytest.fixture(scope="session")
def s3_public_url(moto_url: str) -> Iterator[str]:
    """The URL browsers use for S3: a gate that checks presigned signatures, then calls moto."""
    with serve_in_thread(SigV4Gate(moto_url, {ACCESS_KEY: SECRET_KEY})) as url:
        yield url


@pytest.fixture(scope="session")
def local_http() -> Iterator[tuple[str, Swappable]]:
    """A uvicorn server whose app each local-store test installs (its blob routes)."""
    app = Swappable()
    with serve_in_thread(app) as url:
        yield url, app


@dataclass
class Backend:
    """A store under test plus a look behind its back at what it really left stored."""

    name: str
    store: BlobStore
    leftovers: Callable[[], Awaitable[list[str]]]
    raw: Any = None  # S3 only: a plain aiobotocore client on the same bucket
    bucket: str = ""


async def _always_open(request: Any, key: str) -> bool:
    # The store's own suite has no uploads table; the engine's gate is tested in tests/security.
    return True


@asynccontextmanager
async def local_backend_in(root: Path, http: tuple[str, Swappable]) -> AsyncIterator[Backend]:
    """A LocalBlobStore under `root` whose routes the session's uvicorn server serves."""
    url, swap = http
    store = LocalBlobStore(root, signing_secret=b"s" * 32, public_base_url=url)
    swap.app = Starlette(routes=blob_routes(store, upload_gate=_always_open))

    def is_sidecar_of_a_blob(path: Path) -> bool:
        name = path.name
        return (
            name.startswith(".") and name.endswith(".type") and (path.parent / name[1:-5]).is_file()
        )

    def scan() -> list[str]:
        # Every file, hidden temp files and orphaned sidecars included.
        return sorted(
            p.relative_to(root).as_posix()
            for p in root.rglob("*")
            if p.is_file() and not is_sidecar_of_a_blob(p)
        )

    async def leftovers() -> list[str]:
        return await asyncio.to_thread(scan)

    yield Backend("local", store, leftovers)
    await store.aclose()


@asynccontextmanager
async def s3_backend_on(moto_url: str, public_url: str) -> AsyncIterator[Backend]:
    """An S3BlobStore on a fresh moto bucket; presigned URLs go through the SigV4 gate."""
    bucket = f"test-{uuid.uuid4().hex[:16]}"
    async with get_session().create_client(
        "s3",
        endpoint_url=moto_url,
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
    ) as raw:
        await raw.create_bucket(Bucket=bucket)

        async def leftovers() -> list[str]:
            objects = await raw.list_objects_v2(Bucket=bucket)
            uploads = await raw.list_multipart_uploads(Bucket=bucket)
            return [o["Key"] for o in objects.get("Contents", [])] + [
                f"upload:{u['Key']}" for u in uploads.get("Uploads", [])
            ]

        store = S3BlobStore(
            endpoint_url=moto_url,
            bucket=bucket,
            region=REGION,
            access_key_id=ACCESS_KEY,
            secret_access_key=SECRET_KEY,
            public_endpoint_url=public_url,
            part_size=PART_SIZE,
        )
        yield Backend("s3", store, leftovers, raw=raw, bucket=bucket)
        await store.aclose()


@pytest_asyncio.fixture(params=["local", "s3"])
async def backend(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Backend]:
    """Each test runs once per store, each time on an empty store."""
    if request.param == "local":
        context = local_backend_in(tmp_path / "blobs", request.getfixturevalue("local_http"))
    else:
        context = s3_backend_on(
            request.getfixturevalue("moto_url"), request.getfixturevalue("s3_public_url")
        )
    async with context as backend:
        yield backend


@pytest_asyncio.fixture
async def local_backend(
    tmp_path: Path, local_http: tuple[str, Swappable]
) -> AsyncIterator[Backend]:
    """The local store alone, for what only it does."""
    async with local_backend_in(tmp_path / "blobs", local_http) as backend:
        yield backend


@pytest_asyncio.fixture
async def s3_backend(moto_url: str, s3_public_url: str) -> AsyncIterator[Backend]:
    """The S3 store alone, for what only it does."""
    async with s3_backend_on(moto_url, s3_public_url) as backend:
        yield backend


@pytest.fixture
def store(backend: Backend) -> BlobStore:
    return backend.store


@pytest.fixture
def producer_id() -> uuid.UUID:
    return uuid.uuid4()


@pytest.fixture
def sample_key(producer_id: uuid.UUID) -> str:
    return user_key(producer_id, "samples", str(uuid.uuid4()))


async def stream(total: int, chunk: int = 64 * 1024, fill: int = 7) -> AsyncIterator[bytes]:
    """`total` bytes of a repeating pattern, made on the fly chunk by chunk."""
    block = bytes((fill + i) % 251 for i in range(chunk))
    sent = 0
    while sent < total:
        piece = block[: min(chunk, total - sent)]
        sent += len(piece)
        yield piece


def pattern(total: int, chunk: int = 64 * 1024, fill: int = 7) -> bytes:
    """The same bytes `stream` produces, in one piece."""
    block = bytes((fill + i) % 251 for i in range(chunk))
    return (block * (total // chunk + 1))[:total]
