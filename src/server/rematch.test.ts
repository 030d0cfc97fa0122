// The fleet-scale re-match (rematch.ts: verdicts per (ecosystem, name, version) shared by the run,
// findings composed only where a verdict changed, from the stored package rows) stores exactly what
// matching each whole stored inventory again stores (the per-image path: parse the inventory,
// scanInventory, images.saveMatch), step by step through DB updates that fix, re-open and change
// findings — single- and multi-layer images (base-image remediation reads all of an image's findings),
// a language package an OS package owns, scoped (incremental) and full jobs — on SQLite and PostgreSQL.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startPostgres, type TestPostgres } from "../../test/support/postgres.js";
import type { ImageMetadata } from "../model/image.js";
import type { Package } from "../model/package.js";
import { scanInventory } from "../scan/scan.js";
import { renderInventoryJson } from "../sbom/json.js";
import { openStore, repositories, type Repositories, type StoreLocation } from "../store/index.js";
import { dbPath, openVulnDb, updateDb } from "../vulndb/index.js";
import { buildZip } from "../vulndb/testutil/zipwriter.js";
import { fixtureEntries, writeMirror } from "../vulndb/testutil/mirror.js";
import { parseRematchPayload, parseStoredInventory, rematchJobs, runRematchJob } from "./rematch.js";
import { toMatchImageJson, toStoredFinding, toStoredPackages, toStoredVulnerability, vulnDbVersion, withStoredBaseRemediation } from "./scan-outcome.js";

const T0 = new Date("2026-11-20T12:00:00.000Z");
const at = (h: number) => new Date(T0.getTime() + h * 3_600_000);
const digest = (c: string) => `sha256:${c.repeat(64)}`;
const work = mkdtempSync(join(tmpdir(), "berth-rematch-"));
after(() => rmSync(work, { recursive: true, force: true }));

// Real records: "without" lacks DEBIAN-CVE-2023-27534 (curl < 7.88.1-7); both have nghttp2's DEBIAN-CVE-2023-44487 and lodash's GHSAs.
const withoutDir = join(work, "db-without");
const withDir = join(work, "db-with");
before(async () => {
  writeMirror(join(work, "m-without"), { rawZip: { Debian: buildZip(fixtureEntries("Debian").filter((e) => e.name !== "DEBIAN-CVE-2023-27534.json")) } });
  writeMirror(join(work, "m-with"));
  await updateDb({ cacheDir: withoutDir, source: join(work, "m-without") });
  await updateDb({ cacheDir: withDir, source: join(work, "m-with") });
});

