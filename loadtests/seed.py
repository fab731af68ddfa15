"""A fresh database with verified producers and analysed samples, written directly (like
benchmarks/stack.py) so seeding costs seconds, not a thousand sign-ups."""

from __future__ import annotations

import asyncio
import json
import random
import uuid
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import numpy as np

from loadtests.journey import GENRES, KEYS, WORDS, client_address
from loadtests.stack import with_database
from sp404.accounts.passwords import hash_password
from sp404.core.db import create_pool, tenant_tx
from sp404.core.migrations import migrate
from sp404.core.queries import load_queries
from sp404.core.settings import Settings
from sp404.tokens import hash_opaque_token, new_opaque_token

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "a load test passphrase"
EMBEDDING_SIZE = 64

_INSERT_USER = (
    "insert into app.users (id, email, email_normalized, password_hash) values ($1, $2, $2, $3)"
)
# Plan and verification are the definer functions' to write (the runtime role cannot).
_PROMOTE_USER = "select app.set_user_tier($1), app.mark_email_verified()"
_INSERT_SAMPLES = (
    "insert into app.samples (id, user_id, title, filename, format, size_bytes, sha256, blob_key,"
    " genre, tags, bpm, musical_key, is_loop, duration_s, sample_rate, channels, status)"
    " select i, $2::uuid, t, t || '.wav', 'wav', 44144, md5(t),"
    " 'users/' || $2::uuid::text || '/seed/' || i::text, g,"
    " string_to_array(tg, ','), b, k, l, 0.5, 44100, 1, 'ready'"
    " from unnest($1::uuid[], $3::text[], $4::text[], $5::text[], $6::float8[], $7::text[],"
    " $8::bool[]) as x(i, t, g, tg, b, k, l)"
)
# The statements sign-in itself uses to open a session, so a seeded session is a real one.
_ACCOUNTS_SQL = load_queries(ROOT / "platform" / "sp404" / "accounts" / "queries.sql")
_INSERT_FEATURES = (
    "insert into app.audio_features (user_id, sample_id, features, embedding, engine_version)"
    " select $1, i, '{}', e::real[], 'loadtest' from unnest($2::uuid[], $3::text[]) as x(i, e)"
)


@dataclass(frozen=True)
class Producer:
    """A seeded account that can sign in at once; a returning one also holds a session (the
    refresh token its browser kept in the `sp404_refresh` cookie)."""

    user_id: str
    email: str
    password: str
    refresh_token: str | None = None


async def fresh_database(settings: Settings, name: str) -> None:
    """Drop, create and migrate database `name` (never the dev or test databases)."""
    if name in {"sp404", "sp404_test"}:
        raise ValueError(f"refusing to recreate the shared database {name!r}")
    conn = await asyncpg.connect(with_database(settings.database_owner_url, "postgres"))
    try:
        await conn.execute(f'drop database if exists "{name}" with (force)')
        await conn.execute(f'create database "{name}"')
    finally:
        await conn.close()
    await migrate(settings.database_owner_url)


async def seed_producers(
    settings: Settings,
    count: int,
    *,
    samples_each: int = 8,
    tier: str = "enterprise",
    seed: int = 404,
    returning: float = 0.0,
    refresh_ttl_s: int = 7 * 24 * 3600,
) -> list[Producer]:
    """`count` verified producers on `tier`, each with `samples_each` analysed samples; the
    share `returning` of them (chosen at random) signed in on an earlier day and still hold a
    session that lasts `refresh_ttl_s`."""
    hashed = await hash_password(PASSWORD)
    rnd = random.Random(seed)
    with_session = set(rnd.sample(range(count), round(returning * count)))
    pool = await create_pool(settings, min_size=1, max_size=4)
    gate = asyncio.Semaphore(4)

    async def one(n: int) -> Producer:
        user_id = uuid.uuid4()  # fresh ids: Redis day counters outlive a database
        email = f"load-{n:05d}-{user_id.hex[:6]}@example.com"
        ids = [uuid.uuid4() for _ in range(samples_each)]
        titles = [f"{rnd.choice(WORDS).title()} {rnd.choice(WORDS).title()} {n}.{i}" for i in
                  range(samples_each)]  # fmt: skip
        vectors = np.random.default_rng(seed + n).standard_normal((samples_each, EMBEDDING_SIZE))
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        async with gate, tenant_tx(pool, user_id) as conn:
            await conn.execute(_INSERT_USER, user_id, email, hashed)
            await conn.execute(_PROMOTE_USER, tier)
            await conn.execute("insert into app.user_preferences (user_id) values ($1)", user_id)
            # What sign-up writes too: the billing page needs the subscription row.
            await conn.execute(
                "insert into app.subscriptions (user_id, tier, status) values ($1, $2, 'active')",
                user_id,
                tier,
            )
            await conn.execute(
                "insert into app.usage_counters (user_id, storage_bytes) values ($1, $2)",
                user_id,
                44144 * samples_each,
            )
            if samples_each:
                await conn.execute(
                    _INSERT_SAMPLES,
                    ids,
                    user_id,
                    titles,
                    [rnd.choice(GENRES) for _ in ids],
                    [",".join(rnd.sample(WORDS, 2)) for _ in ids],
                    [float(rnd.randint(70, 170)) for _ in ids],
                    [rnd.choice(KEYS) for _ in ids],
                    [rnd.random() < 0.5 for _ in ids],
                )
                await conn.execute(
                    _INSERT_FEATURES,
                    user_id,
                    ids,
                    ["{" + ",".join(f"{v:.5f}" for v in row) + "}" for row in vectors],
                )
            refresh = None
            if n in with_session:
                refresh = await _open_session(conn, user_id, n, refresh_ttl_s)
        return Producer(str(user_id), email, PASSWORD, refresh)

    try:
        return list(await asyncio.gather(*(one(n) for n in range(count))))
    finally:
        await pool.close()


async def _open_session(conn: asyncpg.Connection, user_id: uuid.UUID, n: int, ttl_s: int) -> str:
    """A session from an earlier sign-in, as `accounts.sessions.start_session` writes it."""
    family_id = await conn.fetchval(
        _ACCOUNTS_SQL["insert_family"], user_id, "Mozilla/5.0 (load test)", client_address(n)
    )
    token = new_opaque_token()
    await conn.execute(
        _ACCOUNTS_SQL["insert_refresh_token"], user_id, family_id, hash_opaque_token(token), ttl_s
    )
    return token


async def analyse_tables(settings: Settings) -> None:
    """Give the planner statistics, as autovacuum would have for a library built over months."""
    conn = await asyncpg.connect(settings.database_owner_url)
    try:
        for table in ("users", "samples", "audio_features", "usage_counters"):
            await conn.execute(f"analyze app.{table}")
    finally:
        await conn.close()


def write_producers(path: Path, producers: list[Producer]) -> None:
    """The credentials file locust reads (one JSON list)."""
    path.write_text(json.dumps([p.__dict__ for p in producers]))


def read_producers(path: Path) -> list[Producer]:
    """The credentials written by `write_producers`."""
    return [Producer(**entry) for entry in json.loads(path.read_text())]
