/** Routes: public auth pages, and the signed-in studio behind a guard that keeps the wanted URL. */
import { lazy, Suspense, useEffect, type ReactNode } from "react";

import { SessionProvider, useSession } from "./auth/session";
import { Layout } from "./components/Layout";
import { ForgotPasswordPage } from "./pages/auth/ForgotPasswordPage";
import { ResetPasswordPage } from "./pages/auth/ResetPasswordPage";
import { SignInPage } from "./pages/auth/SignInPage";
import { SignUpPage } from "./pages/auth/SignUpPage";
import { VerifyEmailPage } from "./pages/auth/VerifyEmailPage";
import { LibraryPage } from "./pages/library/LibraryPage";
import { match, navigate, useLocation } from "./router";

// Only the library and the sign-in pages are in the first script: the rest load when opened,
// which keeps the first load of the library short.
const CollectionPage = lazy(() => import("./pages/collections/CollectionPage").then((m) => ({ default: m.CollectionPage })));
const CollectionsPage = lazy(() => import("./pages/collections/CollectionsPage").then((m) => ({ default: m.CollectionsPage })));
const KitPage = lazy(() => import("./pages/kits/KitPage").then((m) => ({ default: m.KitPage })));
const KitsPage = lazy(() => import("./pages/kits/KitsPage").then((m) => ({ default: m.KitsPage })));
const LandingPage = lazy(() => import("./pages/landing/LandingPage").then((m) => ({ default: m.LandingPage })));
const SamplePage = lazy(() => import("./pages/sample/SamplePage").then((m) => ({ default: m.SamplePage })));
const SearchPage = lazy(() => import("./pages/search/SearchPage").then((m) => ({ default: m.SearchPage })));
const AccountPage = lazy(() => import("./pages/settings/AccountPage").then((m) => ({ default: m.AccountPage })));
const BillingPage = lazy(() => import("./pages/settings/BillingPage").then((m) => ({ default: m.BillingPage })));

const TITLES: Record<string, string> = {
  "/signin": "Sign in",
  "/signup": "Create account",
  "/verify-email": "Confirm e-mail",
  "/forgot-password": "Forgot password",
  "/reset-password": "Reset password",
  "/library": "Library",
  "/search": "Search",
  "/collections": "Collections",
  "/kits": "Kits",
  "/billing": "Plan & usage",
  "/account": "Account",
};

function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, { replace: true }), [to]);
  return null;
}

function RequireSession({ children }: { children: ReactNode }) {
  const { status } = useSession();
  const { path, query } = useLocation();
  if (status === "loading") return <p role="status">Loading…</p>;
  if (status === "signed-out") {
    const here = query.size ? `${path}?${query.toString()}` : path;
    return <Redirect to={`/signin?next=${encodeURIComponent(here)}`} />;
  }
  return <>{children}</>;
}

function NotFound() {
  return (
    <section className="card narrow">
      <h1>Page not found</h1>
      <p>There is nothing at this address.</p>
    </section>
  );
}

function Routes() {
  const { path } = useLocation();
  const { status } = useSession();

  useEffect(() => {
    const title =
      TITLES[path] ??
      (path.startsWith("/samples/")
        ? "Sample"
        : path.startsWith("/collections/")
          ? "Collection"
          : path.startsWith("/kits/")
            ? "Kit"
            : null);
    document.title = title ? `${title} · SP-404 Sample Cloud` : "SP-404 Sample Cloud";
  }, [path]);

  switch (path) {
    case "/":
      if (status === "loading") return <p role="status">Loading…</p>;
      // A visitor first sees what the product does; a producer goes straight to the library.
      return status === "signed-in" ? <Redirect to="/library" /> : <LandingPage />;
    case "/signin":
      return <SignInPage />;
    case "/signup":
      return <SignUpPage />;
    case "/verify-email":
      return <VerifyEmailPage />;
    case "/forgot-password":
      return <ForgotPasswordPage />;
    case "/reset-password":
      return <ResetPasswordPage />;
    case "/library":
      return (
        <RequireSession>
          <LibraryPage />
        </RequireSession>
      );
    case "/search":
      return (
        <RequireSession>
          <SearchPage />
        </RequireSession>
      );
    case "/collections":
      return (
        <RequireSession>
          <CollectionsPage />
        </RequireSession>
      );
    case "/kits":
      return (
        <RequireSession>
          <KitsPage />
        </RequireSession>
      );
    case "/billing":
      return (
        <RequireSession>
          <BillingPage />
        </RequireSession>
      );
    case "/account":
      return (
        <RequireSession>
          <AccountPage />
        </RequireSession>
      );
  }
  const sample = match("/samples/:id", path);
  if (sample) {
    return (
      <RequireSession>
        <SamplePage key={sample.id} id={sample.id} />
      </RequireSession>
    );
  }
  const collection = match("/collections/:id", path);
  if (collection) {
    return (
      <RequireSession>
        <CollectionPage key={collection.id} id={collection.id} />
      </RequireSession>
    );
  }
  const kit = match("/kits/:id", path);
  if (kit) {
    return (
      <RequireSession>
        <KitPage key={kit.id} id={kit.id} />
      </RequireSession>
    );
  }
  return <NotFound />;
}

export function App() {
  return (
    <SessionProvider>
      <Layout>
        <Suspense fallback={<p role="status">Loading…</p>}>
          <Routes />
        </Suspense>
      </Layout>
    </SessionProvider>
  );
}
