// The trust policy: Notation's trust-policy document shape (version, trustPolicies with
// registryScopes, signatureVerification.level, trustStores, trustedIdentities), with Berth's key
// trust stores and attestation requirements. Parsed strictly: unknown fields, duplicate scopes and
// bad values are all reported together.
//
//   {
//     "version": "1.0",
//     "keyStores": { "release": ["keys/release.pub"] },
//     "trustPolicies": [{
//       "name": "production",
//       "registryScopes": ["registry.example.com/team/app"],
//       "signatureVerification": { "level": "strict" },
//       "trustStores": ["key:release"],
//       "trustedIdentities": ["*"],
//       "requiredAttestations": [{ "type": "slsa", "sourceRepository": "https://github.com/example/app" }]
//     }, { "name": "others", "registryScopes": ["*"], "signatureVerification": { "level": "skip" } }],
//     "baseImages": { "allowedRegistries": ["registry.example.com/base"] }
//   }
import { readdir } from "node:fs/promises";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { parseReference, repositoryName } from "../image/registry/reference.js";
import { BerthError, isBerthError } from "../util/errors.js";
import { attestationKinds, type AttestationKind } from "./intoto.js";
import { loadVerifier, type Verifier } from "./signer.js";

export type VerificationLevel = "strict" | "permissive" | "audit" | "skip";
export type CheckAction = "enforce" | "log" | "skip";
/** What Berth checks: authenticity = a signature by a trusted key over this digest; attestations = the required ones. */
export type CheckName = "authenticity" | "attestations";

export const levelActions: Readonly<Record<VerificationLevel, Readonly<Record<CheckName, CheckAction>>>> = {
  strict: { authenticity: "enforce", attestations: "enforce" },
  permissive: { authenticity: "enforce", attestations: "log" },
  audit: { authenticity: "log", attestations: "log" },
  skip: { authenticity: "skip", attestations: "skip" },
};

export interface AttestationRequirement {
  readonly type: AttestationKind;
  /** Exact predicate type (default: any of the kind's). */
  readonly predicateType?: string;
  /** SLSA: the provenance must name this source repository. */
  readonly sourceRepository?: string;
  /** SLSA: runDetails.builder.id must equal this. */
  readonly builderId?: string;
}

export interface TrustPolicyStatement {
  readonly name: string;
  readonly registryScopes: readonly string[];
  readonly level: VerificationLevel;
  readonly actions: Readonly<Record<CheckName, CheckAction>>;
  readonly trustStores: readonly string[];
  readonly trustedIdentities: readonly string[];
  readonly requiredAttestations: readonly AttestationRequirement[];
}

