// Test double for the OCI 1.1 referrers API, in front of a real registry. No registry that serves
// the referrers API can be installed here (Debian has only Distribution 2.8, which has none; npm has
// registry clients, no servers), so this proxy adds exactly that API to the real docker-registry:
// it forwards every request, remembers each manifest PUT that carries a `subject` (answering with
// the OCI-Subject header, as an API-capable registry does), and serves
// GET /v2/<name>/referrers/<digest>[?artifactType=…] from what it saw — paginated with `Link` when
// `pageSize` is set. Storage, digests and validation stay the real registry's.
import { createHash } from "node:crypto";
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface ReferrersProxy {
  readonly host: string;
  readonly url: string;
  /** "GET /v2/…/referrers/…" lines, in order. */
  readonly referrersRequests: string[];
  stop(): Promise<void>;
}

interface Recorded {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
}

function readAll(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

export async function startReferrersProxy(targetUrl: string, opts: { pageSize?: number } = {}): Promise<ReferrersProxy> {
  const target = new URL(targetUrl);
  const referrers = new Map<string, Recorded[]>(); // "<name>@<digest>" → descriptors
  const referrersRequests: string[] = [];

  function forward(req: IncomingMessage, res: ServerResponse, body: Buffer | undefined, onResponse?: (status: number, headers: Record<string, string | string[]>) => Record<string, string>): void {
    const headers = { ...req.headers, host: target.host };
    if (body) headers["content-length"] = String(body.length);
    const up = httpRequest({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers }, (r) => {
      const extra = onResponse?.(r.statusCode ?? 502, r.headers as Record<string, string | string[]>) ?? {};
      res.writeHead(r.statusCode ?? 502, { ...r.headers, ...extra });
      r.pipe(res);
    });
    up.on("error", (e) => {
      if (!res.headersSent) res.writeHead(502);
      res.end(String(e));
    });
    if (body) up.end(body);
    else req.pipe(up);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://proxy");
    const ref = /^\/v2\/(.+)\/referrers\/([a-z0-9]+:[a-f0-9]+)$/.exec(url.pathname);
    if (ref && req.method === "GET") {
      referrersRequests.push(`GET ${url.pathname}${url.search}`);
      const artifactType = url.searchParams.get("artifactType");
      let list = referrers.get(`${ref[1]}@${ref[2]}`) ?? [];
      if (artifactType) list = list.filter((d) => d.artifactType === artifactType);
      const page = Number(url.searchParams.get("page") ?? "0");
      const size = opts.pageSize ?? Math.max(list.length, 1);
      const slice = list.slice(page * size, page * size + size);
      const headers: Record<string, string> = { "content-type": "application/vnd.oci.image.index.v1+json" };
      if (artifactType) headers["oci-filters-applied"] = "artifactType";
      if ((page + 1) * size < list.length) {
        const next = new URLSearchParams(url.searchParams);
        next.set("page", String(page + 1));
        headers.link = `<${url.pathname}?${next.toString()}>; rel="next"`;
      }
      res.writeHead(200, headers).end(JSON.stringify({ schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json", manifests: slice }));
      return;
    }
    const put = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(url.pathname);
    if (put && req.method === "PUT") {
      const body = await readAll(req);
      let doc: Record<string, unknown> | undefined;
      try {
        doc = JSON.parse(body.toString("utf8")) as Record<string, unknown>;
      } catch {
        doc = undefined;
      }
      const subject = doc?.subject as { digest?: string } | undefined;
      forward(req, res, body, (status): Record<string, string> => {
        if (status !== 201 || !doc || !subject?.digest) return {};
        const config = doc.config as { mediaType?: string } | undefined;
        const key = `${put[1]}@${subject.digest}`;
        const digest = `sha256:${createHash("sha256").update(body).digest("hex")}`;
        const list = referrers.get(key) ?? [];
        if (!list.some((d) => d.digest === digest)) {
          const artifactType = typeof doc.artifactType === "string" ? doc.artifactType : config?.mediaType;
          list.push({
            mediaType: typeof doc.mediaType === "string" ? doc.mediaType : String(req.headers["content-type"] ?? ""),
            digest,
            size: body.length,
            ...(artifactType ? { artifactType } : {}),
            ...(doc.annotations ? { annotations: doc.annotations as Record<string, string> } : {}),
          });
          referrers.set(key, list);
        }
        return { "oci-subject": subject.digest };
      });
      return;
    }
    forward(req, res, undefined);
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) res.writeHead(500);
      res.end(String(e));
    });
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port));
  });
  return {
    host: `127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}`,
    referrersRequests,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
