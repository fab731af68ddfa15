"""Usage against the plan: the figures, monthly quota periods, analysis counting, 80 % warnings.

Quota periods follow the subscription's monthly date (Stripe's current period start) while a paid
subscription is live, and the account's own monthly date otherwise. Periods roll lazily: whoever
reads or counts first in a new period starts it.
"""

from __future__ import annotations

import calendar
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg

from sp404.accounts.outbox import enqueue_mail
from sp404.billing.mails import usage_warning_mail
from sp404.billing.plans import MB
from sp404.core.errors import QuotaExceeded
from sp404.core.queries import load_queries

SQL = load_queries(Path(__file__).with_name("queries.sql"))
WARNING_RATIO = 0.8
LIVE_STATUSES = frozenset({"trialing", "active", "past_due"})


def add_months(moment: datetime, months: int) -> datetime:
    """`moment` moved by whole calendar months, the day clamped to the month's last day."""
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def quota_period_start(anchor: datetime, now: datetime) -> datetime:
    """The latest monthly date of `anchor` not after `now` (or `anchor` itself if later)."""
    if anchor >= now:
        return anchor
    months = (now.year - anchor.year) * 12 + now.month - anchor.month
    start = add_months(anchor, months)
    # Always counted from the anchor, so Jan 31 gives Feb 28 and then Mar 31 again.
    return start if start <= now else add_months(anchor, months - 1)


async def roll_period(conn: asyncpg.Connection, *, now: datetime | None = None) -> None:
    """Start a new quota period if one began since the last (inside the caller's transaction)."""
    row = await conn.fetchrow(SQL["lock_usage_period"])
    if row is None:
        return
    anchor = row["period_start"]
    if row["subscription_status"] in LIVE_STATUSES and row["subscription_period_start"]:
        anchor = row["subscription_period_start"]
    start = quota_period_start(anchor, now or datetime.now(UTC))
    if start > row["period_start"]:
        await conn.execute(SQL["roll_usage_period"], start)


@dataclass(frozen=True)
class Figure:
    """One usage figure and its limit (None = unlimited)."""

    quota: str
    label: str
    used: int
    limit: int | None
    in_bytes: bool = False

    @property
    def ratio(self) -> float | None:
        if self.limit is None:
            return None
        return float("inf") if self.limit == 0 else self.used / self.limit

    def shown(self, value: int) -> str:
        return f"{value / MB:.1f} MB" if self.in_bytes else str(value)


def figures(row: Any) -> list[Figure]:
    """The figures of a `usage_figures` row that have limits to compare with."""
    return [
        Figure("storage", "storage", row["storage_bytes"], row["storage_limit"], in_bytes=True),
        Figure("analyses", "analyses this month", row["analyses_used"], row["analyses_limit"]),
        Figure("api_calls", "API requests today", row["api_calls_today"], row["api_calls_limit"]),
        Figure("collections", "collections", row["collections"], row["collections_limit"]),
    ]


# What a reached limit does, quota by quota: each limit stops something different, and one
# sentence for all ("new additions are blocked until you free room") was wrong for analyses
# (uploads are kept and wait; deleting gives no analysis back) and for API requests.
_REACHED = {
    "storage": "new uploads are refused until you delete samples or upgrade",
    "analyses": "new uploads are kept and wait for analysis until the monthly count starts "
    "again or you upgrade (deleting samples gives no analyses back)",
    "api_calls": "requests with personal tokens are refused until the daily count starts again "
    "or you upgrade; the web app keeps working",
    "collections": "new collections are refused until you delete one or upgrade",
}


def warning_view(figure: Figure) -> dict[str, Any]:
    """A figure at or above 80 % of its limit, as the subscription view lists it."""
    ratio = figure.ratio or 0.0
    over = ratio >= 1.0
    limit = figure.shown(figure.limit or 0)
    message = f"{figure.label.capitalize()}: {figure.shown(figure.used)} of {limit} used. " + (
        f"The limit is reached: {_REACHED[figure.quota]}; nothing stored is deleted."
        if over
        else "You are close to the limit."
    )
    return {
        "quota": figure.quota,
        "used": figure.used,
        "limit": figure.limit,
        "percent": round(ratio * 100) if ratio != float("inf") else None,
        "over_limit": over,
        "message": message,
    }


