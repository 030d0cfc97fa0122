// Test support for the language catalogers (python, ruby, php, dotnet): builds one filesystem
// from real directories and/or in-memory files, keeps what the given catalogers claim, and runs
// the real catalog stage (squash → catalogTree → merge) with only those catalogers — the same path
// an image or `berth sbom fs` takes, before the lead registers them in catalog.ts.
import { execFileSync } from "node:child_process";
import { lstatSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { LayerFiles } from "../../../image/layer.js";
import { squash } from "../../../image/filetree.js";
import { withLimits, type Limits } from "../../../util/limits.js";
import { catalogTree, type Inventory } from "../../catalog.js";
import type { CatalogEnv, CatalogFile, Cataloger } from "../../cataloger.js";

export type Source = string | Readonly<Record<string, string | Buffer>>;

function walk(root: string, rel: string, out: Map<string, Buffer>, claims: (p: string, size: number) => boolean): void {
  for (const name of readdirSync(join(root, rel)).sort()) {
    const path = rel ? `${rel}/${name}` : name;
    const st = lstatSync(join(root, path));
    if (st.isDirectory()) walk(root, path, out, claims);
    else if (st.isFile() && claims(path, st.size)) out.set(path, readFileSync(join(root, path)));
  }
}

/** Runs `list` over the union of the sources (later sources overwrite earlier ones). */
export async function catalogSources(sources: readonly Source[], list: readonly Cataloger[], opts: { limits?: Limits; layerDigest?: string } = {}): Promise<Inventory> {
  const files = new Map<string, Buffer>();
  const claims = (p: string, size: number) => list.some((c) => c.claims(p, { mode: 0o644, size }));
  for (const s of sources) {
    if (typeof s === "string") walk(s, "", files, claims);
    else for (const [p, d] of Object.entries(s)) if (claims(p, d.length)) files.set(p, Buffer.isBuffer(d) ? d : Buffer.from(d));
  }
  const layer: LayerFiles = { diffId: opts.layerDigest ?? "", files, symlinks: new Map(), hardlinks: new Map(), whiteouts: [], opaqueDirs: [], warnings: [], entries: files.size };
  return catalogTree(squash([layer]), opts.limits ?? withLimits(), list);
}

/** A CatalogEnv over in-memory files, for calling one parser directly. */
export function memoryEnv(files: Readonly<Record<string, string | Buffer>> = {}, limits: Limits = withLimits()): CatalogEnv {
  const keys = Object.keys(files).sort();
  return {
    limits,
    read: (p): CatalogFile | undefined => (files[p] === undefined ? undefined : { path: p, data: Buffer.from(files[p]!) }),
    list: (prefix) => keys.filter((k) => k.startsWith(prefix)),
  };
}

export function fileOf(path: string, data: string | Buffer, layerDigest?: string): CatalogFile {
  return { path, data: Buffer.isBuffer(data) ? data : Buffer.from(data), ...(layerDigest ? { layerDigest } : {}) };
}

/** Runs a real tool the tests take their truth from; a missing tool fails with a clear message. */
export function runTool(cmd: string, args: readonly string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): string {
  try {
    return execFileSync(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 * 1024 * 1024 }).toString();
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: Buffer };
    if (err.code === "ENOENT") throw new Error(`${cmd} is required by this test (the CI setup installs it with apt-get); not found on PATH`);
    throw new Error(`${cmd} ${args.slice(0, 2).join(" ")} failed: ${err.stderr?.toString().slice(0, 2000) ?? err.message}`);
  }
}

/** python3 -c SCRIPT ARGS… → parsed JSON of its stdout. */
export function python3Json<T>(script: string, args: readonly string[] = []): T {
  return JSON.parse(runTool("python3", ["-c", script, ...args])) as T;
}
