// CISA's Known Exploited Vulnerabilities catalogue (known_exploited_vulnerabilities.json), validated
// entry by entry: a bad entry is reported and skipped, a file that is not the catalogue is an error.
import { BerthError } from "../util/errors.js";

export interface KevEntry {
  readonly cveID: string;
  readonly vendorProject?: string;
  readonly product?: string;
  readonly vulnerabilityName?: string;
  readonly dateAdded?: string;
  readonly shortDescription?: string;
  readonly requiredAction?: string;
  readonly dueDate?: string;
  readonly knownRansomwareCampaignUse?: string;
  readonly notes?: string;
  readonly cwes?: readonly string[];
}

export interface KevCatalog {
  readonly catalogVersion?: string;
  readonly dateReleased?: string;
  readonly entries: readonly KevEntry[];
  readonly rejects: readonly { readonly file: string; readonly reason: string }[];
}

const CVE_RE = /^CVE-\d{4}-\d{4,}$/;
const OPTIONAL_STRINGS = ["vendorProject", "product", "vulnerabilityName", "dateAdded", "shortDescription", "requiredAction", "dueDate", "knownRansomwareCampaignUse", "notes"] as const;

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

export function parseKev(text: string, label: string): KevCatalog {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new BerthError("corrupt", `${label}: not JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  if (!isObject(doc) || !Array.isArray(doc.vulnerabilities)) {
    throw new BerthError("input", `${label}: not a KEV catalogue (no "vulnerabilities" array)`);
  }
  const entries: KevEntry[] = [];
  const rejects: { file: string; reason: string }[] = [];
  doc.vulnerabilities.forEach((v: unknown, i: number) => {
    const where = `${label}#vulnerabilities[${i}]`;
    if (!isObject(v) || typeof v.cveID !== "string" || !CVE_RE.test(v.cveID)) {
      rejects.push({ file: where, reason: "entry without a valid cveID" });
      return;
    }
    const bad = OPTIONAL_STRINGS.find((k) => v[k] !== undefined && typeof v[k] !== "string");
    if (bad) {
      rejects.push({ file: where, reason: `${bad} must be a string` });
      return;
    }
    if (v.cwes !== undefined && !(Array.isArray(v.cwes) && v.cwes.every((c) => typeof c === "string"))) {
      rejects.push({ file: where, reason: "cwes must be a list of strings" });
      return;
    }
    entries.push(v as unknown as KevEntry);
  });
  return {
    ...(typeof doc.catalogVersion === "string" ? { catalogVersion: doc.catalogVersion } : {}),
    ...(typeof doc.dateReleased === "string" ? { dateReleased: doc.dateReleased } : {}),
    entries,
    rejects,
  };
}
