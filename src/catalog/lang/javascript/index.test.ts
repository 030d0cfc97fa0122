import { test } from "node:test";
import assert from "node:assert/strict";
import { javascriptCatalogers } from "./index.js";
import { catalogTree } from "../../catalog.js";
import { withLimits } from "../../../util/limits.js";
import { projectTruth, sorted, testdata, treeOf } from "./testdata/testkit.js";
import { nv } from "./testdata/testkit.js";

test("all JavaScript catalogers through catalogTree: installed and lockfile views of one project merge by purl", async () => {
  // The project directory holds node_modules, package.json and package-lock.json (v3).
  const tree = treeOf(testdata("project"), javascriptCatalogers);
  // Every claimed package.json is kept as its summary, whichever cataloger's summarize ran.
  const node = tree.nodes.get("node_modules/express/package.json");
  assert.ok(node?.kind === "file" && !node.data.toString().includes("readme"));
  const inv = await catalogTree(tree, withLimits(), javascriptCatalogers);
  assert.deepEqual(inv.unknowns, []);
  assert.deepEqual(sorted(inv.packages.map(nv)), sorted(projectTruth().packages));
  const debug4 = inv.packages.find((p) => nv(p) === "debug@4.4.3")!;
  assert.deepEqual(
    debug4.locations.map((l) => l.path).sort(),
    ["/node_modules/agent-base/node_modules/debug/package.json", "/node_modules/https-proxy-agent/node_modules/debug/package.json", "/package-lock.json"],
  );
});

test("every JavaScript cataloger summarises a shared package.json the same way", () => {
  const data = Buffer.from(JSON.stringify({ name: "x", version: "1.0.0", readme: "long", dependencies: { a: "1" } }));
  const claimers = javascriptCatalogers.filter((c) => c.claims("app/package.json", { mode: 0o644, size: data.length }));
  assert.deepEqual(claimers.map((c) => c.id), ["npm-installed", "npm-lock", "yarn-lock"]);
  const summaries = new Set(claimers.map((c) => c.summarize!("app/package.json", data, withLimits())!.toString()));
  assert.deepEqual([...summaries], ['{"name":"x","version":"1.0.0","dependencies":{"a":"1"}}']);
});
