import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { OsvRecord } from "./osv.js";
import { labelFromAdvisory, severityFor } from "./severity.js";
import { TESTDATA } from "./testutil/mirror.js";

const rec = (rel: string): OsvRecord => JSON.parse(readFileSync(join(TESTDATA, "osv", rel), "utf8")) as OsvRecord;

test("a CVSS v3.0 vector gives the score its source printed (NSWG-ECO-1: 6.5)", () => {
  const s = severityFor(rec("npm/NSWG-ECO-1.json"), undefined);
  assert.equal(s.score, 6.5);
  assert.equal(s.label, "medium");
  assert.equal(s.labelSource, "cvss");
});

test("the advisory's own rating wins the label; scores come from the vectors", () => {
  const r = rec("Bitnami/BIT-activemq-2025-27533.json");
  const s = severityFor(r, r.affected?.[0]);
  assert.equal(s.labelSource, "advisory");
  assert.equal(s.advisoryLabel, (r.database_specific as { severity: string }).severity);
  assert.ok(s.cvss.length >= 1);
  assert.ok(s.cvss.some((c) => c.version === "4.0"), JSON.stringify(s.cvss));
  const ghsa = severityFor(rec("npm/GHSA-29mw-wpgm-hmr9.json"), undefined);
  assert.equal(ghsa.advisoryLabel, "MODERATE");
  assert.equal(ghsa.label, "medium");
});

test("v3.x is preferred over v4.0 for the score when both are present", () => {
  const r = rec("crates.io/RUSTSEC-2024-0445.json");
  const s = severityFor(r, r.affected?.[0]);
  const versions = s.cvss.map((c) => c.version);
  assert.ok(versions.includes("4.0"));
  if (versions.some((v) => v.startsWith("3"))) assert.ok(s.vector?.startsWith("CVSS:3"));
  else assert.ok(s.vector?.startsWith("CVSS:4.0"));
});

test("no vector and no rating is unknown, never a guess", () => {
  const s = severityFor(rec("Debian/DSA-5380-1.json"), undefined);
  assert.deepEqual([s.label, s.labelSource, s.cvss.length], ["unknown", "none", 0]);
});

test("publisher words map to labels", () => {
  assert.equal(labelFromAdvisory("Important"), "high");
  assert.equal(labelFromAdvisory("unimportant"), "low");
  assert.equal(labelFromAdvisory("Unknown"), undefined);
});
