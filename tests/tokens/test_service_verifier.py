"""Every service builds its verifier one way, and SP404_JWKS_URL points all of them elsewhere."""

from collections.abc import Callable
from pathlib import Path

import pytest

from sp404 import tokens
from sp404.core.settings import Settings
from sp404.tokens import InvalidToken, KeyRing, platform_verifier, start_verifier
from tests.tokens.conftest import AUDIENCE, ISSUER, JwksServer


def _settings(*, jwks_url: str | None, platform_url: str) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        jwks_url=jwks_url,
        platform_urls=[platform_url],
        jwt_issuer=ISSUER,
        jwt_audience=AUDIENCE,
    )


def _issue_with(ring: KeyRing) -> str:
    token, _ = tokens.issue_access_token(
        ring,
        user_id="00000000-0000-4000-8000-000000000001",
        email="producer@example.com",
        tier="free",
        verified=True,
        issuer=ISSUER,
        audience=AUDIENCE,
    )
    return token


@pytest.mark.parametrize("service", ["platform", "gateway or engine"])
async def test_a_configured_jwks_url_is_where_every_service_reads_keys(
    service: str,
    tmp_path: Path,
    keyring: KeyRing,
    issue: Callable[..., str],
    jwks_server: JwksServer,
    closed_port: int,
) -> None:
    elsewhere = tokens.generate(tmp_path / "elsewhere")
    jwks_server.document = tokens.build_jwks(elsewhere)
    settings = _settings(jwks_url=jwks_server.url, platform_url=f"http://127.0.0.1:{closed_port}")
    if service == "platform":
        verifier, keys = platform_verifier(settings, keyring)
    else:
        verifier, keys = await start_verifier(settings)
    try:
        claims = await verifier.verify(_issue_with(elsewhere))
        assert claims.email == "producer@example.com"
        with pytest.raises(InvalidToken):
            await verifier.verify(issue())  # the platform's own ring is not consulted
    finally:
        await keys.aclose()
    assert jwks_server.requests


async def test_without_a_url_the_platform_reads_its_ring_and_the_others_its_jwks(
    keyring: KeyRing, issue: Callable[..., str], jwks_server: JwksServer
) -> None:
    jwks_server.document = tokens.build_jwks(keyring)
    platform_url = jwks_server.url.removesuffix("/.well-known/jwks.json")
    settings = _settings(jwks_url=None, platform_url=platform_url)
    token = issue(issuer=ISSUER)

    own_verifier, platform_keys = platform_verifier(settings, keyring)
    await own_verifier.verify(token)
    await platform_keys.aclose()
    assert jwks_server.requests == []

    verifier, keys = await start_verifier(settings)
    try:
        await verifier.verify(token)
    finally:
        await keys.aclose()
    assert jwks_server.requests == ["/.well-known/jwks.json"]
