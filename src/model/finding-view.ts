// A finding as the API returns it (GET /api/v1/images/{digest}): the server builds it (server/app.ts) and the
// web UI reads it (web/src/pages/findings.tsx); one type, so the two cannot drift.
export interface FindingView {
  id: string;
  aliases: readonly string[];
  package: { name: string; version: string; purl: string; sourceName?: string };
  severity: string;
  fixStatus: string;
  fixedVersions: readonly string[];
  state: string;
  firstSeen: string;
  fixedAt: string | null;
  title?: string;
  url?: string;
  remediation?: string;
  kev?: boolean;
  epss?: number;
  epssPercentile?: number;
  cvss?: { version: string; score: number; vector: string };
  layer?: { diffId: string; index?: number; createdBy?: string; fromBase?: boolean };
}
