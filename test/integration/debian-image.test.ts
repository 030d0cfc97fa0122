// The real Debian 12 image (debootstrap + umoci + skopeo, see test/support/debian-image.ts):
// Berth's inventory equals dpkg-query's on the same rootfs for every local input kind, and the
// SBOMs it writes validate against the official CycloneDX 1.6 and SPDX 2.3 schemas.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { debianImage } from "../support/debian-image.js";
import { runCli } from "../support/cli.js";
import { validateCycloneDx, validateSpdx } from "../support/schemas.js";

const img = debianImage();
const expected = img.expected.map((r) => `${r.name}\t${r.version}\t${r.arch}\t${r.source}`).sort();

interface InventoryJson {
  distro?: { id: string; versionId?: string };
  packages: { name: string; version: string; arch?: string; sourceName?: string; purl: string; locations: { path: string; layerDigest?: string }[] }[];
  subject: { kind: string; image?: { manifestDigest?: string; layers: { diffId: string }[] } };
}

async function inventory(target: string, extra: string[] = []): Promise<InventoryJson> {
  const r = await runCli(["sbom", "-q", "--no-cache", "-f", "json", target, ...extra]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as InventoryJson;
}

function rows(inv: InventoryJson): string[] {
  return inv.packages.map((p) => `${p.name}\t${p.version}\t${p.arch}\t${p.sourceName}`).sort();
}

const targets: [string, string][] = [
  ["OCI layout", `oci:${img.ociDir}:${img.ociRef}`],
  ["OCI archive", `oci-archive:${img.ociArchive}`],
  ["docker archive", `docker-archive:${img.dockerArchive}`],
  ["rootfs directory", `dir:${img.rootfs}`],
  ["bare docker archive path", img.dockerArchive],
  ["bare OCI layout path", img.ociDir],
];

for (const [kind, target] of targets) {
  test(`inventory of the real Debian 12 image equals dpkg-query (${kind})`, async () => {
    const inv = await inventory(target);
    assert.ok(expected.length > 80, `dpkg-query listed only ${expected.length} packages`);
    assert.deepEqual(rows(inv), expected);
    assert.equal(inv.distro?.id, "debian");
    assert.equal(inv.distro?.versionId, "12");
  });
}

test("each package records the layer that introduced its database file", async () => {
  const inv = await inventory(`oci:${img.ociDir}:${img.ociRef}`);
  const layers = inv.subject.image!.layers.map((l) => l.diffId);
  assert.equal(layers.length, 2);
  const ssl = inv.packages.find((p) => p.name === "libssl3")!;
  assert.equal(ssl.locations[0]!.path, "/var/lib/dpkg/status");
  assert.equal(ssl.locations[0]!.layerDigest, layers[0]);
  assert.match(ssl.purl, /^pkg:deb\/debian\/libssl3@[^?]+\?arch=amd64&distro=debian-12&upstream=openssl$/);
});

test("CycloneDX output validates against the official 1.6 schema and is deterministic", async () => {
  const env = { SOURCE_DATE_EPOCH: "1700000000" };
  const a = await runCli(["sbom", "-q", "-f", "cyclonedx", `oci-archive:${img.ociArchive}`], env);
  const again = await runCli(["sbom", "-q", "-f", "cyclonedx", `oci-archive:${img.ociArchive}`], env);
  const b = await runCli(["sbom", "-q", "-f", "cyclonedx", `oci:${img.ociDir}:${img.ociRef}`], env);
  assert.equal(a.code, 0, a.stderr);
  const doc = JSON.parse(a.stdout);
  assert.deepEqual(validateCycloneDx(doc), []);
  assert.equal(doc.specVersion, "1.6");
  assert.equal(doc.metadata.timestamp, "2023-11-14T22:13:20.000Z");
  assert.equal(doc.metadata.component.type, "container");
  assert.match(doc.metadata.component.version, /^sha256:[0-9a-f]{64}$/);
  assert.equal(doc.components.filter((c: { type: string }) => c.type === "library").length, expected.length);
  assert.equal(a.stdout, again.stdout);
  // The same image through another source (layout instead of archive) is the same BOM identity,
  // and the same components.
  const other = JSON.parse(b.stdout);
  assert.equal(other.serialNumber, doc.serialNumber);
  assert.deepEqual(other.components, doc.components);
});

test("SPDX output validates against the official 2.3 schema and is deterministic", async () => {
  const env = { SOURCE_DATE_EPOCH: "1700000000" };
  const out = join(mkdtempSync(join(tmpdir(), "berth-spdx-")), "sbom.spdx.json");
  const a = await runCli(["sbom", "-q", "-f", "spdx", "-o", out, `oci:${img.ociDir}:${img.ociRef}`], env);
  const b = await runCli(["sbom", "-q", "-f", "spdx", `oci:${img.ociDir}:${img.ociRef}`], env);
  assert.equal(a.code, 0, a.stderr);
  const text = readFileSync(out, "utf8");
  assert.equal(text, b.stdout);
  const doc = JSON.parse(text);
  assert.deepEqual(validateSpdx(doc), []);
  assert.equal(doc.creationInfo.created, "2023-11-14T22:13:20Z");
  assert.equal(doc.packages.filter((p: { primaryPackagePurpose?: string }) => p.primaryPackagePurpose === "LIBRARY").length, expected.length);
  const purls = doc.packages.flatMap((p: { externalRefs?: { referenceLocator: string }[] }) => p.externalRefs?.map((r) => r.referenceLocator) ?? []);
  assert.ok(purls.some((p: string) => p.startsWith("pkg:deb/debian/libssl3@")));
});

test("the layer cache makes a second read reuse per-layer results", async () => {
  const cache = mkdtempSync(join(tmpdir(), "berth-cache-"));
  const first = await runCli(["sbom", "-q", "-f", "json", "--cache-dir", cache, `oci:${img.ociDir}:${img.ociRef}`]);
  // A different container format of the same image shares the layers' diffIDs.
  const second = await runCli(["sbom", "-q", "-f", "json", "--cache-dir", cache, `docker-archive:${img.dockerArchive}`]);
  assert.equal(first.code, 0, first.stderr);
  assert.equal(second.code, 0, second.stderr);
  assert.deepEqual(rows(JSON.parse(second.stdout)), expected);
  const files = (await import("node:fs")).readdirSync(join(cache, "layers"));
  assert.equal(files.filter((f) => f.endsWith(".json")).length, 2);
});
