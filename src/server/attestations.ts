// Signatures and attestations next to a scanned image: discovered in its registry with the attest
// stage (collectEvidence: OCI referrers through the API or the tag schema, and cosign's .sig tag),
// each checked against the server's trust (`--trust-key` files and/or a `--trust-policy` document,
// the one `berth verify --policy` takes), stored as rows of `attestations`; a verified SLSA
// provenance also links the image to the source repository it names (image_sources, source
// "provenance") and to the pipeline run its invocation id names, when that run is recorded.
//
// Discovery never fails a scan: an unreachable registry or a hostile referrer is logged and recorded
// (a "discovery-error" row, or an "unreadable" row per broken referrer), and the scan stands.
// Bounds are the attest stage's (AttestLimits: referrers per image, bytes per envelope, layers per
// signature manifest); stored rows are capped at maxReferrers.
import type { AttestationEvidence, Evidence, SignatureEvidence } from "../attest/evidence.js";
import { collectEvidence } from "../attest/evidence.js";
import { kindOfPredicateType } from "../attest/intoto.js";
import { defaultAttestLimits, type AttestLimits } from "../attest/limits.js";
import { loadVerifier, type Verifier } from "../attest/signer.js";
import { provenanceBuilderId, provenanceRepositories, validateProvenance, normalizeRepository } from "../attest/slsa.js";
import { resolveSubject } from "../attest/subject.js";
import { parseTrustPolicy, policyFor, trustedVerifiers, type TrustPolicyDocument } from "../attest/trust-policy.js";
import { RegistryClient } from "../image/registry/client.js";
import { parseReference } from "../image/registry/reference.js";
import type { Repositories } from "../store/index.js";
import { attestationRepository, type AttestationRowKind, type StoredAttestation } from "../store/attestations.js";
import { canonicalRepositoryUrl, recordRepository } from "../store/records.js";
import { describeError } from "../util/errors.js";
import type { Limits } from "../util/limits.js";

// ---------------------------------------------------------------------------------------------
// Trust.

/** The keys the server trusts: `--trust-key` files for every image, plus the trust policy's per scope. */
export interface ServerTrust {
  readonly keys: readonly Verifier[];
  readonly policy?: TrustPolicyDocument;
  /** Each policy statement's keys, loaded once at start (a bad key file fails the start, not a scan). */
  readonly statementKeys: ReadonlyMap<string, readonly Verifier[]>;
}

export const NO_TRUST: ServerTrust = { keys: [], statementKeys: new Map() };

/** Loads `--trust-key` files and the `--trust-policy` document (bytes read by the caller, bounded). */
export async function loadServerTrust(keyFiles: readonly string[], policy?: { readonly path: string; readonly bytes: Uint8Array }): Promise<ServerTrust> {
  const keys: Verifier[] = [];
  for (const f of keyFiles) keys.push(await loadVerifier(f));
  if (!policy) return { keys, statementKeys: new Map() };
  const doc = parseTrustPolicy(policy.bytes, policy.path);
  const statementKeys = new Map<string, readonly Verifier[]>();
  for (const st of doc.trustPolicies) statementKeys.set(st.name, st.level === "skip" ? [] : await trustedVerifiers(doc, st));
  return { keys, policy: doc, statementKeys };
}

/** The keys that count for an image in `host/repository`: the trust keys and its policy statement's. */
export function verifiersFor(trust: ServerTrust, repositoryName: string): { verifiers: Verifier[]; policy?: string } {
  const st = trust.policy ? policyFor(trust.policy, repositoryName) : undefined;
  const fromPolicy = st ? (trust.statementKeys.get(st.name) ?? []) : [];
  const seen = new Set<string>();
  const verifiers = [...trust.keys, ...fromPolicy].filter((v) => !seen.has(v.keyId) && seen.add(v.keyId));
  return { verifiers, ...(st ? { policy: st.name } : {}) };
}

