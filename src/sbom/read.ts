// Reading SBOMs back into an inventory (berth scan sbom; the server's stored inventories): CycloneDX
// (1.4–1.6 JSON) and SPDX 2.2/2.3 JSON, told apart by shape. Packages are rebuilt from their purls
// (type, namespace, name, version, arch/distro/upstream qualifiers) plus Berth's own properties when
// the SBOM is Berth's (source package and version, locations and layers). Untrusted input: bounded
// size and counts; anything unusable is skipped and counted, never trusted blindly.
import { PackageURL } from "packageurl-js";
import type { Distro, Location, Package, PackageType } from "../model/package.js";
import { BerthError } from "../util/errors.js";

export interface SbomInventory {
  readonly format: "cyclonedx" | "spdx";
  readonly subjectName?: string;
  readonly subjectDigest?: string;
  readonly distro?: Distro;
  readonly packages: Package[];
  /** Components without a usable purl, skipped. */
  readonly skipped: number;
}

const MAX_COMPONENTS = 500_000;
const PURL_TYPES: Record<string, PackageType> = {
  deb: "deb",
  apk: "apk",
  rpm: "rpm",
  npm: "npm",
  pypi: "pypi",
  golang: "golang",
  maven: "maven",
  gem: "gem",
  cargo: "cargo",
  composer: "composer",
  nuget: "nuget",
};

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

function distroFromQualifier(q: string | undefined): Distro | undefined {
  if (!q) return undefined;
  const m = /^([a-z][a-z0-9._-]*?)-(\d[\w.]*)$/.exec(q);
  return m ? { id: m[1]!, versionId: m[2]! } : { id: q };
}

/** A Package from a purl and, when present, Berth's properties. */
export function packageFromPurl(purl: string, props: ReadonlyMap<string, string[]>, licenses: string[]): Package | undefined {
  let p: PackageURL;
  try {
    p = PackageURL.fromString(purl);
  } catch {
    return undefined;
  }
  const type = PURL_TYPES[p.type];
  if (!type || !p.version) return undefined;
  const q = (p.qualifiers ?? {}) as Record<string, string>;
  const one = (k: string) => props.get(k)?.[0];
  const locations: Location[] = [];
  for (let i = 0; props.has(`berth:location:${i}:path`); i++) {
    const layer = one(`berth:location:${i}:layerDiffID`);
    locations.push({ path: one(`berth:location:${i}:path`)!, ...(layer ? { layerDigest: layer } : {}) });
  }
  const name = type === "maven" || type === "golang" || type === "composer" || type === "npm" ? p.name : p.name;
  const sourceName = one("berth:package:sourceName") ?? q.upstream?.split("@")[0];
  const sourceVersion = one("berth:package:sourceVersion") ?? (q.upstream?.includes("@") ? q.upstream.split("@")[1] : undefined);
  const evidence = one("berth:package:evidence");
  const epoch = one("berth:package:epoch") ?? q.epoch;
  return {
    type,
    name: type === "golang" && p.namespace ? `${p.namespace}/${name}` : type === "npm" && p.namespace ? `${p.namespace}/${name}` : name,
    version: p.version,
    purl,
    ...(q.arch ? { arch: q.arch } : {}),
    ...(sourceName ? { sourceName } : {}),
    ...(sourceVersion ? { sourceVersion } : {}),
    ...(epoch && /^\d+$/.test(epoch) ? { epoch: Number(epoch) } : {}),
    licenses,
    locations,
    foundBy: one("berth:package:foundBy") ?? "sbom",
    ...(evidence === "installed" || evidence === "lockfile" || evidence === "manifest" || evidence === "binary" ? { evidence } : {}),
  };
}

function parseJson(bytes: Uint8Array, what: string, maxBytes: number): Json {
  if (bytes.length > maxBytes) throw new BerthError("limit", `${what}: ${bytes.length} bytes, above the SBOM limit of ${maxBytes}`);
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(bytes).toString("utf8"));
  } catch {
    throw new BerthError("input", `${what}: not valid JSON`);
  }
  if (!isObj(doc)) throw new BerthError("input", `${what}: not a JSON object`);
  return doc;
}

