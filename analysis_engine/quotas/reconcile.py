"""The blob store against what each producer's rows own and count (`sp404 admin reconcile-storage`).

Read as the auditor (BYPASSRLS, SELECT only), since it looks at every tenant; it writes nothing to
the database. With `fix` it deletes orphans (blobs no row owns, older than a grace period, so a
blob stored a moment before its row commits is left alone) and staged files of closed uploads.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg

from sp404.core.queries import load_queries
from sp404.storage import BlobStore, ListedBlob, parse_staging_key

SQL = load_queries(Path(__file__).with_name("queries.sql"))

# A streamed upload, an export or an avatar is stored a moment before its row commits.
DEFAULT_GRACE = timedelta(hours=1)


@dataclass
class ProducerStorage:
    """One producer's figures: counted by usage_counters, by sample rows, and on the store."""

    owner: str
    email: str | None  # None: no account owns this folder (deleted, or never ours)
    counted_bytes: int = 0
    row_bytes: int = 0
    stored_bytes: int = 0
    limit_bytes: int | None = None
    orphans: list[ListedBlob] = field(default_factory=list)
    staging: list[ListedBlob] = field(default_factory=list)
    missing: list[tuple[str, int]] = field(default_factory=list)
    wrong_size: list[tuple[str, int, int]] = field(default_factory=list)
    removed: list[ListedBlob] = field(default_factory=list)

    @property
    def mismatched(self) -> bool:
        """The counter, the rows and the files disagree (never repaired automatically)."""
        return self.counted_bytes != self.row_bytes or bool(self.missing or self.wrong_size)

    @property
    def leftovers(self) -> list[ListedBlob]:
        """Blobs that nothing counts: orphans and closed uploads' staged files."""
        return self.orphans + self.staging

    @property
    def clean(self) -> bool:
        return not (self.mismatched or self.leftovers)


def _owner(key: str) -> str:
    return key.split("/", 2)[1]


async def reconcile_storage(
    auditor: asyncpg.Connection,
    blobs: BlobStore,
    *,
    fix: bool = False,
    grace: timedelta = DEFAULT_GRACE,
    now: datetime | None = None,
) -> list[ProducerStorage]:
    """Every producer with blobs or an account, compared; with `fix`, leftovers are deleted."""
    now = now or datetime.now(UTC)
    # Listed before the rows are read: a staged file seen here had its upload row already, so
    # finding no open row afterwards means the upload is closed for good.
    by_owner: dict[str, list[ListedBlob]] = defaultdict(list)
    for blob in await blobs.list_blobs("users"):
        by_owner[_owner(blob.key)].append(blob)
    accounts = {str(row["user_id"]): row for row in await auditor.fetch(SQL["reconcile_accounts"])}
    reports = []
    for owner in sorted(set(by_owner) | set(accounts)):
        account = accounts.get(owner)
        report = ProducerStorage(owner, None if account is None else account["email"])
        sizes: dict[str, int] = {}
        owned: set[str] = set()
        if account is not None:
            user_id = uuid.UUID(owner)
            report.counted_bytes = account["counted_bytes"]
            report.limit_bytes = account["limit_bytes"]
            rows = await auditor.fetch(SQL["reconcile_samples"], user_id)
            sizes = {row["blob_key"]: row["size_bytes"] for row in rows}
            report.row_bytes = sum(sizes.values())
            owned = {
                row["key"] for row in await auditor.fetch(SQL["reconcile_other_keys"], user_id)
            }
        stored = {blob.key: blob for blob in by_owner.get(owner, [])}
        report.stored_bytes = sum(blob.size for blob in stored.values())
        for key, size in sorted(sizes.items()):
            if key not in stored:
                report.missing.append((key, size))
            elif stored[key].size != size:
                report.wrong_size.append((key, size, stored[key].size))
        for key, blob in stored.items():
            if key in sizes or key in owned:
                continue
            if parse_staging_key(key) is not None:
                report.staging.append(blob)
            elif now - blob.modified_at >= grace:
                report.orphans.append(blob)
        if fix:
            for blob in report.leftovers:
                await blobs.delete(blob.key)
                report.removed.append(blob)
        reports.append(report)
    return reports


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def render_reconciliation(reports: list[ProducerStorage]) -> str:
    """The report: one block per producer with a finding, then a summary line."""
    lines: list[str] = []
    for report in reports:
        if report.clean and not report.removed:
            continue
        who = report.email or "no account"
        lines.append(
            f"user {report.owner} ({who}): counted {report.counted_bytes} B, "
            f"rows {report.row_bytes} B, stored {report.stored_bytes} B"
        )
        if report.counted_bytes != report.row_bytes:
            lines.append(
                f"  mismatch  usage counter {report.counted_bytes} B != samples' rows "
                f"{report.row_bytes} B"
            )
        for key, size in report.missing:
            lines.append(f"  missing   {key} (its row counts {size} B)")
        for key, row_size, blob_size in report.wrong_size:
            lines.append(f"  size      {key}: row {row_size} B, blob {blob_size} B")
        removed_keys = {blob.key for blob in report.removed}
        for label, found in (("staging", report.staging), ("orphan", report.orphans)):
            for blob in found:
                note = " (removed)" if blob.key in removed_keys else ""
                lines.append(f"  {label:<9} {blob.key} {blob.size} B{note}")
    leftovers = [blob for report in reports for blob in report.leftovers]
    removed = [blob for report in reports for blob in report.removed]
    lines.append(
        f"{len(reports)} producers checked: "
        f"{sum(1 for r in reports if r.mismatched)} with mismatches, "
        f"{sum(len(r.orphans) for r in reports)} orphans, "
        f"{sum(len(r.staging) for r in reports)} staging leftovers "
        f"({_mb(sum(blob.size for blob in leftovers))}); "
        f"removed {len(removed)} ({_mb(sum(blob.size for blob in removed))})"
    )
    return "\n".join(lines)
