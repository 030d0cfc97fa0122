// Semantic Versioning 2.0.0 precedence as npm's `semver` package implements it (strict, not loose:
// an optional leading "v", surrounding white space ignored, build metadata ignored). Used for npm,
// crates.io, Hex, Pub, and every OSV range of type SEMVER. The package is npm's own ordering, so
// Berth orders npm versions exactly as npm does; the tests pin its documented precedence rules.
import semverLib from "semver";
import { defineScheme, fail, ok, type Ordering, type VersionScheme } from "./scheme.js";

export const semver: VersionScheme = defineScheme<semverLib.SemVer>(
  "semver",
  (v) => {
    const parsed = semverLib.parse(v, { loose: false });
    return parsed === null ? fail("not a semantic version (MAJOR.MINOR.PATCH[-pre][+build])") : ok(parsed);
  },
  (a, b): Ordering => a.compare(b),
);
