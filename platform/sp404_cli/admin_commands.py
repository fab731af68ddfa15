"""`sp404 admin ...`: operator actions on accounts."""

from __future__ import annotations

import argparse
import asyncio
import getpass

from billing.admin import TierChange, set_tier
from tenancy.db import create_pool
from tenancy.errors import AppError
from tenancy.redis_client import create_redis
from tenancy.settings import get_settings


class AdminError(Exception):
    """An admin command that could not be carried out; printed as one line."""


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
