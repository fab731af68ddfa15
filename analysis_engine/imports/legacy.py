"""Moving a producer's library from the old single-user app into one account: validate every
file first, ingest each like an upload, verify the stored bytes, and keep all or nothing."""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analysis_engine.context import Engine
from analysis_engine.imports.legacy_source import (
    LegacyFile,
    LegacyImportError,
    check_file,
    describe,
    read_rows,
)
from analysis_engine.imports.zip_import import SQL
from analysis_engine.samples.service import delete_sample
from analysis_engine.samples.upload import ingest_local_file
from sp404.core.audit import write_audit
from sp404.core.db import tenant_tx
from sp404.core.errors import AppError


@dataclass
class Stored:
    """A sample this run created, and the checksum of its bytes re-read from the blob store."""

    item: LegacyFile
    sample_id: uuid.UUID
    store_sha256: str = ""


@dataclass
class Outcome:
    """Everything the report shows."""

    user_id: uuid.UUID
    dry_run: bool
    columns: list[str]
    files: list[LegacyFile]
    stored: list[Stored] = field(default_factory=list)
    error: str | None = None
    rolled_back: bool = False
    rollback_errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error is None and not any(f.problems for f in self.files)


async def resolve_user(ctx: Engine, user: str) -> uuid.UUID:
    """The account an e-mail address or id names; LegacyImportError when there is none."""
    if "@" in user:
        async with tenant_tx(ctx.pool, None) as conn:
            found: uuid.UUID | None = await conn.fetchval(
                SQL["user_id_for_email"],
                user.strip().lower(),  # as accounts normalises
            )
        if found is None:
            raise LegacyImportError(f"no account uses the e-mail {user}")
        return found
    try:
        user_id = uuid.UUID(user)
    except ValueError:
        raise LegacyImportError(f"{user!r} is neither a user id nor an e-mail address") from None
    async with tenant_tx(ctx.pool, user_id) as conn:
        if not await conn.fetchval(SQL["user_exists"], user_id):
            raise LegacyImportError(f"no account has the id {user_id}")
    return user_id


async def _store_sha256(ctx: Engine, user_id: uuid.UUID, sample_id: uuid.UUID) -> str:
    async with tenant_tx(ctx.pool, user_id) as conn:
        key = await conn.fetchval(SQL["fetch_blob_key"], sample_id)
    digest = hashlib.sha256()
    async for chunk in await ctx.blobs.open_read(key):
        digest.update(chunk)
    return digest.hexdigest()


async def _ingest(ctx: Engine, outcome: Outcome, item: LegacyFile, path: Path) -> None:
    fields = {"title": item.title, "genre": item.genre or "", "tags": ",".join(item.tags)}
    # The old app's library comes over as it was, duplicates included: each row is a sample.
    body, _ = await ingest_local_file(
        ctx, user_id=outcome.user_id, path=path, filename=path.name, fields=fields,
        extra_metadata={"legacy": item.legacy}, allow_duplicates=True,
    )  # fmt: skip
    stored = Stored(item, uuid.UUID(str(body["sample_id"])))
    outcome.stored.append(stored)
    if item.bpm is not None or item.musical_key is not None:
        async with tenant_tx(ctx.pool, outcome.user_id) as conn:
            await conn.execute(
                SQL["set_starting_values"], stored.sample_id, item.bpm, item.musical_key
            )
    stored.store_sha256 = await _store_sha256(ctx, outcome.user_id, stored.sample_id)
    if stored.store_sha256 != item.sha256:
        raise AppError(f"{item.file_path}: the stored copy's checksum differs from the file")


async def _roll_back(ctx: Engine, outcome: Outcome) -> None:
    # The normal delete path, so storage use and blobs go back exactly as for a user's delete.
    for stored in reversed(outcome.stored):
        try:
            await delete_sample(ctx, user_id=outcome.user_id, sample_id=stored.sample_id)
        except Exception as exc:  # keep going: every other sample must still be removed
            outcome.rollback_errors.append(f"{stored.sample_id}: {exc}")
    outcome.rolled_back = True


