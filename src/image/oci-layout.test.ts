// OCI layouts: references by name, multi-platform indexes and the platform choice.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { tarBytes, writeLayout, sha256 } from "../../test/support/oci-builder.js";
import { openOciLayout } from "./oci-layout.js";
import { dirStore } from "./local-store.js";
import { withLimits } from "../util/limits.js";

const limits = withLimits();

async function multiPlatformLayout(): Promise<{ dir: string; amd64: string; arm64: string }> {
  const dir = mkdtempSync(join(tmpdir(), "berth-layout-"));
  const amd = writeLayout(dir, [{ tar: await tarBytes([{ name: "arch", data: "amd64" }]) }]);
  const arm = writeLayout(dir, [{ tar: await tarBytes([{ name: "arch", data: "arm64" }]) }], { config: { architecture: "arm64", variant: "v8" } });
  const size = (d: string) => readFileSync(join(dir, "blobs/sha256", d.slice(7))).length;
  const index = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.index.v1+json",
      manifests: [
        { mediaType: "application/vnd.oci.image.manifest.v1+json", digest: amd.manifestDigest, size: size(amd.manifestDigest), platform: { os: "linux", architecture: "amd64" } },
        { mediaType: "application/vnd.oci.image.manifest.v1+json", digest: arm.manifestDigest, size: size(arm.manifestDigest), platform: { os: "linux", architecture: "arm64", variant: "v8" } },
      ],
    }),
  );
  writeFileSync(join(dir, "blobs/sha256", sha256(index).slice(7)), index);
  writeFileSync(join(dir, "index.json"), JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: "application/vnd.oci.image.index.v1+json", digest: sha256(index), size: index.length, annotations: { "org.opencontainers.image.ref.name": "1.0" } }] }));
  return { dir, amd64: amd.manifestDigest, arm64: arm.manifestDigest };
}

test("a multi-platform layout resolves to the requested platform", async () => {
  const l = await multiPlatformLayout();
  const arm = await openOciLayout(dirStore(l.dir, l.dir), { reference: l.dir, ref: "1.0", platform: { os: "linux", architecture: "arm64" }, limits });
  assert.equal(arm.metadata.manifestDigest, l.arm64);
  assert.equal(arm.metadata.platform?.architecture, "arm64");
  const amd = await openOciLayout(dirStore(l.dir, l.dir), { reference: l.dir, platform: { os: "linux", architecture: "amd64" }, limits });
  assert.equal(amd.metadata.manifestDigest, l.amd64);
  assert.deepEqual(amd.metadata.tags, ["1.0"]);
});

test("a platform the index lacks is refused, listing what exists", async () => {
  const l = await multiPlatformLayout();
  await assert.rejects(openOciLayout(dirStore(l.dir, l.dir), { reference: l.dir, platform: { os: "linux", architecture: "s390x" }, limits }), /no image for platform linux\/s390x \(available: linux\/amd64, linux\/arm64\/v8\)/);
});

test("an unknown reference name lists the names the layout has", async () => {
  const l = await multiPlatformLayout();
  await assert.rejects(openOciLayout(dirStore(l.dir, l.dir), { reference: l.dir, ref: "2.0", platform: { os: "linux", architecture: "amd64" }, limits }), /no image named "2.0" \(available: 1.0\)/);
});

test("a directory without oci-layout is not taken for a layout", async () => {
  const dir = mkdtempSync(join(tmpdir(), "berth-layout-"));
  await assert.rejects(openOciLayout(dirStore(dir, dir), { reference: dir, platform: { os: "linux", architecture: "amd64" }, limits }), /not an OCI image layout/);
});
