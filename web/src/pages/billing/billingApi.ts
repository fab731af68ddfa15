/** The billing routes the page calls. Buttons are disabled while one is in flight; a repeat
 * still does no harm at the server (the same unpaid plan reuses its subscription, the same
 * change again is refused). */
import { call } from "../../api/client";

export const billingApi = {
  plans: () => call("get", "/api/billing/plans", { auth: false }),
  subscription: () => call("get", "/api/billing/subscription"),
  invoices: () => call("get", "/api/billing/invoices", { query: { limit: 24 } }),
  subscribe: (planId: string) => call("post", "/api/billing/subscribe", { body: { plan_id: planId } }),
  change: (planId: string) => call("post", "/api/billing/change", { body: { plan_id: planId } }),
  cancel: () => call("post", "/api/billing/cancel"),
  resume: () => call("post", "/api/billing/resume"),
  portal: () => call("post", "/api/billing/portal"),
};
