// pom.xml in source trees: the project's <dependencies>, evidence "manifest", all direct.
// Versions are taken as written, or resolved from ${…} references to the same POM's <properties>
// and the project's own coordinates (${project.version}, ${project.groupId}, ${project.parent.version},
// the old ${version}/${pom.version} forms), or from the same POM's <dependencyManagement>.
// Not resolved, because they are not in this file: versions inherited from a parent POM, imported
// BOMs (<scope>import</scope>), properties defined in a parent, settings or profiles, and version
// ranges. A dependency whose version stays unresolved is still listed, with an empty version, no
// version in its purl, and metadata.versionUnresolved saying what was missing.
// <scope>test</scope> marks dev: true; provided/system/runtime scopes and <optional> are metadata.
import type { Location, Package } from "../../../model/package.js";
import { BerthError } from "../../../util/errors.js";
import { locationOf, type CatalogFile, type Cataloger, type CatalogResult } from "../../cataloger.js";
import { purl } from "../../purl.js";
import { child, children, childText, parseXml, type XmlElement } from "./xml.js";

const ID = "java-pom";
/** Largest pom.xml read. */
export const MAX_POM_FILE_BYTES = 16 * 1024 * 1024;
const MAX_EXPANSIONS = 20;

export interface PomDependency {
  readonly groupId: string;
  readonly artifactId: string;
  /** Resolved version; undefined when it could not be resolved from this file. */
  readonly version?: string;
  readonly rawVersion?: string;
  readonly unresolved?: string;
  readonly scope?: string;
  readonly optional: boolean;
  readonly type?: string;
  readonly classifier?: string;
}

export interface Pom {
  readonly groupId?: string;
  readonly artifactId?: string;
  readonly version?: string;
  readonly dependencies: readonly PomDependency[];
}

/** Replaces ${name} references; returns the text and the first name it could not resolve. */
export function interpolate(text: string, props: ReadonlyMap<string, string>): { value: string; missing?: string } {
  let value = text;
  for (let i = 0; i < MAX_EXPANSIONS && value.includes("${"); i++) {
    let missing: string | undefined;
    const next = value.replace(/\$\{([^}]+)\}/g, (m, name: string) => {
      const v = props.get(name.trim());
      if (v === undefined) missing ??= name.trim();
      return v ?? m;
    });
    if (missing !== undefined) return { value: next, missing };
    if (next === value) break;
    value = next;
  }
  return value.includes("${") ? { value, missing: "a property that refers to itself" } : { value };
}

export function parsePom(text: string): Pom {
  const project = parseXml(text);
  if (project.name !== "project") throw new BerthError("corrupt", `pom.xml: root element is <${project.name}>, not <project>`);
  const parent = child(project, "parent");
  const props = new Map<string, string>();
  for (const p of child(project, "properties")?.children ?? []) props.set(p.name, p.text.trim());
  const own = (k: string) => childText(project, k);
  const groupId = own("groupId") ?? childText(parent, "groupId");
  const version = own("version") ?? childText(parent, "version");
  const artifactId = own("artifactId");
  const builtins: [string, string | undefined][] = [
    ["project.groupId", groupId],
    ["project.artifactId", artifactId],
    ["project.version", version],
    ["project.parent.groupId", childText(parent, "groupId")],
    ["project.parent.artifactId", childText(parent, "artifactId")],
    ["project.parent.version", childText(parent, "version")],
    ["pom.groupId", groupId],
    ["pom.artifactId", artifactId],
    ["pom.version", version],
    ["groupId", groupId],
    ["artifactId", artifactId],
    ["version", version],
  ];
  for (const [k, v] of builtins) if (v !== undefined && !props.has(k)) props.set(k, v);
  const resolve = (s: string | undefined) => (s === undefined ? undefined : interpolate(s, props));

  const managed = new Map<string, string>();
  for (const d of children(child(child(project, "dependencyManagement"), "dependencies"), "dependency")) {
    const g = resolve(childText(d, "groupId"));
    const a = resolve(childText(d, "artifactId"));
    const v = resolve(childText(d, "version"));
    if (g && a && v && !g.missing && !a.missing && !v.missing && childText(d, "scope") !== "import") managed.set(`${g.value}:${a.value}`, v.value);
  }

  const dependencies: PomDependency[] = [];
  for (const d of children(child(project, "dependencies"), "dependency")) dependencies.push(dependency(d, resolve, managed));
  return {
    ...(groupId ? { groupId: resolve(groupId)?.value } : {}),
    ...(artifactId ? { artifactId: resolve(artifactId)?.value } : {}),
    ...(version ? { version: resolve(version)?.value } : {}),
    dependencies,
  };
}

