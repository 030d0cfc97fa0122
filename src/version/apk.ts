// Alpine (apk-tools) versions: digit{.digit}...{letter}{_suffix{number}}...{~hash}{-rN}, ordered as
// apk-tools 2.14/3.x orders them (src/version.c, rewritten in 2024). Written from that grammar;
// there is no apk tool on these machines, so the tests use apk-tools' own test vectors
// (testdata/apk.tsv says where they come from).
//
// Token by token: the first number and suffix/revision numbers compare by value; a later
// ".number" compares by value, or as text when either side has a leading zero; a letter by its
// code; suffixes alpha < beta < pre < rc < (none) < cvs < svn < git < hg < p; a commit hash as text.
// When one version runs out first, the longer one is newer unless what follows is a pre-release
// suffix (1.0_rc1 < 1.0 < 1.0_p1 < 1.0-r1).
import { defineScheme, fail, ok, type Ordering, type ParseResult, type VersionScheme } from "./scheme.js";

/** Token kinds in the order apk-tools declares them; the order is part of the semantics. */
const enum T {
  InitialDigit = 0,
  Digit = 1,
  Letter = 2,
  Suffix = 3,
  SuffixNo = 4,
  CommitHash = 5,
  RevisionNo = 6,
  End = 7,
  Invalid = 8,
}

/** Suffix ranks; NONE (5) is the pivot between pre-release and post-release suffixes. */
const SUFFIX_NONE = 5;
const SUFFIXES: Readonly<Record<string, number>> = { alpha: 1, beta: 2, pre: 3, rc: 4, cvs: 6, svn: 7, git: 8, hg: 9, p: 10 };

interface Token {
  readonly kind: T;
  /** The token's raw text (digits, letter, suffix name or hash). */
  readonly text: string;
  /** Numeric value (uint64, wrapping like apk's parser) for number tokens; suffix rank for suffixes. */
  readonly value: bigint;
}

const U64 = 1n << 64n;
const isDigit = (c: string | undefined): boolean => c !== undefined && c >= "0" && c <= "9";
const isLower = (c: string | undefined): boolean => c !== undefined && c >= "a" && c <= "z";
const isHex = (c: string | undefined): boolean => isDigit(c) || (c !== undefined && c >= "a" && c <= "f");

function digitsToken(kind: T, s: string, at: number): [Token, number] {
  let i = at;
  while (isDigit(s[i])) i++;
  const text = s.slice(at, i);
  if (text.length === 0) return [{ kind: T.Invalid, text: "", value: 0n }, i];
  return [{ kind, text, value: BigInt(text) % U64 }, i];
}

/** Splits a version into apk's tokens; the list ends with an End or Invalid token. */
export function tokenizeApk(s: string): Token[] {
  const out: Token[] = [];
  let [tok, i] = digitsToken(T.InitialDigit, s, 0);
  out.push(tok);
  while (tok.kind < T.End) {
    const prev = tok.kind;
    const c = s[i];
    let next: Token = { kind: T.Invalid, text: "", value: 0n };
    if (c === undefined) {
      next = { kind: T.End, text: "", value: 0n };
    } else if (isLower(c)) {
      if (prev <= T.Digit) {
        next = { kind: T.Letter, text: c, value: BigInt(c.charCodeAt(0)) };
        i++;
      }
    } else if (c === "." || isDigit(c)) {
      const after = c === "." ? i + 1 : i;
      if (c === "." && prev > T.Digit) {
        // invalid
      } else if (prev === T.InitialDigit || prev === T.Digit) {
        [next, i] = digitsToken(T.Digit, s, after);
      } else if (prev === T.Suffix) {
        [next, i] = digitsToken(T.SuffixNo, s, after);
      }
    } else if (c === "_") {
      if (prev <= T.SuffixNo) {
        let k = i + 1;
        while (isLower(s[k])) k++;
        const name = s.slice(i + 1, k);
        const rank = Object.hasOwn(SUFFIXES, name) ? SUFFIXES[name] : undefined;
        if (rank !== undefined) next = { kind: T.Suffix, text: name, value: BigInt(rank) };
        i = k;
      }
    } else if (c === "~") {
      if (prev < T.CommitHash) {
        let k = i + 1;
        while (isHex(s[k])) k++;
        if (k > i + 1) next = { kind: T.CommitHash, text: s.slice(i + 1, k), value: 0n };
        i = k;
      }
    } else if (c === "-") {
      if (prev < T.RevisionNo && s[i + 1] === "r") [next, i] = digitsToken(T.RevisionNo, s, i + 2);
    }
    tok = next;
    out.push(tok);
  }
  return out;
}

function byteSort(a: string, b: string): Ordering {
  // memcmp over the shorter length, then the shorter first (ASCII only reaches here).
  return a < b ? -1 : a > b ? 1 : 0;
}

function tokenCmp(a: Token, b: Token): Ordering {
  switch (a.kind) {
    case T.Digit:
      if (a.text.startsWith("0") || b.text.startsWith("0")) return byteSort(a.text, b.text);
      return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
    case T.InitialDigit:
    case T.SuffixNo:
    case T.RevisionNo:
    case T.Letter:
    case T.Suffix:
      return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
    default:
      return byteSort(a.text, b.text);
  }
}

/**
 * apk-tools' comparison of two raw strings, including its answers for invalid ones (it compares
 * tokens up to the first invalid one). Berth's scheme refuses invalid versions; this exists so the
 * tests can check every row of apk-tools' own vectors.
 */
export function apkCompareRaw(a: string, b: string): Ordering {
  const ta = tokenizeApk(a);
  const tb = tokenizeApk(b);
  let k = 0;
  let x = ta[0];
  let y = tb[0];
  while (x !== undefined && y !== undefined && x.kind === y.kind && x.kind < T.End) {
    const r = tokenCmp(x, y);
    if (r !== 0) return r;
    k++;
    x = ta[k];
    y = tb[k];
  }
  if (x === undefined || y === undefined) return 0;
  if (x.kind === y.kind) return 0;
  if (x.kind === T.Suffix && Number(x.value) < SUFFIX_NONE) return -1;
  if (y.kind === T.Suffix && Number(y.value) < SUFFIX_NONE) return 1;
  if (x.kind > y.kind) return -1;
  if (y.kind > x.kind) return 1;
  return 0;
}

export function parseApk(v: string): ParseResult<string> {
  const toks = tokenizeApk(v);
  const last = toks[toks.length - 1];
  if (last === undefined || last.kind !== T.End) return fail("not an apk version (digit{.digit}...{letter}{_suffix{N}}...{~hash}{-rN})");
  return ok(v);
}

export const apk: VersionScheme = defineScheme("apk", parseApk, (a, b) => apkCompareRaw(a, b));
