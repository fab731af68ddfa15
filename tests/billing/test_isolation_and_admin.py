"""Billing data stays with its owner; deleting an account stops its charges; operators can set a
tier with an audit trail; without Stripe keys the paid endpoints say so and the rest works."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import uuid

import asyncpg
import httpx

from tests.gateway_signing import as_gateway
from tests.services.conftest import service_env
from tests.stack import PASSWORD, Mailbox, Producer, signed_up

from .conftest import BillingStack, gateway_tier, stripe_subscription, subscribed, subscription


def test_another_users_invoice_id_answers_404_and_their_billing_stays_hidden(
    billing_stack: BillingStack, api: httpx.Client, producer: Producer, other_producer: Producer
) -> None:
    subscribed(billing_stack, api, producer, "enterprise")
    mine = api.get("/api/billing/invoices", headers=producer.auth).json()["invoices"]
    assert len(mine) == 1
    assert (
        api.get(f"/api/billing/invoices/{mine[0]['id']}", headers=producer.auth).status_code == 200
    )

    stolen = api.get(f"/api/billing/invoices/{mine[0]['id']}", headers=other_producer.auth)
    assert stolen.status_code == 404
    assert api.get("/api/billing/invoices", headers=other_producer.auth).json()["total"] == 0
    theirs = subscription(api, other_producer)
    assert theirs["tier"] == "free" and theirs["id"] != subscription(api, producer)["id"]
    # Another user's cancel acts on their own (absent) subscription, never on the producer's.
    assert api.post("/api/billing/cancel", headers=other_producer.auth).status_code == 409
    assert subscription(api, producer)["cancel_at_period_end"] is False


async def test_denied_invoice_reads_are_audited(
    billing_stack: BillingStack,
    api: httpx.Client,
    producer: Producer,
    auditor: asyncpg.Connection,
) -> None:
    missing = uuid.uuid4()
    denied = await asyncio.to_thread(
        api.get, f"/api/billing/invoices/{missing}", headers=producer.auth
    )
    assert denied.status_code == 404
    rows = await auditor.fetch(
        "select action, target_type from app.audit_log where user_id = $1 and target_id = $2",
        uuid.UUID(producer.user_id),
        str(missing),
    )
    assert [(r["action"], r["target_type"]) for r in rows] == [("access.denied", "invoice")]


def test_deleting_the_account_cancels_the_stripe_subscription_at_once(
    billing_stack: BillingStack, api: httpx.Client, producer: Producer
) -> None:
    subscribed(billing_stack, api, producer, "enterprise")
    sub_id = stripe_subscription(billing_stack, producer).id

    deleted = api.request(
        "DELETE", "/api/account", json={"password": PASSWORD}, headers=producer.auth
    )

    assert deleted.status_code == 200, deleted.text
    assert billing_stack.stripe.subscriptions.retrieve(sub_id).status == "canceled"
    billing_stack.wait()  # the deletion's own webhooks find no account and are ignored


async def test_admin_set_tier_updates_account_gateway_and_audit_log(
    billing_stack: BillingStack,
    api: httpx.Client,
    producer: Producer,
    auditor: asyncpg.Connection,
) -> None:
    result = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "sp404.cli.main", "admin", "set-tier", producer.email.upper(),
         "pro", "--reason", "partner programme"],
        env=service_env(billing_stack.settings), capture_output=True, text=True, check=False,
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    assert f"user {producer.user_id}: free -> pro" in result.stdout
    view = await asyncio.to_thread(subscription, api, producer)
    assert view["tier"] == "pro" and view["usage"]["analyses_limit"] == 500
    assert gateway_tier(billing_stack, producer) == "pro"
    entry = await auditor.fetchrow(
        "select details from app.audit_log where user_id = $1 and action = $2",
        uuid.UUID(producer.user_id),
        "billing.tier_set_by_admin",
    )
    assert entry is not None
    details = json.loads(entry["details"])  # the auditor's connection has no JSON codec
    assert (details["from"], details["to"], details["reason"]) == (
        "free",
        "pro",
        "partner programme",
    )


def test_admin_set_tier_for_an_unknown_user_is_one_clean_line(
    billing_stack: BillingStack,
) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "sp404.cli.main", "admin", "set-tier", "nobody@example.com",
         "pro", "--reason", "typo"],
        env=service_env(billing_stack.settings), capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 1
    assert result.stderr.strip() == "sp404: No account uses the e-mail nobody@example.com."


def test_without_stripe_keys_paid_endpoints_answer_503_and_free_still_works(
    platform_url: str, mailbox: Mailbox
) -> None:
    with httpx.Client(base_url=platform_url, auth=as_gateway(), timeout=30) as plain:
        who = signed_up(plain, mailbox)
        plans = plain.get("/api/billing/plans").json()["plans"]
        assert [p["available"] for p in plans] == [True, False, False]

        refused = plain.post("/api/billing/subscribe", json={"plan_id": "pro"}, headers=who.auth)
        assert refused.status_code == 503
        assert refused.json()["error"]["code"] == "billing_not_configured"
        assert plain.post("/api/billing/portal", headers=who.auth).status_code == 503

        view = plain.get("/api/billing/subscription", headers=who.auth)
        assert view.status_code == 200
        assert (view.json()["tier"], view.json()["usage"]["storage_limit_mb"]) == ("free", 100)
