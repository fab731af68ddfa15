/** Names for what the billing routes answer (platform/billing), from the platform's OpenAPI document. */
import type { components } from "../../api/generated/platform";
import type { Plan, Subscription } from "../../api/types";

type Platform = components["schemas"];

/** GET /api/billing/plans; `publishable_key` is null when this server cannot take payments. */
export type PlanList = Omit<Platform["PlansOut"], "plans"> & { plans: Plan[] };

export type BillingSubscription = Subscription &
  Pick<Platform["SubscriptionOut"], "current_period_end" | "trial_ends_at" | "trial_available">;

export type SubscribeAnswer = Pick<Platform["SubscribeOut"], "client_secret" | "intent_type" | "status" | "tier">;

export type Invoice = Platform["InvoiceOut"];

export type InvoicePage = Platform["InvoicesOut"];

/** The statuses in which a paid plan is running (Stripe keeps it during payment retries). */
export const LIVE_STATUSES = new Set(["trialing", "active", "past_due"]);
