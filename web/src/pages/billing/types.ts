/** What the billing routes answer (platform/billing; shapes from the PRD plus added fields). */
import type { Plan, Subscription } from "../../api/types";

export interface PlanList {
  plans: Plan[];
  /** Stripe's publishable key; null when this server cannot take payments. */
  publishable_key?: string | null;
}

export interface BillingSubscription extends Subscription {
  current_period_end: string | null;
  trial_ends_at: string | null;
  trial_available: boolean;
}

export interface SubscribeAnswer {
  client_secret: string | null;
  intent_type: "payment" | "setup" | null;
  status: string | null;
  tier: string | null;
}

export interface Invoice {
  id: string;
  number: string | null;
  amount_due: number;
  amount_paid: number;
  currency: string;
  status: string;
  period_start: string | null;
  period_end: string | null;
  hosted_invoice_url: string | null;
  invoice_pdf: string | null;
  created_at: string;
}

export interface InvoicePage {
  invoices: Invoice[];
  total: number;
}

/** The statuses in which a paid plan is running (Stripe keeps it during payment retries). */
export const LIVE_STATUSES = new Set(["trialing", "active", "past_due"]);
