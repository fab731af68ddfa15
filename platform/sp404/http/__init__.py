"""The HTTP app factory the platform and engine share: pool, Redis, errors, health, metrics."""
