// The deploy gate's HTTP side: the Kubernetes ValidatingAdmissionWebhook endpoint (AdmissionReview
// v1 in and out) and the per-image compliance verdict for CI. The decision logic is admission.ts;
// the data comes from store/compliance.ts.
//
// Authentication. The kube-apiserver calls webhooks over TLS and usually sends no bearer token, so
// the webhook accepts, in this order:
//   1. `POST /api/v1/admission/{secret}` where {secret} is the configured `admissionSecret`
//      (put it in the ValidatingWebhookConfiguration's `clientConfig.url`; compared in constant time);
//   2. `Authorization: Bearer <admissionSecret>` (an apiserver AdmissionConfiguration kubeconfig
//      with a `token` for this webhook);
//   3. `Authorization: Bearer <API token>` of any role (admin, read, ingest).
// Without credentials the answer is 401 (the apiserver then applies the webhook's failurePolicy).
// The compliance endpoint takes an API token of any role.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { complianceRepository, isDigest, type OwnerResolver } from "../../store/compliance.js";
import type { Repositories } from "../../store/index.js";
import {
  defaultAdmissionLimits,
  evaluateImage,
  reviewAdmission,
  type AdmissionPolicy,
  type ComplianceLookup,
  type ImageCompliance,
} from "../admission.js";
import { bearerOf, requireAuth, sameSecret } from "../auth/tokens.js";

/** The policy when nothing is configured: enforce; deny unscanned images and fixable high or critical findings; any registry. */
export const DEFAULT_ADMISSION_POLICY: AdmissionPolicy = { mode: "enforce", requireScanned: true, denyFixableAtOrAbove: "high" };

export interface AdmissionRouteDeps {
  readonly repos: Repositories;
  readonly policy?: AdmissionPolicy;
  /** Shared secret the apiserver presents in the URL path or as a bearer token. */
  readonly admissionSecret?: string;
  /** Owner lookup (default: the store's, see store/compliance.ts). */
  readonly ownerOf?: OwnerResolver;
}

const ROLES = ["admin", "read", "ingest"] as const;

export function registerAdmissionRoutes(app: FastifyInstance, deps: AdmissionRouteDeps): void {
  const policy = deps.policy ?? DEFAULT_ADMISSION_POLICY;
  const compliance = complianceRepository(deps.repos.store.db, deps.ownerOf ? { ownerOf: deps.ownerOf } : {});
  const lookup: ComplianceLookup = (ref) => compliance.forReference(ref);
  const tokenAuth = requireAuth(deps.repos, { roles: ROLES });
  const secret = deps.admissionSecret;
  const bodyLimit = defaultAdmissionLimits.maxBodyBytes;

  const webhookAuth = async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    const presented = bearerOf(req.headers.authorization);
    if (secret && presented && sameSecret(presented, secret)) return undefined;
    return tokenAuth(req, reply);
  };

  const review = async (req: FastifyRequest) => reviewAdmission(req.body, policy, lookup);

  app.post("/api/v1/admission", { bodyLimit, preHandler: webhookAuth }, review);
  app.post<{ Params: { secret: string } }>("/api/v1/admission/:secret", { bodyLimit }, async (req, reply) => {
    if (!secret || !sameSecret(req.params.secret, secret)) return reply.code(401).send({ error: "unauthorized", message: "unknown webhook secret" });
    return review(req);
  });

  app.get<{ Params: { digest: string } }>("/api/v1/images/:digest/compliance", { preHandler: tokenAuth }, async (req, reply) => {
    const { digest } = req.params;
    if (!isDigest(digest)) return reply.code(400).send({ error: "input", message: `not a digest: ${digest.slice(0, 100)}` });
    // Evaluate as the first registry location the image was recorded in (registry rule), else the bare digest.
    const loc = (await deps.repos.registry.locations(digest))[0];
    const c: ImageCompliance | undefined = await compliance.forDigest(digest, loc?.host);
    const ref = loc ? `${loc.host}/${loc.repository}@${digest}` : digest;
    const violations = evaluateImage(ref, c, policy);
    return {
      digest,
      known: c !== undefined,
      compliance: c ?? null,
      policy,
      compliant: violations.length === 0,
      reasons: violations.map((v) => ({ rule: v.rule, detail: v.detail })),
    };
  });
}
