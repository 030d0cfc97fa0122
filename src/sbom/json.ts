// Berth's own inventory JSON: the catalog as it is, with a versioned schema name.
import type { SbomDocument } from "./document.js";

export const INVENTORY_SCHEMA = "https://berth.dev/schemas/inventory/v1";

export function renderInventoryJson(doc: SbomDocument): string {
  return (
    JSON.stringify(
      {
        schema: INVENTORY_SCHEMA,
        tool: doc.tool,
        timestamp: doc.timestamp.toISOString(),
        subject: doc.subject,
        ...(doc.distro ? { distro: doc.distro } : {}),
        packages: doc.packages.map(({ files: _files, ...p }) => p),
        unknowns: doc.unknowns,
      },
      null,
      2,
    ) + "\n"
  );
}
