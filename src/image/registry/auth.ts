// The registry auth flow: anonymous first; on a 401 challenge, Basic credentials or a Bearer
// token from the challenge's realm (GET with Basic credentials, or the OAuth2 refresh-token POST
// for identity tokens), cached per realm/service/scope until shortly before it expires.
import { BerthError } from "../../util/errors.js";
import { parseChallenges, type Challenge } from "./challenge.js";
import type { Credential } from "./credentials.js";
import { errorDetail, type Transport } from "./http.js";

const MAX_TOKEN_RESPONSE = 1024 * 1024;
const DEFAULT_TOKEN_TTL_S = 60;
const TOKEN_MARGIN_MS = 10_000;

interface BearerRealm {
  readonly realm: string;
  readonly service?: string;
}

interface CachedToken {
  readonly header: string;
  readonly expiresAt: number;
}

export interface AuthenticatorOptions {
  readonly registry: string;
  readonly transport: Transport;
  /** Looked up lazily, once, on the first challenge. */
  readonly credentials: () => Promise<Credential | undefined>;
  readonly insecure: boolean;
  readonly now?: () => number;
}

/** The pull/push scope string for a repository. */
export function repositoryScope(repository: string, actions: readonly ("pull" | "push")[]): string {
  return `repository:${repository}:${actions.join(",")}`;
}

