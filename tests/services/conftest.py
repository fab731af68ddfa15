"""Real service processes on loopback ports, started with `sp404 serve`."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator

import httpx
import pytest

from sp404.core.settings import Settings
from tests.support import free_port, stop


def service_env(settings: Settings, **extra: str) -> dict[str, str]:
    """The environment a service process needs to use the test database and Redis."""
    env = os.environ.copy()
    env.update(
        SP404_ENVIRONMENT="test",
        SP404_DATABASE_URL=settings.database_url,
        SP404_DATABASE_OWNER_URL=settings.database_owner_url,
        SP404_REDIS_URL=settings.redis_url,
        SP404_VAR_DIR=str(settings.var_dir),
        SP404_LOG_LEVEL="WARNING",
    )
    env.update(extra)
    return env


def wait_until_ready(url: str, process: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"service exited with {process.returncode}")
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{url} did not come up")


StartService = Callable[..., str]


@pytest.fixture
def start_service(migrated_db: Settings) -> Iterator[StartService]:
    """Start `sp404 serve NAME` on a free port; returns its base URL. Stopped after the test."""
    processes: list[subprocess.Popen[bytes]] = []

    def start(name: str, **env: str) -> str:
        port = free_port()
        process = subprocess.Popen(
            [sys.executable, "-m", "sp404.cli.main", "serve", name, "--port", str(port)],
            env=service_env(migrated_db, **env),
        )
        processes.append(process)
        url = f"http://127.0.0.1:{port}"
        wait_until_ready(url, process)
        return url

    yield start
    # Every service is stopped before one that would not stop fails the test.
    failures = []
    for process in processes:
        try:
            stop(process)
        except AssertionError as failure:
            failures.append(failure)
    if failures:
        raise failures[0]
