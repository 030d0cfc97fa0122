import { test } from "node:test";
import assert from "node:assert/strict";
import { gzipSync } from "node:zlib";
import type * as Sarif from "sarif";
import { validateSarif } from "../../test/support/schemas.js";
import type { ReportDocument } from "./document.js";
import { FINGERPRINT_KEY, githubLimits, render, renderWithLimits, type SarifLimits } from "./sarif.js";
import { directoryTarget, fixtureDocument, imageTarget, manyFindingsDocument } from "./testdata/fixture.js";
import { assertGolden } from "./testdata/golden.js";

function parse(s: string): Sarif.Log {
  return JSON.parse(s) as Sarif.Log;
}

/** GitHub code scanning's documented constraints, checked one by one. */
function githubProblems(log: Sarif.Log, limits: SarifLimits = githubLimits): string[] {
  const problems: string[] = [];
  if (log.version !== "2.1.0") problems.push("version");
  if (!log.$schema) problems.push("$schema");
  if (log.runs.length > limits.maxRuns) problems.push("runs");
  for (const run of log.runs) {
    const rules = run.tool.driver.rules ?? [];
    const results = run.results ?? [];
    if (results.length > limits.maxResultsPerRun) problems.push("results per run");
    if (rules.length > limits.maxRulesPerRun) problems.push("rules per run");
    if (!run.automationDetails?.id?.endsWith("/")) problems.push("automationDetails.id must end with /");
    const ids = new Set<string>();
    for (const r of rules) {
      if (ids.has(r.id)) problems.push(`duplicate rule ${r.id}`);
      ids.add(r.id);
      const s = r.properties?.["security-severity"] as unknown;
      if (typeof s !== "string" || !/^\d+(\.\d+)?$/.test(s) || Number(s) < 0 || Number(s) > 10) problems.push(`rule ${r.id}: security-severity ${JSON.stringify(s)}`);
      const tags = r.properties?.tags ?? [];
      if (tags.length > limits.maxTagsPerRule) problems.push(`rule ${r.id}: tags`);
      if (!r.shortDescription?.text || !r.fullDescription?.text || !r.help?.text || !r.help.markdown) problems.push(`rule ${r.id}: descriptions`);
    }
    for (const res of results) {
      if (!res.ruleId || !ids.has(res.ruleId)) problems.push(`result rule ${res.ruleId}`);
      if (res.ruleIndex !== undefined && rules[res.ruleIndex]?.id !== res.ruleId) problems.push(`result ruleIndex ${res.ruleIndex}`);
      if (!res.partialFingerprints?.[FINGERPRINT_KEY] || !/^[0-9a-f]{64}$/.test(res.partialFingerprints[FINGERPRINT_KEY])) problems.push(`result ${res.ruleId}: partialFingerprints`);
      if (!res.message.text) problems.push("message");
      if (!res.level || !["error", "warning", "note"].includes(res.level)) problems.push("level");
      const locs = res.locations ?? [];
      if (locs.length === 0 || locs.length > limits.maxLocationsPerResult) problems.push(`result ${res.ruleId}: locations`);
      for (const l of locs) {
        const uri = l.physicalLocation?.artifactLocation?.uri ?? "";
        if (uri === "" || uri.startsWith("/")) problems.push(`result ${res.ruleId}: uri ${uri}`);
        if (l.physicalLocation?.region?.startLine !== 1) problems.push("region");
      }
    }
  }
  return problems;
}

/** A small, valid slice of a big log: the schema validator is too slow for 25,000 results. */
function sample(log: Sarif.Log, n: number): Sarif.Log {
  const run = log.runs[0]!;
  const results = (run.results ?? []).slice(0, n);
  const rules = run.tool.driver.rules ?? [];
  const keep = [...new Set(results.map((r) => r.ruleIndex!))].sort((a, b) => a - b);
  const index = new Map(keep.map((old, i) => [old, i]));
  return {
    ...log,
    runs: [{ ...run, tool: { driver: { ...run.tool.driver, rules: keep.map((i) => rules[i]!) } }, results: results.map((r) => ({ ...r, ruleIndex: index.get(r.ruleIndex!)! })) }],
  };
}

const results = (log: Sarif.Log) => log.runs[0]!.results ?? [];
const rules = (log: Sarif.Log) => log.runs[0]!.tool.driver.rules ?? [];
const notes = (log: Sarif.Log) => log.runs[0]!.invocations?.[0]?.toolExecutionNotifications ?? [];

test("sarif: golden", () => {
  assertGolden("sarif", render(fixtureDocument, {}));
});

test("sarif: valid against the SARIF 2.1.0 schema and GitHub's constraints", () => {
  for (const opts of [{}, { showSuppressed: true }]) {
    const log = parse(render(fixtureDocument, opts));
    assert.deepEqual(validateSarif(log), []);
    assert.deepEqual(githubProblems(log), []);
  }
});

