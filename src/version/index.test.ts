import { test } from "node:test";
import assert from "node:assert/strict";
import { compareVersions, isSchemeId, schemeForEcosystem, schemes, tryCompareVersions } from "./index.js";

test("index: the registry holds one scheme per id, each under its own id", () => {
  const ids = Object.keys(schemes).sort();
  assert.deepEqual(ids, ["apk", "composer", "dpkg", "gem", "go", "maven", "nuget", "pep440", "rpm", "semver"]);
  for (const [id, s] of Object.entries(schemes)) assert.equal(s.id, id);
  assert.ok(isSchemeId("dpkg"));
  assert.ok(!isSchemeId("toString"));
});

test("index: compareVersions orders, and refuses what it cannot order with an input error", () => {
  assert.equal(compareVersions("dpkg", "1.0~rc1", "1.0"), -1);
  assert.equal(compareVersions("rpm", "1.0^git1", "1.0"), 1);
  assert.equal(compareVersions("pep440", "1.0", "1.0.0"), 0);
  assert.throws(() => compareVersions("semver", "1.0", "1.0.0"), { name: "BerthError", code: "input" });
  const r = tryCompareVersions("gem", "1.0", "not a version");
  assert.ok(typeof r === "object" && r.incomparable && r.scheme === "gem");
  // Messages stay on one line, whatever the version holds.
  assert.throws(() => compareVersions("pep440", "1.0\nINJECTED", "1.0"), (e: Error) => !e.message.includes("\n"));
});

test("index: OSV ecosystems map to their schemes", () => {
  const rows: [string, string | undefined][] = [
    ["Debian:12", "dpkg"],
    ["Debian", "dpkg"],
    ["Ubuntu:22.04:LTS", "dpkg"],
    ["Ubuntu:Pro:18.04:LTS", "dpkg"],
    ["Alpine:v3.20", "apk"],
    ["Wolfi", "apk"],
    ["Chainguard", "apk"],
    ["Red Hat:rhel_aus:8.4::appstream", "rpm"],
    ["Rocky Linux:9", "rpm"],
    ["AlmaLinux:8", "rpm"],
    ["openSUSE:Tumbleweed", "rpm"],
    ["SUSE:Linux Enterprise Server 15 SP5", "rpm"],
    ["Photon OS:5.0", "rpm"],
    ["npm", "semver"],
    ["crates.io", "semver"],
    ["Hex", "semver"],
    ["Pub", "semver"],
    ["Bitnami", "semver"],
    ["PyPI", "pep440"],
    ["Maven", "maven"],
    ["Maven:https://maven.google.com", "maven"],
    ["Go", "go"],
    ["RubyGems", "gem"],
    ["NuGet", "nuget"],
    ["Packagist", "composer"],
    ["Packagist:https://packages.drupal.org/8", "composer"],
    ["Root:Alpine:3.18", "apk"],
    ["Root:Debian:12", "dpkg"],
    ["Root:PyPI", "pep440"],
    ["Root", undefined],
    ["Linux", undefined],
    ["OSS-Fuzz", undefined],
    ["GIT", undefined],
    ["debian:12", undefined],
    ["", undefined],
    ["constructor", undefined],
  ];
  for (const [eco, want] of rows) assert.equal(schemeForEcosystem(eco), want, eco);
});
