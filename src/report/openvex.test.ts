import { test } from "node:test";
import assert from "node:assert/strict";
import { validateOpenVex } from "../../test/support/schemas.js";
import { imagePurl } from "../sbom/document.js";
import { buildOpenVex, render, type OpenVexDocument, type OpenVexStatement } from "./openvex.js";
import { directoryTarget, fixtureDocument, imageTarget } from "./testdata/fixture.js";
import { assertGolden } from "./testdata/golden.js";

const parse = (s: string) => JSON.parse(s) as OpenVexDocument;
const about = (doc: OpenVexDocument, id: string) => doc.statements.filter((s) => s.vulnerability.name === id);
const subs = (s: OpenVexStatement) => s.products[0]!.subcomponents.map((c) => c.identifiers.purl.split("@")[0]);

test("openvex: golden", () => {
  assertGolden("openvex", render(fixtureDocument, {}));
});

test("openvex: valid against the OpenVEX 0.2.0 schema", () => {
  const doc = parse(render(fixtureDocument, {}));
  assert.deepEqual(validateOpenVex(doc), []);
  assert.equal(doc["@context"], "https://openvex.dev/ns/v0.2.0");
  assert.equal(doc.author, "Berth");
  assert.equal(doc.timestamp, "2026-11-22T12:00:00.000Z");
  assert.equal(doc.version, 1);
});

test("openvex: one statement per vulnerability, product and status; the image purl is the product", () => {
  const doc = parse(render(fixtureDocument, {}));
  const [s] = about(doc, "CVE-2023-5363");
  assert.equal(about(doc, "CVE-2023-5363").length, 1);
  assert.equal(s!.products.length, 1);
  assert.equal(s!.products[0]!["@id"], imagePurl(imageTarget.image!));
  assert.match(s!.products[0]!["@id"], /^pkg:oci\/api@sha256%3A[0-9a-f]{64}\?repository_url=registry\.example\.com\/shop\/api$/);
  assert.deepEqual(subs(s!), ["pkg:deb/debian/libssl3", "pkg:deb/debian/openssl"]);
  assert.equal(s!.status, "affected");
  assert.equal(s!.action_statement, "upgrade openssl to 3.0.11-1~deb12u2");
  assert.deepEqual(s!.vulnerability.aliases, ["DEBIAN-CVE-2023-5363"]);
  // A directory has no purl: its name is the product.
  assert.equal(about(doc, "CVE-2019-5485")[0]!.products[0]!["@id"], directoryTarget.name);
  // Every affected statement says what to do.
  for (const st of doc.statements) if (st.status === "affected") assert.ok(st.action_statement);
});

test("openvex: VEX-suppressed findings are not_affected with their justification", () => {
  const doc = parse(render(fixtureDocument, {}));
  const curl = about(doc, "CVE-2023-38546");
  assert.deepEqual(curl.map((s) => [s.status, subs(s)]), [
    ["affected", ["pkg:deb/debian/curl"]],
    ["not_affected", ["pkg:deb/debian/libcurl4"]],
  ]);
  const na = curl.find((s) => s.status === "not_affected")!;
  assert.equal(na.justification, "vulnerable_code_not_in_execute_path");
  assert.match(na.impact_statement!, /never loads cookies from a file \(VEX: vex\/shop-api\.openvex\.json\)/);
  assert.equal(na.action_statement, undefined);
});

test("openvex: without a justification label, the reason is the impact statement", () => {
  const f = { ...imageTarget.findings[0]!, suppressed: { by: "vex" as const, reason: "the curl binary is removed at runtime", source: "vex.json" } };
  const doc = buildOpenVex({ ...fixtureDocument, targets: [{ ...imageTarget, findings: [f], undecided: [] }] });
  assert.deepEqual(validateOpenVex(doc), []);
  assert.equal(doc.statements[0]!.status, "not_affected");
  assert.equal(doc.statements[0]!.justification, undefined);
  assert.equal(doc.statements[0]!.impact_statement, "the curl binary is removed at runtime (VEX: vex.json)");
});

test("openvex: an ignore rule is policy, not a VEX claim: still affected, with the rule noted", () => {
  const [s] = about(parse(render(fixtureDocument, {})), "CVE-2020-8203");
  assert.equal(s!.status, "affected");
  assert.equal(s!.action_statement, "upgrade lodash to 4.17.20");
  assert.match(s!.status_notes!, /ignored by rule in \.berth\.yaml: zipObjectDeep/);
});

test("openvex: undecided comparisons are under investigation", () => {
  const [s] = about(parse(render(fixtureDocument, {})), "PYSEC-2023-135");
  assert.equal(s!.status, "under_investigation");
  assert.deepEqual(subs(s!), ["pkg:pypi/certifi"]);
  assert.match(s!.status_notes!, /cannot parse version "custom-build"/);
});

test("openvex: @id is derived from the content, not the clock; output is deterministic", () => {
  const a = parse(render(fixtureDocument, {}));
  assert.match(a["@id"], /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(render(fixtureDocument, {}), render(fixtureDocument, {}));
  const later = parse(render({ ...fixtureDocument, timestamp: new Date("2027-01-01T00:00:00Z") }, {}));
  assert.equal(later["@id"], a["@id"]);
  const fewer = parse(render({ ...fixtureDocument, targets: [imageTarget] }, {}));
  assert.notEqual(fewer["@id"], a["@id"]);
});

test("openvex: nothing to state gives an empty statement list (the schema wants one or more)", () => {
  const doc = buildOpenVex({ ...fixtureDocument, targets: [{ ...imageTarget, findings: [], undecided: [] }] });
  assert.deepEqual(doc.statements, []);
  assert.deepEqual(validateOpenVex(doc).map((e) => e.split(" ")[0]), ["/statements"]);
});
