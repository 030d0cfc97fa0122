// kill -9 at several points of an update: the previous database must stay intact and readable, and
// the next update must succeed (stale lock and temporary files are cleaned up).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { dbPath } from "./paths.js";
import { openVulnDb } from "./store.js";
import { fixtureCount, TESTDATA, tempDir, writeMirror } from "./testutil/mirror.js";
import { buildZip, type ZipWriterEntry } from "./testutil/zipwriter.js";
import { updateDb } from "./update.js";

const BIG = 8000;
const CHILD = fileURLToPath(new URL("./testutil/crash-child.ts", import.meta.url));

/** A large npm all.zip: the real NSWG-ECO-1 record cloned under new ids and package names. */
function bigNpmZip(n: number): Buffer {
  const base = JSON.parse(readFileSync(join(TESTDATA, "osv/npm/NSWG-ECO-1.json"), "utf8")) as {
    id: string;
    affected: Array<{ package: { name: string } }>;
  };
  const entries: ZipWriterEntry[] = [];
  for (let i = 0; i < n; i += 1) {
    base.id = `NSWG-ECO-${100000 + i}`;
    base.affected[0]!.package.name = `crash-test-pkg-${i}`;
    entries.push({ name: `${base.id}.json`, data: JSON.stringify(base) });
  }
  return buildZip(entries);
}

const sha = (p: string): string => createHash("sha256").update(readFileSync(p)).digest("hex");

/** Runs the child update and kills it with SIGKILL when it reports `phase` (and `minRecords`). */
function runAndKill(cacheDir: string, source: string, phase: string, minRecords = 0): Promise<{ killed: boolean; seen: string[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", CHILD, cacheDir, source], { stdio: ["ignore", "pipe", "pipe"] });
    const seen: string[] = [];
    let buf = "";
    let stderr = "";
    let killed = false;
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.stdout.on("data", (d: Buffer) => {
      buf += d.toString();
      let i: number;
      while ((i = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        const ev = JSON.parse(line) as { phase: string; records?: number };
        seen.push(ev.phase);
        if (!killed && ev.phase === phase && (ev.records ?? 0) >= minRecords) {
          killed = child.kill("SIGKILL");
        }
      }
    });
    child.on("error", reject);
    child.on("close", (code, signal) => {
      if (!killed && code !== 0) reject(new Error(`child failed (${code ?? signal}): ${stderr}`));
      else resolve({ killed: killed && signal === "SIGKILL", seen });
    });
  });
}

test("kill -9 during an update leaves the old database intact; the next update succeeds", { timeout: 120_000 }, async () => {
  const t = tempDir("crash");
  try {
    const cacheDir = join(t.path, "cache");
    const small = join(t.path, "small");
    writeMirror(small);
    const old = await updateDb({ cacheDir, source: small });
    const oldSha = sha(old.dbPath);

    const big = join(t.path, "big");
    writeMirror(big);
    writeFileSync(join(big, "npm", "all.zip"), bigNpmZip(BIG));
    const expectedNew = old.counts.advisories - fixtureCount("npm") + BIG;

    for (const [phase, minRecords] of [["import", 2000], ["finalize", 0]] as const) {
      const r = await runAndKill(cacheDir, big, phase, minRecords);
      assert.ok(r.killed, `the child was killed at ${phase} (saw ${r.seen.join(",")})`);
      assert.equal(sha(dbPath(cacheDir)), oldSha, `database file unchanged after kill at ${phase}`);
      const raw = new Database(dbPath(cacheDir), { readonly: true });
      assert.equal(raw.pragma("integrity_check", { simple: true }), "ok");
      raw.close();
      const db = openVulnDb(dbPath(cacheDir));
      assert.equal(db.lookup("npm", "bassmaster").length, 1);
      assert.equal(db.lookup("npm", "crash-test-pkg-1").length, 0);
      db.close();
    }
    // what the killed runs left behind: a lock and temporary files
    assert.ok(readdirSync(join(cacheDir, "db")).some((n) => n === "update.lock" || n.includes(".tmp-")));

    // kill at the swap: the database is then the old one or the new one, never a mix
    const swap = await runAndKill(cacheDir, big, "swap");
    const db = openVulnDb(dbPath(cacheDir));
    const n = db.metadata().counts.advisories;
    db.close();
    assert.ok(n === old.counts.advisories || n === expectedNew, `advisories ${n} after kill at swap (${swap.seen.join(",")})`);

    const next = await updateDb({ cacheDir, source: big });
    assert.equal(next.counts.advisories, expectedNew);
    assert.deepEqual(readdirSync(join(cacheDir, "db")).filter((x) => x !== "vulndb.sqlite" && x !== "sources"), []);
  } finally {
    t.remove();
  }
});
