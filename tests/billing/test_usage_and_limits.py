"""Usage figures, quota periods, analysis counting, 80 % warnings and over-limit rules, checked
against rows stored through tenant_tx as the user."""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest
import stripe

from sp404.accounts.outbox import SQL as ACCOUNT_SQL
from sp404.billing import (
    PlanCatalog,
    count_analysis,
    load_plans,
    may_add_bytes,
    may_add_collection,
)
from sp404.billing.errors import InvalidWebhook
from sp404.billing.overview import subscription_view
from sp404.billing.plans import plan_view
from sp404.billing.usage import quota_period_start
from sp404.billing.webhooks import verify
from sp404.core.db import tenant_tx
from sp404.core.errors import QuotaExceeded
from sp404.core.settings import Settings
from tests.conftest import CreateUser

MB = 1024 * 1024
PUBLIC_URL = "http://app.test"


@pytest.fixture
async def member(pool: asyncpg.Pool, create_user: CreateUser) -> uuid.UUID:
    """A Free user with the rows signup gives every account."""
    user_id = await create_user()
    async with tenant_tx(pool, user_id) as conn:
        await conn.execute(ACCOUNT_SQL["insert_defaults"], user_id)
    return user_id


async def _mails(pool: asyncpg.Pool, user_id: uuid.UUID, kind: str) -> list[str]:
    async with tenant_tx(pool, user_id) as conn:
        rows = await conn.fetch(
            "select subject from app.email_outbox where kind = $1 order by created_at", kind
        )
    return [r["subject"] for r in rows]


@pytest.mark.parametrize(
    ("anchor", "now", "start"),
    [
        ("2025-01-15T10:00", "2025-01-20T00:00", "2025-01-15T10:00"),
        ("2025-01-15T10:00", "2025-03-15T09:59", "2025-02-15T10:00"),
        ("2025-01-15T10:00", "2025-03-15T10:00", "2025-03-15T10:00"),
        ("2025-01-31T00:00", "2025-02-28T12:00", "2025-02-28T00:00"),
        ("2025-01-31T00:00", "2025-03-31T00:00", "2025-03-31T00:00"),
        ("2024-12-31T00:00", "2025-01-05T00:00", "2024-12-31T00:00"),
        ("2025-06-01T00:00", "2025-05-01T00:00", "2025-06-01T00:00"),  # anchor ahead: kept
    ],
)
def test_quota_periods_restart_on_the_monthly_date_clamped_to_short_months(
    anchor: str, now: str, start: str
) -> None:
    def moment(text: str) -> datetime:
        return datetime.fromisoformat(text).replace(tzinfo=UTC)

    assert quota_period_start(moment(anchor), moment(now)) == moment(start)


async def test_plans_carry_the_prd_limits_and_unconfigured_prices_are_unavailable(
    pool: asyncpg.Pool, settings: Settings
) -> None:
    plans = await load_plans(pool)
    views = [plan_view(plan, settings.model_copy(update={"stripe_price_pro": "price_x"}))
             for plan in plans.values()]  # fmt: skip
    assert [(v["id"], v["price"], v["available"]) for v in views] == [
        ("free", 0, True), ("pro", 29, True), ("enterprise", 99, False),
    ]  # fmt: skip
    assert [v["features"]["storage_gb"] for v in views] == [0.1, 5, None]
    assert [v["features"]["collections"] for v in views] == [5, None, None]
    assert [plans[p].concurrent_uploads for p in plans] == [1, 5, 10]


async def test_one_plan_catalog_serves_billing_and_the_gateways_allowances(
    pool: asyncpg.Pool,
) -> None:
    catalog = PlanCatalog()
    assert catalog.allowances() == {}
    plans = await catalog.plans(pool)
    allowances = catalog.allowances()
    assert allowances == {tier: plan.api_calls_per_day for tier, plan in plans.items()}
    assert allowances["enterprise"] is None
    # A reload hands out new mappings (the limiter rebuilds its table only then); a read
    # without a reload hands out the same ones.
    assert await catalog.plans(pool) is plans and catalog.allowances() is allowances
    await catalog.load(pool)
    assert catalog.allowances() is not allowances and catalog.allowances() == allowances


