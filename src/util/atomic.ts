// Replace-by-rename with fsync: the file is complete on disk before its name points at it, and the
// rename itself is made durable by syncing the directory. A reader sees the old file or the new one.
import { open, rename, unlink, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { randomBytes } from "node:crypto";

export async function fsyncPath(path: string, flags: "r" | "r+" = "r"): Promise<void> {
  const fh = await open(path, flags);
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

export async function atomicReplace(tmp: string, dest: string): Promise<void> {
  await fsyncPath(tmp, "r+");
  await rename(tmp, dest);
  await fsyncPath(dirname(dest)).catch(() => undefined); // some filesystems refuse directory fsync
}

/** A temporary name beside `dest` that stale-file cleanup recognises (".tmp-<pid>-<random>"). */
export function tempPathFor(dest: string): string {
  return join(dirname(dest), `${basename(dest)}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`);
}

export async function writeFileAtomic(dest: string, data: string | Buffer): Promise<void> {
  const tmp = tempPathFor(dest);
  try {
    await writeFile(tmp, data);
    await atomicReplace(tmp, dest);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
}
