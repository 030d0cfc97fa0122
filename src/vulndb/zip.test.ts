import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { crc32 } from "node:zlib";
import { BerthError } from "../util/errors.js";
import { withVulnDbLimits } from "./limits.js";
import { tempDir } from "./testutil/mirror.js";
import { buildZip } from "./testutil/zipwriter.js";
import { openZip, zipEntries, type ZipItem } from "./zip.js";

async function readZip(bytes: Buffer, overrides = {}): Promise<ZipItem[]> {
  const t = tempDir("zip");
  try {
    const p = join(t.path, "all.zip");
    writeFileSync(p, bytes);
    const limits = withVulnDbLimits(overrides);
    const { zip } = await openZip(p, limits);
    const out: ZipItem[] = [];
    for await (const item of zipEntries(zip, p, limits)) out.push(item);
    return out;
  } finally {
    t.remove();
  }
}

test("reads deflated and stored entries, skipping directories", async () => {
  const items = await readZip(buildZip([{ name: "a.json", data: '{"a":1}' }, { name: "dir/", data: "" }, { name: "b.json", data: "{}", store: true }]));
  assert.deepEqual(items.map((i) => [i.kind, i.name]), [["file", "a.json"], ["file", "b.json"]]);
  assert.equal(items[0]?.kind === "file" && items[0].data.toString(), '{"a":1}');
});

test("a bad CRC or a lying size fails that entry only", async () => {
  const data = Buffer.from('{"x":"y"}');
  const items = await readZip(buildZip([
    { name: "crc.json", data, crc: (crc32(data) + 1) >>> 0 },
    { name: "size.json", data, claimedSize: data.length + 5 },
    { name: "ok.json", data },
  ]));
  assert.deepEqual(items.map((i) => i.kind), ["bad", "bad", "file"]);
  assert.match((items[0] as { reason: string }).reason, /CRC/);
});

test("zip-bomb bounds: entry size, expansion ratio and entry count", async () => {
  const zeros = Buffer.alloc(4 * 1024 * 1024);
  const ratio = await readZip(buildZip([{ name: "bomb.json", data: zeros }]), { maxEntryRatio: 100 });
  assert.match((ratio[0] as { reason: string }).reason, /maxEntryRatio=100/);
  const big = await readZip(buildZip([{ name: "big.json", data: zeros }]), { maxEntryBytes: 1024 });
  assert.match((big[0] as { reason: string }).reason, /maxEntryBytes=1024/);
  await assert.rejects(readZip(buildZip([{ name: "a", data: "1" }, { name: "b", data: "2" }]), { maxZipEntries: 1 }), (e: unknown) =>
    e instanceof BerthError && e.code === "limit" && /maxZipEntries=1/.test(e.message));
});

test("a file that is not a zip, or a truncated one, is a corrupt error", async () => {
  await assert.rejects(readZip(Buffer.from("this is not a zip file at all, just text")), (e: unknown) => e instanceof BerthError && e.code === "corrupt");
  const good = buildZip([{ name: "a.json", data: "{}" }, { name: "b.json", data: "{}" }]);
  await assert.rejects(readZip(good.subarray(0, good.length - 30)), (e: unknown) => e instanceof BerthError && e.code === "corrupt");
});
