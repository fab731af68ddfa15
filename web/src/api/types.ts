/**
 * Response shapes of the routes the app uses (see the README's API table and the PRD).
 *
 * The platform's come from its OpenAPI document (`generated/platform.ts`, written by
 * `.venv/bin/python -m scripts.generate_api_types`): a renamed or retyped field fails the build.
 * Where the app builds stand-ins of its own (a profile from the token's claims, a subscription
 * while the real one loads, test fixtures), the type picks the fields the app uses. The engine's
 * are still written by hand: the library's live list builds rows whose status and format are
 * looser than the engine's enums (an upload's "stored" becomes a sample status, format "").
 */
import type { components as PlatformComponents } from "./generated/platform";

type Platform = PlatformComponents["schemas"];

/** The user in a sign-in answer. */
export type User = Platform["LoginUser"];

/** POST /api/auth/login and POST /api/account/password. */
export type LoginBody = Platform["LoginOut"];

/** GET /api/account/profile, less the avatar URL (the account page adds it). */
export type Profile = Omit<Platform["ProfileOut"], "avatar_url">;

/** One of GET /api/auth/sessions. */
export type Session = Platform["SessionOut"];

export interface Sample {
  id: string;
  title: string | null;
  filename: string;
  format: string;
  size_bytes: number;
  duration: number | null;
  sample_rate: number | null;
  channels: number | null;
  genre: string | null;
  tags: string[];
  bpm: number | null;
  musical_key: string | null;
  is_loop: boolean | null;
  status: string;
  created_at: string;
  vibe?: unknown;
}

export interface Job {
  id: string;
  sample_id: string | null;
  status: string;
  progress: number;
  last_error: string | null;
}

export interface SampleDetail extends Sample {
  features: Record<string, unknown> | null;
  job: Job | null;
}

export interface SamplePage {
  samples: Sample[];
  total: number;
  limit: number;
  offset: number;
}

export interface SimilarResult {
  sample: Sample;
  score: number;
  bpm_match: string | null;
  key_relation: string | null;
}

export interface UploadAccepted {
  job_id: string | null;
  sample_id: string;
  status: string;
  filename: string;
}

type PlanFeatures = Platform["PlanFeatures"];

/** One of GET /api/billing/plans. */
export type Plan = Pick<Platform["PlanOut"], "id" | "name" | "price" | "trial_days" | "available"> & {
  features: Pick<PlanFeatures, "storage_gb" | "analyses_per_month" | "api_requests_per_day" | "collections"> & {
    // Wider than the service's (always a number): planChange.test.ts's plans leave it null.
    concurrent_uploads: PlanFeatures["concurrent_uploads"] | null;
  };
};

/** One of GET /api/billing/subscription's warnings (a quota at 80 % or more). */
export type QuotaWarning = Pick<Platform["QuotaWarningOut"], "quota" | "percent" | "over_limit" | "message">;

/** GET /api/billing/subscription (and the answers of change, cancel and resume). */
export type Subscription = Pick<
  Platform["SubscriptionOut"],
  "tier" | "status" | "next_billing_date" | "price" | "cancel_at_period_end" | "pending_tier" | "has_billing_account"
> & {
  usage?: Pick<
    Platform["UsageOut"],
    | "storage_mb"
    | "storage_limit_mb"
    | "analyses_used"
    | "analyses_limit"
    | "api_calls_today"
    | "api_calls_limit"
    | "period_end"
  >;
  warnings?: QuotaWarning[];
};
