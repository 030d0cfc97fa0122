// SPDX licence identifiers both SBOM formats may use as ids. The list is the one CycloneDX 1.6's
// schema enumerates, so an id Berth writes always validates; anything else is written as a name
// (CycloneDX) or a LicenseRef (SPDX).
import { spdxLicenseIds } from "./spdx-license-ids.js";

const ids = new Set<string>(spdxLicenseIds);

export function isSpdxLicenseId(s: string): boolean {
  return ids.has(s);
}
