/** Names for the account shapes this page uses beyond the shared ones, from the platform's OpenAPI document. */
import type { components } from "../../api/generated/platform";

type Platform = components["schemas"];

/** The profile as GET/PATCH /api/account/profile and PUT /api/account/avatar answer it. */
export type AccountProfile = Platform["ProfileOut"];

export type Preferences = Platform["PreferencesOut"];

export type AccountExport = Platform["ExportOut"];
