import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { evaluateAffected, schemeForEcosystem, type AffectedResult, type OsvAffectedVersions, type OsvRange } from "./index.js";
import type { SchemeId } from "./scheme.js";
import { TESTDATA } from "./testdata/harness.js";

const semverRange = (...events: OsvRange["events"]): OsvAffectedVersions => ({ ranges: [{ type: "SEMVER", events }] });
const status = (r: AffectedResult): string => r.status;

test("range: the OSV schema's own examples", () => {
  // "every possible version is affected"
  const unfixed = semverRange({ introduced: "0" });
  assert.deepEqual(evaluateAffected(unfixed, "0.0.1", "semver"), { status: "affected", fixed: [] });
  assert.deepEqual(evaluateAffected(unfixed, "99.0.0", "semver"), { status: "affected", fixed: [] });
  // "everything before 1.0.2 is affected"
  const fixedRange = semverRange({ introduced: "0" }, { fixed: "1.0.2" });
  assert.deepEqual(evaluateAffected(fixedRange, "1.0.1", "semver"), { status: "affected", fixed: ["1.0.2"] });
  assert.deepEqual(evaluateAffected(fixedRange, "1.0.2", "semver"), { status: "not-affected" });
  // [1.0.0, 1.0.2) or [3.0.0, 3.2.5)
  const multi = semverRange({ introduced: "1.0.0" }, { fixed: "1.0.2" }, { introduced: "3.0.0" }, { fixed: "3.2.5" });
  const table: [string, string, readonly string[]][] = [
    ["0.9.9", "not-affected", []],
    ["1.0.0", "affected", ["1.0.2"]],
    ["1.0.1", "affected", ["1.0.2"]],
    ["1.0.2", "not-affected", []],
    ["2.9.9", "not-affected", []],
    ["3.0.0", "affected", ["3.2.5"]],
    ["3.2.4", "affected", ["3.2.5"]],
    ["3.2.5", "not-affected", []],
    ["3.2.5-rc.1", "affected", ["3.2.5"]],
  ];
  for (const [v, want, fixed] of table) {
    const r = evaluateAffected(multi, v, "semver");
    assert.equal(status(r), want, v);
    if (r.status === "affected") assert.deepEqual(r.fixed, fixed, v);
  }
  // last_affected is inclusive; fixed is exclusive.
  const last = semverRange({ introduced: "1.0.0" }, { last_affected: "1.1.0" });
  assert.equal(status(evaluateAffected(last, "1.1.0", "semver")), "affected");
  assert.equal(status(evaluateAffected(last, "1.1.1-alpha", "semver")), "not-affected");
  assert.equal(status(evaluateAffected(last, "0.9.0", "semver")), "not-affected");
});

test("range: events are sorted by version before the walk, whatever order the record lists them in", () => {
  const shuffled = semverRange({ fixed: "3.2.5" }, { introduced: "3.0.0" }, { fixed: "1.0.2" }, { introduced: "1.0.0" });
  assert.deepEqual(evaluateAffected(shuffled, "1.0.1", "semver"), { status: "affected", fixed: ["1.0.2"] });
  assert.equal(status(evaluateAffected(shuffled, "2.0.0", "semver")), "not-affected");
  assert.deepEqual(evaluateAffected(shuffled, "3.1.0", "semver"), { status: "affected", fixed: ["3.2.5"] });
  // "0" sorts first even when listed last.
  const zeroLast = semverRange({ fixed: "2.0.0" }, { introduced: "0" });
  assert.equal(status(evaluateAffected(zeroLast, "1.0.0", "semver")), "affected");
  // Equal versions keep the record's order: introduced X then fixed X is an empty interval…
  assert.equal(status(evaluateAffected(semverRange({ introduced: "1.0.0" }, { fixed: "1.0.0" }), "1.0.0", "semver")), "not-affected");
  // …and a fix at X followed by a re-introduction at X leaves X affected.
  const reintroduced = semverRange({ introduced: "0" }, { fixed: "2.0.0" }, { introduced: "2.0.0" }, { fixed: "3.0.0" });
  assert.deepEqual(evaluateAffected(reintroduced, "2.0.0", "semver"), { status: "affected", fixed: ["3.0.0"] });
});

