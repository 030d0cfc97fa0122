// Composer (Packagist) versions: normalised as composer/semver 3's VersionParser::normalize does
// ("v1.2" → "1.2.0.0", "1.0RC1" → "1.0.0.0-RC1", "1.x-dev" → "1.9999999.9999999.9999999-dev",
// "master" → "dev-master"), then ordered with PHP's version_compare, which is what Composer's
// Constraint does. A "dev-<branch>" version has no order against anything but itself (Composer's
// constraints never match a branch): Berth answers "incomparable" there. Proven against
// composer/semver's VersionParser and Constraint under PHP.
import { defineScheme, fail, ok, type Ordering, type ParseResult, type VersionScheme } from "./scheme.js";

// PCRE's \s without /u: space, \t, \n, \v, \f, \r.
const S = "[ \\t\\n\\v\\f\\r]";
// PCRE's "$" also matches before a final newline; "." matches anything but "\n".
const END = "\\n?$";
const MODIFIER = "[._-]?(?:(stable|beta|b|RC|alpha|a|patch|pl|p)((?:[.-]?\\d+)*)?)?([.-]?dev)?";
const CLASSICAL = new RegExp(`^v?(\\d{1,5})(\\.\\d+)?(\\.\\d+)?(\\.\\d+)?${MODIFIER}${END}`, "i");
const DATE = new RegExp(`^v?(\\d{4}(?:[.:-]?\\d{2}){1,6}(?:[.:-]?\\d{1,3})?)${MODIFIER}${END}`, "i");
const ALIAS = new RegExp(`^([^,${S.slice(1, -1)}]+) +as +([^,${S.slice(1, -1)}]+)$`);
const STABILITY_FLAG = /@(?:stable|RC|beta|alpha|dev)$/i;
const BUILD = new RegExp(`^([^,+${S.slice(1, -1)}]+)\\+[^${S.slice(1, -1)}]+${END}`);
const DEV_SUFFIX = new RegExp(`([^\\n]*?)[.-]?dev${END}`, "i");
const BRANCH = /^v?(\d+)(\.(?:\d+|[xX*]))?(\.(?:\d+|[xX*]))?(\.(?:\d+|[xX*]))?$/i;
// PHP's trim(): " \t\n\r\0\x0B".
const PHP_TRIM = new RegExp("^[ \\t\\n\\r\\0\\v]+|[ \\t\\n\\r\\0\\v]+$", "g");

function expandStability(s: string): string {
  const l = s.toLowerCase();
  if (l === "a") return "alpha";
  if (l === "b") return "beta";
  if (l === "p" || l === "pl") return "patch";
  if (l === "rc") return "RC";
  return l;
}

function normalizeBranch(name: string): string {
  const m = BRANCH.exec(name.replace(PHP_TRIM, ""));
  if (m === null) return `dev-${name.replace(PHP_TRIM, "")}`;
  let version = "";
  for (let i = 1; i < 5; i++) version += (m[i] ?? ".x").replace(/[*X]/g, "x");
  return `${version.replaceAll("x", "9999999")}-dev`;
}

/** composer/semver VersionParser::normalize; undefined where Composer throws "Invalid version string". */
export function normalizeComposer(input: string): string | undefined {
  let version = input.replace(PHP_TRIM, "");
  const alias = ALIAS.exec(version);
  if (alias !== null) version = alias[1] as string;
  const flag = STABILITY_FLAG.exec(version);
  if (flag !== null) version = version.slice(0, version.length - flag[0].length);
  if (version === "master" || version === "trunk" || version === "default") version = `dev-${version}`;
  if (version.slice(0, 4).toLowerCase() === "dev-") return `dev-${version.slice(4)}`;
  const build = BUILD.exec(version);
  if (build !== null) version = build[1] as string;

  let m = CLASSICAL.exec(version);
  let index = 5;
  if (m !== null) {
    version = `${m[1]}${m[2] || ".0"}${m[3] || ".0"}${m[4] || ".0"}`;
  } else {
    m = DATE.exec(version);
    index = 2;
    if (m !== null) version = (m[1] as string).replace(/\D/g, ".");
  }
  if (m !== null) {
    const stability = m[index];
    if (stability) {
      if (stability === "stable") return version;
      const num = m[index + 1];
      version += `-${expandStability(stability)}${num ? num.replace(/^[.-]+/, "") : ""}`;
    }
    if (m[index + 2]) version += "-dev";
    return version;
  }
  const dev = DEV_SUFFIX.exec(version);
  if (dev !== null) {
    const normalized = normalizeBranch(dev[1] as string);
    if (!normalized.includes("dev-")) return normalized;
  }
  return undefined;
}

// ---- PHP's version_compare (ext/standard/versioning.c) ----

