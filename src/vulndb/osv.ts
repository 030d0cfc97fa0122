// The OSV record shape Berth relies on (OSV schema 1.6/1.7), and a validator that checks exactly that
// shape. It is hand-written rather than the full JSON Schema on purpose: the id-prefix rule and the
// "GIT events are full commit hashes" rule reject real records (npm NSWG-ECO-*, 7 PyPI GIT ranges,
// see ../shared/vulndata/README.md) that Berth must still import; nothing here depends on either.
// Unknown fields are allowed and kept in the stored raw JSON.

import { isKnownEcosystem } from "./ecosystems.js";

export type OsvEvent =
  | { readonly introduced: string }
  | { readonly fixed: string }
  | { readonly last_affected: string }
  | { readonly limit: string };

export type OsvRangeType = "SEMVER" | "ECOSYSTEM" | "GIT";

export interface OsvRange {
  readonly type: OsvRangeType;
  readonly repo?: string;
  readonly events: readonly OsvEvent[];
  readonly database_specific?: Readonly<Record<string, unknown>>;
}

export interface OsvSeverity {
  /** "CVSS_V2" | "CVSS_V3" | "CVSS_V4" | "Ubuntu" — other strings are kept and ignored. */
  readonly type: string;
  readonly score: string;
}

export interface OsvPackage {
  readonly ecosystem: string;
  readonly name: string;
  readonly purl?: string;
}

/** One `affected[]` entry, unchanged from the advisory: the matcher evaluates it with version/. */
export interface OsvAffected {
  readonly package?: OsvPackage;
  readonly severity?: readonly OsvSeverity[] | null;
  readonly ranges?: readonly OsvRange[];
  readonly versions?: readonly string[];
  readonly ecosystem_specific?: Readonly<Record<string, unknown>>;
  readonly database_specific?: Readonly<Record<string, unknown>>;
}

export interface OsvReference {
  readonly type: string;
  readonly url: string;
}

export interface OsvRecord {
  readonly schema_version?: string;
  readonly id: string;
  readonly modified: string;
  readonly published?: string;
  readonly withdrawn?: string;
  readonly aliases?: readonly string[] | null;
  readonly related?: readonly string[];
  readonly upstream?: readonly string[];
  readonly summary?: string;
  readonly details?: string;
  readonly severity?: readonly OsvSeverity[] | null;
  readonly affected?: readonly OsvAffected[] | null;
  readonly references?: readonly OsvReference[] | null;
  readonly database_specific?: Readonly<Record<string, unknown>>;
}

export interface OsvBounds {
  /** Longest id, alias, name or version string accepted. */
  readonly maxStringLength: number;
  /** Most affected entries, ranges, events, versions or aliases in one list. */
  readonly maxListLength: number;
}

export const defaultOsvBounds: OsvBounds = { maxStringLength: 4096, maxListLength: 200_000 };

export type OsvValidation = { readonly ok: true; readonly record: OsvRecord } | { readonly ok: false; readonly errors: readonly string[] };

/** An id usable as a key: printable, no spaces or path separators. */
const ID_RE = /^[A-Za-z0-9][A-Za-z0-9._:+~-]*$/;
/** RFC 3339 date-time as OSV uses it; fractional seconds and offsets allowed. */
const TIMESTAMP_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

