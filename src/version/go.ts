// Go module versions, ordered as golang.org/x/mod/semver orders them: "v" MAJOR[.MINOR[.PATCH]]
// [-prerelease][+build], with "v1" and "v1.2" as shorthands for v1.0.0 and v1.2.0, no leading zeros,
// and build metadata ignored — so "v2.0.0+incompatible" equals "v2.0.0", and a pseudo-version
// (v0.0.0-20191109021931-daa7c04131f5, vX.Y.(Z+1)-0.yyyymmddhhmmss-abcdef, vX.Y.Z-pre.0.yyyymmddhhmmss-abcdef)
// is a pre-release that sorts below the release it precedes. Proven against x/mod/semver.Compare.
//
// OSV writes Go versions without the "v" ("1.2.3"); a version starting with a digit gets one
// prepended. x/mod treats every invalid version as equal to every other and below all valid
// ones; Berth calls such a version invalid instead.
import { cmpDigits, cmpStr, defineScheme, fail, ok, type Ordering, type ParseResult, type VersionScheme } from "./scheme.js";

export interface GoVersion {
  readonly major: string;
  readonly minor: string;
  readonly patch: string;
  /** Dot-separated identifiers after "-", empty for a release. */
  readonly prerelease: readonly string[];
}

const NUM = /^(?:0|[1-9][0-9]*)$/;
const IDENT = /^[0-9A-Za-z-]+$/;
const DIGITS = /^[0-9]+$/;

export function parseGo(raw: string): ParseResult<GoVersion> {
  const v = /^[0-9]/.test(raw) ? `v${raw}` : raw;
  if (!v.startsWith("v")) return fail('a Go module version starts with "v"');
  const m = /^v([0-9]+)(?:\.([0-9]+)(?:\.([0-9]+)(?:-([^+]*))?(?:\+(.*))?)?)?$/s.exec(v);
  if (m === null) return fail("not vMAJOR[.MINOR[.PATCH[-pre][+build]]]");
  const [, major = "", minor, patch, pre, build] = m;
  for (const n of [major, minor, patch]) if (n !== undefined && !NUM.test(n)) return fail("leading zero in a version number");
  let prerelease: string[] = [];
  if (pre !== undefined) {
    prerelease = pre.split(".");
    for (const id of prerelease) {
      if (!IDENT.test(id)) return fail("empty or invalid pre-release identifier");
      if (DIGITS.test(id) && !NUM.test(id)) return fail("leading zero in a numeric pre-release identifier");
    }
  }
  if (build !== undefined && !build.split(".").every((id) => IDENT.test(id))) return fail("empty or invalid build identifier");
  return ok({ major, minor: minor ?? "0", patch: patch ?? "0", prerelease });
}

function comparePrerelease(a: readonly string[], b: readonly string[]): Ordering {
  if (a.length === 0 || b.length === 0) {
    if (a.length === b.length) return 0;
    return a.length === 0 ? 1 : -1;
  }
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i] ?? "";
    const y = b[i] ?? "";
    if (x === y) continue;
    const xn = DIGITS.test(x);
    const yn = DIGITS.test(y);
    if (xn && yn) return cmpDigits(x, y);
    if (xn !== yn) return xn ? -1 : 1;
    return cmpStr(x, y);
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

export function compareGo(a: GoVersion, b: GoVersion): Ordering {
  return cmpDigits(a.major, b.major) || cmpDigits(a.minor, b.minor) || cmpDigits(a.patch, b.patch) || comparePrerelease(a.prerelease, b.prerelease);
}

export const go: VersionScheme = defineScheme("go", parseGo, compareGo);
