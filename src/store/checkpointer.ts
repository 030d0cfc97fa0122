// Background WAL checkpoints for a long-running process on embedded SQLite (the server, `berth
// worker`). By default the connection that commits past 1,000 WAL pages copies them into the database
// and fsyncs it before the commit returns: a re-match writing thousands of findings per batch waited on
// that (at 100,000 images, about half of each batch). Here a thread with its own connection runs
// PASSIVE checkpoints every quarter second — they never block readers or writers — while commits only
// append to the WAL. The writing connection keeps a far larger automatic threshold as a fallback, should
// this thread fall behind or stop.
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

/** WAL pages past which the writing connection checkpoints itself (256 MiB of 4 KiB pages). */
export const FALLBACK_AUTOCHECKPOINT_PAGES = 65_536;

// CommonJS, evaluated in the thread: better-sqlite3 is resolved by the parent (its path is passed in).
const THREAD = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.module);
const db = new Database(workerData.path);
db.pragma("busy_timeout = 5000");
let timer;
const tick = () => {
  try {
    db.pragma("wal_checkpoint(PASSIVE)");
  } catch (e) {
    parentPort.postMessage(String((e && e.message) || e));
  }
  timer = setTimeout(tick, workerData.everyMs);
};
timer = setTimeout(tick, workerData.everyMs);
parentPort.on("message", () => {
  clearTimeout(timer);
  db.close();
  process.exit(0);
});
`;

export interface Checkpointer {
  /** Closes the thread's connection (between checkpoints) and ends the thread. */
  stop(): Promise<void>;
}

export function startCheckpointer(path: string, opts: { readonly everyMs?: number; readonly log?: (msg: string) => void } = {}): Checkpointer {
  const module = createRequire(import.meta.url).resolve("better-sqlite3");
  const worker = new Worker(THREAD, { eval: true, workerData: { path, module, everyMs: opts.everyMs ?? 250 } });
  worker.unref();
  const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
  worker.on("message", (m: unknown) => opts.log?.(`sqlite background checkpoint: ${String(m)}`));
  worker.on("error", (e) => opts.log?.(`sqlite background checkpoint thread failed: ${e.message}; commits checkpoint past ${FALLBACK_AUTOCHECKPOINT_PAGES} WAL pages`));
  return {
    stop: async () => {
      worker.ref(); // until it has closed its connection and exited
      worker.postMessage("stop");
      await exited;
    },
  };
}
