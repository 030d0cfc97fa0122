// berth scan on the real Debian 12 image with the real Debian advisories: every finding a fix
// would remove is present with the right fixed version, and none whose fix is not newer than what
// is installed — both decided by `dpkg --compare-versions`, the real tool, on the advisories read
// independently (python3's zipfile) from the same data.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { join } from "node:path";
import { debianImage } from "../support/debian-image.js";
import { realAdvisoryDb } from "../support/vulndata.js";
import { scanTarget } from "../../src/scan/scan.js";
import { openVulnDb, dbPath } from "../../src/vulndb/index.js";
import { withLimits } from "../../src/util/limits.js";
import type { Finding } from "../../src/model/finding.js";

const img = debianImage();
let findings: Finding[] = [];
let mirror = "";

function dpkgLt(a: string, b: string): boolean {
  return spawnSync("dpkg", ["--compare-versions", a, "lt", b]).status === 0;
}

before(async () => {
  const real = await realAdvisoryDb();
  mirror = real.source;
  const db = openVulnDb(dbPath(real.cacheDir));
  try {
    const r = await scanTarget(`oci:${img.ociDir}:${img.ociRef}`, { platform: { os: "linux", architecture: "amd64" }, limits: withLimits(), db, now: new Date("2026-11-22T00:00:00Z") });
    findings = [...r.target.findings];
  } finally {
    db.close();
  }
});

test("every finding's fixed version is newer than the installed source version (dpkg --compare-versions)", () => {
  const sources = new Map(
    execFileSync("dpkg-query", [`--admindir=${join(img.rootfs, "var/lib/dpkg")}`, "-W", "-f", "${Package}\t${source:Package}\t${source:Version}\n"])
      .toString()
      .trim()
      .split("\n")
      .map((l) => l.split("\t") as [string, string, string])
      .map(([p, s, v]) => [p, { source: s, version: v }]),
  );
  for (const f of findings) {
    const src = sources.get(f.package.name)!;
    assert.equal(f.package.sourceName, src.source, f.package.name);
    for (const fixed of f.fixedVersions) assert.ok(dpkgLt(src.version, fixed), `${f.id} ${f.package.name}: fixed ${fixed} is not newer than installed ${src.version}`);
  }
});

test("exactly the Debian:12 advisories dpkg says apply are reported, with their fixed versions", () => {
  // The oracle: read every Debian:12 affected entry straight from the zip with python3, then
  // decide with dpkg --compare-versions against the installed source versions (dpkg-query).
  const rows = execFileSync(
    "python3",
    [
      "-c",
      `import json,sys,zipfile
z=zipfile.ZipFile(sys.argv[1])
for n in z.namelist():
  d=json.loads(z.read(n))
  if d.get("withdrawn"): continue
  for a in d.get("affected") or []:
    p=a.get("package") or {}
    if p.get("ecosystem")!="Debian:12": continue
    for r in a.get("ranges") or []:
      intro=[e["introduced"] for e in r["events"] if "introduced" in e]
      fixed=[e["fixed"] for e in r["events"] if "fixed" in e]
      cves=[x for x in (d.get("aliases") or [])+(d.get("upstream") or []) if x.startswith("CVE-")] or [d["id"]]
      for c in cves: print("\\t".join([c,p["name"],(intro or ["0"])[0],(fixed or [""])[0]]))`,
      join(mirror, "Debian", "all.zip"),
    ],
    { maxBuffer: 64 << 20 },
  )
    .toString()
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((l) => l.split("\t") as [string, string, string, string]);
  const installed = execFileSync("dpkg-query", [`--admindir=${join(img.rootfs, "var/lib/dpkg")}`, "-W", "-f", "${db:Status-Status}\t${Package}\t${source:Package}\t${source:Version}\n"])
    .toString()
    .trim()
    .split("\n")
    .map((l) => l.split("\t"))
    .filter((c) => c[0] === "installed");
  const expected = new Set<string>();
  for (const [cve, src, intro, fixed] of rows) {
    for (const [, pkg, s, v] of installed) {
      if (s !== src) continue;
      const afterIntro = intro === "0" || !dpkgLt(v!, intro);
      if (afterIntro && (fixed === "" || dpkgLt(v!, fixed))) expected.add(`${cve}\t${pkg}\t${fixed}`);
    }
  }
  assert.ok(rows.length > 0, "the oracle read Debian:12 advisories");
  process.stderr.write(`oracle: ${rows.length} Debian:12 advisory rows, ${expected.size} expected findings\n`);
  const actual = new Set(findings.map((f) => `${f.id}\t${f.package.name}\t${f.fixedVersions[0] ?? ""}`));
  assert.deepEqual([...actual].sort(), [...expected].sort());
});

test("findings carry the layer that introduced the package and the command that created it", () => {
  for (const f of findings) {
    assert.ok(f.layer?.diffId.startsWith("sha256:"), f.id);
    assert.equal(f.layer?.index, 0);
    assert.match(f.layer?.createdBy ?? "", /debootstrap/);
  }
});
