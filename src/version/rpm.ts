// RPM versions: [epoch:]version[-release], ordered as rpm 4.18 orders an EVR (rpmverParse +
// rpmverCmp + rpmvercmp, with tilde `~` before everything and caret `^` after the base version).
// Proven against `rpm.vercmp` in rpm's embedded Lua.
//
// rpm accepts every non-empty string. As in rpm, a missing epoch counts as 0, and a missing release
// sorts below any release ("1.0" < "1.0-0").
import { cmpStr, defineScheme, fail, ok, type Ordering, type ParseResult, type VersionScheme } from "./scheme.js";

export interface RpmVersion {
  /** Digits, "0" when the string had none; compared with rpmvercmp like the other parts. */
  readonly epoch: string;
  readonly version: string;
  /** undefined when the string has no "-". */
  readonly release: string | undefined;
}

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= "0" && c <= "9";
const isAlpha = (c: string | undefined): boolean => c !== undefined && ((c >= "a" && c <= "z") || (c >= "A" && c <= "Z"));
const isAlnum = (c: string | undefined): boolean => isDigit(c) || isAlpha(c);

export function parseRpm(v: string): ParseResult<RpmVersion> {
  if (v.length === 0) return fail("empty");
  if (v.includes("\0")) return fail("contains a NUL character");
  let s = 0;
  while (isDigit(v[s])) s++;
  const dash = v.lastIndexOf("-");
  const se = dash >= s ? dash : -1;
  let epoch = "0";
  let versionStart = 0;
  if (v[s] === ":") {
    epoch = s === 0 ? "0" : v.slice(0, s);
    versionStart = s + 1;
  }
  const version = se >= 0 ? v.slice(versionStart, se) : v.slice(versionStart);
  const release = se >= 0 ? v.slice(se + 1) : undefined;
  return ok({ epoch, version, release });
}

/** rpm's segment comparison of one version or release string. */
export function rpmvercmp(a: string, b: string): Ordering {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while (i < a.length && !isAlnum(a[i]) && a[i] !== "~" && a[i] !== "^") i++;
    while (j < b.length && !isAlnum(b[j]) && b[j] !== "~" && b[j] !== "^") j++;
    const ca = a[i];
    const cb = b[j];
    // Tilde sorts before everything, even the end of the string.
    if (ca === "~" || cb === "~") {
      if (ca !== "~") return 1;
      if (cb !== "~") return -1;
      i++;
      j++;
      continue;
    }
    // Caret sorts after the end of the string but before any other segment.
    if (ca === "^" || cb === "^") {
      if (ca === undefined) return -1;
      if (cb === undefined) return 1;
      if (ca !== "^") return 1;
      if (cb !== "^") return -1;
      i++;
      j++;
      continue;
    }
    if (ca === undefined || cb === undefined) break;
    let ei = i;
    let ej = j;
    const isNum = isDigit(ca);
    if (isNum) {
      while (isDigit(a[ei])) ei++;
      while (isDigit(b[ej])) ej++;
    } else {
      while (isAlpha(a[ei])) ei++;
      while (isAlpha(b[ej])) ej++;
    }
    // A numeric segment is newer than an alpha one.
    if (ej === j) return isNum ? 1 : -1;
    let sa = a.slice(i, ei);
    let sb = b.slice(j, ej);
    if (isNum) {
      sa = sa.replace(/^0+/, "");
      sb = sb.replace(/^0+/, "");
      if (sa.length !== sb.length) return sa.length > sb.length ? 1 : -1;
    }
    const r = cmpStr(sa, sb);
    if (r !== 0) return r;
    i = ei;
    j = ej;
  }
  if (i >= a.length && j >= b.length) return 0;
  return i >= a.length ? -1 : 1;
}

function compareOptional(a: string | undefined, b: string | undefined): Ordering {
  if (a === undefined) return b === undefined ? 0 : -1;
  if (b === undefined) return 1;
  return rpmvercmp(a, b);
}

export function compareRpm(a: RpmVersion, b: RpmVersion): Ordering {
  return rpmvercmp(a.epoch, b.epoch) || rpmvercmp(a.version, b.version) || compareOptional(a.release, b.release);
}

export const rpm: VersionScheme = defineScheme("rpm", parseRpm, compareRpm);
