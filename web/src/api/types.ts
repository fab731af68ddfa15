/** Response shapes of the routes the app uses (see the README's API table and the PRD). */

export interface User {
  id: string;
  email: string;
  tier: string;
}

export interface LoginBody {
  token: string;
  expires_in: number;
  user: User;
}

export interface Profile {
  id: string;
  email: string;
  first_name: string | null;
  last_name: string | null;
  tier: string;
  email_verified: boolean;
  created_at: string;
}

export interface Session {
  id: string;
  created_at: string;
  last_used_at: string;
  user_agent: string | null;
  ip: string | null;
  current: boolean;
}

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

export interface Plan {
  id: string;
  name: string;
  price: number;
  trial_days: number | null;
  available: boolean;
  features: {
    storage_gb: number | null;
    analyses_per_month: number | null;
    api_requests_per_day: number | null;
    collections: number | null;
    concurrent_uploads: number | null;
  };
}

export interface QuotaWarning {
  quota: string;
  percent: number | null;
  over_limit: boolean;
  message: string;
}

export interface Subscription {
  tier: string;
  status: string;
  next_billing_date: string | null;
  price: number;
  cancel_at_period_end: boolean;
  pending_tier: string | null;
  has_billing_account: boolean;
  usage?: {
    storage_mb: number;
    storage_limit_mb: number | null;
    analyses_used: number;
    analyses_limit: number | null;
    api_calls_today: number;
    api_calls_limit: number | null;
    period_end: string;
  };
  warnings?: QuotaWarning[];
}
