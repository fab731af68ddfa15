"""Real processes on loopback: stub upstreams (one also serving the JWKS) and the gateway."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from sp404.core.settings import Settings
from sp404.tokens import KeyRing, build_jwks, generate, issue_access_token
from tests.services.conftest import service_env
from tests.support import free_port, stop

CORS_ORIGIN = "https://app.sp404.test"
ROOT = Path(__file__).resolve().parents[2]


def _wait_for(url: str, process: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url} exited with {process.returncode}")
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.05)
    raise TimeoutError(f"{url} did not come up")


@dataclass
class Stub:
    """A stub upstream process that can be killed and started again on the same port."""

    port: int
    jwks: Path | None = None
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Stub:
        command = [sys.executable, "-m", "tests.gateway.stub_upstream", "--port", str(self.port)]
        if self.jwks is not None:
            command += ["--jwks", str(self.jwks)]
        self.process = subprocess.Popen(command, cwd=ROOT)
        _wait_for(f"{self.url}/__stats", self.process)
        return self

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def stats(self) -> dict[str, Any]:
        result: dict[str, Any] = httpx.get(f"{self.url}/__stats", timeout=5).json()
        return result

    def count(self, method: str, path: str) -> int:
        return int(self.stats()["requests"].get(f"{method} {path}", 0))


@dataclass
class Gateway:
    """A gateway process and an HTTP client for it."""

    url: str
    process: subprocess.Popen[bytes]
    log: Path | None = None
    client: httpx.Client = field(init=False)

    def __post_init__(self) -> None:
        self.client = httpx.Client(base_url=self.url, timeout=30)

    @property
    def pid(self) -> int:
        return self.process.pid

    def log_lines(self, logger: str) -> list[dict[str, Any]]:
        """The JSON log records this gateway wrote on `logger` (when started with a log)."""
        assert self.log is not None, "start the gateway with log=True"
        records = []
        for line in self.log.read_text().splitlines():
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if isinstance(record, dict) and record.get("logger") == logger:
                records.append(record)
        return records

    def stop(self) -> None:
        self.client.close()
        if self.process.poll() is None:
            stop(self.process)


StartGateway = Callable[..., Gateway]
Mint = Callable[..., str]


@pytest.fixture(scope="session")
def keyring(tmp_path_factory: pytest.TempPathFactory) -> KeyRing:
    """A signing key ring made for these tests."""
    return generate(tmp_path_factory.mktemp("keys"))


@pytest.fixture(scope="session")
def jwks_file(keyring: KeyRing, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("jwks") / "jwks.json"
    path.write_text(json.dumps(build_jwks(keyring)))
    return path


@pytest.fixture(scope="session")
def platform_stub(jwks_file: Path) -> Iterator[Stub]:
    """The "platform": serves the JWKS and echoes everything else."""
    stub = Stub(free_port(), jwks_file).start()
    yield stub
    stub.kill()


@pytest.fixture(scope="session")
def engine_stub() -> Iterator[Stub]:
    """The "engine": echoes every request."""
    stub = Stub(free_port()).start()
    yield stub
    stub.kill()


def gateway_env(
    settings: Settings, platform: list[str], engine: list[str], **extra: str
) -> dict[str, str]:
    """Environment for a gateway process on the test database and Redis."""
    env = service_env(
        settings,
        SP404_PLATFORM_URLS=json.dumps(platform),
        SP404_ENGINE_URLS=json.dumps(engine),
        SP404_CORS_ORIGINS=json.dumps([CORS_ORIGIN]),
        SP404_GATEWAY_USAGE_FLUSH_INTERVAL_S="0.2",
        # The test client stands where a load balancer would: its X-Forwarded-For is believed.
        SP404_GATEWAY_TRUSTED_PROXY_HOPS="1",
        PYTHONPATH=os.pathsep.join([str(ROOT / "platform"), str(ROOT)]),
    )
    env.update(extra)
    return env


def spawn_gateway(env: dict[str, str], log: Path | None = None) -> Gateway:
    """Start `sp404 serve gateway` on a free port and wait until it answers."""
    port = free_port()
    stderr = log.open("wb") if log is not None else None
    process = subprocess.Popen(
        [sys.executable, "-m", "sp404.cli.main", "serve", "gateway", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stderr=stderr,
    )
    if stderr is not None:
        stderr.close()
    url = f"http://127.0.0.1:{port}"
    _wait_for(f"{url}/healthz", process)
    return Gateway(url, process, log)


@pytest.fixture
def start_gateway(
    migrated_db: Settings, platform_stub: Stub, engine_stub: Stub, tmp_path: Path
) -> Iterator[StartGateway]:
    """Start a gateway with its own settings (env overrides); stopped after the test."""
    started: list[Gateway] = []

    def start(
        platform: list[str] | None = None,
        engine: list[str] | None = None,
        log: bool = False,
        **extra: str,
    ) -> Gateway:
        env = gateway_env(
            migrated_db, platform or [platform_stub.url], engine or [engine_stub.url], **extra
        )
        log_path = tmp_path / f"gateway-{len(started)}.log" if log else None
        gateway = spawn_gateway(env, log_path)
        started.append(gateway)
        return gateway

    yield start
    for gateway in started:
        gateway.stop()


@pytest.fixture(scope="session")
def gateway(migrated_db: Settings, platform_stub: Stub, engine_stub: Stub) -> Iterator[Gateway]:
    """The gateway with its standard settings, shared by the tests that change nothing."""
    gw = spawn_gateway(gateway_env(migrated_db, [platform_stub.url], [engine_stub.url]))
    yield gw
    gw.stop()


@pytest.fixture(scope="session")
def mint(keyring: KeyRing, migrated_db: Settings) -> Mint:
    """Sign an access token as the platform would (a new user each call unless given)."""

    def make(user_id: uuid.UUID | str | None = None, tier: str = "free", **kwargs: Any) -> str:
        kwargs.setdefault("issuer", migrated_db.jwt_issuer)
        kwargs.setdefault("audience", migrated_db.jwt_audience)
        token, _ = issue_access_token(
            keyring,
            user_id=user_id or uuid.uuid4(),
            email="producer@example.com",
            tier=tier,
            verified=True,
            **kwargs,
        )
        return token

    return make


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
