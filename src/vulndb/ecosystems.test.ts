import { test } from "node:test";
import assert from "node:assert/strict";
import { isKnownEcosystem, normalizePackageName, parseEcosystem } from "./ecosystems.js";

test("release suffixes are split off and kept", () => {
  assert.deepEqual(parseEcosystem("Debian:12"), { ecosystem: "Debian:12", base: "Debian", release: "12" });
  assert.deepEqual(parseEcosystem("Alpine:v3.20"), { ecosystem: "Alpine:v3.20", base: "Alpine", release: "v3.20" });
  assert.deepEqual(parseEcosystem("Red Hat:enterprise_linux:9::appstream"), { ecosystem: "Red Hat:enterprise_linux:9::appstream", base: "Red Hat", release: "enterprise_linux:9::appstream" });
  assert.deepEqual(parseEcosystem("npm"), { ecosystem: "npm", base: "npm" });
});

test("known ecosystems are the OSV schema's list", () => {
  for (const e of ["PyPI", "npm", "crates.io", "Bitnami", "Debian:10", "Ubuntu:Pro:22.04:LTS", "Red Hat:rhel_aus:8.4::baseos", "GIT"]) assert.ok(isKnownEcosystem(e), e);
  for (const e of ["pypi", "Nosuch", "Debian:", "", "NPM"]) assert.ok(!isKnownEcosystem(e), e);
});

test("names normalise per ecosystem", () => {
  assert.equal(normalizePackageName("PyPI", "Flask_Caching"), "flask-caching");
  assert.equal(normalizePackageName("PyPI", "jw.util"), "jw-util");
  assert.equal(normalizePackageName("PyPI", "zope..Interface"), "zope-interface");
  assert.equal(normalizePackageName("crates.io", "Serde_Yaml"), "serde-yaml");
  assert.equal(normalizePackageName("NuGet", "Newtonsoft.Json"), "newtonsoft.json");
  assert.equal(normalizePackageName("npm", "Orchestrator"), "Orchestrator"); // npm names are case-sensitive
  assert.equal(normalizePackageName("Go", "github.com/BurntSushi/toml"), "github.com/BurntSushi/toml");
  assert.equal(normalizePackageName("Debian:12", "python3.11"), "python3.11");
});
