"""The platform's mailer: a message it cannot even build is recorded as failed, and the mail
after it, and every later mail, still goes out."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
import httpx

from sp404.accounts.outbox import enqueue_mail
from sp404.core.db import tenant_tx
from tests.stack import Mailbox, signed_up


async def _queue(pool: asyncpg.Pool, user_id: str, mails: list[tuple[str, str]]) -> list[uuid.UUID]:
    async with tenant_tx(pool, user_id) as conn:
        return [
            await enqueue_mail(
                conn,
                user_id=uuid.UUID(user_id),
                kind="notice",
                to=to,
                subject=subject,
                body="A notice from the mailer test.\n",
            )
            for to, subject in mails
        ]


async def _outcome(pool: asyncpg.Pool, user_id: str, mail_id: uuid.UUID) -> asyncpg.Record:
    async with tenant_tx(pool, user_id) as conn:
        row: asyncpg.Record = await conn.fetchrow(
            "select status, attempts, last_error from app.email_outbox where id = $1", mail_id
        )
        return row


async def test_a_mail_that_cannot_be_built_fails_alone_and_the_mailer_keeps_sending(
    api: httpx.Client, mailbox: Mailbox, pool: asyncpg.Pool
) -> None:
    producer = signed_up(api, mailbox)
    # A line break in a header: the message cannot be built (ValueError), which used to end the
    # mailer's task, and with it every confirmation and reset mail until a restart.
    broken, after = await _queue(
        pool,
        producer.user_id,
        [
            ("someone@example.com\r\nBcc: victim@example.com", "Broken"),
            (producer.email, "The mail after the broken one"),
        ],
    )
    mailbox.wait_for(producer.email, "The mail after the broken one")
    # The attempt is recorded a moment after the mail beside it is sent: poll for up to 10 s.
    for _ in range(100):
        outcome = await _outcome(pool, producer.user_id, broken)
        if outcome["attempts"]:
            break
        await asyncio.sleep(0.1)
    assert outcome["status"] == "pending" and outcome["attempts"] == 1
    assert outcome["last_error"].startswith("ValueError")
    assert (await _outcome(pool, producer.user_id, after))["status"] == "sent"
    # Later mail still goes out: the mailer outlived the broken message.
    await _queue(pool, producer.user_id, [(producer.email, "A later notice")])
    mailbox.wait_for(producer.email, "A later notice")
