// Test helpers shared by the binary and archive catalogers (go, rust, java): the catalog pipeline
// over a directory or a one-layer image with an explicit cataloger list (so these catalogers are
// exercised exactly as catalog.ts runs them, before the lead registers them), real-tool checks and
// temporary directories.
import { createHash } from "node:crypto";
import { spawnSync } from "node:child_process";
import { lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import tar from "tar-stream";
import { catalogTree, claimsAny, summarizeClaimed, type Inventory } from "../../../catalog.js";
import type { Cataloger } from "../../../cataloger.js";
import { squash } from "../../../../image/filetree.js";
import { readLayer, type LayerFiles } from "../../../../image/layer.js";
import type { Limits } from "../../../../util/limits.js";

/** The files a directory walk keeps for these catalogers (claimed, then summarised), as readDirectory does. */
export function layerOfDirectory(root: string, list: readonly Cataloger[], limits: Limits): LayerFiles {
  const out: LayerFiles = { diffId: "", files: new Map(), symlinks: new Map(), hardlinks: new Map(), whiteouts: [], opaqueDirs: [], warnings: [], entries: 0 };
  const walk = (rel: string): void => {
    for (const name of readdirSync(join(root, rel)).sort()) {
      const path = rel ? `${rel}/${name}` : name;
      const st = lstatSync(join(root, path));
      if (st.isSymbolicLink()) out.symlinks.set(path, readlinkSync(join(root, path)));
      else if (st.isDirectory()) walk(path);
      else if (st.isFile()) {
        const info = { mode: st.mode & 0o7777, size: st.size };
        if (!claimsAny(path, info, list)) continue;
        const kept = summarizeClaimed(path, readFileSync(join(root, path)), info, limits, list);
        if (kept) out.files.set(path, kept);
      }
    }
  };
  walk("");
  return out;
}

/** catalogDirectory with an explicit cataloger list. */
export async function catalogDir(root: string, list: readonly Cataloger[], limits: Limits): Promise<Inventory> {
  const tree = squash([layerOfDirectory(root, list, limits)]);
  for (const [k, n] of tree.nodes) tree.nodes.set(k, n.kind === "file" ? { kind: "file", data: n.data } : { kind: "symlink", target: n.target });
  return catalogTree(tree, limits, list);
}

export interface TarEntry {
  readonly path: string;
  readonly data: Buffer;
  readonly mode?: number;
}

/** An uncompressed layer tar and its diffID. */
export async function layerTar(entries: readonly TarEntry[]): Promise<{ tar: Buffer; diffId: string }> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on("data", (c: unknown) => {
    chunks.push(c as Buffer);
  });
  const done = new Promise<void>((resolve, reject) => {
    pack.on("end", resolve);
    pack.on("error", reject);
  });
  for (const e of entries) pack.entry({ name: e.path, mode: e.mode ?? 0o644, size: e.data.length }, e.data);
  pack.finalize();
  await done;
  const buf = Buffer.concat(chunks);
  return { tar: buf, diffId: `sha256:${createHash("sha256").update(buf).digest("hex")}` };
}

/** Reads a layer through the real layer reader with these catalogers' claims and summaries. */
export async function readLayerWith(entries: readonly TarEntry[], list: readonly Cataloger[], limits: Limits): Promise<LayerFiles> {
  const { tar: buf, diffId } = await layerTar(entries);
  return readLayer(Readable.from([buf]), {
    diffId,
    compression: "none",
    claims: (p, info) => claimsAny(p, info, list),
    summarize: (p, data, info) => summarizeClaimed(p, data, info, limits, list),
    limits,
    what: "test layer",
  });
}

/** The catalog of a one-layer image made of these entries. */
export async function catalogLayer(entries: readonly TarEntry[], list: readonly Cataloger[], limits: Limits): Promise<Inventory> {
  return catalogTree(squash([await readLayerWith(entries, list, limits)]), limits, list);
}

/** Runs a real tool; a missing tool fails with the Debian package to install. */
export function tool(cmd: string, args: readonly string[], opts: { aptPackage: string; cwd?: string; env?: NodeJS.ProcessEnv; input?: string; allowFail?: boolean }): { stdout: string; stderr: string; status: number } {
  const r = spawnSync(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, input: opts.input, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  if (r.error !== undefined) throw new Error(`this test needs \`${cmd}\` (Debian package ${opts.aptPackage}: apt-get install -y ${opts.aptPackage}); ${r.error.message}`);
  if (r.status !== 0 && !opts.allowFail) throw new Error(`${cmd} ${args.join(" ")} exited ${r.status}: ${r.stderr.slice(0, 2000)}`);
  return { stdout: r.stdout, stderr: r.stderr, status: r.status ?? -1 };
}

/** Runs a real tool and returns its standard output as bytes. */
export function toolBytes(cmd: string, args: readonly string[], aptPackage: string): Buffer {
  const r = spawnSync(cmd, args, { maxBuffer: 512 * 1024 * 1024 });
  if (r.error !== undefined) throw new Error(`this test needs \`${cmd}\` (Debian package ${aptPackage}: apt-get install -y ${aptPackage}); ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} exited ${r.status}: ${r.stderr.toString().slice(0, 2000)}`);
  return r.stdout;
}

export function withTempDir<T>(f: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), "berth-lang-"));
  return f(dir).finally(() => rmSync(dir, { recursive: true, force: true }));
}
