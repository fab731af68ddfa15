"""What a browser sees: CORS for the SPA's origin only, and security headers on everything."""

from __future__ import annotations

import pytest

from tests.gateway.conftest import CORS_ORIGIN, Gateway, Mint, StartGateway, bearer


def test_a_preflight_from_the_spa_origin_is_answered_by_the_gateway(gateway: Gateway) -> None:
    response = gateway.client.options(
        "/api/samples",
        headers={
            "Origin": CORS_ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "Authorization, Content-Type",
        },
    )
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == CORS_ORIGIN
    assert "POST" in response.headers["access-control-allow-methods"]
    assert response.headers["access-control-allow-headers"] == "authorization, content-type"
    assert response.headers["access-control-allow-credentials"] == "true"


@pytest.mark.parametrize(
    ("origin", "method", "headers"),
    [
        ("https://evil.example", "GET", ""),
        (CORS_ORIGIN + ".evil.example", "GET", ""),
        ("null", "GET", ""),
        (CORS_ORIGIN, "TRACE", ""),
        (CORS_ORIGIN, "GET", "X-User-ID"),
    ],
)
def test_a_preflight_from_elsewhere_or_for_odd_methods_gets_403_without_cors_headers(
    gateway: Gateway, origin: str, method: str, headers: str
) -> None:
    request_headers = {"Origin": origin, "Access-Control-Request-Method": method}
    if headers:
        request_headers["Access-Control-Request-Headers"] = headers
    response = gateway.client.options("/api/samples", headers=request_headers)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "cors_forbidden"
    assert not any(name.startswith("access-control-") for name in response.headers)


def test_responses_to_the_spa_origin_carry_cors_and_expose_the_limit_headers(
    gateway: Gateway, mint: Mint
) -> None:
    response = gateway.client.get("/api/samples", headers={**bearer(mint()), "Origin": CORS_ORIGIN})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == CORS_ORIGIN
    assert "X-RateLimit-Remaining" in response.headers["access-control-expose-headers"]
    assert "Origin" in response.headers["vary"]


def test_responses_to_other_origins_carry_no_cors_headers(gateway: Gateway, mint: Mint) -> None:
    response = gateway.client.get(
        "/api/samples", headers={**bearer(mint()), "Origin": "https://evil.example"}
    )
    assert not any(name.startswith("access-control-") for name in response.headers)


STRIPE_HOSTS = {"https://js.stripe.com", "https://hooks.stripe.com", "https://api.stripe.com"}


def csp_directives(header: str) -> dict[str, list[str]]:
    """A Content-Security-Policy header as {directive: [sources]}."""
    parsed: dict[str, list[str]] = {}
    for part in header.split(";"):
        name, *sources = part.split()
        parsed[name] = sources
    return parsed


def test_the_csp_lets_in_stripe_payment_element_exactly_as_stripe_documents(
    gateway: Gateway,
) -> None:
    csp = csp_directives(gateway.client.get("/healthz").headers["content-security-policy"])
    assert csp["script-src"] == ["'self'", "https://js.stripe.com"]
    assert csp["frame-src"] == ["https://js.stripe.com", "https://hooks.stripe.com"]
    assert csp["connect-src"] == ["'self'", "https://api.stripe.com"]
    # Everything else stays as strict as before Stripe came in.
    assert csp["default-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == csp["form-action"] == ["'self'"]
    assert csp["img-src"] == ["'self'", "data:", "blob:"]
    assert csp["media-src"] == ["'self'", "blob:"]
    assert "style-src" not in csp  # no inline styles: default-src 'self' covers them


def test_the_csp_allows_no_third_party_host_but_stripe(gateway: Gateway) -> None:
    csp = csp_directives(gateway.client.get("/healthz").headers["content-security-policy"])
    sources = {source for values in csp.values() for source in values}
    hosts = {source for source in sources if "." in source or source.endswith("*")}
    assert hosts == STRIPE_HOSTS
    assert not {"*", "https:", "http:", "'unsafe-inline'", "'unsafe-eval'"} & sources


@pytest.mark.parametrize("path", ["/api/samples", "/healthz", "/nowhere", "/api/kits"])
def test_every_response_carries_the_security_headers(
    gateway: Gateway, mint: Mint, path: str
) -> None:
    headers = bearer(mint()) if path == "/api/samples" else {}
    response = gateway.client.get(path, headers=headers)
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert "strict-transport-security" not in response.headers


def test_hsts_is_sent_only_when_the_load_balancer_says_the_client_used_tls(
    gateway: Gateway,
) -> None:
    over_tls = gateway.client.get("/healthz", headers={"X-Forwarded-Proto": "https"})
    assert over_tls.headers["strict-transport-security"].startswith("max-age=")
    plain = gateway.client.get("/healthz", headers={"X-Forwarded-Proto": "http"})
    assert "strict-transport-security" not in plain.headers


def test_an_untrusted_peer_cannot_claim_tls_or_an_address(
    start_gateway: StartGateway, mint: Mint
) -> None:
    gw = start_gateway(SP404_GATEWAY_TRUSTED_PROXY_HOPS="0")
    response = gw.client.get(
        "/api/samples",
        headers={**bearer(mint()), "X-Forwarded-Proto": "https", "X-Forwarded-For": "6.6.6.6"},
    )
    assert "strict-transport-security" not in response.headers
    seen = response.json()["headers"]
    assert seen["x-forwarded-for"] == "127.0.0.1"
    assert seen["x-forwarded-proto"] == "http"


def test_by_default_the_gateway_believes_no_forwarded_address(
    start_gateway: StartGateway, mint: Mint
) -> None:
    gw = start_gateway(SP404_GATEWAY_TRUSTED_PROXY_HOPS="0")
    seen = gw.client.get(
        "/api/samples",
        headers={
            **bearer(mint()),
            "X-Forwarded-For": "6.6.6.6",
            "X-Client-IP": "6.6.6.6",
            "X-Gateway-Signature": "t=1,v1=forged",
        },
    ).json()["headers"]
    assert seen["x-client-ip"] == "127.0.0.1"
    assert seen["x-gateway-signature"] != "t=1,v1=forged"
    assert seen["x-gateway-signature"].startswith("t=")
