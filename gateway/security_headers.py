"""Security headers on every response the gateway sends, its own and the upstreams'.

HSTS goes out only when the client reached us over TLS (the connection's scheme, or
X-Forwarded-Proto from a trusted proxy): on plain HTTP it would be ignored at best and pin a
development host at worst.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.headers import request_proto

# Stripe's Payment Element is the only third-party code: PCI requires Stripe.js to come from
# js.stripe.com, its card fields are frames from there (hooks.stripe.com for 3-D Secure), and
# it confirms payments with api.stripe.com. These are exactly the sources Stripe documents.
STRIPE_JS = "https://js.stripe.com"
STRIPE_FRAMES = "https://js.stripe.com https://hooks.stripe.com"
STRIPE_API = "https://api.stripe.com"
CSP = (
    "default-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; "
    "object-src 'none'; img-src 'self' data: blob:; media-src 'self' blob:; "
    f"script-src 'self' {STRIPE_JS}; frame-src {STRIPE_FRAMES}; connect-src 'self' {STRIPE_API}"
)
_ALWAYS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"x-frame-options", b"DENY"),
]
_HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")
_OWNED = frozenset(name for name, _ in [*_ALWAYS, _HSTS])


class SecurityHeadersMiddleware:
    """Adds CSP, nosniff, Referrer-Policy, X-Frame-Options and (over TLS) HSTS."""

    def __init__(self, app: ASGIApp, trusted_proxy_hops: int) -> None:
        self.app = app
        self._hops = trusted_proxy_hops

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        added = [*_ALWAYS, _HSTS] if request_proto(scope, self._hops) == "https" else _ALWAYS

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                kept = [(k, v) for k, v in message.get("headers", []) if k not in _OWNED]
                message = {**message, "headers": kept + added}
            await send(message)

        await self.app(scope, receive, send_with_headers)
