import { test } from "node:test";
import assert from "node:assert/strict";
import { render, summaryLine } from "./table.js";
import { directoryTarget, fixtureDocument, imageTarget } from "./testdata/fixture.js";
import { assertGolden } from "./testdata/golden.js";

// eslint-disable-next-line no-control-regex
const ansi = /\u001b\[[0-9;]*m/g;

test("table: golden (suppressed omitted, no colour)", () => {
  assertGolden("table", render(fixtureDocument, {}));
});

test("table: same document, same bytes", () => {
  assert.equal(render(fixtureDocument, { color: true, showSuppressed: true }), render(fixtureDocument, { color: true, showSuppressed: true }));
});

test("table: a header per target with distribution and counts by severity", () => {
  const lines = render(fixtureDocument, {}).split("\n");
  assert.ok(lines.includes("registry.example.com/shop/api:1.4.2 (Debian GNU/Linux 12 (bookworm)) — critical: 0, high: 4, medium: 6, low: 0, unknown: 1"));
  assert.ok(lines.includes("dir:/work/web — critical: 1, high: 0, medium: 1, low: 0"));
});

test("table: columns, KEV mark, truncated titles", () => {
  const out = render(fixtureDocument, {});
  assert.match(out, /^PACKAGE +VULNERABILITY ID +SEVERITY +STATUS +INSTALLED +FIXED VERSION +TITLE$/m);
  assert.match(out, /^libc6 +CVE-2023-4911 \[KEV\] +MEDIUM +fixed +2\.36-9\+deb12u1 +2\.36-9\+deb12u3 +CVE-2023-4911 fixed in Debian 12 \(glibc\)$/m);
  assert.match(out, /^gitlabhook +CVE-2019-5485 +CRITICAL +affected +0\.0\.17 +OS Command Injection$/m);
  const urllib3 = out.split("\n").find((l) => l.includes("CVE-2023-43804"))!;
  assert.ok(urllib3.endsWith("…"), "long titles are cut");
  assert.ok(urllib3.split("  ").at(-1)!.trim().length <= 60);
});

test("table: suppressed findings are omitted unless asked for, and then labelled", () => {
  const hidden = render(fixtureDocument, {});
  assert.doesNotMatch(hidden, /^libcurl4 +CVE-2023-38546/m);
  assert.doesNotMatch(hidden, /CVE-2020-8203/);
  assert.match(hidden, /^1 suppressed finding not shown\.$/m);
  const shown = render(fixtureDocument, { showSuppressed: true });
  assert.match(shown, /^libcurl4 +CVE-2023-38546 +HIGH +suppressed \(vex\) /m);
  assert.match(shown, /^lodash +CVE-2020-8203 +HIGH +suppressed \(ignore\) /m);
  assert.doesNotMatch(shown, /not shown/);
  // Suppressed rows come after the ones that count.
  const rows = shown.split("\n");
  assert.ok(rows.findIndex((l) => l.includes("CVE-2023-38546") && l.includes("suppressed")) > rows.findIndex((l) => l.includes("CVE-2023-32681")));
});

test("table: undecided comparisons are listed after the findings", () => {
  const out = render(fixtureDocument, {});
  const undecided = out.indexOf("Undecided (1)");
  assert.ok(undecided > out.indexOf("CVE-2023-32681"));
  assert.match(out, /^certifi +custom-build +PYSEC-2023-135 +pep440: cannot parse version "custom-build"$/m);
});

test("table: summary line", () => {
  assert.equal(summaryLine(fixtureDocument), "Total: 13 (critical: 1, high: 4, medium: 7, low: 0, unknown: 1) · 12 fixable · 1 in KEV · 2 suppressed · 1 undecided");
  assert.ok(render(fixtureDocument, {}).endsWith(`${summaryLine(fixtureDocument)}\n`));
  assert.equal(summaryLine({ ...fixtureDocument, targets: [directoryTarget] }), "Total: 2 (critical: 1, high: 0, medium: 1, low: 0) · 1 fixable · 0 in KEV · 1 suppressed");
});

test("table: ANSI colour only when asked for, without disturbing alignment", () => {
  const plain = render(fixtureDocument, { showSuppressed: true });
  assert.doesNotMatch(plain, ansi);
  const colored = render(fixtureDocument, { showSuppressed: true, color: true });
  assert.ok(colored.includes("\u001b[1;31mCRITICAL\u001b[0m"));
  assert.ok(colored.includes("\u001b[31mHIGH\u001b[0m"));
  assert.ok(colored.includes("\u001b[33mMEDIUM\u001b[0m"));
  assert.ok(colored.includes("\u001b[1;31mCVE-2023-4911 [KEV]\u001b[0m"));
  assert.equal(colored.replace(ansi, ""), plain);
});

test("table: a target without findings says so", () => {
  const out = render({ ...fixtureDocument, targets: [{ ...imageTarget, findings: [], undecided: [] }] }, {});
  assert.match(out, /^No vulnerabilities found\.$/m);
  assert.match(out, /^Total: 0 \(critical: 0, high: 0, medium: 0, low: 0\) · 0 fixable · 0 in KEV$/m);
});
