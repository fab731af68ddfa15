"""First load of the library page in headless Chromium, for a producer with 1,000 samples.

Starts its own stack (a fresh database, platform, engine, and a gateway serving a fresh build of
`web/`), seeds one producer's library straight into the database, then opens /library in Debian's
Chromium (Playwright, never a downloaded browser) and reports the time from navigation start to
the first sample row on screen: with an empty browser cache (a new context each time) and a warm
one (the same context again). The baseline, measured in the same run, is one GET /api/samples
through the gateway with httpx: the least the page has to wait for. Target: first load < 1 s.

    .venv/bin/python benchmarks/bench_web_first_load.py [--samples 1000] [--runs 7]
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "platform"), str(ROOT)]

import asyncpg  # noqa: E402
import httpx  # noqa: E402
from playwright.sync_api import Browser, BrowserContext, sync_playwright  # noqa: E402

from benchmarks.stack import bench_settings, create_verified_users, fresh_database, web_stack  # noqa: E402
from sp404.core.db import create_pool, tenant_tx  # noqa: E402
from sp404.core.settings import Settings  # noqa: E402
from tests.support.chromium import CHROMIUM, HEADLESS_ARGS  # noqa: E402

BENCH_DB = "sp404_bench_web"
PASSWORD = "a benchmark passphrase"
TARGET_MS = 1000.0
PAGE_SIZE = 20  # web/src/pages/library/filters.ts
CHROMIUM_ARGS = HEADLESS_ARGS
KEYS = [f"{n} {m}" for n in "C C# D D# E F F# G G# A A# B".split() for m in ("major", "minor")]
WORDS = "dusty warm dark rhodes kick snare vocal chop bass pad loop break stab 808 vinyl".split()

# Runs in the page before the app: notes when the first sample row is in the DOM, and when the
# frame after it is drawn (what the producer sees), in ms since navigation start.
FIRST_ROW_PROBE = """
new MutationObserver((_, observer) => {
  if (!document.querySelector('.sample-row')) return;
  observer.disconnect();
  window.__firstRowInDom = performance.now();
  requestAnimationFrame(() => setTimeout(() => { window.__firstRow = performance.now(); }, 0));
}).observe(document, { childList: true, subtree: true });
"""

# Where the time went: the document, the scripts, and the three API calls on the way to the list.
BREAKDOWN = """
() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const ends = {};
  for (const entry of performance.getEntriesByType('resource')) {
    const path = new URL(entry.name).pathname;
    const name = path.startsWith('/assets/') ? (path.endsWith('.js') ? 'script' : 'css') : path;
    ends[name] = Math.max(ends[name] ?? 0, entry.responseEnd);
  }
  return { html: nav.responseEnd, ...ends };
}
"""


async def _seed(settings: Settings, user_id: uuid.UUID, count: int) -> None:
    """`count` analysed samples (rows only: the list never reads the audio), as their owner."""
    rnd = random.Random(404)
    ids = [uuid.uuid4() for _ in range(count)]
    titles = [f"{rnd.choice(WORDS).title()} {rnd.choice(WORDS)} {n:04d}" for n in range(count)]
    pool = await create_pool(settings, min_size=1, max_size=1)
    try:
        async with tenant_tx(pool, user_id) as conn:
            await conn.execute(
                "insert into app.samples (id, user_id, title, filename, format, size_bytes, sha256,"
                " blob_key, duration_s, sample_rate, channels, tags, bpm, musical_key, is_loop,"
                " status) select i, $2, t, t || '.wav', 'wav', 480000, md5(t), 'users/bench/x',"
                " d, 44100, 2, string_to_array(tg, ','), b, k, l, 'ready'"
                " from unnest($1::uuid[], $3::text[], $4::float8[], $5::text[], $6::float8[],"
                " $7::text[], $8::bool[]) as x(i, t, d, tg, b, k, l)",
                ids,
                user_id,
                titles,
                [round(rnd.uniform(0.2, 12.0), 2) for _ in ids],
                [",".join(rnd.sample(WORDS, 3)) for _ in ids],
                [float(rnd.randint(70, 170)) for _ in ids],
                [rnd.choice(KEYS) for _ in ids],
                [rnd.random() < 0.5 for _ in ids],
            )
    finally:
        await pool.close()
    conn = await asyncpg.connect(settings.database_owner_url)
    try:
        # A library filled over months has planner statistics; a bulk insert has none yet.
        await conn.execute("vacuum analyze app.samples")
    finally:
        await conn.close()


def _build_web(out: Path) -> None:
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit("npm is needed to build web/ (Node.js 20+)")
    if not (ROOT / "web" / "node_modules").is_dir():
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=ROOT / "web", check=True)
    subprocess.run(
        [npm, "run", "build", "--", "--outDir", str(out), "--emptyOutDir"],
        cwd=ROOT / "web",
        check=True,
        stdout=subprocess.DEVNULL,
    )


def _bundle(dist: Path) -> tuple[int, int, int]:
    """Bytes of the JavaScript the page loads: files, raw size, gzip -9 size."""
    scripts = sorted((dist / "assets").glob("*.js"))
    raw = sum(f.stat().st_size for f in scripts)
    packed = sum(len(gzip.compress(f.read_bytes(), 9)) for f in scripts)
    return len(scripts), raw, packed


TIMELINE = """
() => performance.getEntriesByType('resource').map((e) => ({
  name: new URL(e.name).pathname, start: e.startTime, end: e.responseEnd,
}))
"""


def _signed_in_context(browser: Browser, url: str, email: str) -> BrowserContext:
    """A browser context holding a refresh cookie, as after signing in (hashing is not measured)."""
    context = browser.new_context(base_url=url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(30_000)
    login = context.request.post("/api/auth/login", data={"email": email, "password": PASSWORD})
    assert login.ok, login.text()
    context.add_init_script(FIRST_ROW_PROBE)
    return context


def _load_library(
    context: BrowserContext, expected_total: int, timeline: bool = False
) -> dict[str, float]:
    """Open /library in a new tab of `context`; times in ms since navigation start."""
    page = context.new_page()
    try:
        page.goto("/library", wait_until="commit")
        page.wait_for_function("() => window.__firstRow !== undefined")
        rows = page.locator(".sample-row").count()
        assert rows == min(PAGE_SIZE, expected_total), rows
        times: dict[str, float] = page.evaluate(BREAKDOWN)
        times["row in DOM"] = page.evaluate("() => window.__firstRowInDom")
        times["first row"] = page.evaluate("() => window.__firstRow")
        if timeline:
            for entry in page.evaluate(TIMELINE):
                print(f"    {entry['name']:<40} {entry['start']:7.1f} -> {entry['end']:7.1f} ms")
            print(f"    {'first row drawn':<40} {times['first row']:7.1f} ms")
        return times
    finally:
        page.close()


def _baseline_ms(url: str, email: str, requests: int) -> tuple[float, float]:
    """Median of GET /api/samples (the page's own request) through the gateway, and the same
    for the whole chain the page waits on: refresh, profile, samples."""
    with httpx.Client(base_url=url, timeout=30) as http:
        login = http.post("/api/auth/login", json={"email": email, "password": PASSWORD})
        auth = {"Authorization": f"Bearer {login.json()['token']}"}
        path = f"/api/samples?limit={PAGE_SIZE}&offset=0"
        for _ in range(10):
            http.get(path, headers=auth)
        samples = []
        for _ in range(requests):
            started = time.perf_counter()
            response = http.get(path, headers=auth)
            samples.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.text
        chain = []
        for _ in range(max(5, requests // 5)):
            started = time.perf_counter()
            # The cookie jar carries the rotating refresh cookie, as the browser does.
            token = http.post("/api/auth/refresh").json()["token"]
            fresh = {"Authorization": f"Bearer {token}"}
            assert http.get("/api/account/profile", headers=fresh).status_code == 200
            assert http.get(path, headers=fresh).status_code == 200
            chain.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples), statistics.median(chain)


def _row(name: str, runs: list[dict[str, float]], baseline: float) -> str:
    first = [r["first row"] for r in runs]
    median = statistics.median(first)
    verdict = "ok" if median < TARGET_MS else f"MISSES {TARGET_MS:.0f} ms"
    return (
        f"{name:<22} first row median {median:6.0f} ms  min {min(first):5.0f}  "
        f"max {max(first):5.0f}  ({median / baseline:5.1f}x baseline)  {verdict}"
    )


def _breakdown(name: str, runs: list[dict[str, float]]) -> str:
    keys = ["html", "script", "/api/auth/refresh", "/api/account/profile", "row in DOM"]
    parts = []
    for key in keys:
        values = [r[key] for r in runs if key in r]
        if values:
            parts.append(f"{key} {statistics.median(values):.0f}")
    samples = [v for r in runs for k, v in r.items() if k.startswith("/api/samples")]
    if samples:
        parts.insert(4, f"/api/samples {statistics.median(samples):.0f}")
    return f"  {name} (ms, each step's end): " + ", ".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--requests", type=int, default=100, help="baseline requests")
    parser.add_argument("--timeline", action="store_true", help="print each request's timing")
    args = parser.parse_args()
    if not CHROMIUM.is_file():
        raise SystemExit(f"no Chromium at {CHROMIUM} (apt-get install chromium)")

    settings = bench_settings(BENCH_DB)
    dist = Path(tempfile.mkdtemp(prefix="sp404-bench-web-")) / "dist"
    started = time.perf_counter()
    _build_web(dist)
    print(f"built web/ in {time.perf_counter() - started:.1f} s")
    asyncio.run(fresh_database(settings))
    [(user_id, email)] = asyncio.run(
        create_verified_users(settings, 1, PASSWORD, tier="enterprise")
    )
    started = time.perf_counter()
    asyncio.run(_seed(settings, user_id, args.samples))
    print(f"seeded {args.samples} samples in {time.perf_counter() - started:.1f} s")
    files, raw, packed = _bundle(dist)
    css = sum(f.stat().st_size for f in (dist / "assets").glob("*.css"))

    limits = {
        # Measured, never hit: each browser load signs in and refreshes.
        "SP404_GATEWAY_RATE_PER_MINUTE": str(10**9),
        "SP404_GATEWAY_ANONYMOUS_RATE_PER_MINUTE": str(10**9),
    }
    with web_stack(settings, dist, **limits) as url:
        script_url = f"{url}/assets/" + next((dist / "assets").glob("*.js")).name
        encoding = httpx.get(script_url, headers={"Accept-Encoding": "gzip, br"}).headers.get(
            "content-encoding", "none"
        )
        baseline, chain = _baseline_ms(url, email, args.requests)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                # One load first, so no run pays for the services' own first requests.
                warmup = _signed_in_context(browser, url, email)
                _load_library(warmup, args.samples)
                warmup.close()
                cold: list[dict[str, Any]] = []
                warm: list[dict[str, Any]] = []
                for _ in range(args.runs):
                    context = _signed_in_context(browser, url, email)
                    if args.timeline:
                        print(f"  run {len(cold) + 1}: cold, then warm")
                    # An empty cache, then the same context again with its assets cached.
                    cold.append(_load_library(context, args.samples, args.timeline))
                    warm.append(_load_library(context, args.samples, args.timeline))
                    context.close()
            finally:
                browser.close()

    print(f"web first load: /library with {args.samples} samples, {args.runs} runs each, Chromium")
    print(
        f"bundle                 {files} JS file(s) {raw / 1024:.0f} KiB ({packed / 1024:.0f} KiB "
        f"gzip -9; served with content-encoding: {encoding}), CSS {css / 1024:.1f} KiB"
    )
    print(f"baseline               GET /api/samples (page of {PAGE_SIZE}) median {baseline:.1f} ms")
    print(f"API chain              refresh + profile + samples median {chain:.1f} ms")
    print(_row("cold cache", cold, baseline))
    print(_breakdown("cold", cold))
    print(_row("warm cache", warm, baseline))
    print(_breakdown("warm", warm))


if __name__ == "__main__":
    main()
