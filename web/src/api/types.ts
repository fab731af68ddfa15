/**
 * Names for the response shapes the app uses, all taken from the services' OpenAPI documents
 * (`generated/platform.ts`, `generated/engine.ts`, written by
 * `.venv/bin/python -m scripts.generate_api_types`): a renamed or retyped field fails the build.
 * Where the app builds stand-ins of its own (a profile from the token's claims, a subscription
 * while the real one loads, a provisional library row, test fixtures), the type picks or widens
 * the fields the app uses; it never declares a field the API does not have.
 */
import type { components as EngineComponents } from "./generated/engine";
import type { components as PlatformComponents } from "./generated/platform";

type Platform = PlatformComponents["schemas"];
type Engine = EngineComponents["schemas"];

/** The user in a sign-in answer. */
export type User = Platform["LoginUser"];

/** POST /api/auth/login and POST /api/account/password. */
export type LoginBody = Platform["LoginOut"];

/** GET /api/account/profile, less the avatar URL (the account page adds it). */
export type Profile = Omit<Platform["ProfileOut"], "avatar_url">;

/** One of GET /api/auth/sessions. */
export type Session = Platform["SessionOut"];

type EngineSample = Engine["Sample"];

/** The fields of a sample the library shows (a new field in the API does not break the live list's rows). */
type ShownSampleField =
  | "id"
  | "title"
  | "filename"
  | "size_bytes"
  | "duration"
  | "sample_rate"
  | "channels"
  | "genre"
  | "tags"
  | "bpm"
  | "musical_key"
  | "is_loop"
  | "created_at";

/**
 * A sample as the library lists it (GET /api/samples, search and similar answers carry the same
 * fields). Wider than the engine's in two fields only: the live list shows an accepted upload
 * before it is listed, with the upload's status ("stored") and no format yet ("").
 */
export type Sample = Pick<EngineSample, ShownSampleField> & {
  format: EngineSample["format"] | "";
  status: EngineSample["status"] | Engine["UploadAccepted"]["status"];
  vibe?: Engine["LibrarySample"]["vibe"];
  /** Absent on a provisional row only (not analysed yet). */
  camelot?: EngineSample["camelot"];
  corrected?: Engine["LibrarySample"]["corrected"];
  detected?: Engine["LibrarySample"]["detected"];
};

/** A job as the library follows it (GET /api/jobs, the job event stream). */
export type Job = Pick<Engine["Job"], "id" | "sample_id" | "status" | "progress" | "last_error">;

/** GET /api/samples/{sample_id}. */
export type SampleDetail = Engine["SampleDetail"];

/** GET /api/samples: a page of the library (rows may be provisional, see Sample). */
export type SamplePage = Pick<Engine["SamplePage"], "total" | "limit" | "offset"> & {
  samples: Sample[];
  /** The key filter as the API understood it, with every key it kept. */
  key_filter?: Engine["SamplePage"]["key_filter"];
};

/** One of GET /api/samples/{sample_id}/similar. */
export type SimilarResult = Engine["SimilarSample"];

/** POST /api/samples. */
export type UploadAccepted = Engine["UploadAccepted"];

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
  > | null;
  warnings?: QuotaWarning[] | null;
};
