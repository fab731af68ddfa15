"""Job metrics: how long batches take, how many clips per second the workers analyse, and where
an analysis batch spends its time (wall and CPU seconds of each stage).

The worker loop records into one process-wide registry. A worker process serves it on
`SP404_WORKER_METRICS_PORT`; a service that runs jobs in-process (the platform's account
exports) appends it to its own `/metrics`.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from wsgiref.simple_server import WSGIServer

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client import start_http_server as _start_http_server

# Jobs range from a few milliseconds (an empty batch) to minutes (a ZIP import, a GPU batch).
_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0)
ANALYSIS_KIND = "analyze"
# One stage of a batch lasts from a millisecond (describing one clip) to minutes (a CPU extract).
_STAGE_BUCKETS = (0.001, 0.005, 0.01, 0.025, *_BUCKETS)


class StageClock:
    """Wall and process CPU seconds of the stages of one batch; a stage entered again (once per
    clip) adds to its totals. CPU time is the whole process's, all threads, over the stage's
    window: the stages of a batch run one after another, so the window holds that stage's work
    (the extractor's threads included) and little else."""

    def __init__(self) -> None:
        self.wall: dict[str, float] = {}
        self.cpu: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Time the block as (part of) stage `name`."""
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            yield
        finally:
            self.wall[name] = self.wall.get(name, 0.0) + time.perf_counter() - wall
            self.cpu[name] = self.cpu.get(name, 0.0) + time.process_time() - cpu


class JobMetrics:
    """Counters and histograms of the jobs this process ran."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.batch_duration = Histogram(
            "sp404_job_batch_duration_seconds",
            "Time to run one claimed batch of jobs, by kind and outcome.",
            ["kind", "outcome"],
            buckets=_BUCKETS,
            registry=self.registry,
        )
        self.jobs = Counter(
            "sp404_jobs_processed",
            "Jobs handed to a handler, by kind and outcome (ok or failed).",
            ["kind", "outcome"],
            registry=self.registry,
        )
        self.clips = Counter(
            "sp404_analysis_clips",
            "Clips analysed; rate() of this is the fleet's clips per second.",
            registry=self.registry,
        )
        self.clips_per_second = Gauge(
            "sp404_analysis_clips_per_second",
            "Clips per second of this worker's last analysis batch.",
            registry=self.registry,
        )
        # Per batch, not per clip: extraction runs once for the whole batch. Per clip is
        # rate(sp404_analysis_stage_seconds_sum) / rate(sp404_analysis_clips_total).
        self.stage_seconds = Histogram(
            "sp404_analysis_stage_seconds",
            "Wall time of one stage of one analysis batch: accept (quota, mark processing),"
            " decode (blob read, decode, waveform peaks), extract (features, whole batch),"
            " describe (vibe) and store (results and job completion).",
            ["stage"],
            buckets=_STAGE_BUCKETS,
            registry=self.registry,
        )
        self.stage_cpu_seconds = Counter(
            "sp404_analysis_stage_cpu_seconds",
            "This worker process's CPU time (all threads) in each stage of its analysis batches.",
            ["stage"],
            registry=self.registry,
        )

    def observe_stages(self, clock: StageClock) -> None:
        """Record the stages one analysis batch went through."""
        for stage, seconds in clock.wall.items():
            self.stage_seconds.labels(stage).observe(seconds)
            self.stage_cpu_seconds.labels(stage).inc(clock.cpu[stage])

    def observe_batch(self, kind: str, jobs: int, seconds: float, *, ok: bool) -> None:
        """Record one batch of `jobs` jobs of `kind` that took `seconds`."""
        outcome = "ok" if ok else "failed"
        self.batch_duration.labels(kind, outcome).observe(seconds)
        self.jobs.labels(kind, outcome).inc(jobs)
        if kind == ANALYSIS_KIND and ok and jobs:
            self.clips.inc(jobs)
            # A batch shorter than the clock's resolution still counts, as "very fast".
            self.clips_per_second.set(jobs / max(seconds, 1e-6))

    def render(self) -> bytes:
        """The text exposition format."""
        return generate_latest(self.registry)


JOB_METRICS = JobMetrics()


def serve_job_metrics(port: int, host: str = "0.0.0.0") -> WSGIServer:  # noqa: S104
    """Serve this process's job metrics at http://host:port/metrics from a daemon thread."""
    server, _ = _start_http_server(port, addr=host, registry=JOB_METRICS.registry)
    return server
