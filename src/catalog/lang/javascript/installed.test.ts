import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { npmInstalledCataloger } from "./installed.js";
import { parseManifest, summarizeManifest } from "./manifest.js";
import { berthSets, catalogDir, npmLsTruth, nv, runTree, sorted, testdata, assertMatchesTruth } from "./testdata/testkit.js";
import type { FileTree } from "../../../image/filetree.js";

const list = [npmInstalledCataloger];
const DEV = ["@types/node@20.11.0", "mkdirp@0.5.5", "undici-types@5.26.5"];

test("installed tree equals `npm ls --all --json`: packages, edges, direct and dev", async () => {
  const truth = npmLsTruth(readFileSync(testdata("project/npm-ls.json"), "utf8"));
  const r = await catalogDir(testdata("project"), list);
  assert.deepEqual(r.unknowns, []);
  // 82 package.json files, 79 distinct versions (debug@4.4.3 and ms@2.1.3 are installed twice).
  assert.equal(r.packages.length, 82);
  const got = berthSets(r.packages);
  assert.deepEqual(sorted(got.packages), sorted(truth.packages));
  assert.equal(got.packages.size, 79);
  assert.deepEqual(sorted(got.edges), sorted(truth.edges));
  assert.deepEqual(sorted(got.direct), sorted(truth.direct));
  assert.deepEqual(sorted(new Set(r.packages.filter((p) => p.dev).map(nv))), DEV);
  assert.ok(r.packages.every((p) => p.dev !== undefined && p.direct !== undefined && p.evidence === "installed" && p.foundBy === "npm-installed"));
  // minimist is also reached by the dev-only mkdirp, but express's tree does not need it: the
  // root's own "minimist" dependency keeps it a runtime package.
  assert.equal(r.packages.find((p) => p.name === "minimist")?.dev, false);
});

test("installed packages: purls, licences, nested locations and dependsOn through Node resolution", async () => {
  const r = await catalogDir(testdata("project"), list);
  const types = r.packages.find((p) => p.name === "@types/node")!;
  assert.equal(types.purl, "pkg:npm/%40types/node@20.11.0");
  assert.deepEqual(types.licenses, ["MIT"]);
  assert.deepEqual(types.locations, [{ path: "/node_modules/@types/node/package.json" }]);
  assert.deepEqual(types.dependsOn, ["pkg:npm/undici-types@5.26.5"]);
  // debug@4 is nested twice (under agent-base and https-proxy-agent); the root's debug is 2.6.9.
  const debug4 = r.packages.filter((p) => nv(p) === "debug@4.4.3").map((p) => p.locations[0]!.path);
  assert.deepEqual(debug4.sort(), ["/node_modules/agent-base/node_modules/debug/package.json", "/node_modules/https-proxy-agent/node_modules/debug/package.json"]);
  const agent = r.packages.find((p) => p.name === "agent-base")!;
  assert.deepEqual(agent.dependsOn, ["pkg:npm/debug@4.4.3"]);
  assert.equal(agent.direct, false);
  const send = r.packages.find((p) => p.name === "send")!;
  assert.ok(send.dependsOn!.includes("pkg:npm/ms@2.1.3") && send.dependsOn!.includes("pkg:npm/debug@2.6.9"));
  const lodash = r.packages.find((p) => p.name === "lodash")!;
  assert.equal(lodash.purl, "pkg:npm/lodash@4.17.20");
  assert.equal(lodash.direct, true);
});

