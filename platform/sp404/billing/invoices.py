"""The invoice archive: Stripe invoices stored per user, listed for the billing page."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import asyncpg

from sp404.billing.sync import object_id, timestamp
from sp404.core.audit import Hidden, owner_tx
from sp404.core.db import tenant_tx
from sp404.core.queries import load_queries

SQL = load_queries(Path(__file__).with_name("queries.sql"))
MAX_PAGE = 100


def invoice_subscription(invoice: dict[str, Any]) -> str | None:
    """The subscription an invoice bills (API 2025-03-31+ `parent`, else the old field)."""
    parent = invoice.get("parent") or {}
    details = parent.get("subscription_details") or {}
    return object_id(details.get("subscription")) or object_id(invoice.get("subscription"))


def service_period(invoice: dict[str, Any]) -> tuple[Any, Any]:
    """The period the invoice's lines pay for.

    Stripe's own `period_start/end` on a subscription invoice is the period *before* it, so the
    lines say better what was bought.
    """
    periods = [
        line["period"]
        for line in (invoice.get("lines") or {}).get("data") or []
        if line.get("period")
    ]
    if periods:
        return (
            timestamp(min(p["start"] for p in periods)),
            timestamp(max(p["end"] for p in periods)),
        )
    return timestamp(invoice.get("period_start")), timestamp(invoice.get("period_end"))


async def archive_invoice(
    conn: asyncpg.Connection, *, user_id: uuid.UUID, invoice: dict[str, Any]
) -> str:
    """Store or update one invoice; its status as now archived."""
    start, end = service_period(invoice)
    row = await conn.fetchrow(
        SQL["upsert_invoice"],
        user_id,
        invoice["id"],
        invoice.get("number"),
        int(invoice.get("amount_due") or 0),
        int(invoice.get("amount_paid") or 0),
        invoice.get("currency") or "usd",
        invoice.get("status") or "draft",
        start,
        end,
        invoice.get("hosted_invoice_url"),
        invoice.get("invoice_pdf"),
    )
    return str(row["status"])


def invoice_view(row: Any) -> dict[str, Any]:
    """An archived invoice as the API shows it."""
    return {
        "id": row["id"],
        "stripe_invoice_id": row["stripe_invoice_id"],
        "number": row["number"],
        "amount": row["amount_due"] / 100,
        "amount_due": row["amount_due"],
        "amount_paid": row["amount_paid"],
        "currency": row["currency"],
        "status": row["status"],
        "period": {"start": row["period_start"], "end": row["period_end"]},
        "period_start": row["period_start"],
        "period_end": row["period_end"],
        "hosted_invoice_url": row["hosted_invoice_url"],
        "invoice_pdf": row["invoice_pdf"],
        "amount_refunded": row["amount_refunded"],
        "amount_credited": row["amount_credited"],
        "created_at": row["created_at"],
    }


async def list_invoices(
    pool: asyncpg.Pool, *, user_id: uuid.UUID, limit: int, offset: int
) -> dict[str, Any]:
    """One page of the caller's invoices, newest first."""
    limit = max(1, min(limit, MAX_PAGE))
    async with tenant_tx(pool, user_id) as conn:
        rows = await conn.fetch(SQL["list_invoices"], limit, max(0, offset))
        total = rows[0]["total"] if rows else await conn.fetchval(SQL["count_invoices"])
    return {
        "invoices": [invoice_view(r) for r in rows],
        "total": total,
        "limit": limit,
        "offset": offset,
    }


async def get_invoice(
    pool: asyncpg.Pool, *, user_id: uuid.UUID, invoice_id: uuid.UUID
) -> dict[str, Any]:
    """One of the caller's invoices; 404 (and an audit entry) for anyone else's id."""
    async with owner_tx(pool, user_id) as conn:
        row = await conn.fetchrow(SQL["fetch_invoice"], invoice_id)
        if row is None:
            raise Hidden("invoice", invoice_id)
    return invoice_view(row)
