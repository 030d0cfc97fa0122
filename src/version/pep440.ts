// Python package versions (PEP 440), parsed and ordered as the `packaging` library's Version does
// (the ordering pip uses): [N!]N(.N)*[{a|b|rc}N][.postN][.devN][+local], with its accepted
// spellings (case-insensitive; leading "v"; "alpha", "beta", "c", "pre", "preview" for a/b/rc;
// "rev", "r" and "-N" for post; optional separators and implicit 0 numbers; surrounding white
// space). Release numbers compare without trailing zeros (1.0 == 1); .devN < aN < bN < rcN <
// release < .postN; a local label sorts after the same public version. Numbers have no size limit.
// Proven against Python's packaging.version.
//
// Written by hand rather than with @renovatebot/pep440 4.2.4: that package reads numbers as JS
// doubles (precision lost past 2^53), reads a local label such as "1e5" as the number 100000, and
// does not accept the surrounding white space packaging accepts.
import { cmpDigits, cmpStr, defineScheme, fail, ok, type Ordering, type ParseResult, type VersionScheme } from "./scheme.js";

export interface Pep440Version {
  readonly epoch: string;
  /** Release numbers with trailing zeros removed. */
  readonly release: readonly string[];
  readonly pre: { readonly rank: number; readonly n: string } | undefined;
  readonly post: string | undefined;
  readonly dev: string | undefined;
  /** Local segments: numbers as digit strings (tagged), words lower-cased. */
  readonly local: readonly LocalSegment[] | undefined;
}

type LocalSegment = { readonly num: string } | { readonly word: string };

// Python's str.isspace() characters, which packaging's \s strips around a version.
const WS = "[\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]";
const PATTERN = new RegExp(
  `^${WS}*[vV]?` +
    "(?:([0-9]+)!)?" + // epoch
    "([0-9]+(?:\\.[0-9]+)*)" + // release
    "(?:[._-]?(alpha|a|beta|b|preview|pre|c|rc)[._-]?([0-9]+)?)?" + // pre-release
    "(?:-([0-9]+)|[._-]?(post|rev|r)[._-]?([0-9]+)?)?" + // post-release
    "(?:[._-]?(dev)[._-]?([0-9]+)?)?" + // development release
    "(?:\\+([a-z0-9]+(?:[._-][a-z0-9]+)*))?" + // local label
    `${WS}*$`,
  "i",
);

const PRE_RANK: Readonly<Record<string, number>> = { a: 0, alpha: 0, b: 1, beta: 1, c: 2, pre: 2, preview: 2, rc: 2 };
const NO_PRE = 3;
const DEV_ONLY = -1;

export function parsePep440(v: string): ParseResult<Pep440Version> {
  const m = PATTERN.exec(v);
  if (m === null) return fail("not a PEP 440 version");
  const [, epoch = "0", releaseText = "", preL, preN, postN1, postL, postN2, devL, devN, localText] = m;
  const release = releaseText.split(".");
  while (release.length > 0 && /^0+$/.test(release[release.length - 1] as string)) release.pop();
  const pre = preL === undefined ? undefined : { rank: PRE_RANK[preL.toLowerCase()] ?? 0, n: preN ?? "0" };
  const post = postN1 ?? (postL === undefined ? undefined : (postN2 ?? "0"));
  const dev = devL === undefined ? undefined : (devN ?? "0");
  const local = localText?.split(/[._-]/).map((s): LocalSegment => (/^[0-9]+$/.test(s) ? { num: s } : { word: s.toLowerCase() }));
  return ok({ epoch, release, pre, post, dev, local });
}

function compareRelease(a: readonly string[], b: readonly string[]): Ordering {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const r = cmpDigits(a[i] as string, b[i] as string);
    if (r !== 0) return r;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

/** packaging's suffix key: (pre rank, pre n, has post, post n, no dev, dev n). */
function suffix(v: Pep440Version): [number, string, number, string, number, string] {
  const preRank = v.pre !== undefined ? v.pre.rank : v.post === undefined && v.dev !== undefined ? DEV_ONLY : NO_PRE;
  return [preRank, v.pre?.n ?? "0", v.post === undefined ? 0 : 1, v.post ?? "0", v.dev === undefined ? 1 : 0, v.dev ?? "0"];
}

function compareLocal(a: readonly LocalSegment[], b: readonly LocalSegment[]): Ordering {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i] as LocalSegment;
    const y = b[i] as LocalSegment;
    if ("num" in x && "num" in y) {
      const r = cmpDigits(x.num, y.num);
      if (r !== 0) return r;
    } else if ("word" in x && "word" in y) {
      const r = cmpStr(x.word, y.word);
      if (r !== 0) return r;
    } else {
      return "word" in x ? -1 : 1;
    }
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

export function comparePep440(a: Pep440Version, b: Pep440Version): Ordering {
  const r = cmpDigits(a.epoch, b.epoch) || compareRelease(a.release, b.release);
  if (r !== 0) return r;
  const sa = suffix(a);
  const sb = suffix(b);
  for (let i = 0; i < 6; i++) {
    const x = sa[i] as number | string;
    const y = sb[i] as number | string;
    const c = typeof x === "number" ? Math.sign(x - (y as number)) : cmpDigits(x, y as string);
    if (c !== 0) return c as Ordering;
  }
  if (a.local === undefined || b.local === undefined) {
    if (a.local === b.local) return 0;
    return a.local === undefined ? -1 : 1;
  }
  return compareLocal(a.local, b.local);
}

export const pep440: VersionScheme = defineScheme("pep440", parsePep440, comparePep440);
