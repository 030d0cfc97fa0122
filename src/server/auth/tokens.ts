// Bearer-token authentication with roles (admin, ingest, read), plus the registry's shared secret
// (sent by the registry's `notifications.endpoints[].headers` as `Authorization: Bearer <secret>`),
// which is accepted on the registry-events route only.
import { createHash, timingSafeEqual } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { Repositories, TokenRole } from "../../store/index.js";

export type Principal = { readonly kind: "token"; readonly id: number; readonly role: TokenRole } | { readonly kind: "registry-secret" };

declare module "fastify" {
  interface FastifyRequest {
    principal?: Principal;
  }
}

export function principalName(p: Principal | undefined): string {
  if (!p) return "anonymous";
  return p.kind === "token" ? `token:${p.id}` : "registry-secret";
}

export function bearerOf(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^Bearer[ ]+([^\s]+)\s*$/i.exec(header);
  return m?.[1];
}

/** Constant-time comparison of two secrets (hashed first so lengths never leak). */
export function sameSecret(a: string, b: string): boolean {
  const ha = createHash("sha256").update(a).digest();
  const hb = createHash("sha256").update(b).digest();
  return timingSafeEqual(ha, hb);
}

export interface AuthOptions {
  readonly roles: readonly TokenRole[];
  /** Also accept the registry's shared secret. */
  readonly registrySecret?: string;
}

/** A preHandler: 401 without valid credentials, 403 when the token's role is not allowed. */
export function requireAuth(repos: Repositories, opts: AuthOptions) {
  // An async hook that answers must return the reply (Fastify then stops the request there).
  return async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    const presented = bearerOf(req.headers.authorization);
    if (!presented) {
      return reply.code(401).header("www-authenticate", 'Bearer realm="berth"').send({ error: "unauthorized", message: "missing bearer token" });
    }
    if (opts.registrySecret && sameSecret(presented, opts.registrySecret)) {
      req.principal = { kind: "registry-secret" };
      return undefined;
    }
    const row = await repos.tokens.verify(presented);
    if (!row) {
      return reply.code(401).header("www-authenticate", 'Bearer realm="berth", error="invalid_token"').send({ error: "unauthorized", message: "invalid or revoked token" });
    }
    if (!opts.roles.includes(row.role)) {
      return reply.code(403).send({ error: "forbidden", message: `role ${row.role} may not do this (needs ${opts.roles.join(" or ")})` });
    }
    req.principal = { kind: "token", id: row.id, role: row.role };
    return undefined;
  };
}
