// The shape every version scheme shares (STYLE.md §3): one small interface, and "incomparable" as a
// value callers see, never a silent "not vulnerable".
import { BerthError } from "../util/errors.js";

/** Every ordering Berth knows. The registry in index.ts is a Record over this union. */
export type SchemeId = "dpkg" | "rpm" | "apk" | "semver" | "pep440" | "maven" | "go" | "gem" | "nuget" | "composer";

export type Ordering = -1 | 0 | 1;

/** Two versions the scheme cannot order: one is not a version of the scheme, or the pair has no order. */
export interface Incomparable {
  readonly incomparable: true;
  readonly scheme: SchemeId;
  /** One line, naming the offending version. */
  readonly reason: string;
}

export type ParseResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

export interface VersionScheme {
  readonly id: SchemeId;
  /** undefined when `v` is a version this scheme can order, else a one-line reason why not. */
  validate(v: string): string | undefined;
  /** Orders a against b. Throws BerthError("input", `<scheme>: invalid version "x": …`) when it cannot. */
  compare(a: string, b: string): Ordering;
  /** Like compare, but returns an Incomparable value instead of throwing. */
  tryCompare(a: string, b: string): Ordering | Incomparable;
}

/**
 * Longest version string any scheme accepts. Versions come from untrusted package databases and
 * advisories; real ones are far shorter (the longest Debian versions are ~100 characters).
 */
export const MAX_VERSION_LENGTH = 256;

export function ok<T>(value: T): ParseResult<T> {
  return { ok: true, value };
}

export function fail<T>(reason: string): ParseResult<T> {
  return { ok: false, reason };
}

export function isIncomparable(x: Ordering | Incomparable): x is Incomparable {
  return typeof x === "object";
}

export function sign(n: number): Ordering {
  return n < 0 ? -1 : n > 0 ? 1 : 0;
}

/** Orders two strings by UTF-16 code unit (= byte order for ASCII), like C's strcmp on ASCII. */
export function cmpStr(a: string, b: string): Ordering {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Orders two non-negative decimal digit strings of any length by value. */
export function cmpDigits(a: string, b: string): Ordering {
  const x = stripZeros(a);
  const y = stripZeros(b);
  if (x.length !== y.length) return x.length < y.length ? -1 : 1;
  return cmpStr(x, y);
}

function stripZeros(s: string): string {
  let i = 0;
  while (i < s.length - 1 && s.charCodeAt(i) === 48) i++;
  return s.slice(i);
}

/** A short, one-line, quoted rendering of an untrusted version for messages. */
export function quote(v: string): string {
  const shown = v.length > 80 ? `${v.slice(0, 80)}…` : v;
  return JSON.stringify(shown);
}

export function invalidVersion(id: SchemeId, v: string, reason: string): BerthError {
  return new BerthError("input", `${id}: invalid version ${quote(v)}: ${reason}`);
}

/**
 * Builds a scheme from a parser and an order over parsed values. `order` may return a string: the
 * pair is valid but has no order (e.g. two Composer dev branches), and the string says why.
 */
export function defineScheme<P>(
  id: SchemeId,
  parse: (v: string) => ParseResult<P>,
  order: (a: P, b: P, rawA: string, rawB: string) => Ordering | string,
): VersionScheme {
  const parseBounded = (v: string): ParseResult<P> =>
    v.length > MAX_VERSION_LENGTH ? fail(`longer than ${MAX_VERSION_LENGTH} characters`) : parse(v);
  const tryCompare = (a: string, b: string): Ordering | Incomparable => {
    const pa = parseBounded(a);
    if (!pa.ok) return { incomparable: true, scheme: id, reason: `${id}: invalid version ${quote(a)}: ${pa.reason}` };
    const pb = parseBounded(b);
    if (!pb.ok) return { incomparable: true, scheme: id, reason: `${id}: invalid version ${quote(b)}: ${pb.reason}` };
    const r = order(pa.value, pb.value, a, b);
    if (typeof r === "string") return { incomparable: true, scheme: id, reason: `${id}: ${quote(a)} and ${quote(b)} have no order: ${r}` };
    return r;
  };
  return {
    id,
    validate(v) {
      const p = parseBounded(v);
      return p.ok ? undefined : p.reason;
    },
    tryCompare,
    compare(a, b) {
      const r = tryCompare(a, b);
      if (isIncomparable(r)) throw new BerthError("input", r.reason);
      return r;
    },
  };
}
