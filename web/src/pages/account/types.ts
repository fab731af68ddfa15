/** Shapes of the account routes this page uses beyond the shared ones (platform/accounts/schemas.py). */
import type { Profile } from "../../api/types";

/** The profile as GET/PATCH /api/account/profile and PUT /api/account/avatar answer it. */
export interface AccountProfile extends Profile {
  /** Set when an avatar is stored; it needs the Authorization header, so <img> cannot load it. */
  avatar_url: string | null;
}

export interface Preferences {
  auto_analyze_enabled: boolean;
  selected_model: string;
  notification_email_enabled: boolean;
}

export interface AccountExport {
  id: string;
  status: "queued" | "running" | "ready" | "failed" | string;
  progress: number;
  created_at: string;
  expires_at: string | null;
  size_bytes: number | null;
  download_url: string | null;
  error: string | null;
}
