// Turns `--source` into local files to import. Three forms, all in OSV's bucket layout (a folder per
// ecosystem holding all.zip, optionally ecosystems.txt at the top):
//   - a directory (an offline mirror),
//   - a zip: either one ecosystem's all.zip, or a zip of the whole layout (<eco>/all.zip entries),
//   - a base URL (default: OSV's public bucket): each all.zip is fetched conditionally (ETag /
//     Last-Modified) into the cache, so an unchanged ecosystem costs one 304.
// KEV comes from <source>/kev/known_exploited_vulnerabilities.json (for OSV's bucket: CISA's feed);
// EPSS from <dir>/epss/epss_scores-current.csv[.gz] or an explicit file/URL.

import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, readFile, readdir, stat } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { pipeline } from "node:stream/promises";
import { Transform } from "node:stream";
import yauzl from "yauzl";
import { BerthError, describeError } from "../util/errors.js";
import { writeFileAtomic } from "../util/atomic.js";
import { download, fetchText, isHttpUrl, type FetchFn, type Validators } from "./http.js";
import { vulnLimitExceeded, type VulnDbLimits } from "./limits.js";
import { sourcesDir } from "./paths.js";

export const OSV_BUCKET_URL = "https://osv-vulnerabilities.storage.googleapis.com/";
export const CISA_KEV_URL = "https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json";
const KEV_PATH = "kev/known_exploited_vulnerabilities.json";

/**
 * Ecosystems fetched from OSV's public bucket when --ecosystems is not given: what container images
 * hold (distributions and language packages). `--ecosystems all` takes every folder listed.
 */
export const DEFAULT_ONLINE_ECOSYSTEMS: readonly string[] = [
  "AlmaLinux", "Alpine", "Bitnami", "Chainguard", "crates.io", "Debian", "Go", "Hex", "Mageia", "Maven", "MinimOS", "npm", "NuGet",
  "openSUSE", "Packagist", "Photon OS", "Pub", "PyPI", "Red Hat", "Rocky Linux", "RubyGems", "SUSE", "Ubuntu", "Wolfi",
];

export interface LocalFile {
  readonly name: string;
  /** Local path to read. */
  readonly path: string;
  /** Where it came from, as shown to the user (path or URL). */
  readonly location: string;
  readonly sha256: string;
  readonly etag?: string;
  readonly lastModified?: string;
}

export interface FailedSource {
  readonly name: string;
  readonly location: string;
  readonly message: string;
}

export interface SourcePlan {
  /** The --source value, resolved. */
  readonly location: string;
  readonly osv: readonly LocalFile[];
  /** Sources that could not be read at all: the previous database's rows for them are kept. */
  readonly failed: readonly FailedSource[];
  readonly kev?: LocalFile;
  readonly epss?: LocalFile;
  /** Temporary files to delete after the import (extracted from a layout zip). */
  readonly cleanup: readonly string[];
}

export interface PlanOptions {
  readonly source: string;
  readonly cacheDir: string;
  /** Ecosystem folders to import; "all" or undefined = see DEFAULT_ONLINE_ECOSYSTEMS. */
  readonly ecosystems?: readonly string[] | "all";
  /** KEV file or URL; false = none; undefined = from the source layout. */
  readonly kev?: string | false;
  /** EPSS CSV file or URL; undefined = <dir>/epss/ when present. */
  readonly epss?: string;
  readonly limits: VulnDbLimits;
  readonly fetch?: FetchFn;
  /** Scratch directory (inside the cache) for files extracted from a layout zip. */
  readonly workDir: string;
}

export async function sha256File(path: string): Promise<string> {
  const h = createHash("sha256");
  for await (const c of createReadStream(path)) h.update(c as Buffer);
  return h.digest("hex");
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Parses ecosystems.txt: one name per line. */
export function parseEcosystemList(text: string): string[] {
  return text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== "" && !l.startsWith("#"));
}

