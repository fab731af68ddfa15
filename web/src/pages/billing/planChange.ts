/** What choosing each plan means for this producer, and how dates and money read on the page. */
import type { Plan } from "../../api/types";
import { LIVE_STATUSES, type BillingSubscription } from "./types";

export type PlanAction =
  /** The plan they are on, nothing pending. */
  | { kind: "current" }
  /** The plan they are on, with a downgrade pending: choosing it again drops the change. */
  | { kind: "keep" }
  /** The plan a pending change or cancellation moves them to at the period end. */
  | { kind: "scheduled" }
  /** No running paid plan: buy this one through Stripe's Payment Element. */
  | { kind: "subscribe"; trial: boolean }
  /** Higher than the running plan: at once, with a prorated invoice. */
  | { kind: "upgrade" }
  /** Lower than the running plan: at the end of the paid period. */
  | { kind: "downgrade" }
  /** Free while paying: cancel at the end of the paid period. */
  | { kind: "cancel" }
  /** A paid plan this server has no Stripe price for. */
  | { kind: "unavailable" };

/** A paid plan is running (trial, paid, or in Stripe's payment retries). */
export function isPaying(subscription: BillingSubscription): boolean {
  return subscription.tier !== "free" && LIVE_STATUSES.has(subscription.status);
}

export function planAction(
  plan: Plan,
  plans: Plan[],
  subscription: BillingSubscription,
): PlanAction {
  if (plan.id === subscription.tier) {
    const downgrading = subscription.pending_tier != null && !subscription.cancel_at_period_end;
    return downgrading ? { kind: "keep" } : { kind: "current" };
  }
  if (!isPaying(subscription)) {
    if (plan.price === 0) return { kind: "current" };
    if (!plan.available) return { kind: "unavailable" };
    return { kind: "subscribe", trial: subscription.trial_available && (plan.trial_days ?? 0) > 0 };
  }
  if (subscription.pending_tier === plan.id) return { kind: "scheduled" };
  if (plan.price === 0) return { kind: "cancel" };
  if (!plan.available) return { kind: "unavailable" };
  const rank = (id: string) => plans.findIndex((p) => p.id === id);
  return rank(plan.id) > rank(subscription.tier) ? { kind: "upgrade" } : { kind: "downgrade" };
}

/** "March 4, 2026" in the reader's locale. */
export function formatDay(iso: string | null | undefined): string {
  if (!iso) return "the end of this period";
  return new Date(iso).toLocaleDateString(undefined, {
    year: "numeric",
    month: "long",
    day: "numeric",
  });
}

/** "$29.00" from cents, in the invoice's currency. */
export function formatMoney(cents: number, currency = "usd"): string {
  return new Intl.NumberFormat(undefined, {
    style: "currency",
    currency: currency.toUpperCase(),
  }).format(cents / 100);
}

/** "$29 / month". */
export function priceText(plan: Plan): string {
  return `$${plan.price} / month`;
}

export function planName(plans: Plan[] | null, id: string | null | undefined): string {
  return plans?.find((p) => p.id === id)?.name ?? id ?? "";
}

/** The plan is running on this subscription (what the page waits for after a payment). */
export function isOnPlan(subscription: BillingSubscription, planId: string): boolean {
  return subscription.tier === planId && LIVE_STATUSES.has(subscription.status);
}

interface PollOptions {
  attempts?: number;
  intervalMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

/** Read until `done` holds or the attempts run out; the last answer and whether it was done. */
export async function pollUntil<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  { attempts = 20, intervalMs = 750, sleep = defaultSleep }: PollOptions = {},
): Promise<{ value: T; settled: boolean }> {
  let value = await read();
  for (let i = 1; i < attempts && !done(value); i += 1) {
    await sleep(intervalMs);
    value = await read();
  }
  return { value, settled: done(value) };
}

/**
 * Ask for the subscription until the plan is running: Stripe's webhooks move it there a moment
 * after the card is confirmed.
 */
export async function waitForPlan(
  planId: string,
  read: () => Promise<BillingSubscription>,
  options: PollOptions = {},
): Promise<{ subscription: BillingSubscription; settled: boolean }> {
  const { value, settled } = await pollUntil(read, (sub) => isOnPlan(sub, planId), options);
  return { subscription: value, settled };
}

function defaultSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
