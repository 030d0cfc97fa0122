import { test } from "node:test";
import assert from "node:assert/strict";
import { countTargets, formatScore, justificationOf, productId, purlWithoutVersion, severityScore, targetIdentity, truncate } from "./common.js";
import { directoryTarget, fixtureDocument, imageTarget } from "./testdata/fixture.js";

test("purlWithoutVersion keeps type, namespace, name, qualifiers and subpath", () => {
  const rows: [string, string][] = [
    ["pkg:deb/debian/libssl3@3.0.9-1?arch=amd64&distro=debian-12&upstream=openssl", "pkg:deb/debian/libssl3?arch=amd64&distro=debian-12&upstream=openssl"],
    ["pkg:npm/%40babel/core@7.24.0", "pkg:npm/%40babel/core"],
    ["pkg:golang/github.com/x/net@v0.1.0#http2", "pkg:golang/github.com/x/net#http2"],
    ["pkg:pypi/requests", "pkg:pypi/requests"],
    ["pkg:maven/org.apache/log4j@2.14.1?type=jar", "pkg:maven/org.apache/log4j?type=jar"],
  ];
  for (const [purl, want] of rows) assert.equal(purlWithoutVersion(purl), want, purl);
});

test("targetIdentity drops tags and digests, never a registry port", () => {
  const { repository: _r, ...noRepo } = imageTarget.image!;
  const bare = (name: string) => targetIdentity({ ...imageTarget, name, image: noRepo });
  assert.equal(targetIdentity(imageTarget), "registry.example.com/shop/api");
  assert.equal(bare("localhost:5000/app:1.2"), "localhost:5000/app");
  assert.equal(bare("localhost:5000/app"), "localhost:5000/app");
  assert.equal(bare("registry:localhost:5000/app@sha256:abc"), "localhost:5000/app");
  assert.equal(bare("debian:12"), "debian");
  assert.equal(targetIdentity(directoryTarget), "dir:/work/web");
});

test("productId: an image's OCI purl, else an IRI from the target name", () => {
  assert.match(productId(imageTarget), /^pkg:oci\/api@sha256%3A/);
  assert.equal(productId(directoryTarget), "dir:/work/web");
  assert.equal(productId({ ...directoryTarget, name: "/src/my app" }), "urn:berth:target:%2Fsrc%2Fmy%20app");
});

test("severity scores: CVSS when present, else the label's number; one decimal", () => {
  const [curl] = imageTarget.findings;
  assert.equal(severityScore(curl!), 8.0);
  assert.equal(severityScore({ ...curl!, cvss: { version: "3.1", score: 9.8, vector: "x" } }), 9.8);
  assert.equal(severityScore({ ...curl!, severity: "critical" }), 9.5);
  assert.equal(severityScore({ ...curl!, severity: "low" }), 2.0);
  assert.equal(severityScore({ ...curl!, severity: "unknown" }), 5.5);
  assert.equal(formatScore(10), "10.0");
  assert.equal(formatScore(7.44), "7.4");
});

test("justificationOf reads an OpenVEX label at the start of a reason only", () => {
  assert.equal(justificationOf("component_not_present"), "component_not_present");
  assert.equal(justificationOf("vulnerable_code_not_in_execute_path: never called"), "vulnerable_code_not_in_execute_path");
  assert.equal(justificationOf("we think it is vulnerable_code_not_present"), undefined);
  assert.equal(justificationOf("not affected"), undefined);
});

test("counts leave suppressed findings out of the totals", () => {
  const c = countTargets(fixtureDocument.targets);
  assert.equal(c.total + c.suppressed, fixtureDocument.targets.reduce((n, t) => n + t.findings.length, 0));
  assert.equal(c.suppressed, 2);
  assert.equal(truncate("abcdef", 4), "abc…");
  assert.equal(truncate("abc", 4), "abc");
});
