import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, lstatSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { debianPackage } from "../../../../test/support/debian-debs.js";
import { withLimits } from "../../../util/limits.js";
import { normalizeName } from "./common.js";
import { parseRequiresTxt, pythonInstalledCataloger } from "./installed.js";
import { licensesOf, parseHeaders } from "./metadata.js";
import { catalogSources, fileOf, memoryEnv } from "./testkit.js";

const list = [pythonInstalledCataloger];
const DEBS = ["python3-requests", "python3-urllib3", "python3-idna", "python3-certifi", "python3-charset-normalizer", "python3-six", "python3-attr", "python3-jinja2", "python3-markupsafe", "python3-packaging", "python3-yaml", "python3-chardet"];
const DIST = "usr/lib/python3/dist-packages";

interface Truth {
  name: string;
  version: string;
  edges: string[];
}

function python(): string {
  try {
    execFileSync("python3", ["--version"], { stdio: "ignore" });
    return "python3";
  } catch {
    throw new Error("python3 is required for the Python cataloger tests (apt-get install python3)");
  }
}

// The truth: Python's own importlib.metadata over the same directories; requirement names and
// markers read with the `packaging` library (from the python3-packaging deb under test), names
// compared with packaging.utils.canonicalize_name. Edges: requirements not guarded by an extra
// whose distribution is installed in the same directory.
const TRUTH_SCRIPT = `
import importlib.metadata as m, json, sys
sys.path.insert(0, sys.argv[1])
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
out = []
for d in sys.argv[2:]:
    dists = list(m.distributions(path=[d]))
    names = {canonicalize_name(x.metadata["Name"]) for x in dists}
    for x in dists:
        edges = set()
        for r in x.requires or []:
            req = Requirement(r)
            if req.marker is not None and "extra" in str(req.marker):
                continue
            n = canonicalize_name(req.name)
            if n in names and n != canonicalize_name(x.metadata["Name"]):
                edges.add(n)
        out.append({"name": x.metadata["Name"], "version": x.version, "edges": sorted(edges)})
print(json.dumps(out))
`;

function truthFor(packagingDir: string, dirs: readonly string[]): Truth[] {
  return JSON.parse(execFileSync(python(), ["-c", TRUTH_SCRIPT, packagingDir, ...dirs]).toString()) as Truth[];
}

function purlName(purl: string): string {
  return decodeURIComponent(purl.slice("pkg:pypi/".length, purl.lastIndexOf("@")));
}

test("installed Debian python3-* packages match importlib.metadata (names, versions, dependency edges)", async () => {
  const roots = DEBS.map((d) => debianPackage(d).root);
  // One dist-packages directory holding every package, as in an image with all of them installed.
  const inv = await catalogSources(roots, list);
  assert.equal(inv.unknowns.length, 0, JSON.stringify(inv.unknowns));
  const truth = truthFor(join(debianPackage("python3-packaging").root, DIST), roots.map((r) => join(r, DIST)));
  assert.equal(truth.length, DEBS.length);
  const got = inv.packages.map((p) => [normalizeName(p.name), p.version]).sort();
  assert.deepEqual(got, truth.map((t) => [normalizeName(t.name), t.version]).sort());
  for (const t of truth) {
    const p = inv.packages.find((q) => normalizeName(q.name) === normalizeName(t.name))!;
    assert.equal(p.name, t.name, "displayed name kept as written");
    assert.equal(p.purl, `pkg:pypi/${normalizeName(t.name)}@${t.version}`);
    assert.equal(p.evidence, "installed");
    assert.equal(p.direct, undefined);
    assert.deepEqual((p.dependsOn ?? []).map(purlName).sort(), t.edges, `edges of ${t.name}`);
  }
  // Debian strips install_requires from its egg-info (requests' requires.txt lists extras only),
  // so these packages have no edges: importlib agrees.
  const jinja = inv.packages.find((p) => p.name === "Jinja2")!;
  assert.deepEqual(jinja.locations, [{ path: `/${DIST}/Jinja2-3.1.2.egg-info/PKG-INFO` }]);
  const cn = inv.packages.find((p) => p.name === "charset-normalizer")!;
  assert.deepEqual(cn.locations, [{ path: `/${DIST}/charset_normalizer-3.0.1.dist-info/METADATA` }]);
});

