// Test harness: a real CNCF Distribution registry (Debian's `docker-registry`, 2.8) on
// 127.0.0.1 with a free port and a temp storage dir, optionally behind htpasswd basic auth or
// token auth (with a tiny token server here that checks basic credentials, grants the requested
// scope and signs ES256 JWTs carrying an x5c chain of a self-signed openssl certificate).
//
//   const reg = await startRegistry({ auth: { kind: "token", users: { alice: "s3cret" } } });
//   ... reg.host ("127.0.0.1:PORT"), reg.url ("http://127.0.0.1:PORT") ...
//   await reg.stop();
//
// Also: startFaultProxy() to make a registry fail its first requests (retry tests).
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createNetServer, type AddressInfo } from "node:net";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import bcrypt from "bcryptjs";
import { importPKCS8, SignJWT } from "jose";
import { tool } from "./tiny-image.js";

export type RegistryAuthSetup =
  | { readonly kind: "htpasswd"; readonly users: Readonly<Record<string, string>> }
  | {
      readonly kind: "token";
      readonly users: Readonly<Record<string, string>>;
      /** Identity (refresh) tokens accepted by the token server's OAuth2 POST, → user name. */
      readonly identityTokens?: Readonly<Record<string, string>>;
      /** Grant pull to requests without credentials (default false: anonymous gets no access). */
      readonly anonymousPull?: boolean;
    };

/** One `notifications.endpoints` entry of the registry config (passed through as is). */
export interface NotificationEndpoint {
  readonly name: string;
  readonly url: string;
  readonly headers?: Readonly<Record<string, readonly string[]>>;
  readonly timeout?: string;
  readonly threshold?: number;
  readonly backoff?: string;
  readonly ignoredmediatypes?: readonly string[];
  readonly ignore?: { readonly mediatypes?: readonly string[]; readonly actions?: readonly string[] };
}

export interface RegistryOptions {
  readonly auth?: RegistryAuthSetup;
  readonly notifications?: readonly NotificationEndpoint[];
  /** How long to wait for /v2/ to answer (default 15 s). */
  readonly startTimeoutMs?: number;
}

export interface TokenRequestRecord {
  readonly method: string;
  readonly user?: string;
  readonly service?: string;
  readonly scopes: readonly string[];
  readonly granted: boolean;
}

export interface TestRegistry {
  /** "127.0.0.1:PORT" — what goes before the repository in a reference. */
  readonly host: string;
  /** "http://127.0.0.1:PORT" */
  readonly url: string;
  readonly storageDir: string;
  /** Token auth only: the realm and the requests the token server saw. */
  readonly tokenRealm?: string;
  readonly tokenRequests: TokenRequestRecord[];
  /** Path of a blob's data file in the storage dir (to tamper with it). */
  blobPath(digest: string): string;
  /** The registry's stderr so far (for diagnostics). */
  logs(): string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createNetServer();
    s.unref();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port));
  });
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

