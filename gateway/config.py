"""The gateway's own knobs, each the env var `SP404_GATEWAY_<NAME>` (shared ones: Settings)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from sp404.core.settings import REPO_ROOT


class GatewaySettings(BaseSettings):
    """Limits, timeouts and resilience settings of the gateway."""

    model_config = SettingsConfigDict(
        env_prefix="SP404_GATEWAY_",
        env_file=REPO_ROOT / ".env",
        env_file_encoding="utf-8",
        extra="ignore",
    )

    # Per signed-in user, over any rolling 60 seconds.
    rate_per_minute: int = 100
    # Per client address on the anonymous credential routes (login, register, forgot, ...).
    anonymous_rate_per_minute: int = 60
    # Proxied requests in flight before new ones are shed with 503.
    max_in_flight: int = 1024

    max_json_body_bytes: int = 1024 * 1024
    max_upload_bytes: int = 2 * 1024 * 1024 * 1024

    connect_timeout_s: float = 2.0
    default_timeout_s: float = 10.0
    # Uploads and downloads: no total limit, but the upstream must keep bytes moving.
    transfer_read_timeout_s: float = 120.0
    upstream_connections: int = 512

    breaker_fail_max: int = 5
    breaker_reset_s: float = 10.0
    retry_attempts: int = 2
    retry_budget_ratio: float = 0.1
    # Retries always allowed per budget window, so a quiet gateway can still retry at all.
    retry_budget_floor: int = 3

    usage_queue_size: int = 10_000
    usage_batch_size: int = 1_000
    usage_flush_interval_s: float = 1.0
    plans_refresh_s: float = 300.0

    # How many of our own proxies (load balancers) stand in front of the gateway, each appending
    # to X-Forwarded-For. None by default: then any client could write the address it is
    # limited by. Set it to the real count behind a load balancer.
    trusted_proxy_hops: int = Field(default=0, ge=0, le=5)
    # After a Redis error the limiter skips Redis this long instead of paying a timeout per call.
    redis_retry_s: float = 1.0
    # The built web app (`npm run build` in web/, e.g. `web/dist`; relative to the repository):
    # served at `/` when set and holding an index.html. Unset, non-API paths answer 404.
    web_dist: Path | None = None
