// RubyGems versions, ordered as Gem::Version#<=> orders them (RubyGems 3.x): the string is split
// into runs of digits and runs of letters ("-" reads as ".pre."), trailing zero numbers are dropped
// from the release part and from the pre-release part, then segments compare pairwise with a
// missing one counting as 0, any letters below any number, numbers by value and letters by byte.
// So 1.0.a < 1.0 == 1 < 1.0.1, and "1.0-1" is 1.0.pre.1. Proven against Ruby's Gem::Version.
import { cmpDigits, cmpStr, defineScheme, fail, ok, type Ordering, type ParseResult, type VersionScheme } from "./scheme.js";

/** A segment: digits (compared by value) or letters (compared by byte). */
type Segment = { readonly num: string } | { readonly str: string };

export interface GemVersion {
  /** The stripped version with "-" replaced by ".pre.", as RubyGems keeps it. */
  readonly text: string;
  readonly canonical: readonly Segment[];
}

// Ruby's \s: space, \t, \n, \v, \f, \r.
const WS = "[ \\t\\n\\v\\f\\r]";
const ANCHORED = new RegExp(`^${WS}*([0-9]+(?:\\.[0-9a-zA-Z]+)*(-[0-9A-Za-z-]+(\\.[0-9A-Za-z-]+)*)?)?${WS}*$`);
const BLANK = new RegExp(`^${WS}*$`);

export function parseGem(v: string): ParseResult<GemVersion> {
  // Ruby's \z is the true end; JS's $ without the m flag is too.
  if (!ANCHORED.test(v)) return fail("not a RubyGems version");
  // An empty or blank version means "0". String#strip also removes NULs, which the pattern excludes.
  const stripped = BLANK.test(v) ? "0" : v.replace(new RegExp(`^${WS}+|${WS}+$`, "g"), "");
  const text = stripped.replaceAll("-", ".pre.");
  const segments: Segment[] = (text.match(/[0-9]+|[a-zA-Z]+/g) ?? []).map((s) => (/^[0-9]/.test(s) ? { num: s } : { str: s }));
  const firstString = segments.findIndex((s) => "str" in s);
  const release = firstString < 0 ? segments : segments.slice(0, firstString);
  const pre = firstString < 0 ? [] : segments.slice(firstString);
  return ok({ text, canonical: [...dropTrailingZeros(release), ...dropTrailingZeros(pre)] });
}

function isZero(s: Segment): boolean {
  return "num" in s && /^0+$/.test(s.num);
}

function dropTrailingZeros(segs: readonly Segment[]): Segment[] {
  let n = segs.length;
  while (n > 0 && isZero(segs[n - 1] as Segment)) n--;
  return segs.slice(0, n);
}

const ZERO: Segment = { num: "0" };

export function compareGem(a: GemVersion, b: GemVersion): Ordering {
  if (a.text === b.text) return 0;
  const n = Math.max(a.canonical.length, b.canonical.length);
  for (let i = 0; i < n; i++) {
    const x = a.canonical[i] ?? ZERO;
    const y = b.canonical[i] ?? ZERO;
    if ("num" in x && "num" in y) {
      const r = cmpDigits(x.num, y.num);
      if (r !== 0) return r;
    } else if ("str" in x && "str" in y) {
      const r = cmpStr(x.str, y.str);
      if (r !== 0) return r;
    } else {
      return "str" in x ? -1 : 1;
    }
  }
  return 0;
}

export const gem: VersionScheme = defineScheme("gem", parseGem, compareGem);
