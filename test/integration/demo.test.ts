// The README's first command: `npm start` runs scripts/demo.mjs on the build (npm ci builds it): it
// seeds the demo dataset, creates a token and serves the API and UI offline. Also the CLI demo
// (`npm run demo:scan`): the bundled image scanned against the bundled advisories.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "../support/registry.js";

const repo = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const noBuild = !existsSync(join(repo, "dist/src/demo/seed.js")) && "no build (npm ci runs it)";
const SEED_QUERY = "internet -> workload -> image[vuln.severity>=high] -> pipelinerun -> repository";

/** Runs `npm start` (scripts/demo.mjs) on `data` until it prints its URL: the child, the base URL, the token and stdout. */
async function startDemo(data: string, port: number): Promise<{ child: ChildProcess; base: string; token: string; out: () => string; err: () => string }> {
  const child = spawn(process.execPath, ["scripts/demo.mjs"], { cwd: repo, env: { ...process.env, BERTH_DATA_DIR: data, BERTH_LISTEN: `127.0.0.1:${port}` }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout!.on("data", (b: Buffer) => (out += b.toString("utf8")));
  child.stderr!.on("data", (b: Buffer) => (err += b.toString("utf8")));
  const url = await new Promise<string>((done, fail) => {
    const timer = setInterval(() => {
      const m = /Berth is running: (http:\/\/127\.0\.0\.1:\d+)\/\?token=(berth_[A-Za-z0-9_-]+)/.exec(out);
      if (m) {
        clearInterval(timer);
        done(`${m[1]}|${m[2]}`);
      }
    }, 100);
    child.once("exit", (code) => {
      clearInterval(timer);
      fail(new Error(`npm start exited with ${code}\n${err}`));
    });
  });
  const [base, token] = url.split("|") as [string, string];
  return { child, base, token, out: () => out, err: () => err };
}

async function stopDemo(child: ChildProcess): Promise<void> {
  child.kill("SIGTERM");
  await new Promise((done) => (child.exitCode !== null ? done(undefined) : child.once("exit", done)));
}

test("npm start seeds the demo, serves it on BERTH_LISTEN and prints a URL with a token", { skip: noBuild, timeout: 120_000 }, async () => {
  const data = mkdtempSync(join(tmpdir(), "berth-demo-"));
  const port = await freePort();
  let demo: Awaited<ReturnType<typeof startDemo>> | undefined;
  try {
    demo = await startDemo(data, port);
    const { base, token } = demo;
    const out = demo.out();
    assert.equal(base, `http://127.0.0.1:${port}`);
    assert.match(out, new RegExp(`${base}/explorer`));
    const image = /\/images\/(sha256:[0-9a-f]{64})/.exec(out)?.[1];
    assert.ok(image, out);
    const auth = { authorization: `Bearer ${token}` };
    assert.equal((await fetch(`${base}/readyz`)).status, 200);

    const dash = (await (await fetch(`${base}/api/v1/dashboard`, { headers: auth })).json()) as { counts: { images: number; internetExposedWorkloads: number; openFindings: Record<string, number> }; riskiestExposedWorkloads: unknown[] };
    assert.equal(dash.counts.images, 7);
    assert.equal(dash.counts.internetExposedWorkloads, 3);
    assert.ok((dash.counts.openFindings.critical ?? 0) > 0);
    assert.equal(dash.riskiestExposedWorkloads.length, 3);

    const img = (await (await fetch(`${base}/api/v1/images/${image}`, { headers: auth })).json()) as { scanStatus: string; findings: { severity: string }[] };
    assert.equal(img.scanStatus, "scanned");
    assert.ok(img.findings.some((f) => f.severity === "critical"));

    // The seeds' question: internet-exposed workloads with high-severity findings, back to the code.
    const explore = await fetch(`${base}/api/v1/explore?q=${encodeURIComponent(SEED_QUERY)}`, { headers: auth });
    assert.equal(explore.status, 200);
    const r = (await explore.json()) as { paths: { nodes: string[] }[] };
    assert.ok(r.paths.length > 0, "the seed query finds a path");
    assert.ok(r.paths.some((p) => p.nodes[0] === "internet:internet" && p.nodes.includes(`image:${image}`) && p.nodes.at(-1)?.startsWith("repository:")));
    await stopDemo(demo.child);
    assert.equal(demo.child.exitCode, 0, demo.err());
    // A second start reuses the data and the token it printed (kept in the data dir, owner-only).
    demo = await startDemo(data, port);
    assert.equal(demo.token, token);
    assert.equal(statSync(join(data, "demo-admin-token")).mode & 0o777, 0o600);
    assert.equal((await fetch(`${base}/api/v1/dashboard`, { headers: auth })).status, 200);
  } finally {
    if (demo) await stopDemo(demo.child);
    rmSync(data, { recursive: true, force: true });
  }
  assert.equal(demo.child.exitCode, 0, demo.err());
});

test("npm run demo:scan scans the bundled image against the bundled advisories", { skip: !existsSync(join(repo, "dist/src/cli/main.js")) && "no build (npm ci runs it)" }, () => {
  const cache = mkdtempSync(join(tmpdir(), "berth-demo-scan-"));
  const r = spawnSync(process.execPath, ["scripts/demo-scan.mjs"], { cwd: repo, env: { ...process.env, BERTH_CACHE_DIR: cache }, encoding: "utf8" });
  rmSync(cache, { recursive: true, force: true });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /Debian GNU\/Linux 12/);
  assert.match(r.stdout, /^Total: \d+/m);
  assert.match(r.stdout, /libssl3|openssl/);
});
