import { test } from "node:test";
import assert from "node:assert/strict";
import { validateCycloneDx } from "../../test/support/schemas.js";
import { renderCycloneDx } from "../sbom/cyclonedx.js";
import { render } from "./cyclonedx-vex.js";
import { fixtureDocument, imageOnlyDocument, imageTarget } from "./testdata/fixture.js";
import { assertGolden } from "./testdata/golden.js";

interface Component {
  "bom-ref": string;
  purl?: string;
  components?: Component[];
}
interface Vulnerability {
  "bom-ref": string;
  id: string;
  source?: { name?: string; url?: string };
  references?: { id: string; source: { name?: string; url?: string } }[];
  ratings?: { score?: number; severity?: string; method?: string; vector?: string }[];
  description?: string;
  recommendation?: string;
  advisories?: { url: string }[];
  published?: string;
  updated?: string;
  analysis?: { state?: string; justification?: string; detail?: string; response?: string[] };
  affects?: { ref: string; versions?: { version: string; status: string }[] }[];
  properties?: { name: string; value: string }[];
}
interface Bom {
  serialNumber: string;
  specVersion: string;
  metadata: { component?: Component; timestamp: string };
  components?: Component[];
  dependencies?: unknown[];
  vulnerabilities?: Vulnerability[];
}

const parse = (s: string) => JSON.parse(s) as Bom;

function refs(bom: Bom): string[] {
  const out: string[] = [];
  const walk = (c: Component) => {
    out.push(c["bom-ref"]);
    (c.components ?? []).forEach(walk);
  };
  if (bom.metadata.component) walk(bom.metadata.component);
  (bom.components ?? []).forEach(walk);
  return out;
}

const vulns = (bom: Bom, id: string) => (bom.vulnerabilities ?? []).filter((v) => v.id === id);

test("cyclonedx: golden", () => {
  assertGolden("cyclonedx", render(fixtureDocument, {}));
});

test("cyclonedx: valid CycloneDX 1.6, for one target and for several", () => {
  for (const doc of [fixtureDocument, imageOnlyDocument]) {
    const bom = parse(render(doc, {}));
    assert.equal(bom.specVersion, "1.6");
    assert.deepEqual(validateCycloneDx(bom), []);
  }
});

test("cyclonedx: components are the SBOM's, with its bom-refs and dependencies", () => {
  const sbom = parse(
    renderCycloneDx({ subject: { kind: "image", image: imageTarget.image! }, distro: imageTarget.distro!, packages: imageTarget.packages, unknowns: [], timestamp: fixtureDocument.timestamp, tool: fixtureDocument.tool }),
  );
  const vex = parse(render(imageOnlyDocument, {}));
  assert.deepEqual(vex.metadata.component, sbom.metadata.component);
  assert.deepEqual(vex.components, sbom.components);
  assert.deepEqual(vex.dependencies, sbom.dependencies);
  assert.notEqual(vex.serialNumber, sbom.serialNumber, "a VEX BOM is another document than the SBOM");
});

test("cyclonedx: bom-refs are unique and every affect points at a component", () => {
  for (const doc of [fixtureDocument, imageOnlyDocument]) {
    const bom = parse(render(doc, {}));
    const all = refs(bom);
    const vref = (bom.vulnerabilities ?? []).map((v) => v["bom-ref"]);
    assert.equal(new Set([...all, ...vref]).size, all.length + vref.length);
    for (const v of bom.vulnerabilities ?? []) for (const a of v.affects ?? []) assert.ok(all.includes(a.ref), `${v.id} → ${a.ref}`);
  }
});

test("cyclonedx: a vulnerability carries source, references, ratings, text, advisories, dates and affects", () => {
  const bom = parse(render(fixtureDocument, {}));
  const [v] = vulns(bom, "CVE-2023-43804");
  assert.deepEqual(v!.source, { name: "PyPA Advisory Database", url: "https://osv.dev/vulnerability/PYSEC-2023-192" });
  assert.deepEqual(
    v!.references!.map((r) => [r.id, r.source.url]),
    [
      ["GHSA-v845-jxx5-vc9f", "https://github.com/advisories/GHSA-v845-jxx5-vc9f"],
      ["PYSEC-2023-192", "https://osv.dev/vulnerability/PYSEC-2023-192"],
    ],
  );
  assert.deepEqual(v!.ratings, [{ source: { name: "PyPA Advisory Database" }, score: 8.1, severity: "high", method: "CVSSv31", vector: "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:N" }]);
  assert.match(v!.description!, /^urllib3 is a user-friendly HTTP client library/);
  assert.equal(v!.recommendation, "upgrade urllib3 to 1.26.17");
  assert.deepEqual(v!.advisories, [{ url: "https://github.com/urllib3/urllib3/security/advisories/GHSA-v845-jxx5-vc9f" }]);
  assert.equal(v!.published, "2023-10-04T17:15:00.000Z");
  assert.deepEqual(v!.affects, [
    {
      ref: "pkg:pypi/urllib3@1.26.16",
      versions: [
        { version: "1.26.16", status: "affected" },
        { version: "1.26.17", status: "unaffected" },
      ],
    },
  ]);
  // A CVSS 3.0 vector and a distribution's own rating.
  assert.equal(vulns(bom, "CVE-2018-16487")[0]!.ratings![0]!.method, "CVSSv3");
  assert.deepEqual(vulns(bom, "CVE-2023-5363")[0]!.ratings, [{ source: { name: "Debian Security Tracker" }, severity: "medium", method: "other" }]);
  assert.deepEqual(vulns(bom, "CVE-2023-5363")[0]!.affects!.map((a) => a.ref), [imageTarget.packages.find((p) => p.name === "libssl3")!.purl, imageTarget.packages.find((p) => p.name === "openssl")!.purl].sort());
  assert.deepEqual(vulns(bom, "CVE-2023-4911")[0]!.properties, [{ name: "berth:kev", value: "true" }]);
});

