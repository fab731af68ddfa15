"""GDPR: a ZIP of everything a user owns, built in the background, and account deletion."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import tempfile
import time
import uuid
import zipfile
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import asyncpg

from sp404.accounts.context import Accounts
from sp404.accounts.errors import InvalidCredentials
from sp404.accounts.outbox import enqueue_mail, export_ready_mail
from sp404.accounts.passwords import verify_password
from sp404.core.audit import Hidden, owner_tx, write_audit
from sp404.core.db import tenant_tx
from sp404.core.queries import load_queries
from sp404.jobs import ClaimedJob, complete_job, enqueue_job
from sp404.storage import user_key
from sp404.tokens import RevocationUnavailable

SQL = load_queries(Path(__file__).with_name("queries.sql"))
log = logging.getLogger("accounts.data_rights")
EXPORT_JOB = "account_export"
# (file in the ZIP, query) - one JSON file per kind of data.
EXPORT_PARTS = [
    ("profile.json", "export_profile"),
    ("preferences.json", "export_preferences"),
    ("samples.json", "export_samples"),
    ("audio_features.json", "export_audio_features"),
    ("vibe_analyses.json", "export_vibe_analyses"),
    ("collections.json", "export_collections"),
    ("collection_samples.json", "export_collection_samples"),
    ("kits.json", "export_kits"),
    ("kit_pads.json", "export_kit_pads"),
    ("usage.json", "export_usage_counters"),
    ("api_usage.json", "export_api_usage"),
    ("subscription.json", "export_subscriptions"),
    ("invoices.json", "export_invoices"),
    ("sessions.json", "export_sessions"),
    ("personal_tokens.json", "export_personal_tokens"),
    ("exports.json", "export_exports"),
    ("audit_log.json", "export_audit_entries"),
    ("session_tokens.json", "export_refresh_tokens"),
    ("email_links.json", "export_email_tokens"),
    ("emails.json", "export_emails"),
    ("jobs.json", "export_processing_jobs"),
    ("imports.json", "export_sample_imports"),
]
# Tenant tables deliberately left out of the export, each with the reason; a test holds every
# tenant table to one list or the other. Token and password hashes never leave in any part.
NOT_EXPORTED = {
    "upload_reservations": "storage held for an upload in flight; it expires within the hour "
    "and becomes a sample (exported) or nothing",
    "library_versions": "a counter the database moves on every write to the library, so the "
    "engine's caches know when to re-read it; it says nothing the exported samples do not",
}

# Steps other packages must run before an account disappears (billing cancels Stripe there).
DeletionHook = Callable[[Accounts, uuid.UUID], Awaitable[None]]
DELETION_HOOKS: list[DeletionHook] = []


def export_view(row: Any, public_url: str) -> dict[str, Any]:
    """An export as the API shows it."""
    ready = row["status"] == "ready"
    url = f"{public_url.rstrip('/')}/api/account/exports/{row['id']}/download"
    return {
        "id": row["id"],
        "status": row["status"],
        "progress": row["progress"],
        "created_at": row["created_at"],
        "expires_at": row["expires_at"],
        "size_bytes": row["size_bytes"],
        "error": row["error"],
        "download_url": url if ready else None,
    }


async def request_export(ctx: Accounts, *, user_id: uuid.UUID, ip: str | None) -> dict[str, Any]:
    """Queue a data export; the platform's job runner builds it."""
    async with tenant_tx(ctx.pool, user_id) as conn:
        row = await conn.fetchrow(SQL["create_account_export"], user_id)
        await enqueue_job(
            conn,
            user_id=user_id,
            kind=EXPORT_JOB,
            priority=10,
            payload={"export_id": str(row["id"])},
            max_attempts=3,
        )
        await write_audit(
            conn,
            action="account.export_requested",
            user_id=user_id,
            ip=ip,
            target_type="export",
            target_id=str(row["id"]),
        )
    return export_view({**dict(row), "blob_key": None}, ctx.settings.public_url)


async def get_export(ctx: Accounts, *, user_id: uuid.UUID, export_id: uuid.UUID) -> Any:
    """One of the caller's exports, or 404 (also for other users' ids, which are audited)."""
    async with owner_tx(ctx.pool, user_id) as conn:
        row = await conn.fetchrow(SQL["fetch_account_export"], export_id)
        if row is None:
            raise Hidden("export", export_id)
    return row


async def _rows(conn: asyncpg.Connection, query: str) -> list[Any]:
    return [record[0] for record in await conn.fetch(SQL[query])]


