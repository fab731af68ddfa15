"""Every drill in order, each on a stack of its own, then one table of verdicts.

    .venv/bin/python -m drills.run_all

Each drill uses only what it starts: its own database (the PostgreSQL drill its own cluster),
its own processes, and a private Redis where it kills or restarts one.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

from drills import (
    backup_restore,
    engine_kill,
    postgres_restart,
    presigned_replay,
    redis_cluster_kill,
    redis_kill,
    storage_fill,
    webhook_replay,
    worker_kill,
)
from drills.common import Verdict

DRILLS: dict[str, Callable[[], Verdict]] = {
    "engine": engine_kill.run,
    "worker": worker_kill.run,
    "redis": redis_kill.run,
    "redis-cluster": redis_cluster_kill.run,
    "storage": storage_fill.run,
    "postgres": postgres_restart.run,
    "webhooks": webhook_replay.run,
    "replay": presigned_replay.run,
    "backup": backup_restore.run,
}


def table(rows: list[tuple[Verdict, float]]) -> str:
    """A fixed-width table: status, drill, seconds, failed checks."""
    lines = [f"{'status':<6}  {'drill':<46}  {'seconds':>7}  failed checks", "-" * 90]
    for verdict, seconds in rows:
        failed = [label for label, ok in verdict.checks.items() if not ok]
        note = "; ".join(failed) if failed else (verdict.skipped or "")
        lines.append(f"{verdict.status:<6}  {verdict.name:<46}  {seconds:>7.1f}  {note}")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--only", nargs="+", choices=list(DRILLS), metavar="DRILL",
        help=f"run only these drills ({', '.join(DRILLS)})",
    )  # fmt: skip
    args = parser.parse_args()
    chosen = args.only or list(DRILLS)
    rows: list[tuple[Verdict, float]] = []
    for name in chosen:
        started = time.monotonic()
        verdict = DRILLS[name]()
        rows.append((verdict, time.monotonic() - started))
        print(verdict.report(), flush=True)
    print()
    print(table(rows))
    return 0 if all(v.passed for v, _ in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
