/**
 * Personal access tokens for scripts (session-only routes: a token cannot manage tokens). The
 * daily API-call quota counts requests made with these tokens, not the web app's own.
 */
import { call } from "../../api/client";
import type { components } from "../../api/generated/platform";

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

type Platform = components["schemas"];

export type PersonalToken = Platform["PersonalTokenOut"];

/** `token`, the whole secret, is shown once, never again. */
export type CreatedToken = Platform["PersonalTokenCreatedOut"];

export type NewToken = Platform["PersonalTokenIn"];

type Scope = NewToken["scopes"][number];

/** The request body for a form's values, or the reason it cannot be sent. */
export function newTokenFrom(name: string, scopes: string[], expiry: string): NewToken | string {
  const trimmed = name.trim();
  if (!trimmed) return "Give the token a name, so you know later what uses it.";
  if (trimmed.length > NAME_MAX) return `A name can be up to ${NAME_MAX} characters.`;
  const known = new Set<string>(SCOPES.map((scope) => scope.id));
  const chosen = scopes.filter((scope): scope is Scope => known.has(scope));
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
  list: () => call("get", "/api/account/tokens"),
  create: (body: NewToken) => call("post", "/api/account/tokens", { body }),
  revoke: (id: string) => call("delete", "/api/account/tokens/{token_id}", { params: { token_id: id } }),
};
