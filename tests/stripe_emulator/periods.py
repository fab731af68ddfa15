"""Billing-period arithmetic on Unix timestamps (calendar months, anchored like Stripe)."""

from __future__ import annotations

import calendar
from datetime import UTC, datetime, timedelta

_FIXED = {"day": timedelta(days=1), "week": timedelta(weeks=1)}


def add_interval(moment: int, interval: str, count: int) -> int:
    """Return ``moment`` plus ``count`` intervals; month ends clamp (Jan 31 + 1 month = Feb 28)."""
    start = datetime.fromtimestamp(moment, UTC)
    if interval in _FIXED:
        return int((start + _FIXED[interval] * count).timestamp())
    months = count * (12 if interval == "year" else 1)
    if interval not in ("month", "year"):
        raise ValueError(f"unknown interval {interval!r}")
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return int(start.replace(year=year, month=month, day=day).timestamp())


def period_end_after(anchor: int, moment: int, interval: str, count: int) -> int:
    """Return the first anchor-aligned period boundary strictly after ``moment``."""
    steps = 1
    # Counting from the anchor keeps day 31 billing on the 31st after a short month.
    while (boundary := add_interval(anchor, interval, count * steps)) <= moment:
        steps += 1
    return boundary