function basicHeader(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, "utf8").toString("base64")}`;
}

export class Authenticator {
  private scheme: "none" | "basic" | "bearer" = "none";
  private bearer: BearerRealm | undefined;
  private readonly tokens = new Map<string, CachedToken>();
  /** Token requests in flight per cache key, so parallel layer pulls share one. */
  private readonly inflight = new Map<string, Promise<string>>();
  private credential: Promise<Credential | undefined> | undefined;
  private readonly now: () => number;

  constructor(private readonly opts: AuthenticatorOptions) {
    this.now = opts.now ?? Date.now;
  }

  private creds(): Promise<Credential | undefined> {
    this.credential ??= this.opts.credentials();
    return this.credential;
  }

  private who(c: Credential | undefined): string {
    if (!c) return "anonymously";
    if (c.kind === "basic") return `as ${c.username}`;
    if (c.kind === "identity-token") return c.username ? `as ${c.username} (identity token)` : "with an identity token";
    return "with a registry token";
  }

  /** The message for a 401/403 that survived authenticating. */
  async denied(status: number, what: string, detail: string): Promise<BerthError> {
    const c = this.scheme === "none" ? undefined : await this.creds();
    const suffix = ` (HTTP ${status}${detail ? `: ${detail}` : ""})`;
    if (status === 401 && this.scheme === "basic" && c?.kind === "basic") return new BerthError("auth", `${what}: the registry refused the credentials for ${c.username}${suffix}`);
    return new BerthError("auth", `${what}: access denied ${this.who(c)}${suffix}`);
  }

  /** The Authorization header to send proactively for a scope, once a challenge taught the scheme. */
  async header(scope: string): Promise<string | undefined> {
    if (this.scheme === "none") return undefined;
    const c = await this.creds();
    if (c?.kind === "registry-token") return `Bearer ${c.token}`;
    if (this.scheme === "basic") return c?.kind === "basic" ? basicHeader(c.username, c.password) : undefined;
    const key = this.cacheKey(scope);
    const cached = this.tokens.get(key);
    if (cached && cached.expiresAt > this.now()) return cached.header;
    const bearer = this.bearer;
    if (!bearer) return undefined;
    let pending = this.inflight.get(key);
    if (!pending) {
      pending = this.fetchToken(bearer, [scope], scope).finally(() => this.inflight.delete(key));
      this.inflight.set(key, pending);
    }
    return pending;
  }

  /**
   * Handles a 401: learns the scheme from WWW-Authenticate and returns the header to retry with,
   * or throws BerthError("auth") when there is nothing more to try.
   */
  async challenge(wwwAuthenticate: string | null, scope: string, what: string): Promise<string> {
    const challenges = parseChallenges(wwwAuthenticate ?? "");
    const bearer = challenges.find((c) => c.scheme === "bearer");
    const basic = challenges.find((c) => c.scheme === "basic");
    const c = await this.creds();
    if (c?.kind === "registry-token") {
      this.scheme = "bearer";
      return `Bearer ${c.token}`;
    }
    if (bearer) {
      const realm = this.bearerRealm(bearer, what);
      this.scheme = "bearer";
      this.bearer = realm;
      this.tokens.delete(this.cacheKey(scope));
      const scopes = [scope];
      const asked = bearer.params.scope;
      if (asked) for (const s of asked.split(" ")) if (s && !scopes.includes(s)) scopes.push(s);
      return this.fetchToken(realm, scopes, scope);
    }
    if (basic) {
      if (c?.kind === "basic" && this.scheme !== "basic") {
        this.scheme = "basic";
        return basicHeader(c.username, c.password);
      }
      throw new BerthError("auth", c?.kind === "basic" ? `${what}: the registry refused the credentials for ${c.username} (HTTP 401)` : `${what}: authentication required (HTTP 401); log in with docker login or give credentials`);
    }
    throw new BerthError("auth", `${what}: authentication required (HTTP 401) with no usable challenge${wwwAuthenticate ? ` (${wwwAuthenticate.slice(0, 100)})` : ""}`);
  }

  private cacheKey(scope: string): string {
    return `${this.bearer?.realm ?? ""}\n${this.bearer?.service ?? ""}\n${scope}`;
  }

  private bearerRealm(ch: Challenge, what: string): BearerRealm {
    const realm = ch.params.realm;
    if (!realm) throw new BerthError("auth", `${what}: Bearer challenge without a realm`);
    let u: URL;
    try {
      u = new URL(realm);
    } catch {
      throw new BerthError("auth", `${what}: Bearer challenge realm "${realm.slice(0, 100)}" is not a URL`);
    }
    if (u.protocol !== "https:" && !(u.protocol === "http:" && this.opts.insecure)) {
      throw new BerthError("auth", `${what}: refusing the token realm ${u.protocol}//${u.host} (only https unless insecure is set)`);
    }
    return { realm, ...(ch.params.service ? { service: ch.params.service } : {}) };
  }

  private async fetchToken(realm: BearerRealm, scopes: readonly string[], cacheScope: string): Promise<string> {
    const c = await this.creds();
    const what = `token server ${new URL(realm.realm).host} for ${this.opts.registry}`;
    const url = new URL(realm.realm);
    let res;
    if (c?.kind === "identity-token") {
      const form = new URLSearchParams();
      form.set("grant_type", "refresh_token");
      form.set("refresh_token", c.token);
      form.set("client_id", "berth");
      if (realm.service) form.set("service", realm.service);
      if (scopes.length) form.set("scope", scopes.join(" "));
      res = await this.opts.transport.send({
        method: "POST",
        url: url.toString(),
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new Uint8Array(Buffer.from(form.toString(), "utf8")),
        what,
      });
    } else {
      if (realm.service) url.searchParams.set("service", realm.service);
      for (const s of scopes) url.searchParams.append("scope", s);
      if (c?.kind === "basic") url.searchParams.set("account", c.username);
      res = await this.opts.transport.send({
        method: "GET",
        url: url.toString(),
        headers: c?.kind === "basic" ? { authorization: basicHeader(c.username, c.password) } : {},
        what,
      });
    }
    if (res.status === 401 || res.status === 403) {
      const detail = await errorDetail(res);
      throw new BerthError("auth", `${what}: ${c ? `credentials refused ${this.who(c)}` : "anonymous access refused"} (HTTP ${res.status}${detail ? `: ${detail}` : ""})`);
    }
    if (res.status !== 200) {
      const detail = await errorDetail(res);
      throw new BerthError(res.status >= 500 ? "network" : "auth", `${what}: HTTP ${res.status}${detail ? ` (${detail})` : ""}`);
    }
    const bytes = await res.bytes(MAX_TOKEN_RESPONSE, () => new BerthError("limit", `${what}: token response larger than ${MAX_TOKEN_RESPONSE} bytes`));
    let v: unknown;
    try {
      v = JSON.parse(Buffer.from(bytes).toString("utf8"));
    } catch {
      throw new BerthError("auth", `${what}: token response is not JSON`);
    }
    const o = (typeof v === "object" && v !== null ? v : {}) as { token?: unknown; access_token?: unknown; expires_in?: unknown };
    const token = typeof o.token === "string" && o.token ? o.token : typeof o.access_token === "string" && o.access_token ? o.access_token : undefined;
    if (!token) throw new BerthError("auth", `${what}: token response has no token`);
    if (/[\r\n]/.test(token)) throw new BerthError("auth", `${what}: token contains line breaks`);
    const ttl = typeof o.expires_in === "number" && o.expires_in > 0 ? o.expires_in : DEFAULT_TOKEN_TTL_S;
    const header = `Bearer ${token}`;
    this.tokens.set(this.cacheKey(cacheScope), { header, expiresAt: this.now() + Math.max(0, ttl * 1000 - TOKEN_MARGIN_MS) });
    return header;
  }
}
