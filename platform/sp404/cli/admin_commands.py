"""`sp404 admin ...`: operator actions on accounts and storage."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import TYPE_CHECKING

import asyncpg

from sp404.billing.admin import TierChange, set_tier
from sp404.core.db import create_pool
from sp404.core.errors import AppError
from sp404.core.redis_client import create_redis
from sp404.core.settings import Settings, get_settings
from sp404.storage import BlobStore, create_blob_store

if TYPE_CHECKING:  # the engine is imported only by the commands that need it
    from analysis_engine.analysis.backfill import BackfillReport
    from analysis_engine.analysis.embeddings import EmbeddingBackfill


class AdminError(Exception):
    """An admin command that could not be carried out; printed as one line."""


@asynccontextmanager
async def _auditor(settings: Settings) -> AsyncIterator[asyncpg.Connection]:
    """A connection as the auditor, who reads every tenant (BYPASSRLS, SELECT only)."""
    try:
        conn = await asyncpg.connect(settings.database_auditor_url)
    except (OSError, asyncpg.PostgresError) as exc:
        raise AdminError(f"cannot connect as the auditor: {exc}") from exc
    try:
        yield conn
    finally:
        await conn.close()


@asynccontextmanager
async def _backfill_context() -> AsyncIterator[tuple[asyncpg.Connection, asyncpg.Pool, BlobStore]]:
    """What a backfill needs: the auditor to list samples across tenants, the runtime pool to
    write through each owner's tenant transaction, and the blob store to read the audio."""
    settings = get_settings()
    async with _auditor(settings) as auditor:
        pool = await create_pool(settings, min_size=1, max_size=2)
        blobs = create_blob_store(settings)
        try:
            yield auditor, pool, blobs
        finally:
            await blobs.aclose()
            await pool.close()


def _print_failures(failed: list[tuple[uuid.UUID, str]]) -> int:
    """Each sample a backfill could not do, with why; the command's exit status."""
    for sample_id, why in failed:
        print(f"sample {sample_id}: {why}")
    return 1 if failed else 0


async def _set_tier(args: argparse.Namespace) -> TierChange:
    settings = get_settings()
    # The runtime role, through tenant_tx like the services: an override obeys the same RLS.
    pool = await create_pool(settings, min_size=1, max_size=2)
    client = create_redis(settings)
    try:
        return await set_tier(
            pool, client, user=args.user, tier=args.tier, reason=args.reason,
            operator=getpass.getuser(),
        )  # fmt: skip
    except AppError as exc:
        raise AdminError(exc.message) from exc
    finally:
        await client.aclose()
        await pool.close()


def set_tier_command(args: argparse.Namespace) -> int:
    """Put an account on a tier now (audited)."""
    change = asyncio.run(_set_tier(args))
    print(f"user {change.user_id}: {change.previous} -> {change.tier}")
    if not change.published:
        print("warning: Redis was unreachable; the gateway sees the new tier once it is back")
    return 0


async def _reconcile(args: argparse.Namespace) -> tuple[str, bool]:
    # Imported here: only this command needs the engine's quota code.
    from analysis_engine.quotas.reconcile import reconcile_storage, render_reconciliation

    settings = get_settings()
    # Nothing is written to the database, only leftover blobs are deleted from the store.
    async with _auditor(settings) as auditor:
        blobs = create_blob_store(settings)
        try:
            reports = await reconcile_storage(
                auditor, blobs, fix=args.fix, grace=timedelta(minutes=args.grace_minutes)
            )
        finally:
            await blobs.aclose()
    clean = all(r.clean or (not r.mismatched and len(r.removed) == len(r.leftovers))
                for r in reports)  # fmt: skip
    return render_reconciliation(reports), clean


def reconcile_storage_command(args: argparse.Namespace) -> int:
    """Compare stored blobs with counted usage; exit 1 while anything is left to look at."""
    if args.grace_minutes < 0:
        raise AdminError("--grace-minutes must be 0 or more")
    text, clean = asyncio.run(_reconcile(args))
    print(text)
    return 0 if clean else 1


def _check_limit(args: argparse.Namespace) -> None:
    if args.limit < 1:
        raise AdminError("--limit must be 1 or more")


async def _backfill_waveforms(args: argparse.Namespace) -> BackfillReport:
    # Imported here: only this command needs the engine's decoder.
    from analysis_engine.analysis.backfill import backfill_waveforms

    async with _backfill_context() as (auditor, pool, blobs):
        return await backfill_waveforms(auditor, pool, blobs, limit=args.limit, user_id=args.user)


