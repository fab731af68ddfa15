"""Drill: replay a day of Stripe webhooks twice. Five producers live through a day (a month of
Stripe's clock) of billing on the Stripe emulator: trials that end and get paid, a renewal that
fails (past_due) and is then paid, an upgrade, a scheduled downgrade, a cancel at period end that
is resumed and cancelled again. Every signed event the platform received is captured; the billing
state is snapshotted; then ALL events are delivered again twice, in order and shuffled, each
re-signed with a fresh timestamp as Stripe's retries are. The state must not move, every replay
must be answered 2xx, and no invoice row or e-mail may appear twice. A replay signed with a stale
timestamp must be refused (400).

    .venv/bin/python -m drills.webhook_replay
"""

from __future__ import annotations

import asyncio
import json
import random
import secrets
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import aiohttp
import asyncpg
import httpx
from aiosmtpd.controller import Controller

from drills.common import Verdict, sign_in
from drills.setup import SMALL, drill_stack
from loadtests.seed import Producer
from loadtests.stack import Stack, Topology, find, private_redis
from tests.stack import Mailbox
from tests.stripe_emulator import EmulatorServer, WebhookEndpoint, sign_payload
from tests.stripe_emulator.plans import platform_billing_env
from tests.stripe_emulator.webhooks import event_body
from tests.support import free_port

DAY = 86_400
STALE_S = 3600  # well past the platform's five-minute tolerance
# What each producer's day ends as (tier, status) if every webhook did its job.
EXPECTED = {
    "trial then paid": ("pro", "active"),
    "renewal fails then paid": ("enterprise", "active"),
    "trial then upgrade": ("enterprise", "active"),
    "downgrade at period end": ("pro", "active"),
    "cancel, resume, cancel": ("free", "canceled"),
}
# The tenant tables billing writes, as the auditor sees them; `updated_at` is bookkeeping.
SNAPSHOT = {
    "subscriptions": "select to_jsonb(t) - 'updated_at' from app.subscriptions t order by user_id",
    "users.tier": "select jsonb_build_object('id', id, 'tier', tier) from app.users order by id",
    "invoices": "select to_jsonb(t) - 'updated_at' from app.invoices t order by stripe_invoice_id",
    "usage_counters": "select to_jsonb(t) - 'updated_at' from app.usage_counters t"
    " order by user_id",
    "mails queued": "select jsonb_build_object('user', user_id, 'kind', kind, 'subject', subject)"
    " from app.email_outbox order by user_id, kind, subject, created_at",
    "stripe_events": "select jsonb_build_object('id', id, 'type', type) from app.stripe_events"
    " order by id",
}

BILLING_STATE = ("subscriptions", "users.tier", "invoices", "usage_counters")


class Day:
    """The producers' billing day, through the gateway, with Stripe's clock in our hands."""

    def __init__(self, stack: Stack, emulator: EmulatorServer, mailbox: Mailbox) -> None:
        self.base = find(stack, "gateway1").url
        self.emulator = emulator
        self.stripe: Any = emulator.client().v1
        self.mailbox = mailbox
        self.http = httpx.Client(base_url=self.base, timeout=30)
        self.tokens: dict[str, str] = {}
        self.webhook_failures: list[str] = []
        self.checked = 0

    def call(self, who: Producer, method: str, path: str, **body: Any) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {self.tokens[who.user_id]}"}
        answer = self.http.request(method, path, json=body or None, headers=headers)
        if answer.status_code != 200:
            raise RuntimeError(f"{method} {path}: {answer.status_code} {answer.text[:200]}")
        found: dict[str, Any] = answer.json()
        return found

    def settle(self) -> None:
        """Let every webhook Stripe queued reach the platform; note any not answered 2xx."""
        deliveries = self.emulator.wait_for_webhooks()
        for delivery in deliveries[self.checked :]:
            if delivery.status is None or not 200 <= delivery.status < 300:
                self.webhook_failures.append(f"{delivery.event_type}: {delivery.status}")
        self.checked = len(deliveries)

    def subscribe(self, who: Producer, plan: str) -> None:
        """Subscribe and act as the browser: confirm the intent with a good card."""
        answer = self.call(who, "POST", "/api/billing/subscribe", plan_id=plan)
        self.emulator.confirm_payment(answer["client_secret"].split("_secret_")[0], "pm_card_visa")
        self.settle()

    def customer(self, who: Producer) -> str:
        return str(self.stripe.customers.list(params={"email": who.email}).data[0].id)

    def period_end(self, who: Producer) -> int:
        listed = self.stripe.subscriptions.list(
            params={"customer": self.customer(who), "status": "all"}
        )
        return int(listed.data[0].current_period_end)

    def advance(self, seconds: int) -> None:
        self.emulator.advance(seconds)
        self.settle()

    def state(self, who: Producer) -> tuple[str, str]:
        found = self.call(who, "GET", "/api/billing/subscription")
        return found["tier"], found["status"]


