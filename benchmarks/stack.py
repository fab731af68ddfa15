"""A throwaway stack for benchmarks: a fresh database, then service processes on free ports."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import asyncpg
import httpx

from sp404.accounts.passwords import hash_password
from sp404.core.db import create_pool, tenant_tx
from sp404.core.migrations import migrate
from sp404.core.settings import Settings, get_settings
from tests.gateway_signing import SignedAsGateway
from tests.support import free_port

BENCH_DB = "sp404_bench"


def _with_db(dsn: str, name: str) -> str:
    return f"{dsn.rsplit('/', 1)[0]}/{name}"


def bench_settings(database: str = BENCH_DB) -> Settings:
    """Settings pointing at a benchmark database and a temporary var/ folder."""
    base = get_settings()
    return base.model_copy(
        update={
            "environment": "test",
            "database_url": _with_db(base.database_url, database),
            "database_owner_url": _with_db(base.database_owner_url, database),
            "database_auditor_url": _with_db(base.database_auditor_url, database),
            "redis_url": base.redis_url.rsplit("/", 1)[0] + "/8",
            "var_dir": Path(tempfile.mkdtemp(prefix="sp404-bench-")),
            "log_level": "WARNING",
        }
    )


async def fresh_database(settings: Settings) -> None:
    """Drop, create and migrate the database the settings point at."""
    name = settings.database_owner_url.rsplit("/", 1)[1]
    conn = await asyncpg.connect(_with_db(settings.database_owner_url, "postgres"))
    try:
        await conn.execute(f'drop database if exists "{name}" with (force)')
        await conn.execute(f'create database "{name}"')
    finally:
        await conn.close()
    await migrate(settings.database_owner_url)


async def create_verified_users(
    settings: Settings, count: int, password: str, tier: str = "free"
) -> list[tuple[uuid.UUID, str]]:
    """Users who can sign in at once (hashing done once and shared: it is not what we measure)."""
    pool = await create_pool(settings, min_size=1, max_size=2)
    hashed = await hash_password(password)
    users = []
    try:
        for _ in range(count):
            user_id = uuid.uuid4()
            email = f"bench-{user_id.hex[:12]}@example.com"
            async with tenant_tx(pool, user_id) as conn:
                await conn.execute(
                    "insert into app.users (id, email, email_normalized, password_hash)"
                    " values ($1, $2, $2, $3)",
                    user_id,
                    email,
                    hashed,
                )
                # Plan and verification are the definer functions' to write.
                await conn.execute("select app.set_user_tier($1), app.mark_email_verified()", tier)
                await conn.execute(
                    "insert into app.user_preferences (user_id) values ($1)", user_id
                )
                await conn.execute("insert into app.usage_counters (user_id) values ($1)", user_id)
            users.append((user_id, email))
    finally:
        await pool.close()
    return users


def process_env(settings: Settings, **env: str) -> dict[str, str]:
    """The environment of an `sp404` process using these settings' database, Redis and var/."""
    environ = os.environ.copy()
    environ.update(
        {
            "SP404_ENVIRONMENT": "test",
            "SP404_DATABASE_URL": settings.database_url,
            "SP404_DATABASE_OWNER_URL": settings.database_owner_url,
            "SP404_REDIS_URL": settings.redis_url,
            "SP404_VAR_DIR": str(settings.var_dir),
            "SP404_LOG_LEVEL": "WARNING",
            **env,
        }
    )
    return environ


@contextmanager
def service(
    name: str, settings: Settings, **env: str
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """Run `sp404 serve NAME` on a free port until the block ends."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "sp404.cli.main", "serve", name, "--port", str(port)],
        env=process_env(settings, **env),
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        yield url, process
    finally:
        process.terminate()
        process.wait(timeout=10)


@contextmanager
def web_stack(settings: Settings, web_dist: Path, **gateway_env: str) -> Iterator[str]:
    """The platform, the engine and the gateway serving the built web app; yields the
    gateway's URL (the address a browser opens)."""
    with (
        service("platform", settings) as (platform_url, _),
        service("engine", settings, SP404_PLATFORM_URLS=json.dumps([platform_url])) as (
            engine_url,
            _,
        ),
        service(
            "gateway",
            settings,
            SP404_PLATFORM_URLS=json.dumps([platform_url]),
            SP404_ENGINE_URLS=json.dumps([engine_url]),
            SP404_GATEWAY_WEB_DIST=str(web_dist),
            **gateway_env,
        ) as (url, _),
    ):
        yield url


@contextmanager
def engine_client(
    engine_url: str,
    platform_url: str,
    settings: Settings,
    email: str,
    password: str,
    *,
    timeout: float = 120,
) -> Iterator[httpx.Client]:
    """A client of the engine signed in as `email` (a platform login) and signed as the gateway."""
    login = httpx.post(
        f"{platform_url}/api/auth/login",
        auth=SignedAsGateway(settings),
        json={"email": email, "password": password},
    )
    headers = {"Authorization": f"Bearer {login.json()['token']}"}
    with httpx.Client(
        base_url=engine_url, auth=SignedAsGateway(settings), headers=headers, timeout=timeout
    ) as http:
        yield http


def timed_gets(http: httpx.Client, requests: int, path: Callable[[int], str]) -> list[float]:
    """Milliseconds of `requests` GETs of path(0), path(1), ...; each must answer 200."""
    times = []
    for i in range(requests):
        started = time.perf_counter()
        response = http.get(path(i))
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, f"{path(i)}: {response.text[:300]}"
    return times


def rss_mb(pid: int) -> float:
    """Resident memory of a process in MB (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def run(coro: object) -> object:
    return asyncio.run(coro)  # type: ignore[arg-type]
