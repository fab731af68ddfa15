"""Starlette routes that serve the local store's presigned URLs: PUT uploads, GET downloads."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from sp404.core.asgi import error_body
from sp404.storage.disposition import content_disposition
from sp404.storage.errors import (
    BlobNotFound,
    BlobTooLarge,
    InvalidSignature,
    RangeNotSatisfiable,
    StorageError,
    UploadClosed,
)
from sp404.storage.local import LocalBlobStore
from sp404.storage.ranges import parse_range

# User content is served from our own origin: never let a browser sniff or run it.
_SAFE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
    "Cache-Control": "private, max-age=0",
}


def _error(request: Request, exc: StorageError) -> Response:
    request_id = request.scope.get("state", {}).get("request_id")
    return Response(
        error_body(exc.code, exc.message, request_id),
        status_code=exc.status_code,
        media_type="application/json",
        headers=exc.headers,
    )


async def _body(request: Request) -> AsyncIterator[bytes]:
    async for chunk in request.stream():
        if chunk:
            yield chunk


UploadGate = Callable[[Request, str], Awaitable[bool]]
"""Whether a presigned PUT to the key may write now: its upload exists, is open and owns the key.

The signature only proves that we issued the URL; the gate is what makes it die with its upload
(completed, cancelled, expired or deleted), which a signature alone cannot express.
"""


def blob_routes(store: LocalBlobStore, *, upload_gate: UploadGate) -> list[Route]:
    """Routes for `/blobs/{key}` to mount at the root of the app behind `public_base_url`.

    A PUT writes a key once, only while `upload_gate` says its upload is open, and never more
    than the signed size: an old URL can neither replace a checked file nor store bytes that no
    quota counts.
    """

    async def upload(request: Request) -> Response:
        key = request.path_params["key"]
        try:
            grant = store.verify("PUT", key, dict(request.query_params))
            if not await upload_gate(request, key):
                raise UploadClosed()
        except StorageError as exc:
            return _error(request, exc)
        sent_type = request.headers.get("content-type")
        if grant.content_type and sent_type and sent_type != grant.content_type:
            return _error(request, InvalidSignature("Content-Type differs from the signed one."))
        limit = grant.max_bytes or 0
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            # Refused before a byte of the body is read.
            return _error(request, BlobTooLarge(f"The upload is larger than {limit} bytes."))
        try:
            stored = await store.put_new(
                key, _body(request), max_bytes=limit, content_type=grant.content_type
            )
        except StorageError as exc:
            return _error(request, exc)
        except ClientDisconnect:
            return Response(status_code=400)
        if not await upload_gate(request, key):
            # Cancelled or expired while the body was arriving: keep nothing nobody counts.
            await store.delete(key)
            return _error(request, UploadClosed())
        return JSONResponse(
            {"key": stored.key, "size": stored.size, "sha256": stored.sha256},
            headers={"ETag": f'"{stored.sha256}"'},
        )

    async def download(request: Request) -> Response:
        key = request.path_params["key"]
        try:
            grant = store.verify("GET", key, dict(request.query_params))
            info = await store.stat(key)
            if info is None:
                raise BlobNotFound()
        except StorageError as exc:
            return _error(request, exc)
        headers = {**_SAFE_HEADERS, "Accept-Ranges": "bytes"}
        if grant.filename:
            headers["Content-Disposition"] = content_disposition(grant.filename)
        try:
            wanted = parse_range(request.headers.get("range"), info.size)
        except RangeNotSatisfiable as exc:
            return _error(request, exc)
        begin, stop = wanted or (0, info.size)
        status = 200 if wanted is None else 206
        if wanted is not None:
            headers["Content-Range"] = f"bytes {begin}-{stop - 1}/{info.size}"
        headers["Content-Length"] = str(stop - begin)
        if request.method == "HEAD":
            return Response(status_code=status, headers=headers, media_type=info.content_type)
        try:
            chunks = await store.open_read(key, start=begin, end=stop)
        except StorageError as exc:
            return _error(request, exc)
        return StreamingResponse(
            chunks, status_code=status, headers=headers, media_type=info.content_type
        )

    return [
        Route("/blobs/{key:path}", upload, methods=["PUT"], name="blob_upload"),
        Route("/blobs/{key:path}", download, methods=["GET", "HEAD"], name="blob_download"),
    ]