test("licences: mapped classifiers, then a short License field, then classifiers as written", async () => {
  const inv = await catalogSources(["python3-requests", "python3-certifi", "python3-idna", "python3-chardet", "python3-packaging"].map((d) => debianPackage(d).root), list);
  const lic = Object.fromEntries(inv.packages.map((p) => [p.name, p.licenses]));
  assert.deepEqual(lic, {
    requests: ["Apache 2.0"], // "Apache Software License" names no version: the License field is used
    certifi: ["MPL-2.0"],
    idna: ["BSD-3-Clause"],
    chardet: ["LGPL-2.0-or-later"], // classifier LGPLv2+ is more precise than License: LGPL
    packaging: ["Apache Software License", "BSD License"],
  });
  assert.deepEqual(licensesOf(parseHeaders("Name: x\nLicense-Expression: MIT OR Apache-2.0\nLicense: MIT\nClassifier: License :: OSI Approved :: MIT License\n")), ["MIT OR Apache-2.0"]);
  assert.deepEqual(licensesOf(parseHeaders("Name: x\nLicense: Copyright (c) 2020 Someone\n        Permission is hereby granted...\n")), []);
  assert.deepEqual(licensesOf(parseHeaders("Name: x\nLicense: UNKNOWN\n")), []);
});

// The interpreter that runs these tests has its own site-packages, installed by pip: every
// dist-info there must be found with the version importlib.metadata reports.
test("the local interpreter's pip-installed site-packages match importlib.metadata", async () => {
  // The site directory on sys.path holding the most distributions (pyenv's site-packages, or
  // Debian's /usr/lib/python3/dist-packages where pip itself is installed).
  const site = execFileSync(python(), ["-c", "import os, sys; c = [p for p in sys.path if p.endswith(('site-packages', 'dist-packages')) and os.path.isdir(p)]; print(max(c, key=lambda p: sum(e.endswith(('.dist-info', '.egg-info')) for e in os.listdir(p))))"]).toString().trim();
  assert.ok(existsSync(site), site);
  const files: Record<string, Buffer> = {};
  const prefix = "opt/venv/lib/python3/site-packages";
  for (const e of readdirSync(site)) {
    const full = join(site, e);
    if (e.endsWith(".dist-info")) {
      if (existsSync(join(full, "METADATA"))) files[`${prefix}/${e}/METADATA`] = readFileSync(join(full, "METADATA"));
    } else if (e.endsWith(".egg-info")) {
      if (lstatSync(full).isFile()) files[`${prefix}/${e}`] = readFileSync(full);
      else for (const f of ["PKG-INFO", "requires.txt"]) if (existsSync(join(full, f))) files[`${prefix}/${e}/${f}`] = readFileSync(join(full, f));
    }
  }
  const inv = await catalogSources([files], list);
  const truth = truthFor(join(debianPackage("python3-packaging").root, DIST), [site]);
  assert.ok(truth.length > 0);
  assert.equal(inv.unknowns.length, 0, JSON.stringify(inv.unknowns));
  const key = (n: string, v: string) => `${normalizeName(n)}@${v}`;
  assert.deepEqual(inv.packages.map((p) => key(p.name, p.version)).sort(), truth.map((t) => key(t.name, t.version)).sort());
  let edges = 0;
  for (const t of truth) {
    const p = inv.packages.find((q) => key(q.name, q.version) === key(t.name, t.version))!;
    assert.deepEqual((p.dependsOn ?? []).map(purlName).sort(), t.edges, `edges of ${t.name}`);
    edges += t.edges.length;
  }
  assert.ok(edges > 0, "pip-installed packages declare Requires-Dist edges");
});

