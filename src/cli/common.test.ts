import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, statSync, writeFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeOutput, processIo } from "./common.js";

test("an output file is replaced atomically, leaving no temporary file", async () => {
  const dir = mkdtempSync(join(tmpdir(), "berth-out-"));
  const f = join(dir, "report.json");
  writeFileSync(f, "old");
  await writeOutput(processIo, "new\n", f);
  assert.equal(readFileSync(f, "utf8"), "new\n");
  assert.deepEqual(readdirSync(dir), ["report.json"]);
});

test("a path that is not a regular file (a FIFO, like /dev/null or /dev/stdout) is written in place, never replaced", async () => {
  const dir = mkdtempSync(join(tmpdir(), "berth-out-"));
  const fifo = join(dir, "pipe");
  execFileSync("mkfifo", [fifo]);
  const reader = spawn("cat", [fifo]);
  let got = "";
  reader.stdout.on("data", (d: Buffer) => (got += d.toString()));
  const done = new Promise((r) => reader.on("close", r));
  await writeOutput(processIo, "through the pipe\n", fifo);
  await done;
  assert.equal(got, "through the pipe\n");
  assert.ok(statSync(fifo).isFIFO(), "still a FIFO");
});
