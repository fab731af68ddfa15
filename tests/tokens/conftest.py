"""Fixtures for the tokens tests: a key ring in tmp_path, real Redis on DB 15, a JWKS server."""

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jwt
import pytest
import redis.asyncio as redis
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa

from sp404 import tokens
from sp404.tokens import AccessTokenVerifier, JwksCache, KeyRing, RevocationStore
from tests.support import free_port

ISSUER = "https://platform.sp404.test"
AUDIENCE = "sp404-api"
REDIS_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture
def key_dir(tmp_path: Path) -> Path:
    return tmp_path / "keys"


@pytest.fixture
def keyring(key_dir: Path) -> KeyRing:
    return tokens.generate(key_dir)


@pytest.fixture
def issue(keyring: KeyRing) -> Callable[..., str]:
    """Issue a valid access token with the active key; keyword arguments override defaults."""

    def _issue(**overrides: Any) -> str:
        arguments: dict[str, Any] = {
            "user_id": str(uuid.uuid4()),
            "email": "producer@example.com",
            "tier": "free",
            "verified": True,
            "issuer": ISSUER,
            "audience": AUDIENCE,
        }
        arguments.update(overrides)
        token, _ = tokens.issue_access_token(keyring, **arguments)
        return token

    return _issue


@pytest.fixture
def sign(keyring: KeyRing) -> Callable[..., str]:
    """Sign arbitrary claims and headers, by default with the active key and a valid header."""

    def _sign(
        claims: dict[str, Any],
        *,
        key: rsa.RSAPrivateKey | None = None,
        headers: dict[str, Any] | None = None,
    ) -> str:
        all_headers = {"kid": keyring.active_kid, "typ": "at+jwt"}
        all_headers.update(headers or {})
        signing_key = keyring.active.private_key if key is None else key
        return jwt.encode(claims, signing_key, algorithm="RS256", headers=all_headers)

    return _sign


@pytest.fixture
def valid_claims() -> dict[str, Any]:
    now = int(time.time())
    return {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": str(uuid.uuid4()),
        "jti": uuid.uuid4().hex,
        "iat": now,
        "nbf": now,
        "exp": now + 600,
        "email": "producer@example.com",
        "tier": "pro",
        "verified": True,
    }


@pytest.fixture
def key_cache(keyring: KeyRing) -> JwksCache:
    return JwksCache.from_keyring(keyring)


@pytest.fixture
def make_verifier() -> Callable[..., AccessTokenVerifier]:
    """Build a verifier for this test platform's issuer and audience over any key source."""

    def _make(key_source: Any, **options: Any) -> AccessTokenVerifier:
        return AccessTokenVerifier(key_source, issuer=ISSUER, audience=AUDIENCE, **options)

    return _make


@pytest.fixture
def verifier(
    key_cache: JwksCache, make_verifier: Callable[..., AccessTokenVerifier]
) -> AccessTokenVerifier:
    return make_verifier(key_cache)


@pytest.fixture
async def store() -> AsyncIterator[RevocationStore]:
    """A store on real Redis DB 15 under a key prefix of its own, removed afterwards."""
    prefix = f"sp404test:{uuid.uuid4().hex}:"
    revocations = RevocationStore.from_url(REDIS_URL, key_prefix=prefix)
    yield revocations
    await revocations.aclose()
    client = redis.Redis.from_url(REDIS_URL)
    async for key in client.scan_iter(match=f"{prefix}*"):
        await client.delete(key)
    await client.aclose()


@pytest.fixture
def closed_port() -> int:
    """A local TCP port nothing listens on."""
    return free_port()


@dataclass
class JwksServer:
    """A local HTTP server serving a JWKS document that tests can change, stop and count."""

    document: dict[str, Any] = field(default_factory=lambda: {"keys": []})
    requests: list[str] = field(default_factory=list)
    runner: web.AppRunner | None = None
    url: str = ""

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/{name:.*}", self._serve)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        host, port = self.runner.addresses[0][:2]
        self.url = f"http://{host}:{port}/.well-known/jwks.json"

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()
            self.runner = None

    async def _serve(self, request: web.Request) -> web.Response:
        self.requests.append(request.path)
        return web.Response(text=json.dumps(self.document), content_type="application/json")


@pytest.fixture
async def jwks_server() -> AsyncIterator[JwksServer]:
    server = JwksServer()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def attacker_server() -> AsyncIterator[JwksServer]:
    """A server an attacker controls; tests assert it is never contacted."""
    server = JwksServer()
    await server.start()
    yield server
    await server.stop()


class TcpProxy:
    """Forwards a local port to Redis until stopped, to take Redis away mid-test."""

    def __init__(self) -> None:
        self.server: asyncio.Server | None = None
        self.writers: list[asyncio.StreamWriter] = []
        self.port = 0

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()
            for writer in self.writers:
                writer.close()
            await self.server.wait_closed()
            self.server = None

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", 6379)
        self.writers += [writer, up_writer]
        await asyncio.gather(self._pump(reader, up_writer), self._pump(up_reader, writer))

    @staticmethod
    async def _pump(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except ConnectionError:
            pass
        finally:
            writer.close()


@pytest.fixture
async def redis_proxy() -> AsyncIterator[TcpProxy]:
    proxy = TcpProxy()
    await proxy.start()
    yield proxy
    await proxy.stop()
