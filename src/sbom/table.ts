// A plain-text table of the inventory, for people (Syft's default view): name, version, type,
// source package. Not an SBOM format; machine readers use cyclonedx, spdx or json.
import type { SbomDocument } from "./document.js";
import { subjectName } from "./document.js";

export function renderTable(doc: SbomDocument): string {
  const rows = doc.packages.map((p) => [p.name, p.version, p.type, p.sourceName && p.sourceName !== p.name ? p.sourceName : ""]);
  const header = ["NAME", "VERSION", "TYPE", "SOURCE"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join("  ").trimEnd();
  const title = `${subjectName(doc.subject)}${doc.distro ? ` (${doc.distro.prettyName ?? `${doc.distro.id} ${doc.distro.versionId ?? ""}`.trim()})` : ""}: ${doc.packages.length} packages`;
  return [title, "", line(header), ...rows.map(line), ""].join("\n");
}
