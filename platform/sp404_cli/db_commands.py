"""`sp404 db ...`."""

from __future__ import annotations

import argparse
import asyncio

from tenancy.migrations import MigrationError
from tenancy.migrations import migrate as run_migrations
from tenancy.settings import get_settings

__all__ = ["MigrationError", "migrate"]


def migrate(args: argparse.Namespace) -> int:
    """Apply pending migrations and re-apply functions and policies."""
    report = asyncio.run(run_migrations(get_settings().database_owner_url))
    for name in report.applied:
        print(f"applied {name}")
    print(f"schema up to date ({report.already_applied + len(report.applied)} migrations)")
    return 0
