// The deploy gate: Kubernetes ValidatingAdmissionWebhook logic for admission.k8s.io/v1
// AdmissionReview. Pure over plain data: parse and bound the review, extract every image of a Pod
// or of a workload's pod template, evaluate the policy against an injected compliance lookup, and
// build the AdmissionReview response. The HTTP route only reads the body and writes the JSON.
import { BerthError } from "../util/errors.js";

// ---------------------------------------------------------------------------------------------
// Policy and compliance data.

export type Severity = "critical" | "high" | "medium" | "low" | "negligible" | "unknown";
const SEVERITY_RANK: Record<Severity, number> = { critical: 5, high: 4, medium: 3, low: 2, negligible: 1, unknown: 0 };
const SEVERITIES: readonly Severity[] = ["critical", "high", "medium", "low", "negligible", "unknown"];

/** What the server knows of one image reference (resolved through tags when not by digest). */
export interface ImageCompliance {
  /** Resolved manifest digest. */
  readonly digest?: string;
  readonly scanned: boolean;
  /** Open findings with a fix available, counted by severity. */
  readonly fixableBySeverity: Partial<Record<Severity, number>>;
  /** A signature verified with the server's trusted keys (`--trust-key`, `--trust-policy`). */
  readonly signed: boolean;
  /** Signatures found that did not verify, for the denial message. */
  readonly unverifiedSignatures?: number;
  /** Source repositories named by verified SLSA provenance, host-qualified ("github.com/acme/web"). */
  readonly provenanceRepositories?: readonly string[];
  /** Who fixes it (CODEOWNERS or commit author of the building repository). */
  readonly owner?: string;
  /** Registry host the image was recorded in, when known (else derived from the reference). */
  readonly registry?: string;
}

export type ComplianceLookup = (imageRef: string) => Promise<ImageCompliance | undefined>;

export type AdmissionMode = "enforce" | "audit";

export interface AdmissionPolicy {
  readonly mode: AdmissionMode;
  /** Deny images never scanned (or unknown to Berth). Default true. */
  readonly requireScanned?: boolean;
  /** Deny fixable vulnerabilities at or above this severity; undefined = no such rule. */
  readonly denyFixableAtOrAbove?: Severity;
  /** Deny images without a signature verified by a trusted key (`--admission-require-signature`). */
  readonly requireSignature?: boolean;
  /**
   * Require verified SLSA provenance naming one of these source repositories (globs: `*` within a
   * path segment, `**` across segments, e.g. "github.com/acme/*"; `--admission-allowed-source`).
   * Undefined = no provenance rule.
   */
  readonly allowedSourceRepositories?: readonly string[];
  /** Allowed registries: a host ("ghcr.io") or a repository glob ("ghcr.io/acme/**"). Undefined = any. */
  readonly allowedRegistries?: readonly string[];
  /** Namespaces never gated (e.g. "kube-system"). */
  readonly exemptNamespaces?: readonly string[];
}

export interface AdmissionLimits {
  /** Largest AdmissionReview body, bytes (default 3 MiB, the apiserver's own request bound). */
  readonly maxBodyBytes: number;
  /** Most containers (all kinds together) in one object (default 256). */
  readonly maxContainers: number;
  /** Longest image reference (default 1024). */
  readonly maxImageRefLength: number;
  /** Most compliance lookups running at once (default 8). */
  readonly lookupConcurrency: number;
}

export const defaultAdmissionLimits: AdmissionLimits = { maxBodyBytes: 3 * 1024 * 1024, maxContainers: 256, maxImageRefLength: 1024, lookupConcurrency: 8 };

// ---------------------------------------------------------------------------------------------
// AdmissionReview v1 shapes (the subset Berth reads and writes).

export type Operation = "CREATE" | "UPDATE" | "DELETE" | "CONNECT";

export interface GroupVersionKind {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
}

export interface AdmissionRequest {
  readonly uid: string;
  readonly kind: GroupVersionKind;
  readonly subResource?: string;
  readonly name?: string;
  readonly namespace?: string;
  readonly operation: Operation;
  readonly username?: string;
  readonly dryRun: boolean;
  /** The object being admitted (absent for DELETE). */
  readonly object: unknown;
}

export interface AdmissionStatus {
  readonly status: "Failure";
  readonly code: number;
  readonly reason: string;
  readonly message: string;
}