export interface TrustPolicyDocument {
  readonly path: string;
  readonly trustPolicies: readonly TrustPolicyStatement[];
  /** Key store name → public key files (absolute paths). */
  readonly keyStores: Readonly<Record<string, readonly string[]>>;
  readonly baseImages?: { readonly allowedRegistries: readonly string[] };
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function unknownFields(o: Json, allowed: readonly string[], where: string, out: string[]): void {
  for (const k of Object.keys(o)) if (!allowed.includes(k)) out.push(`${where}: unknown field "${k}"`);
}

function stringList(v: unknown, where: string, out: string[]): string[] {
  if (!Array.isArray(v) || v.some((x) => typeof x !== "string" || x === "")) {
    out.push(`${where} must be a list of non-empty strings`);
    return [];
  }
  return v as string[];
}

/** "registry.example.com/team/app" → its canonical repository name, or undefined when it is not one. */
export function scopeName(scope: string): string | undefined {
  if (scope.includes("@") || /:[^/]*$/.test(scope.slice(scope.indexOf("/") + 1))) return undefined;
  try {
    const ref = parseReference(scope);
    const first = scope.split("/")[0] ?? "";
    if (!first.includes(".") && !first.includes(":") && first !== "localhost") return undefined;
    return repositoryName(ref);
  } catch {
    return undefined;
  }
}

const LEVELS: readonly string[] = ["strict", "permissive", "audit", "skip"];
const ACTIONS: readonly string[] = ["enforce", "log", "skip"];
// Notation's override names that do not apply to key signatures (no timestamps, expiry or revocation)
const IGNORED_OVERRIDES = ["authenticTimestamp", "expiry", "revocation"];

function parseRequirement(v: unknown, where: string, out: string[]): AttestationRequirement | undefined {
  if (!isObject(v)) {
    out.push(`${where} must be an object`);
    return undefined;
  }
  unknownFields(v, ["type", "predicateType", "sourceRepository", "builderId"], where, out);
  if (typeof v.type !== "string" || !(attestationKinds as readonly string[]).includes(v.type)) {
    out.push(`${where}.type must be one of ${attestationKinds.join(", ")}`);
    return undefined;
  }
  for (const k of ["predicateType", "sourceRepository", "builderId"]) if (v[k] !== undefined && (typeof v[k] !== "string" || v[k] === "")) out.push(`${where}.${k} must be a non-empty string`);
  if ((v.sourceRepository !== undefined || v.builderId !== undefined) && v.type !== "slsa") out.push(`${where}: sourceRepository and builderId apply to type "slsa" only`);
  return {
    type: v.type as AttestationKind,
    ...(typeof v.predicateType === "string" ? { predicateType: v.predicateType } : {}),
    ...(typeof v.sourceRepository === "string" ? { sourceRepository: v.sourceRepository } : {}),
    ...(typeof v.builderId === "string" ? { builderId: v.builderId } : {}),
  };
}

function parseStatement(v: unknown, i: number, out: string[]): TrustPolicyStatement | undefined {
  const where = `trustPolicies[${i}]`;
  if (!isObject(v)) {
    out.push(`${where} must be an object`);
    return undefined;
  }
  unknownFields(v, ["name", "registryScopes", "signatureVerification", "trustStores", "trustedIdentities", "requiredAttestations"], where, out);
  const name = typeof v.name === "string" && v.name !== "" ? v.name : undefined;
  if (!name) out.push(`${where}.name must be a non-empty string`);
  const w = name ? `trust policy "${name}"` : where;
  const scopes = stringList(v.registryScopes, `${w}.registryScopes`, out);
  if (Array.isArray(v.registryScopes) && v.registryScopes.length === 0) out.push(`${w}.registryScopes must not be empty`);
  if (scopes.includes("*") && scopes.length > 1) out.push(`${w}: the wildcard scope "*" must be the only scope of its policy`);
  for (const s of scopes) if (s !== "*" && !scopeName(s)) out.push(`${w}: registry scope "${s}" is not "*" or host/repository (no tag or digest)`);
  let level: VerificationLevel = "strict";
  const actions: Record<CheckName, CheckAction> = { ...levelActions.strict };
  const sv = v.signatureVerification;
  if (!isObject(sv)) out.push(`${w}.signatureVerification must be an object with a level`);
  else {
    unknownFields(sv, ["level", "override"], `${w}.signatureVerification`, out);
    if (typeof sv.level !== "string" || !LEVELS.includes(sv.level)) out.push(`${w}.signatureVerification.level must be one of ${LEVELS.join(", ")}`);
    else {
      level = sv.level as VerificationLevel;
      Object.assign(actions, levelActions[level]);
    }
    if (sv.override !== undefined) {
      if (!isObject(sv.override)) out.push(`${w}.signatureVerification.override must be an object`);
      else if (level === "skip") out.push(`${w}: level "skip" takes no override`);
      else
        for (const [k, a] of Object.entries(sv.override)) {
          if (typeof a !== "string" || !ACTIONS.includes(a)) out.push(`${w}.signatureVerification.override.${k} must be one of ${ACTIONS.join(", ")}`);
          else if (k === "authenticity" || k === "attestations") actions[k] = a as CheckAction;
          else if (k === "integrity") out.push(`${w}: integrity cannot be overridden`);
          else if (!IGNORED_OVERRIDES.includes(k)) out.push(`${w}.signatureVerification.override: unknown check "${k}"`);
        }
    }
  }
  const stores = v.trustStores === undefined ? [] : stringList(v.trustStores, `${w}.trustStores`, out);
  const identities = v.trustedIdentities === undefined ? [] : stringList(v.trustedIdentities, `${w}.trustedIdentities`, out);
  if (level === "skip") {
    if (stores.length || identities.length) out.push(`${w}: level "skip" takes no trustStores or trustedIdentities`);
  } else {
    if (stores.length === 0) out.push(`${w}.trustStores must name at least one store ("key:<name>")`);
    if (identities.length === 0) out.push(`${w}.trustedIdentities must not be empty ("*" trusts every key of the stores)`);
  }
  for (const s of stores) {
    const [type, storeName] = s.split(":", 2);
    if (type === "ca" || type === "signingAuthority" || type === "tsa") out.push(`${w}: trust store "${s}": X.509 trust stores are not supported yet; use key:<name>`);
    else if (type !== "key" || !storeName) out.push(`${w}: trust store "${s}" must be "key:<name>"`);
  }
  if (identities.includes("*") && identities.length > 1) out.push(`${w}: "*" must be the only trusted identity`);
  for (const id of identities) if (id !== "*" && !/^keyid:sha256:[a-f0-9]{64}$/.test(id)) out.push(`${w}: trusted identity "${id}" must be "*" or "keyid:sha256:<64 hex>" (x509 identities are not supported yet)`);
  const reqs: AttestationRequirement[] = [];
  if (v.requiredAttestations !== undefined) {
    if (!Array.isArray(v.requiredAttestations)) out.push(`${w}.requiredAttestations must be a list`);
    else
      v.requiredAttestations.forEach((r: unknown, j) => {
        const req = parseRequirement(r, `${w}.requiredAttestations[${j}]`, out);
        if (req) reqs.push(req);
      });
    if (level === "skip" && reqs.length) out.push(`${w}: level "skip" takes no requiredAttestations`);
  }
  if (!name) return undefined;
  return { name, registryScopes: scopes.map((s) => (s === "*" ? s : (scopeName(s) ?? s))), level, actions, trustStores: stores, trustedIdentities: identities, requiredAttestations: reqs };
}

/** Parses a trust policy file's bytes; `path` resolves relative key paths and names the file in errors. */
export function parseTrustPolicy(bytes: Uint8Array, path: string): TrustPolicyDocument {
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(bytes).toString("utf8"));
  } catch (e) {
    throw new BerthError("input", `${path}: not valid JSON (${(e as Error).message})`);
  }
  if (!isObject(v)) throw new BerthError("input", `${path}: a trust policy must be a JSON object`);
  const out: string[] = [];
  unknownFields(v, ["version", "trustPolicies", "keyStores", "baseImages"], "document", out);
  if (v.version !== "1.0") out.push(`version must be "1.0"`);
  const statements: TrustPolicyStatement[] = [];
  if (!Array.isArray(v.trustPolicies) || v.trustPolicies.length === 0) out.push("trustPolicies must be a non-empty list");
  else
    v.trustPolicies.forEach((s: unknown, i) => {
      const st = parseStatement(s, i, out);
      if (st) statements.push(st);
    });
  const names = new Set<string>();
  const scopes = new Map<string, string>();
  for (const st of statements) {
    if (names.has(st.name)) out.push(`trust policy name "${st.name}" is used twice`);
    names.add(st.name);
    for (const s of st.registryScopes) {
      const prev = scopes.get(s);
      if (prev !== undefined) out.push(`registry scope "${s}" appears in both "${prev}" and "${st.name}"`);
      else scopes.set(s, st.name);
    }
  }
  const dir = dirname(resolve(path));
  const keyStores: Record<string, string[]> = {};
  if (v.keyStores !== undefined) {
    if (!isObject(v.keyStores)) out.push("keyStores must map store names to lists of public key files");
    else for (const [k, files] of Object.entries(v.keyStores)) keyStores[k] = stringList(files, `keyStores.${k}`, out).map((f) => (isAbsolute(f) ? f : join(dir, f)));
  }
  let baseImages: { allowedRegistries: string[] } | undefined;
  if (v.baseImages !== undefined) {
    if (!isObject(v.baseImages)) out.push("baseImages must be an object");
    else {
      unknownFields(v.baseImages, ["allowedRegistries"], "baseImages", out);
      baseImages = { allowedRegistries: stringList(v.baseImages.allowedRegistries, "baseImages.allowedRegistries", out) };
    }
  }
  if (out.length) throw new BerthError("input", `${path}: invalid trust policy: ${out.join("; ")}`);
  return { path, trustPolicies: statements, keyStores, ...(baseImages ? { baseImages } : {}) };
}

