// Package URLs for Go modules: pkg:golang/<path up to the last slash>/<last element>@<version>,
// the version as Go writes it ("v1.2.3", pseudo-versions, "+incompatible").
import { purl } from "../../purl.js";

export function goPurl(modulePath: string, version: string | undefined): string {
  const slash = modulePath.lastIndexOf("/");
  const namespace = slash > 0 ? modulePath.slice(0, slash) : undefined;
  const name = slash > 0 ? modulePath.slice(slash + 1) : modulePath;
  return purl("golang", namespace, name, version);
}

/** A replacement that points at a directory (./fork, ../x, /src/x) rather than another module. */
export function isLocalReplacement(path: string): boolean {
  return path.startsWith("./") || path.startsWith("../") || path.startsWith("/") || path === "." || path === ".." || /^[A-Za-z]:[\\/]/.test(path);
}
