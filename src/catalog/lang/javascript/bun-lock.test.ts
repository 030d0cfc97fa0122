import { test } from "node:test";
import assert from "node:assert/strict";
import { bunLockCataloger } from "./bun-lock.js";
import { jsoncToJson } from "./jsonc.js";
import { catalogDir, devSet, nv, projectTruth, PROJECT_DEV, testdata, treeOf, runTree, workspaceTruth, assertMatchesTruth } from "./testdata/testkit.js";
import type { CatalogEnv } from "../../cataloger.js";
import { withLimits } from "../../../util/limits.js";

const list = [bunLockCataloger];
const env: CatalogEnv = { limits: withLimits(), read: () => undefined, list: () => [] };
const parse = (text: string) => bunLockCataloger.parse({ path: "bun.lock", data: Buffer.from(text) }, env);

test("bun.lock equals npm ls for the same project: packages, edges, direct, dev", async () => {
  const truth = projectTruth();
  const r = await catalogDir(testdata("bun"), list);
  assert.deepEqual(r.parsed, ["bun.lock"]);
  assert.deepEqual(r.unknowns, []);
  assert.equal(r.packages.length, 79);
  assertMatchesTruth(r.packages, truth);
  assert.deepEqual(devSet(r.packages), PROJECT_DEV);
  assert.ok(r.packages.every((p) => p.evidence === "lockfile" && p.foundBy === "bun-lock"));
});

test("bun workspaces: workspace and file: entries are not packages, nested keys and alias resolve", async () => {
  const truth = workspaceTruth();
  const r = await catalogDir(testdata("workspace-bun"), list);
  assert.deepEqual(r.unknowns, []);
  assertMatchesTruth(r.packages, truth);
  assert.deepEqual(devSet(r.packages), ["is-number@7.0.0"]);
});

test("bun.lockb is reported as unread unless bun.lock sits beside it; its bytes are not kept", async () => {
  assert.equal(bunLockCataloger.summarize!("app/bun.lockb", Buffer.from("binary"), withLimits())!.length, 0);
  const alone = await runTree(treeOf(testdata("bun"), list, { "other/bun.lockb": "\x00bun-lockfile-format-v0\n" }), list);
  assert.deepEqual(alone.unknowns.map((u) => [u.path, u.message.slice(0, 33)]), [["/other/bun.lockb", "binary bun.lockb is not read; con"]]);
  const beside = await runTree(treeOf(testdata("bun"), list, { "bun.lockb": "\x00bun-lockfile-format-v0\n" }), list);
  assert.deepEqual(beside.unknowns, []);
});

test("JSONC: comments and trailing commas outside strings are removed, strings kept", () => {
  const text = '{\n  // c\n  "a": "http://x/*y*/,]", /* b */\n  "b": [1, 2, /* z */ ],\n}\n';
  assert.deepEqual(JSON.parse(jsoncToJson(text, "t")), { a: "http://x/*y*/,]", b: [1, 2] });
  assert.throws(() => jsoncToJson('{"a": "x', "t"), /t: unterminated string/);
  assert.throws(() => jsoncToJson("{/* x", "t"), /unterminated comment/);
});

test("malformed bun.lock: truncated, wrong version, invalid entries", async () => {
  const text = '{"lockfileVersion": 1, "workspaces": {"": {"dependencies": {"ok": "1"}}}, "packages": {"ok": ["ok@1.0.0", "", {}, "sha512-x"], "bad": [1], "str": "x", "sp": ["bad name@1.0.0", "", {}, ""]}}';
  const r = await parse(text);
  assert.deepEqual(r.packages.map((p) => [nv(p), p.direct]), [["ok@1.0.0", true]]);
  assert.deepEqual(r.unknowns.map((u) => u.message).sort(), ['package "bad": no "name@version" ident', 'package "sp": invalid ident "bad name@1.0.0"', 'package "str": no "name@version" ident']);
  await assert.rejects(parse(text.slice(0, 60)), /bun.lock: (invalid JSON|unterminated string)/);
  await assert.rejects(parse('{"lockfileVersion": 7, "packages": {}}'), /lockfileVersion 7 is not 0 or 1/);
  await assert.rejects(parse("[]"), /not a JSON object/);
});
