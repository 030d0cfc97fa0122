// The Berth web UI: a sign-in gate (API token), the navigation bar and four pages loaded on demand,
// so the explorer's first load carries only its own code.
import { StrictMode, Suspense, lazy, useEffect, useState, type FormEvent } from "react";
import { createRoot } from "react-dom/client";
import { onUnauthorized } from "./api.js";
import { captureTokenFromUrl, clearToken, getToken, setToken } from "./auth.js";
import { Link, Loading } from "./components.js";
import { parseRoute, useLocation, type Route } from "./router.js";
import "./styles.css";

const ExplorerPage = lazy(() => import("./explorer/ExplorerPage.js"));
const ImagePage = lazy(() => import("./pages/ImagePage.js"));
const DashboardPage = lazy(() => import("./pages/DashboardPage.js"));
const AdminPage = lazy(() => import("./pages/AdminPage.js"));

function SignIn({ onSignedIn }: { onSignedIn: () => void }) {
  const [value, setValue] = useState("");
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!value.trim()) return;
    setToken(value);
    onSignedIn();
  };
  return (
    <main id="main" className="signin">
      <h1>Berth</h1>
      <form onSubmit={submit} aria-labelledby="signin-title">
        <h2 id="signin-title">Sign in</h2>
        <p>
          Paste an API token (<code>berth token create --role read</code>). It stays in this browser tab only.
        </p>
        <label htmlFor="token">API token</label>
        <input id="token" type="password" autoComplete="off" value={value} onChange={(e) => setValue(e.target.value)} autoFocus />
        <button type="submit">Sign in</button>
      </form>
    </main>
  );
}

const NAV: { to: string; label: string; page: Route["page"] }[] = [
  { to: "/", label: "Dashboard", page: "dashboard" },
  { to: "/explorer", label: "Explorer", page: "explorer" },
  { to: "/admin", label: "Admin", page: "admin" },
];

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case "dashboard":
      return <DashboardPage />;
    case "explorer":
      return <ExplorerPage />;
    case "image":
      return <ImagePage digest={route.digest} />;
    case "admin":
      return <AdminPage />;
    case "not-found":
      return (
        <section>
          <h1>Not found</h1>
          <p>
            No page at <code>{route.path}</code>. <Link to="/">Go to the dashboard</Link>.
          </p>
        </section>
      );
  }
}

function App() {
  const [signedIn, setSignedIn] = useState(() => getToken() !== null);
  const loc = useLocation();
  const route = parseRoute(loc.pathname);
  useEffect(() => onUnauthorized(() => setSignedIn(false)), []);
  useEffect(() => {
    const titles: Record<Route["page"], string> = { dashboard: "Dashboard", explorer: "Explorer", image: "Image", admin: "Admin", "not-found": "Not found" };
    document.title = `${titles[route.page]} · Berth`;
  }, [route.page]);
  if (!signedIn) return <SignIn onSignedIn={() => setSignedIn(true)} />;
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand" aria-label="Berth">
          ⚓ Berth
        </span>
        <nav aria-label="Main">
          <ul>
            {NAV.map((n) => (
              <li key={n.to}>
                <Link to={n.to} aria-current={route.page === n.page ? "page" : undefined}>
                  {n.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <button
          type="button"
          className="link-button"
          onClick={() => {
            clearToken();
            setSignedIn(false);
          }}
        >
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        <Suspense fallback={<Loading what="page" />}>
          <Page route={route} />
        </Suspense>
      </main>
    </>
  );
}

captureTokenFromUrl();
const root = document.getElementById("root");
if (root)
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