async def import_legacy(
    ctx: Engine, *, database_url: str, files_root: Path, user: str, dry_run: bool
) -> Outcome:
    """Validate the old library and, unless `dry_run`, import all of it or nothing."""
    if not await asyncio.to_thread(files_root.is_dir):
        raise LegacyImportError(f"--files-root {files_root} is not a folder")
    root = await asyncio.to_thread(files_root.resolve)
    user_id = await resolve_user(ctx, user)
    columns, rows = await read_rows(database_url)
    files = [describe(row) for row in rows]
    for item in files:
        await asyncio.to_thread(check_file, item, root, ctx.settings.max_upload_bytes)
    outcome = Outcome(user_id, dry_run, columns, files)
    if dry_run or not outcome.ok:
        if not outcome.ok and not dry_run:
            outcome.error = "some files did not pass validation; nothing was imported"
        return outcome
    try:
        for item in files:
            if item.path is not None:  # always set once validation passed
                await _ingest(ctx, outcome, item, item.path)
    except AppError as exc:
        outcome.error = exc.message
    except BaseException:
        await _roll_back(ctx, outcome)
        raise
    if outcome.error is not None:
        await _roll_back(ctx, outcome)
        return outcome
    async with tenant_tx(ctx.pool, user_id) as conn:
        await write_audit(
            conn, action="samples.legacy_import", user_id=user_id, target_type="user",
            target_id=str(user_id),
            details={"samples": len(outcome.stored), "bytes": sum(f.size for f in files)},
        )  # fmt: skip
    return outcome


def _mb(size: int) -> str:
    return f"{size / 1024**2:.1f} MB"


def render_report(outcome: Outcome) -> str:
    """The validation report, one line per file, for the terminal."""
    by_item = {id(s.item): s for s in outcome.stored}
    total = sum(f.size for f in outcome.files)
    problems = sum(1 for f in outcome.files if f.problems)
    mode = "dry run, nothing written" if outcome.dry_run else "import"
    lines = [
        f"legacy import for user {outcome.user_id} ({mode})",
        f"columns used: {', '.join(outcome.columns)}",
        f"files: {len(outcome.files)} found, {len(outcome.files) - problems} valid, "
        f"{problems} with problems, {_mb(total)} ({total} bytes)",
        "",
    ]
    for item in outcome.files:
        stored = by_item.get(id(item))
        if item.problems:
            state = "PROBLEM"
        elif stored is None:
            state = "valid" if outcome.dry_run or outcome.error is None else "not imported"
        else:
            state = "rolled back" if outcome.rolled_back else "imported"
        lines.append(f"[{state}] id={item.legacy_id} {item.file_path} ({item.size} bytes)")
        lines.append(f"    sha256 on disk:  {item.sha256 or '-'}")
        if stored is not None:
            lines.append(
                f"    sha256 in store: {stored.store_sha256 or '-'} "
                f"({'match' if stored.store_sha256 == item.sha256 else 'MISMATCH'})"
            )
            lines.append(f"    sample {stored.sample_id}")
        lines.extend(f"    problem: {problem}" for problem in item.problems)
        lines.extend(f"    note: {warning}" for warning in item.warnings)
    lines.append("")
    if outcome.dry_run:
        lines.append(
            "dry run: "
            + (
                "every file is valid"
                if outcome.ok
                else f"{problems} files need attention before importing"
            )
        )
    elif outcome.ok:
        lines.append(
            f"imported {len(outcome.stored)} samples ({_mb(total)}); every checksum matches"
        )
    else:
        lines.append(f"FAILED: {outcome.error}")
        if outcome.rolled_back:
            lines.append(
                f"rolled back: {len(outcome.stored)} samples this run created were deleted"
            )
        lines.extend(f"could not roll back {error}" for error in outcome.rollback_errors)
    return "\n".join(lines)


def report_data(outcome: Outcome) -> dict[str, Any]:
    """The same report as data (for --json)."""
    by_item = {id(s.item): s for s in outcome.stored}
    return {
        "user_id": str(outcome.user_id),
        "dry_run": outcome.dry_run,
        "ok": outcome.ok,
        "error": outcome.error,
        "rolled_back": outcome.rolled_back,
        "files": [
            {
                "legacy_id": item.legacy_id,
                "file_path": item.file_path,
                "size_bytes": item.size,
                "sha256_disk": item.sha256 or None,
                "sha256_store": by_item[id(item)].store_sha256 if id(item) in by_item else None,
                "sample_id": str(by_item[id(item)].sample_id) if id(item) in by_item else None,
                "problems": item.problems,
                "warnings": item.warnings,
            }
            for item in outcome.files
        ],
    }
