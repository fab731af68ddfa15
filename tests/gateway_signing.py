"""Calling a service directly in tests, as the gateway would: signed, with the client's address.

The services answer only requests the gateway signed (`sp404.core.gateway_signature`). Tests that
talk to a service on its own port use this httpx auth, which signs with the test machine's secrets
file and sends `X-Client-IP` (a test's own address, so per-address throttles stay apart).
"""

from __future__ import annotations

from collections.abc import Generator

import httpx

from sp404.core.gateway_signature import (
    CLIENT_HEADER,
    SIGNATURE_HEADER,
    GatewaySecrets,
    generate_secrets,
    sign,
)
from sp404.core.settings import Settings

DEFAULT_CLIENT = "127.0.0.1"


class SignedAsGateway(httpx.Auth):
    """Adds X-Client-IP (unless the request has one) and the gateway's signature."""

    def __init__(self, settings: Settings) -> None:
        generate_secrets(settings.keys_dir)
        self._secrets = GatewaySecrets(settings)

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        client_ip = request.headers.get(CLIENT_HEADER, DEFAULT_CLIENT)
        request.headers.update(self.headers(request.method, request.url.path, client_ip))
        yield request

    def headers(self, method: str, path: str, client_ip: str) -> dict[str, str]:
        """The headers the gateway adds to one request."""
        signature = sign(self.secrets()[0], method, path, client_ip)
        return {CLIENT_HEADER: client_ip, SIGNATURE_HEADER: signature}

    def secrets(self) -> list[str]:
        """This run's secrets, the signing one first."""
        return self._secrets()


_configured: SignedAsGateway | None = None


def configure(settings: Settings) -> None:
    """Sign with this test run's secrets (called once the test settings exist)."""
    global _configured
    _configured = SignedAsGateway(settings)


def as_gateway() -> SignedAsGateway:
    """The auth that makes a direct call look like the gateway's, for this test run."""
    if _configured is None:
        raise RuntimeError("tests.gateway_signing.configure() was not called")
    return _configured


def gateway_headers(method: str, path: str, client_ip: str = DEFAULT_CLIENT) -> dict[str, str]:
    """The headers the gateway would add to one request (for senders that are not httpx)."""
    return as_gateway().headers(method, path, client_ip)
