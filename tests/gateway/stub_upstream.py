"""A small real upstream for gateway tests and benchmarks: it echoes what it received.

Run as `python -m tests.gateway.stub_upstream --port N [--jwks FILE]`. Every request is counted
(`GET /__stats`); any other path answers JSON with the method, path, query, headers, body length
and body sha256. A few paths misbehave on purpose: `.../status/<code>` answers that status,
`.../drop` closes the connection without an answer, `.../slow?ms=N` waits first, and
`.../download?mb=N` streams N MiB of zeros.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
from collections import Counter
from pathlib import Path

from aiohttp import web

_MIB = 1024 * 1024


def build_app(jwks: Path | None) -> web.Application:
    counts: Counter[str] = Counter()
    jwks_document = jwks.read_bytes() if jwks is not None else None

    async def stats(request: web.Request) -> web.Response:
        return web.json_response({"total": sum(counts.values()), "requests": dict(counts)})

    async def echo(request: web.Request) -> web.StreamResponse:
        counts[f"{request.method} {request.path}"] += 1
        if jwks_document is not None and request.path == "/.well-known/jwks.json":
            return web.Response(body=jwks_document, content_type="application/json")
        if request.path.endswith("/drop"):
            assert request.transport is not None
            request.transport.close()
            return web.Response()
        if "/slow" in request.path:
            await asyncio.sleep(int(request.query.get("ms", "100")) / 1000)
        if request.path.endswith("/download"):
            response = web.StreamResponse()
            await response.prepare(request)
            for _ in range(int(request.query.get("mb", "1"))):
                await response.write(b"\0" * _MIB)
            await response.write_eof()
            return response
        digest = hashlib.sha256()
        length = 0
        async for chunk in request.content.iter_any():
            digest.update(chunk)
            length += len(chunk)
        status = 200
        if "/status/" in request.path:
            status = int(request.path.rsplit("/", 1)[-1])
        body = {
            "method": request.method,
            "path": request.path,
            "query": request.raw_path.partition("?")[2],
            "raw_path": request.raw_path.partition("?")[0],
            "headers": {k.lower(): v for k, v in request.headers.items()},
            "body_length": length,
            "sha256": digest.hexdigest(),
        }
        return web.Response(text=json.dumps(body), status=status, content_type="application/json")

    app = web.Application(client_max_size=0)
    app.router.add_get("/__stats", stats)
    app.router.add_route("*", "/{tail:.*}", echo)
    return app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--jwks", type=Path)
    args = parser.parse_args()
    web.run_app(build_app(args.jwks), host="127.0.0.1", port=args.port, print=None)


if __name__ == "__main__":
    main()
