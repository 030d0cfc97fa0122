// in-toto Statement v1 (https://in-toto.io/Statement/v1): building one for an image and validating
// untrusted ones, and the predicate types behind `berth attest --type`.
import { BerthError } from "../util/errors.js";
import { parseDigest } from "../image/digest.js";

export const STATEMENT_V1 = "https://in-toto.io/Statement/v1";
/** The pre-v1 statement type; older cosign wrote it. Accepted on read, never written. */
export const STATEMENT_V01 = "https://in-toto.io/Statement/v0.1";

export const PredicateType = {
  slsaProvenanceV1: "https://slsa.dev/provenance/v1",
  cyclonedx: "https://cyclonedx.org/bom",
  spdx: "https://spdx.dev/Document",
  /** cosign's vulnerability-scan predicate type. */
  vuln: "https://cosign.sigstore.dev/attestation/vuln/v1",
  /** cosign's generic predicate type, the default for `--type custom`. */
  custom: "https://cosign.sigstore.dev/attestation/v1",
} as const;

export type AttestationKind = "slsa" | "sbom" | "vuln" | "custom";
export const attestationKinds: readonly AttestationKind[] = ["slsa", "sbom", "vuln", "custom"];

export interface ResourceDescriptor {
  readonly name?: string;
  readonly uri?: string;
  readonly digest?: Readonly<Record<string, string>>;
}

export interface Statement {
  readonly _type: string;
  readonly subject: readonly ResourceDescriptor[];
  readonly predicateType: string;
  readonly predicate: Readonly<Record<string, unknown>>;
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The predicate type for `--type`: SBOMs by their format (CycloneDX or SPDX). */
export function predicateTypeFor(kind: AttestationKind, predicate: Json, override?: string): string {
  if (override) return override;
  switch (kind) {
    case "slsa":
      return PredicateType.slsaProvenanceV1;
    case "vuln":
      return PredicateType.vuln;
    case "custom":
      return PredicateType.custom;
    case "sbom":
      if (predicate.bomFormat === "CycloneDX") return PredicateType.cyclonedx;
      if (typeof predicate.spdxVersion === "string") return PredicateType.spdx;
      throw new BerthError("input", "--type sbom: the predicate is neither a CycloneDX nor an SPDX JSON document (give --predicate-type for another format)");
  }
}

/** Which `--type` a predicate type belongs to (for display and for policy requirements). */
export function kindOfPredicateType(predicateType: string): AttestationKind {
  if (predicateType === PredicateType.slsaProvenanceV1 || predicateType.startsWith("https://slsa.dev/provenance/")) return "slsa";
  if (predicateType === PredicateType.cyclonedx || predicateType.startsWith("https://spdx.dev/Document")) return "sbom";
  if (predicateType === PredicateType.vuln) return "vuln";
  return "custom";
}

/** A Statement about one image manifest: subject name is the repository, digest the manifest's. */
export function imageStatement(repository: string, manifestDigest: string, predicateType: string, predicate: Json): Statement {
  const d = parseDigest(manifestDigest);
  return { _type: STATEMENT_V1, subject: [{ name: repository, digest: { [d.algorithm]: d.hex } }], predicateType, predicate };
}

/** Validates an untrusted Statement (the payload of a verified envelope). */
export function parseStatement(bytes: Uint8Array, what: string): Statement {
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(bytes).toString("utf8"));
  } catch {
    throw new BerthError("corrupt", `${what}: in-toto statement is not valid JSON`);
  }
  if (!isObject(v)) throw new BerthError("corrupt", `${what}: in-toto statement is not a JSON object`);
  const problems: string[] = [];
  if (v._type !== STATEMENT_V1 && v._type !== STATEMENT_V01) problems.push(`_type is ${JSON.stringify(v._type)?.slice(0, 80)}, expected ${STATEMENT_V1}`);
  const subject: ResourceDescriptor[] = [];
  if (!Array.isArray(v.subject) || v.subject.length === 0) problems.push("subject is missing or empty");
  else
    v.subject.forEach((s: unknown, i) => {
      if (!isObject(s) || !isObject(s.digest) || Object.keys(s.digest).length === 0) {
        problems.push(`subject[${i}] has no digest`);
        return;
      }
      const digest: Record<string, string> = {};
      for (const [k, x] of Object.entries(s.digest)) {
        if (typeof x !== "string") problems.push(`subject[${i}].digest.${k} is not a string`);
        else digest[k] = x;
      }
      subject.push({ ...(typeof s.name === "string" ? { name: s.name } : {}), ...(typeof s.uri === "string" ? { uri: s.uri } : {}), digest });
    });
  if (typeof v.predicateType !== "string" || v.predicateType === "") problems.push("predicateType is missing");
  if (v.predicate !== undefined && !isObject(v.predicate)) problems.push("predicate is not an object");
  if (problems.length) throw new BerthError("corrupt", `${what}: invalid in-toto statement: ${problems.join("; ")}`);
  return { _type: v._type as string, subject, predicateType: v.predicateType as string, predicate: (v.predicate as Json | undefined) ?? {} };
}

/** True when one subject names this manifest digest. */
export function statementCoversDigest(st: Statement, manifestDigest: string): boolean {
  const d = parseDigest(manifestDigest);
  return st.subject.some((s) => s.digest?.[d.algorithm]?.toLowerCase() === d.hex);
}
