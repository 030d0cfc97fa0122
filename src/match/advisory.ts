// What a person reads about an advisory: a title, a description and a link.
import type { OsvRecord } from "../vulndb/osv.js";

export function describe(record: OsvRecord | undefined): { title?: string; description?: string } {
  if (!record) return {};
  const details = record.details?.trim();
  const title = record.summary?.trim() || details?.split("\n")[0]?.slice(0, 200);
  return { ...(title ? { title } : {}), ...(details ? { description: details.slice(0, 4000) } : {}) };
}

/** The advisory page: the record's ADVISORY reference, else the public page for the id. */
export function advisoryUrl(id: string, record: OsvRecord | undefined): string | undefined {
  const ref = record?.references?.find((r) => r.type === "ADVISORY")?.url;
  if (ref) return ref;
  if (id.startsWith("CVE-")) {
    if (record?.id.startsWith("DEBIAN-") || record?.id.startsWith("DSA-") || record?.id.startsWith("DLA-")) return `https://security-tracker.debian.org/tracker/${id}`;
    return `https://nvd.nist.gov/vuln/detail/${id}`;
  }
  if (id.startsWith("GHSA-")) return `https://github.com/advisories/${id}`;
  return `https://osv.dev/vulnerability/${id}`;
}
