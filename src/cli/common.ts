// What every command shares: global flags, the logger (stderr), atomic output files, limits.
import { stat, writeFile } from "node:fs/promises";
import { writeFileAtomic } from "../util/atomic.js";
import { hostPlatform, parsePlatformString } from "../image/manifest.js";
import type { Platform } from "../model/image.js";
import { resolveCacheDir } from "../util/cache-dir.js";
import { BerthError } from "../util/errors.js";
import { withLimits, type Limits } from "../util/limits.js";

export const ExitCode = { ok: 0, policy: 1, input: 2, internal: 3 } as const;

export interface Io {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
  readonly env: NodeJS.ProcessEnv;
}

export const processIo: Io = { stdout: process.stdout, stderr: process.stderr, env: process.env };

export function logger(io: Io, quiet = false): (msg: string) => void {
  return (msg) => {
    if (!quiet) io.stderr.write(`${msg}\n`);
  };
}

/** A one-line progress display on a TTY stderr; nothing otherwise. */
export function progress(io: Io): { update(text: string): void; done(): void } {
  if (!io.stderr.isTTY) return { update() {}, done() {} };
  let shown = false;
  return {
    update(text) {
      shown = true;
      io.stderr.write(`\r\x1b[K${text}`);
    },
    done() {
      if (shown) io.stderr.write("\r\x1b[K");
    },
  };
}

/**
 * Writes stdout, or a file atomically (temp file beside it, fsync, rename). A path that names no
 * regular file — /dev/null, /dev/stdout, a FIFO — is written in place: renaming over it would
 * replace the device with a file.
 */
export async function writeOutput(io: Io, text: string, file: string | undefined): Promise<void> {
  if (!file || file === "-") {
    io.stdout.write(text);
    return;
  }
  try {
    const st = await stat(file).catch(() => undefined);
    if (st && !st.isFile()) await writeFile(file, text);
    else await writeFileAtomic(file, text);
  } catch (e) {
    throw new BerthError("input", `cannot write ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
}

export function parsePlatformOption(value: string | undefined): Platform {
  return value ? parsePlatformString(value) : hostPlatform();
}

function parseSize(value: string, flag: string): number {
  const m = /^(\d+)\s*([kmgt]i?b?|b)?$/i.exec(value.trim());
  if (!m) throw new BerthError("usage", `${flag}: invalid size "${value}" (e.g. 512MiB, 8GiB)`);
  const unit = (m[2] ?? "b").toLowerCase()[0]!;
  const mult = { b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 }[unit] ?? 1;
  return Number(m[1]) * mult;
}

function parseCount(value: string, flag: string): number {
  if (!/^\d+$/.test(value)) throw new BerthError("usage", `${flag}: expected a whole number, got "${value}"`);
  return Number(value);
}

export interface ImageFlags {
  platform?: string;
  insecure?: boolean;
  cacheDir?: string;
  cache?: boolean;
  maxLayerSize?: string;
  maxLayerEntries?: string;
  maxFileSize?: string;
}

export function limitsFromFlags(f: ImageFlags): Limits {
  return withLimits({
    ...(f.maxLayerSize ? { maxLayerExpandedBytes: parseSize(f.maxLayerSize, "--max-layer-size") } : {}),
    ...(f.maxLayerEntries ? { maxLayerEntries: parseCount(f.maxLayerEntries, "--max-layer-entries") } : {}),
    ...(f.maxFileSize ? { maxFileBytes: parseSize(f.maxFileSize, "--max-file-size") } : {}),
  });
}

export function cacheDirFromFlags(f: ImageFlags, env: NodeJS.ProcessEnv): string | undefined {
  return f.cache === false ? undefined : resolveCacheDir({ ...(f.cacheDir ? { cacheDir: f.cacheDir } : {}), env });
}