test("the committed pruned tree is what npm itself reads: `npm ls --all --json --offline` reproduces the truth", () => {
  const probe = spawnSync("npm", ["--version"], { encoding: "utf8" });
  assert.equal(probe.status, 0, "npm is required for this test (it ships with Node)");
  const dir = mkdtempSync(join(tmpdir(), "berth-npm-ls-"));
  try {
    cpSync(testdata("project"), dir, { recursive: true });
    const r = spawnSync("npm", ["ls", "--all", "--json", "--offline"], { cwd: dir, encoding: "utf8", env: { ...process.env, npm_config_update_notifier: "false" } });
    assert.equal(r.status, 0, r.stderr);
    const now = npmLsTruth(r.stdout);
    const committed = npmLsTruth(readFileSync(testdata("project/npm-ls.json"), "utf8"));
    assert.deepEqual(sorted(now.packages), sorted(committed.packages));
    assert.deepEqual(sorted(now.edges), sorted(committed.edges));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("pnpm's node_modules/.pnpm layout (symlinks) gives the same packages and graph as npm's", async () => {
  const truth = npmLsTruth(readFileSync(testdata("project/npm-ls.json"), "utf8"));
  const r = await catalogDir(testdata("pnpm-installed"), list);
  assert.deepEqual(r.unknowns, []);
  assert.equal(r.packages.length, 79); // pnpm stores each version once
  assert.ok(r.packages.every((p) => p.locations[0]!.path.startsWith("/node_modules/.pnpm/")));
  assertMatchesTruth(r.packages, truth);
  assert.deepEqual(sorted(new Set(r.packages.filter((p) => p.dev).map(nv))), DEV);
});

test("npm workspaces: linked workspace and file: packages are not reported, their dependencies are direct", async () => {
  const truth = npmLsTruth(readFileSync(testdata("workspace/npm-ls.json"), "utf8"), { "my-ms": "ms" });
  const r = await catalogDir(testdata("workspace"), list);
  assert.deepEqual(r.unknowns, []);
  const got = berthSets(r.packages);
  assert.deepEqual(sorted(got.packages), ["is-number@6.0.0", "is-number@7.0.0", "is-odd@3.0.1", "ms@2.1.2", "ms@2.1.3"]);
  assert.deepEqual(sorted(got.packages), sorted(truth.packages));
  assert.deepEqual(sorted(got.edges), sorted(truth.edges));
  assert.deepEqual(sorted(got.direct), sorted(truth.direct));
  // The alias directory node_modules/my-ms holds the real package ms.
  const alias = r.packages.find((p) => p.locations[0]!.path === "/node_modules/my-ms/package.json")!;
  assert.equal(alias.purl, "pkg:npm/ms@2.1.2");
  assert.deepEqual(r.packages.filter((p) => p.dev).map(nv), ["is-number@7.0.0"]);
});

test("not packages: a project's own package.json and marker files inside a package", () => {
  for (const p of ["package.json", "app/package.json", "node_modules/x/lib/package.json", "node_modules/.bin/package.json", "node_modules/@scope/package.json", "node_modules/.pnpm/package.json"]) {
    assert.equal(npmInstalledCataloger.primary(p), false, p);
  }
  for (const p of ["node_modules/x/package.json", "app/node_modules/@s/x/package.json", "a/node_modules/x/node_modules/y/package.json", "node_modules/.pnpm/x@1.0.0/node_modules/x/package.json"]) {
    assert.equal(npmInstalledCataloger.primary(p), true, p);
  }
  assert.ok(npmInstalledCataloger.claims("app/package.json", { mode: 0o644, size: 10 }));
  assert.ok(!npmInstalledCataloger.claims("app/package.json.bak", { mode: 0o644, size: 10 }));
});

function memTree(files: Record<string, string>, links: Record<string, string> = {}): FileTree {
  const nodes: FileTree["nodes"] = new Map();
  for (const [p, t] of Object.entries(files)) nodes.set(p, { kind: "file", data: npmInstalledCataloger.summarize!(p, Buffer.from(t), {} as never)! });
  for (const [p, t] of Object.entries(links)) nodes.set(p, { kind: "symlink", target: t });
  return { nodes, warnings: [] };
}

test("without the project's package.json, direct and dev stay unset (global installs, copied trees)", async () => {
  const r = await runTree(
    memTree({
      "usr/lib/node_modules/npm/package.json": '{"name":"npm","version":"10.8.2","license":"Artistic-2.0","dependencies":{"semver":"^7"}}',
      "usr/lib/node_modules/npm/node_modules/semver/package.json": '{"name":"semver","version":"7.6.3","license":"ISC"}',
    }),
    list,
  );
  assert.deepEqual(
    r.packages.map((p) => [nv(p), p.direct, p.dev, p.dependsOn]).sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    [
      ["npm@10.8.2", undefined, undefined, ["pkg:npm/semver@7.6.3"]],
      ["semver@7.6.3", undefined, undefined, []],
    ],
  );
});

test("malformed package.json files become located unknowns; the rest of the tree is still read", async () => {
  const r = await runTree(
    memTree({
      "package.json": '{"dependencies":{"ok":"1","broken":"1","noversion":"1","badname":"1"}}',
      "node_modules/ok/package.json": '{"name":"ok","version":"1.0.0","dependencies":{"broken":"*"}}',
      "node_modules/broken/package.json": '{"name":"broken","version":', // truncated
      "node_modules/noversion/package.json": '{"name":"noversion"}',
      "node_modules/badname/package.json": '{"name":"bad name","version":"1.0.0"}',
      "node_modules/notobject/package.json": "[1,2,3]",
      "node_modules/deep/package.json": `{"name":"deep","version":"1.0.0","x":${"[".repeat(100000)}${"]".repeat(100000)}}`,
    }),
    list,
  );
  assert.deepEqual(r.packages.map(nv).sort(), ["deep@1.0.0", "ok@1.0.0"]);
  assert.deepEqual(r.packages.find((p) => p.name === "ok")!.dependsOn, []); // broken dependency: no edge
  assert.equal(r.unknowns.length, 4);
  const byPath = Object.fromEntries(r.unknowns.map((u) => [u.path, u.message]));
  assert.match(byPath["/node_modules/broken/package.json"]!, /invalid JSON/);
  assert.match(byPath["/node_modules/noversion/package.json"]!, /no valid version/);
  assert.match(byPath["/node_modules/badname/package.json"]!, /invalid package name/);
  assert.match(byPath["/node_modules/notobject/package.json"]!, /not a JSON object/);
});

test("summaries keep exactly what the catalogers read, and drop the rest (README, scripts)", () => {
  const original = JSON.stringify({
    name: "x",
    version: "1.0.0",
    license: { type: "MIT" },
    readme: "r".repeat(100_000),
    scripts: { postinstall: "x" },
    dependencies: { a: "^1" },
    devDependencies: { b: "^2" },
    optionalDependencies: { c: "^3" },
    peerDependencies: { d: "^4" },
    workspaces: { packages: ["packages/*"] },
  });
  const summary = summarizeManifest(Buffer.from(original));
  assert.ok(summary.length < 400);
  assert.deepEqual(parseManifest(summary, "s"), parseManifest(original, "o"));
  // Unparseable input is kept whole, so that parse can report it.
  assert.equal(summarizeManifest(Buffer.from("{nope")).toString(), "{nope");
});

test("a dependency cycle and a symlink loop do not hang", async () => {
  const r = await runTree(
    memTree(
      {
        "package.json": '{"dependencies":{"a":"1"}}',
        "node_modules/a/package.json": '{"name":"a","version":"1.0.0","dependencies":{"b":"1","loop":"1"}}',
        "node_modules/b/package.json": '{"name":"b","version":"1.0.0","dependencies":{"a":"1"}}',
      },
      { "node_modules/loop": "loop2", "node_modules/loop2": "loop" },
    ),
    list,
  );
  assert.deepEqual(
    r.packages.map((p) => [nv(p), p.direct, p.dependsOn]),
    [
      ["a@1.0.0", true, ["pkg:npm/b@1.0.0"]],
      ["b@1.0.0", false, ["pkg:npm/a@1.0.0"]],
    ],
  );
});
