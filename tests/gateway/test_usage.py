"""Every authenticated call lands in app.api_usage for its user, without holding the request."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg

from sp404.core.db import tenant_tx
from tests.conftest import CreateUser
from tests.gateway.conftest import Gateway, Mint, bearer


async def _usage_rows(pool: asyncpg.Pool, user: uuid.UUID, want: int) -> list[asyncpg.Record]:
    rows: list[asyncpg.Record] = []
    for _ in range(100):
        async with tenant_tx(pool, user) as conn:
            rows = list(
                await conn.fetch(
                    "select endpoint, method, status_code, response_time_ms"
                    " from app.api_usage order by created_at, id"
                )
            )
        if len(rows) >= want:
            return rows
        await asyncio.sleep(0.05)
    return rows


async def test_authenticated_calls_appear_in_the_users_api_usage(
    gateway: Gateway, mint: Mint, create_user: CreateUser, pool: asyncpg.Pool
) -> None:
    user = await create_user()
    other = await create_user()
    token = bearer(mint(user, tier="pro"))
    sample = uuid.uuid4()
    assert gateway.client.get(f"/api/samples/{sample}", headers=token).status_code == 200
    assert gateway.client.post("/api/collections", json={}, headers=token).status_code == 200
    assert gateway.client.get("/api/kits/status/404", headers=token).status_code == 404
    rows = await _usage_rows(pool, user, 3)
    assert [(r["endpoint"], r["method"], r["status_code"]) for r in rows] == [
        ("/api/samples/{id}", "GET", 200),
        ("/api/collections", "POST", 200),
        ("/api/kits/status/{id}", "GET", 404),
    ]
    assert all(r["response_time_ms"] >= 0 for r in rows)
    assert await _usage_rows(pool, other, 0) == []


async def test_refused_and_anonymous_calls_are_not_recorded(
    gateway: Gateway, create_user: CreateUser, pool: asyncpg.Pool
) -> None:
    user = await create_user()
    gateway.client.post("/api/auth/login", headers={"X-Forwarded-For": "10.200.0.1"})
    gateway.client.get("/api/samples", headers=bearer("not-a-token"))
    await asyncio.sleep(0.5)
    assert await _usage_rows(pool, user, 0) == []


async def test_calls_of_a_user_without_an_account_row_do_not_break_the_batch(
    gateway: Gateway, mint: Mint, create_user: CreateUser, pool: asyncpg.Pool
) -> None:
    ghost = uuid.uuid4()
    user = await create_user()
    gateway.client.get("/api/samples", headers=bearer(mint(ghost)))
    gateway.client.get("/api/samples", headers=bearer(mint(user)))
    rows = await _usage_rows(pool, user, 1)
    assert [r["endpoint"] for r in rows] == ["/api/samples"]
