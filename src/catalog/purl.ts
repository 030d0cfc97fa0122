// Package URLs for catalogued packages (https://github.com/package-url/purl-spec), built with
// packageurl-js so escaping and qualifier order follow the spec.
import { PackageURL } from "packageurl-js";

export function purl(
  type: string,
  namespace: string | undefined,
  name: string,
  version: string | undefined,
  qualifiers: Record<string, string | undefined> = {},
): string {
  const q: Record<string, string> = {};
  for (const [k, v] of Object.entries(qualifiers)) if (v !== undefined && v !== "") q[k] = v;
  return new PackageURL(type, namespace, name, version, Object.keys(q).length ? q : undefined, undefined).toString();
}

/** The `distro` qualifier value: "debian-12", "alpine-3.20.3", "rhel-8.8". */
export function distroQualifier(id: string | undefined, versionId: string | undefined): string | undefined {
  if (!id) return undefined;
  return versionId ? `${id}-${versionId}` : id;
}
