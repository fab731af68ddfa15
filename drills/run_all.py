"""Every drill in order, each on a stack of its own, then one table of verdicts.

    .venv/bin/python drills/run_all.py [--yes-restart-shared-postgres]

The PostgreSQL restart is skipped unless asked for: it restarts the server everyone on this
machine shares. Replaying a day of Stripe webhooks is not a drill yet (see README.md).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

from drills import engine_kill, postgres_restart, redis_kill, storage_fill, worker_kill
from drills.common import Verdict


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
    parser.add_argument("--yes-restart-shared-postgres", action="store_true")
    args = parser.parse_args()
    confirmed = args.yes_restart_shared_postgres
    drills: list[Callable[[], Verdict]] = [
        engine_kill.run,
        worker_kill.run,
        redis_kill.run,
        storage_fill.run,
        # Last, so the shared server's restart disturbs nothing else of ours.
        lambda: postgres_restart.run(confirmed),
    ]
    rows: list[tuple[Verdict, float]] = []
    for drill in drills:
        started = time.monotonic()
        verdict = drill()
        rows.append((verdict, time.monotonic() - started))
        print(verdict.report(), flush=True)
    skipped = Verdict("replay a day of webhooks twice", skipped="not built (optional)")
    rows.append((skipped, 0.0))
    print()
    print(table(rows))
    return 0 if all(v.passed or v.skipped for v, _ in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
