"""The platform service (port 8000): accounts, tokens and billing."""

from __future__ import annotations

from fastapi import FastAPI

from tenancy.service_app import create_service_app
from tenancy.settings import Settings, get_settings


def create_app(settings: Settings | None = None) -> FastAPI:
    """The platform ASGI app."""
    return create_service_app(
        title="SP-404 Sample Cloud platform", settings=settings or get_settings()
    )
