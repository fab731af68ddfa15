import { describe, expect, it } from "vitest";

import type { Plan } from "../../api/types";
import { formatMoney, isOnPlan, planAction, waitForPlan } from "./planChange";
import type { BillingSubscription } from "./types";

function plan(id: string, price: number, trial = 0, available = true): Plan {
  const features = {
    storage_gb: null,
    analyses_per_month: null,
    api_requests_per_day: null,
    collections: null,
    concurrent_uploads: null,
  };
  return { id, name: id[0].toUpperCase() + id.slice(1), price, trial_days: trial, available, features };
}

const PLANS = [plan("free", 0), plan("pro", 29, 14), plan("enterprise", 99)];
const [FREE, PRO, ENTERPRISE] = PLANS;

function sub(overrides: Partial<BillingSubscription> = {}): BillingSubscription {
  return {
    tier: "free",
    status: "active",
    next_billing_date: null,
    price: 0,
    cancel_at_period_end: false,
    pending_tier: null,
    has_billing_account: false,
    current_period_end: null,
    trial_ends_at: null,
    trial_available: true,
    ...overrides,
  };
}

describe("planAction", () => {
  it("offers a Free producer the paid plans through the payment form, Pro with its trial", () => {
    expect(planAction(FREE, PLANS, sub())).toEqual({ kind: "current" });
    expect(planAction(PRO, PLANS, sub())).toEqual({ kind: "subscribe", trial: true });
    expect(planAction(ENTERPRISE, PLANS, sub())).toEqual({ kind: "subscribe", trial: false });
    expect(planAction(PRO, PLANS, sub({ trial_available: false }))).toEqual({ kind: "subscribe", trial: false });
  });

  it("upgrades now, downgrades later and turns Free into a cancellation for a paying producer", () => {
    const pro = sub({ tier: "pro", status: "trialing" });
    expect(planAction(ENTERPRISE, PLANS, pro)).toEqual({ kind: "upgrade" });
    expect(planAction(FREE, PLANS, pro)).toEqual({ kind: "cancel" });
    expect(planAction(PRO, PLANS, sub({ tier: "enterprise" }))).toEqual({ kind: "downgrade" });
  });

  it("shows pending changes as scheduled and lets the current plan be kept", () => {
    const downgrading = sub({ tier: "enterprise", pending_tier: "pro" });
    expect(planAction(PRO, PLANS, downgrading)).toEqual({ kind: "scheduled" });
    expect(planAction(ENTERPRISE, PLANS, downgrading)).toEqual({ kind: "keep" });
    const cancelling = sub({ tier: "pro", pending_tier: "free", cancel_at_period_end: true });
    expect(planAction(FREE, PLANS, cancelling)).toEqual({ kind: "scheduled" });
    expect(planAction(PRO, PLANS, cancelling)).toEqual({ kind: "current" });
  });

  it("treats an ended or unpaid subscription as Free and never sells an unpriced plan", () => {
    expect(planAction(PRO, PLANS, sub({ tier: "free", status: "canceled" }))).toEqual({ kind: "subscribe", trial: true });
    expect(planAction(plan("pro", 29, 14, false), PLANS, sub())).toEqual({ kind: "unavailable" });
  });
});

describe("waitForPlan", () => {
  it("asks again until the webhook moved the subscription to the plan", async () => {
    const answers = [sub({ status: "incomplete" }), sub({ status: "incomplete" }), sub({ tier: "enterprise" })];
    const read = async () => answers.shift() ?? sub();
    const result = await waitForPlan("enterprise", read, { sleep: async () => {} });
    expect(result.settled).toBe(true);
    expect(result.subscription.tier).toBe("enterprise");
    expect(answers).toHaveLength(0);
  });

  it("gives up after its attempts and says the plan is not there yet", async () => {
    let calls = 0;
    const read = async () => {
      calls += 1;
      return sub({ status: "incomplete" });
    };
    const result = await waitForPlan("pro", read, { attempts: 3, sleep: async () => {} });
    expect(result.settled).toBe(false);
    expect(calls).toBe(3);
  });
});

describe("isOnPlan and formatMoney", () => {
  it("counts only a running subscription and prints cents as money", () => {
    expect(isOnPlan(sub({ tier: "pro", status: "past_due" }), "pro")).toBe(true);
    expect(isOnPlan(sub({ tier: "pro", status: "incomplete" }), "pro")).toBe(false);
    expect(formatMoney(2900, "usd")).toContain("29.00");
  });
});
