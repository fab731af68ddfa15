"""Prometheus metrics of the gateway, in a registry of its own (served at /metrics)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from gateway.breaker import STATE_VALUES
from gateway.upstreams import UpstreamPool

_BUCKETS = (0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class _Live(Collector):
    """Values read at scrape time: breaker states and the usage queue."""

    def __init__(
        self,
        pools: Iterable[UpstreamPool],
        usage_pending: Callable[[], int],
        in_flight: Callable[[], int],
    ) -> None:
        self._pools = list(pools)
        self._usage_pending = usage_pending
        self._in_flight = in_flight

    def collect(self) -> Iterable[GaugeMetricFamily]:
        states = GaugeMetricFamily(
            "gateway_breaker_state",
            "Breaker of each upstream instance: 0 closed, 1 half-open, 2 open.",
            labels=["upstream", "instance"],
        )
        for pool in self._pools:
            for instance in pool.instances:
                states.add_metric([pool.name, instance.url], STATE_VALUES[instance.breaker.state])
        yield states
        yield GaugeMetricFamily(
            "gateway_usage_queue_rows", "Usage rows waiting to be written.", self._usage_pending()
        )
        yield GaugeMetricFamily(
            "gateway_requests_in_flight", "Proxied requests in flight.", self._in_flight()
        )


class GatewayMetrics:
    """The gateway's counters, histogram and gauges."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "gateway_requests",
            "Requests answered, by route group and status.",
            ["group", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "gateway_request_duration_seconds",
            "Time from request to the end of the response, by route group.",
            ["group"],
            buckets=_BUCKETS,
            registry=self.registry,
        )
        self.limit_hits = Counter(
            "gateway_limit_hits",
            "Requests refused by a limit, by kind (minute, daily, address, shed).",
            ["kind"],
            registry=self.registry,
        )
        self.usage_dropped = Counter(
            "gateway_usage_rows_dropped",
            "Usage rows dropped (queue full or refused by the database).",
            registry=self.registry,
        )
        self.retries = Counter(
            "gateway_upstream_retries", "Retries of idempotent requests.", registry=self.registry
        )
        self._dropped_seen = 0

    def watch(
        self,
        pools: Iterable[UpstreamPool],
        usage_pending: Callable[[], int],
        in_flight: Callable[[], int],
    ) -> None:
        """Report breaker states, the usage queue and requests in flight at every scrape."""
        self.registry.register(_Live(pools, usage_pending, in_flight))

    def observe(self, group: str, status: int, seconds: float) -> None:
        """Count one answered request."""
        self.requests.labels(group, str(status)).inc()
        self.latency.labels(group).observe(seconds)

    def sync_usage_dropped(self, total: int) -> None:
        """Bring the drop counter up to the recorder's running total."""
        if total > self._dropped_seen:
            self.usage_dropped.inc(total - self._dropped_seen)
            self._dropped_seen = total

    def render(self) -> bytes:
        """The text exposition format."""
        return generate_latest(self.registry)