const DEBIAN = { id: "debian", versionId: "12" };
const L0 = `sha256:${"a".repeat(64)}`;
const L1 = `sha256:${"b".repeat(64)}`;
const deb = (name: string, version: string, source: string, layer: string, files?: string[]): Package => ({
  type: "deb", name, version, purl: `pkg:deb/debian/${name}@${version}?arch=amd64&distro=debian-12`, sourceName: source, sourceVersion: version,
  licenses: [], locations: [{ path: "/var/lib/dpkg/status", layerDigest: layer }], foundBy: "dpkg-status", ...(files ? { files } : {}),
});
const npm = (name: string, version: string, path: string, layer: string): Package => ({
  type: "npm", name, version, purl: `pkg:npm/${name}@${version}`, licenses: [], locations: [{ path, layerDigest: layer }], foundBy: "npm-package",
});
function image(d: string, layers: string[], labels: Record<string, string> = {}): ImageMetadata {
  return {
    reference: `registry:reg.example/app@${d}`, tags: [], manifestDigest: d,
    layers: layers.map((l, i) => ({ digest: `sha256:${String(i).repeat(64)}`, diffId: l, mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", size: 100, createdBy: i === 0 ? "debootstrap" : "RUN apt-get install -y curl" })),
    config: { env: [], entrypoint: [], cmd: [], labels, history: [] },
  };
}

const ONE_LAYER = (d: string): { d: string; image: ImageMetadata; packages: Package[] } => ({
  d,
  image: image(d, [L0]),
  packages: [deb("libcurl4", "7.88.1-6", "curl", L0), deb("libnghttp2-14", "1.52.0-1", "nghttp2", L0), deb("zlib1g", "1:1.2.13.dfsg-1", "zlib", L0), npm("lodash", "4.17.15", "/app/node_modules/lodash/package.json", L0)],
});
/**
 * The fleet: one layer (three alike, so an incremental job writes them as one group; one of them is
 * scanned again in between and lacks the others' fixed rows); two layers with curl added on top of a
 * base holding nghttp2; everything in the base; fixed versions and an OS-owned npm package; the
 * one-layer packages plus curl at a version of its own (its libcurl4 shares the one-layer images'
 * plan, its curl has one of its own).
 */
const FLEET: { d: string; image: ImageMetadata; packages: Package[] }[] = [
  ONE_LAYER(digest("1")),
  ONE_LAYER(digest("5")),
  ONE_LAYER(digest("6")),
  { d: digest("2"), image: image(digest("2"), [L0, L1], { "org.opencontainers.image.base.name": "debian:12" }), packages: [deb("libnghttp2-14", "1.52.0-1", "nghttp2", L0), deb("curl", "7.88.1-6", "curl", L1), deb("libcurl4", "7.88.1-6", "curl", L1)] },
  { d: digest("3"), image: image(digest("3"), [L0, L1]), packages: [deb("libcurl4", "7.88.1-6", "curl", L0), deb("libnghttp2-14", "1.52.0-1", "nghttp2", L0), npm("lodash", "4.17.20", "/srv/node_modules/lodash/package.json", L1)] },
  {
    d: digest("4"),
    image: image(digest("4"), [L0]),
    packages: [deb("libcurl4", "7.88.1-7", "curl", L0), deb("libnghttp2-14", "1.52.0-1+deb12u1", "nghttp2", L0), deb("node-lodash", "4.17.15", "node-lodash", L0, ["usr/share/nodejs/lodash/package.json"]), npm("lodash", "4.17.15", "/usr/share/nodejs/lodash/package.json", L0)],
  },
  { ...ONE_LAYER(digest("7")), packages: [...ONE_LAYER(digest("7")).packages, deb("curl", "7.88.1-5", "curl", L0)] },
];

async function storeScanned(r: Repositories, cacheDir: string, when: Date, only?: string): Promise<void> {
  const db = openVulnDb(dbPath(cacheDir));
  try {
    for (const img of FLEET.filter((f) => only === undefined || f.d === only)) {
      await r.images.ensure({ digest: img.d }, when);
      const findings = scanInventory({ name: img.d, kind: "image", packages: img.packages, distro: DEBIAN, image: img.image }, { db, now: when }).target.findings;
      await r.images.saveScan(
        {
          digest: img.d,
          distro: "debian-12",
          inventoryJson: renderInventoryJson({ subject: { kind: "image", image: img.image }, distro: DEBIAN, packages: img.packages, unknowns: [], timestamp: when, tool: { name: "berth", version: "test" } }),
          matchImageJson: toMatchImageJson(DEBIAN, img.image),
          packages: toStoredPackages(img.packages, DEBIAN),
          vulnerabilities: findings.map(toStoredVulnerability),
          findings: findings.map(toStoredFinding),
          dbVersion: vulnDbVersion(db),
        },
        when,
      );
    }
  } finally {
    db.close();
  }
}

/** The per-image path: each whole stored inventory parsed and matched again, stored with saveMatch. */
async function perImageRematch(r: Repositories, cacheDir: string, when: Date): Promise<void> {
  const db = openVulnDb(dbPath(cacheDir));
  try {
    for (const inv of await r.rescan.inventories(FLEET.map((f) => f.d))) {
      const parsed = parseStoredInventory(inv.inventoryJson, inv.digest);
      const notMatched = new Set(inv.packages.filter((p) => p.matchEcosystem === "").map((p) => p.purl));
      const packages = parsed.packages.filter((p) => !notMatched.has(p.purl));
      const findings = scanInventory({ name: inv.digest, kind: "image", packages, ...(parsed.distro ? { distro: parsed.distro } : {}), ...(parsed.image ? { image: parsed.image } : {}) }, { db, now: when }).target.findings;
      await r.images.saveMatch({ digest: inv.digest, findings: findings.map(toStoredFinding), vulnerabilities: findings.map(toStoredVulnerability), dbVersion: vulnDbVersion(db) }, when);
    }
  } finally {
    db.close();
  }
}

async function setBasedRematch(r: Repositories, cacheDir: string, when: Date, packages?: string[], batchSize = 3): Promise<{ shared: number }> {
  let shared = 0;
  for (const job of rematchJobs(FLEET.map((f) => f.d), { reason: "test", batchSize, ...(packages ? { packages } : {}) })) {
    shared += (await runRematchJob(r, { cacheDir, log: () => undefined }, parseRematchPayload(JSON.stringify(job.payload)), () => when)).shared;
  }
  return { shared };
}

async function findingRows(r: Repositories): Promise<unknown[]> {
  return r.store.db.selectFrom("findings").selectAll().orderBy("image_digest").orderBy("vulnerability_id").orderBy("package_purl").execute();
}

function suite(name: string, locations: () => Promise<[StoreLocation, StoreLocation]>): void {
  describe(`set-based re-match equals the per-image path on ${name}`, () => {
    let fleet: Repositories;
    let reference: Repositories;
    before(async () => {
      const [a, b] = await locations();
      fleet = repositories(await openStore(a));
      reference = repositories(await openStore(b));
    });
    after(async () => {
      await fleet?.store.close();
      await reference?.store.close();
    });

    test("scan, fix, re-confirm, re-open by an incremental job, full again: the same findings rows", async () => {
      await storeScanned(fleet, withDir, at(0));
      await storeScanned(reference, withDir, at(0));
      const same = async (step: string) => assert.deepEqual(await findingRows(fleet), await findingRows(reference), step);
      await same("scanned");
      const open = async () => (await findingRows(fleet)).filter((f) => (f as { state: string }).state === "open").length;
      const scanned = await open();

      // The curl advisory disappears: curl findings are fixed; image 2's nghttp2 finding now is the
      // only fixable one and comes from the base, so its remediation says to rebuild on debian:12.
      await setBasedRematch(fleet, withoutDir, at(1));
      await perImageRematch(reference, withoutDir, at(1));
      await same("DB without the curl advisory");
      assert.ok((await open()) < scanned, "curl findings fixed");
      // Stored without the note (it depends on the image's other findings); applied when read, as the API does.
      const img2 = (await fleet.images.findings(digest("2"))).find((f) => f.package_name === "libnghttp2-14");
      assert.doesNotMatch(img2?.data_json ?? "", /rebuild/);
      const read = withStoredBaseRemediation(await fleet.images.findings(digest("2")), (await fleet.images.get(digest("2")))?.match_image_json ?? null);
      assert.match(read.find((f) => f.package_name === "libnghttp2-14")?.data_json ?? "", /from the base image \(debian:12\): rebuild on a newer base image/);

      // Image 6 is scanned again: it has no curl rows at all now, the other one-layer images have fixed ones.
      await storeScanned(fleet, withoutDir, at(1.5), digest("6"));
      await storeScanned(reference, withoutDir, at(1.5), digest("6"));
      // The same DB again: nothing changes (and the fleet path writes nothing but image 6's verdict hashes).
      await setBasedRematch(fleet, withoutDir, at(2));
      await perImageRematch(reference, withoutDir, at(2));
      await same("same DB");
      // Every matched package now records the verdict its findings reflect (the next run skips it while unchanged).
      const unhashed = await fleet.store.db.selectFrom("package_verdicts").select("purl").where("verdict_hash", "is", null).execute();
      assert.deepEqual(unhashed, []);

      // The advisory is back, re-matched incrementally for curl only: re-opened, and image 2's base remediation is gone.
      const grouped = await setBasedRematch(fleet, withDir, at(3), ["Debian:12\ncurl"], 100);
      await perImageRematch(reference, withDir, at(3));
      await same("incremental, curl");
      assert.equal(await open(), scanned);
      // libcurl4 in the base layer L0 of the three one-layer images, of image 3 and of image 7 (whose
      // curl is at a version of its own): one plan, five images.
      assert.equal(grouped.shared, 4, "the same changed package in alike images is composed once");
      const reread = withStoredBaseRemediation(await fleet.images.findings(digest("2")), (await fleet.images.get(digest("2")))?.match_image_json ?? null);
      assert.doesNotMatch(reread.find((f) => f.package_name === "libnghttp2-14")?.data_json ?? "", /rebuild/);

      await setBasedRematch(fleet, withDir, at(4));
      await perImageRematch(reference, withDir, at(4));
      await same("full, same DB");
      assert.deepEqual(
        await fleet.store.db.selectFrom("vulnerabilities").selectAll().orderBy("id").execute(),
        await reference.store.db.selectFrom("vulnerabilities").selectAll().orderBy("id").execute(),
      );
      // The OS-owned npm package of image 4 is never matched.
      assert.ok(!(await fleet.images.findings(digest("4"))).some((f) => f.package_purl.startsWith("pkg:npm/")));
    });

    test("a new scan without the image context (as before 0005): the next re-match reads the inventory once and matches it", async () => {
      const img = FLEET[0]!;
      const packages = [deb("libcurl4", "7.88.1-6", "curl", L0)];
      for (const r of [fleet, reference]) {
        const db = openVulnDb(dbPath(withDir));
        try {
          const findings = scanInventory({ name: img.d, kind: "image", packages, distro: DEBIAN, image: img.image }, { db, now: at(5) }).target.findings;
          await r.images.saveScan({ digest: img.d, distro: "debian-12", inventoryJson: renderInventoryJson({ subject: { kind: "image", image: img.image }, distro: DEBIAN, packages, unknowns: [], timestamp: at(5), tool: { name: "berth", version: "test" } }), packages: toStoredPackages(packages, DEBIAN), vulnerabilities: findings.map(toStoredVulnerability), findings: findings.map(toStoredFinding) }, at(5));
        } finally {
          db.close();
        }
      }
      await setBasedRematch(fleet, withoutDir, at(6));
      await perImageRematch(reference, withoutDir, at(6));
      assert.deepEqual(await findingRows(fleet), await findingRows(reference));
    });
  });
}

suite("SQLite", async () => [
  { kind: "sqlite", path: join(work, "fleet.sqlite") },
  { kind: "sqlite", path: join(work, "reference.sqlite") },
]);

let pg: TestPostgres | undefined;
after(async () => {
  await pg?.stop();
});
suite("PostgreSQL", async () => {
  pg = await startPostgres();
  return [
    { kind: "postgres", url: await pg.createDatabase("berth_rematch_fleet") },
    { kind: "postgres", url: await pg.createDatabase("berth_rematch_reference") },
  ];
});