// ---------------------------------------------------------------------------------------------
// Evidence → rows (pure).

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | undefined {
  return typeof v === "string" && v !== "" ? v : undefined;
}

export interface ProvenanceSource {
  /** Host-qualified repository, as the gate's globs match it: "github.com/acme/web". */
  readonly repository: string;
  readonly commit?: string;
  /** The builder's run: runDetails.metadata.invocationId (v1) or metadata.buildInvocationId (v0.2). */
  readonly invocationId?: string;
  readonly builderId?: string;
}

/** What a SLSA provenance predicate (v1 or v0.2) says about the source; undefined when it names no repository. */
export function provenanceSource(predicate: Readonly<Record<string, unknown>>): ProvenanceSource | undefined {
  const repository = provenanceRepositories(predicate)[0];
  if (!repository) return undefined;
  const bd = isObject(predicate.buildDefinition) ? predicate.buildDefinition : {};
  const inv = isObject(predicate.invocation) ? predicate.invocation : {};
  const deps: unknown[] = [...(Array.isArray(bd.resolvedDependencies) ? bd.resolvedDependencies : []), inv.configSource, ...(Array.isArray(predicate.materials) ? predicate.materials : [])];
  let commit: string | undefined;
  for (const d of deps) {
    if (!isObject(d) || typeof d.uri !== "string" || normalizeRepository(d.uri) !== repository || !isObject(d.digest)) continue;
    const c = str(d.digest.gitCommit) ?? str(d.digest.sha1);
    if (c && /^[0-9a-f]{7,64}$/i.test(c)) {
      commit = c.toLowerCase();
      break;
    }
  }
  const rd = isObject(predicate.runDetails) ? predicate.runDetails : {};
  const v1meta = isObject(rd.metadata) ? rd.metadata : {};
  const v02meta = isObject(predicate.metadata) ? predicate.metadata : {};
  const invocationId = str(v1meta.invocationId) ?? str(v02meta.buildInvocationId);
  const v02builder = isObject(predicate.builder) ? str(predicate.builder.id) : undefined;
  const builderId = provenanceBuilderId(predicate) ?? v02builder;
  return { repository, ...(commit ? { commit } : {}), ...(invocationId ? { invocationId: invocationId.slice(0, 2048) } : {}), ...(builderId ? { builderId: builderId.slice(0, 2048) } : {}) };
}

const KIND_OF: Record<ReturnType<typeof kindOfPredicateType>, AttestationRowKind> = { slsa: "provenance", sbom: "sbom", vuln: "vuln", custom: "custom" };

function signatureRow(s: SignatureEvidence): StoredAttestation {
  const verified = s.verified && !s.problem;
  const signer = s.keyId ?? s.claimedKeyId;
  return {
    digest: s.layerDigest,
    kind: "signature",
    verified,
    ...(signer ? { signer } : {}),
    detail: {
      locations: [s.location],
      ...(s.keySource ? { keySource: s.keySource } : {}),
      ...(s.claimedKeyId ? { claimedKeyId: s.claimedKeyId } : {}),
      ...(s.dockerReference ? { dockerReference: s.dockerReference } : {}),
      ...(s.problem ? { problem: s.problem } : {}),
    },
  };
}

