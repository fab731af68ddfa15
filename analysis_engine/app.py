"""The analysis engine service (port 8100): samples, analysis, collections, kits, exports."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import FastAPI

from analysis_engine.collections import router as collections_router
from analysis_engine.exports import router as exports_router
from analysis_engine.exports import start_export_jobs
from analysis_engine.imports import router as imports_router
from analysis_engine.imports import start_import_jobs
from analysis_engine.jobs_routes import router as jobs_router
from analysis_engine.kits import router as kits_router
from analysis_engine.openapi_links import describe_links
from analysis_engine.samples.routes import router as samples_router
from analysis_engine.samples.staging import start_staging_sweeper, upload_gate
from analysis_engine.search import router as search_router
from sp404.core.settings import EngineSettings
from sp404.http.service_app import create_service_app
from sp404.storage import BlobStore, LocalBlobStore, blob_routes, create_blob_store
from sp404.tokens import RevocationStore, start_verifier
from sp404.tokens.openapi import describe_personal_tokens
from sp404.tokens.personal import PersonalTokenResolver


def _engine_startup(
    blobs: BlobStore,
) -> Callable[[FastAPI], Awaitable[Callable[[], Awaitable[None]]]]:
    async def start(app: FastAPI) -> Callable[[], Awaitable[None]]:
        settings: EngineSettings = app.state.settings
        revocation = RevocationStore(app.state.redis, access_ttl=settings.access_token_ttl_s)
        app.state.verifier, jwks = await start_verifier(settings, revocation=revocation)
        app.state.personal_tokens = PersonalTokenResolver(
            app.state.pool, revocation, cache_ttl_s=settings.personal_token_cache_s
        )
        app.state.blobs = blobs

        async def stop() -> None:
            await jwks.aclose()
            await blobs.aclose()

        return stop

    return start


def create_app(settings: EngineSettings | None = None) -> FastAPI:
    """The engine ASGI app."""
    settings = settings or EngineSettings()
    blobs = create_blob_store(settings)
    app = create_service_app(
        title="SP-404 Sample Cloud engine",
        service="engine",
        settings=settings,
        routers=[
            imports_router,
            samples_router,
            jobs_router,
            collections_router,
            search_router,
            kits_router,
            exports_router,
        ],
        startup_hooks=[
            _engine_startup(blobs),
            start_import_jobs,
            start_export_jobs,
            start_staging_sweeper,
        ],
    )
    describe_personal_tokens(app)
    describe_links(app)
    if isinstance(blobs, LocalBlobStore):
        # Presigned direct uploads and downloads of the embedded file store land here (the
        # gateway routes /blobs/* to the engine); S3-compatible stores serve their own URLs.
        app.router.routes.extend(blob_routes(blobs, upload_gate=upload_gate))
    return app
