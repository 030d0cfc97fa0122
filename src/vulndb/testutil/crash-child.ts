// Child process for the kill -9 test: runs one update and prints each progress event as a JSON line,
// so the parent can kill it at a chosen point. Usage: crash-child.ts <cacheDir> <source>
import { updateDb } from "../update.js";

const [cacheDir, source] = process.argv.slice(2);
if (!cacheDir || !source) throw new Error("usage: crash-child.ts <cacheDir> <source>");
await updateDb({
  cacheDir,
  source,
  onProgress: (p) => {
    process.stdout.write(`${JSON.stringify(p)}\n`);
  },
});
process.stdout.write('{"phase":"done"}\n');
