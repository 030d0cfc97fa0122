import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { catalogSources, fileOf, memoryEnv, python3Json } from "../python/testkit.js";
import { packagesLockCataloger } from "./packages-lock.js";

const path = fileURLToPath(new URL("./testdata/packages.lock.json", import.meta.url));
const lock = readFileSync(path);

test("packages.lock.json from a public project: every framework/RID section, one package each, Direct/Transitive", async () => {
  const inv = await catalogSources([{ "src/App/packages.lock.json": lock }], [packagesLockCataloger]);
  assert.deepEqual(inv.unknowns, []);
  const truth = python3Json<[string, string, boolean][]>(
    `import json,sys
d = json.load(open(sys.argv[1]))
seen = {}
for sec in d["dependencies"].values():
    for name, e in sec.items():
        if e["type"] == "Project": continue
        k = (name, e["resolved"])
        seen[k] = seen.get(k, False) or e["type"] == "Direct"
print(json.dumps(sorted([[n, v, dr] for (n, v), dr in seen.items()])))`,
    [path],
  );
  assert.deepEqual(inv.packages.map((p) => [p.name, p.version, p.direct]).sort(), truth);
  const piper = inv.packages.find((p) => p.name === "PiperSharp")!;
  assert.equal(piper.purl, "pkg:nuget/PiperSharp@1.0.5");
  assert.equal(piper.evidence, "lockfile");
  assert.deepEqual([...piper.dependsOn!].sort(), ["pkg:nuget/NAudio.Core@2.2.1", "pkg:nuget/NAudio@2.2.1", "pkg:nuget/Newtonsoft.Json@13.0.1", "pkg:nuget/SharpCompress@0.36.0", "pkg:nuget/System.Text.Json@8.0.4"]);
  assert.deepEqual(inv.packages.find((p) => p.name === "Microsoft.Win32.Registry")!.locations, [{ path: "/src/App/packages.lock.json" }]);
});

test("Project and CentralTransitive entries", async () => {
  const doc = { version: 2, dependencies: { "net8.0": { "My.Lib": { type: "Project", dependencies: { Serilog: "[3.1.1, )" } }, Serilog: { type: "CentralTransitive", requested: "[3.1.1, )", resolved: "3.1.1" } } } };
  const r = await packagesLockCataloger.parse(fileOf("packages.lock.json", JSON.stringify(doc)), memoryEnv());
  assert.deepEqual(r.packages.map((p) => [p.name, p.direct]), [["Serilog", false]]);
});

test("hostile packages.lock.json: truncated, wrong shapes, bad entries, huge", async () => {
  const env = memoryEnv();
  await assert.rejects(packagesLockCataloger.parse(fileOf("packages.lock.json", lock.subarray(0, 3000)), env), /not a valid packages\.lock\.json/);
  const shape = await packagesLockCataloger.parse(fileOf("packages.lock.json", '{"version":1}'), env);
  assert.equal(shape.unknowns.length, 1);
  const bad = await packagesLockCataloger.parse(fileOf("packages.lock.json", JSON.stringify({ dependencies: { a: { "x/../y": { type: "Direct", resolved: "1.0" }, Ok: { type: "Direct", resolved: "1.0; rm" }, Fine: { type: "Transitive", resolved: "2.0.0", dependencies: "nope" } }, b: 7 } })), env);
  assert.deepEqual(bad.packages.map((p) => p.name), ["Fine"]);
  assert.match(bad.unknowns[0]!.message, /^2 entries/);
  const many = JSON.stringify({ dependencies: { a: Object.fromEntries(Array.from({ length: 100_001 }, (_, i) => [`P${i}`, { type: "Transitive", resolved: "1.0.0" }])) } });
  await assert.rejects(packagesLockCataloger.parse(fileOf("packages.lock.json", many), env), /more than 100000 packages/);
});