export interface AdmissionResponse {
  readonly uid: string;
  readonly allowed: boolean;
  readonly status?: AdmissionStatus;
  readonly warnings?: string[];
  readonly auditAnnotations?: Record<string, string>;
}

export interface AdmissionReviewResponse {
  readonly apiVersion: "admission.k8s.io/v1";
  readonly kind: "AdmissionReview";
  readonly response: AdmissionResponse;
}

// ---------------------------------------------------------------------------------------------
// Parsing.

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function bad(message: string): BerthError {
  return new BerthError("input", `AdmissionReview: ${message}`);
}

function optString(o: Record<string, unknown>, key: string, where: string): string | undefined {
  const v = o[key];
  if (v === undefined || v === null || v === "") return undefined;
  if (typeof v !== "string") throw bad(`${where}.${key} must be a string`);
  return v;
}

const OPERATIONS: readonly Operation[] = ["CREATE", "UPDATE", "DELETE", "CONNECT"];

/** Parse and validate an AdmissionReview v1 request body (string, bytes or already-parsed JSON). */
export function parseAdmissionReview(body: string | Uint8Array | unknown, limits: AdmissionLimits = defaultAdmissionLimits): AdmissionRequest {
  let doc: unknown = body;
  if (typeof body === "string" || body instanceof Uint8Array) {
    const size = typeof body === "string" ? Buffer.byteLength(body) : body.byteLength;
    if (size > limits.maxBodyBytes) throw new BerthError("limit", `AdmissionReview: body of ${size} bytes exceeds limit maxBodyBytes=${limits.maxBodyBytes}`);
    const text = typeof body === "string" ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("utf8");
    try {
      doc = JSON.parse(text) as unknown;
    } catch (e) {
      throw new BerthError("input", `AdmissionReview: body is not valid JSON (${e instanceof Error ? e.message : String(e)})`);
    }
  }
  if (!isRecord(doc)) throw bad("body must be a JSON object");
  if (doc["apiVersion"] !== "admission.k8s.io/v1") throw bad(`apiVersion must be "admission.k8s.io/v1", got ${JSON.stringify(doc["apiVersion"] ?? null)}`);
  if (doc["kind"] !== "AdmissionReview") throw bad(`kind must be "AdmissionReview", got ${JSON.stringify(doc["kind"] ?? null)}`);
  const req = doc["request"];
  if (!isRecord(req)) throw bad("request is missing");
  const uid = req["uid"];
  if (typeof uid !== "string" || uid === "" || uid.length > 128) throw bad("request.uid must be a non-empty string of at most 128 characters");
  const kind = req["kind"];
  if (!isRecord(kind) || typeof kind["kind"] !== "string" || typeof kind["version"] !== "string" || (kind["group"] !== undefined && typeof kind["group"] !== "string")) {
    throw bad("request.kind must be {group, version, kind}");
  }
  const op = req["operation"];
  if (typeof op !== "string" || !(OPERATIONS as readonly string[]).includes(op)) throw bad(`request.operation must be one of ${OPERATIONS.join(", ")}`);
  const userInfo = req["userInfo"];
  const dryRun = req["dryRun"];
  if (dryRun !== undefined && dryRun !== null && typeof dryRun !== "boolean") throw bad("request.dryRun must be a boolean");
  return {
    uid,
    kind: { group: typeof kind["group"] === "string" ? kind["group"] : "", version: kind["version"], kind: kind["kind"] },
    subResource: optString(req, "subResource", "request"),
    name: optString(req, "name", "request"),
    namespace: optString(req, "namespace", "request"),
    operation: op as Operation,
    username: isRecord(userInfo) && typeof userInfo["username"] === "string" ? userInfo["username"] : undefined,
    dryRun: dryRun === true,
    object: req["object"] ?? undefined,
  };
}

// ---------------------------------------------------------------------------------------------
// Images of a Pod or pod template.

export type ContainerKind = "container" | "initContainer" | "ephemeralContainer";

export interface ContainerImage {
  readonly container: string;
  readonly kind: ContainerKind;
  readonly image: string;
}

/** Where the pod spec sits in each supported kind ("group/Kind" → path). */
const POD_SPEC_PATHS: Record<string, readonly string[]> = {
  "/Pod": ["spec"],
  "/ReplicationController": ["spec", "template", "spec"],
  "apps/Deployment": ["spec", "template", "spec"],
  "apps/StatefulSet": ["spec", "template", "spec"],
  "apps/DaemonSet": ["spec", "template", "spec"],
  "apps/ReplicaSet": ["spec", "template", "spec"],
  "batch/Job": ["spec", "template", "spec"],
  "batch/CronJob": ["spec", "jobTemplate", "spec", "template", "spec"],
};

