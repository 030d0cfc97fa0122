import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { catalogSources, fileOf, memoryEnv, python3Json } from "../python/testkit.js";
import { depsJsonCataloger } from "./deps-json.js";

const path = fileURLToPath(new URL("./testdata/WebApi.deps.json", import.meta.url));
const deps = readFileSync(path);

test("deps.json: package libraries only (projects and runtime packs skipped), direct from the app project, edges from the runtime target", async () => {
  const inv = await catalogSources([{ "app/WebApi.deps.json": deps }], [depsJsonCataloger], { layerDigest: "sha256:" + "e".repeat(64) });
  assert.deepEqual(inv.unknowns, []);
  const truth = python3Json<[string, string][]>(
    "import json,sys; d=json.load(open(sys.argv[1])); print(json.dumps(sorted([k.rsplit('/',1) for k,v in d['libraries'].items() if v['type']=='package'])))",
    [path],
  );
  assert.deepEqual(inv.packages.map((p) => [p.name, p.version]).sort(), truth);
  const flags = Object.fromEntries(inv.packages.map((p) => [p.name, p.direct]));
  assert.deepEqual(flags, {
    "Microsoft.Extensions.DependencyInjection.Abstractions": false,
    "Microsoft.Extensions.Logging.Abstractions": false,
    "Microsoft.NET.ILLink.Tasks": true,
    "Newtonsoft.Json": false, // only through the Shared.Lib project reference
    Serilog: false,
    "Serilog.AspNetCore": true,
    "Serilog.Extensions.Logging": false,
  });
  const aspnet = inv.packages.find((p) => p.name === "Serilog.AspNetCore")!;
  assert.equal(aspnet.purl, "pkg:nuget/Serilog.AspNetCore@8.0.1");
  assert.deepEqual([...aspnet.dependsOn!].sort(), ["pkg:nuget/Microsoft.Extensions.Logging.Abstractions@8.0.0", "pkg:nuget/Serilog.Extensions.Logging@8.0.0", "pkg:nuget/Serilog@3.1.1"]);
  assert.deepEqual(aspnet.locations, [{ path: "/app/WebApi.deps.json", layerDigest: "sha256:" + "e".repeat(64) }]);
  assert.equal(aspnet.evidence, "installed");
});

test("deps.json named unlike its project: direct unset", async () => {
  const r = await depsJsonCataloger.parse(fileOf("app/renamed.deps.json", deps), memoryEnv());
  assert.ok(r.packages.every((p) => p.direct === undefined));
});

test("hostile deps.json: truncated, BOM, wrong shapes, absurd keys", async () => {
  const env = memoryEnv();
  await assert.rejects(depsJsonCataloger.parse(fileOf("a.deps.json", deps.subarray(0, 2000)), env), /\/a\.deps\.json: not a valid deps\.json/);
  const bom = await depsJsonCataloger.parse(fileOf("WebApi.deps.json", Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), deps])), env);
  assert.equal(bom.packages.length, 7);
  const shape = await depsJsonCataloger.parse(fileOf("a.deps.json", '{"libraries": []}'), env);
  assert.match(shape.unknowns[0]!.message, /without a libraries object/);
  const weird = await depsJsonCataloger.parse(fileOf("a.deps.json", JSON.stringify({ targets: { x: "no" }, runtimeTarget: 5, libraries: { "NoVersion": { type: "package" }, [`${"A".repeat(300)}/1.0`]: { type: "package" }, "../../x/1.0": { type: "package" }, "Ok/1.0.0": { type: "package" }, "__proto__/1.0": { type: "package" } } })), env);
  assert.deepEqual(weird.packages.map((p) => p.name), ["Ok", "__proto__"]);
  assert.match(weird.unknowns[0]!.message, /^3 package libraries/);
});
