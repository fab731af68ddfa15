/**
 * Personal access tokens for scripts (session-only routes: a token cannot manage tokens). The
 * daily API-call quota counts requests made with these tokens, not the web app's own.
 */
import { api } from "../../api/client";

export const SCOPES = [
  { id: "library:read", label: "Read your library", hint: "List, search and download samples" },
  { id: "library:write", label: "Change your library", hint: "Upload, edit and delete samples" },
  { id: "kits:write", label: "Build kits", hint: "Create and change kits and exports" },
] as const;

export const EXPIRY_CHOICES = [
  { days: 7, label: "7 days" },
  { days: 30, label: "30 days" },
  { days: 90, label: "90 days" },
  { days: 365, label: "1 year" },
  { days: null, label: "Never" },
] as const;

export const NAME_MAX = 100;

export interface PersonalToken {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
}

export interface CreatedToken extends PersonalToken {
  /** The whole secret: shown once, never again. */
  token: string;
}

export interface NewToken {
  name: string;
  scopes: string[];
  expires_in_days: number | null;
}

/** The request body for a form's values, or the reason it cannot be sent. */
export function newTokenFrom(name: string, scopes: string[], expiry: string): NewToken | string {
  const trimmed = name.trim();
  if (!trimmed) return "Give the token a name, so you know later what uses it.";
  if (trimmed.length > NAME_MAX) return `A name can be up to ${NAME_MAX} characters.`;
  const known = new Set<string>(SCOPES.map((scope) => scope.id));
  const chosen = scopes.filter((scope) => known.has(scope));
  if (chosen.length === 0) return "Choose at least one thing the token may do.";
  const days = expiry === "never" || expiry === "" ? null : Number(expiry);
  if (days !== null && !(Number.isInteger(days) && days >= 1 && days <= 366)) return "Choose when the token expires.";
  return { name: trimmed, scopes: chosen, expires_in_days: days };
}

/** A command that tries the token at once. */
export function curlLine(token: string, origin: string): string {
  return `curl -H "Authorization: Bearer ${token}" ${origin}/api/samples`;
}

/** "sp404_pat_abcd…": the part of a token that identifies it without revealing it. */
export function shownPrefix(prefix: string): string {
  return `${prefix}…`;
}

export const tokensApi = {
  list: () => api<{ tokens: PersonalToken[]; total: number }>("/api/account/tokens"),
  create: (body: NewToken) => api<CreatedToken>("/api/account/tokens", { method: "POST", body }),
  revoke: (id: string) => api<void>(`/api/account/tokens/${encodeURIComponent(id)}`, { method: "DELETE" }),
};