async def test_usage_numbers_match_what_is_stored(pool: asyncpg.Pool, member: uuid.UUID) -> None:
    async with tenant_tx(pool, member) as conn:
        await conn.execute(
            "update app.usage_counters set storage_bytes = $1, analyses_used = 3", 50 * MB
        )
        for n in range(4):
            await conn.execute(
                "insert into app.api_usage (user_id, endpoint, method, via_token)"
                " values ($1, $2, 'GET', true)",
                member, f"/api/samples/{n}",
            )  # fmt: skip
        # The web app's own requests are recorded too, but the daily quota does not count them.
        await conn.execute(
            "insert into app.api_usage (user_id, endpoint, method) values ($1, '/api/kits', 'GET')",
            member,
        )
        await conn.execute(
            "insert into app.api_usage (user_id, endpoint, method, created_at)"
            " values ($1, '/old', 'GET', now() - interval '2 days')",
            member,
        )
        for name in ("Drums", "Keys"):
            await conn.execute(
                "insert into app.collections (user_id, name) values ($1, $2)", member, name
            )
        view = await subscription_view(conn)

    assert (view["tier"], view["status"], view["price"]) == ("free", "active", 0)
    assert view["next_billing_date"] is None and view["pending_tier"] is None
    usage = view["usage"]
    assert (usage["storage_mb"], usage["storage_limit_mb"]) == (50.0, 100)
    assert (usage["analyses_used"], usage["analyses_limit"]) == (3, 10)
    assert (usage["api_calls_today"], usage["api_calls_limit"]) == (4, 100)
    assert (usage["collections"], usage["collections_limit"]) == (2, 5)
    assert view["warnings"] == []


async def test_figures_at_80_percent_or_more_come_with_warnings(
    pool: asyncpg.Pool, member: uuid.UUID
) -> None:
    async with tenant_tx(pool, member) as conn:
        await conn.execute(
            "update app.usage_counters set storage_bytes = $1, analyses_used = 8", 120 * MB
        )
        view = await subscription_view(conn)
    warnings = {w["quota"]: w for w in view["warnings"]}
    assert set(warnings) == {"storage", "analyses"}
    assert (warnings["analyses"]["percent"], warnings["analyses"]["over_limit"]) == (80, False)
    assert warnings["storage"]["over_limit"] is True
    assert "nothing stored is deleted" in warnings["storage"]["message"]
    assert "uploads are refused until you delete samples" in warnings["storage"]["message"]


async def test_a_reached_analyses_limit_says_uploads_wait_not_that_they_are_blocked(
    pool: asyncpg.Pool, member: uuid.UUID
) -> None:
    # Found by using the product: at 10 of 10 analyses the plan page said new additions were
    # blocked until room was freed, while the next upload was kept and its analysis deferred,
    # and deleting samples gives no analysis back.
    async with tenant_tx(pool, member) as conn:
        await conn.execute("update app.usage_counters set analyses_used = 10")
        view = await subscription_view(conn)
    message = {w["quota"]: w for w in view["warnings"]}["analyses"]["message"]
    assert "uploads are kept and wait for analysis" in message
    assert "gives no analyses back" in message
    assert "free room" not in message


async def test_analyses_count_up_to_the_plan_limit_then_answer_429(
    pool: asyncpg.Pool, member: uuid.UUID
) -> None:
    for expected in range(1, 11):
        async with tenant_tx(pool, member) as conn:
            counted = await count_analysis(conn, user_id=member, public_url=PUBLIC_URL)
        assert (counted.used, counted.limit) == (expected, 10)

    with pytest.raises(QuotaExceeded) as refused:
        async with tenant_tx(pool, member) as conn:
            await count_analysis(conn, user_id=member, public_url=PUBLIC_URL)

    assert refused.value.details["quota"] == "analyses" and refused.value.status_code == 429
    assert int(refused.value.headers["Retry-After"]) > 0
    # One warning, when the count first reached 8 of 10 - not again at 9 or 10.
    assert await _mails(pool, member, "usage_warning") == [
        "You have used 80% of your analyses this month"
    ]


