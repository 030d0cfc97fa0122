// Node's module resolution over node_modules folders (nodejs.org/api/modules.html, "Loading from
// node_modules folders"): from a package directory, look in <dir>/node_modules/<name>, then in the
// node_modules of every ancestor that is not itself a node_modules folder. npm's package-lock v2/v3
// keys ("node_modules/a/node_modules/b") are laid out the same way, so one function serves both.
import { BerthError } from "../../../util/errors.js";
import { MAX_NESTING } from "./common.js";

/**
 * Candidate package directories for `name` required from package directory `fromDir` (relative,
 * no trailing slash; "" for the root), nearest first.
 */
export function resolutionCandidates(fromDir: string, name: string): string[] {
  const parts = fromDir === "" ? [] : fromDir.split("/");
  if (parts.filter((p) => p === "node_modules").length > MAX_NESTING) {
    throw new BerthError("limit", `${fromDir}: more than ${MAX_NESTING} nested node_modules`);
  }
  const out: string[] = [];
  for (let i = parts.length; i >= 0; i--) {
    if (i > 0 && parts[i - 1] === "node_modules") continue;
    const dir = parts.slice(0, i).join("/");
    out.push(dir === "" ? `node_modules/${name}` : `${dir}/node_modules/${name}`);
  }
  return out;
}

/**
 * For ".../node_modules/<name>/package.json" or ".../node_modules/@scope/<name>/package.json":
 * the package directory and the name its location implies. Anything else (a project's own
 * package.json, "node_modules/x/lib/package.json" marker files) → undefined.
 */
export function installedPackageDir(path: string): { dir: string; name: string } | undefined {
  if (!path.endsWith("/package.json")) return undefined;
  const dir = path.slice(0, -"/package.json".length);
  const parts = dir.split("/");
  const last = parts[parts.length - 1];
  const parent = parts[parts.length - 2];
  if (!last || last.startsWith(".") || last.startsWith("@")) return undefined;
  if (parent === "node_modules") return { dir, name: last };
  if (parent?.startsWith("@") && parent.length > 1 && parts[parts.length - 3] === "node_modules") return { dir, name: `${parent}/${last}` };
  return undefined;
}

/** The project directory a node_modules tree belongs to: the part before the first "node_modules/" ("" or "app/"). */
export function projectRootOf(path: string): string | undefined {
  if (path.startsWith("node_modules/")) return "";
  const i = path.indexOf("/node_modules/");
  return i < 0 ? undefined : path.slice(0, i + 1);
}
