/**
 * The signed-in producer's avatar in the header, 24 px and round, or their initials when none is
 * stored. GET /api/account/avatar needs the Authorization header, which an <img> cannot send, so
 * the picture is fetched into a blob URL with the account page's own helper.
 */
import { useEffect, useState } from "react";

import type { Profile } from "../api/types";
import { fetchAvatar } from "../pages/account/request";
import type { AccountProfile } from "../pages/account/types";
import "./HeaderAvatar.css";

/** "Dee Lay" → "DL"; falls back to the e-mail's first letter. */
export function initialsOf(profile: Pick<Profile, "email" | "first_name" | "last_name">): string {
  const letters = [profile.first_name, profile.last_name].map((name) => name?.trim()[0] ?? "").join("");
  return (letters || profile.email[0] || "?").toUpperCase();
}

function nameOf(profile: Profile): string {
  const name = [profile.first_name, profile.last_name].filter((part) => part?.trim()).join(" ");
  return name || profile.email;
}

export function HeaderAvatar({ profile }: { profile: Profile }) {
  const hasAvatar = Boolean((profile as AccountProfile).avatar_url);
  const [url, setUrl] = useState<string | null>(null);

  // Keyed on the profile object, not only on avatar_url: a replaced avatar keeps its URL, and the
  // account page's reloadProfile() hands out a new profile after every change.
  useEffect(() => {
    if (!hasAvatar) {
      setUrl(null);
      return;
    }
    const controller = new AbortController();
    fetchAvatar(controller.signal)
      .then(({ blob }) => setUrl(URL.createObjectURL(blob)))
      .catch(() => {
        // The initials stand in; the account page is where a failure is explained.
        if (!controller.signal.aborted) setUrl(null);
      });
    return () => controller.abort();
  }, [profile, hasAvatar]);

  // The old picture stays on screen until its replacement has loaded, then its blob is freed.
  useEffect(() => () => {
    if (url) URL.revokeObjectURL(url);
  }, [url]);

  if (url) {
    return <img src={url} alt={`Avatar of ${nameOf(profile)}`} className="header-avatar" width={24} height={24} />;
  }
  // The initials only decorate: the Sign out button next to them already names who is signed in.
  return (
    <span className="header-avatar header-avatar-initials" aria-hidden="true">
      {initialsOf(profile)}
    </span>
  );
}
