"""CORS for the SPA's origins (`settings.cors_origins`), answered at the door.

A preflight from an allowed origin is answered here (204) and never reaches an upstream; one from
any other origin, or asking for a method or header we do not accept, gets 403 with no CORS
headers. Actual requests from allowed origins get the allow headers on their response; others
pass through without them, so the browser withholds the answer.
"""

from __future__ import annotations

from collections.abc import Iterable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.errors import send_error
from gateway.headers import header
from sp404.core.errors import Forbidden

ALLOWED_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
ALLOWED_HEADERS = frozenset(
    {"accept", "accept-language", "authorization", "content-language", "content-type",
     "idempotency-key", "x-request-id"}
)  # fmt: skip
_EXPOSED = (
    "Content-Disposition, Retry-After, X-Quota-Warning, X-RateLimit-Daily-Limit, "
    "X-RateLimit-Daily-Remaining, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset, "
    "X-Request-ID"
)
_MAX_AGE = b"600"


class OriginNotAllowed(Forbidden):
    """This origin, method or header is not allowed to call the API from a browser."""

    code = "cors_forbidden"


class CorsMiddleware:
    """Pure ASGI CORS with an exact origin allow-list (credentials allowed)."""

    def __init__(self, app: ASGIApp, origins: Iterable[str]) -> None:
        self.app = app
        self._origins = frozenset(o.rstrip("/") for o in origins)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        origin = header(scope, b"origin")
        if origin is None:
            await self.app(scope, receive, send)
            return
        requested_method = header(scope, b"access-control-request-method")
        if scope["method"] == "OPTIONS" and requested_method is not None:
            await self._preflight(scope, send, origin, requested_method)
            return
        if origin not in self._origins:
            await self.app(scope, receive, send)
            return
        allow = [
            (b"access-control-allow-origin", origin.encode("latin-1")),
            (b"access-control-allow-credentials", b"true"),
            (b"access-control-expose-headers", _EXPOSED.encode()),
            (b"vary", b"Origin"),
        ]

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                kept = [
                    (k, v)
                    for k, v in message.get("headers", [])
                    if not k.startswith(b"access-control-")
                ]
                message = {**message, "headers": kept + allow}
            await send(message)

        await self.app(scope, receive, send_with_cors)

    async def _preflight(self, scope: Scope, send: Send, origin: str, method: str) -> None:
        requested = header(scope, b"access-control-request-headers") or ""
        wanted = {h.strip().lower() for h in requested.split(",") if h.strip()}
        if (
            origin not in self._origins
            or method.upper() not in ALLOWED_METHODS
            or not wanted <= ALLOWED_HEADERS
        ):
            request_id = scope.get("state", {}).get("request_id")
            await send_error(send, OriginNotAllowed(), request_id)
            return
        headers = [
            (b"access-control-allow-origin", origin.encode("latin-1")),
            (b"access-control-allow-credentials", b"true"),
            (b"access-control-allow-methods", ", ".join(sorted(ALLOWED_METHODS)).encode()),
            (b"access-control-allow-headers", ", ".join(sorted(wanted)).encode()),
            (b"access-control-max-age", _MAX_AGE),
            (b"vary", b"Origin, Access-Control-Request-Method, Access-Control-Request-Headers"),
            (b"content-length", b"0"),
        ]
        await send({"type": "http.response.start", "status": 204, "headers": headers})
        await send({"type": "http.response.body", "body": b""})