def backfill_waveforms_command(args: argparse.Namespace) -> int:
    """Draw the waveform peaks of analysed samples that have none; exit 1 if any failed."""
    _check_limit(args)
    report = asyncio.run(_backfill_waveforms(args))
    print(f"waveforms written: {report.written}")
    return _print_failures(report.failed)


async def _backfill_embeddings(args: argparse.Namespace) -> EmbeddingBackfill:
    # Imported here: only this command needs the engine's decoder and embedding (numpy).
    from analysis_engine.analysis.embeddings import backfill_embeddings

    async with _backfill_context() as (auditor, pool, blobs):
        return await backfill_embeddings(auditor, pool, blobs, limit=args.limit, user_id=args.user)


def backfill_embeddings_command(args: argparse.Namespace) -> int:
    """Rebuild similarity embeddings of an older layout or model; exit 1 if any failed."""
    _check_limit(args)
    report = asyncio.run(_backfill_embeddings(args))
    print(f"embeddings rebuilt: {report.written} (already current: {report.current})")
    return _print_failures(report.failed)


def _add_backfill_arguments(parser: argparse.ArgumentParser, done: str) -> None:
    """--limit and --user, the same for every backfill (`done`: what a run does to a sample)."""
    parser.add_argument(
        "--limit",
        type=int,
        default=10_000,
        metavar="N",
        help=f"at most this many samples {done}in one run (default 10000)",
    )
    parser.add_argument(
        "--user",
        type=uuid.UUID,
        default=None,
        metavar="USER_ID",
        help="only this producer's library (default: every library)",
    )


def add_parser(groups: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The `admin` command group."""
    admin = groups.add_parser("admin", help="operator actions on accounts").add_subparsers(
        dest="action", required=True
    )
    tier = admin.add_parser(
        "set-tier", help="put an account on a tier now (audited; updates the gateway's cache)"
    )
    tier.add_argument("user", metavar="USER", help="user id or e-mail address")
    tier.add_argument(
        "tier",
        metavar="TIER",
        choices=["free", "pro", "enterprise"],
        help="free, pro or enterprise",
    )
    tier.add_argument("--reason", required=True, help="why; stored in the audit log")
    tier.set_defaults(handler=set_tier_command)
    reconcile = admin.add_parser(
        "reconcile-storage",
        help="compare the blob store with each producer's counted storage; report orphans",
        description=(
            "Compare every blob under users/ with the rows that own it and the storage each"
            " producer is counted for. Reports orphans (blobs no row owns), staged files of"
            " closed direct uploads and mismatches (counter vs samples' rows, missing blobs,"
            " wrong sizes). Exit status 1 while anything is left to look at."
        ),
    )
    reconcile.add_argument(
        "--fix",
        action="store_true",
        help="delete orphans and closed uploads' staged files (mismatches are only reported)",
    )
    reconcile.add_argument(
        "--grace-minutes",
        type=int,
        default=60,
        metavar="N",
        help="an unowned blob younger than this may be an upload about to commit: leave it"
        " (default 60)",
    )
    reconcile.set_defaults(handler=reconcile_storage_command)
    backfill = admin.add_parser(
        "backfill-waveforms",
        help="draw the waveform peaks of analysed samples that have none (no re-analysis)",
        description=(
            "Decode each analysed sample without waveform peaks and store its peaks; nothing"
            " else of the analysis changes and no analysis is counted. Exit status 1 when a"
            " file could not be read or decoded."
        ),
    )
    _add_backfill_arguments(backfill, "")
    backfill.set_defaults(handler=backfill_waveforms_command)
    embeddings = admin.add_parser(
        "backfill-embeddings",
        help="rebuild the similar-sounds embeddings of samples analysed by an older model",
        description=(
            "Decode each analysed sample whose embedding predates the current layout or model"
            " and rebuild only its embedding from the stored analysis (tempo, key, tonality);"
            " nothing else changes and no analysis is counted. A re-analysis does the same by"
            " itself. It measures through the analysis worker's extractor, so run it where the"
            " worker runs (its image has torch; the API image has not). Exit status 1 when a"
            " file could not be read or decoded."
        ),
    )
    _add_backfill_arguments(embeddings, "rebuilt ")
    embeddings.set_defaults(handler=backfill_embeddings_command)
