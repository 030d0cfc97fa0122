import { test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { withLimits } from "../../../util/limits.js";
import { purl } from "../../purl.js";
import { catalogDir, tool, withTempDir } from "../binary/testdata/testkit.js";
import { cargoLockCataloger, parseCargoLock } from "./cargolock.js";

const DIR = join(import.meta.dirname, "testdata");
const FIXTURES: [string, string][] = [
  ["v1", join(DIR, "cargolock", "v1-thumb-none-qemu.Cargo.lock")],
  ["v2", join(DIR, "cargolock", "v2-clippy-multiple-crate-versions.Cargo.lock")],
  ["v3", join(DIR, "cargolock", "v3-rustfmt.Cargo.lock")],
  ["v4", join(DIR, "auditable", "Cargo.lock")],
];
const list = [cargoLockCataloger];
const limits = withLimits();

interface PyPackage {
  name: string;
  version: string;
  source?: string;
  checksum?: string;
  dependencies?: string[];
}

/** Python's tomllib reading of a lockfile: its packages and v1's [metadata] checksums. */
function tomllib(file: string): { version?: number; package: PyPackage[]; metadata?: Record<string, string> } {
  const script = "import json, sys, tomllib\nprint(json.dumps(tomllib.load(open(sys.argv[1], 'rb'))))";
  return JSON.parse(tool("python3", ["-c", script, file], { aptPackage: "python3" }).stdout) as { version?: number; package: PyPackage[]; metadata?: Record<string, string> };
}

test("Cargo.lock v1–v4: every package as Python's tomllib reads it, with checksums, sources and resolved dependencies", async () => {
  for (const [fmt, file] of FIXTURES) {
    const truth = tomllib(file);
    await withTempDir(async (root) => {
      copyFileSync(file, join(root, "Cargo.lock"));
      const inv = await catalogDir(root, list, limits);
      assert.deepEqual(inv.unknowns, [], fmt);
      const byPurl = new Map(inv.packages.map((p) => [p.purl, p]));
      const purls = new Set(truth.package.map((p) => purl("cargo", undefined, p.name, p.version)));
      assert.deepEqual(new Set(byPurl.keys()), purls, `${fmt}: packages`);
      const local = truth.package.filter((p) => p.source === undefined);
      const directNames = new Set(local.flatMap((p) => (p.dependencies ?? []).map((d) => d.split(" ")[0])));
      for (const t of truth.package) {
        const p = byPurl.get(purl("cargo", undefined, t.name, t.version))!;
        assert.deepEqual([p.evidence, p.foundBy, p.locations], ["lockfile", "rust-cargo-lock", [{ path: "/Cargo.lock" }]]);
        const sum = t.checksum ?? truth.metadata?.[`checksum ${t.name} ${t.version} (${t.source})`];
        assert.equal(p.metadata?.checksum, sum ? `sha256:${sum}` : undefined, `${fmt} ${t.name}: checksum`);
        if (t.source === undefined) {
          assert.equal(p.metadata?.source, "local");
          assert.equal(p.direct, undefined);
        } else {
          assert.equal(p.metadata?.source, t.source === "registry+https://github.com/rust-lang/crates.io-index" ? undefined : t.source);
          assert.equal(p.direct, directNames.has(t.name), `${fmt} ${t.name}: direct`);
        }
        // Each reference names a package by name, and by version when it gives one.
        const refs = t.dependencies ?? [];
        assert.equal(p.dependsOn?.length ?? 0, new Set(refs).size, `${fmt} ${t.name}: edges`);
        for (const ref of refs) {
          const [name, version] = ref.split(" ");
          assert.ok(p.dependsOn?.some((d) => d.startsWith(`pkg:cargo/${name}@${version ?? ""}`)), `${fmt} ${t.name} → ${ref}`);
        }
      }
      if (fmt === "v1") assert.ok(truth.metadata && Object.keys(truth.metadata).length > 10, "v1 keeps checksums in [metadata]");
      if (fmt === "v2") assert.equal(truth.version, undefined);
      if (fmt === "v3" || fmt === "v4") assert.equal(truth.version, Number(fmt.slice(1)));
    });
  }
});

test("Cargo.lock: the rustfmt workspace's own crates are local; their dependencies are direct", async () => {
  const lock = parseCargoLock(readFileSync(FIXTURES[2]![1], "utf8"));
  assert.equal(lock.version, 3);
  assert.deepEqual(lock.packages.filter((p) => !p.source).map((p) => p.name).sort(), ["rustfmt-config_proc_macro", "rustfmt-nightly"]);
});

test("Cargo.lock: references naming one of two versions, other sources, and v1 [root]", () => {
  const lock = parseCargoLock(`
[root]
name = "app"
version = "0.1.0"
dependencies = [
 "dep 1.0.0 (git+https://example.com/dep#abc)",
 "dep 2.0.0 (registry+https://github.com/rust-lang/crates.io-index)",
]

[[package]]
name = "dep"
version = "1.0.0"
source = "git+https://example.com/dep#abc"

[[package]]
name = "dep"
version = "2.0.0"
source = "registry+https://github.com/rust-lang/crates.io-index"
dependencies = ["leaf"]

[[package]]
name = "leaf"
version = "0.1.0"
source = "sparse+https://index.crates.io/"
`);
  assert.deepEqual(lock.packages.map((p) => `${p.name}@${p.version}`), ["app@0.1.0", "dep@1.0.0", "dep@2.0.0", "leaf@0.1.0"]);
});

test("Cargo.lock: malformed files become unknowns naming the file; bad edges are reported, packages kept", async () => {
  const cases: [string, string, RegExp][] = [
    ["not-toml", "[[package]\nname = 1", /not TOML/],
    ["no-version", 'version = 3\n[[package]]\nname = "a"\n', /package 1 \(a\) has no version/],
    ["future", 'version = 9\n[[package]]\nname = "a"\nversion = "1.0.0"\n', /lockfile version 9 is not one Berth reads/],
    ["deps-type", 'version = 3\n[[package]]\nname = "a"\nversion = "1.0.0"\ndependencies = [1]\n', /dependencies is not a list of strings/],
    ["deep", `version = 3\nx = ${"[".repeat(5000)}${"]".repeat(5000)}\n`, /not TOML/],
  ];
  await withTempDir(async (root) => {
    for (const [name, text] of cases) {
      mkdirSync(join(root, name));
      writeFileSync(join(root, name, "Cargo.lock"), text);
    }
    mkdirSync(join(root, "dangling"));
    writeFileSync(join(root, "dangling", "Cargo.lock"), 'version = 4\n[[package]]\nname = "a"\nversion = "1.0.0"\ndependencies = ["missing", "b"]\n[[package]]\nname = "b"\nversion = "2.0.0"\nsource = "registry+https://github.com/rust-lang/crates.io-index"\n');
    const inv = await catalogDir(root, list, limits);
    for (const [name, , message] of cases) {
      const u = inv.unknowns.find((x) => x.path === `/${name}/Cargo.lock`);
      assert.ok(u, name);
      assert.equal(u.cataloger, "rust-cargo-lock");
      assert.match(u.message, message, name);
    }
    const dangling = inv.unknowns.find((x) => x.path === "/dangling/Cargo.lock");
    assert.match(dangling?.message ?? "", /1 dependency reference\(s\) name no single package.*"missing"/);
    assert.deepEqual(inv.packages.map((p) => [p.purl, p.direct, p.dependsOn]), [
      ["pkg:cargo/a@1.0.0", undefined, ["pkg:cargo/b@2.0.0"]],
      ["pkg:cargo/b@2.0.0", true, undefined],
    ]);
  });
});
