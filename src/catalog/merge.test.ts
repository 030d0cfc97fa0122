import { test } from "node:test";
import assert from "node:assert/strict";
import { mergeInventory } from "./merge.js";
import type { Package } from "../model/package.js";

function npm(name: string, version: string, path: string, evidence: Package["evidence"], extra: Partial<Package> = {}): Package {
  return { type: "npm", name, version, purl: `pkg:npm/${name}@${version}`, licenses: [], locations: [{ path }], foundBy: evidence === "installed" ? "npm-installed" : "npm-lock", evidence, ...extra };
}

test("same package at two paths: one package, two locations", () => {
  const out = mergeInventory([npm("a", "1.0.0", "/app/node_modules/a/package.json", "installed"), npm("a", "1.0.0", "/srv/node_modules/a/package.json", "installed")]);
  assert.equal(out.length, 1);
  assert.deepEqual(out[0]!.locations.map((l) => l.path), ["/app/node_modules/a/package.json", "/srv/node_modules/a/package.json"]);
});

test("installed wins over the lockfile beside it, even at another version", () => {
  const out = mergeInventory([npm("a", "1.0.0", "/app/package-lock.json", "lockfile"), npm("a", "1.0.1", "/app/node_modules/a/package.json", "installed"), npm("b", "2.0.0", "/app/package-lock.json", "lockfile")]);
  assert.deepEqual(out.map((p) => `${p.name}@${p.version}:${p.evidence}`).sort(), ["a@1.0.1:installed", "b@2.0.0:lockfile"]);
});

test("same version from lockfile and installed merges, keeping installed evidence and both locations", () => {
  const out = mergeInventory([npm("a", "1.0.0", "/app/package-lock.json", "lockfile", { direct: true }), npm("a", "1.0.0", "/app/node_modules/a/package.json", "installed")]);
  assert.equal(out.length, 1);
  assert.equal(out[0]!.evidence, "installed");
  assert.equal(out[0]!.direct, true);
});

test("a lockfile elsewhere (another project) is kept", () => {
  const out = mergeInventory([npm("a", "1.0.0", "/other/package-lock.json", "lockfile"), npm("a", "1.0.1", "/app/node_modules/a/package.json", "installed")]);
  assert.equal(out.length, 2);
});

test("dev only when every sighting is dev", () => {
  const out = mergeInventory([npm("a", "1.0.0", "/x/package-lock.json", "lockfile", { dev: true }), npm("a", "1.0.0", "/y/package-lock.json", "lockfile")]);
  assert.equal(out[0]!.dev, undefined);
});

test("identity follows the purl's normalised name (PEP 503): zope.interface installed beats zope-interface locked", () => {
  const inst: Package = { type: "pypi", name: "zope.interface", version: "6.0", purl: "pkg:pypi/zope-interface@6.0", licenses: [], locations: [{ path: "/app/venv/lib/python3.11/site-packages/zope.interface-6.0.dist-info/METADATA" }], foundBy: "python-installed", evidence: "installed" };
  const lock: Package = { type: "pypi", name: "zope-interface", version: "5.5", purl: "pkg:pypi/zope-interface@5.5", licenses: [], locations: [{ path: "/app/poetry.lock" }], foundBy: "python-poetry-lock", evidence: "lockfile" };
  assert.deepEqual(mergeInventory([lock, inst]).map((p) => p.version), ["6.0"]);
});