async def test_no_usage_mail_when_the_user_turned_notifications_off(
    pool: asyncpg.Pool, member: uuid.UUID
) -> None:
    async with tenant_tx(pool, member) as conn:
        await conn.execute("update app.user_preferences set notification_email_enabled = false")
        await conn.execute("update app.usage_counters set analyses_used = 8")
        await count_analysis(conn, user_id=member, public_url=PUBLIC_URL)
    assert await _mails(pool, member, "usage_warning") == []


async def test_a_new_period_starts_the_analysis_count_and_warnings_again(
    pool: asyncpg.Pool, member: uuid.UUID
) -> None:
    async with tenant_tx(pool, member) as conn:
        await conn.execute(
            "update app.usage_counters set analyses_used = 10, warnings_sent = '{analyses}',"
            " period_start = now() - interval '40 days'"
        )
        counted = await count_analysis(conn, user_id=member, public_url=PUBLIC_URL)
        row = await conn.fetchrow("select period_start, warnings_sent from app.usage_counters")
    assert counted.used == 1
    assert row["warnings_sent"] == []
    assert timedelta(days=8) <= datetime.now(UTC) - row["period_start"] <= timedelta(days=11)


async def test_over_limit_after_a_downgrade_blocks_new_writes_and_keeps_the_data(
    pool: asyncpg.Pool, member: uuid.UUID
) -> None:
    async with tenant_tx(pool, member) as conn:
        await conn.execute("select app.set_user_tier('pro')")
        await conn.execute("update app.usage_counters set storage_bytes = $1", 3 * 1024 * MB)
        for n in range(7):
            await conn.execute(
                "insert into app.collections (user_id, name) values ($1, $2)", member, f"C{n}"
            )
        assert (await may_add_bytes(conn, MB)).allowed
        assert (await may_add_collection(conn)).allowed
        await conn.execute("select app.set_user_tier('free')")  # the downgrade took effect

        storage = await may_add_bytes(conn, 1)
        collection = await may_add_collection(conn)
        kept = await conn.fetchval("select count(*) from app.collections")
        stored = await conn.fetchval("select storage_bytes from app.usage_counters")

    assert not storage.allowed and (storage.used, storage.limit) == (3 * 1024 * MB, 100 * MB)
    assert not collection.allowed and (collection.used, collection.limit) == (7, 5)
    assert (kept, stored) == (7, 3 * 1024 * MB)
    with pytest.raises(QuotaExceeded, match="nothing is deleted"):
        storage.require()


def _signed(body: bytes, secret: str, moment: int) -> str:
    return stripe.WebhookSignature.generate_signature_header(body.decode(), secret, moment)  # type: ignore[no-untyped-call,no-any-return]


@pytest.mark.parametrize("case", ["wrong secret", "tampered", "stale", "missing"])
def test_webhook_verification_refuses_anything_but_a_fresh_signed_payload(case: str) -> None:
    body, now = json.dumps({"id": "evt_1", "type": "invoice.paid"}).encode(), int(time.time())
    header: str | None = _signed(body, "whsec_ours", now)
    if case == "wrong secret":
        header = _signed(body, "whsec_theirs", now)
    elif case == "tampered":
        body = body.replace(b"evt_1", b"evt_2")
    elif case == "stale":
        header = _signed(body, "whsec_ours", now - 600)
    else:
        header = None
    with pytest.raises(InvalidWebhook):
        verify(body, header, "whsec_ours")
    assert verify(body, _signed(body, "whsec_ours", now), "whsec_ours")["id"] in ("evt_1", "evt_2")


async def test_an_account_without_a_subscription_row_sees_free_not_an_error(
    pool: asyncpg.Pool, create_user: CreateUser
) -> None:
    # Made outside sign-up (an import, an operator): no subscription row yet.
    user = await create_user()
    async with tenant_tx(pool, user) as conn:
        await conn.execute("insert into app.usage_counters (user_id) values ($1)", user)
        view = await subscription_view(conn)
    assert (view["tier"], view["status"]) == ("free", "active")
