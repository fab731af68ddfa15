"""Billing: plans, Stripe subscriptions and webhooks, invoices, usage and quota limits.

What other services import lives here and pulls in neither FastAPI nor Stripe; the HTTP routes
are in `billing.routes` and the platform's start-up hook in `billing.lifecycle`.
"""

from sp404.billing.counters import count_export, lock_usage, refund_analysis
from sp404.billing.limits import LimitCheck, may_add_bytes, may_add_collection
from sp404.billing.plans import Plan, PlanCatalog, load_plans
from sp404.billing.tier_cache import tier_key
from sp404.billing.usage import (
    AnalysisCount,
    count_analysis,
    require_analyses_left,
    send_usage_warnings,
)

# The routes, the start-up hook and the operator's tier changes are modules the platform service
# and the CLI mount (they bring in FastAPI and Stripe, so importers of the names below never do);
# `storage_quota` is the upload paths' reservations against the storage limit.
__all__ = [
    "AnalysisCount",
    "LimitCheck",
    "Plan",
    "PlanCatalog",
    "admin",
    "count_analysis",
    "count_export",
    "lifecycle",
    "load_plans",
    "lock_usage",
    "may_add_bytes",
    "may_add_collection",
    "refund_analysis",
    "require_analyses_left",
    "routes",
    "send_usage_warnings",
    "storage_quota",
    "tier_key",
]
