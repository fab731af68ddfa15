"""The HTTP app factory the platform and engine share: pool, Redis, errors, health, metrics."""

__all__ = [
    "service_app",
]
