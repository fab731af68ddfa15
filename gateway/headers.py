"""Headers across the proxy: hop-by-hop stripping, forged identity, X-Forwarded-*, client address.

X-Forwarded-For and X-Forwarded-Proto are believed only as far as our own proxies wrote them: the
gateway is told how many stand in front of it (`SP404_GATEWAY_TRUSTED_PROXY_HOPS`, default none),
and `sp404.core.client_address` picks the client from the right end of the chain. The resolved
address goes upstream in X-Client-IP, which the gateway always overwrites and signs.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from multidict import CIMultiDict
from starlette.types import Scope

from sp404.core.client_address import resolve_client_address

HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
    }
)
# Set by the gateway alone: a client that sends them is lying, an upstream that sends them errs.
_GATEWAY_OWNED = frozenset(
    {
        "host",
        "x-user-id",
        "x-user-tier",
        "x-request-id",
        "x-forwarded-for",
        "x-forwarded-proto",
        "x-forwarded-host",
        "forwarded",
        "x-client-ip",
        "x-gateway-signature",
        # The gateway's server already answered any 100-continue; upstream it means nothing.
        "expect",
    }
)
# uvicorn writes its own Date and Server; the middleware writes X-Request-ID.
_RESPONSE_DROPPED = frozenset(
    {n.encode() for n in HOP_BY_HOP} | {b"date", b"server", b"x-request-id"}
)


def _connection_listed(value: str) -> set[str]:
    return {token.strip().lower() for token in value.split(",") if token.strip()}


def upstream_request_headers(
    raw: Iterable[tuple[bytes, bytes]],
    *,
    request_id: str,
    forwarded_for: str,
    proto: str,
    identity: Sequence[tuple[str, str]] = (),
) -> tuple[CIMultiDict[str], str | None]:
    """The headers to send upstream, and the original Host."""
    pairs = [(k.decode("latin-1").lower(), v.decode("latin-1")) for k, v in raw]
    dropped = set(HOP_BY_HOP) | _GATEWAY_OWNED
    host = None
    for name, value in pairs:
        if name == "connection":
            dropped |= _connection_listed(value)
        elif name == "host":
            host = value
    out: CIMultiDict[str] = CIMultiDict((n, v) for n, v in pairs if n not in dropped)
    out["X-Request-ID"] = request_id
    out["X-Forwarded-For"] = forwarded_for
    out["X-Forwarded-Proto"] = proto
    if host:
        out["X-Forwarded-Host"] = host
    for name, value in identity:
        out[name] = value
    return out, host


def downstream_response_headers(raw: Iterable[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """The upstream's response headers minus hop-by-hop ones and those the gateway writes."""
    listed: set[bytes] = set()
    kept = []
    for name, value in raw:
        lower = name.lower()
        if lower == b"connection":
            listed |= {t.encode() for t in _connection_listed(value.decode("latin-1"))}
        kept.append((lower, value))
    return [(n, v) for n, v in kept if n not in _RESPONSE_DROPPED and n not in listed]


def peer_address(scope: Scope) -> str:
    """The address of whoever opened the TCP connection."""
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


def client_address(scope: Scope, trusted_hops: int) -> str:
    """The client's address, with `trusted_hops` of our own proxies in front of the gateway."""
    return resolve_client_address(
        peer_address(scope), header(scope, b"x-forwarded-for"), trusted_hops
    )


def forwarded_for(scope: Scope, trusted_hops: int) -> str:
    """The X-Forwarded-For to send on: our proxies' chain plus the peer, else the peer."""
    peer = peer_address(scope)
    chain = header(scope, b"x-forwarded-for") if trusted_hops > 0 else None
    return f"{chain}, {peer}" if chain else peer


def request_proto(scope: Scope, trusted_hops: int) -> str:
    """'https' or 'http' as the client used it (our load balancer's X-Forwarded-Proto)."""
    if trusted_hops > 0:
        proto = (header(scope, b"x-forwarded-proto") or "").rsplit(",", 1)[-1].strip()
        if proto in ("http", "https"):
            return proto
    return "https" if scope.get("scheme") in ("https", "wss") else "http"


def header(scope: Scope, name: bytes) -> str | None:
    """The first value of a request header."""
    for key, value in scope.get("headers", ()):
        if key == name:
            return str(value.decode("latin-1"))
    return None
