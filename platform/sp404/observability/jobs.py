"""Job metrics: how long batches take and how many clips per second the workers analyse.

The worker loop records into one process-wide registry. A worker process serves it on
`SP404_WORKER_METRICS_PORT`; a service that runs jobs in-process (the platform's account
exports) appends it to its own `/metrics`.
"""

from __future__ import annotations

from wsgiref.simple_server import WSGIServer

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client import start_http_server as _start_http_server

# Jobs range from a few milliseconds (an empty batch) to minutes (a ZIP import, a GPU batch).
_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0)
ANALYSIS_KIND = "analyze"


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
