"""The gateway: the only public door of SP-404 Sample Cloud."""

from gateway.app import create_app

__all__ = ["create_app"]