/** Checks the OSV shape Berth depends on; collects every problem (with its JSON path) before failing. */
export function validateOsv(value: unknown, bounds: OsvBounds = defaultOsvBounds): OsvValidation {
  const errors: string[] = [];
  const err = (path: string, msg: string): void => {
    if (errors.length < 20) errors.push(`${path}: ${msg}`);
  };
  if (!isObject(value)) return { ok: false, errors: ["not an OSV record: top level is not a JSON object"] };
  if (!("id" in value) || !("modified" in value)) {
    return { ok: false, errors: ["not an OSV record: no \"id\" and \"modified\" fields"] };
  }
  const str = (path: string, x: unknown, opts: { required?: boolean; nonEmpty?: boolean } = {}): x is string => {
    if (x === undefined && !opts.required) return false;
    if (typeof x !== "string") {
      err(path, x === undefined ? "required" : "must be a string");
      return false;
    }
    if (opts.nonEmpty && x.length === 0) err(path, "must not be empty");
    else if (x.length > bounds.maxStringLength) err(path, `longer than ${bounds.maxStringLength} characters`);
    return true;
  };
  const list = (path: string, x: unknown, nullable: boolean): readonly unknown[] | undefined => {
    if (x === undefined || (nullable && x === null)) return undefined;
    if (!Array.isArray(x)) {
      err(path, "must be an array");
      return undefined;
    }
    if (x.length > bounds.maxListLength) {
      err(path, `more than ${bounds.maxListLength} items`);
      return undefined;
    }
    return x;
  };
  const strings = (path: string, x: unknown, nullable: boolean): void => {
    list(path, x, nullable)?.forEach((s, i) => str(`${path}[${i}]`, s, { required: true, nonEmpty: true }));
  };
  const timestamp = (path: string, x: unknown, required: boolean): void => {
    if (str(path, x, { required }) && (!TIMESTAMP_RE.test(x) || Number.isNaN(Date.parse(x)))) err(path, `not an RFC 3339 timestamp: "${x.slice(0, 40)}"`);
  };
  const objectField = (path: string, x: unknown): void => {
    if (x !== undefined && !isObject(x)) err(path, "must be an object");
  };
  const severities = (path: string, x: unknown): void => {
    list(path, x, true)?.forEach((s, i) => {
      if (!isObject(s)) return err(`${path}[${i}]`, "must be an object");
      str(`${path}[${i}].type`, s.type, { required: true, nonEmpty: true });
      str(`${path}[${i}].score`, s.score, { required: true, nonEmpty: true });
    });
  };

  if (str("id", value.id, { required: true }) && !ID_RE.test(value.id)) err("id", `not a usable advisory id: "${value.id.slice(0, 60)}"`);
  timestamp("modified", value.modified, true);
  timestamp("published", value.published, false);
  timestamp("withdrawn", value.withdrawn, false);
  str("schema_version", value.schema_version);
  str("summary", value.summary);
  if (value.details !== undefined && typeof value.details !== "string") err("details", "must be a string");
  strings("aliases", value.aliases, true);
  strings("related", value.related, false);
  strings("upstream", value.upstream, false);
  severities("severity", value.severity);
  objectField("database_specific", value.database_specific);
  list("references", value.references, true)?.forEach((r, i) => {
    if (!isObject(r)) return err(`references[${i}]`, "must be an object");
    if (typeof r.url !== "string") err(`references[${i}].url`, "must be a string");
  });

  list("affected", value.affected, true)?.forEach((a, i) => {
    const at = `affected[${i}]`;
    if (!isObject(a)) return err(at, "must be an object");
    if (a.package !== undefined) {
      const pkg = a.package;
      if (!isObject(pkg)) err(`${at}.package`, "must be an object");
      else {
        if (str(`${at}.package.ecosystem`, pkg.ecosystem, { required: true, nonEmpty: true }) && !isKnownEcosystem(pkg.ecosystem)) {
          err(`${at}.package.ecosystem`, `unknown ecosystem "${pkg.ecosystem.slice(0, 60)}"`);
        }
        str(`${at}.package.name`, pkg.name, { required: true, nonEmpty: true });
        str(`${at}.package.purl`, pkg.purl);
      }
    }
    severities(`${at}.severity`, a.severity);
    strings(`${at}.versions`, a.versions, false);
    objectField(`${at}.ecosystem_specific`, a.ecosystem_specific);
    objectField(`${at}.database_specific`, a.database_specific);
    list(`${at}.ranges`, a.ranges, false)?.forEach((r, j) => validateRange(`${at}.ranges[${j}]`, r, err, str, list));
  });

  return errors.length > 0 ? { ok: false, errors } : { ok: true, record: value as unknown as OsvRecord };
}

const EVENT_KEYS = ["introduced", "fixed", "last_affected", "limit"] as const;

function validateRange(
  at: string,
  r: unknown,
  err: (path: string, msg: string) => void,
  str: (path: string, x: unknown, opts?: { required?: boolean; nonEmpty?: boolean }) => boolean,
  list: (path: string, x: unknown, nullable: boolean) => readonly unknown[] | undefined,
): void {
  if (!isObject(r)) return err(at, "malformed range: must be an object");
  if (r.type !== "SEMVER" && r.type !== "ECOSYSTEM" && r.type !== "GIT") {
    err(`${at}.type`, `malformed range: type must be SEMVER, ECOSYSTEM or GIT, not ${JSON.stringify(r.type)?.slice(0, 40)}`);
  }
  if (r.type === "GIT" && typeof r.repo !== "string") err(`${at}.repo`, "malformed range: a GIT range needs a repo");
  if (r.repo !== undefined) str(`${at}.repo`, r.repo);
  if (r.database_specific !== undefined && !isObject(r.database_specific)) err(`${at}.database_specific`, "must be an object");
  if (r.events === undefined) return err(`${at}.events`, "malformed range: no events");
  const events = list(`${at}.events`, r.events, false);
  if (events === undefined) return;
  if (events.length === 0) return err(`${at}.events`, "malformed range: no events");
  let introduced = 0;
  let fixed = 0;
  let lastAffected = 0;
  events.forEach((e, k) => {
    const ep = `${at}.events[${k}]`;
    if (!isObject(e)) return err(ep, "malformed range: an event must be an object");
    const keys = Object.keys(e).filter((key) => (EVENT_KEYS as readonly string[]).includes(key));
    if (keys.length !== 1) return err(ep, `malformed range: an event needs exactly one of ${EVENT_KEYS.join(", ")}`);
    const key = keys[0] as (typeof EVENT_KEYS)[number];
    if (str(`${ep}.${key}`, e[key], { required: true, nonEmpty: true })) {
      if (key === "introduced") introduced += 1;
      else if (key === "fixed") fixed += 1;
      else if (key === "last_affected") lastAffected += 1;
    }
  });
  if (introduced === 0) err(`${at}.events`, "malformed range: no introduced event");
  if (fixed > 0 && lastAffected > 0) err(`${at}.events`, "malformed range: fixed and last_affected in one range");
}