/** A release folder ("Debian:12") is dropped when its base folder ("Debian", holding all releases) is also selected. */
export function selectEcosystems(listed: readonly string[], wanted: readonly string[] | "all" | undefined, defaults?: readonly string[]): string[] {
  let chosen: string[];
  if (wanted !== undefined && wanted !== "all") chosen = [...wanted];
  else if (wanted === undefined && defaults) chosen = listed.filter((e) => defaults.includes(e));
  else chosen = [...listed];
  const set = new Set(chosen);
  return [...set].filter((e) => !(e.includes(":") && set.has(e.slice(0, e.indexOf(":")))));
}

/** A name safe as one path segment ("Red Hat", "Debian:12" → "Red%20Hat", "Debian%3A12"). */
function segment(name: string): string {
  const s = encodeURIComponent(name);
  if (s === "." || s === ".." || s === "") throw new BerthError("input", `bad ecosystem name "${name}"`);
  return s;
}

export async function planSources(opts: PlanOptions): Promise<SourcePlan> {
  const src = opts.source;
  if (isHttpUrl(src)) return planUrl(opts);
  const path = resolve(src);
  const st = await stat(path).catch(() => undefined);
  if (!st) throw new BerthError("not-found", `--source ${src}: no such file or directory`);
  if (st.isDirectory()) return planDir(path, opts, []);
  if (st.isFile()) return planZip(path, opts);
  throw new BerthError("input", `--source ${src}: not a directory, zip or URL`);
}

async function localFile(name: string, path: string): Promise<LocalFile> {
  return { name, path, location: path, sha256: await sha256File(path) };
}

async function extraFile(name: string, spec: string, opts: PlanOptions, fileName: string): Promise<LocalFile | FailedSource> {
  if (isHttpUrl(spec)) return fetchCached(name, spec, fileName, opts);
  const path = resolve(spec);
  if (!(await exists(path))) return { name, location: path, message: "no such file" };
  return localFile(name, path);
}

async function planDir(dir: string, opts: PlanOptions, cleanup: string[]): Promise<SourcePlan> {
  let listed: string[];
  const txt = join(dir, "ecosystems.txt");
  if (await exists(txt)) listed = parseEcosystemList(await readFile(txt, "utf8"));
  else {
    listed = [];
    for (const e of await readdir(dir, { withFileTypes: true })) {
      if (e.isDirectory() && (await exists(join(dir, e.name, "all.zip")))) listed.push(e.name);
    }
    listed.sort();
  }
  const names = selectEcosystems(listed, opts.ecosystems);
  const osv: LocalFile[] = [];
  const failed: FailedSource[] = [];
  for (const name of names) {
    const p = join(dir, name, "all.zip");
    if (await exists(p)) osv.push(await localFile(name, p));
    else failed.push({ name, location: p, message: "no all.zip" });
  }
  let kev: LocalFile | undefined;
  if (opts.kev !== false) {
    const k = await extraFile("kev", opts.kev ?? join(dir, KEV_PATH), opts, "known_exploited_vulnerabilities.json");
    if ("sha256" in k) kev = k;
    else if (opts.kev !== undefined) failed.push(k);
  }
  let epss: LocalFile | undefined;
  const epssSpec = opts.epss ?? (await firstExisting([join(dir, "epss/epss_scores-current.csv.gz"), join(dir, "epss/epss_scores-current.csv")]));
  if (epssSpec !== undefined) {
    const e = await extraFile("epss", epssSpec, opts, "epss_scores-current.csv");
    if ("sha256" in e) epss = e;
    else failed.push(e);
  }
  return { location: dir, osv, failed, ...(kev ? { kev } : {}), ...(epss ? { epss } : {}), cleanup };
}

async function firstExisting(paths: readonly string[]): Promise<string | undefined> {
  for (const p of paths) if (await exists(p)) return p;
  return undefined;
}

// ------------------------------------------------------------------ zip sources

