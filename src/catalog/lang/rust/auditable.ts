// Rust binaries built with `cargo auditable`: the crate graph it embeds as zlib-compressed JSON in a
// ".dep-v0" section (ELF and PE; "__DATA,.dep-v0" in Mach-O):
//   {"packages":[{"name","version","source","kind"?,"dependencies"?,"root"?}, …], "format"?}
// where source is "crates.io", "git", "local", "registry" (or another origin), kind is "build" for
// crates only used at build time (default "runtime"), dependencies are indices into the list and
// root marks the binary's own crate. Claims executable regular files like the Go cataloger;
// summarize() keeps only the validated crate list while the layer streams.
//
// Reported: every crate, purl pkg:cargo/<name>@<version> (crates of other origins carry their
// origin in metadata.source); the root's dependencies are direct, the others transitive; build-time
// crates carry metadata.kind "build" (they are compiled into build scripts and proc-macros, not
// into the program); dependsOn follows the recorded indices.
import { inflateSync } from "node:zlib";
import type { Location, Package } from "../../../model/package.js";
import { BerthError, describeError } from "../../../util/errors.js";
import { locationOf, type CatalogFile, type Cataloger, type CatalogResult } from "../../cataloger.js";
import { purl } from "../../purl.js";
import { parseExecutables, sectionData } from "../binary/exe.js";
import { claimsExecutable, decodeSummary, encodeSummary, isFailedSummary, isRecord } from "../binary/summary.js";

const ID = "rust-cargo-auditable";
const KIND = "cargo-auditable";
const SECTION = ".dep-v0";
/** Bounds on the embedded data (real ones are a few KiB compressed, well under a MiB expanded). */
export const MAX_DEP_SECTION_BYTES = 8 * 1024 * 1024;
export const MAX_DEP_JSON_BYTES = 32 * 1024 * 1024;
export const MAX_DEP_PACKAGES = 100_000;

export interface AuditableCrate {
  readonly name: string;
  readonly version: string;
  readonly source: string;
  readonly kind: "runtime" | "build";
  readonly dependencies: readonly number[];
  readonly root: boolean;
}

function bad(msg: string): BerthError {
  return new BerthError("corrupt", `cargo-auditable data: ${msg}`);
}

/** Validates the decompressed JSON and returns the crate list. */
export function parseAuditableJson(text: string): AuditableCrate[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw bad(`not JSON (${describeError(e)})`);
  }
  if (!isRecord(doc) || !Array.isArray(doc.packages)) throw bad('no "packages" array');
  const list = doc.packages as unknown[];
  if (list.length > MAX_DEP_PACKAGES) throw new BerthError("limit", `cargo-auditable data: more than ${MAX_DEP_PACKAGES} packages`);
  return list.map((p, i) => {
    if (!isRecord(p)) throw bad(`package ${i} is not an object`);
    const { name, version, source = "crates.io", kind = "runtime", dependencies = [], root = false } = p;
    if (typeof name !== "string" || name === "") throw bad(`package ${i} has no name`);
    if (typeof version !== "string" || version === "") throw bad(`package ${i} (${name}) has no version`);
    if (typeof source !== "string") throw bad(`package ${i} (${name}): source is not a string`);
    if (kind !== "runtime" && kind !== "build") throw bad(`package ${i} (${name}): unknown kind ${JSON.stringify(kind)}`);
    if (typeof root !== "boolean") throw bad(`package ${i} (${name}): root is not a boolean`);
    if (!Array.isArray(dependencies) || !dependencies.every((d): d is number => Number.isInteger(d) && (d as number) >= 0 && (d as number) < list.length && d !== i)) {
      throw bad(`package ${i} (${name}): dependencies are not indices of other packages`);
    }
    return { name, version, source, kind, dependencies, root };
  });
}

/** The crate list of an executable, undefined when it has no .dep-v0 section. */
export function readAuditable(file: Buffer): AuditableCrate[] | undefined {
  let exes: ReturnType<typeof parseExecutables>;
  try {
    exes = parseExecutables(file);
  } catch (e) {
    // A damaged executable is only this reader's business when it names the section.
    if (file.indexOf(SECTION) < 0) return undefined;
    throw e;
  }
  for (const { data, exe } of exes ?? []) {
    const section = exe.format === "macho" ? sectionData(data, exe, SECTION, "__DATA") : sectionData(data, exe, SECTION);
    if (!section) continue;
    if (section.length > MAX_DEP_SECTION_BYTES) throw new BerthError("limit", `cargo-auditable data: section of ${section.length} bytes exceeds ${MAX_DEP_SECTION_BYTES}`);
    let json: Buffer;
    try {
      json = inflateSync(section, { maxOutputLength: MAX_DEP_JSON_BYTES });
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code === "ERR_BUFFER_TOO_LARGE") throw new BerthError("limit", `cargo-auditable data: expands past ${MAX_DEP_JSON_BYTES} bytes`);
      throw bad(`not zlib data (${describeError(e)})`);
    }
    return parseAuditableJson(json.toString("utf8"));
  }
  return undefined;
}

export function auditablePackages(crates: readonly AuditableCrate[], loc: Location): Package[] {
  const purls = crates.map((c) => purl("cargo", undefined, c.name, c.version));
  const roots = crates.map((c, i) => (c.root ? i : -1)).filter((i) => i >= 0);
  const direct = new Set(roots.flatMap((r) => crates[r]!.dependencies));
  const out = new Map<string, Package>();
  crates.forEach((c, i) => {
    const metadata: Record<string, string> = {};
    if (c.source !== "crates.io") metadata.source = c.source;
    if (c.kind === "build") metadata.kind = "build";
    if (c.root) metadata.root = "true";
    const p: Package = {
      type: "cargo",
      name: c.name,
      version: c.version,
      purl: purls[i]!,
      licenses: [],
      locations: [loc],
      foundBy: ID,
      evidence: "binary",
      ...(c.root || roots.length === 0 ? {} : { direct: direct.has(i) }),
      ...(c.dependencies.length ? { dependsOn: [...new Set(c.dependencies.map((d) => purls[d]!))] } : {}),
      ...(Object.keys(metadata).length ? { metadata } : {}),
    };
    if (!out.has(p.purl)) out.set(p.purl, p);
  });
  return [...out.values()];
}

function summarize(_path: string, data: Buffer): Buffer | undefined {
  try {
    const crates = readAuditable(data);
    return crates ? encodeSummary(KIND, { packages: crates }) : undefined;
  } catch (e) {
    return encodeSummary(KIND, { error: describeError(e) });
  }
}

async function parse(file: CatalogFile): Promise<CatalogResult> {
  const body = decodeSummary(KIND, file.data);
  if (body === undefined) return { packages: [], unknowns: [] };
  const loc: Location = locationOf(file);
  if (isFailedSummary(body)) return { packages: [], unknowns: [{ ...loc, cataloger: ID, message: `unreadable cargo-auditable data, binary skipped: ${body.error}` }] };
  // The summary is this cataloger's own validated output; re-validate it all the same (layer cache).
  return { packages: auditablePackages(parseAuditableJson(JSON.stringify(body)), loc), unknowns: [] };
}

export const cargoAuditableCataloger: Cataloger = {
  id: ID,
  version: 1,
  claims: claimsExecutable,
  summarize,
  // Any claimed path may hold this cataloger's summary; parse() ignores files that do not.
  primary: () => true,
  parse,
};
