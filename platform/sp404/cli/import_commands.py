"""`sp404 import-legacy`: move a producer's library from the old single-user app."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

from sp404.core.db import create_pool
from sp404.core.redis_client import create_redis
from sp404.core.settings import Settings, get_settings
from sp404.storage import create_blob_store


async def _run(args: argparse.Namespace, settings: Settings) -> tuple[bool, str]:
    # Imported here: the engine's audio stack is only needed by this command.
    from analysis_engine.context import Engine
    from analysis_engine.imports import import_legacy, render_report, report_data

    # The runtime role through tenant_tx, like the services: the import obeys the same RLS,
    # quotas and checks as the producer's own uploads.
    pool = await create_pool(settings, min_size=1, max_size=2)
    client = create_redis(settings)
    blobs = create_blob_store(settings)
    try:
        outcome = await import_legacy(
            Engine(pool, client, blobs, settings), database_url=args.database_url,
            files_root=args.files_root, user=args.user, dry_run=args.dry_run,
        )  # fmt: skip
    finally:
        await blobs.aclose()
        await client.aclose()
        await pool.close()
    text = json.dumps(report_data(outcome), indent=2) if args.json else render_report(outcome)
    return outcome.ok, text


def import_legacy_command(args: argparse.Namespace) -> int:
    """Validate (and unless --dry-run, import) the old library; print the report."""
    from analysis_engine.imports import LegacyImportError

    try:
        ok, text = asyncio.run(_run(args, get_settings()))
    except LegacyImportError as exc:
        # Printed here rather than through main's UserError: under `python -m sp404.cli.main`
        # that class lives in __main__, and one raised from here would not be caught.
        print(f"sp404: {exc}", file=sys.stderr)
        return 1
    print(text)
    if not ok:
        verb = (
            "validation found problems" if args.dry_run else "the import failed; nothing was kept"
        )
        print(f"sp404: {verb} (see the report above)", file=sys.stderr)
    return 0 if ok else 1


def add_parser(groups: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The `import-legacy` command."""
    command = groups.add_parser(
        "import-legacy", help="move a producer's library from the old single-user app"
    )
    command.add_argument(
        "--database-url",
        required=True,
        metavar="URL",
        help="the old app's Postgres database (its `samples` table is read)",
    )
    command.add_argument(
        "--files-root",
        required=True,
        type=Path,
        metavar="DIR",
        help="the folder holding the old app's files (no path may leave it)",
    )
    command.add_argument(
        "--user", required=True, metavar="EMAIL_OR_ID", help="the account that receives the samples"
    )
    command.add_argument(
        "--dry-run", action="store_true", help="validate and print the report; write nothing"
    )
    command.add_argument("--json", action="store_true", help="print the report as JSON")
    command.set_defaults(handler=import_legacy_command)
