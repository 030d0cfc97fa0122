// Installed gems: specifications/<name>-<version>[-<platform>].gemspec under any gem directory
// (GEM_HOME/GEM_PATH entries such as usr/lib/ruby/gems/3.1.0, usr/local/bundle,
// vendor/bundle/ruby/3.2.0, Debian's usr/share/rubygems-integration/all), including
// specifications/default/ (gems that ship with Ruby). The Ruby in these files is read with
// literal-only patterns and never evaluated (see gemspec.ts).
//
// dependsOn: runtime dependencies resolved to gems installed anywhere in the same tree, by name,
// only when exactly one version of that name is installed (Ruby would pick by requirement among
// several; Berth does not guess). direct/dev: the installed specs do not say; unset.
import type { CatalogEnv, Cataloger, CatalogResult } from "../../cataloger.js";
import { gemPackage, gemPurl, locationOf, textOf, unknownAt, validGemName, validGemVersion, validPlatform } from "./common.js";
import { parseGemspec, type Gemspec } from "./gemspec.js";

export const RUBY_INSTALLED = "ruby-installed-gemspec";

export function isInstalledGemspec(path: string): boolean {
  if (!path.endsWith(".gemspec")) return false;
  const i = path.lastIndexOf("/");
  const dir = i < 0 ? "" : path.slice(0, i);
  return dir === "specifications" || dir.endsWith("/specifications") || dir === "specifications/default" || dir.endsWith("/specifications/default");
}

function validSpec(s: Gemspec): string | undefined {
  if (!validGemName(s.name)) return "invalid gem name";
  if (!validGemVersion(s.version)) return "invalid gem version";
  if (s.platform !== undefined && !validPlatform(s.platform)) return "invalid gem platform";
  return undefined;
}

// Gem name → purls of every installed version in the tree, built once per catalog run.
const indexes = new WeakMap<CatalogEnv, Map<string, string[]>>();

function installedIndex(env: CatalogEnv): Map<string, string[]> {
  const cached = indexes.get(env);
  if (cached) return cached;
  const index = new Map<string, string[]>();
  for (const p of env.list("")) {
    if (!isInstalledGemspec(p)) continue;
    const f = env.read(p);
    if (!f || f.data.length > env.limits.maxFileBytes) continue;
    const r = parseGemspec(f.data.toString("utf8"));
    if (!r.ok || validSpec(r.spec)) continue;
    const purl = gemPurl(r.spec.name, r.spec.version, r.spec.platform);
    const list = index.get(r.spec.name) ?? [];
    if (!list.includes(purl)) list.push(purl);
    index.set(r.spec.name, list);
  }
  indexes.set(env, index);
  return index;
}

export const rubyInstalledCataloger: Cataloger = {
  id: RUBY_INSTALLED,
  version: 1,
  claims: isInstalledGemspec,
  primary: isInstalledGemspec,
  async parse(file, env): Promise<CatalogResult> {
    const r = parseGemspec(textOf(file, env));
    if (!r.ok) return { packages: [], unknowns: [unknownAt(file, RUBY_INSTALLED, `gem specification not read: ${r.reason}`)] };
    const bad = validSpec(r.spec);
    if (bad) return { packages: [], unknowns: [unknownAt(file, RUBY_INSTALLED, `gem specification not read: ${bad}`)] };
    const index = installedIndex(env);
    const dependsOn = r.spec.runtimeDeps.flatMap((d) => {
      const hits = index.get(d);
      return hits?.length === 1 ? hits : [];
    });
    return {
      packages: [
        gemPackage({
          name: r.spec.name,
          version: r.spec.version,
          ...(r.spec.platform !== undefined ? { platform: r.spec.platform } : {}),
          foundBy: RUBY_INSTALLED,
          location: locationOf(file),
          evidence: "installed",
          licenses: r.spec.licenses,
          dependsOn,
          ...(file.path.includes("/specifications/default/") || file.path.startsWith("specifications/default/") ? { metadata: { defaultGem: "true" } } : {}),
        }),
      ],
      unknowns: [],
    };
  },
};
