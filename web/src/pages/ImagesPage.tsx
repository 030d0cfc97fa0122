// Every image the server knows (GET /api/v1/images): a filter box and sort that the server applies,
// keyset pages fetched as the list scrolls, and a windowed table that renders only the rows in view
// (plus a margin), so ten thousand images scroll as smoothly as ten. The filter and sort are in the
// URL, so a list is shareable.
import { useCallback, useEffect, useLayoutEffect, useRef, useState, type UIEvent } from "react";
import { api } from "../api.js";
import { ErrorBox, Link, RelTime, SeverityCounts, shortDigest } from "../components.js";
import { imagePath, navigate, useLocation } from "../router.js";

interface ImageItem {
  digest: string;
  name: string | null;
  names: string[];
  sourceRepository: string | null;
  platform: string | null;
  distro: string | null;
  scanStatus: string;
  scannedAt: string | null;
  createdAt: string;
  openFindings: Record<string, number>;
  running: boolean;
  internetExposed: boolean;
}

interface ImagePage {
  total: number;
  items: ImageItem[];
  nextCursor: string | null;
}

const SORTS = [
  { value: "created", label: "First seen" },
  { value: "scanned", label: "Last scanned" },
  { value: "digest", label: "Digest" },
] as const;
type Sort = (typeof SORTS)[number]["value"];

/** Row height in pixels: fixed, so the window is plain arithmetic (CSS keeps rows to one line). */
const ROW = 40;
/** Rows rendered beyond the visible ones, above and below. */
const OVERSCAN = 10;
/** Fetch the next page when the window comes this close to the last loaded row. */
const PREFETCH = 30;
const DEFAULT_LIMIT = 100;

interface ListParams {
  q: string;
  sort: Sort;
  order: "asc" | "desc";
  limit: number;
}

function readParams(search: string): ListParams {
  const p = new URLSearchParams(search);
  const sort = (SORTS.find((s) => s.value === p.get("sort"))?.value ?? "created") as Sort;
  const order = p.get("order") === "asc" || p.get("order") === "desc" ? (p.get("order") as "asc" | "desc") : sort === "digest" ? "asc" : "desc";
  const n = Number(p.get("limit"));
  const limit = Number.isInteger(n) && n >= 1 && n <= 500 ? n : DEFAULT_LIMIT;
  return { q: (p.get("q") ?? "").slice(0, 200), sort, order, limit };
}

function listUrl(p: ListParams): string {
  const s = new URLSearchParams();
  if (p.q) s.set("q", p.q);
  if (p.sort !== "created") s.set("sort", p.sort);
  if (p.order !== (p.sort === "digest" ? "asc" : "desc")) s.set("order", p.order);
  if (p.limit !== DEFAULT_LIMIT) s.set("limit", String(p.limit));
  const qs = s.toString();
  return `/images${qs ? `?${qs}` : ""}`;
}

function apiPath(p: ListParams, cursor: string | null): string {
  const s = new URLSearchParams({ limit: String(p.limit), sort: p.sort, order: p.order });
  if (p.q) s.set("q", p.q);
  if (cursor) s.set("cursor", cursor);
  return `/api/v1/images?${s.toString()}`;
}

/** Pages of the list, loaded one after another on demand; a new filter or sort starts over. */
function usePagedImages(p: ListParams) {
  const [state, setState] = useState<{ items: ImageItem[]; total: number | null; next: string | null; done: boolean; loading: boolean; error: unknown }>({
    items: [],
    total: null,
    next: null,
    done: false,
    loading: true,
    error: undefined,
  });
  const ctl = useRef<AbortController | null>(null);
  const key = apiPath(p, null);
  const load = useCallback(
    (cursor: string | null, reset: boolean) => {
      ctl.current?.abort();
      const c = new AbortController();
      ctl.current = c;
      setState((s) => (reset ? { items: [], total: null, next: null, done: false, loading: true, error: undefined } : { ...s, loading: true, error: undefined }));
      api<ImagePage>(apiPath(p, cursor), { signal: c.signal }).then(
        (page) => {
          if (c.signal.aborted) return;
          setState((s) => ({ items: reset ? page.items : [...s.items, ...page.items], total: page.total, next: page.nextCursor, done: page.nextCursor === null, loading: false, error: undefined }));
        },
        (error: unknown) => {
          if (!c.signal.aborted) setState((s) => ({ ...s, loading: false, error }));
        },
      );
    },
    // The key covers every parameter the request uses.
    [key],
  );
  useEffect(() => {
    load(null, true);
    return () => ctl.current?.abort();
  }, [load]);
  const more = useCallback(() => {
    if (!state.loading && !state.done && state.next && !state.error) load(state.next, false);
  }, [state.loading, state.done, state.next, state.error, load]);
  return { ...state, more, retry: () => load(state.next, state.items.length === 0) };
}