function attestationRow(a: AttestationEvidence): StoredAttestation {
  const predicateType = a.statement?.predicateType ?? a.claimedPredicateType;
  const kind = KIND_OF[predicateType ? kindOfPredicateType(predicateType) : (a.claimedKind ?? "custom")];
  const verified = a.verified && a.statement !== undefined && !a.problem;
  const signer = a.keyId ?? (a.claimedKeyIds.length ? a.claimedKeyIds.join(",") : undefined);
  const detail: Json = { locations: [a.location], ...(a.keySource ? { keySource: a.keySource } : {}), ...(a.claimedKeyIds.length ? { claimedKeyIds: a.claimedKeyIds } : {}), ...(a.problem ? { problem: a.problem } : {}) };
  let sourceRepository: string | undefined;
  if (verified && kind === "provenance" && a.statement) {
    const pred = a.statement.predicate;
    const src = provenanceSource(pred);
    if (src) {
      sourceRepository = src.repository;
      Object.assign(detail, { source: src, repositories: provenanceRepositories(pred) });
    }
    // v1 shape problems are shown; the key still verified the statement about this digest
    if (predicateType?.endsWith("/v1")) {
      const shape = validateProvenance(pred);
      if (shape.length) detail.shapeProblems = shape.slice(0, 10);
    }
  }
  return {
    digest: a.layerDigest ?? a.location.replace(/^referrer /, ""),
    kind,
    verified,
    ...(predicateType ? { predicateType: predicateType.slice(0, 512) } : {}),
    ...(signer ? { signer: signer.slice(0, 512) } : {}),
    ...(sourceRepository ? { sourceRepository } : {}),
    detail,
  };
}

/** "referrer sha256:…: message" → a row for the referrer that could not be read. */
function unreadableRow(u: string): StoredAttestation {
  const m = /^(?:referrer |tag )(\S+?):? (.*)$/.exec(u);
  const digest = m?.[1] ?? u.slice(0, 200);
  return { digest, kind: "unreadable", verified: false, detail: { problem: (m?.[2] ?? u).slice(0, 1000) } };
}

/**
 * The rows for collected evidence. One row per evidence blob: a signature found both as a referrer
 * and under cosign's .sig tag is one row (verified when either check verified it), with both locations.
 */
export function rowsFromEvidence(evidence: Evidence, limits: Pick<AttestLimits, "maxReferrers"> = defaultAttestLimits): { rows: StoredAttestation[]; truncated: boolean } {
  const byDigest = new Map<string, StoredAttestation>();
  const all = [...evidence.signatures.map(signatureRow), ...evidence.attestations.map(attestationRow), ...evidence.unreadable.map(unreadableRow)];
  for (const r of all) {
    const prev = byDigest.get(r.digest);
    if (!prev) {
      byDigest.set(r.digest, r);
      continue;
    }
    const [keep, other] = r.verified && !prev.verified ? [r, prev] : [prev, r];
    const locations = [...new Set([...((keep.detail.locations as string[] | undefined) ?? []), ...((other.detail.locations as string[] | undefined) ?? [])])];
    byDigest.set(r.digest, { ...keep, detail: { ...keep.detail, locations } });
  }
  const rows = [...byDigest.values()];
  return { rows: rows.slice(0, limits.maxReferrers), truncated: rows.length > limits.maxReferrers };
}

// ---------------------------------------------------------------------------------------------
// Discovery against the registry, and the provenance mapping.

export interface AttestationSettings {
  readonly trust: ServerTrust;
  readonly attestLimits?: AttestLimits;
  /** Registry client limits (timeouts, manifest bytes): the scan's. */
  readonly limits: Limits;
  readonly insecureRegistries: readonly string[];
  readonly log: (msg: string) => void;
}

export interface AttestationTarget {
  readonly digest: string;
  /** Registry host ("127.0.0.1:5000") and repository the image was pushed to. */
  readonly host: string;
  readonly repository: string;
}

export interface DiscoveryOutcome {
  readonly ok: boolean;
  readonly rows: number;
  readonly verified: number;
  /** A discovery of the same image that started later had stored its rows already: these were dropped. */
  readonly stale?: boolean;
  readonly error?: string;
}

