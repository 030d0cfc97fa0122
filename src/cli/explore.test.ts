// `berth explore` against a started server (embedded SQLite): one page, every page with --all,
// --limit/--cursor, the env variables, the HTTP route's 400/401 answers, and --fields offline.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../../test/support/cli.js";
import { startServer, type RunningServer } from "../server/index.js";
import { defaultLimits } from "../util/limits.js";
import { fieldsHelp } from "./explore.js";

const work = mkdtempSync(join(tmpdir(), "berth-explore-cli-"));
let server: RunningServer;
let token: string;
const dg = (c: string) => `sha256:${c.repeat(64)}`;

before(async () => {
  server = await startServer({
    dataDir: join(work, "data"),
    host: "127.0.0.1",
    port: 0,
    insecureRegistries: [],
    cacheDir: join(work, "cache"),
    platform: { os: "linux", architecture: "amd64" },
    limits: defaultLimits,
    concurrency: 0,
    log: () => undefined,
  });
  token = (await server.repos.tokens.create("read", "explore test", new Date())).token;
  const at = new Date("2026-11-01T10:00:00Z");
  for (const [c, tag] of [["1", "a"], ["2", "b"], ["3", "c"]] as const) {
    await server.repos.images.ensure({ digest: dg(c) }, at);
    await server.repos.registry.recordPush({ host: "registry.test", repository: "acme/web", tag }, dg(c), at, "ci");
  }
});
after(async () => {
  await server?.close();
  rmSync(work, { recursive: true, force: true });
});

interface Answer {
  query: string;
  paths: { nodes: string[] }[];
  nodes: Record<string, { label: string }>;
  nextCursor: string | null;
}

test("berth explore prints the server's answer; --limit and --cursor page; --all follows the cursor", async () => {
  const one = await runCli(["explore", "--server", server.url, "--token", token, "image -> registry[host=registry.test]"]);
  assert.equal(one.code, 0, one.stderr);
  const a = JSON.parse(one.stdout) as Answer;
  assert.equal(a.query, "image -> registry[host=registry.test]");
  assert.deepEqual(a.paths.map((p) => p.nodes[0]), [`image:${dg("1")}`, `image:${dg("2")}`, `image:${dg("3")}`]);
  assert.equal(a.nodes[`image:${dg("2")}`]?.label, "registry.test/acme/web:b");

  const env = { BERTH_SERVER: server.url, BERTH_TOKEN: token };
  const p1 = JSON.parse((await runCli(["explore", "--limit", "2", "image"], env)).stdout) as Answer;
  assert.equal(p1.paths.length, 2);
  assert.ok(p1.nextCursor);
  const p2 = JSON.parse((await runCli(["explore", "--limit", "2", "--cursor", p1.nextCursor, "image"], env)).stdout) as Answer;
  assert.deepEqual(p2.paths.map((p) => p.nodes[0]), [`image:${dg("3")}`]);
  assert.equal(p2.nextCursor, null);

  const all = await runCli(["explore", "--all", "--limit", "1", "image"], env);
  assert.equal(all.code, 0, all.stderr);
  const merged = JSON.parse(all.stdout) as Answer;
  assert.equal(merged.paths.length, 3);
  assert.equal(Object.keys(merged.nodes).length, 3);
  assert.equal(merged.nextCursor, null);
});

test("berth explore: a bad query names its column before any request; the server's refusals are one line", async () => {
  const bad = await runCli(["explore", "--server", "http://127.0.0.1:1", "--token", "t", "image -> nothing"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^berth: query: column 10: unknown node type "nothing"/);
  const unauth = await runCli(["explore", "--server", server.url, "--token", "wrong", "image"]);
  assert.equal(unauth.code, 2);
  assert.match(unauth.stderr, /HTTP 401/);
  const noServer = await runCli(["explore", "image"], { BERTH_SERVER: "", BERTH_TOKEN: "" });
  assert.match(noServer.stderr, /--server/);
});

test("the explore route: GET and POST (text and AST), 400 naming the problem, 401 without a token", async () => {
  const h = { authorization: `Bearer ${token}` };
  const get = await fetch(`${server.url}/api/v1/explore?q=${encodeURIComponent("tag[name=b] -> image")}&limit=5`, { headers: h });
  assert.equal(get.status, 200);
  assert.equal(((await get.json()) as Answer).paths.length, 1);
  const post = await fetch(`${server.url}/api/v1/explore`, {
    method: "POST",
    headers: { ...h, "content-type": "application/json" },
    body: JSON.stringify({ query: { steps: [{ type: "image", filters: [{ field: "name", op: "~", value: "*/acme/*" }] }] }, limit: 2 }),
  });
  assert.equal(post.status, 200);
  const pa = (await post.json()) as Answer;
  assert.equal(pa.query, "image[name~*/acme/*]");
  assert.equal(pa.paths.length, 2);
  for (const [url, init, re] of [
    [`/api/v1/explore?q=${encodeURIComponent("image[vuln.severity>=urgent]")}`, {}, /field vuln\.severity takes a severity/],
    ["/api/v1/explore?q=image&limit=501", {}, /limit must be an integer from 1 to 500/],
    ["/api/v1/explore?q=image&cursor=abc", {}, /invalid cursor/],
    ["/api/v1/explore", { method: "POST", body: JSON.stringify({ query: { steps: [{ type: "image", filters: [{ field: "x", op: "=" }] }] } }), headers: { "content-type": "application/json" } }, /steps\[0\]\.filters\[0\]\.value/],
    [`/api/v1/explore?q=${"image".repeat(500)}`, {}, /longer than 2048/],
  ] as const) {
    const r = await fetch(`${server.url}${url}`, { ...init, headers: { ...h, ...("headers" in init ? init.headers : {}) } });
    const body = (await r.json()) as { error: string; message: string };
    assert.equal(r.status, 400, `${url}: ${body.message}`);
    assert.match(body.message, re);
  }
  assert.equal((await fetch(`${server.url}/api/v1/explore?q=image`)).status, 401);
});

test("berth explore --fields prints types, fields, operators and edges offline", async () => {
  const r = await runCli(["explore", "--fields", "image"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /vuln\.severity\s+severity/);
  assert.match(r.stdout, /edge <-runs- workload/);
  assert.doesNotMatch(r.stdout, /^repository$/m);
  assert.match(fieldsHelp(), /^internet\n {2}\(no fields\)\n {2}edge -reaches-> workload/m);
  assert.equal((await runCli(["explore", "--fields", "nope"])).code, 2);
});