test("cyclonedx: suppressed findings carry an analysis; the rest of the same vulnerability does not", () => {
  const bom = parse(render(fixtureDocument, {}));
  const curl = vulns(bom, "CVE-2023-38546");
  assert.equal(curl.length, 2);
  const plain = curl.find((v) => !v.analysis)!;
  const vex = curl.find((v) => v.analysis)!;
  assert.deepEqual(plain.affects!.map((a) => [a.ref.split("@")[0], a.versions![0]!.status]), [["pkg:deb/debian/curl", "affected"]]);
  assert.deepEqual(vex.analysis, {
    state: "not_affected",
    justification: "code_not_reachable",
    detail: "vulnerable_code_not_in_execute_path: the service never loads cookies from a file (VEX: vex/shop-api.openvex.json)",
  });
  assert.deepEqual(vex.affects!.map((a) => [a.ref.split("@")[0], a.versions![0]!.status]), [["pkg:deb/debian/libcurl4", "unaffected"]]);
  const [ignored] = vulns(bom, "CVE-2020-8203");
  assert.equal(ignored!.analysis!.state, "false_positive");
  assert.match(ignored!.analysis!.detail!, /ignore rule: \.berth\.yaml/);
});

test("cyclonedx: undecided comparisons are in triage with an unknown status", () => {
  const [u] = vulns(parse(render(fixtureDocument, {})), "PYSEC-2023-135");
  assert.equal(u!.analysis!.state, "in_triage");
  assert.match(u!.analysis!.detail!, /cannot parse version "custom-build"/);
  assert.deepEqual(u!.affects, [{ ref: "pkg:pypi/certifi@custom-build", versions: [{ version: "custom-build", status: "unknown" }] }]);
});

test("cyclonedx: several targets each keep their own components under their root", () => {
  const bom = parse(render(fixtureDocument, {}));
  assert.equal(bom.metadata.component, undefined);
  assert.deepEqual(bom.components!.map((c) => c["bom-ref"]).sort(), ["directory", imageTarget.image && "pkg:oci/api@sha256%3Ac5e10a410867b214bc9df5dc4ab2acff25c8eebf3ef0c9ea66cb8fecc865eb83?repository_url=registry.example.com/shop/api"].sort());
  const dir = bom.components!.find((c) => c["bom-ref"] === "directory")!;
  assert.deepEqual(dir.components!.map((c) => c.purl).sort(), ["pkg:npm/express@4.18.2", "pkg:npm/gitlabhook@0.0.17", "pkg:npm/lodash@4.17.4"]);
  // The same package in two targets gets two distinct bom-refs.
  const twice = parse(render({ ...fixtureDocument, targets: [imageTarget, { ...imageTarget, name: "registry.example.com/shop/api:1.4.1", image: { ...imageTarget.image!, manifestDigest: `sha256:${"2".repeat(64)}` } }] }, {}));
  assert.deepEqual(validateCycloneDx(twice), []);
  assert.equal(new Set(refs(twice)).size, refs(twice).length);
  assert.ok(refs(twice).some((r) => r.endsWith("#target-2")));
  const affected = (twice.vulnerabilities ?? []).filter((v) => v.id === "CVE-2023-5363").flatMap((v) => v.affects!.map((a) => a.ref));
  assert.equal(affected.length, 4);
  for (const r of affected) assert.ok(refs(twice).includes(r), r);
});

test("cyclonedx: same document, same bytes", () => {
  assert.equal(render(fixtureDocument, {}), render(fixtureDocument, {}));
  assert.equal(render(imageOnlyDocument, {}), render(imageOnlyDocument, {}));
});