function basicUser(req: IncomingMessage): { user: string; password: string } | undefined {
  const h = req.headers.authorization;
  if (!h?.startsWith("Basic ")) return undefined;
  const s = Buffer.from(h.slice(6), "base64").toString("utf8");
  const i = s.indexOf(":");
  return i < 0 ? undefined : { user: s.slice(0, i), password: s.slice(i + 1) };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let n = 0;
    req.on("data", (c: Buffer) => {
      n += c.length;
      if (n <= 64 * 1024) chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

interface TokenServer {
  readonly realm: string;
  readonly service: string;
  readonly issuer: string;
  readonly certPath: string;
  close(): Promise<void>;
}

async function startTokenServer(dir: string, setup: Extract<RegistryAuthSetup, { kind: "token" }>, records: TokenRequestRecord[]): Promise<TokenServer> {
  const keyPath = join(dir, "token-key.pem");
  const certPath = join(dir, "token-cert.pem");
  await tool("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", keyPath, "-out", certPath, "-days", "2", "-subj", "/CN=berth-test-token"]);
  const key = await importPKCS8(await readFile(keyPath, "utf8"), "ES256");
  const certDer = (await readFile(certPath, "utf8")).replace(/-----(BEGIN|END) CERTIFICATE-----/g, "").replace(/\s+/g, "");
  const service = "berth-test-registry";
  const issuer = "berth-test-issuer";

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (url.pathname !== "/token") {
      res.writeHead(404).end();
      return;
    }
    let user: string | undefined;
    let authenticated = false;
    let scopes = url.searchParams.getAll("scope");
    let svc = url.searchParams.get("service") ?? undefined;
    if (req.method === "POST") {
      const form = new URLSearchParams(await readBody(req));
      scopes = form.getAll("scope").flatMap((s) => s.split(" ")).filter(Boolean);
      svc = form.get("service") ?? undefined;
      const grant = form.get("grant_type");
      if (grant === "refresh_token") {
        user = setup.identityTokens?.[form.get("refresh_token") ?? ""];
        authenticated = user !== undefined;
      } else if (grant === "password") {
        const u = form.get("username") ?? "";
        authenticated = setup.users[u] !== undefined && setup.users[u] === form.get("password");
        user = u;
      }
      if (!authenticated) {
        records.push({ method: "POST", ...(user ? { user } : {}), ...(svc ? { service: svc } : {}), scopes, granted: false });
        res.writeHead(401, { "content-type": "application/json" }).end(JSON.stringify({ error: "invalid_grant" }));
        return;
      }
    } else {
      const basic = basicUser(req);
      if (basic) {
        user = basic.user;
        authenticated = setup.users[basic.user] !== undefined && setup.users[basic.user] === basic.password;
        if (!authenticated) {
          records.push({ method: "GET", user, ...(svc ? { service: svc } : {}), scopes, granted: false });
          res.writeHead(401, { "content-type": "application/json", "www-authenticate": 'Basic realm="berth-test-token"' }).end(JSON.stringify({ details: "incorrect username or password" }));
          return;
        }
      }
    }
    const access = scopes.flatMap((scope) => {
      const parts = scope.split(":");
      if (parts.length < 3) return [];
      const actions = (parts[parts.length - 1] ?? "").split(",").filter(Boolean);
      const granted = authenticated ? actions : setup.anonymousPull ? actions.filter((a) => a === "pull") : [];
      return [{ type: parts[0]!, name: parts.slice(1, -1).join(":"), actions: granted }];
    });
    records.push({ method: req.method ?? "GET", ...(user ? { user } : {}), ...(svc ? { service: svc } : {}), scopes, granted: true });
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ access })
      .setProtectedHeader({ alg: "ES256", typ: "JWT", x5c: [certDer] })
      .setIssuer(issuer)
      .setSubject(user ?? "")
      .setAudience(svc ?? service)
      .setIssuedAt(now)
      .setNotBefore(now - 5)
      .setExpirationTime(now + 300)
      .setJti(randomUUID())
      .sign(key);
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ token, access_token: token, expires_in: 300, issued_at: new Date(now * 1000).toISOString() }));
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      res.writeHead(500).end(String(e));
    });
  });
  const port = await listen(server);
  return { realm: `http://127.0.0.1:${port}/token`, service, issuer, certPath, close: () => closeServer(server) };
}

