"""Direct browser uploads and downloads through presigned URLs, over real HTTP, for both stores."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx
import pytest
from starlette.applications import Starlette

from sp404.storage import BlobStore, LocalBlobStore, PresignedUpload, blob_routes
from tests.storage.conftest import Backend
from tests.storage.servers import Swappable


async def http_put(upload: PresignedUpload, body: bytes) -> httpx.Response:
    """PUT like a browser: the signed Content-Type, the real Content-Length of the body."""
    async with httpx.AsyncClient() as client:
        headers = {"Content-Type": upload.headers["Content-Type"]}
        return await client.request(upload.method, upload.url, content=body, headers=headers)


async def http_get(url: str, headers: dict[str, str] | None = None) -> httpx.Response:
    async with httpx.AsyncClient() as client:
        return await client.get(url, headers=headers)


def with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    query.update(changes)
    return urlunsplit(parts._replace(query=urlencode(query)))


def signature_param(url: str) -> str:
    return "sig" if "sig=" in url else "X-Amz-Signature"


async def test_presigned_put_then_get_round_trips_over_http(
    store: BlobStore, sample_key: str
) -> None:
    body = b"RIFF" + bytes(range(256)) * 40
    upload = await store.presign_put(
        sample_key, max_bytes=len(body), content_type="audio/wav", expires_s=300
    )
    assert upload.method == "PUT" and upload.expires_at is not None
    answer = await http_put(upload, body)
    assert answer.status_code == 200, answer.text
    info = await store.stat(sample_key)
    assert info is not None and (info.size, info.content_type) == (len(body), "audio/wav")

    download = await http_get(await store.presign_get(sample_key, expires_s=300))
    assert download.status_code == 200
    assert download.content == body


async def test_presigned_get_with_a_filename_downloads_as_an_attachment(
    store: BlobStore, sample_key: str
) -> None:
    await store.put_bytes(sample_key, b"zip bytes", "application/zip")
    url = await store.presign_get(sample_key, expires_s=60, filename='Kit "A" \u2013 dusty.zip')
    answer = await http_get(url)
    assert answer.status_code == 200
    disposition = answer.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''Kit%20A%20%E2%80%93%20dusty.zip" in disposition


async def test_a_tampered_signature_is_refused_with_403(store: BlobStore, sample_key: str) -> None:
    await store.put_bytes(sample_key, b"secret loop")
    url = await store.presign_get(sample_key, expires_s=60)
    param = signature_param(url)
    signature = dict(parse_qsl(urlsplit(url).query))[param]
    forged = signature[:-1] + ("0" if signature[-1] != "0" else "1")
    answer = await http_get(with_query(url, **{param: forged}))
    assert answer.status_code == 403


async def test_a_url_signed_for_one_key_does_not_open_another(
    store: BlobStore, sample_key: str
) -> None:
    other = sample_key[:-1] + ("0" if sample_key[-1] != "0" else "1")
    await store.put_bytes(other, b"someone else's")
    url = await store.presign_get(sample_key, expires_s=60)
    answer = await http_get(url.replace(sample_key, other))
    assert answer.status_code == 403


async def test_an_expired_url_is_refused_with_403(store: BlobStore, sample_key: str) -> None:
    await store.put_bytes(sample_key, b"old news")
    get_url = await store.presign_get(sample_key, expires_s=1)
    upload = await store.presign_put(sample_key, max_bytes=3, content_type="audio/wav", expires_s=1)
    # Both stores sign whole seconds, so 2.1 s is past any 1 s expiry.
    await asyncio.sleep(2.1)
    assert (await http_get(get_url)).status_code == 403
    assert (await http_put(upload, b"new")).status_code == 403
    assert b"".join([c async for c in await store.open_read(sample_key)]) == b"old news"


async def test_a_put_larger_than_the_signed_size_is_refused_and_stores_nothing(
    backend: Backend, sample_key: str
) -> None:
    upload = await backend.store.presign_put(
        sample_key, max_bytes=1000, content_type="audio/wav", expires_s=60
    )
    answer = await http_put(upload, b"\0" * 1001)
    # S3 refuses with 403 (the signed Content-Length does not match), the local store with 413.
    assert answer.status_code == {"s3": 403, "local": 413}[backend.name]
    assert await backend.store.stat(sample_key) is None
    assert await backend.leftovers() == []


async def test_a_download_url_cannot_be_used_to_upload(store: BlobStore, sample_key: str) -> None:
    url = await store.presign_get(sample_key, expires_s=60)
    async with httpx.AsyncClient() as client:
        answer = await client.put(url, content=b"sneaky")
    assert answer.status_code == 403
    assert await store.stat(sample_key) is None


@pytest.mark.parametrize(
    ("range_header", "status", "content_range", "expected"),
    [
        ("bytes=0-9", 206, "bytes 0-9/1000", slice(0, 10)),
        ("bytes=990-", 206, "bytes 990-999/1000", slice(990, None)),
        ("bytes=-5", 206, "bytes 995-999/1000", slice(995, None)),
        ("bytes=500-5000", 206, "bytes 500-999/1000", slice(500, None)),
        ("bytes=1000-", 416, "bytes */1000", None),
    ],
)
async def test_presigned_get_honours_range_requests(
    store: BlobStore,
    sample_key: str,
    range_header: str,
    status: int,
    content_range: str,
    expected: slice | None,
) -> None:
    data = bytes(range(250)) * 4
    await store.put_bytes(sample_key, data, "audio/wav")
    answer = await http_get(
        await store.presign_get(sample_key, expires_s=60), {"Range": range_header}
    )
    assert answer.status_code == status
    if expected is not None:
        assert answer.headers["content-range"] == content_range
        assert answer.content == data[expected]


# -- the local store's routes in particular ------------------------------------------------


@pytest.fixture
def local(local_backend: Backend) -> BlobStore:
    return local_backend.store


async def test_local_refusals_use_the_json_error_shape(local: BlobStore, sample_key: str) -> None:
    url = await local.presign_get(sample_key, expires_s=60)
    answer = await http_get(with_query(url, sig="0" * 64))
    assert answer.status_code == 403
    assert answer.json() == {
        "error": {
            "code": "forbidden",
            "message": answer.json()["error"]["message"],
            "request_id": None,
        }
    }


async def test_local_unsatisfiable_range_answers_416_with_the_size(
    local: BlobStore, sample_key: str
) -> None:
    await local.put_bytes(sample_key, b"0123456789")
    answer = await http_get(
        await local.presign_get(sample_key, expires_s=60), {"Range": "bytes=20-"}
    )
    assert answer.status_code == 416
    assert answer.headers["content-range"] == "bytes */10"
    assert answer.json()["error"]["code"] == "range_not_satisfiable"


async def test_local_multi_range_request_is_ignored_and_answers_the_whole_blob(
    local: BlobStore, sample_key: str
) -> None:
    await local.put_bytes(sample_key, b"0123456789")
    answer = await http_get(
        await local.presign_get(sample_key, expires_s=60), {"Range": "bytes=0-1,5-6"}
    )
    assert answer.status_code == 200
    assert answer.content == b"0123456789"
    assert "content-range" not in answer.headers


async def test_local_chunked_upload_over_the_limit_is_cut_off_with_413(
    local_backend: Backend, local: BlobStore, sample_key: str
) -> None:
    upload = await local.presign_put(
        sample_key, max_bytes=100_000, content_type="audio/wav", expires_s=60
    )

    async def body() -> AsyncIterator[bytes]:
        # No Content-Length: the limit can only be enforced while streaming.
        for _ in range(50):
            yield b"\0" * 10_000

    async with httpx.AsyncClient() as client:
        answer = await client.put(upload.url, content=body(), headers=upload.headers)
    assert answer.status_code == 413
    assert await local_backend.leftovers() == []


async def test_local_upload_with_another_content_type_is_refused(
    local: BlobStore, sample_key: str
) -> None:
    upload = await local.presign_put(
        sample_key, max_bytes=10, content_type="audio/wav", expires_s=60
    )
    async with httpx.AsyncClient() as client:
        answer = await client.put(
            upload.url, content=b"<script>", headers={"Content-Type": "text/html"}
        )
    assert answer.status_code == 403
    assert await local.stat(sample_key) is None


async def test_local_downloads_are_never_sniffed_or_run_by_the_browser(
    local: BlobStore, sample_key: str
) -> None:
    await local.put_bytes(sample_key, b"<script>alert(1)</script>", "text/html")
    answer = await http_get(await local.presign_get(sample_key, expires_s=60))
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in answer.headers["content-security-policy"]


# -- S3 in particular ----------------------------------------------------------------------


async def test_s3_presigned_put_demands_exactly_the_signed_size(
    s3_backend: Backend, sample_key: str
) -> None:
    # S3 signs Content-Length; the local store accepts anything up to max_bytes.
    upload = await s3_backend.store.presign_put(
        sample_key, max_bytes=1000, content_type="audio/wav", expires_s=60
    )
    assert upload.headers["Content-Length"] == "1000"
    assert (await http_put(upload, b"\0" * 999)).status_code == 403
    assert await s3_backend.store.stat(sample_key) is None


async def test_local_upload_url_writes_once_and_a_replay_gets_409(
    local: BlobStore, sample_key: str
) -> None:
    upload = await local.presign_put(
        sample_key, max_bytes=100, content_type="audio/wav", expires_s=60
    )
    assert (await http_put(upload, b"RIFF first")).status_code == 200
    replay = await http_put(upload, b"<html>x")
    assert replay.status_code == 409
    assert replay.json()["error"]["code"] == "conflict"
    assert await local.read_bytes(sample_key) == b"RIFF first"


async def test_local_upload_refused_by_the_gate_stores_nothing(
    local_backend: Backend, local_http: tuple[str, Swappable], sample_key: str
) -> None:
    async def closed(request: object, key: str) -> bool:
        return False

    store = local_backend.store
    assert isinstance(store, LocalBlobStore)
    local_http[1].app = Starlette(routes=blob_routes(store, upload_gate=closed))
    upload = await store.presign_put(sample_key, max_bytes=10, content_type="audio/wav")
    answer = await http_put(upload, b"RIFF")
    assert answer.status_code == 403
    assert await local_backend.leftovers() == []


async def test_local_upload_closed_while_the_body_arrived_is_deleted(
    local_backend: Backend, local_http: tuple[str, Swappable], sample_key: str
) -> None:
    asked: list[str] = []

    async def closes_after_the_first_question(request: object, key: str) -> bool:
        asked.append(key)
        return len(asked) == 1

    store = local_backend.store
    assert isinstance(store, LocalBlobStore)
    local_http[1].app = Starlette(
        routes=blob_routes(store, upload_gate=closes_after_the_first_question)
    )
    upload = await store.presign_put(sample_key, max_bytes=10, content_type="audio/wav")
    answer = await http_put(upload, b"RIFF")
    assert answer.status_code == 403 and asked == [sample_key, sample_key]
    assert await local_backend.leftovers() == []
