"""Pure ASGI middleware shared by the services: request ids, access logs and JSON errors."""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sp404.core.errors import AppError
from sp404.core.logging import request_id_var, user_id_var

log = logging.getLogger("access")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,128}$")


def error_body(code: str, message: str, request_id: str | None, **details: Any) -> bytes:
    """The shared error shape: {"error": {"code", "message", "request_id", ...}}."""
    payload: dict[str, Any] = {"code": code, "message": message, "request_id": request_id}
    payload.update(details)
    return json.dumps({"error": payload}).encode()


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin-1"))
    return None


class RequestContextMiddleware:
    """Gives every request an id (taken from X-Request-ID when sane), echoes it back, logs the
    request as one JSON line, and turns any unhandled exception into a JSON 500 without a trace."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = _header(scope, b"x-request-id")
        request_id = incoming if incoming and _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        token = request_id_var.set(request_id)
        user_token = user_id_var.set(None)
        started = time.perf_counter()
        status = 500
        response_started = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                headers = [(k, v) for k, v in message.get("headers", []) if k != b"x-request-id"]
                headers.append((b"x-request-id", request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            log.exception("unhandled error", extra={"path": scope.get("path")})
            if not response_started:
                await send_json_error(
                    send_with_id,
                    500,
                    "internal_error",
                    "Something went wrong on our side.",
                    request_id,
                )
        finally:
            route = scope.get("route")
            log.info(
                "request",
                extra={
                    "method": scope.get("method"),
                    "path": scope.get("path"),
                    "route": getattr(route, "path", None),
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                    "user_id": user_id_var.get() or scope.get("state", {}).get("user_id"),
                },
            )
            request_id_var.reset(token)
            user_id_var.reset(user_token)


async def send_json_error(
    send: Send,
    status: int,
    code: str,
    message: str,
    request_id: str | None,
    headers: dict[str, str] | None = None,
    **details: Any,
) -> None:
    """Send a complete JSON error response on a raw ASGI channel."""
    body = error_body(code, message, request_id, **details)
    raw_headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
    ]
    raw_headers += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": body})


def app_error_response_parts(
    exc: AppError, request_id: str | None
) -> tuple[int, bytes, dict[str, str]]:
    """Status, body and headers for an AppError."""
    return (
        exc.status_code,
        error_body(exc.code, exc.message, request_id, **exc.details),
        exc.headers,
    )
