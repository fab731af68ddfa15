"""Writing e-mail to the outbox, in the same transaction as the event that sends it."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode
from uuid import UUID

import asyncpg

from sp404.core.queries import load_queries

SQL = load_queries(Path(__file__).with_name("queries.sql"))


async def enqueue_mail(
    conn: asyncpg.Connection, *, user_id: UUID, kind: str, to: str, subject: str, body: str
) -> UUID:
    """Queue one plain-text message; it is only sent if the caller's transaction commits."""
    mail_id: UUID = await conn.fetchval(SQL["enqueue_mail"], user_id, kind, to, subject, body)
    return mail_id


def link(public_url: str, path: str, **params: str) -> str:
    """An absolute link into the web app."""
    return f"{public_url.rstrip('/')}{path}?{urlencode(params)}"


def verification_mail(name: str | None, url: str) -> tuple[str, str]:
    """Subject and body of the sign-up confirmation."""
    return (
        "Confirm your SP-404 Sample Cloud e-mail",
        f"Hi {name or 'there'},\n\n"
        "Confirm your e-mail address to start using SP-404 Sample Cloud:\n\n"
        f"{url}\n\n"
        "The link works once and expires in 24 hours. If you did not sign up, ignore this mail.\n",
    )


def reset_mail(url: str) -> tuple[str, str]:
    """Subject and body of a password reset."""
    return (
        "Reset your SP-404 Sample Cloud password",
        "Someone (hopefully you) asked to reset your password. Choose a new one here:\n\n"
        f"{url}\n\n"
        "The link works once and expires in 30 minutes. If it was not you, ignore this mail:\n"
        "your password stays as it is.\n",
    )


def password_changed_mail() -> tuple[str, str]:
    """Subject and body of the notice sent after a password change or reset."""
    return (
        "Your SP-404 Sample Cloud password was changed",
        "Your password was just changed and every other session was signed out.\n"
        "If this was not you, reset your password at once.\n",
    )


def export_ready_mail(url: str) -> tuple[str, str]:
    """Subject and body of the data-export notice."""
    return (
        "Your SP-404 Sample Cloud data export is ready",
        f"Your export is ready to download (sign in first):\n\n{url}\n\n"
        "It stays available for 7 days.\n",
    )
