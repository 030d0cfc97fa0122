// The SBOM formats Berth writes, by name (the --format values). Formats load on first use, so a
// JSON or table run does not pay for the CycloneDX library's start-up.
import type { SbomDocument } from "./document.js";

export const sbomFormatNames = ["cyclonedx", "spdx", "json", "table"] as const;
export type SbomFormat = (typeof sbomFormatNames)[number];

const loaders: Record<SbomFormat, () => Promise<(doc: SbomDocument) => string>> = {
  cyclonedx: async () => (await import("./cyclonedx.js")).renderCycloneDx,
  spdx: async () => (await import("./spdx.js")).renderSpdx,
  json: async () => (await import("./json.js")).renderInventoryJson,
  table: async () => (await import("./table.js")).renderTable,
};

export function isSbomFormat(s: string): s is SbomFormat {
  return (sbomFormatNames as readonly string[]).includes(s);
}

export async function renderSbom(format: SbomFormat, doc: SbomDocument): Promise<string> {
  return (await loaders[format]())(doc);
}

export type { SbomDocument, SbomSubject } from "./document.js";
