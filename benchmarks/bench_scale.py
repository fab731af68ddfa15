"""The library at scale: --producers producers and --samples samples with features, vibes,
embeddings and waveforms, seeded by COPY; then, over HTTP through a real engine (the runtime
role, under RLS), library list, filters, text search, similar sounds and kit recommendations for
producers holding 50, 5,000 and 50,000 samples (p50/p95), index and table sizes, bytes per sample.

    .venv/bin/python -m benchmarks.bench_scale [--producers 100000] [--samples 5000000]
        [--requests 40]

Seeding: COPY needs a role that row-level security does not apply to (COPY FROM refuses tables with
RLS for anyone else, and FORCE ROW LEVEL SECURITY binds the owner too), so this benchmark seeds as
the `postgres` superuser over the local trust connection, with triggers off
(`session_replication_role = replica`), then fills samples.search_document and each producer's
library version and sample count (app.library_versions) as the triggers would. The three measured
producers are created through RLS like any sign-up. Features are a real analysis' JSON with every
figure jittered (about 2 KB each, as the worker writes), waveforms 1,000 random peak pairs,
embeddings 64 random unit floats; the background producers share what is left of --samples evenly.
The database (`sp404_bench_scale`) is dropped at the end unless --keep is given; --reuse measures a
kept database again (migrated forward, no seeding), so a change can be measured in seconds instead
of re-seeding for minutes.
The benchmark refuses to start when the disk would keep less than 10 GB free at an estimated
7 KB per sample.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import shutil
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode, urlsplit, urlunsplit

import asyncpg
import numpy as np

from benchmarks.bench_search import ADJECTIVES, GENRES, KEYS, MOODS, THINGS, _description
from benchmarks.stack import (
    bench_settings,
    create_verified_users,
    engine_client,
    fresh_database,
    percentile,
    service,
    timed_gets,
)
from sp404.core.migrations import migrate
from sp404.core.settings import Settings

BENCH_DB = "sp404_bench_scale"
PASSWORD = "a benchmark passphrase"
MEASURED = (50, 5_000, 50_000)
BYTES_PER_SAMPLE_ESTIMATE = 7_000
CHUNK = 20_000
FEATURES = {
    "key": "A", "mode": "minor", "is_loop": True, "version": 3, "channels": 1,
    "mfcc_std": [182.6, 33.8, 25.1, 15.75, 15.13, 13.08, 14.3, 12.15, 13.25, 13.08, 13.09, 12.3,
                 12.57],
    "rms_dbfs": -21.1, "tonality": 0.0186,
    "mfcc_mean": [-360.9, 6.36, 28.2, 22.8, 21.1, 20.2, 16.9, 19.4, 15.5, 15.9, 13.6, 13.5, 11.4],
    "peak_dbfs": -3.87, "tempo_bpm": 120.0,
    "chroma_std": [0.212, 0.168, 0.195, 0.221, 0.196, 0.211, 0.296, 0.157, 0.164, 0.263, 0.31,
                   0.321],
    "duration_s": 4.0, "onset_rate": 3.0,
    "chroma_mean": [0.207, 0.158, 0.178, 0.201, 0.195, 0.272, 0.551, 0.847, 0.819, 0.388, 0.321,
                    0.32],
    "sample_rate": 44100, "key_confidence": 0.6, "lufs_integrated": -22.2,
    "tempo_confidence": 0.78, "spectral_flatness": 0.188, "zero_crossing_rate": 0.153,
    "spectral_rolloff_hz": 5507.9, "spectral_centroid_hz": 2987.3,
    "spectral_bandwidth_hz": 2345.0, "harmonic_percussive_ratio": 0.755,
}  # fmt: skip


def _superuser(dsn: str) -> str:
    parts = urlsplit(dsn)
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit((parts.scheme, f"postgres@{host}", parts.path, "", ""))


def _jitter(value: object, rnd: random.Random) -> object:
    if isinstance(value, float):
        return value * rnd.uniform(0.5, 1.5)
    if isinstance(value, list):
        return [_jitter(v, rnd) for v in value]
    return value


def _rows(
    owners: list[uuid.UUID], counts: list[int], seed: int
) -> Iterator[tuple[list[tuple[object, ...]], list[tuple[object, ...]], list[tuple[object, ...]]]]:
    """(samples, features, vibes) record chunks for every owner's samples."""
    rnd = random.Random(seed)
    gen = np.random.default_rng(seed)
    start = datetime.now(UTC) - timedelta(days=365)
    samples: list[tuple[object, ...]] = []
    features: list[tuple[object, ...]] = []
    vibes: list[tuple[object, ...]] = []
    for owner, count in zip(owners, counts, strict=True):
        for index in range(count):
            sample_id = uuid.uuid4()
            thing = rnd.choice(THINGS)
            loop = thing in ("break", "loop") or rnd.random() < 0.3
            duration = rnd.uniform(4.0, 16.0) if loop else rnd.uniform(0.1, 2.5)
            title = f"{rnd.choice(ADJECTIVES).title()} {thing.title()} {index}"
            bpm = float(rnd.randint(70, 170)) if rnd.random() < 0.8 else None
            key = rnd.choice(KEYS) if rnd.random() < 0.7 else None
            created = start + timedelta(seconds=rnd.uniform(0, 365 * 86400))
            genre = rnd.choice(GENRES)
            samples.append(
                (sample_id, owner, title, f"{title}.wav", "wav", rnd.randint(50_000, 5_000_000),
                 uuid.uuid4().hex * 2, f"users/{owner}/samples/{sample_id}", genre,
                 rnd.sample(THINGS + ADJECTIVES, 3), duration, 44100, 2, bpm, key, loop, "ready",
                 created, created)
            )  # fmt: skip
            facts = {k: _jitter(v, rnd) for k, v in FEATURES.items()}
            facts.update(is_loop=loop, duration_s=duration, tempo_bpm=bpm or 0.0)
            vector = gen.standard_normal(64).astype(np.float32)
            vector /= np.linalg.norm(vector)
            features.append(
                (owner, sample_id, json.dumps(facts), vector.tolist(), 0.8, 0.6, "bench",
                 created, gen.integers(-127, 127, 2000, dtype=np.int8).tobytes())
            )  # fmt: skip
            vibes.append(
                (owner, sample_id, "bench", _description(rnd), rnd.sample(MOODS, 2),
                 rnd.sample(ADJECTIVES, 3), genre, created)
            )  # fmt: skip
            if len(samples) >= CHUNK:
                yield samples, features, vibes
                samples, features, vibes = [], [], []
    if samples:
        yield samples, features, vibes


