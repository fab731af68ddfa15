"""Everything the gateway holds while it runs, built at start-up and closed at shutdown."""

from __future__ import annotations

from dataclasses import dataclass

import aiohttp
import asyncpg
import redis.asyncio as redis

from gateway.breaker import InstanceBreaker
from gateway.config import GatewaySettings
from gateway.limits import Limiter
from gateway.metrics import GatewayMetrics
from gateway.proxy import Proxy
from gateway.routing import TimeoutClass
from gateway.upstreams import RetryBudget, UpstreamPool
from gateway.usage import UsageRecorder
from sp404.billing import PlanCatalog
from sp404.core.db import create_pool
from sp404.core.gateway_signature import GatewaySecrets, generate_secrets
from sp404.core.redis_client import create_redis
from sp404.core.settings import GatewayServiceSettings
from sp404.tokens import AccessTokenVerifier, JwksCache, RevocationStore, start_verifier
from sp404.tokens.personal import PersonalTokenResolver


@dataclass
class Runtime:
    """The gateway's live parts."""

    settings: GatewayServiceSettings
    gateway: GatewaySettings
    pool: asyncpg.Pool
    redis: redis.Redis
    session: aiohttp.ClientSession
    jwks: JwksCache
    verifier: AccessTokenVerifier
    personal: PersonalTokenResolver
    revocation: RevocationStore
    plans: PlanCatalog
    limiter: Limiter
    pools: dict[str, UpstreamPool]
    proxy: Proxy
    usage: UsageRecorder
    metrics: GatewayMetrics
    trusted_proxy_hops: int
    gateway_secrets: GatewaySecrets

    async def aclose(self) -> None:
        """Stop background work, write pending usage, close every client."""
        await self.plans.stop()
        await self.usage.stop()
        await self.jwks.aclose()
        await self.session.close()
        await self.redis.aclose()
        await self.pool.close()


async def start_runtime(
    settings: GatewayServiceSettings, gateway: GatewaySettings, metrics: GatewayMetrics
) -> Runtime:
    """Connect to the database and Redis, load plan allowances, warm the key cache."""
    pool = await create_pool(settings, min_size=1, max_size=4)
    if settings.environment != "production":
        generate_secrets(settings.keys_dir)
    client = create_redis(settings)
    plans = PlanCatalog()
    await plans.load(pool)
    plans.start(pool, refresh_s=gateway.plans_refresh_s)
    revocation = RevocationStore(
        client, access_ttl=settings.access_token_ttl_s, retry_interval=gateway.redis_retry_s
    )
    limiter = Limiter(
        client,
        revocation,
        allowances=plans.allowances,
        per_minute=gateway.rate_per_minute,
        per_address_minute=gateway.anonymous_rate_per_minute,
        retry_after_failure_s=gateway.redis_retry_s,
    )
    # No revocation here: the limiter checks it in the same Redis round trip as the limits.
    verifier, jwks = await start_verifier(settings)
    # Idle upstream connections are dropped before uvicorn's 5 s keep-alive closes them from
    # the other side, so a request rarely lands on a connection the upstream is closing.
    connector = aiohttp.TCPConnector(limit=gateway.upstream_connections, keepalive_timeout=4.0)
    # No cookies, no decompression, no invented headers: the gateway passes bytes through.
    session = aiohttp.ClientSession(
        connector=connector,
        auto_decompress=False,
        cookie_jar=aiohttp.DummyCookieJar(),
        skip_auto_headers=("User-Agent", "Accept", "Accept-Encoding", "Content-Type"),
    )
    # aiohttp silently resends an idempotent request once when a reused connection drops, even
    # after the upstream has acted on it; retries here are ours alone (connect errors, budgeted).
    session._retry_connection = False

    def breaker(name: str) -> InstanceBreaker:
        return InstanceBreaker(
            name, fail_max=gateway.breaker_fail_max, reset_s=gateway.breaker_reset_s
        )

    pools = {
        "platform": UpstreamPool("platform", settings.platform_urls, breaker),
        "engine": UpstreamPool("engine", settings.engine_urls, breaker),
    }
    budget = RetryBudget(ratio=gateway.retry_budget_ratio, floor=gateway.retry_budget_floor)
    timeouts: dict[TimeoutClass, aiohttp.ClientTimeout] = {
        "default": aiohttp.ClientTimeout(
            total=gateway.default_timeout_s, sock_connect=gateway.connect_timeout_s
        ),
        "transfer": aiohttp.ClientTimeout(
            total=None,
            sock_connect=gateway.connect_timeout_s,
            sock_read=gateway.transfer_read_timeout_s,
        ),
    }
    proxy = Proxy(
        session,
        pools,
        budget,
        timeouts=timeouts,
        retry_attempts=gateway.retry_attempts,
        on_retry=metrics.retries.inc,
    )
    usage = UsageRecorder(
        pool,
        max_rows=gateway.usage_queue_size,
        batch_size=gateway.usage_batch_size,
        interval_s=gateway.usage_flush_interval_s,
    )
    usage.start()
    return Runtime(
        settings=settings,
        gateway=gateway,
        pool=pool,
        redis=client,
        session=session,
        jwks=jwks,
        verifier=verifier,
        personal=PersonalTokenResolver(
            pool, revocation, cache_ttl_s=settings.personal_token_cache_s
        ),
        revocation=revocation,
        plans=plans,
        limiter=limiter,
        pools=pools,
        proxy=proxy,
        usage=usage,
        metrics=metrics,
        trusted_proxy_hops=gateway.trusted_proxy_hops,
        gateway_secrets=GatewaySecrets(settings),
    )
