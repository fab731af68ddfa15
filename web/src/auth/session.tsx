/** Who is signed in. On load the refresh cookie is traded for an access token (kept in memory). */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";

import { api, onSignedOut, refreshAccessToken, setAccessToken } from "../api/client";
import type { LoginBody, Profile } from "../api/types";

type Status = "loading" | "signed-in" | "signed-out";

interface SessionValue {
  status: Status;
  profile: Profile | null;
  signIn: (email: string, password: string) => Promise<void>;
  signOut: () => Promise<void>;
  /** Forget the session locally (after account deletion or when the server ended it). */
  forget: () => void;
  reloadProfile: () => Promise<void>;
}

const SessionContext = createContext<SessionValue | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [status, setStatus] = useState<Status>("loading");
  const [profile, setProfile] = useState<Profile | null>(null);

  const forget = useCallback(() => {
    setAccessToken(null);
    setProfile(null);
    setStatus("signed-out");
  }, []);

  const reloadProfile = useCallback(async () => {
    setProfile(await api<Profile>("/api/account/profile"));
  }, []);

  useEffect(() => {
    let cancelled = false;
    void (async () => {
      const restored = await refreshAccessToken();
      if (cancelled) return;
      if (!restored) {
        setStatus("signed-out");
        return;
      }
      // The token is enough to show the page: the profile (only the header and the account
      // page use it) loads alongside the page's own requests instead of before them.
      setStatus("signed-in");
      try {
        const loaded = await api<Profile>("/api/account/profile");
        if (!cancelled) setProfile(loaded);
      } catch {
        if (!cancelled) forget();
      }
    })();
    const unsubscribe = onSignedOut(forget);
    return () => {
      cancelled = true;
      unsubscribe();
    };
  }, [forget]);

  const signIn = useCallback(async (email: string, password: string) => {
    const body = await api<LoginBody>("/api/auth/login", {
      method: "POST",
      body: { email, password },
      auth: false,
    });
    setAccessToken(body.token);
    setProfile(await api<Profile>("/api/account/profile"));
    setStatus("signed-in");
  }, []);

  const signOut = useCallback(async () => {
    try {
      await api("/api/auth/logout", { method: "POST", body: {} });
    } finally {
      forget();
    }
  }, [forget]);

  const value = useMemo(
    () => ({ status, profile, signIn, signOut, forget, reloadProfile }),
    [status, profile, signIn, signOut, forget, reloadProfile],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error("useSession outside SessionProvider");
  return value;
}