async function planZip(path: string, opts: PlanOptions): Promise<SourcePlan> {
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.openPromise(path, { lazyEntries: true, autoClose: false, validateEntrySizes: true });
  } catch (e) {
    throw new BerthError("corrupt", `--source ${path}: not a readable zip (${describeError(e)})`);
  }
  try {
    if (zip.entryCount > opts.limits.maxZipEntries) throw vulnLimitExceeded("maxZipEntries", opts.limits.maxZipEntries, path);
    const inner: yauzl.Entry[] = [];
    for await (const entry of zip.eachEntry() as AsyncIterable<yauzl.Entry>) {
      const parts = entry.fileName.split("/");
      if ((parts.length === 2 && parts[1] === "all.zip") || entry.fileName === KEV_PATH || entry.fileName === "ecosystems.txt") inner.push(entry);
      if (inner.length === 0 && entry.fileName.endsWith(".json") && !entry.fileName.includes("/")) break; // a plain all.zip
    }
    if (!inner.some((e) => e.fileName.endsWith("/all.zip"))) {
      const name = basename(path) === "all.zip" ? basename(dirname(path)) : basename(path).replace(/\.zip$/i, "");
      if (opts.ecosystems !== undefined && opts.ecosystems !== "all" && !opts.ecosystems.includes(name)) {
        throw new BerthError("usage", `--source ${path} holds only the ecosystem "${name}"`);
      }
      return { location: path, osv: [await localFile(name, path)], failed: [], cleanup: [] };
    }
    // A zip of the whole layout: extract the selected inner files (bounded) to the work dir.
    const byName = new Map(inner.filter((e) => e.fileName.endsWith("/all.zip")).map((e) => [e.fileName.slice(0, -"/all.zip".length), e]));
    const names = selectEcosystems([...byName.keys()].sort(), opts.ecosystems);
    const osv: LocalFile[] = [];
    const failed: FailedSource[] = [];
    for (const name of names) {
      const entry = byName.get(name);
      if (!entry) {
        failed.push({ name, location: `${path}:${name}/all.zip`, message: "no such entry" });
        continue;
      }
      const out = join(opts.workDir, segment(name), "all.zip");
      await extractEntry(zip, entry, out, opts.limits.maxZipBytes, "maxZipBytes", path);
      osv.push({ ...(await localFile(name, out)), location: `${path}:${name}/all.zip` });
    }
    let kev: LocalFile | undefined;
    const kevEntry = inner.find((e) => e.fileName === KEV_PATH);
    if (opts.kev !== false && opts.kev !== undefined) {
      const k = await extraFile("kev", opts.kev, opts, "known_exploited_vulnerabilities.json");
      if ("sha256" in k) kev = k;
      else failed.push(k);
    } else if (opts.kev === undefined && kevEntry) {
      const out = join(opts.workDir, "kev.json");
      await extractEntry(zip, kevEntry, out, opts.limits.maxKevBytes, "maxKevBytes", path);
      kev = { ...(await localFile("kev", out)), location: `${path}:${KEV_PATH}` };
    }
    let epss: LocalFile | undefined;
    if (opts.epss !== undefined) {
      const e = await extraFile("epss", opts.epss, opts, "epss_scores-current.csv");
      if ("sha256" in e) epss = e;
      else failed.push(e);
    }
    return { location: path, osv, failed, ...(kev ? { kev } : {}), ...(epss ? { epss } : {}), cleanup: [opts.workDir] };
  } catch (e) {
    if (e instanceof BerthError) throw e;
    throw new BerthError("corrupt", `--source ${path}: ${describeError(e)}`);
  } finally {
    zip.close();
  }
}

async function extractEntry(zip: yauzl.ZipFile, entry: yauzl.Entry, out: string, max: number, limitName: keyof VulnDbLimits, label: string): Promise<void> {
  if (entry.uncompressedSize > max) throw vulnLimitExceeded(limitName, max, `${label}:${entry.fileName}`);
  await mkdir(dirname(out), { recursive: true });
  const rs = await zip.openReadStreamPromise(entry);
  let n = 0;
  const bound = new Transform({
    transform(chunk: Buffer, _e, cb) {
      n += chunk.length;
      cb(n > max ? vulnLimitExceeded(limitName, max, `${label}:${entry.fileName}`) : null, chunk);
    },
  });
  await pipeline(rs, bound, createWriteStream(out));
}

// ------------------------------------------------------------------ URL sources

interface DownloadStateFile {
  readonly [url: string]: Validators & { readonly sha256?: string };
}

async function readState(cacheDir: string): Promise<Record<string, Validators & { sha256?: string }>> {
  try {
    const v = JSON.parse(await readFile(join(sourcesDir(cacheDir), "state.json"), "utf8")) as unknown;
    return typeof v === "object" && v !== null ? { ...(v as DownloadStateFile) } : {};
  } catch {
    return {};
  }
}