test("sarif: tool, version, schema, category and time", () => {
  const log = parse(render(fixtureDocument, {}));
  assert.equal(log.version, "2.1.0");
  assert.match(log.$schema!, /sarif-schema-2\.1\.0\.json$/);
  assert.equal(log.runs.length, 1);
  const driver = log.runs[0]!.tool.driver;
  assert.equal(driver.name, "Berth");
  assert.equal(driver.semanticVersion, "0.1.0");
  assert.equal(driver.informationUri, "https://berth.dev");
  assert.equal(log.runs[0]!.automationDetails!.id, "berth/image/shop-api/");
  assert.equal(log.runs[0]!.invocations![0]!.endTimeUtc, "2026-11-22T12:00:00.000Z");
  const { category: _c, ...noCategory } = fixtureDocument;
  assert.equal(parse(render(noCategory, {})).runs[0]!.automationDetails!.id, "berth/dir:/work/web+registry.example.com/shop/api/");
});

test("sarif: one rule per vulnerability id with severity score, tags and help", () => {
  const log = parse(render(fixtureDocument, {}));
  const byId = new Map(rules(log).map((r) => [r.id, r]));
  assert.deepEqual([...byId.keys()], [...byId.keys()].sort());
  assert.equal(byId.size, new Set(results(log).map((r) => r.ruleId)).size);
  // From CVSS when the finding has it, else the label's fixed score.
  assert.equal(byId.get("CVE-2019-5485")!.properties!["security-severity"], "10.0");
  assert.equal(byId.get("CVE-2023-43804")!.properties!["security-severity"], "8.1");
  assert.equal(byId.get("CVE-2023-38545")!.properties!["security-severity"], "8.0");
  assert.equal(byId.get("CVE-2023-5363")!.properties!["security-severity"], "5.5");
  assert.deepEqual(byId.get("CVE-2023-38545")!.properties!.tags, ["security", "vulnerability", "high"]);
  assert.deepEqual(byId.get("CVE-2023-4911")!.properties!.tags, ["security", "vulnerability", "medium", "known-exploited"]);
  const help = byId.get("CVE-2023-5363")!.help!;
  assert.match(help.text!, /https:\/\/security-tracker\.debian\.org\/tracker\/CVE-2023-5363/);
  assert.match(help.text!, /libssl3 3\.0\.9-1 in registry\.example\.com\/shop\/api:1\.4\.2: fixed in 3\.0\.11-1~deb12u2/);
  assert.match(help.text!, /Remediation: upgrade openssl to 3\.0\.11-1~deb12u2/);
  assert.ok(help.markdown!.includes("| libssl3 | 3.0.9-1 | 3.0.11-1\\~deb12u2 | registry.example.com/shop/api:1.4.2 |"));
  assert.ok(help.markdown!.includes("**Remediation:** upgrade openssl to 3.0.11-1\\~deb12u2"));
});

test("sarif: one result per listed finding, located at the Dockerfile or the package's file", () => {
  const log = parse(render(fixtureDocument, {}));
  assert.equal(results(log).length, 13);
  const uri = (id: string, target: string) =>
    results(log).find((r) => r.ruleId === id && (r.properties as { target: string }).target === target)!.locations![0]!.physicalLocation!.artifactLocation!.uri;
  assert.equal(uri("CVE-2023-5363", imageTarget.name), "Dockerfile");
  assert.equal(uri("CVE-2019-5485", directoryTarget.name), "package-lock.json");
  const { artifactPath: _a, ...noArtifact } = imageTarget;
  const plain = parse(render({ ...fixtureDocument, targets: [noArtifact] }, {}));
  const uris = new Set(results(plain).map((r) => r.locations![0]!.physicalLocation!.artifactLocation!.uri));
  assert.deepEqual([...uris].sort(), ["app/.venv/lib/python3.11/site-packages/requests-2.28.1.dist-info/METADATA", "app/.venv/lib/python3.11/site-packages/urllib3-1.26.16.dist-info/METADATA", "var/lib/dpkg/status"]);
  const gitlabhook = results(log).find((r) => r.ruleId === "CVE-2019-5485")!;
  assert.equal(gitlabhook.level, "error");
  assert.match(gitlabhook.message.text!, /gitlabhook 0\.0\.17 in dir:\/work\/web .*No fixed version/);
  const libssl = results(log).find((r) => r.ruleId === "CVE-2023-5363")!;
  assert.equal(libssl.level, "warning");
  assert.match(libssl.message.text!, /libssl3 3\.0\.9-1 in registry\.example\.com\/shop\/api:1\.4\.2 is affected by CVE-2023-5363 .*Fixed in 3\.0\.11-1~deb12u2/);
  // Most severe first.
  assert.equal(results(log)[0]!.ruleId, "CVE-2019-5485");
});