test("range: limit events bound a range from above, '*' is infinity, several limits are OR-ed", () => {
  const limited = semverRange({ introduced: "0" }, { limit: "2.0.0" });
  assert.equal(status(evaluateAffected(limited, "1.9.9", "semver")), "affected");
  assert.equal(status(evaluateAffected(limited, "2.0.0", "semver")), "not-affected");
  const star = semverRange({ introduced: "1.0.0" }, { limit: "*" });
  assert.equal(status(evaluateAffected(star, "99.0.0", "semver")), "affected");
  const two = semverRange({ introduced: "0" }, { limit: "1.0.0" }, { limit: "3.0.0" });
  assert.equal(status(evaluateAffected(two, "2.0.0", "semver")), "affected");
  assert.equal(status(evaluateAffected(two, "3.0.0", "semver")), "not-affected");
});

test("range: ranges are OR-ed with each other and with the versions list", () => {
  const entry: OsvAffectedVersions = {
    ranges: [
      { type: "ECOSYSTEM", events: [{ introduced: "1.0" }, { fixed: "1.2" }] },
      { type: "ECOSYSTEM", events: [{ introduced: "2.0" }, { fixed: "2.1" }] },
    ],
    versions: ["5.0"],
  };
  assert.deepEqual(evaluateAffected(entry, "1.1", "pep440"), { status: "affected", fixed: ["1.2"] });
  assert.deepEqual(evaluateAffected(entry, "2.0.post1", "pep440"), { status: "affected", fixed: ["2.1"] });
  assert.deepEqual(evaluateAffected(entry, "5.0", "pep440"), { status: "affected", fixed: [] });
  // The versions list matches a version the scheme orders as equal, too.
  assert.deepEqual(evaluateAffected(entry, "5.0.0", "pep440"), { status: "affected", fixed: [] });
  assert.equal(status(evaluateAffected(entry, "3.0", "pep440")), "not-affected");
  assert.deepEqual(evaluateAffected({ versions: ["1.0"] }, "1.0.0", "maven"), { status: "affected", fixed: [] });
});

test("range: what cannot be ordered is 'incomparable', never 'not affected'", () => {
  const r1 = evaluateAffected(semverRange({ introduced: "0" }, { fixed: "1.0.2" }), "not-a-version", "semver");
  assert.equal(r1.status, "incomparable");
  assert.match(r1.status === "incomparable" ? (r1.reasons[0] ?? "") : "", /semver: invalid version "not-a-version"/);
  // A record whose SEMVER events are not SemVer (real data does this: Bitnami minio "2021.01.30").
  const r2 = evaluateAffected(semverRange({ introduced: "0" }, { fixed: "2021.01.30" }), "1.0.0", "semver");
  assert.equal(r2.status, "incomparable");
  // "introduced: 0" alone needs no ordering: every version, even an odd one, is affected.
  assert.equal(status(evaluateAffected(semverRange({ introduced: "0" }), "not-a-version", "semver")), "affected");
  // Another range can still say "affected".
  const mixed: OsvAffectedVersions = {
    ranges: [
      { type: "ECOSYSTEM", events: [{ introduced: "0" }, { fixed: "garbage!" }] },
      { type: "ECOSYSTEM", events: [{ introduced: "1.0" }] },
    ],
  };
  assert.equal(status(evaluateAffected(mixed, "1.5", "pep440")), "affected");
  assert.equal(status(evaluateAffected(mixed, "0.5", "pep440")), "incomparable");
  // GIT ranges need the repository; with nothing else to go on the answer is incomparable.
  const git: OsvAffectedVersions = { ranges: [{ type: "GIT", repo: "https://example.invalid/x", events: [{ introduced: "0" }, { fixed: "a".repeat(40) }] }] };
  assert.equal(status(evaluateAffected(git, "1.0", "pep440")), "incomparable");
  assert.equal(status(evaluateAffected({ ...git, versions: ["1.0"] }, "1.0", "pep440")), "affected");
  assert.equal(status(evaluateAffected({ ...git, versions: ["1.0"] }, "2.0", "pep440")), "not-affected");
  // An unknown range type, an event with no known key, two Composer branches.
  assert.equal(status(evaluateAffected({ ranges: [{ type: "WEIRD", events: [{ introduced: "0" }] }] }, "1.0", "pep440")), "incomparable");
  assert.equal(status(evaluateAffected({ ranges: [{ type: "ECOSYSTEM", events: [{ introduced: "0" }, {}] }] }, "1.0", "pep440")), "incomparable");
  assert.equal(status(evaluateAffected({ ranges: [{ type: "ECOSYSTEM", events: [{ introduced: "0" }, { fixed: "dev-main" }] }] }, "dev-feature", "composer")), "incomparable");
});

