// The matcher on real advisories (src/vulndb/testdata/osv: Debian DEBIAN-CVE/DSA, npm GHSA/NSWG,
// PyPI PYSEC records, imported into a real database): expected findings with the right fixed
// versions, and the cases that must not match.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { writeMirror, tempDir } from "../vulndb/testutil/mirror.js";
import { updateDb, openVulnDb, dbPath, type VulnDb } from "../vulndb/index.js";
import { matchPackages } from "./match.js";
import type { Package } from "../model/package.js";

let db: VulnDb;
const dir = tempDir("match");

before(async () => {
  writeMirror(`${dir.path}/mirror`);
  await updateDb({ cacheDir: `${dir.path}/cache`, source: `${dir.path}/mirror` });
  db = openVulnDb(dbPath(`${dir.path}/cache`));
});
after(() => {
  db.close();
  dir.remove();
});

function deb(name: string, version: string, source: string, files: string[] = []): Package {
  return { type: "deb", name, version, purl: `pkg:deb/debian/${name}@${version}`, sourceName: source, sourceVersion: version, licenses: [], locations: [{ path: "/var/lib/dpkg/status", layerDigest: "sha256:" + "1".repeat(64) }], foundBy: "dpkg-status", files };
}
function lang(type: Package["type"], name: string, version: string, path = "/app/package-lock.json"): Package {
  return { type, name, version, purl: `pkg:${type}/${name}@${version}`, licenses: [], locations: [{ path }], foundBy: "test", evidence: "lockfile" };
}
const debian12 = { id: "debian", versionId: "12" };
const debian11 = { id: "debian", versionId: "11" };

test("Debian 12: a binary package is matched through its source package (DEBIAN-CVE-2023-27534)", () => {
  const r = matchPackages({ packages: [deb("libcurl4", "7.88.1-6", "curl")], distro: debian12 }, db);
  assert.equal(r.findings.length, 1);
  const f = r.findings[0]!;
  assert.equal(f.id, "CVE-2023-27534");
  assert.deepEqual(f.advisories, ["DEBIAN-CVE-2023-27534"]);
  assert.deepEqual(f.fixedVersions, ["7.88.1-7"]);
  assert.equal(f.status, "fixed");
  assert.equal(f.package.sourceName, "curl");
  assert.equal(f.matchedBy.ecosystem, "Debian:12");
  assert.match(f.remediation, /upgrade curl to 7\.88\.1-7/);
  assert.equal(f.url, "https://security-tracker.debian.org/tracker/CVE-2023-27534");
});

test("Debian 12: the fixed version and later do not match", () => {
  for (const v of ["7.88.1-7", "7.88.1-10+deb12u8", "8.0.0-1"]) {
    assert.equal(matchPackages({ packages: [deb("libcurl4", v, "curl")], distro: debian12 }, db).findings.length, 0, v);
  }
});

test("Debian 11 DSA: one finding per upstream CVE, naming the DSA; never on another release", () => {
  const pkg = deb("xserver-xorg-core", "2:1.20.11-1+deb11u5", "xorg-server");
  const r = matchPackages({ packages: [pkg], distro: debian11 }, db);
  assert.deepEqual(r.findings.map((f) => [f.id, f.advisories.join(), f.fixedVersions.join()]), [["CVE-2023-1393", "DSA-5380-1", "2:1.20.11-1+deb11u6"]]);
  assert.equal(matchPackages({ packages: [pkg], distro: debian12 }, db).findings.length, 0);
});

test("npm lodash: two GHSA advisories, one finding each, by CVE with GHSA aliases", () => {
  const r = matchPackages({ packages: [lang("npm", "lodash", "4.17.19")] }, db);
  assert.deepEqual(r.findings.map((f) => [f.id, f.fixedVersions.join(), f.aliases.includes(f.advisories[0]!)]).sort(), [
    ["CVE-2020-28500", "4.17.21", true],
    ["CVE-2020-8203", "4.17.20", true],
  ]);
  assert.equal(matchPackages({ packages: [lang("npm", "lodash", "4.17.21")] }, db).findings.length, 0);
});

test("PyPI: PEP 503 names and aliases merged into one finding", () => {
  const r = matchPackages({ packages: [lang("pypi", "Apache_Airflow", "1.10.10")] }, db);
  assert.equal(r.findings.length, 1);
  const f = r.findings[0]!;
  assert.equal(f.id, "CVE-2020-11978");
  assert.ok(f.aliases.includes("PYSEC-2020-14") && f.aliases.includes("GHSA-rvmq-4x66-q7j3"), f.aliases.join());
  assert.deepEqual(f.fixedVersions, ["1.10.11rc1"]);
});

test("upstream advisories never fire on distro packages, and OS-owned language files are the OS package's", () => {
  // A Debian-packaged lodash is judged by Debian's advisories only (none here).
  assert.equal(matchPackages({ packages: [deb("node-lodash", "4.17.19+dfsg-1", "node-lodash")], distro: debian12 }, db).findings.length, 0);
  // python3-airflow (hypothetical) owns the dist-info: PyPI's advisory must not fire.
  const owner = deb("python3-airflow", "1.10.10-1", "airflow", ["usr/lib/python3/dist-packages/apache_airflow-1.10.10.dist-info/METADATA"]);
  const owned = lang("pypi", "apache-airflow", "1.10.10", "/usr/lib/python3/dist-packages/apache_airflow-1.10.10.dist-info/METADATA");
  assert.equal(matchPackages({ packages: [owner, owned], distro: debian12 }, db).findings.length, 0);
  // The same dist-info not owned by any OS package is matched.
  assert.equal(matchPackages({ packages: [owned], distro: debian12 }, db).findings.length, 1);
});

test("an unparseable installed version is reported as undecided, not as not vulnerable", () => {
  const r = matchPackages({ packages: [lang("npm", "lodash", "not a version!")] }, db);
  assert.equal(r.findings.length, 0);
  assert.ok(r.undecided.length > 0);
  assert.equal(r.undecided[0]!.package.name, "lodash");
});

test("an OS package without a known distribution release is not matched", () => {
  assert.equal(matchPackages({ packages: [deb("libcurl4", "7.88.1-6", "curl")] }, db).findings.length, 0);
});
