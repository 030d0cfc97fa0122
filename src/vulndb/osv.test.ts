import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { validateOsv } from "./osv.js";
import { FIXTURE_ECOSYSTEMS, TESTDATA } from "./testutil/mirror.js";

const load = (rel: string): unknown => JSON.parse(readFileSync(join(TESTDATA, rel), "utf8"));
const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

test("every committed real advisory validates, including NSWG ids and a short-hash GIT range", () => {
  for (const eco of FIXTURE_ECOSYSTEMS) {
    for (const f of readdirSync(join(TESTDATA, "osv", eco))) {
      const r = validateOsv(load(`osv/${eco}/${f}`));
      assert.ok(r.ok, `${eco}/${f}: ${r.ok ? "" : r.errors.join("; ")}`);
    }
  }
  const git = validateOsv(load("osv/PyPI/PYSEC-2017-27.json"));
  assert.ok(git.ok && git.record.affected?.some((a) => a.ranges?.some((r) => r.type === "GIT")));
});

test("broken inputs are rejected with a reason naming the problem", () => {
  const unknown = validateOsv(load("osv-bad/NSWG-ECO-90001.json"));
  assert.ok(!unknown.ok && unknown.errors.some((e) => e.includes('unknown ecosystem "Nosuch"')), JSON.stringify(unknown));
  const range = validateOsv(load("osv-bad/NSWG-ECO-90002.json"));
  assert.ok(!range.ok && range.errors.some((e) => e.includes("malformed range: no introduced event")), JSON.stringify(range));
  const notOsv = validateOsv(load("osv-bad/package.json"));
  assert.ok(!notOsv.ok && notOsv.errors[0]?.startsWith("not an OSV record"));
  for (const v of [null, [], "x", 3]) assert.equal(validateOsv(v).ok, false);
});

test("malformed ranges, events and fields are each caught", () => {
  const base = load("osv/npm/NSWG-ECO-1.json") as { affected: Array<{ ranges: Array<Record<string, unknown>> }> } & Record<string, unknown>;
  const cases: Array<[string, (r: typeof base) => void, string]> = [
    ["two keys in one event", (r) => (r.affected[0]!.ranges[0]!.events = [{ introduced: "0", fixed: "1" }]), "exactly one of"],
    ["fixed and last_affected together", (r) => (r.affected[0]!.ranges[0]!.events = [{ introduced: "0" }, { fixed: "1" }, { last_affected: "2" }]), "fixed and last_affected"],
    ["unknown range type", (r) => (r.affected[0]!.ranges[0]!.type = "NPM"), "type must be"],
    ["GIT range without repo", (r) => (r.affected[0]!.ranges[0]!.type = "GIT"), "needs a repo"],
    ["empty events", (r) => (r.affected[0]!.ranges[0]!.events = []), "no events"],
    ["non-string version", (r) => (r.affected[0]!.ranges[0]!.events = [{ introduced: 0 }]), "must be a string"],
    ["empty version", (r) => (r.affected[0]!.ranges[0]!.events = [{ introduced: "" }]), "must not be empty"],
    ["bad modified", (r) => (r.modified = "yesterday"), "RFC 3339"],
    ["id with a slash", (r) => (r.id = "../../etc"), "usable advisory id"],
    ["aliases not a list", (r) => (r.aliases = "CVE-2014-7205"), "must be an array"],
    ["package without name", (r) => delete (r.affected[0] as Record<string, { name?: string }>).package!.name, "required"],
  ];
  for (const [what, mutate, expect] of cases) {
    const r = clone(base);
    mutate(r);
    const v = validateOsv(r);
    assert.ok(!v.ok && v.errors.some((e) => e.includes(expect)), `${what}: ${JSON.stringify(v)}`);
  }
});

test("unknown extra fields and null lists are accepted", () => {
  const r = clone(load("osv/npm/NSWG-ECO-1.json")) as Record<string, unknown>;
  r.x_vendor = { anything: true };
  r.aliases = null;
  r.affected = null;
  assert.ok(validateOsv(r).ok);
});
