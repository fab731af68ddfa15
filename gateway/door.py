"""The catch-all ASGI app: route, authenticate, limit, forward, count and record.

Order matters and is cheapest-refusal first: unknown path (404), declared body too large (413),
too many requests in flight (503), then the credential (401: a session JWT, or a personal access
token looked up in the database), its scopes (403), then one Redis round trip for revocation, tier
and limits (401/429), and only then an upstream.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from starlette.types import Receive, Scope, Send

from gateway.errors import (
    DailyQuotaExceeded,
    InvalidAccessToken,
    Overloaded,
    RateLimited,
    UpstreamUnavailable,
    send_error,
)
from gateway.headers import (
    client_address,
    forwarded_for,
    header,
    request_proto,
    upstream_request_headers,
)
from gateway.limits import Verdict
from gateway.proxy import ClientGone
from gateway.routing import Route, endpoint_template, resolve
from gateway.runtime import Runtime
from sp404.core.errors import AppError, NotFound, PayloadTooLarge
from sp404.core.gateway_signature import CLIENT_HEADER, SIGNATURE_HEADER, sign
from sp404.tokens import Claims, InvalidToken
from sp404.tokens.personal import bearer_claims
from sp404.tokens.scopes import enforce_scope

_CLIENT_CLOSED = 499  # nginx's code for "the client went away first"; only in logs and metrics


@dataclass
class _Exchange:
    """What one request has gathered on its way through, for the answer and the records."""

    request_id: str
    response_headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    user_id: str | None = None
    via_token: bool = False


def _declared_length(scope: Scope) -> int | None:
    value = header(scope, b"content-length")
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        return None


class Door:
    """Every request that is not the gateway's own goes through here."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.in_flight = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            # No upstream speaks WebSocket; refuse the handshake rather than crash on it.
            await send({"type": "websocket.close", "code": 1008})
            return
        started = time.perf_counter()
        state = scope.setdefault("state", {})
        exchange = _Exchange(request_id=state.get("request_id") or "")
        rt = self.runtime
        path: str = scope["path"]
        route = resolve(
            scope["method"],
            path,
            max_json=rt.gateway.max_json_body_bytes,
            max_upload=rt.gateway.max_upload_bytes,
        )
        group = route.group if route is not None else "unknown"
        status = 500
        try:
            if route is None:
                raise NotFound("There is no such endpoint.")
            status = await self._pass(scope, receive, send, route, exchange)
        except ClientGone:
            status = _CLIENT_CLOSED
        except AppError as error:
            status = await send_error(send, error, exchange.request_id, exchange.response_headers)
        finally:
            elapsed = time.perf_counter() - started
            rt.metrics.observe(group, status, elapsed)
            if exchange.user_id is not None and status not in (429, _CLIENT_CLOSED):
                rt.usage.record(
                    user_id=exchange.user_id,
                    endpoint=endpoint_template(path),
                    method=scope["method"],
                    status=status,
                    duration_ms=round(elapsed * 1000),
                    via_token=exchange.via_token,
                )

    async def _pass(
        self, scope: Scope, receive: Receive, send: Send, route: Route, exchange: _Exchange
    ) -> int:
        rt = self.runtime
        declared = _declared_length(scope)
        if declared is not None and declared > route.max_body_bytes:
            raise PayloadTooLarge(f"The request body may be at most {route.max_body_bytes} bytes.")
        if self.in_flight >= rt.gateway.max_in_flight:
            rt.metrics.limit_hits.labels("shed").inc()
            raise Overloaded(retry_after=1)
        self.in_flight += 1
        try:
            address = client_address(scope, rt.trusted_proxy_hops)
            identity: list[tuple[str, str]] = []
            if not route.public:
                claims = await self._authenticate(scope)
                # Out of scope is refused before the limiter, so it costs no quota.
                enforce_scope(claims, scope["method"], scope["path"])
                verdict = await self._limit_user(claims, exchange)
                identity = [("X-User-ID", claims.user_id), ("X-User-Tier", verdict.tier)]
                exchange.user_id = claims.user_id
                exchange.via_token = claims.personal
                scope["state"]["user_id"] = claims.user_id
            elif route.per_address_limited:
                verdict = await rt.limiter.check_address(address, exchange.request_id)
                exchange.response_headers = verdict.headers()
                if not verdict.allowed:
                    rt.metrics.limit_hits.labels("address").inc()
                    raise RateLimited()
            signing = rt.gateway_secrets()
            if not signing:
                raise UpstreamUnavailable("The gateway has no secret to sign requests with.")
            identity += [
                (CLIENT_HEADER, address),
                (SIGNATURE_HEADER, sign(signing[0], scope["method"], scope["path"], address)),
            ]
            headers, _ = upstream_request_headers(
                scope["headers"],
                request_id=exchange.request_id,
                forwarded_for=forwarded_for(scope, rt.trusted_proxy_hops),
                proto=request_proto(scope, rt.trusted_proxy_hops),
                identity=identity,
            )
            return await rt.proxy.forward(
                scope,
                receive,
                send,
                route=route,
                headers=headers,
                response_headers=exchange.response_headers,
            )
        finally:
            self.in_flight -= 1

    async def _authenticate(self, scope: Scope) -> Claims:
        scheme, _, token = (header(scope, b"authorization") or "").partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise InvalidAccessToken("Sign in first: this needs an access token.")
        try:
            # The limiter's script reads the denylist in the same round trip as the limits.
            return await bearer_claims(
                token, self.runtime.verifier, self.runtime.personal, check_revocation=False
            )
        except InvalidToken as exc:
            raise InvalidAccessToken(exc.message) from exc

    async def _limit_user(self, claims: Claims, exchange: _Exchange) -> Verdict:
        rt = self.runtime
        verdict = await rt.limiter.check_user(claims, exchange.request_id)
        if verdict.outcome in ("revoked", "unchecked"):
            # Revoked: the store reads the keys again and keeps them in its in-process mirror,
            # which is what answers while Redis is down ("unchecked").
            try:
                await rt.revocation.check(claims)
            except InvalidToken as exc:
                raise InvalidAccessToken(exc.message) from exc
            if verdict.outcome == "revoked":
                raise InvalidAccessToken("The access token has been revoked.")
        exchange.response_headers = verdict.headers()
        if verdict.outcome == "minute":
            rt.metrics.limit_hits.labels("minute").inc()
            raise RateLimited()
        if verdict.outcome == "daily":
            rt.metrics.limit_hits.labels("daily").inc()
            raise DailyQuotaExceeded()
        return verdict
