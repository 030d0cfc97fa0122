// composer.lock: { "packages": [...], "packages-dev": [...] } of package objects
// (getcomposer.org/doc/01-basic-usage.md, "composer.lock"). packages-dev entries are dev. Direct:
// required by the composer.json beside the lock (unset without one).
import type { Cataloger, CatalogResult } from "../../cataloger.js";
import { composerPackages, isObject, isRootComposerJson, locationOf, readJson, rootRequires, unknownAt } from "./common.js";

export const COMPOSER_LOCK = "php-composer-lock";

export function isComposerLock(path: string): boolean {
  return path === "composer.lock" || path.endsWith("/composer.lock");
}

export const composerLockCataloger: Cataloger = {
  id: COMPOSER_LOCK,
  version: 1,
  claims: (path) => isComposerLock(path) || isRootComposerJson(path),
  primary: isComposerLock,
  async parse(file, env): Promise<CatalogResult> {
    const doc = readJson(file, env, "composer.lock");
    if (!isObject(doc)) return { packages: [], unknowns: [unknownAt(file, COMPOSER_LOCK, "composer.lock is not a JSON object")] };
    const runtime = Array.isArray(doc["packages"]) ? doc["packages"].filter(isObject) : [];
    const dev = Array.isArray(doc["packages-dev"]) ? doc["packages-dev"].filter(isObject) : [];
    const direct = rootRequires(env.read(file.path.slice(0, -"composer.lock".length) + "composer.json"), env);
    return composerPackages([...runtime.map((obj) => ({ obj })), ...dev.map((obj) => ({ obj, dev: true }))], { foundBy: COMPOSER_LOCK, evidence: "lockfile", location: locationOf(file), file, ...(direct ? { direct } : {}) });
  },
};
