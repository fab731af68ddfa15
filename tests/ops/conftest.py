"""Service processes started with `sp404 serve` (the fixture the service tests use)."""

from tests.services.conftest import start_service

__all__ = ["start_service"]
