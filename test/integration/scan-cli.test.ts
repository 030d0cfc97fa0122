// berth scan as CI runs it: formats validated against the official schemas (SARIF 2.1.0 and GitHub's
// upload rules, CycloneDX 1.6, OpenVEX), VEX and ignore-file suppression, exit codes, and the
// re-match of a stored SBOM. The image holds real package records (Debian 12 curl, a pinned PyPI
// requirement) and the database the real advisories committed in src/vulndb/testdata.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { tarBytes, writeLayout } from "../support/oci-builder.js";
import { runCli } from "../support/cli.js";
import { validateCycloneDx, validateOpenVex, validateSarif } from "../support/schemas.js";
import { writeMirror } from "../../src/vulndb/testutil/mirror.js";
import { updateDb } from "../../src/vulndb/index.js";

const work = mkdtempSync(join(tmpdir(), "berth-scan-cli-"));
const cacheDir = join(work, "cache");
const layout = join(work, "image");
const env = { BERTH_CACHE_DIR: cacheDir, SOURCE_DATE_EPOCH: "1763769600" };
const target = `oci:${layout}:latest`;
const STATUS = `Package: libcurl4
Status: install ok installed
Architecture: amd64
Source: curl
Version: 7.88.1-6
Description: easy-to-use client-side URL transfer library

Package: curl
Status: install ok installed
Architecture: amd64
Version: 7.88.1-6
Description: command line tool for transferring data with URL syntax

`;

before(async () => {
  writeMirror(join(work, "mirror"));
  await updateDb({ cacheDir, source: join(work, "mirror") });
  writeLayout(layout, [
    { tar: await tarBytes([{ name: "etc/os-release", data: 'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n' }, { name: "var/lib/dpkg/status", data: STATUS }]) },
    { tar: await tarBytes([{ name: "srv/app/requirements.txt", data: "apache-airflow==1.10.10\napache-atlas==0.8.0  # PYSEC-2017-105: high (CVSS 7.5), no fix\n" }]) },
  ]);
});

async function scan(args: string[], extraEnv: Record<string, string> = {}) {
  return runCli(["scan", "image", "-q", "--offline", "--no-cache", ...args, target], { ...env, ...extraEnv });
}

test("table: findings for curl (via its source package) and the pinned PyPI requirement", async () => {
  const r = await scan([]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /libcurl4\s+CVE-2023-27534/);
  assert.match(r.stdout, /apache-airflow\s+CVE-2020-11978/);
  assert.match(r.stdout, /apache-atlas\s+CVE-2016-8752/);
  assert.match(r.stdout, /Total: 4/);
});

test("SARIF validates against SARIF 2.1.0 and follows GitHub's upload rules", async () => {
  const r = await scan(["-f", "sarif", "--artifact-path", "Dockerfile"]);
  assert.equal(r.code, 0, r.stderr);
  const log = JSON.parse(r.stdout);
  assert.deepEqual(validateSarif(log), []);
  const run = log.runs[0];
  const rules = new Set(run.tool.driver.rules.map((x: { id: string }) => x.id));
  assert.equal(run.results.length, 4);
  for (const res of run.results) {
    assert.ok(rules.has(res.ruleId), res.ruleId);
    assert.ok(res.partialFingerprints && Object.keys(res.partialFingerprints).length > 0);
    assert.equal(res.locations[0].physicalLocation.artifactLocation.uri, "Dockerfile");
  }
  for (const rule of run.tool.driver.rules) {
    const s = rule.properties["security-severity"];
    assert.equal(typeof s, "string");
    assert.ok(Number(s) >= 0 && Number(s) <= 10, s);
  }
  assert.match(run.automationDetails.id, /\/$/);
  // Stable across runs: same fingerprints.
  const again = JSON.parse((await scan(["-f", "sarif", "--artifact-path", "Dockerfile"])).stdout);
  assert.deepEqual(again.runs[0].results.map((x: { partialFingerprints: unknown }) => x.partialFingerprints), run.results.map((x: { partialFingerprints: unknown }) => x.partialFingerprints));
});

test("CycloneDX VEX and OpenVEX outputs validate against their schemas", async () => {
  const cdx = await scan(["-f", "cyclonedx"]);
  assert.equal(cdx.code, 0, cdx.stderr);
  const bom = JSON.parse(cdx.stdout);
  assert.deepEqual(validateCycloneDx(bom), []);
  assert.ok(bom.vulnerabilities.some((v: { id: string }) => v.id === "CVE-2023-27534"));
  const vex = await scan(["-f", "openvex"]);
  assert.equal(vex.code, 0, vex.stderr);
  assert.deepEqual(validateOpenVex(JSON.parse(vex.stdout)), []);
});

