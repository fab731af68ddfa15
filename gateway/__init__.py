"""The gateway: the only public door of SP-404 Sample Cloud."""

from gateway import limits
from gateway.app import create_app

# `limits` is an interface of its own: the Redis Cluster drill drives the limiter directly.
__all__ = ["create_app", "limits"]
