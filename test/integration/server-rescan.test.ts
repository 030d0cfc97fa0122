// Continuous rescans end to end, with no registry at all: the real Debian 12 demo image is stored as
// scanned against a database of real Debian advisories that lacks one advisory for a package it has;
// `berth db update` (offline, from small OSV zips of real records) then adds that advisory — the
// running server notices the new DB, re-matches only the images with that package, and the finding
// appears without any pull; another update removes it again and the finding is fixed with its date.
// On PostgreSQL the re-match runs in a separate `berth worker` process sharing the queue (the server
// runs no worker).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { scanInventory } from "../../src/scan/scan.js";
import { inventoryTarget, type TargetInventory } from "../../src/scan/inventory.js";
import { renderInventoryJson } from "../../src/sbom/json.js";
import { startServer, type RunningServer } from "../../src/server/index.js";
import { REMATCH_JOB } from "../../src/server/rematch.js";
import { VULNDB_SETTING } from "../../src/server/rescan-db.js";
import { toStoredFinding, toStoredPackages, toStoredVulnerability, vulnDbVersion } from "../../src/server/scan-outcome.js";
import type { Repositories } from "../../src/store/index.js";
import { defaultLimits } from "../../src/util/limits.js";
import { dbPath, defaultVulnDbLimits, openVulnDb, updateDb } from "../../src/vulndb/index.js";
import { openZip, zipEntries } from "../../src/vulndb/zip.js";
import { buildZip, type ZipWriterEntry } from "../../src/vulndb/testutil/zipwriter.js";
import { startPostgres, type TestPostgres } from "../support/postgres.js";

const repo = fileURLToPath(new URL("../../", import.meta.url));
const work = mkdtempSync(join(tmpdir(), "berth-rescan-it-"));
after(() => rmSync(work, { recursive: true, force: true }));

let inv: TargetInventory;
let records: ZipWriterEntry[];
/** The real advisory the "without" mirror lacks, and the vulnerability id its finding carries. */
let advisory: { file: string; id: string; vuln: string; purl: string };

function writeDebianMirror(dir: string, entries: readonly ZipWriterEntry[]): string {
  mkdirSync(join(dir, "Debian"), { recursive: true });
  writeFileSync(join(dir, "Debian", "all.zip"), buildZip(entries));
  writeFileSync(join(dir, "ecosystems.txt"), "Debian\n");
  return dir;
}

before(async () => {
  inv = await inventoryTarget(`oci-archive:${join(repo, "demo", "debian-12.oci.tar")}`, { platform: { os: "linux", architecture: "amd64" }, limits: defaultLimits });
  records = [];
  const { zip } = await openZip(join(repo, "demo", "vulndata", "Debian", "all.zip"), defaultVulnDbLimits);
  for await (const e of zipEntries(zip, "Debian/all.zip", defaultVulnDbLimits)) if (e.kind === "file") records.push({ name: e.name, data: e.data });
  // Which real advisory to hold back: one that alone yields a finding for the demo image.
  const full = join(work, "full");
  await updateDb({ cacheDir: full, source: writeDebianMirror(join(work, "m-full"), records), kev: false });
  const db = openVulnDb(dbPath(full));
  try {
    const image = inv.subject.kind === "image" ? inv.subject.image : undefined;
    const findings = scanInventory({ name: "demo", kind: "image", packages: inv.inventory.packages, ...(inv.inventory.distro ? { distro: inv.inventory.distro } : {}), ...(image ? { image } : {}) }, { db, now: new Date() }).target.findings;
    const pick = findings.find((f) => f.advisories.length === 1 && findings.filter((g) => g.advisories.includes(f.advisories[0]!)).length === 1);
    assert.ok(pick, "the demo image has a finding from a single advisory");
    const file = records.find((r) => JSON.parse(r.data.toString()).id === pick.advisories[0])?.name;
    assert.ok(file);
    advisory = { file, id: pick.advisories[0]!, vuln: pick.id, purl: pick.package.purl };
  } finally {
    db.close();
  }
});

/** Stores the demo image as the scan job does, matched against the DB in `cacheDir`. */
async function storeScanned(repos: Repositories, cacheDir: string, at: Date): Promise<string> {
  const image = inv.subject.kind === "image" ? inv.subject.image : undefined;
  assert.ok(image);
  const digest = image.manifestDigest;
  assert.ok(digest, "the demo image has a manifest digest");
  const distro = inv.inventory.distro;
  await repos.images.ensure({ digest }, at);
  const db = openVulnDb(dbPath(cacheDir));
  try {
    const findings = scanInventory({ name: digest, kind: "image", packages: inv.inventory.packages, ...(distro ? { distro } : {}), image }, { db, now: at }).target.findings;
    await repos.images.saveScan(
      {
        digest,
        distro: "debian-12",
        inventoryJson: renderInventoryJson({ subject: inv.subject, ...(distro ? { distro } : {}), packages: inv.inventory.packages, unknowns: [], timestamp: at, tool: { name: "berth", version: "test" } }),
        packages: toStoredPackages(inv.inventory.packages, distro),
        vulnerabilities: findings.map(toStoredVulnerability),
        findings: findings.map(toStoredFinding),
        dbVersion: vulnDbVersion(db),
      },
      at,
    );
  } finally {
    db.close();
  }
  return digest;
}

