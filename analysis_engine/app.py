"""The analysis engine service (port 8100): samples, analysis, collections, kits, exports."""

from __future__ import annotations

from fastapi import FastAPI

from tenancy.service_app import create_service_app
from tenancy.settings import Settings, get_settings


def create_app(settings: Settings | None = None) -> FastAPI:
    """The engine ASGI app."""
    return create_service_app(
        title="SP-404 Sample Cloud engine", settings=settings or get_settings()
    )
