// Air-gapped transfer: `berth db bundle out.tar.zst` packs the live database with a manifest;
// `berth db import bundle.tar.zst` checks it and swaps it in atomically, like an update.
//
// Format: a zstd-compressed tar holding exactly two regular files, in this order:
//   manifest.json   {"format":"berth-vulndb-bundle","version":1,"sha256","bytes","schemaVersion",…}
//   vulndb.sqlite   the database file
// Compression shells out to the `zstd` program (Debian package zstd): no maintained pure-JS zstd
// compressor runs on Node 20 without a native build. Decompression uses fzstd (pure JS), so
// importing a bundle needs no external program.

import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, open, stat, unlink } from "node:fs/promises";
import { once } from "node:events";
import { dirname, resolve } from "node:path";
import { pipeline } from "node:stream/promises";
import { Writable } from "node:stream";
import Database from "better-sqlite3";
import { Decompress } from "fzstd";
import tar from "tar-stream";
import { BerthError, describeError } from "../util/errors.js";
import { atomicReplace, tempPathFor } from "../util/atomic.js";
import { withVulnDbLimits, type VulnDbLimits } from "./limits.js";
import { acquireLock, removeStaleTemps } from "./lock.js";
import { dbDir, dbPath } from "./paths.js";
import { SCHEMA_VERSION } from "./schema.js";
import { openVulnDb, type DbMetadata } from "./store.js";

export const BUNDLE_FORMAT = "berth-vulndb-bundle";
const MANIFEST = "manifest.json";
const DB_ENTRY = "vulndb.sqlite";

export interface BundleManifest {
  readonly format: typeof BUNDLE_FORMAT;
  readonly version: 1;
  readonly schemaVersion: number;
  readonly sha256: string;
  readonly bytes: number;
  readonly builtAt: string;
  readonly updatedAt: string;
  readonly createdAt: string;
  readonly counts: DbMetadata["counts"];
  readonly sources: readonly { readonly name: string; readonly snapshot?: string; readonly records: number }[];
}

export interface BundleOptions {
  readonly cacheDir: string;
  readonly out: string;
  /** zstd program to run (default "zstd" from PATH). */
  readonly zstd?: string;
  readonly level?: number;
  readonly now?: () => Date;
}

