import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { createServer, type Server } from "node:http";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { BerthError } from "../util/errors.js";
import { download } from "./http.js";
import { dbPath } from "./paths.js";
import { openVulnDb } from "./store.js";
import { fixtureEntries, TESTDATA, tempDir, writeMirror } from "./testutil/mirror.js";
import { buildZip } from "./testutil/zipwriter.js";
import { updateDb } from "./update.js";

interface Mirror {
  url: string;
  log: Array<[string, number]>;
  close: () => Promise<void>;
}

/** Serves a directory on 127.0.0.1 like a bucket: ETag, Last-Modified, 304 on If-None-Match. */
async function serve(root: string, opts: { hang?: string } = {}): Promise<Mirror> {
  const log: Array<[string, number]> = [];
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    const reply = (status: number, body?: Buffer, headers: Record<string, string> = {}): void => {
      log.push([path, status]);
      res.writeHead(status, headers);
      res.end(body);
    };
    if (opts.hang && path === opts.hang) {
      log.push([path, 0]);
      res.writeHead(200, { "content-length": "1000" });
      res.write("PK"); // then nothing: the client's idle timeout must fire
      return;
    }
    let body: Buffer;
    try {
      body = readFileSync(join(root, path));
    } catch {
      return reply(404);
    }
    const etag = `"${createHash("sha256").update(body).digest("hex").slice(0, 16)}"`;
    if (req.headers["if-none-match"] === etag) return reply(304);
    reply(200, body, { etag, "last-modified": statSync(join(root, path)).mtime.toUTCString(), "content-length": String(body.length) });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    log,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

test("online update: first run downloads, then ETags make unchanged ecosystems cost one 304", async () => {
  const t = tempDir("http");
  const mirror = join(t.path, "mirror");
  writeMirror(mirror);
  const srv = await serve(mirror);
  try {
    const cacheDir = join(t.path, "cache");
    const first = await updateDb({ cacheDir, source: srv.url });
    assert.deepEqual(first.sources.map((s) => s.status), ["imported", "imported", "imported", "imported", "imported", "imported"]);
    assert.ok(srv.log.some(([p, s]) => p === "/ecosystems.txt" && s === 200));
    assert.equal(first.counts.kev, 6);

    srv.log.length = 0;
    const second = await updateDb({ cacheDir, source: srv.url });
    assert.ok(second.sources.every((s) => s.status === "unchanged"));
    assert.deepEqual(srv.log.filter(([p]) => p.endsWith("all.zip")).map(([, s]) => s), [304, 304, 304, 304, 304]);

    // npm changes upstream: only npm is downloaded and re-imported
    const extra = { name: "PYSEC-2020-341.json", data: readFileSync(join(TESTDATA, "osv/PyPI/PYSEC-2020-341.json")) };
    writeFileSync(join(mirror, "npm", "all.zip"), buildZip([...fixtureEntries("npm"), extra]));
    srv.log.length = 0;
    const third = await updateDb({ cacheDir, source: srv.url });
    assert.deepEqual(third.sources.filter((s) => s.status === "imported").map((s) => s.name), ["npm"]);
    assert.deepEqual(srv.log.filter(([, s]) => s === 200 && s !== undefined).map(([p]) => p).filter((p) => p.endsWith(".zip")), ["/npm/all.zip"]);
    const db = openVulnDb(dbPath(cacheDir));
    const npm = db.metadata().sources.find((s) => s.name === "npm");
    assert.match(npm?.etag ?? "", /^"[0-9a-f]{16}"$/);
    assert.match(npm?.location ?? "", /^http:\/\/127\.0\.0\.1:\d+\/npm\/all\.zip$/);
    db.close();

    // an ecosystem the server does not have is reported; the others still import
    const missing = await updateDb({ cacheDir: join(t.path, "c2"), source: srv.url, ecosystems: ["npm", "Go"] });
    assert.deepEqual(missing.sources.map((s) => [s.name, s.status]), [["Go", "failed"], ["npm", "imported"], ["kev", "imported"]]);
    assert.match(missing.failed[0]?.message ?? "", /HTTP 404/);
  } finally {
    await srv.close();
    t.remove();
  }
});

test("a stalled download times out as a network error and leaves no partial file", async () => {
  const t = tempDir("hang");
  const srv = await serve(t.path, { hang: "/npm/all.zip" });
  try {
    const dest = join(t.path, "out", "all.zip");
    await assert.rejects(
      download(`${srv.url}npm/all.zip`, dest, undefined, { timeoutMs: 200, maxBytes: 1 << 20, limitName: "maxZipBytes" }),
      (e: unknown) => e instanceof BerthError && e.code === "network",
    );
    assert.throws(() => statSync(dest));
  } finally {
    await srv.close();
    t.remove();
  }
});

test("a download larger than its bound stops with the bound's name", async () => {
  const t = tempDir("big");
  writeFileSync(join(t.path, "big.zip"), Buffer.alloc(4096));
  const srv = await serve(t.path);
  try {
    await assert.rejects(
      download(`${srv.url}big.zip`, join(t.path, "x.zip"), undefined, { timeoutMs: 5000, maxBytes: 1000, limitName: "maxZipBytes" }),
      (e: unknown) => e instanceof BerthError && e.code === "limit" && /maxZipBytes=1000/.test(e.message),
    );
  } finally {
    await srv.close();
    t.remove();
  }
});
