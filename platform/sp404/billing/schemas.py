"""Request and response bodies of the billing routes (the PRD's shapes, plus extra fields)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field


class PlanIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # Plans are data (GET /api/billing/plans lists them), so an unknown id is a 404, not a 422.
    plan_id: str = Field(
        min_length=1, max_length=40, description="the id of a plan from GET /api/billing/plans"
    )


class PlanFeatures(BaseModel):
    """A plan's limits; null means unlimited."""

    storage_gb: float | None
    storage_bytes: int | None
    analyses_per_month: int | None
    api_requests_per_day: int | None
    collections: int | None
    concurrent_uploads: int
    queue_priority: int


class PlanOut(BaseModel):
    id: str
    name: str
    price: int = Field(description="US dollars a month")
    currency: Literal["usd"]
    interval: Literal["month"]
    trial_days: int
    available: bool = Field(description="Whether the plan can be chosen on this server")
    features: PlanFeatures


class PlansOut(BaseModel):
    plans: list[PlanOut]
    publishable_key: str | None = Field(
        description="Stripe.js's key; null when payments are not configured here"
    )
    tax_collection: bool = Field(
        default=False,
        description="Stripe Tax is on: give a billing address (POST /api/billing/tax-details) "
        "before subscribing",
    )


class SubscribeOut(BaseModel):
    client_secret: str | None = Field(
        description="What Stripe.js confirms; null when no card is needed (Free, or reused)"
    )
    intent_type: Literal["payment", "setup"] | None
    subscription_id: UUID
    stripe_subscription_id: str | None
    status: str | None
    tier: str | None
    trial_end: int | None = Field(description="Unix time the trial ends, if any")


class UsageOut(BaseModel):
    """Usage against the plan's limits in this quota period; a null limit is unlimited."""

    storage_mb: float
    storage_limit_mb: int | None
    storage_bytes: int
    storage_limit_bytes: int | None
    analyses_used: int
    analyses_limit: int | None
    api_calls_today: int
    api_calls_limit: int | None
    collections: int
    collections_limit: int | None
    concurrent_uploads_limit: int
    period_start: datetime
    period_end: datetime


class QuotaWarningOut(BaseModel):
    """A quota at or above 80 % of its limit."""

    quota: Literal["storage", "analyses", "api_calls", "collections"]
    used: int
    limit: int | None
    percent: int | None = Field(description="null when the limit is 0")
    over_limit: bool
    message: str


class SubscriptionOut(BaseModel):
    id: UUID
    tier: str
    status: str
    current_period_start: datetime | None
    current_period_end: datetime | None
    next_billing_date: str | None = Field(description="YYYY-MM-DD while the plan renews")
    price: int
    currency: Literal["usd"]
    cancel_at_period_end: bool
    cancelled_at: datetime | None
    pending_tier: str | None
    trial_ends_at: datetime | None
    trial_available: bool
    has_billing_account: bool
    past_due_since: datetime | None = Field(
        default=None, description="While past due: since when (the plan falls to Free after "
        "the server's past-due days)"
    )  # fmt: skip
    disputed: bool = Field(default=False, description="A charge of this account is disputed")
    payment_client_secret: str | None = Field(
        default=None,
        description="Only in a change's answer: an upgrade waits for this payment (3-D Secure); "
        "Stripe.js confirms it and the new plan applies once Stripe reports it paid",
    )
    # Absent only for an account without a usage row (the routes leave unset fields out).
    usage: UsageOut | None = None
    warnings: list[QuotaWarningOut] | None = None


class InvoicePeriod(BaseModel):
    start: datetime | None
    end: datetime | None


class InvoiceOut(BaseModel):
    id: UUID
    stripe_invoice_id: str
    number: str | None
    amount: float = Field(description="amount_due in the currency's main unit")
    amount_due: int = Field(description="In cents")
    amount_paid: int = Field(description="In cents")
    currency: str
    status: str
    period: InvoicePeriod
    period_start: datetime | None
    period_end: datetime | None
    hosted_invoice_url: str | None
    invoice_pdf: str | None
    amount_refunded: int = Field(description="In cents, given back to the card")
    amount_credited: int = Field(description="In cents, taken off by credit notes")
    created_at: datetime


class InvoicesOut(BaseModel):
    invoices: list[InvoiceOut]
    total: int
    limit: int
    offset: int


class PortalOut(BaseModel):
    url: str


class WebhookOut(BaseModel):
    received: Literal[True]
    outcome: Literal["applied", "duplicate", "ignored"]


class TaxDetailsIn(BaseModel):
    """The billing address Stripe Tax works from, and an optional tax id for the invoices."""

    model_config = ConfigDict(extra="forbid")

    country: str = Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2")
    postal_code: str | None = Field(default=None, max_length=20)
    state: str | None = Field(default=None, max_length=100)
    city: str | None = Field(default=None, max_length=100)
    line1: str | None = Field(default=None, max_length=200)
    line2: str | None = Field(default=None, max_length=200)
    tax_id_type: str | None = Field(
        default=None, pattern=r"^[a-z]{2,3}_[a-z]+$", description="Stripe's type, e.g. eu_vat"
    )
    tax_id_value: str | None = Field(default=None, min_length=2, max_length=40)


class TaxDetailsOut(BaseModel):
    country: str
    tax_ids: list[str] = Field(description="Tax ids the invoices will show")
    automatic_tax: Literal[True]