async function until<T>(what: string, check: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface FindingView {
  id: string;
  state: string;
  firstSeen: string;
  fixedAt: string | null;
  package: { purl: string };
}

const DRIVER = `import { main } from "./src/cli/main.ts";
const args = process.argv.slice(1);
if (args[0] === "--") args.shift();
process.exitCode = await main(["node", "berth", ...args]);`;

function suite(label: string, databaseUrl: () => Promise<string | undefined>): void {
  describe(`continuous rescans on ${label}`, () => {
    let server: RunningServer;
    let worker: ChildProcess | undefined;
    let workerLog = "";
    let token: string;
    const cacheDir = join(work, label, "cache");
    const without = () => writeDebianMirror(join(work, label, "m-without"), records.filter((r) => r.name !== advisory.file));

    before(async () => {
      const url = await databaseUrl();
      await updateDb({ cacheDir, source: without(), kev: false });
      server = await startServer({
        dataDir: join(work, label, "data"),
        ...(url ? { databaseUrl: url } : {}),
        host: "127.0.0.1",
        port: 0,
        insecureRegistries: [],
        cacheDir,
        platform: { os: "linux", architecture: "amd64" },
        limits: defaultLimits,
        // PostgreSQL: no worker in the server; a `berth worker` process takes the jobs.
        concurrency: url ? 0 : 1,
        pollMs: 100,
        dbPollMs: 100,
        rescan: { intervalMs: 0, pushedWithinMs: 0, pulledWithinMs: 0, running: true },
        log: () => undefined,
      });
      if (url) {
        worker = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", DRIVER, "--", "worker", "--database-url", url, "--cache-dir", cacheDir, "--name", "it-worker", "--concurrency", "1"], {
          cwd: repo,
          env: { ...process.env, BERTH_DATA_DIR: "" },
          stdio: ["ignore", "ignore", "pipe"],
        });
        worker.stderr?.on("data", (c: Buffer) => (workerLog += c.toString()));
        await until("the worker to start", async () => (workerLog.includes("taking jobs") ? true : worker?.exitCode !== null ? Promise.reject(new Error(workerLog)) : undefined));
      }
      token = (await server.repos.tokens.create("read", "test", new Date())).token;
    });
    after(async () => {
      if (worker && worker.exitCode === null) {
        worker.kill("SIGTERM");
        await new Promise((r) => worker?.once("exit", r));
      }
      await server?.close();
    });

    const findings = async (digest: string): Promise<FindingView[]> => {
      const r = await fetch(`${server.url}/api/v1/images/${digest}?include=fixed`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(r.status, 200);
      return ((await r.json()) as { findings: FindingView[] }).findings;
    };

    test("a DB update adding a real advisory: the finding appears without a pull; removing it fixes the finding with the date", async () => {
      const digest = await storeScanned(server.repos, cacheDir, new Date());
      assert.equal((await findings(digest)).some((f) => f.id === advisory.vuln), false, `${advisory.vuln} not found before the update`);
      // The server records the DB it started with as the baseline.
      await until("the baseline DB version", async () => server.repos.rescan.getSetting(VULNDB_SETTING));

      await updateDb({ cacheDir, source: writeDebianMirror(join(work, label, "m-with"), records), kev: false });
      const added = await until(`${advisory.vuln} to appear`, async () => (await findings(digest)).find((f) => f.id === advisory.vuln && f.state === "open"));
      assert.equal(added.package.purl, advisory.purl);
      const jobs = (await server.repos.jobs.list()).filter((j) => j.kind === REMATCH_JOB);
      assert.equal(jobs.length, 1, "one re-match job for the one image holding the package");
      assert.equal(jobs[0]?.status, "done");
      const payload = JSON.parse(jobs[0]!.payload_json) as { digests: string[]; packages: string[]; reason: string };
      assert.deepEqual(payload.digests, [digest]);
      assert.equal(payload.reason, "db-update");
      if (worker) assert.equal(jobs[0]?.worker, "it-worker", "the berth worker process took the job the server enqueued");
      const image = await server.repos.images.get(digest);
      assert.equal(image?.scan_status, "scanned");
      assert.equal((await server.repos.registry.eventCount()), 0, "no registry was involved");

      await updateDb({ cacheDir, source: without(), kev: false });
      const fixed = await until(`${advisory.vuln} to be fixed`, async () => (await findings(digest)).find((f) => f.id === advisory.vuln && f.state === "fixed"));
      assert.ok(fixed.fixedAt && Date.parse(fixed.fixedAt) >= Date.parse(added.firstSeen));
      assert.equal(fixed.firstSeen, added.firstSeen);
      // Every other finding stayed as it was.
      assert.ok((await findings(digest)).filter((f) => f.id !== advisory.vuln).every((f) => f.state === "open"));
      if (worker) {
        worker.kill("SIGTERM");
        const code = await new Promise((r) => worker?.once("exit", r));
        assert.equal(code, 0, workerLog);
        assert.match(workerLog, /stopped/);
      }
    });
  });
}

suite("SQLite", async () => undefined);

let pg: TestPostgres | undefined;
after(async () => {
  await pg?.stop();
});
suite("PostgreSQL", async () => {
  pg = await startPostgres();
  return pg.createDatabase("berth_rescan_it");
});
