// Webhook authentication on the registry-events route. Three ways in, any one suffices:
//   - `X-Berth-Signature: sha256=<hex HMAC-SHA256 of the raw body>` with `--registry-hmac-secret`
//     (GitHub's scheme; proves the body is unchanged, compared in constant time over the raw bytes);
//   - `Authorization: Bearer <registry secret | API token>` (requireAuth in tokens.ts);
//   - `Authorization: <registry secret>` as is: Harbor sends its policy's "auth header" value verbatim.
// A signature that is present but wrong is refused even when other credentials come along: a
// sender that signs must sign correctly.
import { createHmac, timingSafeEqual } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { Repositories, TokenRole } from "../../store/index.js";
import { bearerOf, requireAuth, sameSecret } from "./tokens.js";

export const SIGNATURE_HEADER = "x-berth-signature";

declare module "fastify" {
  interface FastifyRequest {
    /** The request body exactly as received (set by the routes that verify signatures). */
    rawBody?: Buffer;
  }
}

/** The header value a sender puts in X-Berth-Signature: `sha256=<hex>`. */
export function signBody(secret: string, body: Buffer | string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

/** True when `header` is `sha256=<hex>` and the HMAC of `raw` under `secret` matches (constant time). */
export function verifySignature(secret: string, raw: Buffer, header: string | undefined): boolean {
  const m = header === undefined ? null : /^sha256=([0-9a-fA-F]{64})$/.exec(header.trim());
  if (!m?.[1]) return false;
  const expected = createHmac("sha256", secret).update(raw).digest();
  return timingSafeEqual(Buffer.from(m[1], "hex"), expected);
}

export interface WebhookAuthOptions {
  readonly roles: readonly TokenRole[];
  readonly registrySecret?: string;
  readonly hmacSecret?: string;
}

function unauthorized(reply: FastifyReply, message: string): FastifyReply {
  return reply.code(401).header("www-authenticate", 'Bearer realm="berth"').send({ error: "unauthorized", message });
}

/** A preHandler for webhook routes (needs `req.rawBody` when signatures are configured). */
export function requireWebhookAuth(repos: Repositories, opts: WebhookAuthOptions) {
  const bearer = requireAuth(repos, { roles: opts.roles, ...(opts.registrySecret ? { registrySecret: opts.registrySecret } : {}) });
  return async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    const signature = req.headers[SIGNATURE_HEADER];
    if (signature !== undefined && opts.hmacSecret) {
      if (typeof signature !== "string" || !verifySignature(opts.hmacSecret, req.rawBody ?? Buffer.alloc(0), signature)) return unauthorized(reply, "bad X-Berth-Signature");
      req.principal = { kind: "registry-secret" };
      return undefined;
    }
    const authorization = req.headers.authorization;
    if (opts.registrySecret && authorization !== undefined && bearerOf(authorization) === undefined && sameSecret(authorization.trim(), opts.registrySecret)) {
      req.principal = { kind: "registry-secret" };
      return undefined;
    }
    return bearer(req, reply);
  };
}
