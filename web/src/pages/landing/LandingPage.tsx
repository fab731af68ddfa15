/**
 * What a signed-out visitor sees at `/`: what the product does for an SP-404MK2 owner, the plans
 * as the server states them, and the way in.
 */
import { call } from "../../api/client";
import { useResource } from "../../api/useResource";
import { Link } from "../../router";
import "./landing.css";

const STEPS = [
  {
    title: "Upload your sounds",
    text: "Drop WAV, AIFF, FLAC, OGG or MP3 files, or a whole ZIP. Each one is analysed for tempo, key, loudness and timbre, and gets a short description of its vibe.",
  },
  {
    title: "Find what fits",
    text: "Search your library in plain words, filter by tempo and key, and ask for sounds similar to the one you are hearing.",
  },
  {
    title: "Build kits on 10 × 16 pads",
    text: "Lay samples out on the sampler's banks A–J, set loop, gate, one-shot and mute groups, or let the app fill a bank from a sentence.",
  },
  {
    title: "Take it to the SP-404MK2",
    text: "Export an IMPORT pack the sampler loads (48 kHz, 16-bit, its folder layout), or bring a project from your SD card back into your library.",
  },
];

function storage(bytes: number | null): string {
  if (bytes == null) return "Unlimited storage";
  const mb = bytes / (1024 * 1024);
  return mb < 1024 ? `${Math.round(mb)} MB of storage` : `${Math.round((mb / 1024) * 10) / 10} GB of storage`;
}

function limit(value: number | null | undefined, unit: string): string {
  return value == null ? `Unlimited ${unit}` : `${value.toLocaleString()} ${unit}`;
}

export function LandingPage() {
  const plans = useResource((signal) => call("get", "/api/billing/plans", { auth: false, signal }), []);
  return (
    <div className="landing">
      <section className="landing-hero">
        <h1>Your samples, ready for the SP-404MK2</h1>
        <p>
          SP-404 Sample Cloud keeps your sample library in one place, tells you the tempo and key of every
          sound, and turns your picks into kits and files the sampler loads.
        </p>
        <p className="landing-actions">
          <Link to="/signup" className="button">
            Create a free account
          </Link>
          <Link to="/signin">Sign in</Link>
        </p>
      </section>
      <section aria-labelledby="how-heading">
        <h2 id="how-heading">How it works</h2>
        <ol className="landing-steps">
          {STEPS.map((step) => (
            <li key={step.title} className="card">
              <h3>{step.title}</h3>
              <p>{step.text}</p>
            </li>
          ))}
        </ol>
      </section>
      <section aria-labelledby="plans-heading">
        <h2 id="plans-heading">Plans</h2>
        {plans.loading && !plans.data && <p role="status">Loading the plans…</p>}
        {plans.data && (
          <ul className="landing-plans">
            {plans.data.plans.map((plan) => (
              <li key={plan.id} className="card">
                <h3>{plan.name}</h3>
                <p className="landing-price">{plan.price === 0 ? "$0, no card needed" : `$${plan.price} a month`}</p>
                <ul>
                  <li>{storage(plan.features.storage_bytes)}</li>
                  <li>{limit(plan.features.analyses_per_month, "analyses a month")}</li>
                  <li>{limit(plan.features.collections, "collections")}</li>
                  {plan.trial_days > 0 && <li>{plan.trial_days}-day free trial</li>}
                </ul>
              </li>
            ))}
          </ul>
        )}
        {plans.error !== null && !plans.data && <p>Plans could not be loaded just now; the Free plan needs no card.</p>}
      </section>
    </div>
  );
}
