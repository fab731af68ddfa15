/**
 * Who is signed in. On load the refresh cookie is traded for an access token (kept in memory).
 * A refused profile request never keeps the producer out: the app opens with what the sign-in
 * answer (or the token) says and a banner. Sign-out always ends the session in this browser,
 * whatever the server answers.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";

import {
  call,
  beginSession,
  endSession,
  getAccessToken,
  mayHoldSession,
  onSignedOut,
  refreshAccessToken,
  signOut as signOutHere,
} from "../api/client";
import type { LoginBody, Profile } from "../api/types";
import { fallbackProfile } from "./claims";

type Status = "loading" | "signed-in" | "signed-out";

interface SessionValue {
  status: Status;
  profile: Profile | null;
  /** Why the profile shown is a stand-in (the profile request was refused); null when it is real. */
  profileProblem: unknown;
  signIn: (email: string, password: string) => Promise<void>;
  /** Confirm the address with the mailed link's token, which signs this device in; the message. */
  signInWithLink: (token: string) => Promise<string>;
  /** Ends the session here at once; tells the server when it can. Never rejects. */
  signOut: () => Promise<void>;
  /** Forget the session locally (after account deletion or when the server ended it). */
  forget: () => void;
  reloadProfile: () => Promise<void>;
}

const SessionContext = createContext<SessionValue | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [status, setStatus] = useState<Status>("loading");
  const [profile, setProfile] = useState<Profile | null>(null);
  const [profileProblem, setProfileProblem] = useState<unknown>(null);

  const clear = useCallback(() => {
    setProfile(null);
    setProfileProblem(null);
    setStatus("signed-out");
  }, []);

  const forget = useCallback(() => {
    endSession();
    clear();
  }, [clear]);

  /** The profile, or a stand-in from the token when the request is refused. */
  const loadProfile = useCallback(async (token: string, user?: LoginBody["user"]): Promise<Profile | null> => {
    try {
      const loaded = await call("get", "/api/account/profile");
      setProfileProblem(null);
      return loaded;
    } catch (caught) {
      setProfileProblem(caught);
      return fallbackProfile(token, user);
    }
  }, []);

  const reloadProfile = useCallback(async () => {
    setProfile(await call("get", "/api/account/profile"));
    setProfileProblem(null);
  }, []);

  useEffect(() => {
    let cancelled = false;
    void (async () => {
      // A visitor who never signed in here has no session to restore: no refresh to refuse.
      const restored = mayHoldSession() && (await refreshAccessToken());
      if (cancelled) return;
      const token = getAccessToken();
      if (!restored || !token) {
        setStatus("signed-out");
        return;
      }
      // The token is enough to show the page: the profile (only the header and the account
      // page use it) loads alongside the page's own requests instead of before them.
      setStatus("signed-in");
      const loaded = await loadProfile(token);
      if (!cancelled && getAccessToken()) setProfile(loaded);
    })();
    const unsubscribe = onSignedOut(clear);
    return () => {
      cancelled = true;
      unsubscribe();
    };
  }, [clear, loadProfile]);

  /** Start the session a sign-in (or the verification link) answered with. */
  const enter = useCallback(
    async (body: LoginBody) => {
      beginSession(body.token);
      setProfile(await loadProfile(body.token, body.user));
      setStatus("signed-in");
    },
    [loadProfile],
  );

  const signIn = useCallback(
    async (email: string, password: string) => {
      await enter(await call("post", "/api/auth/login", { body: { email, password }, auth: false }));
    },
    [enter],
  );

  const signInWithLink = useCallback(
    async (token: string) => {
      const body = await call("post", "/api/auth/verify", { body: { token }, auth: false });
      await enter(body);
      return body.message;
    },
    [enter],
  );

  const signOut = useCallback(async () => {
    const told = signOutHere();
    clear();
    await told;
  }, [clear]);

  const value = useMemo(
    () => ({ status, profile, profileProblem, signIn, signInWithLink, signOut, forget, reloadProfile }),
    [status, profile, profileProblem, signIn, signInWithLink, signOut, forget, reloadProfile],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error("useSession outside SessionProvider");
  return value;
}
