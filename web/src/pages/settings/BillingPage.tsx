/**
 * Plan & usage: the current plan and its state, usage against the plan's limits, the plans to
 * choose from (bought through Stripe's Payment Element), plan changes, invoices and the portal.
 * Stripe is the source of truth; after a payment the page waits for the subscription to say
 * so (Stripe's webhooks update it a moment later) before it shows the new plan.
 */
import { useEffect, useState } from "react";

import { ApiError, messageOf } from "../../api/errors";
import type { Plan } from "../../api/types";
import { useSession } from "../../auth/session";
import { ErrorMessage, Note } from "../../components/Alert";
import { billingApi } from "../billing/billingApi";
import { ConfirmDialog } from "../billing/ConfirmDialog";
import { CurrentPlan } from "../billing/CurrentPlan";
import { InvoiceList } from "../billing/InvoiceList";
import { PaymentForm } from "../billing/PaymentForm";
import { formatDay, formatMoney, planName, pollUntil, waitForPlan, type PlanAction } from "../billing/planChange";
import { PlanTable } from "../billing/PlanTable";
import { TaxDetailsForm } from "../billing/TaxDetailsForm";
import { confirmUpgradePayment } from "../billing/upgrade";
import type { BillingSubscription, Invoice, SubscribeAnswer } from "../billing/types";
import "../billing/billing.css";
import { UsageMeter } from "./UsageMeter";

type Checkout = { plan: Plan; answer: SubscribeAnswer & { client_secret: string } };
type Question = { kind: "upgrade" | "downgrade"; plan: Plan } | { kind: "cancel" };

/** What the page assumes while the subscription cannot be read: the session's tier, nothing to change. */
function standInSubscription(tier: string): BillingSubscription {
  return {
    tier,
    status: "active",
    next_billing_date: null,
    price: 0,
    cancel_at_period_end: false,
    pending_tier: null,
    has_billing_account: false,
    current_period_end: null,
    trial_ends_at: null,
    trial_available: false,
  };
}