test("a single-file .egg-info (distutils) is read, with importlib.metadata agreeing", async () => {
  const text = "Metadata-Version: 1.1\nName: Old_Style.pkg\nVersion: 0.9\nLicense: BSD\n";
  const dir = mkdtempSync(join(tmpdir(), "berth-egg-"));
  try {
    writeFileSync(join(dir, "Old_Style.pkg-0.9.egg-info"), text);
    const truth = truthFor(join(debianPackage("python3-packaging").root, DIST), [dir]);
    assert.deepEqual(truth, [{ name: "Old_Style.pkg", version: "0.9", edges: [] }]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const inv = await catalogSources([{ "usr/lib/python2.7/dist-packages/Old_Style.pkg-0.9.egg-info": text }], list);
  assert.deepEqual(inv.packages.map((p) => [p.name, p.version, p.purl, p.licenses]), [["Old_Style.pkg", "0.9", "pkg:pypi/old-style-pkg@0.9", ["BSD"]]]);
});

test("requires.txt sections: unconditional and [:marker] kept, [extra] skipped", () => {
  assert.deepEqual(parseRequiresTxt("a>=1\nb\n\n[:python_version < \"3.8\"]\nc\n[socks]\nd\n[tests:sys_platform == 'win32']\ne\n"), ["a", "b", "c"]);
});

test("Requires-Dist with extras markers and unresolvable names", async () => {
  const site = "app/.venv/lib/python3.12/site-packages";
  const inv = await catalogSources(
    [
      {
        [`${site}/web_app-1.0.dist-info/METADATA`]:
          "Metadata-Version: 2.4\nName: Web_App\nVersion: 1.0\nLicense-Expression: MIT\nRequires-Dist: Flask (>=2)\nRequires-Dist: zope.interface ; python_version >= '3'\nRequires-Dist: pytest ; extra == 'test'\nRequires-Dist: not-installed>=1\n\nBody: not a header\n",
        [`${site}/flask-3.0.0.dist-info/METADATA`]: "Metadata-Version: 2.1\nName: flask\nVersion: 3.0.0\n",
        [`${site}/zope.interface-6.1.dist-info/METADATA`]: "Metadata-Version: 2.1\nName: zope.interface\nVersion: 6.1\n",
        [`${site}/pytest-8.0.0.dist-info/METADATA`]: "Metadata-Version: 2.1\nName: pytest\nVersion: 8.0.0\n",
        [`${site}/web_app-1.0.dist-info/RECORD`]: "ignored",
      },
    ],
    list,
    { layerDigest: "sha256:" + "c".repeat(64) },
  );
  const app = inv.packages.find((p) => p.name === "Web_App")!;
  assert.equal(app.purl, "pkg:pypi/web-app@1.0");
  assert.deepEqual(app.licenses, ["MIT"]);
  assert.deepEqual([...app.dependsOn!].sort(), ["pkg:pypi/flask@3.0.0", "pkg:pypi/zope-interface@6.1"]);
  assert.deepEqual(app.locations, [{ path: `/${site}/web_app-1.0.dist-info/METADATA`, layerDigest: "sha256:" + "c".repeat(64) }]);
  assert.equal(inv.packages.length, 4);
});

test("claims: metadata in site/dist-packages only; requires.txt as a helper", () => {
  const info = { mode: 0o644, size: 1 };
  assert.ok(pythonInstalledCataloger.claims("usr/local/lib/python3.12/site-packages/x-1.dist-info/METADATA", info));
  assert.ok(pythonInstalledCataloger.claims("usr/lib/python3/dist-packages/x-1.egg-info", info));
  assert.ok(pythonInstalledCataloger.claims("usr/lib/python3/dist-packages/x-1.egg-info/requires.txt", info));
  assert.ok(!pythonInstalledCataloger.primary("usr/lib/python3/dist-packages/x-1.egg-info/requires.txt"));
  assert.ok(pythonInstalledCataloger.primary("site-packages/x-1.egg/EGG-INFO/PKG-INFO"));
  assert.ok(!pythonInstalledCataloger.claims("src/x-1.dist-info/METADATA", info));
  assert.ok(!pythonInstalledCataloger.claims("usr/lib/python3/dist-packages/x/y.dist-info/METADATA", info));
  assert.ok(!pythonInstalledCataloger.claims("usr/lib/python3/dist-packages/x-1.dist-info/RECORD", info));
});

test("hostile METADATA: binary garbage, missing fields, absurd names and header floods are unknowns", async () => {
  const env = memoryEnv();
  const p = "usr/lib/python3/dist-packages/x-1.dist-info/METADATA";
  const garbage = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 131 + 7) % 256));
  for (const data of [garbage, Buffer.from("Name: ok\n"), Buffer.from(`Name: ${"a".repeat(100_000)}\nVersion: 1\n`), Buffer.from("Name: x\nVersion: 1 2\n"), Buffer.from("Name: ../../etc\nVersion: 1\n")]) {
    const r = await pythonInstalledCataloger.parse(fileOf(p, data), env);
    assert.equal(r.packages.length, 0);
    assert.equal(r.unknowns.length, 1);
    assert.equal(r.unknowns[0]!.path, `/${p}`);
  }
  // Half a million header lines: a limit error (catalog.ts turns it into a located unknown).
  await assert.rejects(pythonInstalledCataloger.parse(fileOf(p, "X: y\n".repeat(500_000)), env), /header lines/);
  // A file above maxFileBytes is refused by name.
  await assert.rejects(pythonInstalledCataloger.parse(fileOf(p, "Name: x\nVersion: 1\n"), memoryEnv({}, withLimits({ maxFileBytes: 4 }))), /maxFileBytes/);
  const inv = await catalogSources([{ [p]: "X: y\n".repeat(500_000) }], [pythonInstalledCataloger]);
  assert.equal(inv.unknowns.length, 1);
  assert.equal(inv.unknowns[0]!.cataloger, "python-installed");
});