async function writeState(cacheDir: string, state: DownloadStateFile): Promise<void> {
  await mkdir(sourcesDir(cacheDir), { recursive: true });
  await writeFileAtomic(join(sourcesDir(cacheDir), "state.json"), JSON.stringify(state, null, 1));
}

/** Downloads (or revalidates) one URL into the cache and returns the local copy. */
async function fetchCached(name: string, url: string, fileName: string, opts: PlanOptions): Promise<LocalFile | FailedSource> {
  const dest = join(sourcesDir(opts.cacheDir), segment(name), fileName);
  const state = await readState(opts.cacheDir);
  const prev = (await exists(dest)) ? state[url] : undefined;
  const max = name === "kev" ? opts.limits.maxKevBytes : name === "epss" ? opts.limits.maxEpssBytes : opts.limits.maxZipBytes;
  const limitName = name === "kev" ? "maxKevBytes" : name === "epss" ? "maxEpssBytes" : "maxZipBytes";
  try {
    const r = await download(url, dest, prev, { fetch: opts.fetch, timeoutMs: opts.limits.requestTimeoutMs, maxBytes: max, limitName });
    if (r.status === "not-modified" && prev) {
      return { name, path: dest, location: url, sha256: await sha256File(dest), ...validators(prev) };
    }
    if (r.status === "downloaded") {
      const v = validators(r);
      await writeState(opts.cacheDir, { ...(await readState(opts.cacheDir)), [url]: { ...v, sha256: r.sha256 } });
      return { name, path: dest, location: url, sha256: r.sha256, ...v };
    }
    return { name, location: url, message: "server answered 304 without a cached copy" };
  } catch (e) {
    return { name, location: url, message: describeError(e) };
  }
}

function validators(v: Validators): Validators {
  return { ...(v.etag ? { etag: v.etag } : {}), ...(v.lastModified ? { lastModified: v.lastModified } : {}) };
}

async function planUrl(opts: PlanOptions): Promise<SourcePlan> {
  const base = opts.source.endsWith("/") ? opts.source : `${opts.source}/`;
  const official = base === OSV_BUCKET_URL;
  const http = { fetch: opts.fetch, timeoutMs: opts.limits.requestTimeoutMs, maxBytes: opts.limits.maxSmallFileBytes, limitName: "maxSmallFileBytes" };
  let names: string[];
  if (opts.ecosystems !== undefined && opts.ecosystems !== "all") {
    names = selectEcosystems(opts.ecosystems, opts.ecosystems);
  } else {
    const txt = await fetchText(`${base}ecosystems.txt`, http);
    if (txt === undefined) throw new BerthError("not-found", `${base}ecosystems.txt: not found; name the ecosystems with --ecosystems`);
    names = selectEcosystems(parseEcosystemList(txt), opts.ecosystems, official ? DEFAULT_ONLINE_ECOSYSTEMS : undefined);
  }
  const osv: LocalFile[] = [];
  const failed: FailedSource[] = [];
  for (const name of names) {
    const r = await fetchCached(name, `${base}${encodeURIComponent(name)}/all.zip`, "all.zip", opts);
    if ("sha256" in r) osv.push(r);
    else failed.push(r);
  }
  let kev: LocalFile | undefined;
  if (opts.kev !== false) {
    const spec = opts.kev ?? (official ? CISA_KEV_URL : `${base}${KEV_PATH}`);
    const k = await extraFile("kev", spec, opts, "known_exploited_vulnerabilities.json");
    if ("sha256" in k) kev = k;
    else if (opts.kev !== undefined || official || !/HTTP 404/.test(k.message)) failed.push(k);
  }
  let epss: LocalFile | undefined;
  if (opts.epss !== undefined) {
    const e = await extraFile("epss", opts.epss, opts, "epss_scores-current.csv");
    if ("sha256" in e) epss = e;
    else failed.push(e);
  }
  return { location: base, osv, failed, ...(kev ? { kev } : {}), ...(epss ? { epss } : {}), cleanup: [] };
}
