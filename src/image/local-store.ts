// Where a local source's files live: a directory on disk, or members of an uncompressed tar.
// OCI layout and OCI archive share the same layout logic over either.
import { createReadStream } from "node:fs";
import { lstat, open, realpath } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import type { Readable } from "node:stream";
import { BerthError } from "../util/errors.js";
import { indexTar, openMember, readMember, type TarIndex } from "./tar-index.js";
import type { Limits } from "../util/limits.js";

export interface FileStore {
  /** Reads a small file fully, refusing more than maxBytes. */
  read(path: string, maxBytes: number): Promise<Buffer>;
  open(path: string): Promise<{ stream: Readable; size: number }>;
  exists(path: string): Promise<boolean>;
  close(): Promise<void>;
}

/** A directory; paths are relative and must stay inside it (symlinks out of it are refused). */
export function dirStore(root: string, what: string): FileStore {
  async function inside(path: string): Promise<string> {
    const full = join(root, path);
    let real: string;
    try {
      real = await realpath(full);
    } catch (e) {
      throw new BerthError("not-found", `${what}: missing ${path} (${(e as NodeJS.ErrnoException).code ?? "error"})`);
    }
    const rootReal = await realpath(root);
    const rel = relative(rootReal, real);
    if (rel.startsWith("..") || rel.startsWith(sep)) throw new BerthError("unsafe-path", `${what}: ${path} resolves outside the layout`);
    return real;
  }
  return {
    async read(path, maxBytes) {
      const real = await inside(path);
      const fh = await open(real, "r");
      try {
        const { size } = await fh.stat();
        if (size > maxBytes) throw new BerthError("limit", `${what}: ${path} is ${size} bytes, above the limit of ${maxBytes}`);
        return await fh.readFile();
      } finally {
        await fh.close();
      }
    },
    async open(path) {
      const real = await inside(path);
      const { size } = await lstat(real);
      return { stream: createReadStream(real, { highWaterMark: 256 * 1024 }), size };
    },
    async exists(path) {
      try {
        await inside(path);
        return true;
      } catch {
        return false;
      }
    },
    async close() {},
  };
}

export function tarStore(index: TarIndex, what: string): FileStore {
  return {
    read: (path, maxBytes) => readMember(index, path, maxBytes, what),
    open: async (path) => openMember(index, path, what),
    exists: async (path) => index.members.has(path),
    async close() {},
  };
}

export async function openTarStore(file: string, limits: Limits, what: string): Promise<FileStore> {
  return tarStore(await indexTar(file, limits, what), what);
}

export function blobPath(digest: string): string {
  const [alg, hex] = digest.split(":");
  return `blobs/${alg}/${hex}`;
}