async def _write_blob(archive: zipfile.ZipFile, name: str, chunks: AsyncIterator[bytes]) -> None:
    handle = await asyncio.to_thread(archive.open, name, "w", force_zip64=True)
    try:
        async for chunk in chunks:
            await asyncio.to_thread(handle.write, chunk)
    finally:
        await asyncio.to_thread(handle.close)


async def build_export(ctx: Accounts, user_id: uuid.UUID, export_id: uuid.UUID) -> None:
    """Write the ZIP to a temporary file, store it as a blob, and tell the user."""
    async with tenant_tx(ctx.pool, user_id) as conn:
        await conn.execute(SQL["start_account_export"], export_id)
        parts = {name: await _rows(conn, query) for name, query in EXPORT_PARTS}
        files = await conn.fetch(SQL["export_sample_files"])
    fd, tmp_name = tempfile.mkstemp(suffix=".zip")
    os.close(fd)
    try:
        with zipfile.ZipFile(tmp_name, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, rows in parts.items():
                body = json.dumps(
                    rows[0] if name == "profile.json" else rows, indent=2, default=str
                )
                await asyncio.to_thread(archive.writestr, name, body)
            for sample in files:
                # The sample id keeps names unique; the original name is kept for the user.
                safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in sample["filename"])
                await _write_blob(
                    archive,
                    f"audio/{sample['id']}-{safe[:120]}",
                    await ctx.blobs.open_read(sample["blob_key"]),
                )
        key = user_key(user_id, "exports", f"{export_id}.zip")
        stored = await ctx.blobs.put_stream(
            key, _file_chunks(tmp_name), max_bytes=None, content_type="application/zip"
        )
    finally:
        os.unlink(tmp_name)
    async with tenant_tx(ctx.pool, user_id) as conn:
        await conn.execute(SQL["finish_account_export"], export_id, key, stored.size)
        me = await conn.fetchrow(SQL["fetch_me"])
        url = f"{ctx.settings.public_url.rstrip('/')}/api/account/exports/{export_id}/download"
        subject, body = export_ready_mail(url)
        await enqueue_mail(
            conn, user_id=user_id, kind="export_ready", to=me["email"], subject=subject, body=body
        )
        await write_audit(
            conn,
            action="account.exported",
            user_id=user_id,
            target_type="export",
            target_id=str(export_id),
        )


async def _file_chunks(path: str, size: int = 1 << 20) -> AsyncIterator[bytes]:
    with open(path, "rb") as handle:  # noqa: ASYNC230 - reads are offloaded below
        while chunk := await asyncio.to_thread(handle.read, size):
            yield chunk


async def run_export_jobs(ctx: Accounts, jobs: list[ClaimedJob], worker_id: str) -> None:
    """Job handler for account exports (the platform runs it)."""
    for job in jobs:
        export_id = uuid.UUID(job.payload["export_id"])
        try:
            await build_export(ctx, job.user_id, export_id)
        except Exception as exc:
            log.exception("export failed", extra={"export_id": str(export_id)})
            async with tenant_tx(ctx.pool, job.user_id) as conn:
                await conn.execute(SQL["fail_account_export"], export_id, type(exc).__name__)
            raise
        async with tenant_tx(ctx.pool, job.user_id) as conn:
            await complete_job(conn, job, worker_id=worker_id)


async def delete_account(
    ctx: Accounts, *, user_id: uuid.UUID, password: str, ip: str | None
) -> None:
    """Erase the account, its rows and its files; its tokens stop working everywhere."""
    async with tenant_tx(ctx.pool, user_id) as conn:
        me = await conn.fetchrow(SQL["fetch_me"])
    if me is None or not await verify_password(me["password_hash"], password):
        raise InvalidCredentials("The password is incorrect.")
    for hook in DELETION_HOOKS:
        await hook(ctx, user_id)
    async with tenant_tx(ctx.pool, user_id) as conn:
        await conn.fetchval(SQL["delete_me"], user_id)
        # Kept: that an account was deleted, under its now meaningless id, and nothing personal.
        await write_audit(conn, action="account.deleted", user_id=user_id)
    try:
        await ctx.tokens.revocation.set_valid_after(user_id, int(time.time()) + 1)
    except RevocationUnavailable:
        log.error("valid-after not stored in Redis", extra={"user": str(user_id)})
    await ctx.blobs.delete_prefix(f"users/{user_id}/")
