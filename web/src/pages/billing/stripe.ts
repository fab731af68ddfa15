/**
 * Stripe.js, loaded from js.stripe.com (PCI rules forbid bundling or self-hosting it) only when
 * a card is to be collected: the `pure` entry does not inject the script at import time.
 */
import type { Stripe } from "@stripe/stripe-js";
import { loadStripe } from "@stripe/stripe-js/pure";

const loaded = new Map<string, Promise<Stripe>>();

export function stripeFor(publishableKey: string): Promise<Stripe> {
  let promise = loaded.get(publishableKey);
  if (!promise) {
    promise = loadStripe(publishableKey).then((stripe) => {
      if (!stripe) throw new Error("Stripe.js is not available in this browser.");
      return stripe;
    });
    // A failed load (offline, blocked) may be tried again by opening the form again.
    promise.catch(() => loaded.delete(publishableKey));
    loaded.set(publishableKey, promise);
  }
  return promise;
}
