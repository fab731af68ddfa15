"""One command for a load run: a fresh database with N seeded producers, a stack (gateway, two
platforms, two engines, a worker) on loopback, locust headless for a fixed time, a report folder
and one summary line.

    .venv/bin/python -m loadtests.run --users 1000 --duration 120           # realistic arrivals
    .venv/bin/python -m loadtests.run --users 1000 --duration 120 --storm   # everyone signs in

Arrivals. Most producers come back with the session their browser kept (`--returning`, 80 % by
default: the refresh cookie lasts 7 days, and a producer who works weekly returns inside it), so
they resume it with one cheap refresh; the rest sign in with a password, which costs ~22 ms of a
core (Argon2id). Users arrive at `--spawn-rate` per second; by default fast enough that all have
arrived in the first third of the run (25/s for 1,000 users over 120 s), so the second half is
steady state. That is still far above real life (1,000 producers in sessions of ~20 minutes
arrive at under 1/s), and its password sign-ins (20 % of 25/s = 5/s) need ~0.1 core, so the ramp
measures the stack, not a queue of hashes. `--storm` is the old worst case: nobody has a session
and 50 arrive per second, all signing in (~1.1 cores of Argon2id on a 2-core machine).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import threading
import time
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "platform"), str(ROOT)]

import psutil  # noqa: E402

from loadtests.profile import hottest_frames  # noqa: E402
from loadtests.seed import analyse_tables, fresh_database, seed_producers, write_producers  # noqa: E402
from loadtests.stack import (  # noqa: E402
    Stack,
    Topology,
    cpu_seconds,
    running_stack,
    stack_settings,
    through_pgbouncer,
)
from loadtests.summary import summarise, timeline  # noqa: E402

REPORTS = ROOT / "loadtests" / "reports"
# The old worst case: every producer signs in with a password, 50 arriving a second.
STORM_SPAWN_RATE = 50.0


def _postgres_cpu() -> float:
    """CPU used so far by every postgres process on this machine (other sessions' too)."""
    total = 0.0
    for proc in psutil.process_iter(["name", "cpu_times"]):
        if proc.info["name"] == "postgres" and proc.info["cpu_times"] is not None:
            total += proc.info["cpu_times"].user + proc.info["cpu_times"].system
    return total


def _machine_busy() -> float:
    """CPU seconds the whole machine has spent busy so far (every process, ours or not)."""
    times = psutil.cpu_times()
    return float(sum(times) - times.idle - getattr(times, "iowait", 0.0))


def _cpu_snapshot(stack: Stack) -> dict[str, float]:
    snapshot = {p.name: cpu_seconds(p.pid) for p in stack.processes if p.alive()}
    snapshot["postgres (all)"] = _postgres_cpu()
    # What the machine spent in all: the gap to the sum of ours is what else ran beside the run
    # (on a shared machine, another suite), so a slow window can be told from a slow stack.
    snapshot["machine (all)"] = _machine_busy()
    return snapshot


def _profile_later(stack: Stack, delay: float, seconds: int, out: Path) -> threading.Thread:
    """py-spy the busiest of our processes `delay` seconds in, for `seconds` seconds."""

    def work() -> None:
        before = {p.name: cpu_seconds(p.pid) for p in stack.processes if p.alive()}
        time.sleep(delay)
        used = {p.name: cpu_seconds(p.pid) - before.get(p.name, 0.0) for p in stack.processes}
        name = max(used, key=lambda n: used[n])
        target = next(p for p in stack.processes if p.name == name)
        raw = out / f"py-spy-{name}.txt"
        spy = str(Path(sys.executable).with_name("py-spy"))
        subprocess.run(
            [spy, "record", "--pid", str(target.pid), "--duration", str(seconds), "--rate", "50",
             "--format", "raw", "--nonblocking", "--output", str(raw)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=seconds + 30,
            check=False,
        )  # fmt: skip
        if raw.exists():
            lines = [f"py-spy: {name} (hottest of ours), leaf frames by share of samples:"]
            lines += [f"  {share:5.1f}%  {frame}" for frame, share in hottest_frames(raw, 12)]
            (out / "py-spy-summary.txt").write_text("\n".join(lines) + "\n")

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    return thread


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument(
        "--spawn-rate",
        type=float,
        default=None,
        help="arrivals per second (default: all arrived in the first third of the run;"
        f" {STORM_SPAWN_RATE:.0f} with --storm)",
    )
    parser.add_argument("--duration", type=int, default=60, help="seconds of load")
    parser.add_argument(
        "--returning",
        type=float,
        default=0.8,
        help="share of producers arriving with a kept session (0..1; 0 with --storm)",
    )
    parser.add_argument(
        "--storm", action="store_true", help="everyone signs in with a password, 50 a second"
    )
    parser.add_argument("--samples-per-user", type=int, default=8)
    parser.add_argument("--platforms", type=int, default=2)
    parser.add_argument("--engines", type=int, default=2)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--database", default="sp404_load")
    parser.add_argument("--no-profile", action="store_true", help="skip the py-spy sample")
    parser.add_argument(
        "--pgbouncer",
        action="store_true",
        help="platforms and engines reach PostgreSQL through a PgBouncer in transaction mode"
        " (statement cache off); compare its summary with a run without",
    )
    args = parser.parse_args()
    if args.storm:
        args.returning = 0.0
    if args.spawn_rate is None:
        args.spawn_rate = STORM_SPAWN_RATE if args.storm else args.users / (args.duration / 3)
    if not 0.0 <= args.returning <= 1.0:
        parser.error("--returning is a share between 0 and 1")
    arrivals = (
        f"arrivals: {args.spawn_rate:.1f}/s, {args.returning:.0%} returning with a session"
        + (" (storm)" if args.storm else "")
        + (", services through PgBouncer" if args.pgbouncer else "")
    )

    out = REPORTS / dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    out.mkdir(parents=True)
    settings = stack_settings(args.database)
    started = time.monotonic()
    asyncio.run(fresh_database(settings, args.database))
    producers = asyncio.run(
        seed_producers(
            settings,
            args.users,
            samples_each=args.samples_per_user,
            returning=args.returning,
            refresh_ttl_s=settings.refresh_token_ttl_s,
        )
    )
    asyncio.run(analyse_tables(settings))
    write_producers(out / "producers.json", producers)
    print(f"seeded {len(producers)} producers in {time.monotonic() - started:.1f} s", flush=True)
    print(arrivals, flush=True)

    with ExitStack() as exits:
        topology = Topology(platforms=args.platforms, engines=args.engines, workers=args.workers)
        if args.pgbouncer:
            settings, topology = through_pgbouncer(
                exits, settings, topology, platforms=args.platforms, engines=args.engines
            )
        stack = exits.enter_context(running_stack(settings, out / "logs", topology))
        return _load(args, arrivals, out, stack)


def _load(args: argparse.Namespace, arrivals: str, out: Path, stack: Stack) -> int:
    gateway = next(p for p in stack.processes if p.name == "gateway1")
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT / "platform"), str(ROOT)]),
        "LOAD_PRODUCERS": str(out / "producers.json"),
        "LOAD_LATENCIES": str(out / "timings.json"),
    }
    command = [
        sys.executable, "-m", "locust", "-f", str(ROOT / "loadtests" / "locustfile.py"),
        "--headless", "--users", str(args.users), "--spawn-rate", str(args.spawn_rate),
        "--run-time", f"{args.duration}s", "--stop-timeout", "10", "--host", gateway.url,
        "--csv", str(out / "locust"), "--html", str(out / "report.html"), "--only-summary",
        "--loglevel", "WARNING",
    ]  # fmt: skip
    before, wall = _cpu_snapshot(stack), time.monotonic()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    profiler = None
    if not args.no_profile:
        profiler = _profile_later(stack, args.duration * 0.4, 15, out)
    # Bounded: locust stops itself at --run-time; this is the backstop.
    limit = args.duration + args.users / max(args.spawn_rate, 1) + 120
    with (out / "locust.log").open("wb") as log:
        try:
            subprocess.run(
                command, env=env, cwd=ROOT, stdout=log, stderr=log, timeout=limit, check=False
            )
        except subprocess.TimeoutExpired:
            print(f"locust overran {limit:.0f} s and was killed", file=sys.stderr)
    after, wall = _cpu_snapshot(stack), time.monotonic() - wall
    reaped = resource.getrusage(resource.RUSAGE_CHILDREN)
    # Only locust (and py-spy) exited during the run; the stack is still up.
    after["locust+py-spy"] = (reaped.ru_utime + reaped.ru_stime) - (
        children.ru_utime + children.ru_stime
    )
    if profiler is not None:
        profiler.join(timeout=60)

    print(f"report: {out}")
    print(f"cores used during the run (CPU seconds / wall seconds; {psutil.cpu_count()} cores):")
    for name, value in sorted(after.items(), key=lambda kv: -(kv[1] - before.get(kv[0], 0))):
        print(f"  {name:<16} {(value - before.get(name, 0.0)) / wall:5.2f}")
    profile = out / "py-spy-summary.txt"
    if profile.exists():
        print(profile.read_text(), end="")
    summary = summarise(args.users, out / "locust_stats.csv", out / "timings.json")
    line = summary.line()
    timings = out / "timings.json"
    windows = [
        timeline(json.loads(timings.read_text()) if timings.exists() else {}, name)
        for name in ("read", "login")
    ]
    (out / "summary.txt").write_text("\n".join([arrivals, *windows, line]) + "\n")
    print("\n".join(windows))
    print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