async def usage_row(conn: asyncpg.Connection) -> Any:
    """The caller's usage figures after starting a new quota period if one is due."""
    await roll_period(conn)
    return await conn.fetchrow(SQL["usage_figures"])


async def require_analyses_left(conn: asyncpg.Connection) -> None:
    """429 now when this period's analyses are spent (an explicit request is never deferred)."""
    row = await usage_row(conn)
    limit = row["analyses_limit"]
    if limit is not None and row["analyses_used"] >= limit:
        resets = add_months(row["period_start"], 1)
        raise QuotaExceeded(
            f"Analyses: {row['analyses_used']} of {limit} used this period on the "
            f"{row['plan_name']} plan. The count starts again on {resets:%B %d, %Y}.",
            retry_after=max(1, int((resets - datetime.now(UTC)).total_seconds())),
            details={"quota": "analyses", "used": row["analyses_used"], "limit": limit},
        )


def usage_view(row: Any) -> dict[str, Any]:
    """The `usage` object and `warnings` list of `GET /api/billing/subscription`."""
    storage_limit = row["storage_limit"]
    usage = {
        "storage_mb": round(row["storage_bytes"] / MB, 1),
        "storage_limit_mb": None if storage_limit is None else round(storage_limit / MB),
        "storage_bytes": row["storage_bytes"],
        "storage_limit_bytes": storage_limit,
        "analyses_used": row["analyses_used"],
        "analyses_limit": row["analyses_limit"],
        "api_calls_today": row["api_calls_today"],
        "api_calls_limit": row["api_calls_limit"],
        "collections": row["collections"],
        "collections_limit": row["collections_limit"],
        "concurrent_uploads_limit": row["concurrent_uploads_limit"],
        "period_start": row["period_start"],
        "period_end": add_months(row["period_start"], 1),
    }
    warnings = [
        warning_view(f) for f in figures(row) if f.ratio is not None and f.ratio >= WARNING_RATIO
    ]
    return {"usage": usage, "warnings": warnings}


async def send_usage_warnings(
    conn: asyncpg.Connection, *, user_id: uuid.UUID, public_url: str, row: Any | None = None
) -> list[str]:
    """Mail each quota that first reached 80 % in this period (if the user allows notices)."""
    row = row if row is not None else await usage_row(conn)
    if row is None:
        return []
    sent = set(row["warnings_sent"])
    crossed = [
        f
        for f in figures(row)
        if f.ratio is not None and f.ratio >= WARNING_RATIO and f.quota not in sent
    ]
    if not crossed:
        return []
    if row["notification_email_enabled"]:
        billing_url = f"{public_url.rstrip('/')}/billing"
        for figure in crossed:
            subject, body = usage_warning_mail(
                figure.label,
                figure.shown(figure.used),
                figure.shown(figure.limit or 0),
                billing_url,
            )
            await enqueue_mail(
                conn, user_id=user_id, kind="usage_warning", to=row["email"], subject=subject,
                body=body,
            )  # fmt: skip
    # Marked even when mail is off: the warning is about first crossing, not a reminder.
    quotas = [f.quota for f in crossed]
    await conn.execute(SQL["add_warnings_sent"], quotas)
    return quotas


@dataclass(frozen=True)
class AnalysisCount:
    used: int
    limit: int | None


async def count_analysis(
    conn: asyncpg.Connection, *, user_id: uuid.UUID, public_url: str
) -> AnalysisCount:
    """Count one analysis in the caller's transaction; 429 when this period's quota is spent.

    The engine calls this when it accepts an analysis; the counter row stays locked until the
    caller commits, so concurrent analyses of one user can never pass the limit together.
    """
    row = await usage_row(conn)
    limit = row["analyses_limit"]
    if limit is not None and row["analyses_used"] >= limit:
        resets = add_months(row["period_start"], 1)
        wait = max(1, int((resets - datetime.now(UTC)).total_seconds()))
        raise QuotaExceeded(
            f"Analyses: {row['analyses_used']} of {limit} used this period on the "
            f"{row['plan_name']} plan. The count starts again on {resets:%B %d, %Y}.",
            retry_after=wait,
            details={"quota": "analyses", "used": row["analyses_used"], "limit": limit,
                     "resets_at": resets.isoformat()},
        )  # fmt: skip
    used: int = await conn.fetchval(SQL["count_analysis"])
    await send_usage_warnings(conn, user_id=user_id, public_url=public_url)
    return AnalysisCount(used, limit)
