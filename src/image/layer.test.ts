// Layer compression: gzip, zstd (made by the real zstd tool) and uncompressed tars all read the same,
// whatever the media type claims; a gzip-compressed docker save archive is read too.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { gzipSync } from "node:zlib";
import { tarBytes, sha256 } from "../../test/support/oci-builder.js";
import { readLayer, safeEntryPath } from "./layer.js";
import { withLimits } from "../util/limits.js";
import { openDockerArchive } from "./docker-archive.js";
import { catalogImage } from "../catalog/catalog.js";

const STATUS = "Package: libfoo\nStatus: install ok installed\nVersion: 1.0-1\nArchitecture: amd64\n\n";
const limits = withLimits();

async function layerTar() {
  return tarBytes([{ name: "./var/lib/dpkg/status", data: STATUS }, { name: "usr/bin/foo", data: "binary" }, { name: "etc/os-release", type: "symlink", linkname: "../usr/lib/os-release" }]);
}

function zstd(data: Buffer): Buffer {
  const dir = mkdtempSync(join(tmpdir(), "berth-zstd-"));
  writeFileSync(join(dir, "l.tar"), data);
  execFileSync("zstd", ["-q", "-3", join(dir, "l.tar"), "-o", join(dir, "l.tar.zst")]);
  return readFileSync(join(dir, "l.tar.zst"));
}

for (const [kind, compress] of [
  ["gzip", (b: Buffer) => gzipSync(b)],
  ["zstd", zstd],
  ["uncompressed", (b: Buffer) => b],
] as const) {
  test(`a ${kind} layer is detected by its bytes and read`, async () => {
    const tar = await layerTar();
    const files = await readLayer(Readable.from([compress(tar)]), { diffId: sha256(tar), compression: "detect", claims: (p) => p === "var/lib/dpkg/status", limits, what: "layer" });
    assert.deepEqual([...files.files.keys()], ["var/lib/dpkg/status"]);
    assert.equal(files.files.get("var/lib/dpkg/status")!.toString(), STATUS);
    assert.deepEqual([...files.symlinks], [["etc/os-release", "../usr/lib/os-release"]]);
    assert.equal(files.entries, 3);
  });
}

test("a corrupt zstd layer is refused, not crashed on", async () => {
  const z = zstd(await layerTar());
  z.writeUInt8(z.readUInt8(z.length - 10) ^ 0xff, z.length - 10);
  z.writeUInt8(z.readUInt8(20) ^ 0xff, 20);
  await assert.rejects(readLayer(Readable.from([z]), { diffId: sha256("x"), compression: "detect", claims: () => true, limits, what: "layer" }), (e: Error) => e.name === "BerthError");
});

test("entry names are normalised inside the root", () => {
  assert.equal(safeEntryPath("./a/b"), "a/b");
  assert.equal(safeEntryPath("/a//b/./c"), "a/b/c");
  assert.equal(safeEntryPath("a/../../b"), undefined);
  assert.equal(safeEntryPath("a/b\0c"), undefined);
});

test("a gzip-compressed docker save archive is read", async () => {
  const layer = await layerTar();
  const config = Buffer.from(JSON.stringify({ architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [sha256(layer)] }, history: [{ created_by: "ADD rootfs /" }] }));
  const archive = await tarBytes([
    { name: "manifest.json", data: JSON.stringify([{ Config: "config.json", RepoTags: ["example/app:1"], Layers: ["abc/layer.tar"] }]) },
    { name: "config.json", data: config },
    { name: "abc/layer.tar", data: layer },
  ]);
  const dir = mkdtempSync(join(tmpdir(), "berth-docker-"));
  const file = join(dir, "app.tar.gz");
  writeFileSync(file, gzipSync(archive));
  const src = await openDockerArchive(file, { reference: `docker-archive:${file}`, limits });
  assert.deepEqual(src.metadata.tags, ["example/app:1"]);
  assert.equal(src.metadata.layers[0]!.createdBy, "ADD rootfs /");
  const inv = await catalogImage(src, { limits });
  await src.close();
  assert.deepEqual(inv.packages.map((p) => p.name), ["libfoo"]);
});

test("a docker archive with several images needs NAME:TAG, and says which exist", async () => {
  const layer = await layerTar();
  const config = Buffer.from(JSON.stringify({ architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [sha256(layer)] } }));
  const archive = await tarBytes([
    { name: "manifest.json", data: JSON.stringify([{ Config: "c.json", RepoTags: ["a:1"], Layers: ["l.tar"] }, { Config: "c.json", RepoTags: ["b:2"], Layers: ["l.tar"] }]) },
    { name: "c.json", data: config },
    { name: "l.tar", data: layer },
  ]);
  const file = join(mkdtempSync(join(tmpdir(), "berth-docker-")), "two.tar");
  writeFileSync(file, archive);
  await assert.rejects(openDockerArchive(file, { reference: file, limits }), /holds 2 images/);
  await assert.rejects(openDockerArchive(file, { reference: file, name: "c:3", limits }), /available: a:1, b:2/);
  const src = await openDockerArchive(file, { reference: file, name: "b:2", limits });
  assert.deepEqual(src.metadata.tags, ["b:2"]);
  await src.close();
});
