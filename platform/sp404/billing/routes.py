"""HTTP routes of billing: /api/billing/*."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request

from sp404.accounts.auth import CurrentClaims
from sp404.billing import changes, checkout, invoices, overview, tax, webhooks
from sp404.billing.context import BillingDep
from sp404.billing.plans import load_plans, plan_view, publishable_key
from sp404.billing.schemas import (
    InvoiceOut,
    InvoicesOut,
    PlanIn,
    PlansOut,
    PortalOut,
    SubscribeOut,
    SubscriptionOut,
    TaxDetailsIn,
    TaxDetailsOut,
    WebhookOut,
)

router = APIRouter(prefix="/api/billing", tags=["billing"])
# Unset fields are left out: a subscription view without a usage row has no usage or warnings.
VIEW: dict[str, Any] = {"response_model": SubscriptionOut, "response_model_exclude_unset": True}
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=200)]


def request_nonce(request: Request, key: str | None) -> str:
    """What makes a retried request the same request at Stripe: the client's Idempotency-Key,
    else this request's id (so only a retry the client marks is collapsed)."""
    if key:
        return key
    state: dict[str, Any] = request.scope.get("state", {})
    return str(state.get("request_id") or uuid.uuid4().hex)


@router.get("/plans", response_model=PlansOut)
async def plans(ctx: BillingDep) -> dict[str, Any]:
    """Every plan with its price and limits, and the key Stripe.js needs (public)."""
    loaded = await load_plans(ctx.pool)
    return {
        "plans": [plan_view(plan, ctx.settings) for plan in loaded.values()],
        "publishable_key": publishable_key(ctx.settings),
        "tax_collection": ctx.settings.stripe_automatic_tax and ctx.stripe is not None,
    }


@router.post("/subscribe", response_model=SubscribeOut)
async def subscribe(
    body: PlanIn,
    request: Request,
    claims: CurrentClaims,
    ctx: BillingDep,
    key: IdempotencyKey = None,
) -> dict[str, Any]:
    """Start a paid plan; the answer's client_secret confirms the card with Stripe.js."""
    return await checkout.subscribe(
        ctx, user_id=uuid.UUID(claims.user_id), plan_id=body.plan_id,
        nonce=request_nonce(request, key),
    )  # fmt: skip


@router.get("/subscription", **VIEW)
async def subscription(claims: CurrentClaims, ctx: BillingDep) -> dict[str, Any]:
    """The caller's plan, subscription state, usage and quota warnings."""
    return await overview.read_subscription(ctx.pool, user_id=uuid.UUID(claims.user_id))


@router.post("/change", **VIEW)
async def change(
    body: PlanIn,
    request: Request,
    claims: CurrentClaims,
    ctx: BillingDep,
    key: IdempotencyKey = None,
) -> dict[str, Any]:
    """Switch plans: upgrades now (prorated), downgrades at the period end."""
    return await changes.change_plan(
        ctx, user_id=uuid.UUID(claims.user_id), plan_id=body.plan_id,
        nonce=request_nonce(request, key),
    )  # fmt: skip


@router.post("/cancel", **VIEW)
async def cancel(
    request: Request, claims: CurrentClaims, ctx: BillingDep, key: IdempotencyKey = None
) -> dict[str, Any]:
    """Cancel at the end of the paid period."""
    return await changes.cancel(
        ctx, user_id=uuid.UUID(claims.user_id), nonce=request_nonce(request, key)
    )


@router.post("/resume", **VIEW)
async def resume(
    request: Request, claims: CurrentClaims, ctx: BillingDep, key: IdempotencyKey = None
) -> dict[str, Any]:
    """Keep a subscription that was set to cancel at the period end."""
    return await changes.resume(
        ctx, user_id=uuid.UUID(claims.user_id), nonce=request_nonce(request, key)
    )


@router.get("/invoices", response_model=InvoicesOut)
async def list_invoices(
    claims: CurrentClaims,
    ctx: BillingDep,
    limit: Annotated[int, Query(ge=1, le=invoices.MAX_PAGE)] = 20,
    # Bounded as the engine's lists are: past a bigint, PostgreSQL refuses the offset (a 500).
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> dict[str, Any]:
    """The caller's invoices, newest first."""
    return await invoices.list_invoices(
        ctx.pool, user_id=uuid.UUID(claims.user_id), limit=limit, offset=offset
    )


@router.get("/invoices/{invoice_id}", response_model=InvoiceOut)
async def get_invoice(
    invoice_id: uuid.UUID, claims: CurrentClaims, ctx: BillingDep
) -> dict[str, Any]:
    """One of the caller's invoices."""
    return await invoices.get_invoice(
        ctx.pool, user_id=uuid.UUID(claims.user_id), invoice_id=invoice_id
    )


@router.post("/portal", response_model=PortalOut)
async def portal(
    request: Request, claims: CurrentClaims, ctx: BillingDep, key: IdempotencyKey = None
) -> dict[str, str]:
    """A Stripe Customer Portal link for cards, invoices and cancellation."""
    url = await checkout.portal_url(
        ctx, user_id=uuid.UUID(claims.user_id), nonce=request_nonce(request, key)
    )
    return {"url": url}


@router.post("/tax-details", response_model=TaxDetailsOut)
async def tax_details(
    body: TaxDetailsIn,
    request: Request,
    claims: CurrentClaims,
    ctx: BillingDep,
    key: IdempotencyKey = None,
) -> dict[str, Any]:
    """Give the billing address Stripe Tax needs, and a tax id for invoices (when tax is on)."""
    return await tax.set_tax_details(
        ctx, user_id=uuid.UUID(claims.user_id), details=body, nonce=request_nonce(request, key)
    )


@router.post("/webhook", response_model=WebhookOut)
async def webhook(request: Request, ctx: BillingDep) -> dict[str, Any]:
    """Stripe's events (public; the signature is the authentication)."""
    secret = ctx.settings.stripe_webhook_secret
    event = webhooks.verify(
        await request.body(),
        request.headers.get("stripe-signature"),
        secret.get_secret_value() if secret else None,
    )
    outcome = await webhooks.handle_event(ctx, event)
    return {"received": True, "outcome": outcome}
