"""Similar-sounds and text search over HTTP against a real engine, for a 10,000-sample library
(and a second producer's 10,000 next to it), as p50/p95 latencies and ratios to a baseline: the
engine's cheapest authenticated read (one sample by id) measured in the same run.

    .venv/bin/python benchmarks/bench_search.py [--samples 10000] [--requests 200]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import time
import uuid
from urllib.parse import urlencode

import asyncpg
import numpy as np

from benchmarks.stack import (
    bench_settings,
    create_verified_users,
    engine_client,
    fresh_database,
    percentile,
    service,
    timed_gets,
)
from sp404.core.db import create_pool, tenant_tx
from sp404.core.settings import Settings

BENCH_DB = "sp404_bench_search"
PASSWORD = "a benchmark passphrase"
TARGET_MS = 50.0

ADJECTIVES = (
    "dusty warm dark bright gritty lush airy punchy crunchy mellow hazy vintage soulful eerie "
    "dreamy tense bouncy smooth filtered detuned glassy metallic wooden breathy saturated "
    "distorted muffled crisp wobbly shimmering brittle heavy thin deep rubbery plucky swung "
    "lazy driving hypnotic jazzy cinematic lofi grimy clean wet dry"
).split()
MOODS = (
    "melancholic uplifting nostalgic aggressive chill romantic mysterious playful somber "
    "euphoric anxious triumphant wistful menacing serene groovy lonely hopeful bittersweet"
).split()
THINGS = (
    "rhodes piano kick snare hat hihat vocal chop bass pad strings horn guitar synth break "
    "loop perc clap rim shaker tambourine organ flute sax trumpet choir bell marimba harp sub "
    "808 stab riser texture drone arp lead pluck cymbal tom conga"
).split()
GENRES = (
    "boom bap|lo-fi hip hop|trap|house|jazz|soul|ambient|drill|dub|techno|funk|r&b|gospel|"
    "afrobeat|city pop"
).split("|")
FILLER = "a the with and of over into under behind through some slightly very".split()
KEYS = [f"{n} {m}" for n in "C C# D Eb E F F# G Ab A Bb B".split() for m in ("major", "minor")]
QUERIES = (
    "dusty",
    "melancholic rhodes",
    '"warm pad"',
    "crunchy 808",
    "mel",
    "lo-fi",
    "spaceship",
)


def _description(rnd: random.Random) -> str:
    words = [rnd.choice(ADJECTIVES + THINGS + FILLER + MOODS) for _ in range(rnd.randint(12, 30))]
    return " ".join(words).capitalize() + "."


async def _seed(
    settings: Settings, user_id: uuid.UUID, count: int, seed: int
) -> tuple[list[uuid.UUID], list[uuid.UUID]]:
    """A library of `count` analysed samples with vibes, written as its owner in one go; returns
    all ids and the ids of those with both a tempo and a key."""
    rnd = random.Random(seed)
    ids = [uuid.uuid4() for _ in range(count)]
    titles = [f"{rnd.choice(ADJECTIVES).title()} {rnd.choice(THINGS).title()} {i}" for i in ids]
    bpms = [rnd.choice([None, *(float(rnd.randint(70, 170)) for _ in range(8))]) for _ in ids]
    keys = [rnd.choice([None, *KEYS]) for _ in ids]
    embeddings = np.random.default_rng(seed).standard_normal((count, 64)).astype(np.float32)
    embeddings /= np.linalg.norm(embeddings, axis=1, keepdims=True)
    pool = await create_pool(settings, min_size=1, max_size=1)
    try:
        async with tenant_tx(pool, user_id) as conn:
            await conn.execute(
                "insert into app.samples (id, user_id, title, filename, format, size_bytes, sha256,"
                " blob_key, genre, tags, bpm, musical_key, is_loop, status)"
                " select i, $2, t, t || '.wav', 'wav', 1000, md5(t), 'users/bench/x', g,"
                " string_to_array(tg, ','), b, k, l, 'ready'"
                " from unnest($1::uuid[], $3::text[], $4::text[], $5::text[], $6::float8[],"
                " $7::text[], $8::bool[]) as x(i, t, g, tg, b, k, l)",
                ids,
                user_id,
                [t[:200] for t in titles],
                [rnd.choice(GENRES) for _ in ids],
                [",".join(rnd.sample(THINGS + ADJECTIVES, 3)) for _ in ids],
                bpms,
                keys,
                [rnd.random() < 0.5 for _ in ids],
            )
            await conn.execute(
                "insert into app.audio_features (user_id, sample_id, features, embedding,"
                " engine_version) select $1, i, '{}', e::real[], 'bench'"
                " from unnest($2::uuid[], $3::text[]) as x(i, e)",
                user_id,
                ids,
                ["{" + ",".join(f"{v:.6f}" for v in row) + "}" for row in embeddings],
            )
            await conn.execute(
                "insert into app.vibe_analyses (user_id, sample_id, model, description, moods,"
                " descriptors, genre) select $1, i, 'bench', d, string_to_array(m, ','),"
                " string_to_array(ds, ','), g"
                " from unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[])"
                " as x(i, d, m, ds, g)",
                user_id,
                ids,
                [_description(rnd) for _ in ids],
                [",".join(rnd.sample(MOODS, 2)) for _ in ids],
                [",".join(rnd.sample(ADJECTIVES, 3)) for _ in ids],
                [rnd.choice(GENRES) for _ in ids],
            )
    finally:
        await pool.close()
    return ids, [i for i, b, k in zip(ids, bpms, keys, strict=True) if b and k]


async def _vacuum(settings: Settings) -> None:
    # A library built over months has been vacuumed and analysed by autovacuum; a fresh bulk
    # insert has not (no planner statistics, no visibility map for index-only scans).
    conn = await asyncpg.connect(settings.database_owner_url)
    try:
        for table in ("samples", "audio_features", "vibe_analyses"):
            await conn.execute(f"vacuum analyze app.{table}")
    finally:
        await conn.close()


def _line(name: str, times: list[float], baseline: float) -> str:
    p50, p95 = percentile(times, 0.5), percentile(times, 0.95)
    verdict = "ok" if p95 < TARGET_MS else f"OVER {TARGET_MS:.0f} ms"
    return (
        f"{name:<38} p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  "
        f"({p50 / baseline:4.1f}x baseline p50)  {verdict}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--samples", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    settings = bench_settings(BENCH_DB)
    asyncio.run(fresh_database(settings))
    users = asyncio.run(create_verified_users(settings, 2, PASSWORD, tier="enterprise"))
    started = time.perf_counter()
    ids, with_facts = asyncio.run(_seed(settings, users[0][0], args.samples, seed=1))
    asyncio.run(_seed(settings, users[1][0], args.samples, seed=2))
    asyncio.run(_vacuum(settings))
    print(f"seeded 2 x {args.samples} samples in {time.perf_counter() - started:.1f} s")
    with (
        service("platform", settings) as (platform_url, _),
        service("engine", settings, SP404_PLATFORM_URLS=f'["{platform_url}"]') as (engine_url, _),
    ):
        with engine_client(
            engine_url, platform_url, settings, users[0][1], PASSWORD, timeout=30
        ) as http:
            n = args.requests
            cold = timed_gets(http, 1, lambda i: f"/api/samples/{ids[0]}/similar")
            timed_gets(http, 20, lambda i: f"/api/samples/{ids[i]}")  # warm-up
            baseline_times = timed_gets(http, n, lambda i: f"/api/samples/{ids[i]}")
            baseline = percentile(baseline_times, 0.5)
            print(_line("baseline: GET /api/samples/{id}", baseline_times, baseline))
            print(f"{'similar, first call (loads the cache)':<38} {cold[0]:6.1f} ms")
            rows = [
                ("similar, no filters", lambda i: f"/api/samples/{ids[i]}/similar"),
                (
                    "similar, tempo+key+loop filters",
                    lambda i: (
                        f"/api/samples/{with_facts[i]}/similar?bpm_tolerance_pct=5"
                        "&include_half_double=true&key_compatible=true&loop=true"
                    ),
                ),
            ]
            for name, path in rows:
                print(_line(name, timed_gets(http, n, path), baseline))
            all_text: list[float] = []
            per_query = max(10, n // len(QUERIES))
            for query in QUERIES:
                times = timed_gets(
                    http,
                    per_query,
                    lambda i, q=query: "/api/search?" + urlencode({"q": q, "limit": 20}),
                )
                total = http.get("/api/search", params={"q": query}).json()["total"]
                all_text += times
                print(_line(f"search {json.dumps(query)} ({total} hits)", times, baseline))
            print(_line("search, all queries", all_text, baseline))


if __name__ == "__main__":
    main()
