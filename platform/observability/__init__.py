"""Metrics (Prometheus, a registry per app) and error reporting (Sentry) for every process."""

from observability.jobs import JOB_METRICS, JobMetrics, serve_job_metrics
from observability.middleware import HttpMetricsMiddleware
from observability.routes import install_metrics
from observability.sentry import init_sentry, scrub_event
from observability.service_metrics import ServiceMetrics
from observability.settings import ObservabilitySettings

__all__ = [
    "JOB_METRICS",
    "HttpMetricsMiddleware",
    "JobMetrics",
    "ObservabilitySettings",
    "ServiceMetrics",
    "init_sentry",
    "install_metrics",
    "scrub_event",
    "serve_job_metrics",
]
