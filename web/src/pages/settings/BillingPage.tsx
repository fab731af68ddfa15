import { useEffect, useState } from "react";

import { api } from "../../api/client";
import type { Plan, Subscription } from "../../api/types";
import { ErrorMessage, Note } from "../../components/Alert";
import { UsageMeter } from "./UsageMeter";

function limitText(value: number | null, unit: string): string {
  return value == null ? `Unlimited ${unit}` : `${value} ${unit}`;
}

function storageText(gb: number | null): string {
  if (gb == null) return "Unlimited storage";
  return gb < 1 ? `${Math.round(gb * 1000)} MB storage` : `${gb} GB storage`;
}

export function BillingPage() {
  const [plans, setPlans] = useState<Plan[] | null>(null);
  const [subscription, setSubscription] = useState<Subscription | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [portalError, setPortalError] = useState<unknown>(null);

  useEffect(() => {
    Promise.all([
      api<{ plans: Plan[] }>("/api/billing/plans", { auth: false }),
      api<Subscription>("/api/billing/subscription"),
    ])
      .then(([planList, current]) => {
        setPlans(planList.plans);
        setSubscription(current);
      })
      .catch(setError);
  }, []);

  async function openPortal(): Promise<void> {
    try {
      const { url } = await api<{ url: string }>("/api/billing/portal", { method: "POST" });
      window.location.assign(url);
    } catch (caught) {
      setPortalError(caught);
    }
  }

  const usage = subscription?.usage;
  return (
    <>
      <h1>Plan &amp; usage</h1>
      <ErrorMessage error={error} />
      {subscription && (
        <section className="card" aria-labelledby="usage-heading">
          <h2 id="usage-heading">
            Your plan: {plans?.find((p) => p.id === subscription.tier)?.name ?? subscription.tier}
          </h2>
          <p className="muted">
            Status: {subscription.status}
            {subscription.next_billing_date && ` · renews ${subscription.next_billing_date}`}
            {subscription.cancel_at_period_end && " · cancels at the end of the period"}
            {subscription.pending_tier && ` · changes to ${subscription.pending_tier} at the end of the period`}
          </p>
          {subscription.warnings?.map((warning) => (
            <Note key={warning.quota} tone="warning">
              {warning.message}
            </Note>
          ))}
          {usage && (
            <>
              <UsageMeter label="Storage" used={usage.storage_mb} limit={usage.storage_limit_mb} unit="MB" />
              <UsageMeter label="Analyses this month" used={usage.analyses_used} limit={usage.analyses_limit} />
              <UsageMeter label="API calls today" used={usage.api_calls_today} limit={usage.api_calls_limit} />
              <p className="muted">Monthly quotas reset on {new Date(usage.period_end).toLocaleDateString()}.</p>
            </>
          )}
          {subscription.has_billing_account && (
            <>
              <button type="button" onClick={openPortal}>
                Manage payment and invoices
              </button>
              <ErrorMessage error={portalError} />
            </>
          )}
        </section>
      )}
      {plans && (
        <section aria-labelledby="plans-heading">
          <h2 id="plans-heading">Plans</h2>
          <ul className="plans">
            {plans.map((plan) => (
              <li key={plan.id} className={plan.id === subscription?.tier ? "plan current" : "plan"}>
                <h3>{plan.name}</h3>
                <p className="price">{plan.price === 0 ? "Free" : `$${plan.price} / month`}</p>
                <ul>
                  <li>{storageText(plan.features.storage_gb)}</li>
                  <li>{limitText(plan.features.analyses_per_month, "analyses a month")}</li>
                  <li>{limitText(plan.features.api_requests_per_day, "API calls a day")}</li>
                  {plan.trial_days ? <li>{plan.trial_days}-day free trial</li> : null}
                </ul>
                {plan.id === subscription?.tier && <p className="badge">Current plan</p>}
              </li>
            ))}
          </ul>
        </section>
      )}
    </>
  );
}