def live_the_day(day: Day, cast: dict[str, Producer]) -> None:
    """Every lifecycle step the brief lists, for five producers, in Stripe's order."""
    trial, failing, upgrade = cast["trial then paid"], cast["renewal fails then paid"], cast[
        "trial then upgrade"]  # fmt: skip
    downgrade, cancel = cast["downgrade at period end"], cast["cancel, resume, cancel"]
    day.subscribe(trial, "pro")  # 14-day trial: a card is saved, nothing charged yet
    day.subscribe(upgrade, "pro")
    for who in (failing, downgrade, cancel):
        day.subscribe(who, "enterprise")  # paid at once
    day.call(downgrade, "POST", "/api/billing/change", plan_id="pro")  # at period end
    day.call(cancel, "POST", "/api/billing/cancel")
    day.call(cancel, "POST", "/api/billing/resume")
    day.call(cancel, "POST", "/api/billing/cancel")
    day.settle()
    day.emulator.fail_payments(day.customer(failing))
    day.advance(11 * DAY)  # trial_will_end for both trials
    day.advance(3 * DAY)  # trials end: first invoices paid
    day.call(upgrade, "POST", "/api/billing/change", plan_id="enterprise")  # prorated, now
    day.settle()
    day.emulator.advance_to(day.period_end(failing))  # renewal declines; downgrade, cancel land
    day.settle()
    day.emulator.restore_payments(day.customer(failing))
    day.advance(3 * DAY)  # Stripe's first retry pays: past_due -> active


async def snapshot(settings_url: str) -> dict[str, list[Any]]:
    """Every row billing writes, as plain JSON values, read as the auditor."""
    conn = await asyncpg.connect(settings_url)
    try:
        return {
            name: [json.loads(row[0]) for row in await conn.fetch(sql)]
            for name, sql in SNAPSHOT.items()
        }
    finally:
        await conn.close()


def replay(
    url: str, secret: str, events: list[dict[str, Any]], *, timestamp: Callable[[], int]
) -> Counter[str]:
    """POST each event again, signed now (or at `timestamp()`); counts "status outcome"."""
    answers: Counter[str] = Counter()
    with httpx.Client(timeout=30) as client:
        for event in events:
            body = event_body(event)
            headers = {
                "Content-Type": "application/json; charset=utf-8",
                "Stripe-Signature": sign_payload(body, secret, timestamp()),
            }
            response = client.post(url, content=body, headers=headers)
            outcome = response.json().get("outcome", "") if response.status_code == 200 else ""
            answers[f"{response.status_code} {outcome}".strip()] += 1
    return answers


def wait_for_mail(mailbox: Mailbox, settle_s: float = 3.0, timeout: float = 30.0) -> int:
    """The number of mails once none has arrived for `settle_s` (the outbox sends every second)."""
    deadline = time.monotonic() + timeout
    seen, quiet_since = -1, time.monotonic()
    while time.monotonic() < deadline:
        with mailbox.lock:
            count = len(mailbox.messages)
        if count != seen:
            seen, quiet_since = count, time.monotonic()
        elif time.monotonic() - quiet_since >= settle_s:
            break
        time.sleep(0.2)
    return seen