function dependency(d: XmlElement, resolve: (s: string | undefined) => { value: string; missing?: string } | undefined, managed: ReadonlyMap<string, string>): PomDependency {
  const g = resolve(childText(d, "groupId"));
  const a = resolve(childText(d, "artifactId"));
  if (!g || !a) throw new BerthError("corrupt", "pom.xml: a <dependency> without <groupId> or <artifactId>");
  const rawVersion = childText(d, "version");
  const scope = resolve(childText(d, "scope"))?.value;
  const optional = resolve(childText(d, "optional"))?.value === "true";
  const type = childText(d, "type");
  const classifier = childText(d, "classifier");
  const common = { groupId: g.value, artifactId: a.value, optional, ...(scope ? { scope } : {}), ...(type ? { type } : {}), ...(classifier ? { classifier } : {}) };
  if (g.missing || a.missing) return { ...common, ...(rawVersion ? { rawVersion } : {}), unresolved: `\${${g.missing ?? a.missing}} in the coordinates is not defined in this pom.xml` };
  let unresolved: string | undefined;
  let version: string | undefined;
  if (rawVersion === undefined) {
    version = managed.get(`${g.value}:${a.value}`);
    if (version === undefined) unresolved = "no <version>: managed by a parent POM or an imported BOM, which are not read";
  } else {
    const v = resolve(rawVersion)!;
    if (v.missing) unresolved = `\${${v.missing}} is not defined in this pom.xml (parent POMs are not read)`;
    else if (/^[[(]/.test(v.value)) unresolved = `version range ${v.value} is not resolved`;
    else version = v.value;
  }
  return { ...common, ...(rawVersion ? { rawVersion } : {}), ...(version ? { version } : {}), ...(unresolved ? { unresolved } : {}) };
}

export function pomPackages(pom: Pom, loc: Location): Package[] {
  const out = new Map<string, Package>();
  for (const d of pom.dependencies) {
    const metadata: Record<string, string> = { groupId: d.groupId };
    if (d.scope && d.scope !== "compile") metadata.scope = d.scope;
    if (d.optional) metadata.optional = "true";
    if (d.type && d.type !== "jar") metadata.type = d.type;
    if (d.classifier) metadata.classifier = d.classifier;
    if (d.unresolved) metadata.versionUnresolved = d.rawVersion ? `${d.rawVersion}: ${d.unresolved}` : d.unresolved;
    const p: Package = {
      type: "maven",
      name: d.artifactId,
      version: d.version ?? "",
      purl: purl("maven", d.groupId, d.artifactId, d.version, { classifier: d.classifier, type: d.type !== "jar" ? d.type : undefined }),
      licenses: [],
      locations: [loc],
      foundBy: ID,
      evidence: "manifest",
      direct: true,
      ...(d.scope === "test" ? { dev: true } : {}),
      metadata,
    };
    if (!out.has(p.purl)) out.set(p.purl, p);
  }
  return [...out.values()];
}

function claims(path: string): boolean {
  return path === "pom.xml" || path.endsWith("/pom.xml");
}

async function parse(file: CatalogFile): Promise<CatalogResult> {
  if (file.data.length > MAX_POM_FILE_BYTES) throw new BerthError("limit", `${file.path}: ${file.data.length} bytes exceeds the pom.xml bound of ${MAX_POM_FILE_BYTES}`);
  const loc: Location = locationOf(file);
  return { packages: pomPackages(parsePom(file.data.toString("utf8")), loc), unknowns: [] };
}

export const pomCataloger: Cataloger = {
  id: ID,
  version: 1,
  claims,
  primary: claims,
  parse,
};
