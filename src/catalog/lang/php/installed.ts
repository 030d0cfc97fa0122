// Installed Composer packages: <vendor-dir>/composer/installed.json, written by Composer on every
// install. Composer 1 wrote a JSON list of package objects; Composer 2 writes
// { "packages": [...], "dev": bool, "dev-package-names": [...] } (getcomposer.org, "Composer 2.0
// upgrade notes": the installed.json format change). Dev: listed in dev-package-names (Composer 2;
// Composer 1 does not say, so unset). Direct: required by the project's composer.json beside the
// vendor directory (unset without one). Licences: the packages' `license` fields.
import type { Cataloger, CatalogResult } from "../../cataloger.js";
import { composerPackages, isObject, isRootComposerJson, locationOf, readJson, rootRequires, unknownAt, type Json } from "./common.js";

export const COMPOSER_INSTALLED = "php-composer-installed";

export function isInstalledJson(path: string): boolean {
  return path.endsWith("/composer/installed.json") || path === "composer/installed.json";
}

export const composerInstalledCataloger: Cataloger = {
  id: COMPOSER_INSTALLED,
  version: 1,
  claims: (path) => isInstalledJson(path) || isRootComposerJson(path),
  primary: isInstalledJson,
  async parse(file, env): Promise<CatalogResult> {
    const doc = readJson(file, env, "installed.json");
    let list: unknown[];
    let devNames: Set<string> | undefined;
    if (Array.isArray(doc)) list = doc; // Composer 1
    else if (isObject(doc) && Array.isArray(doc["packages"])) {
      list = doc["packages"];
      const names = doc["dev-package-names"];
      devNames = new Set(Array.isArray(names) ? names.filter((n): n is string => typeof n === "string").map((n) => n.toLowerCase()) : []);
    } else return { packages: [], unknowns: [unknownAt(file, COMPOSER_INSTALLED, "installed.json is neither a package list nor { packages: [...] }")] };
    const objs = list.filter(isObject);
    // <root>/<vendor-dir>/composer/installed.json → <root>/composer.json
    const parts = file.path.split("/");
    const root = parts.slice(0, -3).join("/");
    const direct = rootRequires(env.read(root ? `${root}/composer.json` : "composer.json"), env);
    const r = composerPackages(
      objs.map((obj: Json) => ({ obj, dev: devNames?.has(String(obj["name"]).toLowerCase()) ?? false })),
      { foundBy: COMPOSER_INSTALLED, evidence: "installed", location: locationOf(file), file, ...(direct ? { direct } : {}) },
    );
    if (objs.length < list.length) r.unknowns.push(unknownAt(file, COMPOSER_INSTALLED, `${list.length - objs.length} entries that are not package objects skipped`));
    return r;
  },
};
