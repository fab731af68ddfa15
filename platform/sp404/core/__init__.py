"""The kernel every other package stands on: settings, the asyncpg pool and tenant transactions
(RLS), errors and their HTTP shape, JSON logs, audit, health, migrations, named queries, the
Redis client, the client address and the gateway signature."""
