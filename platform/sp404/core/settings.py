"""Configuration in sections, read only from the environment (and a development `.env`).

Each section is a class of `SP404_<NAME>` variables built on `CoreSection`; each process composes
only the sections it uses (`GatewayServiceSettings`, `PlatformSettings`, `EngineSettings`,
`WorkerSettings`: `SERVICE_SETTINGS`), so the gateway never loads a Stripe, S3 or SMTP secret
even when the environment holds one. `Settings` composes them all for the command line's admin
commands and the tests. `.env.example` is generated from these classes
(`python -m scripts.generate_env_example`).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

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


def _sets_example(value: str) -> dict[str, Any]:
    """Field metadata: `.env.example` sets the variable to `value` rather than show the default."""
    return {"env_example": value}


class CoreSection(BaseSettings):
    """General, database and Redis."""

    model_config = SettingsConfigDict(
        env_prefix="SP404_",
        env_file=REPO_ROOT / ".env",
        env_file_encoding="utf-8",
        # Another section's variable (or anything else) in the environment is simply not read.
        extra="ignore",
    )

    environment: Literal["development", "test", "production"] = Field(
        default="development",
        description="development | test | production. Production never generates signing keys "
        "by itself.",
        json_schema_extra=_sets_example("production"),
    )
    log_level: str = Field(
        default="INFO", description="Python log level (logs are JSON lines on stderr)."
    )
    var_dir: Path = Field(
        default=REPO_ROOT / "var",
        description="Where local files live (keys, blobs and mail when those are kept on disk); "
        "default: var/ in the checkout.",
        examples=["/var/lib/sp404"],
    )
    public_url: str = Field(
        default="http://127.0.0.1:8080",
        description="The address users reach (links in e-mail, presigned local URLs, redirects).",
        json_schema_extra=_sets_example("http://localhost:8080"),
    )
    database_url: str = Field(
        default="postgresql://sp404_app@127.0.0.1:5432/sp404",
        description="The runtime role (NOBYPASSRLS), PostgreSQL >= 15. Compose builds it from "
        "SP404_DB_APP_PASSWORD.",
        examples=["postgresql://sp404_app:PASSWORD@db.internal:5432/sp404"],
    )
    db_pool_min: int = Field(default=2, description="Connections each process keeps open.")
    db_pool_max: int = Field(default=10, description="Connections each process may open.")
    db_statement_cache_size: int = Field(
        default=100,
        description="asyncpg's prepared-statement cache per connection; 0 behind PgBouncer in "
        "transaction mode.",
    )
    redis_url: str = Field(
        default="redis://127.0.0.1:6379/0",
        description="Redis >= 7: rate limits, token revocation, caches.",
        examples=["redis://redis.internal:6379/0"],
    )
    redis_pool_size: int = Field(default=50, description="Redis connections per process.")
    redis_cluster: bool = Field(
        default=False,
        description="SP404_REDIS_URL names one node of a Redis Cluster (every key a script "
        "touches shares one hash tag, so the scripts work there); the database number is ignored.",
    )


class MigrationSection(CoreSection):
    """Database roles for migrations and audits (`sp404 db migrate`, admins' sessions)."""

    database_owner_url: str = Field(
        default="postgresql://sp404_migrator@127.0.0.1:5432/sp404",
        description="The migrator (`sp404 db migrate` only; never given to a long-running "
        "service). It signs in and does SET ROLE sp404_owner: the schema owner cannot log in.",
        examples=["postgresql://sp404_migrator:PASSWORD@db.internal:5432/sp404"],
    )
    database_auditor_url: str = Field(
        default="postgresql://sp404_auditor@127.0.0.1:5432/sp404",
        description="The read-only auditor (admins' psql audits and tests; the services never "
        "use it).",
        examples=["postgresql://sp404_auditor:PASSWORD@db.internal:5432/sp404"],
    )


class TokensSection(CoreSection):
    """Tokens (RS256) and the gateway signature."""

    jwt_keys_dir: Path | None = Field(
        default=None,
        description="Folder of the signing key ring (default: $SP404_VAR_DIR/keys). Mount it "
        "from a secret; only the platform signs, everything else verifies through its JWKS.",
        examples=["/var/lib/sp404/keys"],
    )
    jwt_issuer: str = Field(default="sp404-sample-cloud", description="The tokens' `iss`.")
    jwt_audience: str = Field(default="sp404-api", description="The tokens' `aud`.")
    jwks_url: str | None = Field(
        default=None,
        description="Where every service reads the public keys tokens are verified with. "
        "Default: the platform reads its own key ring, the gateway and the engine the first "
        "platform URL's /.well-known/jwks.json.",
    )
    access_token_ttl_s: int = Field(default=3600, description="Lifetime of an access token.")
    refresh_token_ttl_s: int = Field(
        default=7 * 24 * 3600, description="Lifetime of a refresh token."
    )
    gateway_secrets: list[SecretStr] = Field(
        default_factory=list,
        description="Secrets the gateway signs forwarded requests with, newest first (every one "
        "verifies); the platform and engine refuse anything else. Unset: gateway_secrets.json in "
        "the keys folder (`sp404 keys generate` / `rotate`). Production: set it. Compose builds "
        "it from SP404_GATEWAY_SECRET.",
        examples=['["a-long-random-secret","the-previous-one"]'],
    )
    personal_token_cache_s: float = Field(
        default=30.0,
        ge=0,
        le=300,
        description="How long each service keeps a resolved personal access token (revocation "
        "is immediate through Redis; this bounds it only while Redis is unreachable).",
    )

    @property
    def keys_dir(self) -> Path:
        return self.jwt_keys_dir or self.var_dir / "keys"


class AddressesSection(CoreSection):
    """Service addresses and allowed origins."""

    platform_urls: list[str] = Field(
        default_factory=lambda: ["http://127.0.0.1:8000"],
        description="Every platform instance (JSON list); the gateway spreads requests over them.",
        examples=['["http://platform:8000"]'],
    )
    engine_urls: list[str] = Field(
        default_factory=lambda: ["http://127.0.0.1:8100"],
        description="Every engine instance (JSON list).",
        examples=['["http://engine:8100"]'],
    )
    cors_origins: list[str] = Field(
        default_factory=lambda: ["http://127.0.0.1:8080"],
        description="Origins the gateway answers CORS requests from (JSON list).",
        examples=['["https://app.example.com"]'],
    )


class StorageSection(CoreSection):
    """Blob storage."""

    blob_store: Literal["local", "s3"] = Field(
        default="local",
        description="local | s3 (any S3-compatible store: MinIO, R2, AWS).",
    )
    blob_dir: Path | None = Field(
        default=None,
        description="The local store's folder (default: $SP404_VAR_DIR/blobs).",
        examples=["/var/lib/sp404/blobs"],
    )
    blob_signing_secret: SecretStr | None = Field(
        default=None,
        description="Signs the local store's presigned URLs (at least 16 bytes; the same on "
        "every instance sharing the folder). Unset: generated once into <blob dir>/"
        ".signing-secret.",
    )
    s3_endpoint_url: str | None = Field(
        default=None,
        description="The S3-compatible endpoint (unset: AWS).",
        examples=["https://s3.example.com"],
    )
    s3_bucket: str = Field(default="sp404", description="The bucket blobs are stored in.")
    s3_region: str = Field(default="auto", description="The bucket's region.")
    s3_access_key_id: SecretStr | None = Field(
        default=None,
        description="In compose these are also MinIO's root credentials.",
        json_schema_extra=_sets_example("change-me-s3-access-key"),
    )
    s3_secret_access_key: SecretStr | None = Field(
        default=None, json_schema_extra=_sets_example("change-me-s3-secret-key-at-least-8")
    )

    @property
    def blobs_dir(self) -> Path:
        return self.blob_dir or self.var_dir / "blobs"


class UploadsSection(CoreSection):
    """Uploads."""

    max_upload_bytes: int = Field(
        default=1024 * 1024 * 1024,
        description="The largest single upload accepted (the plan's storage quota applies on top).",
    )
    direct_upload_url_ttl_s: int = Field(
        default=900,
        description="Lifetime of a presigned direct-upload URL (S3 cannot revoke one).",
    )
    staging_sweep_interval_s: int = Field(
        default=300,
        description="How often the engine deletes staged direct uploads that are no longer open.",
    )


class MailSection(CoreSection):
    """E-mail. Without SMTP_HOST, mail is written as .eml files under MAIL_DIR."""

    smtp_host: str | None = Field(default=None, examples=["smtp.example.com"])
    smtp_port: int = 587
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = True
    mail_from: str = "SP-404 Sample Cloud <no-reply@sp404.local>"
    mail_dir: Path | None = Field(
        default=None,
        description="Where mail goes without SMTP (default: $SP404_VAR_DIR/mail).",
        examples=["/var/lib/sp404/mail"],
    )

    @property
    def mails_dir(self) -> Path:
        return self.mail_dir or self.var_dir / "mail"


class StripeSection(CoreSection):
    """Billing (Stripe). Without a secret key, paid plans cannot be bought."""

    stripe_secret_key: SecretStr | None = Field(default=None, examples=["sk_live_..."])
    stripe_webhook_secret: SecretStr | None = Field(default=None, examples=["whsec_..."])
    stripe_publishable_key: str | None = Field(
        default=None,
        description="Public by design: Stripe.js needs it in the browser to show the card form.",
        examples=["pk_live_..."],
    )
    stripe_api_base: str | None = Field(
        default=None, description="Only for tests against a local Stripe emulator."
    )
    stripe_price_pro: str | None = Field(default=None, examples=["price_..."])
    stripe_price_enterprise: str | None = Field(default=None, examples=["price_..."])
    stripe_trial_end_behavior: Literal["cancel", "pause"] = Field(
        default="cancel",
        description="What Stripe does when a trial ends without a card: cancel the subscription "
        "or pause it (either way the account is on Free until a card is added and paid).",
    )
    stripe_automatic_tax: bool = Field(
        default=False,
        description="Stripe Tax: subscriptions compute tax (automatic_tax) from the billing "
        "address the producer gives, and invoices show their tax ids. Needs Stripe Tax set up "
        "in the Stripe account.",
    )
    billing_past_due_days: int = Field(
        default=14,
        ge=0,
        description="A subscription past due for longer than this many days falls to Free "
        "(Stripe's own retry settings notwithstanding); paying brings the plan back.",
    )
    billing_past_due_sweep_s: float = Field(
        default=3600,
        gt=0,
        description="How often the platform looks for subscriptions past the past-due cap.",
    )
    billing_operator_email: str | None = Field(
        default=None,
        description="Who is mailed when a producer disputes a charge (unset: logged only).",
        examples=["billing@example.com"],
    )
    billing_dispute_suspends: bool = Field(
        default=False,
        description="While a dispute is open the account is on Free (its data is kept).",
    )


class VibeSection(CoreSection):
    """AI vibe descriptions (OpenRouter). Without a key the worker describes sounds locally."""

    openrouter_api_key: SecretStr | None = None
    openrouter_base_url: str = "https://openrouter.ai/api/v1"


class WorkerSection(CoreSection):
    """The analysis worker."""

    worker_lease_s: int = Field(
        default=60,
        description="How long a worker's claim on a job lasts without renewal (a crashed "
        "worker's jobs are taken again after this).",
    )
    worker_metrics_port: int | None = Field(
        default=None,
        description="Serve Prometheus metrics at http://HOST:PORT/metrics (unset: no listener; "
        "workers have no HTTP app).",
        examples=["9100"],
    )
    worker_metrics_host: str = Field(
        default="0.0.0.0",  # noqa: S104 - scraped from inside the cluster
        description="The address the metrics listener binds.",
    )


class ObservabilitySection(CoreSection):
    """Error reporting (Sentry)."""

    sentry_dsn: SecretStr | None = Field(
        default=None,
        description="Sentry is on when a DSN is set; events are scrubbed of credentials before "
        "they leave.",
        examples=["https://PUBLIC_KEY@o0.ingest.sentry.io/0"],
    )
    sentry_traces_sample_rate: float = Field(
        default=0.0,
        ge=0.0,
        le=1.0,
        description="Share of requests traced for performance (0: errors only).",
    )


class ServiceSettings(TokensSection, AddressesSection, ObservabilitySection):
    """What every HTTP service loads: the core, tokens, addresses and error reporting."""


class GatewayServiceSettings(ServiceSettings):
    """The gateway's process: no more (its own `SP404_GATEWAY_*` knobs are gateway.config)."""


class PlatformSettings(ServiceSettings, StorageSection, MailSection, StripeSection):
    """The platform's process: accounts, tokens, billing, account exports and mail."""


class EngineSettings(ServiceSettings, StorageSection, UploadsSection):
    """The engine's process: samples, imports, exports, the staging sweeper."""


class WorkerSettings(ObservabilitySection, StorageSection, VibeSection, WorkerSection):
    """The analysis worker's process (`sp404 worker`): no tokens, no Stripe, no mail."""


class Settings(PlatformSettings, EngineSettings, WorkerSettings, MigrationSection):
    """Every section: for the command line's admin commands and the tests, never a service."""


# What each long-running process loads (the gateway adds gateway.config.GatewaySettings).
SERVICE_SETTINGS: dict[str, type[ObservabilitySection]] = {
    "gateway": GatewayServiceSettings,
    "platform": PlatformSettings,
    "engine": EngineSettings,
    "worker": WorkerSettings,
}

# Every section, in the order `.env.example` lists them.
SECTIONS: tuple[type[CoreSection], ...] = (
    CoreSection,
    MigrationSection,
    TokensSection,
    AddressesSection,
    StorageSection,
    UploadsSection,
    MailSection,
    StripeSection,
    VibeSection,
    WorkerSection,
    ObservabilitySection,
)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Every section, read once (admin commands and tests; a service builds only its own)."""
    return Settings()
