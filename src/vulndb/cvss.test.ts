import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { cvss4Score, scoreCvss, severityOf } from "./cvss.js";

function rows(name: string): string[][] {
  const text = readFileSync(new URL(`./testdata/cvss/${name}`, import.meta.url), "utf8");
  return text.split("\n").filter((l) => l !== "" && !l.startsWith("#")).map((l) => l.split("\t"));
}

test("CVSS v2.0, v3.0 and v3.1 base scores match the reference rows for every base vector", () => {
  for (const file of ["v2.tsv", "v30.tsv", "v31.tsv"]) {
    const table = rows(file);
    assert.ok(table.length >= 729, file);
    const wrong: string[] = [];
    for (const [vector, expected] of table) {
      const r = scoreCvss(vector as string);
      if (!r.ok) wrong.push(`${vector}: ${r.error}`);
      else if (r.score.baseScore.toFixed(1) !== expected) wrong.push(`${vector}: got ${r.score.baseScore} want ${expected}`);
    }
    assert.deepEqual(wrong.slice(0, 10), [], `${file}: ${wrong.length} mismatches`);
  }
});

test("CVSS v4.0 base-only and whole-vector scores match the reference rows", () => {
  const wrong: string[] = [];
  for (const [vector, base, overall] of rows("v40.tsv")) {
    const b = cvss4Score(vector as string);
    const o = cvss4Score(vector as string, { allMetrics: true });
    if (!b.ok || b.score.toFixed(1) !== base) wrong.push(`${vector}: base ${b.ok ? b.score : b.error} want ${base}`);
    if (!o.ok || o.score.toFixed(1) !== overall) wrong.push(`${vector}: overall ${o.ok ? o.score : o.error} want ${overall}`);
  }
  assert.deepEqual(wrong.slice(0, 10), [], `${wrong.length} mismatches`);
});

test("well-known vectors from the specifications and advisories", () => {
  const cases: Array<[string, number, string]> = [
    ["CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8, "critical"],
    ["CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:L/A:N", 6.5, "medium"], // NSWG-ECO-1 (cvss_score 6.5 in its source)
    ["CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10, "critical"],
    ["CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:N/I:N/A:N", 0, "none"],
    ["AV:N/AC:L/Au:N/C:P/I:P/A:P", 7.5, "high"],
    ["(AV:L/AC:L/Au:N/C:C/I:C/A:C)", 7.2, "high"], // binary rounding would give 7.1
    ["CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", 9.3, "critical"],
    ["CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H", 10, "critical"],
    ["CVSS:4.0/AV:L/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N", 0, "none"],
  ];
  for (const [vector, score, severity] of cases) {
    const r = scoreCvss(vector);
    assert.ok(r.ok, vector);
    assert.equal(r.score.baseScore, score, vector);
    assert.equal(r.score.severity, severity, vector);
  }
  // The specification's BTE example: base 9.3, with E:A and MAV:A 8.7.
  const bte = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:L/SC:N/SI:N/SA:N/E:A/MAV:A";
  assert.deepEqual([cvss4Score(bte).ok && cvss4Score(bte), cvss4Score(bte, { allMetrics: true })].map((r) => (r && r.ok ? r.score : -1)), [9.3, 8.7]);
});

test("malformed vectors are errors, not scores", () => {
  for (const bad of [
    "",
    "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H", // missing A
    "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:Q",
    "CVSS:3.1/AV:N/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
    "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/ZZ:1",
    "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:S/SA:N", // S is only valid in MSI
    "CVSS:5.0/AV:N",
    "AV:N/AC:L/Au:N/C:P/I:P",
    "not a vector",
  ]) {
    const r = scoreCvss(bad);
    assert.equal(r.ok, false, bad);
  }
});

test("qualitative ratings follow each version's table", () => {
  assert.equal(severityOf(3.9, "3.1"), "low");
  assert.equal(severityOf(4.0, "4.0"), "medium");
  assert.equal(severityOf(8.9, "3.0"), "high");
  assert.equal(severityOf(9.0, "3.1"), "critical");
  assert.equal(severityOf(10, "2.0"), "high");
  assert.equal(severityOf(0, "2.0"), "low");
});
