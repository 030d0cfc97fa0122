// Debian package versions: [epoch:]upstream[-revision], ordered as dpkg orders them
// (deb-version(7); dpkg's parseversion and verrevcmp). Proven against `dpkg --compare-versions`.
//
// dpkg refuses some strings outright (empty, embedded spaces, bad epoch, empty upstream or
// revision) and only warns about others (upstream not starting with a digit, characters outside
// the policy alphabet) while still ordering them. Berth follows dpkg: the refused ones are invalid,
// the warned-about ones are ordered as dpkg orders them.
import { defineScheme, fail, ok, sign, type Ordering, type ParseResult, type VersionScheme } from "./scheme.js";

export interface DpkgVersion {
  readonly epoch: number;
  /** UTF-8 bytes: dpkg compares bytes, and bytes ≥ 0x80 as C's signed char. */
  readonly upstream: Uint8Array;
  readonly revision: Uint8Array;
}

const INT_MAX = 2147483647;

const isBlank = (c: number): boolean => c === 0x20 || c === 0x09;
const isSpace = (c: number): boolean => c === 0x20 || (c >= 0x09 && c <= 0x0d);
const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
const isAlpha = (c: number): boolean => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);

export function parseDpkg(v: string): ParseResult<DpkgVersion> {
  const s = new TextEncoder().encode(v);
  if (s.includes(0)) return fail("contains a NUL byte");
  let start = 0;
  while (start < s.length && isBlank(s[start] ?? 0)) start++;
  if (start === s.length) return fail("version string is empty");
  let end = start;
  while (end < s.length && !isBlank(s[end] ?? 0)) end++;
  for (let i = end; i < s.length; i++) if (!isBlank(s[i] ?? 0)) return fail("version string has embedded spaces");

  let epoch = 0;
  let body = start;
  const colon = s.indexOf(0x3a, start);
  if (colon >= 0 && colon < end) {
    // strtol: leading white space, an optional sign, then digits.
    let i = start;
    while (i < end && isSpace(s[i] ?? 0)) i++;
    let negative = false;
    if (s[i] === 0x2b || s[i] === 0x2d) {
      negative = s[i] === 0x2d;
      i++;
    }
    const digitsAt = i;
    while (i < end && isDigit(s[i] ?? 0)) i++;
    if (i === digitsAt) return fail("epoch in version is empty");
    if (i !== colon) return fail("epoch in version is not number");
    const digits = new TextDecoder().decode(s.subarray(digitsAt, i)).replace(/^0+(?=.)/, "");
    const big = digits.length > 12;
    const value = big ? Infinity : Number(digits);
    if (negative && value !== 0) return fail("epoch in version is negative");
    if (value > INT_MAX) return fail("epoch in version is too big");
    if (colon + 1 === end) return fail("nothing after colon in version number");
    epoch = value;
    body = colon + 1;
  }
  const rest = s.subarray(body, end);
  const hyphen = rest.lastIndexOf(0x2d);
  const upstream = hyphen >= 0 ? rest.subarray(0, hyphen) : rest;
  const revision = hyphen >= 0 ? rest.subarray(hyphen + 1) : new Uint8Array(0);
  if (hyphen >= 0 && revision.length === 0) return fail("revision number is empty");
  if (upstream.length === 0) return fail("version number is empty");
  return ok({ epoch, upstream, revision });
}

/** dpkg's character weight: digits 0, letters their code, '~' below everything, others above letters. */
function order(c: number | undefined): number {
  if (c === undefined) return 0;
  if (isDigit(c)) return 0;
  if (isAlpha(c)) return c;
  if (c === 0x7e) return -1;
  const signed = c >= 0x80 ? c - 256 : c;
  return signed + 256;
}

/** dpkg's verrevcmp over bytes: alternating non-digit runs (by weight) and digit runs (by value). */
export function verrevcmp(a: Uint8Array, b: Uint8Array): Ordering {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    let firstDiff = 0;
    while ((i < a.length && !isDigit(a[i] ?? 0)) || (j < b.length && !isDigit(b[j] ?? 0))) {
      const ac = order(a[i]);
      const bc = order(b[j]);
      if (ac !== bc) return sign(ac - bc);
      i++;
      j++;
    }
    while (a[i] === 0x30) i++;
    while (b[j] === 0x30) j++;
    while (isDigit(a[i] ?? 0) && isDigit(b[j] ?? 0)) {
      if (firstDiff === 0) firstDiff = (a[i] ?? 0) - (b[j] ?? 0);
      i++;
      j++;
    }
    if (isDigit(a[i] ?? 0)) return 1;
    if (isDigit(b[j] ?? 0)) return -1;
    if (firstDiff !== 0) return sign(firstDiff);
  }
  return 0;
}

export function compareDpkg(a: DpkgVersion, b: DpkgVersion): Ordering {
  if (a.epoch !== b.epoch) return a.epoch < b.epoch ? -1 : 1;
  return verrevcmp(a.upstream, b.upstream) || verrevcmp(a.revision, b.revision);
}

export const dpkg: VersionScheme = defineScheme("dpkg", parseDpkg, compareDpkg);
