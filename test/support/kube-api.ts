// A loopback Kubernetes API double for tests: it replays recorded-shape API responses
// (src/server/ingest/testdata/k8s/README.md) to the real @kubernetes/client-node — lists with
// limit/continue paging, and scripted watch streams — and checks a bearer token.
//
//   const api = await fakeApiServer(recordedLists(), { "/api/v1/pods": [{ lines, gate }] });
//   const cfg = kubeconfig(api.url);            // as an object, or writeKubeconfig(dir, api.url) as a file
//   ... api.requests, await api.close()
import { readFileSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { resourcePaths } from "../../src/server/ingest/kubernetes.js";

export const k8sFixtureDir = fileURLToPath(new URL("../../src/server/ingest/testdata/k8s/", import.meta.url));
export const kubeToken = "test-token-0123456789";

export function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(k8sFixtureDir, name), "utf8")) as Record<string, unknown>;
}

/** One scripted watch response: lines to send, optionally after a gate opens, then keep open or end; or an HTTP status. */
export interface WatchScript {
  readonly lines?: string;
  readonly gate?: Promise<void>;
  readonly end?: boolean;
  readonly status?: number;
}

export interface FakeApi {
  readonly url: string;
  readonly requests: { path: string; query: URLSearchParams; auth: string | undefined }[];
  close(): Promise<void>;
}

/** `port` 0 picks a free one. */
export async function fakeApiServer(lists: Record<string, unknown[]>, watches: Record<string, WatchScript[]> = {}, port = 0): Promise<FakeApi> {
  const requests: FakeApi["requests"] = [];
  const listCalls = new Map<string, number>();
  const send = (res: ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };
  const status = (code: number, reason: string, message: string): Record<string, unknown> => ({
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message,
    reason,
    code,
  });
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const u = new URL(req.url ?? "/", "http://127.0.0.1");
    requests.push({ path: u.pathname, query: u.searchParams, auth: req.headers.authorization });
    if (req.headers.authorization !== `Bearer ${kubeToken}`) return send(res, 401, status(401, "Unauthorized", "Unauthorized"));
    const isWatch = u.searchParams.get("watch") === "true" || u.searchParams.get("watch") === "1";
    if (isWatch) {
      const script = watches[u.pathname]?.shift();
      if (script?.status !== undefined) return send(res, script.status, status(script.status, "Expired", "too old resource version"));
      res.writeHead(200, { "content-type": "application/json", "transfer-encoding": "chunked" });
      res.flushHeaders();
      if (script === undefined) return; // hold open, nothing happens
      void (script.gate ?? Promise.resolve()).then(() => {
        if (script.lines !== undefined) res.write(script.lines);
        if (script.end === true) res.end();
      });
      return;
    }
    const responses = lists[u.pathname];
    if (responses === undefined) return send(res, 404, status(404, "NotFound", "the server could not find the requested resource"));
    // Each fresh list (no continue token) takes the next recorded response; the last one repeats.
    const cont = u.searchParams.get("continue");
    let n = listCalls.get(u.pathname) ?? 0;
    if (cont === null) listCalls.set(u.pathname, ++n);
    const body = responses[Math.min(n, responses.length) - 1] as { items?: unknown[]; metadata?: Record<string, unknown> };
    const limit = Number(u.searchParams.get("limit") ?? "0");
    const items = Array.isArray(body.items) ? body.items : [];
    if (limit > 0 && Array.isArray(body.items)) {
      const offset = cont === null ? 0 : Number(cont);
      const page = items.slice(offset, offset + limit);
      const next = offset + limit < items.length ? String(offset + limit) : undefined;
      return send(res, 200, { ...body, metadata: { ...body.metadata, ...(next === undefined ? {} : { continue: next }) }, items: page });
    }
    send(res, 200, body);
  });
  await new Promise<void>((r) => server.listen(port, "127.0.0.1", r));
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${bound}`,
    requests,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** Every resource kind's recorded list (testdata/k8s/<kind>.json), by API path. */
export function recordedLists(): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const [kind, path] of Object.entries(resourcePaths)) out[path] = [fixture(`${kind}.json`)];
  return out;
}

export function kubeconfig(server: string, clusterName = "test-cluster"): Record<string, unknown> {
  return {
    apiVersion: "v1",
    kind: "Config",
    // Plain http on loopback: client-node requires insecure-skip-tls-verify for an http:// server.
    clusters: [{ name: clusterName, cluster: { server, "insecure-skip-tls-verify": true } }],
    users: [{ name: "berth", user: { token: kubeToken } }],
    contexts: [{ name: "test", context: { cluster: clusterName, user: "berth" } }],
    "current-context": "test",
  };
}

/** The kubeconfig as a file (JSON is valid kubeconfig YAML); returns its path. */
export function writeKubeconfig(dir: string, server: string, clusterName?: string): string {
  const file = join(dir, "kubeconfig.yaml");
  writeFileSync(file, JSON.stringify(kubeconfig(server, clusterName), null, 2));
  return file;
}

/** A pod of pods.json re-stamped with a newer resourceVersion, for a scripted watch event. */
export function recordedPod(index: number, resourceVersion: string): Record<string, unknown> {
  const pods = fixture("pods.json").items as Record<string, Record<string, unknown>>[];
  const pod = pods[index];
  if (pod === undefined) throw new Error(`pods.json has no item ${index}`);
  return { kind: "Pod", apiVersion: "v1", ...pod, metadata: { ...pod.metadata, resourceVersion } };
}

/** One watch stream line per event. */
export function watchLines(events: readonly { type: string; object: unknown }[]): string {
  return events.map((e) => JSON.stringify(e)).join("\n") + "\n";
}