test("range: an ecosystem without a scheme still has its SEMVER ranges and exact versions evaluated", () => {
  const entry: OsvAffectedVersions = { ranges: [{ type: "ECOSYSTEM", events: [{ introduced: "0" }, { fixed: "2.0" }] }], versions: ["1.5"] };
  const eco = schemeForEcosystem("Hackage");
  assert.equal(eco, undefined);
  assert.equal(status(evaluateAffected(entry, "1.5", eco)), "affected");
  assert.equal(status(evaluateAffected(entry, "1.6", eco)), "incomparable");
  assert.deepEqual(evaluateAffected(semverRange({ introduced: "0" }, { fixed: "1.0.2" }), "1.0.1", eco), { status: "affected", fixed: ["1.0.2"] });
});

test("range: SEMVER ranges order Go module versions written with or without the v", () => {
  const entry = semverRange({ introduced: "0" }, { fixed: "1.2.4" });
  assert.deepEqual(evaluateAffected(entry, "v1.2.3", "go"), { status: "affected", fixed: ["1.2.4"] });
  assert.equal(status(evaluateAffected(entry, "v1.2.4+incompatible", "go")), "not-affected");
  assert.equal(status(evaluateAffected(entry, "v0.0.0-20191109021931-daa7c04131f5", "go")), "affected");
});

// ---- real advisories (testdata/osv-affected.json) ----

interface Fixture {
  readonly records: Record<string, { readonly affected: readonly (OsvAffectedVersions & { readonly package: { readonly ecosystem: string } })[] }>;
}
const fixture = JSON.parse(readFileSync(join(TESTDATA, "osv-affected.json"), "utf8")) as Fixture;

function check(id: string, version: string): AffectedResult {
  const entry = fixture.records[id]?.affected[0];
  assert.ok(entry !== undefined, id);
  const scheme = schemeForEcosystem(entry.package.ecosystem) as SchemeId;
  // Ranges only: the versions lists are checked against the ranges below.
  return evaluateAffected({ ranges: entry.ranges }, version, scheme);
}

