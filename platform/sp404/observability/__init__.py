"""Metrics (Prometheus, a registry per app) and error reporting (Sentry) for every process."""

from sp404.observability.jobs import JOB_METRICS, JobMetrics, StageClock, serve_job_metrics
from sp404.observability.middleware import HttpMetricsMiddleware
from sp404.observability.routes import install_metrics
from sp404.observability.sentry import init_sentry, scrub_event
from sp404.observability.service_metrics import ServiceMetrics

__all__ = [
    "JOB_METRICS",
    "HttpMetricsMiddleware",
    "JobMetrics",
    "ServiceMetrics",
    "StageClock",
    "init_sentry",
    "install_metrics",
    "scrub_event",
    "serve_job_metrics",
]
