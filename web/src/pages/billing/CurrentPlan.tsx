/** The plan the producer is on, its state in words, and what can be done about it right here. */
import type { Plan } from "../../api/types";
import { Note } from "../../components/Alert";
import { formatDay, isPaying, planName } from "./planChange";
import type { BillingSubscription } from "./types";

interface Props {
  plans: Plan[] | null;
  subscription: BillingSubscription;
  busy: boolean;
  onResume: () => void;
  onKeep: () => void;
  onCancel: () => void;
}

export function CurrentPlan({ plans, subscription: sub, busy, onResume, onKeep, onCancel }: Props) {
  const name = planName(plans, sub.tier);
  const ends = formatDay(sub.current_period_end);
  const paying = isPaying(sub);
  return (
    <>
      <h2 id="usage-heading">Your plan: {name}</h2>
      <p className="muted plan-status">
        {sub.status === "trialing" && sub.trial_ends_at
          ? `Free trial until ${formatDay(sub.trial_ends_at)}${sub.next_billing_date ? `, then $${sub.price} a month.` : "."}`
          : sub.next_billing_date && `Renews on ${formatDay(sub.next_billing_date)} at $${sub.price} a month.`}
        {!paying && "No paid subscription."}
      </p>
      {sub.status === "past_due" && (
        <Note tone="warning">
          Your last payment failed. Stripe will try the card again over the next days and you keep {name} meanwhile;
          update your card under “Manage payment and invoices” so your account does not fall back to Free.
        </Note>
      )}
      {sub.status === "incomplete" && (
        <Note tone="warning">Your last payment was not completed. Choose the plan again to finish paying.</Note>
      )}
      {paying && sub.cancel_at_period_end && (
        <div className="alert alert-info pending-change" role="status">
          <span>
            Your {name} plan ends on {ends}. After that your account is on Free; nothing you stored is deleted.
          </span>
          <button type="button" disabled={busy} onClick={onResume}>
            Resume {name}
          </button>
        </div>
      )}
      {paying && !sub.cancel_at_period_end && sub.pending_tier && (
        <div className="alert alert-info pending-change" role="status">
          <span>
            Your plan changes to {planName(plans, sub.pending_tier)} on {ends}. You keep {name} until then.
          </span>
          <button type="button" disabled={busy} onClick={onKeep}>
            Keep {name}
          </button>
        </div>
      )}
      {paying && !sub.cancel_at_period_end && (
        <p>
          <button type="button" className="secondary-button" disabled={busy} onClick={onCancel}>
            Cancel plan
          </button>
        </p>
      )}
    </>
  );
}