test("a VEX not_affected statement removes exactly its finding", async () => {
  const file = join(work, "vex.json");
  writeFileSync(
    file,
    JSON.stringify({
      "@context": "https://openvex.dev/ns/v0.2.0",
      "@id": "https://example.com/vex/1",
      author: "Security team",
      timestamp: "2026-11-01T00:00:00Z",
      version: 1,
      statements: [{ vulnerability: { name: "CVE-2023-27534" }, products: [{ "@id": "pkg:deb/debian/libcurl4" }], status: "not_affected", justification: "vulnerable_code_not_in_execute_path" }],
    }),
  );
  const r = await scan(["-f", "json", "--vex", file]);
  assert.equal(r.code, 0, r.stderr);
  const findings = JSON.parse(r.stdout).targets[0].findings as { id: string; package: { name: string }; suppressed?: { by: string } }[];
  const live = findings.filter((f) => !f.suppressed).map((f) => `${f.id}/${f.package.name}`).sort();
  assert.deepEqual(live, ["CVE-2016-8752/apache-atlas", "CVE-2020-11978/apache-airflow", "CVE-2023-27534/curl"]);
  assert.equal(findings.find((f) => f.package.name === "libcurl4")?.suppressed?.by, "vex");
});

test("an ignore-file entry removes exactly its finding; an expired one does not, and is reported", async () => {
  const file = join(work, "berthignore.yaml");
  writeFileSync(file, "ignore:\n  - id: GHSA-rvmq-4x66-q7j3\n    reason: airflow is not deployed\n  - id: CVE-2023-27534\n    package: curl\n    expires: 2020-01-01\n    reason: old exception\n");
  const r = await scan(["-f", "json", "--ignorefile", file, "--fail-on", "low"]);
  const findings = JSON.parse(r.stdout).targets[0].findings as { id: string; package: { name: string }; suppressed?: { by: string } }[];
  assert.deepEqual(findings.filter((f) => !f.suppressed).map((f) => `${f.id}/${f.package.name}`).sort(), ["CVE-2016-8752/apache-atlas", "CVE-2023-27534/curl", "CVE-2023-27534/libcurl4"]);
  assert.match(r.stderr, /expired on 2020-01-01/);
});

test("exit codes: 0 when the policy holds, the chosen code when it fails, 2 for input errors", async () => {
  // The Debian curl records carry no severity ("unknown"): --fail-on high holds.
  assert.equal((await scan(["--fail-on", "critical"])).code, 0);
  // Trivy semantics: --exit-code alone fails when anything is reported.
  assert.equal((await scan(["--exit-code", "7"])).code, 7);
  assert.equal((await scan(["--exit-code", "7", "--severity", "critical"])).code, 0);
  // apache-atlas (PYSEC-2017-105) is rated high by its CVSS vector and has no fix.
  assert.equal((await scan(["--fail-on", "high"])).code, 1);
  assert.equal((await scan(["--fail-on", "high", "--exit-code", "4"])).code, 4);
  assert.equal((await scan(["--fail-on", "high", "--ignore-unfixed"])).code, 0);
  assert.equal((await scan(["--exit-code", "5", "--severity", "high"])).code, 5);
  // Input errors.
  assert.equal((await scan(["--fail-on", "severe"])).code, 2);
  assert.equal((await runCli(["scan", "image", "-q", "--offline", "oci:/nonexistent"], env)).code, 2);
  const noDb = await runCli(["scan", "image", "-q", "--offline", target], { BERTH_CACHE_DIR: join(work, "empty-cache") });
  assert.equal(noDb.code, 2);
  assert.match(noDb.stderr, /no vulnerability database/);
});

test("scan sbom re-matches a stored SBOM to the same findings, without the image", async () => {
  const sbomFile = join(work, "sbom.cdx.json");
  const s = await runCli(["sbom", "-q", "--no-cache", "-o", sbomFile, target], env);
  assert.equal(s.code, 0, s.stderr);
  const fromImage = JSON.parse((await scan(["-f", "json"])).stdout).targets[0].findings.map((f: { id: string; package: { purl: string } }) => `${f.id} ${f.package.purl}`).sort();
  const r = await runCli(["scan", "sbom", "-q", "--offline", "-f", "json", sbomFile], env);
  assert.equal(r.code, 0, r.stderr);
  const fromSbom = JSON.parse(r.stdout).targets[0].findings.map((f: { id: string; package: { purl: string } }) => `${f.id} ${f.package.purl}`).sort();
  assert.deepEqual(fromSbom, fromImage);
  const spdxFile = join(work, "sbom.spdx.json");
  await runCli(["sbom", "-q", "--no-cache", "-f", "spdx", "-o", spdxFile, target], env);
  const r2 = await runCli(["scan", "sbom", "-q", "--offline", "-f", "json", spdxFile], env);
  assert.deepEqual(JSON.parse(r2.stdout).targets[0].findings.map((f: { id: string; package: { purl: string } }) => `${f.id} ${f.package.purl}`).sort(), fromImage);
});
