// SLSA Provenance v1 (https://slsa.dev/provenance/v1): the predicate's shape, validated field by
// field, and what a trust policy asks of it (the source repository, the builder).

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export interface ResourceDescriptorV1 {
  readonly uri?: string;
  readonly digest?: Readonly<Record<string, string>>;
  readonly name?: string;
  readonly downloadLocation?: string;
  readonly mediaType?: string;
  readonly content?: string;
  readonly annotations?: Readonly<Record<string, unknown>>;
}

export interface ProvenanceV1 {
  readonly buildDefinition: {
    readonly buildType: string;
    readonly externalParameters: Readonly<Record<string, unknown>>;
    readonly internalParameters?: Readonly<Record<string, unknown>>;
    readonly resolvedDependencies?: readonly ResourceDescriptorV1[];
  };
  readonly runDetails: {
    readonly builder: { readonly id: string; readonly version?: Readonly<Record<string, string>>; readonly builderDependencies?: readonly ResourceDescriptorV1[] };
    readonly metadata?: { readonly invocationId?: string; readonly startedOn?: string; readonly finishedOn?: string };
    readonly byproducts?: readonly ResourceDescriptorV1[];
  };
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const URI = /^[A-Za-z][A-Za-z0-9+.-]*:\S+$/;

function checkResourceDescriptor(v: unknown, path: string, out: string[]): void {
  if (!isObject(v)) {
    out.push(`${path} is not an object`);
    return;
  }
  if (v.uri === undefined && v.digest === undefined && v.content === undefined) out.push(`${path} needs one of uri, digest or content`);
  for (const k of ["uri", "name", "downloadLocation", "mediaType", "content"]) if (v[k] !== undefined && typeof v[k] !== "string") out.push(`${path}.${k} is not a string`);
  if (typeof v.uri === "string" && !URI.test(v.uri)) out.push(`${path}.uri is not a URI`);
  if (v.digest !== undefined) {
    if (!isObject(v.digest)) out.push(`${path}.digest is not an object`);
    else for (const [alg, hex] of Object.entries(v.digest)) if (typeof hex !== "string" || hex === "") out.push(`${path}.digest.${alg} is not a string`);
  }
  if (v.annotations !== undefined && !isObject(v.annotations)) out.push(`${path}.annotations is not an object`);
}

function checkDescriptors(v: unknown, path: string, out: string[]): void {
  if (v === undefined) return;
  if (!Array.isArray(v)) {
    out.push(`${path} is not an array`);
    return;
  }
  v.forEach((d, i) => checkResourceDescriptor(d, `${path}[${i}]`, out));
}

/** Every way `predicate` departs from the SLSA Provenance v1 shape ([] when it conforms). */
export function validateProvenance(predicate: unknown): string[] {
  const out: string[] = [];
  if (!isObject(predicate)) return ["predicate is not an object"];
  const bd = predicate.buildDefinition;
  if (!isObject(bd)) out.push("buildDefinition is missing");
  else {
    if (typeof bd.buildType !== "string" || !URI.test(bd.buildType)) out.push("buildDefinition.buildType must be a URI");
    if (!isObject(bd.externalParameters)) out.push("buildDefinition.externalParameters must be an object");
    if (bd.internalParameters !== undefined && !isObject(bd.internalParameters)) out.push("buildDefinition.internalParameters must be an object");
    checkDescriptors(bd.resolvedDependencies, "buildDefinition.resolvedDependencies", out);
  }
  const rd = predicate.runDetails;
  if (!isObject(rd)) out.push("runDetails is missing");
  else {
    const b = rd.builder;
    if (!isObject(b)) out.push("runDetails.builder is missing");
    else {
      if (typeof b.id !== "string" || !URI.test(b.id)) out.push("runDetails.builder.id must be a URI");
      if (b.version !== undefined && (!isObject(b.version) || Object.values(b.version).some((x) => typeof x !== "string"))) out.push("runDetails.builder.version must map names to strings");
      checkDescriptors(b.builderDependencies, "runDetails.builder.builderDependencies", out);
    }
    const m = rd.metadata;
    if (m !== undefined) {
      if (!isObject(m)) out.push("runDetails.metadata must be an object");
      else {
        if (m.invocationId !== undefined && typeof m.invocationId !== "string") out.push("runDetails.metadata.invocationId must be a string");
        for (const k of ["startedOn", "finishedOn"]) if (m[k] !== undefined && (typeof m[k] !== "string" || !RFC3339.test(m[k]))) out.push(`runDetails.metadata.${k} must be an RFC 3339 timestamp`);
      }
    }
    checkDescriptors(rd.byproducts, "runDetails.byproducts", out);
  }
  return out;
}

/**
 * A repository URL in comparable form: "git+https://GitHub.com/org/repo.git@refs/heads/main" →
 * "github.com/org/repo". Also takes "git@host:org/repo" and scheme-less "host/org/repo".
 */
export function normalizeRepository(url: string): string {
  let s = url.trim().replace(/^git\+/, "");
  // scp-like "git@host:org/repo" (no scheme; a "host:5000/…" port is not this form)
  const scp = s.includes("://") ? null : /^([^@/:]+@)?([^/:]+):(?!\d+\/)([^/].*)$/.exec(s);
  if (scp) s = `${scp[2]}/${scp[3]}`;
  s = s.replace(/^[a-z][a-z0-9+.-]*:\/\//i, "").replace(/^[^@/]+@/, "");
  const slash = s.indexOf("/");
  if (slash >= 0) {
    const at = s.indexOf("@", slash);
    if (at >= 0) s = s.slice(0, at);
  }
  s = s.replace(/[?#].*$/, "").replace(/\/+$/, "").replace(/\.git$/, "");
  const i = s.indexOf("/");
  return i < 0 ? s.toLowerCase() : s.slice(0, i).toLowerCase() + s.slice(i);
}

function strings(v: unknown): string[] {
  return typeof v === "string" ? [v] : [];
}

/** The source repositories a provenance names: resolved dependencies and the workflow/repository parameters (v1), materials and configSource (v0.2). */
export function provenanceRepositories(predicate: Readonly<Record<string, unknown>>): string[] {
  const out = new Set<string>();
  const bd = isObject(predicate.buildDefinition) ? predicate.buildDefinition : {};
  const ext = isObject(bd.externalParameters) ? bd.externalParameters : {};
  const workflow = isObject(ext.workflow) ? ext.workflow : {};
  for (const r of [...strings(workflow.repository), ...strings(ext.repository), ...strings(isObject(ext.source) ? ext.source.uri : undefined)]) out.add(normalizeRepository(r));
  // SLSA v0.2 (still written by many builders) names the source in materials and invocation.configSource
  const inv = isObject(predicate.invocation) ? predicate.invocation : {};
  const configSource = isObject(inv.configSource) ? inv.configSource : {};
  const materials = Array.isArray(predicate.materials) ? predicate.materials : [];
  const deps = [...(Array.isArray(bd.resolvedDependencies) ? bd.resolvedDependencies : []), configSource, ...materials];
  for (const d of deps) if (isObject(d) && typeof d.uri === "string" && /^git\+|\.git(@|$)/.test(d.uri)) out.add(normalizeRepository(d.uri));
  return [...out];
}

export function provenanceBuilderId(predicate: Readonly<Record<string, unknown>>): string | undefined {
  const rd = isObject(predicate.runDetails) ? predicate.runDetails : {};
  const b = isObject(rd.builder) ? rd.builder : {};
  return typeof b.id === "string" ? b.id : undefined;
}
