// The Berth web UI: a sign-in gate (API token), the navigation bar and five pages loaded on demand,
// so the explorer's first load carries only its own code.
import { StrictMode, Suspense, lazy, useEffect, useState, type FormEvent } from "react";
import { createRoot } from "react-dom/client";
import { onUnauthorized } from "./api.js";
import { captureTokenFromUrl, clearToken, getToken, setToken } from "./auth.js";
import { Link, Loading } from "./components.js";
import { parseRoute, useLocation, type Route } from "./router.js";
import "./styles.css";

// Each page is its own chunk. The first page's chunk is loaded before the first render, so the
// first paint does not wait on a Suspense fallback (React holds revealed fallbacks for ~300 ms).
const loaders = {
  explorer: () => import("./explorer/ExplorerPage.js"),
  images: () => import("./pages/ImagesPage.js"),
  image: () => import("./pages/ImagePage.js"),
  dashboard: () => import("./pages/DashboardPage.js"),
  admin: () => import("./pages/AdminPage.js"),
};
type PageName = keyof typeof loaders;
const ready: { [K in PageName]?: Awaited<ReturnType<(typeof loaders)[K]>>["default"] } = {};
const ExplorerPage = lazy(loaders.explorer);
const ImagesPage = lazy(loaders.images);
const ImagePage = lazy(loaders.image);
const DashboardPage = lazy(loaders.dashboard);
const AdminPage = lazy(loaders.admin);

async function preload(page: Route["page"]): Promise<void> {
  try {
    if (page === "explorer") ready.explorer = (await loaders.explorer()).default;
    else if (page === "images") ready.images = (await loaders.images()).default;
    else if (page === "image") ready.image = (await loaders.image()).default;
    else if (page === "dashboard") ready.dashboard = (await loaders.dashboard()).default;
    else if (page === "admin") ready.admin = (await loaders.admin()).default;
  } catch {
    // The lazy component retries the import and shows the error where the page would be.
  }
}

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
  { to: "/images", label: "Images", page: "images" },
  { to: "/admin", label: "Admin", page: "admin" },
];

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case "dashboard": {
      const P = ready.dashboard ?? DashboardPage;
      return <P />;
    }
    case "explorer": {
      const P = ready.explorer ?? ExplorerPage;
      return <P />;
    }
    case "images": {
      const P = ready.images ?? ImagesPage;
      return <P />;
    }
    case "image": {
      const P = ready.image ?? ImagePage;
      return <P digest={route.digest} />;
    }
    case "admin": {
      const P = ready.admin ?? AdminPage;
      return <P />;
    }
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
    const titles: Record<Route["page"], string> = { dashboard: "Dashboard", explorer: "Explorer", images: "Images", image: "Image", admin: "Admin", "not-found": "Not found" };
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
const first = parseRoute(window.location.pathname);
const root = document.getElementById("root");
if (root)
  void preload(getToken() ? first.page : "not-found").then(() =>
    createRoot(root).render(
      <StrictMode>
        <App />
      </StrictMode>,
    ),
  );
