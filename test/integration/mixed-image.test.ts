// The mixed real image (Debian 12 + Python app from Debian's python3-requests and friends + the
// npm-installed Node app + Debian's Go docker-registry binary + a Debian jar + a Debian gem, one
// layer each): every package once, with its layer and path, equal to each ecosystem's own tool; both
// SBOM formats schema-valid; and the scan finds the npm advisories with the right fixed versions.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import semver from "semver";
import { mixedImage, PYTHON_DEBS } from "../support/mixed-image.js";
import { debianPackage } from "../support/debian-debs.js";
import { runCli } from "../support/cli.js";
import { validateCycloneDx, validateSpdx } from "../support/schemas.js";
import { realAdvisoryDb } from "../support/vulndata.js";

const repo = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const nodeApp = join(repo, "src/catalog/lang/javascript/testdata/project");
const img = mixedImage(nodeApp);
const target = `oci:${img.ociDir}:${img.ociRef}`;

interface Pkg {
  type: string;
  name: string;
  version: string;
  purl: string;
  locations: { path: string; layerDigest?: string }[];
}
let packages: Pkg[] = [];
let layers: { diffId: string; createdBy?: string }[] = [];

before(async () => {
  const r = await runCli(["sbom", "-q", "--no-cache", "-f", "json", target]);
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  packages = doc.packages;
  layers = doc.subject.image.layers;
});

const of = (type: string) => packages.filter((p) => p.type === type);
const layerOf = (p: Pkg) => layers.find((l) => l.diffId === p.locations[0]?.layerDigest)?.createdBy ?? "";

test("every package appears once", () => {
  const purls = packages.map((p) => p.purl);
  assert.equal(new Set(purls).size, purls.length);
  for (const t of ["deb", "npm", "pypi", "golang", "maven", "gem"]) assert.ok(of(t).length > 0, t);
});

test("npm: the installed tree equals npm ls --all --json, located in the app's layer", () => {
  const ls = JSON.parse(readFileSync(join(nodeApp, "npm-ls.json"), "utf8"));
  const want = new Set<string>();
  const walk = (deps: Record<string, { version: string; dependencies?: Record<string, unknown> }> | undefined) => {
    for (const [name, d] of Object.entries(deps ?? {})) {
      want.add(`${name}@${d.version}`);
      walk(d.dependencies as never);
    }
  };
  walk(ls.dependencies);
  assert.deepEqual(new Set(of("npm").map((p) => `${p.name}@${p.version}`)), want);
  for (const p of of("npm")) {
    assert.ok(p.locations.some((l) => l.path.startsWith("/app/node_modules/")), p.purl);
    assert.match(layerOf(p), /COPY app/);
  }
});

test("Python: equals importlib.metadata over the same dist-packages, located in the Python layer", () => {
  const dist = join(img.rootfs, "usr/lib/python3/dist-packages");
  const truth = execFileSync("python3", ["-c", "import importlib.metadata as m,sys\nfor d in m.distributions(path=[sys.argv[1]]): print(d.metadata['Name'].lower().replace('_','-')+'@'+d.version)", dist]).toString().trim().split("\n");
  assert.equal(truth.length, PYTHON_DEBS.length);
  assert.deepEqual(new Set(of("pypi").map((p) => `${p.name.toLowerCase().replace(/_/g, "-")}@${p.version}`)), new Set(truth));
  for (const p of of("pypi")) assert.match(layerOf(p), /python3-requests/);
});

test("Go: the binary's toolchain as stdlib, as go version -m reports it", () => {
  const bin = join(debianPackage("docker-registry").root, "usr/bin/docker-registry");
  const goVersion = execFileSync("go", ["version", "-m", bin]).toString().split("\n")[0]!.split(": ")[1]!.trim();
  const stdlib = of("golang").find((p) => p.name === "stdlib");
  assert.equal(stdlib?.version, `v${goVersion.replace(/^go/, "")}`);
  assert.equal(stdlib?.locations[0]?.path, "/usr/bin/docker-registry");
  assert.match(layerOf(stdlib!), /docker-registry/);
});

test("Java: the jar's pom.properties, as unzip reads it", () => {
  const lib = join(img.rootfs, "opt/app/lib");
  for (const jar of readdirSync(lib).filter((f) => f.endsWith(".jar"))) {
    const props = execFileSync("unzip", ["-p", join(lib, jar), "META-INF/maven/*/*/pom.properties"]).toString();
    const artifact = /artifactId=(.+)/.exec(props)![1]!.trim();
    const version = /version=(.+)/.exec(props)![1]!.trim();
    const group = /groupId=(.+)/.exec(props)![1]!.trim();
    const p = of("maven").find((x) => x.name === artifact);
    assert.equal(p?.version, version);
    assert.ok(p?.purl.startsWith(`pkg:maven/${group}/${artifact}@${version}`), p?.purl);
  }
});

test("Ruby: the gemspec, as Gem::Specification.load reads it", () => {
  const dir = join(img.rootfs, "usr/share/rubygems-integration/all/specifications");
  for (const f of readdirSync(dir).filter((x) => x.endsWith(".gemspec"))) {
    const [name, version] = execFileSync("ruby", ["-e", "s = Gem::Specification.load(ARGV[0]); puts s.name; puts s.version", join(dir, f)]).toString().trim().split("\n");
    assert.ok(of("gem").some((p) => p.name === name && p.version === version), `${name}@${version}`);
  }
});

test("CycloneDX and SPDX outputs of the mixed image are schema-valid, with dependency edges", async () => {
  const cdx = await runCli(["sbom", "-q", "-f", "cyclonedx", target]);
  const bom = JSON.parse(cdx.stdout);
  assert.deepEqual(validateCycloneDx(bom), []);
  const express = bom.components.find((c: { name: string; purl?: string }) => c.name === "express");
  const edges = bom.dependencies.find((d: { ref: string }) => d.ref === express["bom-ref"]);
  assert.ok(edges?.dependsOn?.length > 10, "express has its dependencies");
  const spdx = await runCli(["sbom", "-q", "-f", "spdx", target]);
  const doc = JSON.parse(spdx.stdout);
  assert.deepEqual(validateSpdx(doc), []);
  assert.ok(doc.relationships.some((r: { relationshipType: string }) => r.relationshipType === "DEPENDS_ON"));
});

test("scan: npm advisories match with the right fixed versions; no fix at or below what is installed", async () => {
  const { cacheDir } = await realAdvisoryDb();
  const r = await runCli(["scan", "image", "-q", "--offline", "--no-cache", "-f", "json", target], { BERTH_CACHE_DIR: cacheDir });
  assert.equal(r.code, 0, r.stderr);
  const findings = JSON.parse(r.stdout).targets[0].findings as { id: string; package: { name: string; type: string }; installedVersion: string; fixedVersions: string[] }[];
  const lodash = findings.find((f) => f.package.name === "lodash" && f.id === "CVE-2020-28500");
  assert.deepEqual(lodash?.fixedVersions, ["4.17.21"]);
  for (const f of findings.filter((x) => x.package.type === "npm")) {
    for (const v of f.fixedVersions) assert.ok(semver.gt(v, f.installedVersion), `${f.id} ${f.package.name}: ${v} <= ${f.installedVersion}`);
  }
});
