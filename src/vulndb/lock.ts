// One update at a time per cache directory. The lock file holds the owner's pid; a lock whose owner
// is gone (killed, crashed) is taken over, so a kill -9 never blocks the next update.
import { open, readFile, readdir, rm, unlink } from "node:fs/promises";
import { join } from "node:path";
import { BerthError } from "../util/errors.js";

const LOCK_FILE = "update.lock";

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

export async function acquireLock(dir: string): Promise<() => Promise<void>> {
  const path = join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      const fh = await open(path, "wx");
      await fh.writeFile(JSON.stringify({ pid: process.pid, startedAt: new Date().toISOString() }));
      await fh.close();
      return async () => {
        await unlink(path).catch(() => undefined);
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      let pid = -1;
      try {
        pid = Number((JSON.parse(await readFile(path, "utf8")) as { pid?: unknown }).pid);
      } catch {
        // unreadable or half-written lock: its writer died between create and write
      }
      if (alive(pid)) throw new BerthError("usage", `another "berth db update" is running (pid ${pid}, lock ${path})`);
      await unlink(path).catch(() => undefined);
    }
  }
  throw new BerthError("usage", `could not take the update lock ${path}`);
}

/** Removes temporary files a killed update left behind. Call only while holding the lock. */
export async function removeStaleTemps(dir: string): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (/\.tmp-\d+-[0-9a-f]+$/.test(name) || /\.part-\d+-[0-9a-f]+$/.test(name)) {
      await rm(join(dir, name), { recursive: true, force: true }).catch(() => undefined);
      removed.push(name);
    }
  }
  return removed;
}
