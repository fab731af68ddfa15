"""Prometheus metrics of the platform and engine services, in a registry per app."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from pathlib import Path

import asyncpg
import redis.asyncio as redis
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from sp404.core.db import tenant_tx
from sp404.core.health import check_database, check_redis
from sp404.core.queries import load_queries

SQL = load_queries(Path(__file__).with_name("queries.sql"))
_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
# A scrape must never hang on a sick database: the queue query gets this long.
QUEUE_QUERY_TIMEOUT_S = 2.0
UNMATCHED_ROUTE = "unmatched"


class _PoolCollector(Collector):
    """The database pool's size and use, read at scrape time."""

    def __init__(self, service: str, pool: Callable[[], asyncpg.Pool | None]) -> None:
        self._service = service
        self._pool = pool

    def collect(self) -> Iterable[GaugeMetricFamily]:
        pool = self._pool()
        connections = GaugeMetricFamily(
            "sp404_db_pool_connections",
            "Connections of the database pool, by state (in_use, idle).",
            labels=["service", "state"],
        )
        limit = GaugeMetricFamily(
            "sp404_db_pool_max_connections", "The pool's maximum size.", labels=["service"]
        )
        if pool is not None:
            idle = pool.get_idle_size()
            connections.add_metric([self._service, "in_use"], pool.get_size() - idle)
            connections.add_metric([self._service, "idle"], idle)
            limit.add_metric([self._service], pool.get_max_size())
        yield connections
        yield limit


class ServiceMetrics:
    """HTTP, quota, dependency and (for the engine) queue metrics of one service."""

    def __init__(
        self,
        service: str,
        pool: Callable[[], asyncpg.Pool | None],
        *,
        with_queue: bool = False,
    ) -> None:
        self.service = service
        self.with_queue = with_queue
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "sp404_http_requests",
            "Requests answered, by route template, method and status.",
            ["service", "route", "method", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "sp404_http_request_duration_seconds",
            "Time from request to the end of the response, by route template and method.",
            ["service", "route", "method"],
            buckets=_BUCKETS,
            registry=self.registry,
        )
        self.quota_rejections = Counter(
            "sp404_quota_rejections",
            "Requests refused with 429, by quota (storage, analyses, ...) or refusal code.",
            ["service", "quota"],
            registry=self.registry,
        )
        self.dependency_up = Gauge(
            "sp404_dependency_up",
            "1 when the dependency answered at the last scrape, else 0.",
            ["service", "dependency"],
            registry=self.registry,
        )
        self.queue_jobs = Gauge(
            "sp404_queue_jobs",
            "Jobs queued, running and deferred now, and dead in the last hour, by tier.",
            ["tier", "status"],
            registry=self.registry,
        )
        self.queue_oldest = Gauge(
            "sp404_queue_oldest_job_age_seconds",
            "How long the longest-waiting runnable job of each tier has waited.",
            ["tier"],
            registry=self.registry,
        )
        self.registry.register(_PoolCollector(service, pool))

    def observe(self, route: str, method: str, status: int, seconds: float) -> None:
        """Count one answered request."""
        self.requests.labels(self.service, route, method, str(status)).inc()
        self.latency.labels(self.service, route, method).observe(seconds)

    def reject(self, quota: str) -> None:
        """Count one 429 refusal."""
        self.quota_rejections.labels(self.service, quota).inc()

    async def refresh(self, pool: asyncpg.Pool | None, client: redis.Redis | None) -> None:
        """Bring the scrape-time gauges (dependencies, queue) up to date."""
        database = {"ok": False} if pool is None else await check_database(pool)
        cache = {"ok": False} if client is None else await check_redis(client)
        self.dependency_up.labels(self.service, "database").set(1 if database["ok"] else 0)
        self.dependency_up.labels(self.service, "redis").set(1 if cache["ok"] else 0)
        if self.with_queue and pool is not None and database["ok"]:
            await self._refresh_queue(pool)

    async def _refresh_queue(self, pool: asyncpg.Pool) -> None:
        try:
            async with asyncio.timeout(QUEUE_QUERY_TIMEOUT_S):
                async with tenant_tx(pool, None) as conn:
                    rows = await conn.fetch(SQL["queue_depth_by_tier"])
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError):
            # Stale gauges would lie: drop them, and the missing series says "unknown".
            self.queue_jobs.clear()
            self.queue_oldest.clear()
            return
        # Tiers whose queue emptied must read 0, not keep their last value.
        self.queue_jobs.clear()
        self.queue_oldest.clear()
        for row in rows:
            self.queue_jobs.labels(row["tier"], row["status"]).set(row["jobs"])
            if row["status"] == "queued":
                self.queue_oldest.labels(row["tier"]).set(row["oldest_wait_s"])

    def render(self) -> bytes:
        """The text exposition format."""
        return generate_latest(self.registry)
