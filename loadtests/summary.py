"""The one-line result of a load run, from locust's stats CSV and the per-category timings."""

from __future__ import annotations

import csv
import json
import math
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Spread:
    """Count, failures and latency percentiles (ms) of one category of requests."""

    count: int
    failures: int
    p50: float
    p95: float


@dataclass(frozen=True)
class Summary:
    """What a load run measured."""

    users: int
    requests: int
    failures: int
    rps: float
    by_category: dict[str, Spread]
    # The same for the second half of the run only: the steady state, after ramp-up and sign-ins.
    steady: dict[str, Spread] = field(default_factory=dict)
    # Sign-ins the platform refused with 503 + Retry-After to protect itself (among `failures`).
    shed_logins: int = 0

    @property
    def error_pct(self) -> float:
        return 100.0 * self.failures / self.requests if self.requests else 0.0

    def line(self) -> str:
        """users, RPS, error %, p50/p95 of reads and uploads (and sign-ins), on one line."""
        parts = [
            f"users {self.users}",
            f"rps {self.rps:.1f}",
            f"requests {self.requests}",
            f"errors {self.error_pct:.2f}%",
        ]
        for name in ("read", "upload", "auth"):
            spread = self.by_category.get(name)
            if spread is None or spread.count == 0:
                parts.append(f"{name} n/a")
            else:
                parts.append(
                    f"{name} p50 {spread.p50:.0f} ms p95 {spread.p95:.0f} ms (n={spread.count},"
                    f" failed {spread.failures})"
                )
        login = self.by_category.get("login")
        if login is not None and login.count:
            parts.append(
                f"login p50 {login.p50:.0f} ms p95 {login.p95:.0f} ms (n={login.count},"
                f" shed {self.shed_logins})"
            )
        for name in ("read", "upload"):
            spread = self.steady.get(name)
            if spread is not None and spread.count:
                parts.append(f"2nd half {name} p50 {spread.p50:.0f} ms p95 {spread.p95:.0f} ms")
        return " | ".join(parts)


def percentile(values: list[float], q: float) -> float:
    """The nearest-rank percentile (q in 0..1) of `values`; 0 when empty."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(q * len(ordered)))
    return ordered[min(len(ordered), rank) - 1]


Timings = dict[str, list[list[float]]]


def spreads(timings: Timings, since_s: float = 0.0) -> dict[str, Spread]:
    """Percentiles per category from [[ms, failed, at_s], ...] lists, for entries at or after
    `since_s` seconds into the run (entries without a time count as at 0)."""
    out = {}
    for name, entries in timings.items():
        kept = [e for e in entries if (e[2] if len(e) > 2 else 0.0) >= since_s]
        times = [float(e[0]) for e in kept]
        failed = sum(1 for e in kept if e[1])
        out[name] = Spread(len(times), failed, percentile(times, 0.5), percentile(times, 0.95))
    return out


def timeline(timings: Timings, name: str = "read", window_s: float = 10.0) -> str:
    """p95 of `name` per `window_s` of the run, e.g. "read p95 by 10 s: 49 105 1142 ms": a
    stall shows as a window (and says when), where one p95 for the whole run only says that
    there was one."""
    buckets: dict[int, list[float]] = {}
    for entry in timings.get(name, []):
        at = entry[2] if len(entry) > 2 else 0.0
        buckets.setdefault(int(at // window_s), []).append(float(entry[0]))
    if not buckets:
        return f"{name} p95 by {window_s:.0f} s: n/a"
    p95s = [percentile(buckets.get(i, []), 0.95) for i in range(max(buckets) + 1)]
    return f"{name} p95 by {window_s:.0f} s: " + " ".join(f"{v:.0f}" for v in p95s) + " ms"


def _second_half(timings: Timings) -> dict[str, Spread]:
    ends = [e[2] for entries in timings.values() for e in entries if len(e) > 2]
    return spreads(timings, max(ends) / 2) if ends else {}


def aggregated_row(stats_csv: Path) -> dict[str, str]:
    """The "Aggregated" row of locust's `<prefix>_stats.csv`."""
    with stats_csv.open(newline="") as handle:
        for row in csv.DictReader(handle):
            if row.get("Name") == "Aggregated":
                return row
    raise LookupError(f"no Aggregated row in {stats_csv}")


def shed_count(failures_csv: Path, marker: str = "503 shed") -> int:
    """Occurrences of failures whose message carries `marker` in locust's failures CSV."""
    if not failures_csv.exists():
        return 0
    with failures_csv.open(newline="") as handle:
        return sum(
            int(row["Occurrences"])
            for row in csv.DictReader(handle)
            if marker in row.get("Error", "")
        )


def summarise(users: int, stats_csv: Path, timings_json: Path) -> Summary:
    """Combine locust's totals with our exact per-category percentiles (and the sign-ins shed,
    from the `<prefix>_failures.csv` next to the stats)."""
    row = aggregated_row(stats_csv)
    requests = int(row["Request Count"])
    timings = json.loads(timings_json.read_text()) if timings_json.exists() else {}
    return Summary(
        users=users,
        requests=requests,
        failures=int(row["Failure Count"]),
        # Locust's rate over the whole run, ramp-up included.
        rps=float(row["Requests/s"]),
        by_category=spreads(timings),
        steady=_second_half(timings),
        shed_logins=shed_count(stats_csv.with_name(stats_csv.name.replace("_stats", "_failures"))),
    )