test("range: real advisories, affected and not affected", () => {
  const rows: [string, string, string, (readonly string[])?][] = [
    // Django: three intervals; the fix offered is the one that ends the version's interval.
    ["PYSEC-2023-61", "3.2.18", "affected", ["3.2.19"]],
    ["PYSEC-2023-61", "3.2.19", "not-affected"],
    ["PYSEC-2023-61", "4.1.8", "affected", ["4.1.9"]],
    ["PYSEC-2023-61", "4.1.9", "not-affected"],
    ["PYSEC-2023-61", "4.2", "affected", ["4.2.1"]],
    ["PYSEC-2023-61", "4.2rc1", "not-affected"],
    ["PYSEC-2023-61", "3.1.14", "not-affected"],
    // smallvec: pre-release lower bounds ("0.4.0-0").
    ["RUSTSEC-2018-0003", "0.4.0", "affected", ["0.4.5"]],
    ["RUSTSEC-2018-0003", "0.4.5", "not-affected"],
    ["RUSTSEC-2018-0003", "0.6.2", "affected", ["0.6.3"]],
    ["RUSTSEC-2018-0003", "0.3.1", "not-affected"],
    ["RUSTSEC-2020-0069", "0.10.0-alpha.3", "affected", ["0.10.0-alpha.4"]],
    ["RUSTSEC-2020-0069", "0.10.0", "not-affected"],
    // git in Debian 12: epoch and +deb12u revision.
    ["DEBIAN-CVE-2023-25652", "1:2.39.2-1.1", "affected", ["1:2.39.5-0+deb12u1"]],
    ["DEBIAN-CVE-2023-25652", "1:2.39.5-0+deb12u1", "not-affected"],
    ["DEBIAN-CVE-2023-25652", "1:2.39.5-0+deb12u2", "not-affected"],
    ["DEBIAN-CVE-2023-25652", "2.45.0-1", "affected", ["1:2.39.5-0+deb12u1"]],
    // Bitnami last_affected: a single version, and a closed interval.
    ["BIT-activemq-2020-11998", "5.15.12", "affected", []],
    ["BIT-activemq-2020-11998", "5.15.13", "not-affected"],
    ["BIT-activemq-2020-1941", "5.15.11", "affected", []],
    ["BIT-activemq-2020-1941", "5.16.0", "not-affected"],
    // Bitnami minio: SEMVER events that are not SemVer.
    ["BIT-minio-2021-21287", "2020.1.1", "incomparable"],
    // hapi: the fix is a pre-release of the next minor.
    ["NSWG-ECO-11", "2.0.5", "affected", ["2.1.0-0"]],
    ["NSWG-ECO-11", "2.1.0", "affected", ["2.2.0-0"]],
    ["NSWG-ECO-11", "2.2.0", "not-affected"],
  ];
  for (const [id, v, want, fixed] of rows) {
    const r = check(id, v);
    assert.equal(r.status, want, `${id} @ ${v}: ${JSON.stringify(r)}`);
    if (fixed !== undefined && r.status === "affected") assert.deepEqual(r.fixed, fixed, `${id} @ ${v}`);
  }
  // Two SEMVER ranges that touch at 6.0.0 (electron-packager).
  const two = fixture.records["NSWG-ECO-104"]?.affected[0];
  assert.ok(two);
  assert.equal(evaluateAffected(two, "6.0.0", "semver").status, "affected");
  assert.equal(evaluateAffected(two, "6.0.3", "semver").status, "not-affected");
});

test("range: every version a real PyPI record lists is affected by its ranges", () => {
  // osv.dev expands ranges into the versions list, so the two should agree. PYSEC-2021-114
  // overlaps its intervals (introduced 0 → fixed 2.11.6 and introduced 2.11 → fixed 2.11.7): the
  // schema's walk then leaves 2.11.6 unaffected, although the list includes it.
  for (const id of ["PYSEC-2023-61", "PYSEC-2021-114"]) {
    const entry = fixture.records[id]?.affected[0];
    assert.ok(entry?.versions !== undefined);
    const misses = entry.versions.filter((v) => evaluateAffected({ ranges: entry.ranges }, v, "pep440").status !== "affected");
    const expected = id === "PYSEC-2021-114" ? ["2.11.6"] : ["3.2a1", "3.2b1", "3.2rc1", "4.2a1", "4.2b1", "4.2rc1"];
    assert.deepEqual(misses, expected, id);
    // With its versions list the record covers all of them.
    for (const v of entry.versions) assert.equal(evaluateAffected(entry, v, "pep440").status, "affected");
  }
});