function readCycloneDx(doc: Json): SbomInventory {
  const packages: Package[] = [];
  let skipped = 0;
  let distro: Distro | undefined;
  const stack: unknown[] = [...arr(doc.components)];
  let seen = 0;
  while (stack.length) {
    const c = stack.pop();
    if (++seen > MAX_COMPONENTS) throw new BerthError("limit", `SBOM has more than ${MAX_COMPONENTS} components`);
    if (!isObj(c)) continue;
    stack.push(...arr(c.components));
    if (c.type === "operating-system") {
      const id = str(c.name)?.toLowerCase();
      if (id) distro = { id, ...(str(c.version) ? { versionId: str(c.version)! } : {}), ...(str(c.description) ? { prettyName: str(c.description)! } : {}) };
      continue;
    }
    const purl = str(c.purl);
    const props = new Map<string, string[]>();
    for (const p of arr(c.properties)) if (isObj(p) && str(p.name) && str(p.value) !== undefined) props.set(str(p.name)!, [...(props.get(str(p.name)!) ?? []), str(p.value)!]);
    const licenses = arr(c.licenses).flatMap((l) => (isObj(l) && isObj(l.license) ? [str(l.license.id) ?? str(l.license.name)].filter((x): x is string => !!x) : isObj(l) && str(l.expression) ? [str(l.expression)!] : []));
    const pkg = purl ? packageFromPurl(purl, props, licenses) : undefined;
    if (pkg) packages.push(pkg);
    else skipped++;
  }
  const meta = isObj(doc.metadata) ? doc.metadata : {};
  const subject = isObj(meta.component) ? meta.component : {};
  const fromPurls = distro ?? packages.map((p) => distroFromQualifier(/[?&]distro=([^&]+)/.exec(p.purl)?.[1])).find(Boolean);
  const name = str(subject.name);
  const digest = str(subject.version);
  return { format: "cyclonedx", ...(name ? { subjectName: name } : {}), ...(digest?.startsWith("sha256:") ? { subjectDigest: digest } : {}), ...(fromPurls ? { distro: fromPurls } : {}), packages, skipped };
}

function readSpdx(doc: Json): SbomInventory {
  const packages: Package[] = [];
  let skipped = 0;
  let distro: Distro | undefined;
  const list = arr(doc.packages);
  if (list.length > MAX_COMPONENTS) throw new BerthError("limit", `SBOM has more than ${MAX_COMPONENTS} packages`);
  const described = new Set(arr(doc.documentDescribes).filter((x): x is string => typeof x === "string"));
  for (const r of arr(doc.relationships)) if (isObj(r) && r.relationshipType === "DESCRIBES" && typeof r.relatedSpdxElement === "string") described.add(r.relatedSpdxElement);
  let subjectName: string | undefined;
  let subjectDigest: string | undefined;
  for (const p of list) {
    if (!isObj(p)) continue;
    if (described.has(str(p.SPDXID) ?? "")) {
      subjectName = str(p.name);
      const v = str(p.versionInfo);
      if (v?.startsWith("sha256:")) subjectDigest = v;
      continue;
    }
    if (p.primaryPackagePurpose === "OPERATING_SYSTEM" || p.primaryPackagePurpose === "OPERATING-SYSTEM") {
      const id = str(p.name)?.toLowerCase();
      if (id) distro = { id, ...(str(p.versionInfo) ? { versionId: str(p.versionInfo)! } : {}) };
      continue;
    }
    const purl = arr(p.externalRefs).map((r) => (isObj(r) && r.referenceType === "purl" ? str(r.referenceLocator) : undefined)).find(Boolean);
    const decl = str(p.licenseDeclared);
    const licenses = decl && decl !== "NOASSERTION" && decl !== "NONE" ? [decl] : [];
    const pkg = purl ? packageFromPurl(purl, new Map(), licenses) : undefined;
    if (pkg) packages.push(pkg);
    else skipped++;
  }
  const fromPurls = distro ?? packages.map((p) => distroFromQualifier(/[?&]distro=([^&]+)/.exec(p.purl)?.[1])).find(Boolean);
  return { format: "spdx", ...(subjectName ? { subjectName } : {}), ...(subjectDigest ? { subjectDigest } : {}), ...(fromPurls ? { distro: fromPurls } : {}), packages, skipped };
}

/** Reads a CycloneDX or SPDX JSON SBOM (told apart by shape). */
export function readSbom(bytes: Uint8Array, what: string, maxBytes = 256 * 1024 * 1024): SbomInventory {
  const doc = parseJson(bytes, what, maxBytes);
  if (doc.bomFormat === "CycloneDX") return readCycloneDx(doc);
  if (typeof doc.spdxVersion === "string") return readSpdx(doc);
  throw new BerthError("input", `${what}: not a CycloneDX or SPDX JSON document`);
}