export function BillingPage() {
  const { profile } = useSession();
  const [plans, setPlans] = useState<Plan[] | null>(null);
  const [publishableKey, setPublishableKey] = useState<string | null>(null);
  const [subscription, setSubscription] = useState<BillingSubscription | null>(null);
  const [invoices, setInvoices] = useState<Invoice[] | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [checkout, setCheckout] = useState<Checkout | null>(null);
  const [processing, setProcessing] = useState<string | null>(null);
  const [question, setQuestion] = useState<Question | null>(null);
  const [taxFor, setTaxFor] = useState<Plan | null>(null);

  useEffect(() => {
    // Back from a payment method that had to leave the page (cards never do).
    const returned = new URLSearchParams(location.search).get("redirect_status");
    if (returned === "succeeded") setNotice("Stripe confirmed your payment. Your plan shows here as soon as Stripe tells us.");
    if (returned === "failed") setActionError(new Error("The payment was not completed. Try again or use another card."));
    void load();
  }, []);

  /** Each part on its own: the page shows whatever loaded, even when the rest was refused. */
  async function load(): Promise<void> {
    setLoadError(null);
    const [planList, current, invoicePage] = await Promise.allSettled([
      billingApi.plans(),
      billingApi.subscription(),
      billingApi.invoices(),
    ]);
    if (planList.status === "fulfilled") {
      setPlans(planList.value.plans);
      setPublishableKey(planList.value.publishable_key ?? null);
    }
    if (current.status === "fulfilled") setSubscription(current.value);
    if (invoicePage.status === "fulfilled") setInvoices(invoicePage.value.invoices);
    const failed = [planList, current, invoicePage].find((result) => result.status === "rejected");
    setLoadError(failed ? failed.reason : null);
  }

  const name = (id: string | null | undefined) => planName(plans, id);

  /** Run one billing action with the page marked busy and its error shown in the house Alert. */
  async function act(action: () => Promise<void>): Promise<void> {
    setBusy(true);
    setActionError(null);
    setNotice(null);
    try {
      await action();
    } catch (caught) {
      setActionError(caught);
      // A conflict means the subscription moved on elsewhere (portal, renewal): show where it is.
      if (caught instanceof ApiError && caught.status === 409) {
        setSubscription(await billingApi.subscription().catch(() => subscription));
      }
    } finally {
      setBusy(false);
    }
  }

  async function refreshInvoices(): Promise<Invoice[]> {
    const page = await billingApi.invoices();
    setInvoices(page.invoices);
    return page.invoices;
  }

  function choose(plan: Plan, action: PlanAction): void {
    switch (action.kind) {
      case "subscribe":
        void act(async () => {
          let answer;
          try {
            answer = await billingApi.subscribe(plan.id);
          } catch (caught) {
            // Stripe Tax needs the billing address before the first payment.
            if (caught instanceof ApiError && caught.code === "tax_location_required") {
              setTaxFor(plan);
              return;
            }
            throw caught;
          }
          if (answer.client_secret) {
            setCheckout({ plan, answer: { ...answer, client_secret: answer.client_secret } });
          } else {
            setSubscription(await billingApi.subscription());
          }
        });
        return;
      case "keep":
        void act(async () => setSubscription(await billingApi.change(plan.id)));
        return;
      case "upgrade":
      case "downgrade":
        setQuestion({ kind: action.kind, plan });
        return;
      case "cancel":
        setQuestion({ kind: "cancel" });
        return;
      default:
        return;
    }
  }

  async function paid(plan: Plan): Promise<void> {
    setCheckout(null);
    setProcessing(plan.name);
    try {
      const { subscription: latest, settled } = await waitForPlan(plan.id, billingApi.subscription);
      setSubscription(latest);
      setNotice(
        settled
          ? `You're on ${plan.name} now.`
          : `Stripe accepted your card. Your ${plan.name} plan will show here in a moment; reload the page if it does not.`,
      );
      await refreshInvoices();
    } catch (caught) {
      setActionError(caught);
    } finally {
      setProcessing(null);
    }
  }

  async function closeCheckout(): Promise<void> {
    setCheckout(null);
    await act(async () => setSubscription(await billingApi.subscription()));
  }

  function answer(question: Question): void {
    setQuestion(null);
    void act(async () => {
      if (question.kind === "cancel") {
        setSubscription(await billingApi.cancel());
        return;
      }
      const known = new Set(invoices?.map((invoice) => invoice.id));
      const changed = await billingApi.change(question.plan.id);
      setSubscription(changed);
      if (question.kind === "downgrade") return;
      let tier = changed.tier;
      if (changed.payment_client_secret) {
        // The bank asks for 3-D Secure: the plan changes only once Stripe has the payment.
        const failed = await confirmUpgradePayment(publishableKey, changed.payment_client_secret);
        if (failed) {
          setNotice(`You stay on ${name(changed.tier)} for now: ${failed}`);
          return;
        }
        setProcessing(question.plan.name);
        try {
          const { subscription: latest } = await waitForPlan(question.plan.id, billingApi.subscription);
          tier = latest.tier;
          setSubscription(latest);
        } finally {
          setProcessing(null);
        }
      }
      const upgraded = `You're on ${name(tier)} now.`;
      setNotice(`${upgraded} Stripe is invoicing the prorated difference for the rest of this period.`);
      // What the upgrade cost is the invoice Stripe made for it, archived when its webhook lands.
      const fresh = (list: Invoice[]) => list.find((invoice) => !known.has(invoice.id));
      const { value } = await pollUntil(refreshInvoices, (list) => fresh(list) != null, { attempts: 10 });
      const charged = fresh(value);
      if (charged) {
        const amount = formatMoney(charged.amount_due, charged.currency);
        setNotice(`${upgraded} Prorated charge for the rest of this period: ${amount} (${charged.status}).`);
      }
    });
  }

  function resume(): void {
    void act(async () => {
      const resumed = await billingApi.resume();
      setSubscription(resumed);
      setNotice(`Your ${name(resumed.tier)} plan continues and renews on ${formatDay(resumed.next_billing_date)}.`);
    });
  }

  async function openPortal(): Promise<void> {
    await act(async () => {
      const { url } = await billingApi.portal();
      window.location.assign(url);
    });
  }

  const usage = subscription?.usage;
  const current = name(subscription?.tier);
  return (
    <>
      <h1>Plan &amp; usage</h1>
      {loadError != null && (
        <div className="alert alert-info" role="status">
          <p>Part of this page could not be loaded just now: {messageOf(loadError)}</p>
          <button type="button" className="secondary-button" onClick={() => void load()}>
            Try again
          </button>
        </div>
      )}
      {!subscription && profile && (
        <section className="card" aria-labelledby="usage-heading">
          <h2 id="usage-heading">Your plan: {name(profile.tier)}</h2>
          <p className="muted">Usage figures will show here once they can be loaded.</p>
        </section>
      )}
      {subscription && (
        <section className="card" aria-labelledby="usage-heading">
          <CurrentPlan
            plans={plans}
            subscription={subscription}
            busy={busy || processing != null}
            onResume={resume}
            onKeep={() => void act(async () => setSubscription(await billingApi.change(subscription.tier)))}
            onCancel={() => setQuestion({ kind: "cancel" })}
          />
          {subscription.warnings?.map((warning) => (
            <Note key={warning.quota} tone="warning">
              {warning.message}
            </Note>
          ))}
          {usage && (
            <>
              <UsageMeter label="Storage" used={usage.storage_mb} limit={usage.storage_limit_mb} unit="MB" />
              <UsageMeter label="Analyses this month" used={usage.analyses_used} limit={usage.analyses_limit} />
              <UsageMeter
                label="API calls today (personal tokens)"
                used={usage.api_calls_today}
                limit={usage.api_calls_limit}
              />
              <p className="muted">
                Only requests made with your personal access tokens count here; using this web app does not.
              </p>
              <p className="muted">Monthly quotas reset on {formatDay(usage.period_end)}.</p>
            </>
          )}
          {subscription.has_billing_account && (
            <button type="button" className="secondary-button" onClick={openPortal} disabled={busy}>
              Manage payment and invoices
            </button>
          )}
        </section>
      )}
      {processing && (
        <p className="alert alert-info" role="status">
          Processing… waiting for Stripe to confirm your {processing} plan.
        </p>
      )}
      {notice && <Note tone="success">{notice}</Note>}
      <ErrorMessage error={actionError} />
      {taxFor && (
        <TaxDetailsForm
          planName={taxFor.name}
          onSaved={() => {
            const plan = taxFor;
            setTaxFor(null);
            choose(plan, { kind: "subscribe", trial: false });
          }}
          onClose={() => setTaxFor(null)}
        />
      )}
      {checkout && publishableKey && (
        <PaymentForm
          publishableKey={publishableKey}
          answer={checkout.answer}
          plan={checkout.plan}
          onConfirmed={() => void paid(checkout.plan)}
          onClose={() => void closeCheckout()}
        />
      )}
      {plans && subscription && !publishableKey && (
        <Note>Payments are not configured on this server, so paid plans cannot be bought here yet.</Note>
      )}
      {plans && (subscription || profile) && (
        <PlanTable
          plans={plans}
          subscription={subscription ?? standInSubscription(profile?.tier ?? "free")}
          canPay={publishableKey != null}
          busy={busy || processing != null || checkout != null || !subscription}
          onChoose={choose}
        />
      )}
      {invoices && <InvoiceList invoices={invoices} />}
      {question && subscription && (
        <ConfirmDialog
          {...questionText(question, current, formatDay(subscription.current_period_end))}
          danger={question.kind === "cancel"}
          onConfirm={() => answer(question)}
          onCancel={() => setQuestion(null)}
        />
      )}
    </>
  );
}

function questionText(question: Question, current: string, ends: string) {
  if (question.kind === "cancel") {
    return {
      title: `Cancel your ${current} plan?`,
      children: `You keep ${current} until ${ends}. After that your account is on Free; nothing you stored is deleted, and you can resume until then.`,
      confirmLabel: "Cancel plan",
      cancelLabel: `Keep ${current}`,
    };
  }
  const target = question.plan;
  switch (question.kind) {
    case "upgrade":
      return {
        title: `Upgrade to ${target.name} now?`,
        children: `${target.name} starts at once. Stripe charges the prorated difference for the rest of this billing period today, then $${target.price} a month.`,
        confirmLabel: "Upgrade now",
        cancelLabel: "Not now",
      };
    case "downgrade":
      return {
        title: `Switch to ${target.name}?`,
        children: `You keep ${current} until ${ends}; then your plan becomes ${target.name} at $${target.price} a month. Nothing you stored is deleted; above ${target.name}'s limits, new uploads wait until you make room.`,
        confirmLabel: `Switch on ${ends}`,
        cancelLabel: `Keep ${current}`,
      };
  }
}
