// Serves the built web UI (dist/web, from `npm run build`) from the API's own origin: hashed assets
// cached forever, every other extension-less path answered with index.html so the UI's own router
// handles /explorer, /images/<digest>, /admin. Only files found in the directory at start-up are
// served (a lookup in that set, never a path join with request input), so no traversal is possible.
// API paths never fall back to the UI: they keep the API's JSON 404.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, extname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

export interface WebOptions {
  /** Directory holding index.html and assets/ (default: dist/web at the package root; BERTH_WEB_DIR overrides). */
  readonly dir: string;
}

const MAX_FILES = 2000;
const MAX_FILE_BYTES = 16 * 1024 * 1024;

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".ico": "image/x-icon",
  ".webp": "image/webp",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
};
const COMPRESSIBLE = new Set([".html", ".js", ".mjs", ".css", ".json", ".map", ".svg", ".txt"]);

/** Paths that belong to the API: a miss there is the API's 404, never the UI. */
const API_PREFIXES = ["api/", "api", "healthz", "readyz", "openapi.json", "metrics"];

// The UI's own pages may be served a policy that forbids every other origin: the build has no
// inline scripts, and inline style attributes are the only inline thing it uses.
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

/** The web directory: BERTH_WEB_DIR, else dist/web at the package root (found from this module). */
export function resolveWebDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.BERTH_WEB_DIR) return env.BERTH_WEB_DIR;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, "package.json"))) return join(dir, "dist", "web");
    dir = dirname(dir);
  }
  return join(process.cwd(), "dist", "web");
}

/** Every regular file under dir, by URL path ("assets/index-abc.js"), bounded. */
function listFiles(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string, depth: number): void => {
    if (depth > 8) return;
    for (const ent of readdirSync(d, { withFileTypes: true })) {
      if (ent.name.startsWith(".")) continue;
      const p = join(d, ent.name);
      if (ent.isDirectory()) walk(p, depth + 1);
      else if (ent.isFile() && out.size < MAX_FILES) out.set(relative(dir, p).split(sep).join("/"), p);
    }
  };
  walk(dir, 0);
  return out;
}

interface Loaded {
  readonly body: Buffer;
  readonly gzip?: Buffer;
}

export function registerWebRoutes(app: FastifyInstance, opts: WebOptions): void {
  const files = existsSync(join(opts.dir, "index.html")) ? listFiles(opts.dir) : new Map<string, string>();
  const cache = new Map<string, Loaded>();

  const load = (rel: string): Loaded | undefined => {
    const hit = cache.get(rel);
    if (hit) return hit;
    const abs = files.get(rel);
    if (!abs) return undefined;
    try {
      if (statSync(abs).size > MAX_FILE_BYTES) return undefined;
      const body = readFileSync(abs);
      const loaded: Loaded = COMPRESSIBLE.has(extname(rel)) && body.length > 1024 ? { body, gzip: gzipSync(body) } : { body };
      cache.set(rel, loaded);
      return loaded;
    } catch {
      return undefined; // removed since start-up (a rebuild): answered as a miss
    }
  };

  const send = (req: FastifyRequest, reply: FastifyReply, rel: string, loaded: Loaded) => {
    const ext = extname(rel);
    void reply
      .header("content-type", TYPES[ext] ?? "application/octet-stream")
      .header("x-content-type-options", "nosniff")
      .header("cache-control", rel.startsWith("assets/") ? "public, max-age=31536000, immutable" : "no-cache");
    if (ext === ".html") void reply.header("content-security-policy", CSP).header("referrer-policy", "no-referrer");
    if (loaded.gzip) {
      void reply.header("vary", "accept-encoding");
      if (/\bgzip\b/.test(String(req.headers["accept-encoding"] ?? ""))) return reply.header("content-encoding", "gzip").send(loaded.gzip);
    }
    return reply.send(loaded.body);
  };

  app.get<{ Params: { "*": string } }>("/*", async (req, reply) => {
    let rel: string;
    try {
      rel = decodeURIComponent(req.params["*"] ?? "");
    } catch {
      return reply.code(400).send({ error: "input", message: "malformed path" });
    }
    if (API_PREFIXES.some((p) => rel === p || (p.endsWith("/") && rel.startsWith(p)))) {
      return reply.code(404).send({ error: "not-found", message: "no such route" });
    }
    const file = rel === "" ? undefined : load(rel);
    if (file) return send(req, reply, rel, file);
    // A file name that is not there is a miss; anything else is a page of the UI.
    if (/\.[A-Za-z0-9]+$/.test(rel)) return reply.code(404).send({ error: "not-found", message: "no such file" });
    const index = load("index.html");
    if (!index) {
      return reply.code(503).type("text/plain; charset=utf-8").send(`The web UI is not built (no ${join(opts.dir, "index.html")}): run \`npm run build\`.\n`);
    }
    return send(req, reply, "index.html", index);
  });
}
