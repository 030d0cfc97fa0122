// SPDX licence identifiers both SBOM formats may use as ids. The list is the one CycloneDX 1.6's
// schema enumerates (spdx.schema.json of CycloneDX/specification tag 1.6.2, licence list 3.24.0,
// Apache-2.0), so an id Berth writes always validates; anything else is written as a name
// (CycloneDX) or a LicenseRef (SPDX).
import { createRequire } from "node:module";

const ids = new Set<string>(createRequire(import.meta.url)("./spdx-license-ids.json") as string[]);

export function isSpdxLicenseId(s: string): boolean {
  return ids.has(s);
}
