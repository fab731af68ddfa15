"""The gateway's refusals, in the shared error model, and how they go out on a raw ASGI channel."""

from __future__ import annotations

from starlette.types import Send

from sp404.core.asgi import app_error_response_parts
from sp404.core.errors import AppError, ServiceUnavailable, Unauthorized


class InvalidAccessToken(Unauthorized):
    """Sign in first: this needs a valid access token."""

    code = "invalid_token"


class RateLimited(AppError):
    """Too many requests; slow down and try again shortly."""

    status_code = 429
    code = "rate_limited"


class DailyQuotaExceeded(RateLimited):
    """Today's API allowance of your plan is used up; it renews at midnight UTC."""

    code = "quota_exceeded"


class Overloaded(ServiceUnavailable):
    """The service is busy right now; try again in a moment."""

    code = "overloaded"


class UpstreamUnavailable(ServiceUnavailable):
    """The service is temporarily unavailable; try again shortly."""


class BadGateway(AppError):
    """The service answered in a way we could not pass on."""

    status_code = 502
    code = "bad_gateway"


class GatewayTimeout(AppError):
    """The service took too long to answer."""

    status_code = 504
    code = "gateway_timeout"


async def send_error(
    send: Send,
    error: AppError,
    request_id: str | None,
    extra_headers: list[tuple[bytes, bytes]] | None = None,
) -> int:
    """Send `error` as a complete JSON response; returns its status."""
    status, body, headers = app_error_response_parts(error, request_id)
    raw = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
    ]
    raw += [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    raw += extra_headers or []
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})
    return status