function Filters({ p }: { p: ListParams }) {
  const [text, setText] = useState(p.q);
  useEffect(() => setText(p.q), [p.q]);
  // Typing filters after a short pause, replacing the history entry (no entry per keystroke).
  useEffect(() => {
    if (text === p.q) return;
    const t = setTimeout(() => navigate(listUrl({ ...p, q: text.trim() }), { replace: true }), 250);
    return () => clearTimeout(t);
  }, [text, p]);
  return (
    <form className="list-filters" role="search" aria-label="Filter images" onSubmit={(e) => (e.preventDefault(), navigate(listUrl({ ...p, q: text.trim() }), { replace: true }))}>
      <label htmlFor="images-q">Filter</label>
      <input id="images-q" type="search" value={text} maxLength={200} placeholder="name, tag, digest or code repository" onChange={(e) => setText(e.target.value)} />
      <label htmlFor="images-sort">Sort by</label>
      <select id="images-sort" value={p.sort} onChange={(e) => navigate(listUrl({ ...p, sort: e.target.value as Sort, order: e.target.value === "digest" ? "asc" : "desc" }), { replace: true })}>
        {SORTS.map((s) => (
          <option key={s.value} value={s.value}>
            {s.label}
          </option>
        ))}
      </select>
      <label htmlFor="images-order" className="sr-only">
        Order
      </label>
      <select id="images-order" value={p.order} onChange={(e) => navigate(listUrl({ ...p, order: e.target.value as "asc" | "desc" }), { replace: true })}>
        <option value="desc">{p.sort === "digest" ? "Z → A" : "Newest first"}</option>
        <option value="asc">{p.sort === "digest" ? "A → Z" : "Oldest first"}</option>
      </select>
    </form>
  );
}

function Row({ image, index }: { image: ImageItem; index: number }) {
  const label = image.name ?? shortDigest(image.digest);
  return (
    <tr className="vrow" aria-rowindex={index + 2} data-digest={image.digest}>
      <td className="col-image" title={`${label}\n${image.digest}`}>
        <Link to={imagePath(image.digest)}>{label}</Link> <span className="muted mono small">{shortDigest(image.digest).slice(7)}</span>
      </td>
      <td className="col-source" title={image.sourceRepository ?? ""}>
        {image.sourceRepository ? image.sourceRepository.replace(/^https?:\/\//, "") : <span className="muted">—</span>}
      </td>
      <td className="col-findings">
        <SeverityCounts counts={image.openFindings} />
      </td>
      <td className="col-scan">
        {image.scanStatus === "scanned" ? <RelTime value={image.scannedAt} /> : <span className={image.scanStatus === "failed" ? "error" : "muted"}>{image.scanStatus}</span>}
      </td>
      <td className="col-runs">{image.internetExposed ? <span className="badge bad">internet</span> : image.running ? <span className="badge">running</span> : <span className="muted">—</span>}</td>
      <td className="col-created">
        <RelTime value={image.createdAt} />
      </td>
    </tr>
  );
}

export default function ImagesPage() {
  const loc = useLocation();
  const p = readParams(loc.search);
  const list = usePagedImages(p);
  const box = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(600);
  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    setHeight(el.clientHeight);
    const ro = new ResizeObserver(() => setHeight(el.clientHeight));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  // A new filter or sort starts at the top.
  const key = apiPath(p, null);
  useEffect(() => {
    if (box.current) box.current.scrollTop = 0;
    setScrollTop(0);
  }, [key]);
  const onScroll = (e: UIEvent<HTMLDivElement>) => setScrollTop(e.currentTarget.scrollTop);
  const n = list.items.length;
  const first = Math.max(0, Math.floor(scrollTop / ROW) - OVERSCAN);
  const last = Math.min(n, Math.ceil((scrollTop + height) / ROW) + OVERSCAN);
  const { more } = list;
  useEffect(() => {
    if (last >= n - PREFETCH) more();
  }, [last, n, more]);
  return (
    <div className="images-page">
      <div className="list-head">
        <h1>Images</h1>
        <Filters p={p} />
      </div>
      <p className="muted small" role="status" aria-live="polite" data-testid="images-status" data-loaded={n} data-total={list.total ?? ""}>
        {list.total === null ? "Loading images…" : `${list.total.toLocaleString()} image${list.total === 1 ? "" : "s"}${p.q ? ` matching “${p.q}”` : ""}; ${n.toLocaleString()} loaded${list.loading ? ", loading more…" : ""}`}
      </p>
      {list.error ? (
        <div>
          <ErrorBox error={list.error} />
          <button type="button" onClick={list.retry}>
            Retry
          </button>
        </div>
      ) : null}
      <div className="vlist" ref={box} onScroll={onScroll} tabIndex={0} aria-label="Image list, scrollable" data-testid="images-list">
        <table className="images" aria-rowcount={(list.total ?? n) + 1}>
          <caption className="sr-only">Images, {SORTS.find((s) => s.value === p.sort)?.label.toLowerCase()} {p.order === "asc" ? "ascending" : "descending"}</caption>
          <thead>
            <tr aria-rowindex={1}>
              <th scope="col" className="col-image">
                Image
              </th>
              <th scope="col" className="col-source">
                Code repository
              </th>
              <th scope="col" className="col-findings">
                Open findings
              </th>
              <th scope="col" className="col-scan">
                Scanned
              </th>
              <th scope="col" className="col-runs">
                Runs
              </th>
              <th scope="col" className="col-created">
                First seen
              </th>
            </tr>
          </thead>
          <tbody>
            {first > 0 ? <tr aria-hidden="true" className="spacer" style={{ height: first * ROW }} /> : null}
            {list.items.slice(first, last).map((image, i) => (
              <Row key={image.digest} image={image} index={first + i} />
            ))}
            {last < n ? <tr aria-hidden="true" className="spacer" style={{ height: (n - last) * ROW }} /> : null}
          </tbody>
        </table>
        {list.total === 0 ? <p className="muted empty">No images{p.q ? " match this filter" : " yet"}.</p> : null}
      </div>
    </div>
  );
}
