"""Delivers the outbox: over SMTP with retries, or, without SMTP settings, as `.eml` files in the
mail folder (the embedded default), logging each link so a developer can click it."""

from __future__ import annotations

import asyncio
import logging
import os
import re
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import Any

import aiosmtplib
import asyncpg

from sp404.accounts.outbox import SQL
from sp404.core.db import tenant_tx
from sp404.core.settings import MailSection

log = logging.getLogger("mailer")
MAX_ATTEMPTS = 8
BASE_DELAY_S = 10
STALE_SENDING_S = 300
_LINK = re.compile(r"https?://\S+")


def build_message(settings: MailSection, to: str, subject: str, body: str) -> EmailMessage:
    """A plain-text message from our sender address."""
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="sp404.local")
    message.set_content(body)
    return message


async def _deliver_smtp(settings: MailSection, message: EmailMessage) -> None:
    password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
    await aiosmtplib.send(
        message,
        hostname=settings.smtp_host,
        port=settings.smtp_port,
        username=settings.smtp_username,
        password=password,
        start_tls=settings.smtp_starttls,
        timeout=15,
    )


def _write_eml(folder: Path, message: EmailMessage, mail_id: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{mail_id}.eml"
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(bytes(message))
    os.replace(tmp, path)
    return path


async def deliver(settings: MailSection, row: dict[str, Any]) -> None:
    """Send one outbox row by the configured route."""
    message = build_message(settings, row["to_address"], row["subject"], row["body_text"])
    if settings.smtp_host:
        await _deliver_smtp(settings, message)
        return
    path = await asyncio.to_thread(_write_eml, settings.mails_dir, message, str(row["id"]))
    extra: dict[str, Any] = {"path": str(path), "kind": row["kind"]}
    if settings.environment != "production":
        # Without SMTP in development the link is the point of the mail; never log it in
        # production, where it is a credential.
        extra["links"] = _LINK.findall(row["body_text"])
    log.info("mail written", extra=extra)


async def deliver_due(pool: asyncpg.Pool, settings: MailSection, *, limit: int = 20) -> int:
    """Deliver what is due once; returns how many messages were attempted."""
    async with tenant_tx(pool, None) as conn:
        rows = [dict(r) for r in await conn.fetch(SQL["claim_outbox"], limit, STALE_SENDING_S)]
    for row in rows:
        error: str | None = None
        try:
            await deliver(settings, row)
        except (OSError, aiosmtplib.SMTPException) as exc:
            error = f"{type(exc).__name__}: {exc}"[:500]
            log.warning("mail delivery failed", extra={"mail_id": str(row["id"]), "error": error})
        except Exception as exc:
            # A message that cannot even be built (a header with a line break) is recorded as
            # failed like any other, so it neither stops the mail after it nor the mailer.
            error = f"{type(exc).__name__}: {exc}"[:500]
            log.exception("mail could not be delivered", extra={"mail_id": str(row["id"])})
        async with tenant_tx(pool, None) as conn:
            await conn.execute(SQL["finish_outbox"], row["id"], error, MAX_ATTEMPTS, BASE_DELAY_S)
    return len(rows)


async def run_mailer(pool: asyncpg.Pool, settings: MailSection, *, interval_s: float = 1.0) -> None:
    """Deliver forever: drain what is due, then sleep a little."""
    while True:
        try:
            while await deliver_due(pool, settings):
                pass
        except (OSError, asyncpg.PostgresError) as exc:
            log.warning("mailer pass failed", extra={"error": str(exc)})
        except Exception:
            # Whatever else a pass meets, the next one tries again: a mailer task that ended
            # would hold back every confirmation and reset mail until the process restarts.
            log.exception("mailer pass failed")
        await asyncio.sleep(interval_s)