SAMPLE_COLUMNS = [
    "id", "user_id", "title", "filename", "format", "size_bytes", "sha256", "blob_key", "genre",
    "tags", "duration_s", "sample_rate", "channels", "bpm", "musical_key", "is_loop", "status",
    "created_at", "updated_at",
]  # fmt: skip
FEATURE_COLUMNS = [
    "user_id", "sample_id", "features", "embedding", "tempo_confidence", "key_confidence",
    "engine_version", "created_at", "waveform",
]  # fmt: skip
VIBE_COLUMNS = [
    "user_id", "sample_id", "model", "description", "moods", "descriptors", "genre", "created_at",
]  # fmt: skip


async def _seed(settings: Settings, producers: int, total: int, measured: list[uuid.UUID]) -> None:
    conn = await asyncpg.connect(_superuser(settings.database_owner_url))
    try:
        await conn.execute("set session_replication_role = replica")
        background = max(0, producers - len(measured))
        rest = max(0, total - sum(MEASURED))
        await conn.execute(
            "insert into app.users (id, email, email_normalized, password_hash)"
            " select gen_random_uuid(), 'bg-' || g || '@example.com', 'bg-' || g || '@example.com',"
            " 'x' from generate_series(1, $1) g",
            background,
        )
        others = [
            r["id"] for r in await conn.fetch("select id from app.users where email like 'bg-%'")
        ]
        counts = [rest // max(1, len(others))] * len(others)
        owners = [*measured, *others]
        counts = [*MEASURED, *counts]
        columns = ", ".join(SAMPLE_COLUMNS)
        await conn.execute(f"create temp table stage as select {columns} from app.samples limit 0")
        done = 0
        started = time.perf_counter()
        for samples, features, vibes in _rows(owners, counts, seed=1):
            # Vibes first (foreign keys are off in replica mode): the samples' search document
            # takes the vibe's words in the same insert, as the trigger would.
            await conn.copy_records_to_table("vibe_analyses", schema_name="app", records=vibes,
                                             columns=VIBE_COLUMNS)  # fmt: skip
            await conn.copy_records_to_table("audio_features", schema_name="app",
                                             records=features, columns=FEATURE_COLUMNS)  # fmt: skip
            await conn.copy_records_to_table("stage", records=samples, columns=SAMPLE_COLUMNS)
            await conn.execute(
                f"insert into app.samples ({columns}, search_document)"
                f" select {', '.join('s.' + c for c in SAMPLE_COLUMNS)},"
                " app.sample_words_document(s.title, s.tags, s.genre)"
                " || coalesce(v.search_document, ''::tsvector)"
                " from stage s left join app.vibe_analyses v"
                " on v.user_id = s.user_id and v.sample_id = s.id"
            )
            await conn.execute("truncate stage")
            done += len(samples)
            rate = done / (time.perf_counter() - started)
            print(f"  copied {done:,} samples ({rate:,.0f}/s)", flush=True)
        # What the library-version triggers (sql/0053) would have written, had they run.
        await conn.execute(
            "insert into app.library_versions (user_id, version, samples_count)"
            " select u.id, nextval('app.library_version_seq'),"
            " (select count(*) from app.samples s where s.user_id = u.id) from app.users u"
            " on conflict (user_id) do update"
            " set version = excluded.version, samples_count = excluded.samples_count"
        )
        vacuumed = time.perf_counter()
        for table in ("users", "samples", "audio_features", "vibe_analyses"):
            await conn.execute(f"vacuum analyze app.{table}")
        print(f"  vacuum analyze in {time.perf_counter() - vacuumed:.1f} s", flush=True)
    finally:
        await conn.close()


async def _sizes(settings: Settings, total: int) -> list[str]:
    conn = await asyncpg.connect(_superuser(settings.database_owner_url))
    try:
        rows = await conn.fetch(
            "select c.relname, c.relkind::text as relkind, pg_total_relation_size(c.oid) as total,"
            " pg_relation_size(c.oid) as own"
            " from pg_class c join pg_namespace n on n.oid = c.relnamespace"
            " where n.nspname = 'app' and c.relkind in ('r', 'i')"
            " and (c.relname like 'samples%' or c.relname like 'audio_features%'"
            " or c.relname like 'vibe_analyses%') order by own desc"
        )
        database = await conn.fetchval("select pg_database_size(current_database())")
    finally:
        await conn.close()
    lines = [
        f"  {r['relname']:<44} {'table' if r['relkind'] == 'r' else 'index'} "
        f"{r['own'] / 2**20:9.1f} MiB"
        + (
            f" (with TOAST and indexes {r['total'] / 2**20:,.1f} MiB)"
            if r["relkind"] == "r"
            else ""
        )
        for r in rows
    ]
    tables = sum(r["total"] for r in rows if r["relkind"] == "r")
    lines.append(
        f"  database {database / 2**30:.2f} GiB; samples+features+vibes with indexes "
        f"{tables / 2**30:.2f} GiB = {tables / max(1, total):,.0f} bytes per sample"
    )
    return lines


def _line(name: str, times: list[float], target: float) -> str:
    p50, p95 = percentile(times, 0.5), percentile(times, 0.95)
    verdict = "ok" if p95 <= target else f"OVER {target:.0f} ms"
    return (
        f"  {name:<34} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  (goal p95 <= {target:.0f}) {verdict}"
    )


def _measure(engine_url: str, platform_url: str, settings: Settings, email: str, n: int) -> None:
    with engine_client(engine_url, platform_url, settings, email, PASSWORD) as http:
        page = http.get("/api/samples", params={"limit": 200}).json()
        ids = [s["id"] for s in page["samples"]]
        # A new kit per run (kit names are unique per producer, and --reuse measures again).
        kit = http.post(
            "/api/kits",
            json={"name": f"Scale {uuid.uuid4().hex[:8]}", "bpm": 92, "musical_key": "A minor"},
        )
        assert kit.status_code == 201, kit.text[:300]
        kit_id = kit.json()["id"]
        timed_gets(http, 3, lambda i: "/api/samples?limit=50")  # warm-up
        print(_line("list (newest 50)", timed_gets(http, n, lambda i: "/api/samples?limit=50"), 10))
        filters = "/api/samples?" + urlencode(
            {"bpm_min": 88, "bpm_max": 96, "key": "A minor", "loop": "true", "limit": 50}
        )
        print(_line("filter (tempo, key, loop)", timed_gets(http, n, lambda i: filters), 10))
        words = ["dusty", "melancholic rhodes", "crunchy 808", "lo-fi"]
        search = timed_gets(
            http, n, lambda i: "/api/search?" + urlencode({"q": words[i % 4], "limit": 20})
        )
        print(_line("text search", search, 50))
        cold = timed_gets(http, 1, lambda i: f"/api/samples/{ids[0]}/similar")
        print(f"  {'similar, first call (cache load)':<34} {cold[0]:7.1f} ms")
        similar = timed_gets(http, n, lambda i: f"/api/samples/{ids[i % len(ids)]}/similar")
        print(_line("similar", similar, 50))
        recs_url = f"/api/kits/{kit_id}/recommendations"
        cold = timed_gets(http, 1, lambda i: f"{recs_url}?pad=13")
        print(f"  {'kit recommendations, first call':<34} {cold[0]:7.1f} ms")
        recs = timed_gets(http, n, lambda i: f"{recs_url}?pad={1 + i % 16}")
        print(_line("kit recommendations (one pad)", recs, 50))


async def _seeded_producers(settings: Settings) -> list[tuple[uuid.UUID, str]]:
    """The measured producers of a database seeded earlier, in MEASURED order (by library size)."""
    conn = await asyncpg.connect(_superuser(settings.database_owner_url))
    try:
        rows = await conn.fetch(
            "select u.id, u.email, (select count(*) from app.samples s where s.user_id = u.id) as n"
            " from app.users u where u.email like 'bench-%' order by n"
        )
    finally:
        await conn.close()
    if [r["n"] for r in rows] != list(MEASURED):
        raise SystemExit(f"--reuse: {BENCH_DB} does not hold a seeded run; run without --reuse")
    return [(r["id"], r["email"]) for r in rows]


async def _drop(settings: Settings) -> None:
    conn = await asyncpg.connect(settings.database_owner_url.rsplit("/", 1)[0] + "/postgres")
    try:
        await conn.execute(f'drop database if exists "{BENCH_DB}" with (force)')
    finally:
        await conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--producers", type=int, default=100_000)
    parser.add_argument("--samples", type=int, default=5_000_000)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--keep", action="store_true", help="do not drop the database")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="measure the database a --keep run left (migrating it forward) instead of seeding;"
        " implies --keep",
    )
    args = parser.parse_args()
    if args.reuse:
        args.keep = True
    settings = bench_settings(BENCH_DB)
    if args.reuse:
        asyncio.run(migrate(settings.database_owner_url))
    else:
        free = shutil.disk_usage("/var/lib/postgresql").free
        need = args.samples * BYTES_PER_SAMPLE_ESTIMATE
        if free - need < 10 * 2**30:
            raise SystemExit(
                f"refusing: {need / 2**30:.1f} GiB needed, {free / 2**30:.1f} GiB free"
            )
        asyncio.run(fresh_database(settings))
    try:
        if args.reuse:
            measured = asyncio.run(_seeded_producers(settings))
            print(f"reusing {BENCH_DB} (seeded by an earlier --keep run)")
        else:
            measured = asyncio.run(create_verified_users(settings, 3, PASSWORD, tier="enterprise"))
            started = time.perf_counter()
            asyncio.run(_seed(settings, args.producers, args.samples, [u for u, _ in measured]))
            seeded = time.perf_counter() - started
            print(
                f"seeded {args.producers:,} producers, {args.samples:,} samples in {seeded:.0f} s"
            )
        for line in asyncio.run(_sizes(settings, args.samples)):
            print(line)
        with (
            service("platform", settings) as (platform_url, _),
            service("engine", settings, SP404_PLATFORM_URLS=f'["{platform_url}"]') as (
                engine_url,
                _,
            ),
        ):
            for (_, email), size in zip(measured, MEASURED, strict=True):
                print(f"producer with {size:,} samples:", flush=True)
                _measure(engine_url, platform_url, settings, email, args.requests)
    finally:
        if not args.keep:
            asyncio.run(_drop(settings))


if __name__ == "__main__":
    main()