export function supportedKinds(): string[] {
  return Object.keys(POD_SPEC_PATHS).map((k) => (k.startsWith("/") ? k.slice(1) : k));
}

const CONTAINER_FIELDS: readonly [string, ContainerKind][] = [
  ["initContainers", "initContainer"],
  ["containers", "container"],
  ["ephemeralContainers", "ephemeralContainer"],
];

/** Every container image of the object, in spec order (init, regular, ephemeral); bounded. */
export function extractImages(kind: GroupVersionKind, object: unknown, limits: AdmissionLimits = defaultAdmissionLimits): ContainerImage[] {
  const path = POD_SPEC_PATHS[`${kind.group}/${kind.kind}`];
  if (!path) throw new BerthError("unsupported", `AdmissionReview: kind ${kind.group ? `${kind.group}/` : ""}${kind.version}/${kind.kind} is not gated (supported: ${supportedKinds().join(", ")})`);
  let spec: unknown = object;
  const where: string[] = ["object"];
  for (const key of path) {
    if (!isRecord(spec)) throw bad(`${where.join(".")} must be an object`);
    spec = spec[key];
    where.push(key);
  }
  if (!isRecord(spec)) throw bad(`${where.join(".")} (the pod spec) is missing`);
  const out: ContainerImage[] = [];
  for (const [field, ckind] of CONTAINER_FIELDS) {
    const list = spec[field];
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list)) throw bad(`${where.join(".")}.${field} must be an array`);
    if (out.length + list.length > limits.maxContainers) {
      throw new BerthError("limit", `AdmissionReview: more than ${limits.maxContainers} containers: exceeds limit maxContainers=${limits.maxContainers}`);
    }
    list.forEach((c: unknown, i: number) => {
      const at = `${where.join(".")}.${field}[${i}]`;
      if (!isRecord(c)) throw bad(`${at} must be an object`);
      const name = c["name"];
      const image = c["image"];
      if (typeof name !== "string" || name === "") throw bad(`${at}.name must be a non-empty string`);
      if (typeof image !== "string" || image.trim() === "") throw bad(`${at} (${name}) has no image`);
      if (image.length > limits.maxImageRefLength) throw new BerthError("limit", `AdmissionReview: ${at}.image is longer than ${limits.maxImageRefLength} characters: exceeds limit maxImageRefLength=${limits.maxImageRefLength}`);
      out.push({ container: name, kind: ckind, image: image.trim() });
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Image references and globs.

/** Registry host and repository path of a reference, with Docker Hub's normalisation. */
export function splitImageRef(ref: string): { registry: string; repository: string } {
  let name = ref;
  const at = name.indexOf("@");
  if (at >= 0) name = name.slice(0, at);
  const slash = name.indexOf("/");
  const lastColon = name.lastIndexOf(":");
  if (lastColon > name.lastIndexOf("/")) name = name.slice(0, lastColon); // tag
  const first = slash >= 0 ? name.slice(0, slash) : "";
  const hasHost = slash >= 0 && (first.includes(".") || first.includes(":") || first === "localhost");
  if (!hasHost) {
    const repo = name.includes("/") ? name : `library/${name}`;
    return { registry: "docker.io", repository: repo.toLowerCase() };
  }
  let registry = first.toLowerCase();
  if (registry === "index.docker.io" || registry === "registry-1.docker.io") registry = "docker.io";
  return { registry, repository: name.slice(slash + 1) };
}

function globToRegExp(glob: string): RegExp {
  let re = "";
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i] ?? "";
    if (ch === "*") {
      if (glob[i + 1] === "*") {
        re += ".*";
        i++;
      } else re += "[^/]*";
    } else re += ch.replace(/[.+?^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`, "i");
}

export function matchesGlob(value: string, glob: string): boolean {
  return globToRegExp(glob).test(value);
}

function registryAllowed(registry: string, repository: string, allowed: readonly string[]): boolean {
  const full = `${registry}/${repository}`;
  return allowed.some((a) => (a.includes("/") ? matchesGlob(full, a) : a.toLowerCase() === registry));
}

// ---------------------------------------------------------------------------------------------
// Evaluation.

export type AdmissionRule = "not-scanned" | "fixable-vulnerabilities" | "unsigned" | "provenance" | "registry" | "lookup-failed";

export interface Violation {
  readonly image: string;
  readonly container: string;
  readonly containerKind: ContainerKind;
  readonly rule: AdmissionRule;
  /** One line: what is wrong with this image under this rule. */
  readonly detail: string;
  readonly owner?: string;
  readonly digest?: string;
}

export interface AdmissionDecision {
  readonly request: AdmissionRequest;
  readonly images: readonly ContainerImage[];
  readonly violations: readonly Violation[];
  /** Why nothing was checked, when nothing was (DELETE, exempt namespace, status subresource). */
  readonly skipped?: string;
}

function fixableAtOrAbove(c: ImageCompliance, threshold: Severity): { total: number; text: string } {
  let total = 0;
  const parts: string[] = [];
  for (const s of SEVERITIES) {
    if (SEVERITY_RANK[s] < SEVERITY_RANK[threshold]) continue;
    const n = c.fixableBySeverity[s] ?? 0;
    if (n > 0) {
      total += n;
      parts.push(`${s}: ${n}`);
    }
  }
  return { total, text: parts.join(", ") };
}

/** The rules one image breaks under the policy, in a fixed order. */
export function evaluateImage(image: string, c: ImageCompliance | undefined, policy: AdmissionPolicy): { rule: AdmissionRule; detail: string }[] {
  const out: { rule: AdmissionRule; detail: string }[] = [];
  const { registry, repository } = splitImageRef(image);
  if (policy.allowedRegistries && !registryAllowed(c?.registry ?? registry, repository, policy.allowedRegistries)) {
    out.push({ rule: "registry", detail: `registry ${c?.registry ?? registry} is not allowed (allowed: ${policy.allowedRegistries.join(", ")})` });
  }
  if (!c || !c.scanned) {
    if (policy.requireScanned ?? true) out.push({ rule: "not-scanned", detail: c ? "image has not been scanned" : "image is unknown to Berth (never recorded or scanned)" });
  } else if (policy.denyFixableAtOrAbove !== undefined) {
    const f = fixableAtOrAbove(c, policy.denyFixableAtOrAbove);
    if (f.total > 0) out.push({ rule: "fixable-vulnerabilities", detail: `${f.total} fixable ${f.total === 1 ? "vulnerability" : "vulnerabilities"} at or above ${policy.denyFixableAtOrAbove} (${f.text})` });
  }
  if (policy.requireSignature && !c?.signed) {
    const n = c?.unverifiedSignatures ?? 0;
    out.push({ rule: "unsigned", detail: n > 0 ? `image has no signature by a trusted key (${n} ${n === 1 ? "signature" : "signatures"} found, none verifies)` : "image has no signature by a trusted key (none found)" });
  }
  const allowed = policy.allowedSourceRepositories;
  if (allowed) {
    const repos = c?.provenanceRepositories ?? [];
    if (repos.length === 0) out.push({ rule: "provenance", detail: `image has no verified SLSA provenance (allowed source repositories: ${allowed.join(", ")})` });
    else if (!repos.some((r) => allowed.some((g) => matchesGlob(r, g)))) {
      out.push({ rule: "provenance", detail: `provenance names source repository ${repos.join(", ")}, not an allowed one (${allowed.join(", ")})` });
    }
  }
  return out;
}

async function mapBounded<T, R>(items: readonly T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    for (;;) {
      const i = next++;
      if (i >= items.length) return;
      out[i] = await fn(items[i] as T);
    }
  });
  await Promise.all(workers);
  return out;
}

/** Evaluate a parsed request: extract images, look each distinct one up once, apply the rules. */
export async function evaluateAdmission(
  request: AdmissionRequest,
  policy: AdmissionPolicy,
  lookup: ComplianceLookup,
  limits: AdmissionLimits = defaultAdmissionLimits,
): Promise<AdmissionDecision> {
  if (request.operation !== "CREATE" && request.operation !== "UPDATE") return { request, images: [], violations: [], skipped: `operation ${request.operation} is not gated` };
  if (request.subResource !== undefined && request.subResource !== "ephemeralcontainers") {
    return { request, images: [], violations: [], skipped: `subresource ${request.subResource} is not gated` };
  }
  if (request.namespace !== undefined && policy.exemptNamespaces?.includes(request.namespace)) {
    return { request, images: [], violations: [], skipped: `namespace ${request.namespace} is exempt` };
  }
  const images = extractImages(request.kind, request.object, limits);
  const distinct = [...new Set(images.map((i) => i.image))];
  const results = await mapBounded(distinct, limits.lookupConcurrency, async (ref) => {
    try {
      return { ref, c: await lookup(ref), error: undefined };
    } catch (e) {
      return { ref, c: undefined, error: e instanceof Error ? e.message.split("\n")[0] : String(e) };
    }
  });
  const byRef = new Map(results.map((r) => [r.ref, r]));
  const violations: Violation[] = [];
  for (const img of images) {
    const r = byRef.get(img.image);
    if (!r) continue;
    const base = { image: img.image, container: img.container, containerKind: img.kind, owner: r.c?.owner, digest: r.c?.digest };
    if (r.error !== undefined) {
      violations.push({ ...base, rule: "lookup-failed", detail: `compliance lookup failed: ${r.error}` });
      continue;
    }
    for (const v of evaluateImage(img.image, r.c, policy)) violations.push({ ...base, ...v });
  }
  return { request, images, violations };
}

// ---------------------------------------------------------------------------------------------
// Response.

const MAX_MESSAGE_VIOLATIONS = 10;
const MAX_WARNINGS = 20;

function objectName(r: AdmissionRequest): string {
  const name = r.name ?? "(generated name)";
  return `${r.kind.kind} ${r.namespace ? `${r.namespace}/` : ""}${name}`;
}

export function describeViolation(v: Violation): string {
  return `image ${v.image} (${v.containerKind} ${v.container}) breaks rule ${v.rule}: ${v.detail}; owner: ${v.owner ?? "unknown"}`;
}

function envelope(response: AdmissionResponse): AdmissionReviewResponse {
  return { apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", response };
}

/** Build the AdmissionReview response for a decision under the policy's mode. */
export function buildAdmissionResponse(decision: AdmissionDecision, policy: AdmissionPolicy): AdmissionReviewResponse {
  const { request, violations } = decision;
  const uid = request.uid;
  if (violations.length === 0) return envelope({ uid, allowed: true });
  const lines = violations.slice(0, MAX_MESSAGE_VIOLATIONS).map(describeViolation);
  if (violations.length > MAX_MESSAGE_VIOLATIONS) lines.push(`and ${violations.length - MAX_MESSAGE_VIOLATIONS} more violations`);
  const auditAnnotations: Record<string, string> = {
    "berth-mode": policy.mode,
    "berth-violations": JSON.stringify(violations.slice(0, 50).map((v) => ({ image: v.image, container: v.container, rule: v.rule, owner: v.owner ?? null, digest: v.digest ?? null }))),
  };
  if (policy.mode === "audit") {
    const warnings = violations.slice(0, MAX_WARNINGS).map((v) => `berth audit: ${v.image} breaks ${v.rule} (owner: ${v.owner ?? "unknown"})`);
    if (violations.length > MAX_WARNINGS) warnings.push(`berth audit: and ${violations.length - MAX_WARNINGS} more violations`);
    return envelope({ uid, allowed: true, warnings, auditAnnotations });
  }
  return envelope({
    uid,
    allowed: false,
    status: { status: "Failure", code: 403, reason: "Forbidden", message: `Berth denied ${objectName(request)}: ${lines.join("; ")}` },
    auditAnnotations,
  });
}

/** A response for a review that could not be evaluated (bad object, limit hit); denies. */
export function admissionErrorResponse(uid: string, error: BerthError): AdmissionReviewResponse {
  return envelope({ uid, allowed: false, status: { status: "Failure", code: error.code === "limit" ? 413 : 400, reason: "BadRequest", message: `Berth could not evaluate the request: ${error.message}` } });
}

/**
 * The whole webhook: body in, AdmissionReview out. A body that is not an AdmissionReview (no uid to
 * answer) throws BerthError("input"|"limit") for the route to turn into HTTP 400/413; an object that
 * cannot be evaluated gets a denying response naming the problem.
 */
export async function reviewAdmission(
  body: string | Uint8Array | unknown,
  policy: AdmissionPolicy,
  lookup: ComplianceLookup,
  limits: AdmissionLimits = defaultAdmissionLimits,
): Promise<AdmissionReviewResponse> {
  const request = parseAdmissionReview(body, limits);
  try {
    const decision = await evaluateAdmission(request, policy, lookup, limits);
    return buildAdmissionResponse(decision, policy);
  } catch (e) {
    if (e instanceof BerthError) return admissionErrorResponse(request.uid, e);
    throw e;
  }
}
