import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import type { ErrorObject } from "ajv";
import type { Finding } from "../model/finding.js";
import { REPORT_SCHEMA, render } from "./json.js";
import { fixtureDocument, imageTarget } from "./testdata/fixture.js";
import { assertGolden } from "./testdata/golden.js";

const schema = JSON.parse(readFileSync(new URL("./schemas/report-v1.schema.json", import.meta.url), "utf8")) as Record<string, unknown>;
const ajv = new Ajv2020.default({ allErrors: true, strict: true });
addFormats.default(ajv);
const validate = ajv.compile(schema);
function errors(doc: unknown): string[] {
  return validate(doc) ? [] : (validate.errors ?? []).map((e: ErrorObject) => `${e.instancePath} ${e.message ?? ""}`);
}

interface Parsed {
  schema: string;
  timestamp: string;
  summary: Record<string, number>;
  targets: { name: string; packageCount: number; summary: Record<string, number>; findings: Finding[]; undecided: unknown[]; image?: Record<string, unknown> }[];
  db?: unknown;
}

test("json: golden", () => {
  assertGolden("json", render(fixtureDocument, {}));
});

test("json: valid against the published report-v1 schema, whose $id is the schema name", () => {
  assert.equal(schema.$id, REPORT_SCHEMA);
  assert.deepEqual(errors(JSON.parse(render(fixtureDocument, {}))), []);
});

test("json: the schema is strict (unknown fields and wrong types are refused)", () => {
  const doc = JSON.parse(render(fixtureDocument, {})) as Parsed & Record<string, unknown>;
  assert.notDeepEqual(errors({ ...doc, extra: 1 }), []);
  const bad = structuredClone(doc);
  (bad.targets[0]!.findings[0] as unknown as Record<string, unknown>).severity = "severe";
  assert.notDeepEqual(errors(bad), []);
});

test("json: every field of every finding, suppressed ones included whatever the options", () => {
  const doc = JSON.parse(render(fixtureDocument, { showSuppressed: false })) as Parsed;
  assert.equal(doc.schema, REPORT_SCHEMA);
  fixtureDocument.targets.forEach((t, i) => {
    assert.deepEqual(doc.targets[i]!.findings, JSON.parse(JSON.stringify(t.findings)));
    assert.deepEqual(doc.targets[i]!.undecided, JSON.parse(JSON.stringify(t.undecided)));
  });
  const suppressed = doc.targets.flatMap((t) => t.findings).filter((f) => f.suppressed);
  assert.deepEqual(suppressed.map((f) => `${f.id}:${f.suppressed!.by}`), ["CVE-2023-38546:vex", "CVE-2020-8203:ignore"]);
});

test("json: a finding with every optional field set keeps them all, in a valid document", () => {
  const full: Finding = {
    ...imageTarget.findings[5]!,
    cvss: { version: "3.1", score: 7.8, vector: "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H" },
    epss: 0.8, // hand-made values for the shape, not real scores
    epssPercentile: 0.99,
    layer: { ...imageTarget.findings[5]!.layer!, fromBase: true },
    package: { ...imageTarget.findings[5]!.package, sourceName: "glibc" },
    suppressed: { by: "vex", reason: "component_not_present", source: "vex.json" },
  };
  const doc = { ...fixtureDocument, targets: [{ ...imageTarget, findings: [full] }] };
  const parsed = JSON.parse(render(doc, {})) as Parsed;
  assert.deepEqual(parsed.targets[0]!.findings[0], JSON.parse(JSON.stringify(full)));
  assert.deepEqual(errors(parsed), []);
});

test("json: targets carry summary, package count, image and db info, but never the image config", () => {
  const out = render(fixtureDocument, {});
  const doc = JSON.parse(out) as Parsed;
  assert.deepEqual(doc.summary, { total: 13, critical: 1, high: 4, medium: 7, low: 0, none: 0, unknown: 1, fixable: 12, kev: 1, suppressed: 2, undecided: 1 });
  assert.equal(doc.targets[0]!.packageCount, imageTarget.packages.length);
  assert.equal(doc.targets[0]!.image!.manifestDigest, imageTarget.image!.manifestDigest);
  assert.equal(doc.timestamp, "2026-11-22T12:00:00.000Z");
  assert.deepEqual(doc.db, fixtureDocument.db);
  assert.doesNotMatch(out, /API_TOKEN|"config"/);
});

test("json: same document, same bytes", () => {
  assert.equal(render(fixtureDocument, {}), render(fixtureDocument, {}));
  // Key order comes from the format, not from how the finding objects were built.
  const reordered = { ...fixtureDocument, targets: fixtureDocument.targets.map((t) => ({ ...t, findings: t.findings.map((f) => Object.fromEntries(Object.entries(f).reverse()) as unknown as Finding) })) };
  assert.equal(render(reordered, {}), render(fixtureDocument, {}));
});
