"""The kernel every other package stands on: settings, the asyncpg pool and tenant transactions
(RLS), errors and their HTTP shape, JSON logs, audit, health, migrations, named queries, the
Redis client, the client address and the gateway signature."""

# The kernel's interface is its modules: each is small, has one job and imports no other package.
__all__ = [
    "asgi",
    "audit",
    "client_address",
    "db",
    "errors",
    "gateway_signature",
    "health",
    "http_errors",
    "logging",
    "migrations",
    "queries",
    "redis_client",
    "settings",
]
