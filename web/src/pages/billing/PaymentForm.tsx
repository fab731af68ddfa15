/**
 * Stripe's Payment Element for one subscription's first payment (or, in a trial, its card).
 * The card fields are Stripe's own frames; this form only mounts them and asks Stripe.js to
 * confirm. A decline comes back from Stripe.js and is shown next to the fields.
 */
import { useEffect, useRef, useState, type FormEvent } from "react";
import type { Stripe, StripeElements } from "@stripe/stripe-js";

import type { Plan } from "../../api/types";
import { ErrorMessage } from "../../components/Alert";
import { stripeFor } from "./stripe";
import type { SubscribeAnswer } from "./types";

// Matches the studio's dark look (colours as in styles.css).
const APPEARANCE = {
  theme: "night",
  variables: { colorPrimary: "#ffb547", colorBackground: "#121417", colorText: "#eceff3" },
} as const;

interface Props {
  publishableKey: string;
  answer: SubscribeAnswer & { client_secret: string };
  plan: Plan;
  onConfirmed: () => void;
  onClose: () => void;
}

export function PaymentForm({ publishableKey, answer, plan, onConfirmed, onClose }: Props) {
  const container = useRef<HTMLDivElement>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const [stripe, setStripe] = useState<{ stripe: Stripe; elements: StripeElements } | null>(null);
  const [ready, setReady] = useState(false);
  const [cardError, setCardError] = useState<string | null>(null);
  const [loadError, setLoadError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  const saving = answer.intent_type === "setup";
  const secret = answer.client_secret;

  useEffect(() => heading.current?.focus(), []);

  useEffect(() => {
    let live = true;
    let destroy = () => {};
    stripeFor(publishableKey)
      .then((loaded) => {
        if (!live || !container.current) return;
        const elements = loaded.elements({ clientSecret: secret, appearance: APPEARANCE });
        const element = elements.create("payment");
        element.on("ready", () => setReady(true));
        element.on("change", () => setCardError(null));
        element.mount(container.current);
        destroy = () => element.destroy();
        setStripe({ stripe: loaded, elements });
      })
      .catch(() => {
        if (live) setLoadError(new Error("Stripe's card form could not load. Check your connection and try again."));
      });
    return () => {
      live = false;
      destroy();
    };
  }, [publishableKey, secret]);

  async function submit(event: FormEvent<HTMLFormElement>): Promise<void> {
    event.preventDefault();
    if (!stripe || busy) return;
    setBusy(true);
    setCardError(null);
    // Cards confirm in place; a method that must leave the page comes back to /billing.
    const confirmParams = { return_url: `${location.origin}/billing` };
    const { elements } = stripe;
    const result = saving
      ? await stripe.stripe.confirmSetup({ elements, confirmParams, redirect: "if_required" })
      : await stripe.stripe.confirmPayment({ elements, confirmParams, redirect: "if_required" });
    if (result.error) {
      setCardError(result.error.message ?? "The card was not accepted. Try another one.");
      setBusy(false);
      return;
    }
    onConfirmed();
  }

  const trialDays = plan.trial_days ?? 0;
  return (
    <section className="card payment" aria-labelledby="payment-heading">
      <h2 id="payment-heading" ref={heading} tabIndex={-1}>
        {saving ? `Start your ${plan.name} trial` : `Pay for ${plan.name}`}
      </h2>
      <p className="muted">
        {saving
          ? `Nothing is charged today. After the ${trialDays}-day trial, $${plan.price} a month until you cancel.`
          : `$${plan.price} now, then every month until you cancel.`}
      </p>
      <form onSubmit={submit} aria-describedby={cardError ? "card-error" : undefined}>
        <div className="payment-element" ref={container} role="group" aria-label="Card details" />
        {!ready && !loadError && (
          <p className="muted" role="status">
            Loading Stripe's secure card form…
          </p>
        )}
        {cardError && (
          <p className="alert alert-error" role="alert" id="card-error">
            {cardError}
          </p>
        )}
        <ErrorMessage error={loadError} />
        <div className="actions">
          <button type="submit" disabled={!ready || busy}>
            {busy ? "Processing…" : saving ? "Save card and start trial" : `Pay $${plan.price} and subscribe`}
          </button>
          <button type="button" className="secondary-button" onClick={onClose} disabled={busy}>
            Not now
          </button>
        </div>
      </form>
    </section>
  );
}
