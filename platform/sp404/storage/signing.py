"""HMAC-SHA256 signed URLs for the local store's direct uploads and downloads."""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

from sp404.storage.errors import InvalidSignature
from sp404.storage.keys import validate_key


@dataclass(frozen=True, slots=True)
class SignedGrant:
    """What a valid signature allows: for PUT the size limit and content type, for GET a name."""

    method: str
    key: str
    expires: int
    max_bytes: int | None = None
    content_type: str | None = None
    filename: str | None = None


def _message(grant: SignedGrant) -> bytes:
    # Every field is bound, each on its own line, so no value can be shifted into another.
    fields = (
        grant.method,
        grant.key,
        str(grant.expires),
        "" if grant.max_bytes is None else str(grant.max_bytes),
        grant.content_type or "",
        grant.filename or "",
    )
    return "\n".join(fields).encode()


def _signature(secret: bytes, grant: SignedGrant) -> str:
    return hmac.new(secret, _message(grant), hashlib.sha256).hexdigest()


def signed_query(secret: bytes, grant: SignedGrant) -> str:
    """The query string (`expires=...&sig=...`) that proves `grant`."""
    params: dict[str, str] = {"expires": str(grant.expires)}
    if grant.max_bytes is not None:
        params["max"] = str(grant.max_bytes)
    if grant.content_type is not None:
        params["type"] = grant.content_type
    if grant.filename is not None:
        params["filename"] = grant.filename
    params["sig"] = _signature(secret, grant)
    return urlencode(params)


def _int_param(query: Mapping[str, str], name: str) -> int | None:
    raw = query.get(name)
    if raw is None:
        return None
    if not raw.isdigit() or len(raw) > 18:
        raise InvalidSignature()
    return int(raw)


def verify_presigned(
    secret: bytes,
    *,
    method: str,
    key: str,
    query: Mapping[str, str],
    now: float | None = None,
) -> SignedGrant:
    """The grant a signed URL carries; raise InvalidSignature if tampered, expired or misused."""
    validate_key(key)
    expires = _int_param(query, "expires")
    signature = query.get("sig", "")
    if expires is None or not signature:
        raise InvalidSignature()
    grant = SignedGrant(
        method=method,
        key=key,
        expires=expires,
        max_bytes=_int_param(query, "max"),
        content_type=query.get("type"),
        filename=query.get("filename"),
    )
    if not hmac.compare_digest(_signature(secret, grant), signature):
        raise InvalidSignature()
    # Checked after the signature so a forged URL learns nothing about expiry.
    if expires < (time.time() if now is None else now):
        raise InvalidSignature("The link has expired.")
    if method == "PUT" and grant.max_bytes is None:
        raise InvalidSignature()
    return grant
