"""The gateway's own section of the settings, each the env var `SP404_GATEWAY_<NAME>`.

The gateway process also loads `sp404.core.settings.GatewayServiceSettings` (core, tokens,
addresses, observability) and nothing else: no storage, mail or Stripe secret.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from sp404.core.settings import REPO_ROOT


class GatewaySettings(BaseSettings):
    """The gateway's limits, timeouts and resilience (SP404_GATEWAY_*)."""

    model_config = SettingsConfigDict(
        env_prefix="SP404_GATEWAY_",
        env_file=REPO_ROOT / ".env",
        env_file_encoding="utf-8",
        extra="ignore",
    )

    rate_per_minute: int = Field(
        default=100, description="Requests per signed-in user over any rolling 60 seconds."
    )
    anonymous_rate_per_minute: int = Field(
        default=60,
        description="Per client address on the anonymous credential routes (login, register, "
        "forgot, ...).",
    )
    max_in_flight: int = Field(
        default=1024, description="Proxied requests in flight before new ones are shed with 503."
    )

    max_json_body_bytes: int = 1024 * 1024
    max_upload_bytes: int = 2 * 1024 * 1024 * 1024

    connect_timeout_s: float = 2.0
    default_timeout_s: float = 10.0
    transfer_read_timeout_s: float = Field(
        default=120.0,
        description="Uploads and downloads: no total limit, but the upstream must keep bytes "
        "moving.",
    )
    upstream_connections: int = 512

    breaker_fail_max: int = 5
    breaker_reset_s: float = 10.0
    retry_attempts: int = 2
    retry_budget_ratio: float = 0.1
    retry_budget_floor: int = Field(
        default=3,
        description="Retries always allowed per budget window, so a quiet gateway can still "
        "retry at all.",
    )

    usage_queue_size: int = 10_000
    usage_batch_size: int = 1_000
    usage_flush_interval_s: float = 1.0
    plans_refresh_s: float = 300.0

    trusted_proxy_hops: int = Field(
        default=0,
        ge=0,
        le=5,
        description="How many of your own proxies (load balancers) stand in front of the gateway, "
        "each appending to X-Forwarded-For; the client is that many entries from the right. "
        "Default 0: the TCP peer is the client (set 1 behind one load balancer, and let nothing "
        "reach the gateway except through it).",
    )
    redis_retry_s: float = Field(
        default=1.0,
        description="After a Redis error the limiter skips Redis this long instead of paying a "
        "timeout per call.",
    )
    web_dist: Path | None = Field(
        default=None,
        description="The built web app (`npm run build` in web/; relative to the repository), "
        "served at / when set and holding an index.html (the api image sets /app/web/dist). "
        "Unset, non-API paths answer 404.",
    )
