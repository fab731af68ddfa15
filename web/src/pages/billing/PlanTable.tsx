/** Free, Pro and Enterprise side by side with their limits, and what choosing each one does. */
import type { Plan } from "../../api/types";
import { formatDay, planAction, priceText, type PlanAction } from "./planChange";
import type { BillingSubscription } from "./types";

function limit(value: number | null | undefined, unit: string): string {
  return value == null ? `Unlimited ${unit}` : `${value.toLocaleString()} ${unit}`;
}

function storage(gb: number | null): string {
  if (gb == null) return "Unlimited storage";
  return gb < 1 ? `${Math.round(gb * 1000)} MB storage` : `${gb} GB storage`;
}

interface Props {
  plans: Plan[];
  subscription: BillingSubscription;
  /** Stripe.js can be used here (a publishable key is configured). */
  canPay: boolean;
  busy: boolean;
  onChoose: (plan: Plan, action: PlanAction) => void;
}

export function PlanTable({ plans, subscription, canPay, busy, onChoose }: Props) {
  return (
    <section aria-labelledby="plans-heading">
      <h2 id="plans-heading">Plans</h2>
      <ul className="plans">
        {plans.map((plan) => {
          const action = planAction(plan, plans, subscription);
          const current = plan.id === subscription.tier;
          return (
            <li key={plan.id} className={current ? "plan current" : "plan"}>
              <h3 id={`plan-${plan.id}`}>{plan.name}</h3>
              <p className="price">{priceText(plan)}</p>
              <ul>
                <li>{storage(plan.features.storage_gb)}</li>
                <li>{limit(plan.features.analyses_per_month, "analyses a month")}</li>
                <li>{limit(plan.features.api_requests_per_day, "API calls a day from your scripts")}</li>
                <li>{limit(plan.features.collections, "collections")}</li>
                {plan.features.concurrent_uploads ? (
                  <li>
                    {plan.features.concurrent_uploads === 1
                      ? "1 upload at a time"
                      : `${plan.features.concurrent_uploads} uploads at a time`}
                  </li>
                ) : null}
                {plan.trial_days ? <li>{plan.trial_days}-day free trial for new subscribers</li> : null}
              </ul>
              {current && <p className="badge">Current plan</p>}
              <PlanButton plan={plan} action={action} subscription={subscription} canPay={canPay} busy={busy} onChoose={onChoose} />
            </li>
          );
        })}
      </ul>
    </section>
  );
}

function PlanButton({
  plan,
  action,
  subscription,
  canPay,
  busy,
  onChoose,
}: { plan: Plan; action: PlanAction } & Omit<Props, "plans">) {
  const choose = (label: string) => (
    <button type="button" disabled={busy} onClick={() => onChoose(plan, action)}>
      {label}
    </button>
  );
  switch (action.kind) {
    case "current":
      return null;
    case "keep":
      return choose(`Keep ${plan.name}`);
    case "scheduled":
      return <p className="muted">Starts on {formatDay(subscription.current_period_end)}</p>;
    case "subscribe":
      if (!canPay) return null; // the page explains that payments are off
      return choose(action.trial ? `Start ${plan.name} trial` : `Choose ${plan.name}`);
    case "upgrade":
      return choose(`Upgrade to ${plan.name}`);
    case "downgrade":
    case "cancel":
      return choose(`Switch to ${plan.name}`);
    case "unavailable":
      return <p className="muted">Not sold on this server yet.</p>;
  }
}
