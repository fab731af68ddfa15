/**
 * An upgrade whose prorated payment the bank wants confirmed (3-D Secure). The platform answers
 * the change with `payment_client_secret` and keeps the current plan; Stripe.js shows the bank's
 * challenge here, and the new plan applies once Stripe reports the payment (a webhook), so the
 * page then waits for it.
 */
import { stripeFor } from "./stripe";

/** Let the producer pass the bank's check; null when done, else why the payment did not go through. */
export async function confirmUpgradePayment(
  publishableKey: string | null,
  clientSecret: string,
): Promise<string | null> {
  if (!publishableKey) return "Payments cannot be confirmed on this server.";
  const stripe = await stripeFor(publishableKey);
  const { error } = await stripe.handleNextAction({ clientSecret });
  return error ? (error.message ?? "Your bank did not confirm the payment.") : null;
}
