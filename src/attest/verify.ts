// Verification: does this image carry a signature by a trusted key over its own digest, and the
// attestations the policy requires? `evaluate` is pure over the collected evidence; the level
// (strict / permissive / audit / skip) decides which failed checks fail and which are only logged.
import type { RegistryClient } from "../image/registry/client.js";
import { shortKeyId } from "./keys.js";
import type { AttestationEvidence, Evidence, SignatureEvidence } from "./evidence.js";
import { collectEvidence } from "./evidence.js";
import type { ReferrersOptions } from "./oci/referrers.js";
import type { Verifier } from "./signer.js";
import { normalizeRepository, provenanceBuilderId, provenanceRepositories, validateProvenance } from "./slsa.js";
import type { SubjectImage } from "./subject.js";
import type { AttestationRequirement, CheckAction, CheckName, VerificationLevel } from "./trust-policy.js";

export interface VerifySettings {
  /** The trust policy statement's name, or "--key" in simple mode. */
  readonly policyName: string;
  readonly level: VerificationLevel;
  readonly actions: Readonly<Record<CheckName, CheckAction>>;
  readonly verifiers: readonly Verifier[];
  readonly requirements: readonly AttestationRequirement[];
}

export interface RequirementResult {
  readonly requirement: AttestationRequirement;
  readonly ok: boolean;
  /** The attestation that satisfied it. */
  readonly by?: string;
  readonly reason?: string;
}

export interface VerifyReport {
  readonly image: string;
  readonly digest: string;
  readonly resolvedFromTag?: string;
  readonly policy: string;
  readonly level: VerificationLevel;
  readonly referrersSource?: string;
  readonly passed: boolean;
  readonly signature?: { readonly ok: boolean; readonly by?: string; readonly reason?: string };
  readonly requirements: readonly RequirementResult[];
  readonly signatures: readonly SignatureEvidence[];
  readonly attestations: readonly AttestationEvidence[];
  /** Checks that failed and fail the verification. */
  readonly failures: readonly string[];
  /** Checks that failed but are only logged at this level, and unreadable referrers. */
  readonly warnings: readonly string[];
}

function signatureCheck(subject: SubjectImage, sigs: readonly SignatureEvidence[]): { ok: boolean; by?: string; reason?: string } {
  const good = sigs.find((s) => s.verified && !s.problem);
  if (good) return { ok: true, by: `${good.location} (key ${shortKeyId(good.keyId ?? "")}, ${good.keySource ?? ""})` };
  const where = subject.resolvedFromTag ? ` (tag ${subject.resolvedFromTag} resolves to ${subject.digest})` : "";
  if (sigs.length === 0) return { ok: false, reason: `no signature found for ${subject.digest}${where}` };
  const bound = sigs.find((s) => s.verified && s.problem);
  if (bound) return { ok: false, reason: `signature in ${bound.location} is by a trusted key but ${bound.problem}` };
  const claimed = [...new Set(sigs.map((s) => s.claimedKeyId).filter((k): k is string => !!k))].map(shortKeyId);
  return { ok: false, reason: `no signature by a trusted key${where}: ${sigs.length} signature${sigs.length === 1 ? "" : "s"} found${claimed.length ? ` (claiming key ${claimed.join(", ")})` : ""}, none verifies with the trusted keys` };
}

function describeRequirement(r: AttestationRequirement): string {
  const parts = [r.predicateType ?? r.type];
  if (r.sourceRepository) parts.push(`from ${r.sourceRepository}`);
  if (r.builderId) parts.push(`built by ${r.builderId}`);
  return parts.join(" ");
}

export function requirementCheck(r: AttestationRequirement, atts: readonly AttestationEvidence[]): RequirementResult {
  const label = describeRequirement(r);
  const ofKind = (a: AttestationEvidence): boolean => {
    const pt = a.statement?.predicateType ?? a.claimedPredicateType;
    if (r.predicateType) return pt === r.predicateType;
    return (a.claimedKind ?? undefined) === r.type;
  };
  const candidates = atts.filter(ofKind);
  const valid = candidates.filter((a) => a.verified && a.statement && !a.problem);
  const reasons: string[] = [];
  for (const a of valid) {
    const pred = a.statement!.predicate;
    if (r.type === "slsa") {
      const shape = validateProvenance(pred);
      if (shape.length) {
        reasons.push(`${a.location}: not SLSA Provenance v1 (${shape.slice(0, 3).join("; ")})`);
        continue;
      }
      if (r.sourceRepository) {
        const want = normalizeRepository(r.sourceRepository);
        const have = provenanceRepositories(pred);
        if (!have.includes(want)) {
          reasons.push(`${a.location}: provenance source is ${have.join(", ") || "not stated"}, the policy requires ${want}`);
          continue;
        }
      }
      if (r.builderId) {
        const b = provenanceBuilderId(pred);
        if (b !== r.builderId) {
          reasons.push(`${a.location}: builder is ${b ?? "not stated"}, the policy requires ${r.builderId}`);
          continue;
        }
      }
    }
    return { requirement: r, ok: true, by: `${a.location} (key ${shortKeyId(a.keyId ?? "")})` };
  }
  for (const a of candidates) if (!(a.verified && a.statement && !a.problem)) reasons.push(`${a.location}: ${a.problem ?? "not verified"}`);
  if (candidates.length === 0) return { requirement: r, ok: false, reason: `required ${label} attestation: none found` };
  return { requirement: r, ok: false, reason: `required ${label} attestation: ${reasons.join("; ")}` };
}

/** Pure: the verdict for collected evidence under the settings. */
export function evaluate(subject: SubjectImage, settings: VerifySettings, evidence: Evidence | undefined): VerifyReport {
  const base = {
    image: subject.resolvedFromTag ? `${subject.name}:${subject.resolvedFromTag}` : `${subject.name}@${subject.digest}`,
    digest: subject.digest,
    ...(subject.resolvedFromTag ? { resolvedFromTag: subject.resolvedFromTag } : {}),
    policy: settings.policyName,
    level: settings.level,
  };
  if (!evidence || settings.level === "skip") return { ...base, passed: true, requirements: [], signatures: [], attestations: [], failures: [], warnings: [`trust policy "${settings.policyName}" skips verification`] };
  const failures: string[] = [];
  const warnings: string[] = evidence.unreadable.map((u) => `unreadable ${u}`);
  const put = (check: CheckName, msg: string): void => {
    const a = settings.actions[check];
    if (a === "enforce") failures.push(msg);
    else if (a === "log") warnings.push(`${msg} (${check} is only logged at this level)`);
  };
  let signature;
  if (settings.actions.authenticity !== "skip") {
    signature = signatureCheck(subject, evidence.signatures);
    if (!signature.ok) put("authenticity", signature.reason ?? "signature check failed");
  }
  const requirements: RequirementResult[] = [];
  if (settings.actions.attestations !== "skip")
    for (const r of settings.requirements) {
      const res = requirementCheck(r, evidence.attestations);
      requirements.push(res);
      if (!res.ok) put("attestations", res.reason ?? "attestation check failed");
    }
  return {
    ...base,
    referrersSource: evidence.source,
    passed: failures.length === 0,
    ...(signature ? { signature } : {}),
    requirements,
    signatures: evidence.signatures,
    attestations: evidence.attestations,
    failures,
    warnings,
  };
}

export async function verifyImage(client: RegistryClient, subject: SubjectImage, settings: VerifySettings, opts: ReferrersOptions): Promise<VerifyReport> {
  const evidence = settings.level === "skip" ? undefined : await collectEvidence(client, subject, settings.verifiers, opts);
  return evaluate(subject, settings, evidence);
}