const isDig = (c: string | undefined): boolean => c !== undefined && c >= "0" && c <= "9";
const isAlnum = (c: string | undefined): boolean => isDig(c) || (c !== undefined && /^[A-Za-z]$/.test(c));
const isSpecial = (c: string): boolean => c === "-" || c === "_" || c === "+";

/** Inserts "." at every digit/non-digit change and turns "-", "_", "+" and other punctuation into ".". */
export function phpCanonicalize(v: string): string {
  if (v.length === 0) return "";
  let out = v[0] as string;
  let lp = v[0] as string;
  for (let k = 1; k < v.length; k++) {
    const p = v[k] as string;
    const lq = out[out.length - 1];
    const isdig = (x: string): boolean => isDig(x) && x !== ".";
    const isndig = (x: string): boolean => !isDig(x) && x !== ".";
    if (isSpecial(p)) {
      if (lq !== ".") out += ".";
    } else if ((isndig(lp) && isdig(p)) || (isdig(lp) && isndig(p))) {
      if (lq !== ".") out += ".";
      out += p;
    } else if (!isAlnum(p)) {
      if (lq !== ".") out += ".";
    } else {
      out += p;
    }
    lp = p;
  }
  return out;
}

const SPECIAL_FORMS: readonly [string, number][] = [
  ["dev", 0],
  ["alpha", 1],
  ["a", 1],
  ["beta", 2],
  ["b", 2],
  ["RC", 3],
  ["rc", 3],
  ["#", 4],
  ["pl", 5],
  ["p", 5],
];

function specialForm(form: string): number {
  for (const [name, order] of SPECIAL_FORMS) if (form.startsWith(name)) return order;
  return -1;
}

function compareSpecial(a: string, b: string): Ordering {
  const d = specialForm(a) - specialForm(b);
  return d < 0 ? -1 : d > 0 ? 1 : 0;
}

const LONG_MAX = (1n << 63n) - 1n;

/** C's strtol on a string starting with a digit (clamped at LONG_MAX). */
function strtol(s: string): bigint {
  const m = /^[0-9]+/.exec(s);
  const n = BigInt(m?.[0] ?? "0");
  return n > LONG_MAX ? LONG_MAX : n;
}

/** PHP's version_compare(a, b) without an operator: -1, 0 or 1 (a walk over "."-separated pieces). */
export function phpVersionCompare(a: string, b: string): Ordering {
  if (a.length === 0 || b.length === 0) {
    if (a.length === 0 && b.length === 0) return 0;
    return a.length > 0 ? 1 : -1;
  }
  const s1 = a[0] === "#" ? a : phpCanonicalize(a);
  const s2 = b[0] === "#" ? b : phpCanonicalize(b);
  let p1 = 0;
  let p2 = 0;
  // Positions of the "." ending the current piece; null once a string has no more dots.
  let n1: number | null = 0;
  let n2: number | null = 0;
  let compare: Ordering = 0;
  while (p1 < s1.length && p2 < s2.length && n1 !== null && n2 !== null) {
    const d1 = s1.indexOf(".", p1);
    const d2 = s2.indexOf(".", p2);
    n1 = d1 < 0 ? null : d1;
    n2 = d2 < 0 ? null : d2;
    const x = s1.slice(p1, n1 ?? s1.length);
    const y = s2.slice(p2, n2 ?? s2.length);
    if (isDig(x[0]) && isDig(y[0])) {
      const l1 = strtol(x);
      const l2 = strtol(y);
      compare = l1 < l2 ? -1 : l1 > l2 ? 1 : 0;
    } else if (!isDig(x[0]) && !isDig(y[0])) {
      compare = compareSpecial(x, y);
    } else if (isDig(x[0])) {
      compare = compareSpecial("#N#", y);
    } else {
      compare = compareSpecial(x, "#N#");
    }
    if (compare !== 0) break;
    if (n1 !== null) p1 = n1 + 1;
    if (n2 !== null) p2 = n2 + 1;
  }
  if (compare === 0) {
    if (n1 !== null) compare = isDig(s1[p1]) ? 1 : phpVersionCompare(s1.slice(p1), "#N#");
    else if (n2 !== null) compare = isDig(s2[p2]) ? -1 : phpVersionCompare("#N#", s2.slice(p2));
  }
  return compare;
}

export interface ComposerVersion {
  readonly normalized: string;
  readonly branch: boolean;
}

export function parseComposer(v: string): ParseResult<ComposerVersion> {
  const normalized = normalizeComposer(v);
  if (normalized === undefined) return fail("not a Composer version");
  return ok({ normalized, branch: normalized.startsWith("dev-") });
}

export function compareComposer(a: ComposerVersion, b: ComposerVersion): Ordering | string {
  if (a.branch || b.branch) {
    if (a.normalized === b.normalized) return 0;
    return "a dev branch is ordered against nothing but itself";
  }
  return phpVersionCompare(a.normalized, b.normalized);
}

export const composer: VersionScheme = defineScheme("composer", parseComposer, compareComposer);
