"""The observability knobs, each the env var `SP404_<NAME>` (the shared ones live in Settings)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from sp404.core.settings import REPO_ROOT


class ObservabilitySettings(BaseSettings):
    """Where workers expose metrics and how much Sentry samples."""

    model_config = SettingsConfigDict(
        env_prefix="SP404_",
        env_file=REPO_ROOT / ".env",
        env_file_encoding="utf-8",
        extra="ignore",
    )

    # Workers have no HTTP app: set a port to serve their /metrics (unset: no listener at all).
    worker_metrics_port: int | None = None
    worker_metrics_host: str = "0.0.0.0"  # noqa: S104 - scraped from inside the cluster
    # Share of requests Sentry traces for performance (0: errors only).
    sentry_traces_sample_rate: float = Field(default=0.0, ge=0.0, le=1.0)
