// The scan report formats Berth writes, by name (the --format values). Each renders the same
// ReportDocument (document.ts), built once by scan/.
import type { RenderOptions, ReportDocument } from "./document.js";
import { render as renderCycloneDxVex } from "./cyclonedx-vex.js";
import { render as renderJson } from "./json.js";
import { render as renderOpenVex } from "./openvex.js";
import { render as renderSarif } from "./sarif.js";
import { render as renderTable } from "./table.js";

export type ReportFormat = "table" | "json" | "sarif" | "cyclonedx" | "openvex";

export const reportFormats: Record<ReportFormat, (doc: ReportDocument, opts: RenderOptions) => string> = {
  table: renderTable,
  json: renderJson,
  sarif: renderSarif,
  cyclonedx: renderCycloneDxVex,
  openvex: renderOpenVex,
};

export function isReportFormat(s: string): s is ReportFormat {
  return Object.hasOwn(reportFormats, s);
}

export type { RenderOptions, ReportDocument, ReportTarget } from "./document.js";
