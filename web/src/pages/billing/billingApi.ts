/** The billing routes the page calls. Buttons are disabled while one is in flight; a repeat
 * still does no harm at the server (the same unpaid plan reuses its subscription, the same
 * change again is refused). */
import { api } from "../../api/client";
import type { BillingSubscription, InvoicePage, PlanList, SubscribeAnswer } from "./types";

const post = { method: "POST" } as const;

export const billingApi = {
  plans: () => api<PlanList>("/api/billing/plans", { auth: false }),
  subscription: () => api<BillingSubscription>("/api/billing/subscription"),
  invoices: () => api<InvoicePage>("/api/billing/invoices?limit=24"),
  subscribe: (planId: string) =>
    api<SubscribeAnswer>("/api/billing/subscribe", { ...post, body: { plan_id: planId } }),
  change: (planId: string) =>
    api<BillingSubscription>("/api/billing/change", { ...post, body: { plan_id: planId } }),
  cancel: () => api<BillingSubscription>("/api/billing/cancel", post),
  resume: () => api<BillingSubscription>("/api/billing/resume", post),
  portal: () => api<{ url: string }>("/api/billing/portal", post),
};
