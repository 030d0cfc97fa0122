// `berth token create` and `berth server` as processes: the token printed once works against the
// server; the server killed with SIGKILL and started again on the same data directory has lost no
// event and no job, and redelivered events create no duplicates.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "../support/registry.js";

const repo = fileURLToPath(new URL("../../", import.meta.url));
const work = mkdtempSync(join(tmpdir(), "berth-server-cli-"));
const dataDir = join(work, "data");
after(() => rmSync(work, { recursive: true, force: true }));

// The commands are not yet wired into src/cli/main.ts: run them through a small commander program.
const DRIVER = `
import { Command } from "commander";
import { serverCommand } from "./src/cli/server.ts";
import { tokenCommand } from "./src/cli/token.ts";
import { processIo } from "./src/cli/common.ts";
const p = new Command("berth");
p.addCommand(serverCommand(processIo));
p.addCommand(tokenCommand(processIo));
const args = process.argv.slice(1);
if (args[0] === "--") args.shift();
p.parseAsync(args, { from: "user" }).catch((e) => { process.stderr.write("berth: " + e.message + "\\n"); process.exit(2); });
`;

function berth(args: string[]): ChildProcess {
  return spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", DRIVER, "--", ...args], {
    cwd: repo,
    env: { ...process.env, BERTH_DATA_DIR: dataDir, BERTH_CACHE_DIR: join(work, "cache") },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

async function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = berth(args);
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (c: Buffer) => (stdout += c.toString()));
  child.stderr?.on("data", (c: Buffer) => (stderr += c.toString()));
  const code = await new Promise<number | null>((res) => child.once("exit", (c) => res(c)));
  return { code, stdout, stderr };
}

async function startServerProcess(port: number): Promise<{ child: ChildProcess; url: string; logs: () => string }> {
  const child = berth(["server", "--listen", `127.0.0.1:${port}`, "--concurrency", "0"]);
  let logs = "";
  child.stderr?.on("data", (c: Buffer) => (logs += c.toString()));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`server exited: ${logs}`);
    try {
      const r = await fetch(`${url}/readyz`);
      if (r.status === 200) return { child, url, logs: () => logs };
    } catch {
      // not up yet
    }
    await new Promise((res) => setTimeout(res, 100));
  }
  child.kill("SIGKILL");
  throw new Error(`server did not become ready: ${logs}`);
}

const digest = (c: string) => `sha256:${c.repeat(64)}`;
const envelope = {
  events: ["1", "2", "3"].map((c) => ({
    id: `push-${c}`,
    timestamp: "2026-11-20T10:00:00Z",
    action: "push",
    target: { mediaType: "application/vnd.oci.image.manifest.v1+json", digest: digest(c), repository: "team/app", tag: `v${c}`, url: `http://127.0.0.1:5999/v2/team/app/manifests/${digest(c)}` },
    request: { host: "127.0.0.1:5999" },
  })),
};

test("token create prints a token once; a killed server restarts with every event and job, without duplicates", async () => {
  const created = await run(["token", "create", "--role", "ingest"]);
  assert.equal(created.code, 0, created.stderr);
  const token = created.stdout.trim();
  assert.match(token, /^berth_[A-Za-z0-9_-]{43}$/);
  const bad = await run(["token", "create", "--role", "root"]);
  assert.notEqual(bad.code, 0);

  const port = await freePort();
  const first = await startServerProcess(port);
  const post = (url: string) =>
    fetch(`${url}/api/v1/events/registry`, {
      method: "POST",
      headers: { "content-type": "application/vnd.docker.distribution.events.v1+json", authorization: `Bearer ${token}` },
      body: JSON.stringify(envelope),
    });
  try {
    const r = await post(first.url);
    assert.equal(r.status, 200, await r.clone().text());
    assert.deepEqual(await r.json(), { accepted: 3, duplicates: 0, ignored: 0, enqueued: 3 });
  } finally {
    first.child.kill("SIGKILL");
    await new Promise((res) => first.child.once("exit", res));
  }

  const second = await startServerProcess(port);
  try {
    // The registry redelivers (it never saw our answer): nothing is added twice.
    const again = await post(second.url);
    assert.deepEqual(await again.json(), { accepted: 0, duplicates: 3, ignored: 0, enqueued: 0 });
    const { openStore, repositories, storeLocation } = await import("../../src/store/index.js");
    const store = await openStore(storeLocation(dataDir));
    try {
      const repos = repositories(store);
      const jobs = await repos.jobs.list();
      assert.deepEqual(
        jobs.map((j) => [j.dedupe_key, j.status]),
        ["1", "2", "3"].map((c) => [`scan:${digest(c)}`, "queued"]),
      );
      assert.equal(await repos.registry.eventCount(), 3);
      assert.equal((await repos.registry.locations(digest("2")))[0]?.tag, "v2");
      const audit = await repos.audit.recent(10);
      assert.ok(audit.some((a) => a.action === "token.create"));
      assert.ok(audit.some((a) => a.action === "registry.events"));
    } finally {
      await store.close();
    }
  } finally {
    second.child.kill("SIGTERM");
    await new Promise((res) => second.child.once("exit", res));
  }
});
