// The SBOM formats Berth writes, by name (the --format values).
import { renderCycloneDx } from "./cyclonedx.js";
import type { SbomDocument } from "./document.js";
import { renderInventoryJson } from "./json.js";
import { renderSpdx } from "./spdx.js";
import { renderTable } from "./table.js";

export type SbomFormat = "cyclonedx" | "spdx" | "json" | "table";

export const sbomFormats: Record<SbomFormat, (doc: SbomDocument) => string> = {
  cyclonedx: renderCycloneDx,
  spdx: renderSpdx,
  json: renderInventoryJson,
  table: renderTable,
};

export function isSbomFormat(s: string): s is SbomFormat {
  return Object.hasOwn(sbomFormats, s);
}

export type { SbomDocument, SbomSubject } from "./document.js";
