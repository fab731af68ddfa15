"""The summary line a load run prints, from locust's CSV and our per-category timings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from loadtests.summary import percentile, summarise

STATS_HEADER = (
    "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,"
    "Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s\n"
)


@pytest.mark.parametrize(
    ("values", "q", "expected"),
    [
        ([], 0.5, 0.0),
        ([7.0], 0.95, 7.0),
        ([1.0, 2.0, 3.0, 4.0], 0.5, 2.0),
        ([float(n) for n in range(1, 101)], 0.95, 95.0),
        ([float(n) for n in range(1, 101)], 1.0, 100.0),
    ],
)
def test_percentile_is_the_nearest_rank(values: list[float], q: float, expected: float) -> None:
    assert percentile(values, q) == expected


def test_summary_line_reports_users_rate_errors_and_read_and_upload_latencies(
    tmp_path: Path,
) -> None:
    stats = tmp_path / "locust_stats.csv"
    stats.write_text(
        STATS_HEADER
        + "GET,read: list samples,90,1,10,12,5,80,100,1.5,0.01\n"
        + ",Aggregated,100,2,11,13,5,900,100,25.0,0.02\n"
    )
    timings = tmp_path / "timings.json"
    timings.write_text(
        json.dumps(
            {
                "read": [[float(ms), False] for ms in range(1, 101)],
                "upload": [[40.0, False], [60.0, True]],
            }
        )
    )
    line = summarise(1000, stats, timings).line()
    assert line.startswith("users 1000 | rps 25.0 | requests 100 | errors 2.00%")
    assert "read p50 50 ms p95 95 ms (n=100, failed 0)" in line
    assert "upload p50 40 ms p95 60 ms (n=2, failed 1)" in line
    assert "auth n/a" in line


def test_a_run_without_timings_still_summarises_from_the_csv(tmp_path: Path) -> None:
    stats = tmp_path / "locust_stats.csv"
    stats.write_text(STATS_HEADER + ",Aggregated,0,0,0,0,0,0,0,0,0\n")
    summary = summarise(5, stats, tmp_path / "missing.json")
    assert summary.error_pct == 0.0
    assert "read n/a" in summary.line()


def test_the_second_half_of_the_run_is_reported_on_its_own(tmp_path: Path) -> None:
    stats = tmp_path / "locust_stats.csv"
    stats.write_text(STATS_HEADER + ",Aggregated,4,0,10,10,1,900,10,2.0,0\n")
    timings = tmp_path / "timings.json"
    # A slow ramp-up (first 50 s) and a fast steady state (last 50 s).
    entries = [
        [900.0, False, 10.0],
        [800.0, False, 40.0],
        [20.0, False, 60.0],
        [30.0, False, 100.0],
    ]
    timings.write_text(json.dumps({"read": entries}))
    summary = summarise(10, stats, timings)
    assert summary.by_category["read"].p95 == 900.0
    assert summary.steady["read"].count == 2
    assert "2nd half read p50 20 ms p95 30 ms" in summary.line()