async function waitReady(url: string, proc: ChildProcess, logs: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`docker-registry exited early (${proc.exitCode ?? proc.signalCode}): ${logs().slice(-2000)}`);
    try {
      const r = await fetch(`${url}/v2/`, { signal: AbortSignal.timeout(1000) });
      await r.body?.cancel();
      if (r.status === 200 || r.status === 401) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`docker-registry did not answer ${url}/v2/ within ${timeoutMs} ms: ${logs().slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Starts docker-registry on 127.0.0.1 with a temp storage dir; always call stop(). */
export async function startRegistry(opts: RegistryOptions = {}): Promise<TestRegistry> {
  const dir = await mkdtemp(join(tmpdir(), "berth-registry-"));
  const storageDir = join(dir, "storage");
  await mkdir(storageDir);
  const tokenRequests: TokenRequestRecord[] = [];
  let tokenServer: TokenServer | undefined;
  let proc: ChildProcess | undefined;
  try {
    let auth: Record<string, unknown> | undefined;
    if (opts.auth?.kind === "htpasswd") {
      const lines = Object.entries(opts.auth.users).map(([u, p]) => `${u}:${bcrypt.hashSync(p, 4)}`);
      const path = join(dir, "htpasswd");
      await writeFile(path, lines.join("\n") + "\n");
      auth = { htpasswd: { realm: "berth-test", path } };
    } else if (opts.auth?.kind === "token") {
      tokenServer = await startTokenServer(dir, opts.auth, tokenRequests);
      auth = { token: { realm: tokenServer.realm, service: tokenServer.service, issuer: tokenServer.issuer, rootcertbundle: tokenServer.certPath } };
    }
    const base = {
      version: 0.1,
      log: { level: "warn", accesslog: { disabled: true }, formatter: "text" },
      storage: { filesystem: { rootdirectory: storageDir }, delete: { enabled: true } },
      ...(auth ? { auth } : {}),
      ...(opts.notifications ? { notifications: { endpoints: opts.notifications } } : {}),
    };
    // The free port can be taken by someone else before the registry binds it: try again then.
    let launched: Launched | undefined;
    for (let attempt = 1; !launched; attempt++) {
      try {
        launched = await launch(dir, base, opts.startTimeoutMs ?? 15_000, (p) => (proc = p));
      } catch (e) {
        if (attempt >= 3 || !/address already in use/.test(String(e))) throw e;
      }
    }
    const { child, port, url, logs } = launched;
    const ts = tokenServer;
    return {
      host: `127.0.0.1:${port}`,
      url,
      storageDir,
      ...(ts ? { tokenRealm: ts.realm } : {}),
      tokenRequests,
      blobPath: (digest: string) => {
        const hex = digest.slice(digest.indexOf(":") + 1);
        return join(storageDir, "docker", "registry", "v2", "blobs", digest.slice(0, digest.indexOf(":")), hex.slice(0, 2), hex, "data");
      },
      logs,
      stop: async () => {
        await stopProcess(child);
        await ts?.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    if (proc) await stopProcess(proc);
    await tokenServer?.close();
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
}

interface Launched {
  readonly child: ChildProcess;
  readonly port: number;
  readonly url: string;
  logs(): string;
}

async function launch(dir: string, base: Record<string, unknown>, timeoutMs: number, started: (p: ChildProcess) => void): Promise<Launched> {
  const port = await freePort();
  const config = { ...base, http: { addr: `127.0.0.1:${port}`, secret: randomUUID() } };
  // YAML is a superset of JSON: the registry reads this as its YAML config.
  const configPath = join(dir, "config.yml");
  await writeFile(configPath, JSON.stringify(config, null, 2));
  let stderr = "";
  const child = spawn("docker-registry", ["serve", configPath], { stdio: ["ignore", "ignore", "pipe"] });
  started(child);
  const spawnError = new Promise<never>((_, reject) => {
    child.once("error", (e: NodeJS.ErrnoException) => {
      reject(e.code === "ENOENT" ? new Error("docker-registry is not installed (apt-get install -y docker-registry)") : e);
    });
  });
  spawnError.catch(() => {});
  child.stderr?.on("data", (c: Buffer) => {
    stderr = (stderr + c.toString("utf8")).slice(-64 * 1024);
  });
  const url = `http://127.0.0.1:${port}`;
  const logs = (): string => stderr;
  try {
    await Promise.race([waitReady(url, child, logs, timeoutMs), spawnError]);
  } catch (e) {
    await stopProcess(child);
    throw e;
  }
  return { child, port, url, logs };
}

async function stopProcess(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null || proc.pid === undefined) return;
  const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
  proc.kill("SIGTERM");
  const timer = setTimeout(() => proc.kill("SIGKILL"), 3000);
  await exited;
  clearTimeout(timer);
}

export interface FaultProxyOptions {
  /** How many requests fail before the proxy starts forwarding (default 2). */
  readonly failFirst?: number;
  /** Status of the failed responses (default 503). */
  readonly status?: number;
  /** Retry-After header value on failed responses, if any. */
  readonly retryAfter?: string;
  /** Only requests whose path matches count and fail (default: every request). */
  readonly match?: (method: string, path: string) => boolean;
}

export interface FaultProxy {
  readonly host: string;
  readonly url: string;
  /** Requests seen: method and path, and whether they were failed. */
  readonly seen: { method: string; path: string; failed: boolean }[];
  stop(): Promise<void>;
}

/** An HTTP proxy on 127.0.0.1 in front of `targetUrl` that fails the first N matching requests. */
export async function startFaultProxy(targetUrl: string, opts: FaultProxyOptions = {}): Promise<FaultProxy> {
  const target = new URL(targetUrl);
  let remaining = opts.failFirst ?? 2;
  const seen: FaultProxy["seen"] = [];
  const server = createServer((req, res) => {
    const method = req.method ?? "GET";
    const path = req.url ?? "/";
    const matches = opts.match ? opts.match(method, path) : true;
    if (matches && remaining > 0) {
      remaining--;
      seen.push({ method, path, failed: true });
      req.resume();
      res.writeHead(opts.status ?? 503, { "content-type": "application/json", ...(opts.retryAfter ? { "retry-after": opts.retryAfter } : {}) });
      res.end(JSON.stringify({ errors: [{ code: "UNAVAILABLE", message: "injected failure" }] }));
      return;
    }
    seen.push({ method, path, failed: false });
    // Keep the client's Host: the registry builds Location URLs from it, so uploads come back here.
    const headers = req.headers;
    const up = httpRequest({ host: target.hostname, port: target.port, method, path, headers }, (upRes) => {
      res.writeHead(upRes.statusCode ?? 502, upRes.headers);
      upRes.pipe(res);
    });
    up.on("error", () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(up);
  });
  const port = await listen(server);
  return { host: `127.0.0.1:${port}`, url: `http://127.0.0.1:${port}`, seen, stop: () => closeServer(server) };
}
