// NuGet versions, ordered as NuGet.Versioning's NuGetVersion with VersionComparer.Default orders
// them: 1 to 4 numbers (Major.Minor[.Patch[.Revision]], missing ones 0, leading zeros allowed),
// an optional "-" pre-release of dot-separated labels, optional "+" build metadata (ignored).
// A release sorts after its pre-releases; labels compare one by one, numeric labels by value and
// below text labels, text labels case-insensitively, and fewer labels first when one list is a
// prefix of the other. There is no NuGet tool on these machines: the tests use the rules and
// examples of NuGet's "Package versioning" documentation and NuGet.Versioning's behaviour.
import { cmpStr, defineScheme, fail, ok, type Ordering, type ParseResult, type VersionScheme } from "./scheme.js";

export interface NuGetVersion {
  /** Major, minor, patch, revision as numbers (each fits a 32-bit signed int). */
  readonly numbers: readonly [number, number, number, number];
  /** Pre-release labels; empty for a release. */
  readonly labels: readonly string[];
}

const INT32_MAX = 2147483647;
const LABEL = /^[0-9A-Za-z-]+$/;
// .NET's Char.IsWhiteSpace set, which String.Trim() removes.
const TRIM = /^[\s\u0085]+|[\s\u0085]+$/g;
// int.TryParse (NumberStyles.Integer) white space: U+0009–U+000D and U+0020.
const COMPONENT = /^[\t\n\v\f\r ]*([0-9]+)[\t\n\v\f\r ]*$/;

function validLabel(s: string, allowLeadingZeros: boolean): boolean {
  if (!LABEL.test(s)) return false;
  return allowLeadingZeros || !(s.length > 1 && /^0[0-9]+$/.test(s));
}

export function parseNuGet(raw: string): ParseResult<NuGetVersion> {
  const v = raw.replace(TRIM, "");
  if (v.length === 0) return fail("empty");
  // Sections as NuGet splits them: version up to the first "-" or "+", labels up to the next "+".
  const dash = v.search(/[-+]/);
  const versionPart = dash < 0 ? v : v.slice(0, dash);
  let labels: string[] = [];
  let metadata: string | undefined;
  if (dash >= 0) {
    if (dash === v.length - 1) return fail("nothing after the separator");
    if (v[dash] === "+") {
      metadata = v.slice(dash + 1);
    } else {
      const rest = v.slice(dash + 1);
      const plus = rest.indexOf("+");
      // A "+" at the very end stays in the labels (and makes them invalid), as in NuGet.
      const labelText = plus < 0 || plus === rest.length - 1 ? rest : rest.slice(0, plus);
      if (plus >= 0 && plus < rest.length - 1) metadata = rest.slice(plus + 1);
      labels = labelText.split(".");
      if (!labels.every((l) => validLabel(l, false))) return fail("invalid pre-release label");
    }
  }
  if (metadata !== undefined && !metadata.split(".").every((l) => validLabel(l, true))) return fail("invalid build metadata");
  const parts = (versionPart.includes(".") ? versionPart : `${versionPart}.0`).split(".");
  if (parts.length > 4) return fail("more than four version numbers");
  const numbers: number[] = [];
  for (const p of parts) {
    const m = COMPONENT.exec(p);
    const digits = m?.[1];
    if (digits === undefined) return fail("a version number is not a non-negative integer");
    const n = Number(digits.replace(/^0+(?=.)/, "").length > 10 ? Infinity : digits);
    if (n > INT32_MAX) return fail("a version number is larger than 2147483647");
    numbers.push(n);
  }
  while (numbers.length < 4) numbers.push(0);
  return ok({ numbers: numbers as unknown as [number, number, number, number], labels });
}

/** int.TryParse on a label: optional "-", digits, within a 32-bit signed int. */
function labelNumber(s: string): number | undefined {
  if (!/^-?[0-9]+$/.test(s)) return undefined;
  const n = Number(s);
  return n >= -2147483648 && n <= INT32_MAX ? n : undefined;
}

function compareLabel(a: string, b: string): Ordering {
  const x = labelNumber(a);
  const y = labelNumber(b);
  if (x !== undefined && y !== undefined) return x < y ? -1 : x > y ? 1 : 0;
  if (x !== undefined) return -1;
  if (y !== undefined) return 1;
  // StringComparer.OrdinalIgnoreCase: ordinal over upper-cased characters.
  return cmpStr(a.toUpperCase(), b.toUpperCase());
}

export function compareNuGet(a: NuGetVersion, b: NuGetVersion): Ordering {
  for (let i = 0; i < 4; i++) {
    const x = a.numbers[i] ?? 0;
    const y = b.numbers[i] ?? 0;
    if (x !== y) return x < y ? -1 : 1;
  }
  const la = a.labels;
  const lb = b.labels;
  if (la.length > 0 && lb.length === 0) return -1;
  if (la.length === 0 && lb.length > 0) return 1;
  for (let i = 0; i < Math.max(la.length, lb.length); i++) {
    const x = la[i];
    const y = lb[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const r = compareLabel(x, y);
    if (r !== 0) return r;
  }
  return 0;
}

export const nuget: VersionScheme = defineScheme("nuget", parseNuGet, compareNuGet);
