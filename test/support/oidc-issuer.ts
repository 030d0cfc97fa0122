// A local OIDC issuer for tests: discovery + JWKS on 127.0.0.1, real RS256 JWTs signed with jose,
// and GitHub Actions' ID-token request endpoint (ACTIONS_ID_TOKEN_REQUEST_URL) that hands out the
// token a test chooses. `forger` signs with another key under the same kid (a forged signature).
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from "jose";

export const ACTIONS_REQUEST_TOKEN = "actions-request-token";

export interface Signer {
  readonly priv: CryptoKey;
  readonly kid: string;
}

export interface JwtOptions {
  readonly aud?: string;
  readonly exp?: number;
  readonly iat?: number;
  readonly signer?: Signer;
}

export interface TestIssuer {
  readonly server: Server;
  readonly url: string;
  jwks: JWK[];
  readonly key: Signer;
  readonly forger: Signer;
  /** What the Actions token endpoint hands out next. */
  nextActionsToken: () => Promise<string>;
  readonly actionsRequests: { audience: string | null; auth: string | undefined }[];
  /** A JWT from this issuer (default audience `audience`, expiry in 5 minutes). */
  jwt(claims: Record<string, unknown>, opts?: JwtOptions): Promise<string>;
  close(): Promise<void>;
}

async function makeKey(kid: string): Promise<{ signer: Signer; jwk: JWK }> {
  const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
  return { signer: { priv: privateKey, kid }, jwk: { ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" } };
}

export async function startTestIssuer(audience: string): Promise<TestIssuer> {
  const server = createServer();
  const k = await makeKey("k1");
  const f = await makeKey("k1"); // same kid, another key
  const iss: TestIssuer = {
    server,
    url: "",
    jwks: [k.jwk],
    key: k.signer,
    forger: f.signer,
    nextActionsToken: () => Promise.resolve(""),
    actionsRequests: [],
    jwt(claims, opts = {}) {
      const s = opts.signer ?? k.signer;
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT(claims)
        .setProtectedHeader({ alg: "RS256", kid: s.kid, typ: "JWT" })
        .setIssuer(iss.url)
        .setAudience(opts.aud ?? audience)
        .setIssuedAt(opts.iat ?? now - 10)
        .setExpirationTime(opts.exp ?? now + 300)
        .sign(s.priv);
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  server.on("request", (req, res) => {
    const u = new URL(req.url ?? "/", iss.url);
    res.setHeader("content-type", "application/json");
    if (u.pathname === "/.well-known/openid-configuration") res.end(JSON.stringify({ issuer: iss.url, jwks_uri: `${iss.url}/.well-known/jwks` }));
    else if (u.pathname === "/.well-known/jwks") res.end(JSON.stringify({ keys: iss.jwks }));
    else if (u.pathname === "/actions/token") {
      iss.actionsRequests.push({ audience: u.searchParams.get("audience"), auth: req.headers.authorization });
      if (req.headers.authorization !== `Bearer ${ACTIONS_REQUEST_TOKEN}`) {
        res.statusCode = 401;
        res.end("{}");
        return;
      }
      void iss.nextActionsToken().then((value) => res.end(JSON.stringify({ count: 1, value })));
    } else {
      res.statusCode = 404;
      res.end("{}");
    }
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  (iss as { url: string }).url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return iss;
}

/** Claims of a GitHub Actions ID token for `repository` (default acme/web) at `sha`. */
export function githubClaims(sha: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  const repository = typeof over.repository === "string" ? over.repository : "acme/web";
  return {
    sub: `repo:${repository}:ref:refs/heads/main`,
    repository,
    repository_owner: repository.split("/")[0],
    ref: "refs/heads/main",
    sha,
    workflow: "build",
    run_id: "4242",
    run_attempt: "1",
    actor: "octocat",
    event_name: "push",
    ...over,
  };
}

/** A GitHub Actions job environment whose ID-token endpoint is this issuer's. */
export function githubEnv(iss: TestIssuer, sha: string, over: Record<string, string> = {}): Record<string, string> {
  return {
    GITHUB_ACTIONS: "true",
    GITHUB_SERVER_URL: "https://github.com",
    GITHUB_REPOSITORY: "Acme/Web",
    GITHUB_SHA: sha,
    GITHUB_REF: "refs/heads/main",
    GITHUB_WORKFLOW: "build",
    GITHUB_RUN_ID: "4242",
    GITHUB_RUN_ATTEMPT: "1",
    GITHUB_ACTOR: "octocat",
    GITHUB_EVENT_NAME: "push",
    ACTIONS_ID_TOKEN_REQUEST_URL: `${iss.url}/actions/token?api-version=2.0`,
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: ACTIONS_REQUEST_TOKEN,
    ...over,
  };
}
