"""`sp404 db ...`."""

from __future__ import annotations

import argparse
import asyncio

from sp404.core.migrations import MigrationError
from sp404.core.migrations import migrate as run_migrations
from sp404.core.settings import MigrationSection

__all__ = ["MigrationError", "migrate"]


def migrate(args: argparse.Namespace) -> int:
    """Apply pending migrations and re-apply functions and policies."""
    report = asyncio.run(run_migrations(MigrationSection().database_owner_url))
    for name in report.applied:
        print(f"applied {name}")
    print(f"schema up to date ({report.already_applied + len(report.applied)} migrations)")
    return 0
