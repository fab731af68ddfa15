"""Which upstream serves a path, which routes are public, and what each may cost.

The table is data, not code: a path maps to an upstream group by prefix (on a segment boundary,
so `/api/samplesX` is not `/api/samples`), and each (method, path) to an access rule: public or
bearer, a body size limit and a timeout class.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Upstream = Literal["platform", "engine"]
TimeoutClass = Literal["default", "transfer"]

_PREFIXES: tuple[tuple[str, Upstream], ...] = (
    ("/api/auth", "platform"),
    ("/api/account", "platform"),
    ("/api/billing", "platform"),
    ("/.well-known", "platform"),
    ("/api/samples", "engine"),
    ("/api/jobs", "engine"),
    ("/api/collections", "engine"),
    ("/api/kits", "engine"),
    ("/api/search", "engine"),
    ("/api/exports", "engine"),
    # Presigned direct uploads and downloads of the embedded file store (the engine serves them).
    ("/blobs", "engine"),
)

# Reached without a token. The credential routes among them are also limited per client address.
_PUBLIC: frozenset[tuple[str, str]] = frozenset(
    {
        ("POST", "/api/auth/register"),
        ("POST", "/api/auth/login"),
        ("POST", "/api/auth/refresh"),
        ("POST", "/api/auth/verify"),
        ("POST", "/api/auth/verify/resend"),
        ("POST", "/api/auth/password/forgot"),
        ("POST", "/api/auth/password/reset"),
        ("GET", "/.well-known/jwks.json"),
        ("GET", "/api/billing/plans"),
        ("POST", "/api/billing/webhook"),
    }
)
# Guessing passwords or link tokens, flooding sign-ups and mailing strangers is what a
# per-address limit stops.
_PER_ADDRESS_LIMITED: frozenset[str] = frozenset(
    {
        "/api/auth/register",
        "/api/auth/login",
        "/api/auth/verify",
        "/api/auth/verify/resend",
        "/api/auth/password/forgot",
        "/api/auth/password/reset",
    }
)

_NUMBER_OR_UUID = re.compile(
    r"^(?:[0-9]+|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$"
)
_DIGIT = re.compile(r"[0-9]")


@dataclass(frozen=True, slots=True)
class Route:
    """Where a request goes and the rules it travels under."""

    upstream: Upstream
    group: str
    public: bool
    per_address_limited: bool
    max_body_bytes: int
    timeout: TimeoutClass


def _is_upload(method: str, path: str) -> bool:
    return method in ("POST", "PUT") and (
        path == "/api/samples"
        or path.startswith(("/api/samples/", "/blobs/"))
        or path == "/api/account/avatar"
    )


def _is_download(method: str, path: str) -> bool:
    # Long-lived responses: files, audio previews and the job progress stream (SSE).
    return method == "GET" and (
        path.endswith(("/download", "/audio", "/file", "/stream"))
        or path.startswith("/blobs/")
        or path == "/api/jobs/events"
    )


def _is_signed_blob_url(method: str, path: str) -> bool:
    # Authorised by the URL's own HMAC signature, which the engine checks; no bearer token.
    return method in ("GET", "HEAD", "PUT") and path.startswith("/blobs/")


def resolve(method: str, path: str, *, max_json: int, max_upload: int) -> Route | None:
    """The route for a request, or None when no upstream serves the path."""
    for prefix, upstream in _PREFIXES:
        if path == prefix or (path.startswith(prefix) and path[len(prefix)] == "/"):
            upload = _is_upload(method, path)
            transfer = upload or _is_download(method, path)
            return Route(
                upstream=upstream,
                group=prefix.rsplit("/", 1)[-1].lstrip("."),
                public=(method, path) in _PUBLIC or _is_signed_blob_url(method, path),
                per_address_limited=method == "POST" and path in _PER_ADDRESS_LIMITED,
                max_body_bytes=max_upload if upload else max_json,
                timeout="transfer" if transfer else "default",
            )
    return None


def endpoint_template(path: str) -> str:
    """The path with ids replaced by `{id}`, so usage rows and metrics group by endpoint."""
    return "/".join("{id}" if _looks_like_id(s) else s for s in path.split("/"))[:200]


def _looks_like_id(segment: str) -> bool:
    # Long tokens with digits are opaque ids (export ids, hashes); words never carry digits.
    return bool(_NUMBER_OR_UUID.match(segment)) or (
        len(segment) >= 16 and _DIGIT.search(segment) is not None
    )