test("sarif: fingerprints survive a new tag and a package upgrade, and differ between findings", () => {
  const a = parse(render(fixtureDocument, {}));
  const fps = results(a).map((r) => r.partialFingerprints![FINGERPRINT_KEY]);
  assert.equal(new Set(fps).size, fps.length);
  const retagged: ReportDocument = {
    ...fixtureDocument,
    targets: [
      {
        ...imageTarget,
        name: "registry.example.com/shop/api:1.4.3",
        image: { ...imageTarget.image!, reference: "registry.example.com/shop/api:1.4.3", tags: ["1.4.3"], manifestDigest: `sha256:${"1".repeat(64)}` },
        findings: imageTarget.findings.map((f) => ({ ...f, installedVersion: `${f.installedVersion}+rebuild`, package: { ...f.package, version: "x", purl: f.package.purl.replace(/@[^?]*/, "@9.9.9") } })),
      },
      directoryTarget,
    ],
  };
  const b = parse(render(retagged, {}));
  const key = (r: Sarif.Result) => `${r.ruleId} ${(r.properties as { purl: string }).purl.replace(/@[^?]*/, "")}`;
  const before = new Map(results(a).map((r) => [key(r), r.partialFingerprints![FINGERPRINT_KEY]]));
  for (const r of results(b)) assert.equal(r.partialFingerprints![FINGERPRINT_KEY], before.get(key(r)), key(r));
});

test("sarif: suppressed findings are left out unless asked for, then marked as suppressed", () => {
  const hidden = parse(render(fixtureDocument, {}));
  assert.ok(!results(hidden).some((r) => r.ruleId === "CVE-2020-8203"));
  assert.ok(!rules(hidden).some((r) => r.id === "CVE-2020-8203"));
  assert.equal(results(hidden).filter((r) => r.ruleId === "CVE-2023-38546").length, 1);
  const shown = parse(render(fixtureDocument, { showSuppressed: true }));
  assert.equal(results(shown).length, 15);
  const vex = results(shown).find((r) => r.ruleId === "CVE-2023-38546" && r.suppressions)!;
  assert.deepEqual(vex.suppressions, [{ kind: "external", status: "accepted", justification: "vex: vulnerable_code_not_in_execute_path: the service never loads cookies from a file (vex/shop-api.openvex.json)" }]);
  assert.equal(results(shown).find((r) => r.ruleId === "CVE-2020-8203")!.suppressions![0]!.kind, "external");
});

test("sarif: undecided comparisons become tool execution notifications", () => {
  const n = notes(parse(render(fixtureDocument, {})));
  assert.equal(n.length, 1);
  assert.equal(n[0]!.descriptor!.id, "berth/undecided");
  assert.match(n[0]!.message.text!, /certifi custom-build is affected by PYSEC-2023-135: pep440: cannot parse version "custom-build"/);
});

test("sarif: same document, same bytes", () => {
  assert.equal(render(fixtureDocument, { showSuppressed: true }), render(fixtureDocument, { showSuppressed: true }));
});

test("sarif: 26,000 findings are cut to GitHub's 25,000 results, most severe kept, with a notification", () => {
  const doc = manyFindingsDocument(26_000);
  const text = render(doc, {});
  const log = parse(text);
  assert.equal(results(log).length, 25_000);
  assert.equal(rules(log).length, 25_000);
  assert.deepEqual(githubProblems(log), []);
  const count = (level: string) => results(log).filter((r) => (r.properties as { severity: string }).severity === level).length;
  assert.deepEqual([count("critical"), count("high"), count("medium"), count("low")], [6_500, 6_500, 6_500, 5_500]);
  const n = notes(log).find((x) => x.descriptor?.id === "berth/limit")!;
  assert.equal(n.level, "warning");
  assert.match(n.message.text!, /1,000 of 26,000 findings were left out: GitHub code scanning accepts at most 25,000 results per run/);
  assert.ok(gzipSync(text).length <= githubLimits.maxGzipBytes);
  assert.deepEqual(validateSarif(sample(log, 50)), []);
});

test("sarif: rule and compressed-size limits are enforced the same way", () => {
  const doc = manyFindingsDocument(40);
  const fewRules = parse(renderWithLimits(doc, {}, { ...githubLimits, maxRulesPerRun: 3 }));
  assert.equal(rules(fewRules).length, 3);
  assert.equal(results(fewRules).length, 3);
  assert.deepEqual(githubProblems(fewRules, { ...githubLimits, maxRulesPerRun: 3 }), []);
  assert.match(notes(fewRules)[0]!.message.text!, /37 of 40 findings were left out: GitHub code scanning accepts at most 3 rules per run/);

  const small = { ...githubLimits, maxGzipBytes: 6_000 };
  const text = renderWithLimits(doc, {}, small);
  assert.ok(gzipSync(text).length <= small.maxGzipBytes, `${gzipSync(text).length}`);
  const cut = parse(text);
  assert.ok(results(cut).length > 0 && results(cut).length < 40);
  assert.match(notes(cut)[0]!.message.text!, /findings were left out: GitHub code scanning accepts a gzip-compressed file of at most/);
  assert.deepEqual(validateSarif(cut), []);
});
