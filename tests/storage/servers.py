"""Real HTTP servers for the storage tests: moto's S3, a SigV4 gate in front of it, and a uvicorn
thread serving any ASGI app."""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from urllib.parse import parse_qsl, quote

import httpx
import uvicorn
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from tests.support import free_port


@contextmanager
def serve_in_thread(app: ASGIApp, port: int | None = None) -> Iterator[str]:
    """Serve `app` with uvicorn on 127.0.0.1 in a daemon thread; yields its base URL."""
    port = port or free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


class Swappable:
    """An ASGI app that forwards to whichever app a test installed (one server per session)."""

    def __init__(self) -> None:
        self.app: ASGIApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        assert self.app is not None, "no app installed"
        await self.app(scope, receive, send)


def _hmac(key: bytes, message: str) -> bytes:
    return hmac.new(key, message.encode(), hashlib.sha256).digest()


class SigV4Gate:
    """What S3 itself does and moto does not: check a presigned URL's SigV4 query signature
    and expiry against the request as it arrives, then pass the request on to moto."""

    def __init__(self, upstream: str, credentials: dict[str, str]) -> None:
        self.upstream = upstream
        self.credentials = credentials  # access key id -> secret

    def _valid(self, request: Request) -> bool:
        query = dict(parse_qsl(request.url.query, keep_blank_values=True))
        try:
            access_key, day, region, service, _ = query["X-Amz-Credential"].split("/")
            stamp = query["X-Amz-Date"]
            issued = datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
            expires = int(query["X-Amz-Expires"])
            signed = query["X-Amz-SignedHeaders"].split(";")
            secret = self.credentials[access_key]
            signature = query["X-Amz-Signature"]
        except (KeyError, ValueError):
            return False
        if issued.timestamp() + expires < time.time():
            return False
        canonical_query = "&".join(
            f"{quote(k, safe='-_.~')}={quote(v, safe='-_.~')}"
            for k, v in sorted(query.items())
            if k != "X-Amz-Signature"
        )
        headers = "".join(f"{name}:{request.headers.get(name, '').strip()}\n" for name in signed)
        canonical = "\n".join(
            [
                request.method,
                request.scope["raw_path"].decode(),
                canonical_query,
                headers,
                ";".join(signed),
                "UNSIGNED-PAYLOAD",
            ]
        )
        scope = f"{day}/{region}/{service}/aws4_request"
        to_sign = "\n".join(
            ["AWS4-HMAC-SHA256", stamp, scope, hashlib.sha256(canonical.encode()).hexdigest()]
        )
        key = _hmac(f"AWS4{secret}".encode(), day)
        for part in (region, service, "aws4_request"):
            key = _hmac(key, part)
        expected = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, signature)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        if not self._valid(request):
            body = b"<Error><Code>SignatureDoesNotMatch</Code></Error>"
            await Response(body, status_code=403, media_type="application/xml")(
                scope, receive, send
            )
            return
        passed = {
            k: v
            for k, v in request.headers.items()
            if k.lower() in {"content-type", "content-length", "range"}
        }
        async with httpx.AsyncClient() as client:
            answer = await client.request(
                request.method,
                f"{self.upstream}{scope['raw_path'].decode()}?{request.url.query}",
                headers=passed,
                content=await request.body(),
            )
        kept = {
            k: v
            for k, v in answer.headers.items()
            if k.lower() in {"content-type", "content-range", "content-disposition", "etag"}
        }
        await Response(answer.content, status_code=answer.status_code, headers=kept)(
            scope, receive, send
        )
