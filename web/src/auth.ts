// The API token the UI sends (contracts: kept in sessionStorage). A link `…/?token=<t>` or
// `…#token=<t>` (what `npm start` prints) stores it and removes it from the address bar, so it is
// neither bookmarked nor shown on screen.
const KEY = "berth.token";

export function captureTokenFromUrl(): void {
  const url = new URL(window.location.href);
  const fromQuery = url.searchParams.get("token");
  const fromHash = new URLSearchParams(url.hash.replace(/^#/, "")).get("token");
  const token = fromQuery ?? fromHash;
  if (!token) return;
  setToken(token);
  url.searchParams.delete("token");
  if (fromHash) url.hash = "";
  window.history.replaceState(null, "", url.pathname + url.search + url.hash);
}

export function getToken(): string | null {
  try {
    return window.sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}

export function setToken(token: string): void {
  window.sessionStorage.setItem(KEY, token.trim());
}

export function clearToken(): void {
  window.sessionStorage.removeItem(KEY);
}