async function linkProvenance(repos: Repositories, digest: string, rows: readonly StoredAttestation[], now: Date): Promise<void> {
  const records = recordRepository(repos.store.db);
  for (const r of rows) {
    if (r.kind !== "provenance" || !r.verified || !r.sourceRepository) continue;
    const src = r.detail.source as ProvenanceSource | undefined;
    const url = canonicalRepositoryUrl(r.sourceRepository);
    if (!url) continue;
    await records.linkFromProvenance(digest, { repositoryUrl: url, ...(src?.commit ? { commit: src.commit } : {}), ...(src?.invocationId && /^https?:\/\//.test(src.invocationId) ? { runUrl: src.invocationId } : {}) }, now);
  }
}

/**
 * Discovers, verifies and stores the image's signatures and attestations; links verified provenance.
 * Never throws: a failure is logged and recorded as the image's "discovery-error" row.
 */
export async function discoverAttestations(repos: Repositories, settings: AttestationSettings, target: AttestationTarget, now: () => Date): Promise<DiscoveryOutcome> {
  const store = attestationRepository(repos.store.db);
  const limits = settings.attestLimits ?? defaultAttestLimits;
  const startedAt = now();
  try {
    const ref = parseReference(`${target.host}/${target.repository}@${target.digest}`);
    const client = new RegistryClient(ref.registry, { insecure: settings.insecureRegistries.includes(target.host), limits: settings.limits, log: settings.log });
    const subject = await resolveSubject(client, ref);
    const { verifiers, policy } = verifiersFor(settings.trust, subject.name);
    const evidence = await collectEvidence(client, subject, verifiers, { limits, mode: "auto", log: settings.log });
    const { rows, truncated } = rowsFromEvidence(evidence, limits);
    const stamped = rows.map((r) => ({ ...r, detail: { ...r.detail, referrersSource: evidence.source, ...(policy ? { trustPolicy: policy } : {}), trustedKeys: verifiers.length } }));
    if (!(await store.replace(target.digest, stamped, startedAt))) return { ok: true, rows: 0, verified: 0, stale: true };
    if (truncated) settings.log(`attestations of ${target.digest}: more than ${limits.maxReferrers} found; stored the first ${limits.maxReferrers} (limit maxReferrers)`);
    await linkProvenance(repos, target.digest, stamped, now());
    return { ok: true, rows: stamped.length, verified: stamped.filter((r) => r.verified).length };
  } catch (e) {
    const error = describeError(e);
    settings.log(`attestations of ${target.host}/${target.repository}@${target.digest}: discovery failed: ${error}`);
    try {
      await store.recordFailure(target.digest, error, now());
    } catch (e2) {
      settings.log(`attestations of ${target.digest}: cannot record the failure: ${describeError(e2)}`);
    }
    return { ok: false, rows: 0, verified: 0, error };
  }
}

// ---------------------------------------------------------------------------------------------
// Re-discovery when evidence is pushed after the scan (signing runs after the push in CI).

export const ATTESTATIONS_JOB = "discover-attestations";

export function attestationsDedupeKey(digest: string): string {
  return `attestations:${digest}`;
}

/**
 * The subject digest a pushed tag names when the tag is the referrers tag schema's index
 * ("sha256-<hex>") or cosign's signature/attestation tag ("sha256-<hex>.sig" / ".att").
 */
export function referrersTagSubject(tag: string | undefined): string | undefined {
  const m = tag ? /^(sha256|sha512)-([a-f0-9]{64}|[a-f0-9]{128})(\.sig|\.att)?$/.exec(tag) : null;
  return m ? `${m[1]}:${m[2]}` : undefined;
}

export function parseAttestationsPayload(json: string): AttestationTarget {
  const v: unknown = JSON.parse(json);
  if (!isObject(v) || typeof v.digest !== "string" || typeof v.host !== "string" || typeof v.repository !== "string") throw new Error("attestations job payload lacks digest, host or repository");
  return { digest: v.digest, host: v.host, repository: v.repository };
}

/**
 * The scan job's hook: discovery for the pushed digest and, for an index, also the platform image
 * that was scanned (builders attach evidence to either). Never throws.
 */
export async function discoverAfterScan(
  repos: Repositories,
  settings: Omit<AttestationSettings, "trust"> & { readonly trust?: ServerTrust },
  job: AttestationTarget,
  scannedDigest: string,
  now: () => Date,
): Promise<void> {
  const s = { ...settings, trust: settings.trust ?? NO_TRUST };
  for (const digest of new Set([job.digest, scannedDigest])) await discoverAttestations(repos, s, { ...job, digest }, now);
}

export interface AttestationApiView {
  /** The image digest the evidence is about (the image itself, or the index it belongs to). */
  readonly subject: string;
  readonly digest: string;
  readonly kind: string;
  readonly signer: string | null;
  readonly verified: boolean;
  readonly predicateType: string | null;
  readonly sourceRepository: string | null;
  readonly locations: readonly string[];
  readonly problem: string | null;
  readonly discoveredAt: string;
}

/** `attestations` of GET /api/v1/images/{digest}: the image's own evidence, then its index's. */
export async function attestationsView(repos: Repositories, digest: string, indexDigest: string | null): Promise<AttestationApiView[]> {
  const store = attestationRepository(repos.store.db);
  const out: AttestationApiView[] = [];
  for (const subject of indexDigest ? [digest, indexDigest] : [digest]) {
    for (const r of await store.list(subject)) {
      const locations = Array.isArray(r.detail.locations) ? r.detail.locations.filter((l): l is string => typeof l === "string") : [];
      out.push({
        subject,
        digest: r.digest,
        kind: r.kind,
        signer: r.signer,
        verified: r.verified,
        predicateType: r.predicateType,
        sourceRepository: r.sourceRepository,
        locations,
        problem: typeof r.detail.problem === "string" ? r.detail.problem : null,
        discoveredAt: r.createdAt,
      });
    }
  }
  return out;
}

/**
 * For a tag that is a referrers tag index or a cosign tag: undefined for any other tag (the caller
 * goes on as for an image). A pull: false, nothing to do (discovery itself reads these tags). A push:
 * enqueues re-discovery of the subject's evidence (true; false when that very push is queued
 * already). Keyed by the pushed digest too, so a second signature pushed while the first discovery
 * runs gets its own job instead of being dropped by the queue's de-duplication.
 */
export async function enqueueAttestationsForTag(
  repos: Repositories,
  push: { readonly action: string; readonly host: string; readonly repository: string; readonly tag: string; readonly digest: string },
  now: Date,
  tx?: Parameters<Repositories["jobs"]["enqueue"]>[2],
): Promise<boolean | undefined> {
  const subject = referrersTagSubject(push.tag);
  if (subject === undefined) return undefined;
  if (push.action !== "push") return false;
  return enqueueAttestationsForArtifact(repos, { digest: subject, host: push.host, repository: push.repository }, push.digest, now, tx);
}

/**
 * A referrer (signature, attestation) pushed by digest rather than by a referrers/cosign tag: queue
 * discovery for its subject, keyed by the referrer so each new piece of evidence gets its own job.
 */
export async function enqueueAttestationsForArtifact(
  repos: Repositories,
  subject: AttestationTarget,
  artifactDigest: string,
  now: Date,
  tx?: Parameters<Repositories["jobs"]["enqueue"]>[2],
): Promise<boolean> {
  return repos.jobs.enqueue({ kind: ATTESTATIONS_JOB, dedupeKey: `${attestationsDedupeKey(subject.digest)}@${artifactDigest}`, payload: subject, maxAttempts: 3 }, now, tx);
}

/** The worker's handler for ATTESTATIONS_JOB: discovery for an image already known to the store. */
export async function runAttestationsJob(repos: Repositories, settings: Omit<AttestationSettings, "trust"> & { readonly trust?: ServerTrust }, payloadJson: string, now: () => Date): Promise<void> {
  const target = parseAttestationsPayload(payloadJson);
  // Evidence about an image Berth never saw (pushed elsewhere, deleted) is not worth a row.
  if (!(await repos.images.get(target.digest))) return;
  await discoverAttestations(repos, { ...settings, trust: settings.trust ?? NO_TRUST }, target, now);
}
