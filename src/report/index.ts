// The scan report formats Berth writes, by name (the --format values). Each renders the same
// ReportDocument (document.ts), built once by scan/. Formats load on first use: the CycloneDX
// library alone costs ~140 ms of start-up, which a table or SARIF run should not pay.
import type { RenderOptions, ReportDocument } from "./document.js";

export const reportFormatNames = ["table", "json", "sarif", "cyclonedx", "openvex"] as const;
export type ReportFormat = (typeof reportFormatNames)[number];
export type ReportRenderer = (doc: ReportDocument, opts: RenderOptions) => string;

const loaders: Record<ReportFormat, () => Promise<ReportRenderer>> = {
  table: async () => (await import("./table.js")).render,
  json: async () => (await import("./json.js")).render,
  sarif: async () => (await import("./sarif.js")).render,
  cyclonedx: async () => (await import("./cyclonedx-vex.js")).render,
  openvex: async () => (await import("./openvex.js")).render,
};

export function isReportFormat(s: string): s is ReportFormat {
  return (reportFormatNames as readonly string[]).includes(s);
}

export function loadReportRenderer(format: ReportFormat): Promise<ReportRenderer> {
  return loaders[format]();
}

export async function renderReport(format: ReportFormat, doc: ReportDocument, opts: RenderOptions): Promise<string> {
  return (await loaders[format]())(doc, opts);
}

export type { RenderOptions, ReportDocument, ReportTarget } from "./document.js";
