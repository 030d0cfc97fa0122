// Every request the UI makes goes through here: same origin, bearer token, JSON. Errors become an
// ApiError with the server's one-line message, so pages can show it (and 401 sends the user back to
// the sign-in box).
import type { NodeType } from "../../src/server/explore/schema.js";
import { clearToken, getToken } from "./auth.js";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

type Listener = () => void;
const unauthorizedListeners = new Set<Listener>();
/** Called when the server refuses the token (401): the app shows the sign-in box again. */
export function onUnauthorized(l: Listener): () => void {
  unauthorizedListeners.add(l);
  return () => unauthorizedListeners.delete(l);
}

export async function api<T>(path: string, init: { method?: "GET" | "POST" | "DELETE"; body?: unknown; signal?: AbortSignal } = {}): Promise<T> {
  const headers: Record<string, string> = { accept: "application/json" };
  const token = getToken();
  if (token) headers.authorization = `Bearer ${token}`;
  if (init.body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(path, {
    method: init.method ?? "GET",
    headers,
    credentials: "same-origin",
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    ...(init.signal ? { signal: init.signal } : {}),
  });
  const text = await res.text();
  let data: unknown = undefined;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    // Not JSON: keep the text for the message.
  }
  if (!res.ok) {
    const obj = typeof data === "object" && data !== null ? (data as Record<string, unknown>) : {};
    const message = typeof obj.message === "string" ? obj.message : `${res.status} ${res.statusText}`;
    if (res.status === 401) {
      clearToken();
      for (const l of unauthorizedListeners) l();
    }
    throw new ApiError(res.status, typeof obj.error === "string" ? obj.error : "http", message);
  }
  return data as T;
}

/** Fetches a file with the token and hands it to the browser as a download (links cannot send headers). */
export async function download(path: string, filename: string): Promise<void> {
  const token = getToken();
  const res = await fetch(path, { headers: token ? { authorization: `Bearer ${token}` } : {}, credentials: "same-origin" });
  if (!res.ok) throw new ApiError(res.status, "http", `${res.status} ${res.statusText}`);
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

// ---- The explorer API (contracts.md) ----

export type FilterValue = string | number | boolean | null;
export interface FilterAst {
  field: string;
  op: "=" | "!=" | ">=" | "<=" | ">" | "<" | "~" | "exists";
  value: FilterValue;
}
export interface StepAst {
  type: NodeType;
  filters: FilterAst[];
}
export interface QueryAst {
  steps: StepAst[];
}

export interface GraphNode {
  type: NodeType;
  id: string;
  label: string;
  props: Record<string, unknown>;
}
export interface PathEdge {
  name: string;
  from: string;
  to: string;
  details: Record<string, unknown>;
}
export interface ResultPath {
  nodes: string[];
  edges: PathEdge[];
}
export interface ExploreResponse {
  query: string;
  ast: QueryAst;
  nodes: Record<string, GraphNode>;
  paths: ResultPath[];
  nextCursor: string | null;
}

export function explore(query: string | QueryAst, opts: { limit?: number; cursor?: string | null; signal?: AbortSignal } = {}): Promise<ExploreResponse> {
  return api<ExploreResponse>("/api/v1/explore", {
    method: "POST",
    body: { query, ...(opts.limit ? { limit: opts.limit } : {}), ...(opts.cursor ? { cursor: opts.cursor } : {}) },
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
}
