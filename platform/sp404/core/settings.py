"""Configuration, read only from the environment (and a development `.env`)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


def _checkout_root() -> Path:
    """The checkout the services run from: the nearest folder above holding pyproject.toml and sql/.

    The project runs from a checkout (or an image that copies one, see the Containerfile), not from
    an installed wheel: the migrations, the web app and `.env` live beside the code.
    """
    for folder in Path(__file__).resolve().parents:
        if (folder / "pyproject.toml").is_file() and (folder / "sql").is_dir():
            return folder
    raise RuntimeError(f"{__file__} is not inside an SP-404 Sample Cloud checkout")


REPO_ROOT = _checkout_root()


class Settings(BaseSettings):
    """Every knob of every service; each is the env var `SP404_<NAME>`."""

    model_config = SettingsConfigDict(
        env_prefix="SP404_",
        env_file=REPO_ROOT / ".env",
        env_file_encoding="utf-8",
        extra="ignore",
    )

    environment: Literal["development", "test", "production"] = "development"
    log_level: str = "INFO"

    database_url: str = "postgresql://sp404_app@127.0.0.1:5432/sp404"
    # Migrations only: the migrator, which does SET ROLE sp404_owner (the owner cannot log in).
    database_owner_url: str = "postgresql://sp404_migrator@127.0.0.1:5432/sp404"
    # Only tests and admins' audits use the auditor; the services never do.
    database_auditor_url: str = "postgresql://sp404_auditor@127.0.0.1:5432/sp404"
    db_pool_min: int = 2
    db_pool_max: int = 10
    # Behind PgBouncer in transaction mode prepared statements must be off (0).
    db_statement_cache_size: int = 100
    redis_url: str = "redis://127.0.0.1:6379/0"
    redis_pool_size: int = 50

    var_dir: Path = REPO_ROOT / "var"
    jwt_keys_dir: Path | None = None
    jwt_issuer: str = "sp404-sample-cloud"
    jwt_audience: str = "sp404-api"
    access_token_ttl_s: int = 3600
    refresh_token_ttl_s: int = 7 * 24 * 3600
    # Secrets the gateway signs forwarded requests with (the first signs, all verify). Empty:
    # `gateway_secrets.json` in the keys folder (`sp404 keys generate` / `rotate`).
    gateway_secrets: list[SecretStr] = Field(default_factory=list)
    # How long each service keeps a resolved personal access token; revocation is immediate
    # anyway (Redis denylist), this bounds it only while Redis is unreachable.
    personal_token_cache_s: float = Field(default=30.0, ge=0, le=300)

    public_url: str = "http://127.0.0.1:8080"
    platform_urls: list[str] = Field(default_factory=lambda: ["http://127.0.0.1:8000"])
    engine_urls: list[str] = Field(default_factory=lambda: ["http://127.0.0.1:8100"])
    cors_origins: list[str] = Field(default_factory=lambda: ["http://127.0.0.1:8080"])

    # How long a worker's claim on a job lasts without renewal (a crashed worker's jobs are
    # taken again after this).
    worker_lease_s: int = 60
    # The largest single upload accepted (the plan's storage quota applies on top).
    max_upload_bytes: int = 1024 * 1024 * 1024
    # A presigned direct-upload URL cannot be revoked on S3, so it lives only this long.
    direct_upload_url_ttl_s: int = 900
    # How often the engine deletes staged direct uploads that are no longer open.
    staging_sweep_interval_s: int = 300
    blob_store: Literal["local", "s3"] = "local"
    blob_dir: Path | None = None
    s3_endpoint_url: str | None = None
    s3_bucket: str = "sp404"
    s3_region: str = "auto"
    s3_access_key_id: SecretStr | None = None
    s3_secret_access_key: SecretStr | None = None

    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = True
    mail_from: str = "SP-404 Sample Cloud <no-reply@sp404.local>"
    mail_dir: Path | None = None

    stripe_secret_key: SecretStr | None = None
    # Public by design: Stripe.js needs it in the browser to show the card form.
    stripe_publishable_key: str | None = None
    stripe_webhook_secret: SecretStr | None = None
    stripe_api_base: str | None = None
    stripe_price_pro: str | None = None
    stripe_price_enterprise: str | None = None

    openrouter_api_key: SecretStr | None = None
    openrouter_base_url: str = "https://openrouter.ai/api/v1"

    sentry_dsn: SecretStr | None = None

    @property
    def keys_dir(self) -> Path:
        return self.jwt_keys_dir or self.var_dir / "keys"

    @property
    def blobs_dir(self) -> Path:
        return self.blob_dir or self.var_dir / "blobs"

    @property
    def mails_dir(self) -> Path:
        return self.mail_dir or self.var_dir / "mail"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