export async function createBundle(opts: BundleOptions): Promise<{ out: string; bytes: number; manifest: BundleManifest }> {
  const live = dbPath(opts.cacheDir);
  const db = openVulnDb(live); // validates the file before it is shipped
  const meta = db.metadata();
  db.close();
  // The live file is only ever replaced by rename, so this descriptor reads one consistent snapshot.
  const fh = await open(live, "r");
  const out = resolve(opts.out);
  const tmp = tempPathFor(out);
  try {
    const { size } = await fh.stat();
    const hash = createHash("sha256");
    for await (const c of fh.createReadStream({ start: 0, autoClose: false })) hash.update(c as Buffer);
    const manifest: BundleManifest = {
      format: BUNDLE_FORMAT, version: 1, schemaVersion: meta.schemaVersion, sha256: hash.digest("hex"), bytes: size,
      builtAt: meta.builtAt, updatedAt: meta.updatedAt, createdAt: (opts.now ?? (() => new Date()))().toISOString(), counts: meta.counts,
      sources: meta.sources.map((s) => ({ name: s.name, records: s.records, ...(s.snapshot ? { snapshot: s.snapshot } : {}) })),
    };
    await mkdir(dirname(out), { recursive: true });
    const outFh = await open(tmp, "w");
    const child = spawn(opts.zstd ?? "zstd", ["-q", "-c", `-${opts.level ?? 6}`], { stdio: ["pipe", outFh.fd, "pipe"] });
    let stderr = "";
    child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number>((res, rej) => {
      child.on("error", (e: NodeJS.ErrnoException) =>
        rej(e.code === "ENOENT" ? new BerthError("unsupported", `writing a bundle needs the zstd program (Debian package "zstd"): ${e.message}`) : e),
      );
      child.on("close", (code) => res(code ?? 1));
    });
    const pack = tar.pack();
    const stdin = child.stdin;
    if (stdin === null) throw new Error("zstd: no stdin");
    const piping = pipeline(pack, stdin).catch(() => undefined); // a zstd failure shows in its exit code
    const manifestBytes = Buffer.from(JSON.stringify(manifest, null, 1));
    pack.entry({ name: MANIFEST, size: manifestBytes.length, mode: 0o644 }, manifestBytes);
    const entry = pack.entry({ name: DB_ENTRY, size, mode: 0o644 });
    await pipeline(fh.createReadStream({ start: 0, autoClose: false }), entry);
    pack.finalize();
    await piping;
    const code = await exited;
    await outFh.close();
    if (code !== 0) throw new BerthError("input", `zstd failed (exit ${code}): ${stderr.trim().split("\n")[0] ?? ""}`);
    const { size: bytes } = await stat(tmp);
    await atomicReplace(tmp, out);
    return { out, bytes, manifest };
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw e;
  } finally {
    await fh.close();
  }
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

function parseManifest(text: string, label: string): BundleManifest {
  let m: unknown;
  try {
    m = JSON.parse(text);
  } catch (e) {
    throw new BerthError("corrupt", `${label}: manifest is not JSON (${describeError(e)})`);
  }
  if (!isObject(m) || m.format !== BUNDLE_FORMAT || m.version !== 1) throw new BerthError("input", `${label}: not a berth database bundle`);
  if (typeof m.sha256 !== "string" || !/^[0-9a-f]{64}$/.test(m.sha256) || typeof m.bytes !== "number" || typeof m.schemaVersion !== "number") {
    throw new BerthError("corrupt", `${label}: manifest lacks sha256, bytes or schemaVersion`);
  }
  return m as unknown as BundleManifest;
}

export interface ImportBundleOptions {
  readonly cacheDir: string;
  readonly bundle: string;
  readonly limits?: Partial<VulnDbLimits>;
}

export async function importBundle(opts: ImportBundleOptions): Promise<{ dbPath: string; manifest: BundleManifest }> {
  const limits = withVulnDbLimits(opts.limits);
  const label = resolve(opts.bundle);
  const dir = dbDir(opts.cacheDir);
  await mkdir(dir, { recursive: true });
  const release = await acquireLock(dir);
  const live = dbPath(opts.cacheDir);
  const tmp = tempPathFor(live);
  let swapped = false;
  try {
    await removeStaleTemps(dir);
    let manifest: BundleManifest | undefined;
    let dbSha: string | undefined;
    let dbBytes = 0;
    const extract = tar.extract();
    extract.on("entry", (header, stream, next) => {
      stream.on("error", () => undefined); // the extract stream reports the failure
      const fail = (e: unknown): void => {
        stream.resume();
        extract.destroy(e instanceof Error ? e : new Error(String(e)));
      };
      if (header.type !== "file") return fail(new BerthError("corrupt", `${label}: unexpected ${header.type} entry "${header.name}"`));
      if (header.name === MANIFEST && manifest === undefined) {
        if ((header.size ?? 0) > limits.maxSmallFileBytes) return fail(new BerthError("limit", `${label}: manifest exceeds limit maxSmallFileBytes=${limits.maxSmallFileBytes}`));
        const chunks: Buffer[] = [];
        stream.on("data", (c: unknown) => {
          chunks.push(c as Buffer);
        });
        stream.on("end", () => {
          try {
            manifest = parseManifest(Buffer.concat(chunks).toString("utf8"), label);
            next();
          } catch (e) {
            fail(e);
          }
        });
        return;
      }
      if (header.name === DB_ENTRY && dbSha === undefined) {
        if ((header.size ?? 0) > limits.maxBundleDbBytes) return fail(new BerthError("limit", `${label}: database exceeds limit maxBundleDbBytes=${limits.maxBundleDbBytes}`));
        const hash = createHash("sha256");
        void (async () => {
          const out = await open(tmp, "w");
          try {
            await pipeline(
              stream,
              new Writable({
                write(chunk: Buffer, _enc, cb) {
                  hash.update(chunk);
                  dbBytes += chunk.length;
                  out.write(chunk).then(() => cb(), cb);
                },
              }),
            );
          } finally {
            await out.close();
          }
          dbSha = hash.digest("hex");
        })().then(() => next(), fail);
        return;
      }
      fail(new BerthError("corrupt", `${label}: unexpected entry "${header.name}"`));
    });
    const finished = new Promise<void>((res, rej) => {
      extract.on("finish", res);
      extract.on("error", rej);
    });
    finished.catch(() => undefined);

    let expanded = 0;
    const maxExpanded = limits.maxBundleDbBytes + 2 * limits.maxSmallFileBytes;
    const pending: Uint8Array[] = [];
    const dec = new Decompress((chunk) => {
      pending.push(chunk);
    });
    const flush = async (): Promise<void> => {
      for (const c of pending.splice(0)) {
        expanded += c.length;
        if (expanded > maxExpanded) throw new BerthError("limit", `${label}: expands past limit maxBundleDbBytes=${limits.maxBundleDbBytes}`);
        if (!extract.write(c)) await Promise.race([once(extract, "drain"), finished]);
      }
    };
    try {
      for await (const c of createReadStream(label)) {
        dec.push(c as Buffer);
        await flush();
      }
      dec.push(new Uint8Array(0), true);
      await flush();
    } catch (e) {
      extract.destroy(new Error("aborted"));
      if (e instanceof BerthError) throw e;
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "ENOENT") throw new BerthError("not-found", `${label}: no such file`);
      throw new BerthError("corrupt", `${label}: not a zstd-compressed bundle (${describeError(e)})`);
    }
    extract.end(() => undefined);
    try {
      await finished;
    } catch (e) {
      if (e instanceof BerthError) throw e;
      throw new BerthError("corrupt", `${label}: damaged tar (${describeError(e)})`);
    }
    if (manifest === undefined) throw new BerthError("corrupt", `${label}: no ${MANIFEST}`);
    if (dbSha === undefined) throw new BerthError("corrupt", `${label}: no ${DB_ENTRY}`);
    if (dbSha !== manifest.sha256 || dbBytes !== manifest.bytes) throw new BerthError("digest-mismatch", `${label}: database does not match the manifest's sha256`);
    if (manifest.schemaVersion !== SCHEMA_VERSION) {
      throw new BerthError("unsupported", `${label}: database schema ${manifest.schemaVersion}, this berth reads ${SCHEMA_VERSION}`);
    }
    checkDatabase(tmp, label);
    await atomicReplace(tmp, live);
    swapped = true;
    return { dbPath: live, manifest };
  } finally {
    if (!swapped) await unlink(tmp).catch(() => undefined);
    await release();
  }
}

/** Opens the received file and checks its integrity and schema before it may replace the live one. */
function checkDatabase(path: string, label: string): void {
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    const check = db.pragma("quick_check", { simple: true });
    if (check !== "ok") throw new BerthError("corrupt", `${label}: database fails SQLite quick_check (${String(check)})`);
    const v = db.prepare<[], { value: string }>("SELECT value FROM meta WHERE key = 'schema_version'").get();
    if (v?.value !== String(SCHEMA_VERSION)) throw new BerthError("unsupported", `${label}: database schema ${v?.value ?? "missing"}`);
  } catch (e) {
    if (e instanceof BerthError) throw e;
    throw new BerthError("corrupt", `${label}: not a berth database (${describeError(e)})`);
  } finally {
    db?.close();
  }
}
