"""One command for a load run: a fresh database with N seeded producers, a stack (gateway, two
platforms, two engines, a worker) on loopback, locust headless for a fixed time, a report folder
and one summary line.

    .venv/bin/python loadtests/run.py --users 1000 --spawn-rate 50 --duration 120
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "platform"), str(ROOT)]

import psutil  # noqa: E402

from loadtests.profile import hottest_frames  # noqa: E402
from loadtests.seed import analyse_tables, fresh_database, seed_producers, write_producers  # noqa: E402
from loadtests.stack import Stack, Topology, cpu_seconds, running_stack, stack_settings  # noqa: E402
from loadtests.summary import summarise  # noqa: E402

REPORTS = ROOT / "loadtests" / "reports"


def _postgres_cpu() -> float:
    """CPU used so far by every postgres process on this machine (other sessions' too)."""
    total = 0.0
    for proc in psutil.process_iter(["name", "cpu_times"]):
        if proc.info["name"] == "postgres" and proc.info["cpu_times"] is not None:
            total += proc.info["cpu_times"].user + proc.info["cpu_times"].system
    return total


def _cpu_snapshot(stack: Stack) -> dict[str, float]:
    snapshot = {p.name: cpu_seconds(p.pid) for p in stack.processes if p.alive()}
    snapshot["postgres (all)"] = _postgres_cpu()
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
    parser.add_argument("--spawn-rate", type=float, default=20)
    parser.add_argument("--duration", type=int, default=60, help="seconds of load")
    parser.add_argument("--samples-per-user", type=int, default=8)
    parser.add_argument("--platforms", type=int, default=2)
    parser.add_argument("--engines", type=int, default=2)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--database", default="sp404_load")
    parser.add_argument("--no-profile", action="store_true", help="skip the py-spy sample")
    args = parser.parse_args()

    out = REPORTS / dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    out.mkdir(parents=True)
    settings = stack_settings(args.database)
    started = time.monotonic()
    asyncio.run(fresh_database(settings, args.database))
    producers = asyncio.run(
        seed_producers(settings, args.users, samples_each=args.samples_per_user)
    )
    asyncio.run(analyse_tables(settings))
    write_producers(out / "producers.json", producers)
    print(f"seeded {len(producers)} producers in {time.monotonic() - started:.1f} s", flush=True)

    topology = Topology(platforms=args.platforms, engines=args.engines, workers=args.workers)
    with running_stack(settings, out / "logs", topology) as stack:
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
    print("cores used during the run (CPU seconds / wall seconds):")
    for name, value in sorted(after.items(), key=lambda kv: -(kv[1] - before.get(kv[0], 0))):
        print(f"  {name:<16} {(value - before.get(name, 0.0)) / wall:5.2f}")
    profile = out / "py-spy-summary.txt"
    if profile.exists():
        print(profile.read_text(), end="")
    summary = summarise(args.users, out / "locust_stats.csv", out / "timings.json")
    line = summary.line()
    (out / "summary.txt").write_text(line + "\n")
    print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
