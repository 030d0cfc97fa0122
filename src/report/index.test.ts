import { test } from "node:test";
import assert from "node:assert/strict";
import { isReportFormat, renderReport, reportFormatNames } from "./index.js";
import { fixtureDocument } from "./testdata/fixture.js";

test("report formats: the --format names, each rendering the same document", async () => {
  assert.deepEqual([...reportFormatNames].sort(), ["cyclonedx", "json", "openvex", "sarif", "table"]);
  for (const name of reportFormatNames) {
    assert.ok(isReportFormat(name));
    const out = await renderReport(name, fixtureDocument, {});
    assert.ok(out.endsWith("\n"), name);
    if (name !== "table") JSON.parse(out);
  }
  assert.ok(!isReportFormat("spdx"));
  assert.ok(!isReportFormat("toString"));
});
