// A small History-API router: the app has five pages, so a path match is all it needs.
import { useEffect, useState } from "react";

export type Route =
  | { page: "dashboard" }
  | { page: "explorer" }
  | { page: "images" }
  | { page: "image"; digest: string }
  | { page: "admin" }
  | { page: "not-found"; path: string };

export function parseRoute(pathname: string): Route {
  if (pathname === "/" || pathname === "") return { page: "dashboard" };
  if (pathname === "/explorer" || pathname === "/explorer/") return { page: "explorer" };
  if (pathname === "/admin" || pathname === "/admin/") return { page: "admin" };
  if (pathname === "/images" || pathname === "/images/") return { page: "images" };
  const m = /^\/images\/([^/]+)\/?$/.exec(pathname);
  if (m?.[1]) return { page: "image", digest: decodeURIComponent(m[1]) };
  return { page: "not-found", path: pathname };
}

const EVENT = "berth:navigate";

/** Client-side navigation (pushState) that every useLocation hook hears. */
export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  if (opts.replace) window.history.replaceState(null, "", to);
  else window.history.pushState(null, "", to);
  window.dispatchEvent(new Event(EVENT));
}

export function useLocation(): { pathname: string; search: string } {
  const read = () => ({ pathname: window.location.pathname, search: window.location.search });
  const [loc, setLoc] = useState(read);
  useEffect(() => {
    const update = () => setLoc(read());
    window.addEventListener("popstate", update);
    window.addEventListener(EVENT, update);
    return () => {
      window.removeEventListener("popstate", update);
      window.removeEventListener(EVENT, update);
    };
  }, []);
  return loc;
}

export function imagePath(digest: string): string {
  return `/images/${encodeURIComponent(digest)}`;
}
