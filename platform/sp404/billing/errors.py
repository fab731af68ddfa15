"""Billing errors; each answers with its status and the shared JSON error shape."""

from __future__ import annotations

from typing import ClassVar

from sp404.core.errors import AppError, BadRequest, Conflict, NotFound, ServiceUnavailable


class BillingNotConfigured(ServiceUnavailable):
    """Paid plans are not available right now: payments are not configured on this server."""

    code = "billing_not_configured"


class PaymentProviderUnavailable(ServiceUnavailable):
    """The payment provider did not answer; nothing was changed. Try again in a moment."""

    code = "payment_provider_unavailable"


class UnknownPlan(NotFound):
    """There is no such plan."""

    code = "unknown_plan"


class AlreadySubscribed(Conflict):
    """You already have a subscription; change its plan instead."""

    code = "already_subscribed"


class NoSubscription(Conflict):
    """You have no paid subscription to change; subscribe first."""

    code = "no_subscription"


class SubscriptionEnded(Conflict):
    """That subscription has already ended; subscribe again instead."""

    code = "subscription_ended"


class TaxLocationRequired(Conflict):
    """Tax is worked out from your billing address: give it before subscribing."""

    code = "tax_location_required"


class RetryConflict(Conflict):
    """This Idempotency-Key was already used for a different request."""

    code = "idempotency_key_reused"


class PaymentRequired(AppError):
    """The payment was declined; nothing was changed."""

    status_code: ClassVar[int] = 402
    code: ClassVar[str] = "payment_failed"


class InvalidWebhook(BadRequest):
    """The webhook signature is missing, invalid or too old."""

    code = "invalid_signature"
