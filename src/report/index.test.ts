import { test } from "node:test";
import assert from "node:assert/strict";
import { isReportFormat, reportFormats } from "./index.js";
import { fixtureDocument } from "./testdata/fixture.js";

test("report formats: the --format names, each rendering the same document", () => {
  assert.deepEqual(Object.keys(reportFormats).sort(), ["cyclonedx", "json", "openvex", "sarif", "table"]);
  for (const name of Object.keys(reportFormats)) {
    assert.ok(isReportFormat(name));
    const out = reportFormats[name as keyof typeof reportFormats](fixtureDocument, {});
    assert.ok(out.endsWith("\n"), name);
    if (name !== "table") JSON.parse(out);
  }
  assert.ok(!isReportFormat("spdx"));
  assert.ok(!isReportFormat("toString"));
});