/** The statement whose scope names this repository ("host/repo"), else the wildcard one, else undefined. */
export function policyFor(doc: TrustPolicyDocument, repository: string): TrustPolicyStatement | undefined {
  return doc.trustPolicies.find((p) => p.registryScopes.includes(repository)) ?? doc.trustPolicies.find((p) => p.registryScopes.includes("*"));
}

async function storeFiles(doc: TrustPolicyDocument, name: string): Promise<string[]> {
  const listed = doc.keyStores[name];
  if (listed) return [...listed];
  // Notation-style directory layout beside the policy: truststore/key/<name>/*.pub|*.pem
  const dir = join(dirname(resolve(doc.path)), "truststore", "key", name);
  try {
    return (await readdir(dir)).filter((f) => f.endsWith(".pub") || f.endsWith(".pem")).sort().map((f) => join(dir, f));
  } catch {
    return [];
  }
}

/** The keys a statement trusts: every key of its stores, narrowed by trustedIdentities. */
export async function trustedVerifiers(doc: TrustPolicyDocument, st: TrustPolicyStatement): Promise<Verifier[]> {
  const out: Verifier[] = [];
  for (const store of st.trustStores) {
    const name = store.slice("key:".length);
    const files = await storeFiles(doc, name);
    if (files.length === 0) throw new BerthError("input", `${doc.path}: trust store "${store}" has no keys (list them under keyStores.${name}, or put .pub files in truststore/key/${name}/)`);
    for (const f of files) {
      try {
        out.push(await loadVerifier(f));
      } catch (e) {
        throw isBerthError(e) ? new BerthError(e.code, `trust store "${store}": ${e.message}`) : e;
      }
    }
  }
  if (st.trustedIdentities.includes("*")) return out;
  const ids = new Set(st.trustedIdentities.map((i) => i.slice("keyid:".length)));
  return out.filter((v) => ids.has(v.keyId));
}