def _drill(
    verdict: Verdict, stack: Stack, producers: list[Producer], emulator: EmulatorServer,
    endpoint: WebhookEndpoint, mailbox: Mailbox,
) -> None:  # fmt: skip
    day = Day(stack, emulator, mailbox)
    cast = dict(zip(EXPECTED, producers, strict=True))

    async def tokens() -> None:
        async with aiohttp.ClientSession() as session:
            for n, who in enumerate(producers):
                day.tokens[who.user_id], _ = await sign_in(session, day.base, who, n)

    asyncio.run(tokens())
    started = time.monotonic()
    live_the_day(day, cast)
    verdict.figure("day lived in s", f"{time.monotonic() - started:.1f}")
    ended = {name: day.state(who) for name, who in cast.items()}
    verdict.check("every producer's day ended as planned",
                  all(ended[name] == want for name, want in EXPECTED.items()))  # fmt: skip
    verdict.check("every original delivery was answered 2xx", not day.webhook_failures)

    delivered_ids = [d.event_id for d in emulator.wait_for_webhooks()]
    by_id = {event["id"]: event for event in emulator.events()}
    captured = [by_id[event_id] for event_id in dict.fromkeys(delivered_ids)]
    mails_before = wait_for_mail(mailbox)
    before = asyncio.run(snapshot(stack.settings.database_auditor_url))

    in_order = replay(endpoint.url, endpoint.secret, captured, timestamp=lambda: int(time.time()))
    shuffled = captured[:]
    random.Random(404).shuffle(shuffled)  # noqa: S311 - an order, not a secret
    out_of_order = replay(endpoint.url, endpoint.secret, shuffled,
                          timestamp=lambda: int(time.time()))  # fmt: skip
    stale = replay(endpoint.url, endpoint.secret, captured[-1:],
                   timestamp=lambda: int(time.time()) - STALE_S)  # fmt: skip
    mails_after = wait_for_mail(mailbox)
    after = asyncio.run(snapshot(stack.settings.database_auditor_url))

    # Beyond Stripe's retries: the same events under new ids, shuffled, so the event-id check
    # cannot absorb them and the handlers themselves must converge on Stripe's current state.
    renamed = [{**event, "id": f"{event['id']}_again"} for event in shuffled]
    fresh_ids = replay(endpoint.url, endpoint.secret, renamed, timestamp=lambda: int(time.time()))
    mails_renamed = wait_for_mail(mailbox) - mails_after
    rerun = asyncio.run(snapshot(stack.settings.database_auditor_url))
    # New events are new notifications (mails) and new rows in stripe_events, by design.
    moved = [name for name in BILLING_STATE if rerun[name] != before[name]]

    changed = [name for name in SNAPSHOT if before[name] != after[name]]
    replays = in_order + out_of_order
    invoice_ids = [row["stripe_invoice_id"] for row in after["invoices"]]
    verdict.check("billing state unchanged after both replays", not changed)
    verdict.check(
        "every replay answered 2xx",
        sum(n for key, n in replays.items() if key.startswith("2")) == 2 * len(captured),
    )
    verdict.check("no duplicate invoice rows", len(invoice_ids) == len(set(invoice_ids)))
    verdict.check("no e-mail sent twice", mails_after == mails_before)
    verdict.check("a replay with a stale signature is refused (400)", stale == Counter({"400": 1}))
    verdict.check("the same events under new ids, shuffled, leave the billing state alone",
                  not moved and sum(fresh_ids[k] for k in fresh_ids if k.startswith("2"))
                  == len(renamed))  # fmt: skip
    kinds = Counter(event["type"] for event in captured)
    verdict.figure("events captured", f"{len(captured)} of {len(kinds)} types")
    verdict.figure("event types", ", ".join(f"{k} x{n}" for k, n in sorted(kinds.items())))
    verdict.figure("replay in order", ", ".join(f"{k} x{n}" for k, n in in_order.items()))
    verdict.figure("replay shuffled", ", ".join(f"{k} x{n}" for k, n in out_of_order.items()))
    verdict.figure("stale signature", ", ".join(f"{k} x{n}" for k, n in stale.items()))
    verdict.figure("tables changed", ", ".join(changed) or "none")
    verdict.figure(
        "new-id replay",
        ", ".join(f"{k} x{n}" for k, n in fresh_ids.items())
        + f"; tables moved: {', '.join(moved) or 'none'}; new mails: {mails_renamed}",
    )
    verdict.figure(
        "invoices / mails sent / stripe_events rows",
        f"{len(invoice_ids)} / {mails_after} / {len(after['stripe_events'])}",
    )
    verdict.figure("final states", "; ".join(f"{name}: {'/'.join(state)}"
                                             for name, state in ended.items()))  # fmt: skip
    if day.webhook_failures:
        verdict.figure("failed deliveries", "; ".join(day.webhook_failures[:5]))


def run() -> Verdict:
    """Run the drill once; never raises (a crash is a FAIL with the reason)."""
    verdict = Verdict("replay a day of webhooks twice")
    mailbox = Mailbox()
    smtp = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    secret = f"whsec_{secrets.token_hex(16)}"
    try:
        smtp.start()
        with EmulatorServer() as emulator, private_redis() as (redis_url, _):
            topology = Topology(
                platforms=SMALL.platforms,
                engines=SMALL.engines,
                workers=0,
                platform_env={
                    **platform_billing_env(emulator, webhook_secret=secret),
                    "SP404_SMTP_HOST": "127.0.0.1",
                    "SP404_SMTP_PORT": str(smtp.port),
                    "SP404_SMTP_STARTTLS": "false",
                },
            )
            with drill_stack("sp404_drill_webhooks", users=len(EXPECTED), tier="free",
                             samples_each=0, topology=topology, redis_url=redis_url) as (
                stack, producers,
            ):  # fmt: skip
                # Stripe posts to the public address: through the gateway, as in production.
                endpoint = emulator.add_webhook_endpoint(
                    f"{find(stack, 'gateway1').url}/api/billing/webhook"
                )
                endpoint.secret = secret
                _drill(verdict, stack, producers, emulator, endpoint, mailbox)
    except Exception as exc:
        verdict.check(f"drill ran to the end ({type(exc).__name__}: {exc})", False)
    finally:
        smtp.stop()
    return verdict


if __name__ == "__main__":
    result = run()
    print(result.report())
    raise SystemExit(0 if result.passed else 1)
