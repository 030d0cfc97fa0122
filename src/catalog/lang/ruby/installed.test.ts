import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { debianPackage } from "../../../../test/support/debian-debs.js";
import { catalogSources, fileOf, memoryEnv, runTool } from "../python/testkit.js";
import { parseGemspec } from "./gemspec.js";
import { rubyInstalledCataloger } from "./installed.js";
import { loadGemspecs } from "./truth.js";

const DEBS = ["ruby-rack", "ruby-rack-test", "ruby-sinatra", "ruby-tilt", "ruby-mustermann", "ruby-rack-protection", "ruby-ruby2-keywords", "ruby-nokogiri"];
const list = [rubyInstalledCataloger];

function gemspecsUnder(root: string, rel = ""): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(root, rel), { withFileTypes: true })) {
    const p = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...gemspecsUnder(root, p));
    else if (e.name.endsWith(".gemspec")) out.push(p);
  }
  return out;
}

test("installed Debian gems match Gem::Specification.load: name, version, platform, licences, runtime edges", async () => {
  const roots = DEBS.map((d) => debianPackage(d).root);
  const inv = await catalogSources(roots, list);
  assert.deepEqual(inv.unknowns, []);
  const files = roots.flatMap((r) => gemspecsUnder(r).map((p) => join(r, p)));
  const truth = loadGemspecs(files);
  assert.equal(inv.packages.length, truth.length);
  const installedNames = new Map<string, number>();
  for (const t of truth) installedNames.set(t.name, (installedNames.get(t.name) ?? 0) + 1);
  for (const t of truth) {
    const p = inv.packages.find((q) => q.name === t.name && q.version === t.version);
    assert.ok(p, `${t.name} ${t.version}`);
    assert.equal(t.platform, "ruby");
    assert.equal(p.purl, `pkg:gem/${t.name}@${t.version}`);
    assert.deepEqual(p.licenses, t.licenses);
    assert.equal(p.evidence, "installed");
    const edges = t.runtime.filter((d) => installedNames.get(d) === 1).map((d) => truth.find((x) => x.name === d)!).map((x) => `pkg:gem/${x.name}@${x.version}`);
    assert.deepEqual([...(p.dependsOn ?? [])].sort(), edges.sort(), `edges of ${t.name}`);
  }
  const sinatra = inv.packages.find((p) => p.name === "sinatra")!;
  assert.deepEqual([...sinatra.dependsOn!].sort(), ["pkg:gem/mustermann@3.0.0", "pkg:gem/rack-protection@3.0.5", "pkg:gem/rack@2.2.22", "pkg:gem/tilt@2.0.11"]);
  assert.deepEqual(sinatra.locations, [{ path: "/usr/share/rubygems-integration/all/specifications/sinatra-3.0.5.gemspec" }]);
  // Runtime dependency names as rubygems reads them — development dependencies, listed again under
  // add_dependency in the legacy else branch, are not runtime (nokogiri: only mini_portile2, racc).
  for (const t of truth) {
    const parsed = parseGemspec(readFileSync(t.file, "utf8"));
    assert.ok(parsed.ok);
    assert.deepEqual([...parsed.spec.runtimeDeps].sort(), [...t.runtime].sort(), t.name);
  }
  assert.deepEqual(truth.find((t) => t.name === "nokogiri")!.runtime, ["mini_portile2", "racc"]);
});

test("the local Ruby's own gem directory (default gems included) matches Gem::Specification.load", async () => {
  const dir = runTool("ruby", ["-e", "print RbConfig::CONFIG['rubylibprefix'] + '/gems/' + RbConfig::CONFIG['ruby_version']"]);
  assert.ok(existsSync(join(dir, "specifications")), dir);
  const files = gemspecsUnder(join(dir, "specifications")).map((p) => `usr/lib/ruby/gems/x/specifications/${p}`);
  assert.ok(files.length > 20);
  const inv = await catalogSources([Object.fromEntries(files.map((f) => [f, readFileSync(join(dir, "specifications", f.slice("usr/lib/ruby/gems/x/specifications/".length)))]))], list);
  const truth = loadGemspecs(gemspecsUnder(join(dir, "specifications")).map((p) => join(dir, "specifications", p)));
  assert.deepEqual(inv.unknowns, []);
  assert.deepEqual(
    inv.packages.map((p) => [p.name, p.version, p.licenses]).sort(),
    truth.map((t) => [t.name, t.version, t.licenses]).sort(),
  );
  assert.ok(inv.packages.some((p) => p.metadata?.["defaultGem"] === "true"));
});

test("gemspec literal forms: %q{}, single quotes, .freeze, s.license, platform, any block variable", () => {
  const r = parseGemspec(`Gem::Specification.new do |spec|\n  spec.name = %q{old-gem}\n  spec.version = '1.2.3'\n  spec.license = "Apache-2.0".freeze\n  spec.platform = %q<x86_64-linux>\n  spec.add_dependency "rack", ">= 2"\n  spec.add_development_dependency("rake")\nend\n`);
  assert.deepEqual(r, { ok: true, spec: { name: "old-gem", version: "1.2.3", platform: "x86_64-linux", licenses: ["Apache-2.0"], runtimeDeps: ["rack"] } });
});

test("platform gems get a platform qualifier", async () => {
  const inv = await catalogSources([{ "var/lib/gems/3.1.0/specifications/nokogiri-1.15.5-x86_64-linux.gemspec": 'Gem::Specification.new do |s|\n  s.name = "nokogiri".freeze\n  s.version = "1.15.5"\n  s.platform = "x86_64-linux".freeze\n  s.licenses = ["MIT".freeze]\nend\n' }], list);
  assert.equal(inv.packages[0]!.purl, "pkg:gem/nokogiri@1.15.5?platform=x86_64-linux");
});

// HOSTILE: gemspecs are Ruby code. Whatever they try, Berth reads literals and runs nothing.
test("hostile gemspecs: code injection is never evaluated and never becomes a value", async () => {
  const marker = `/tmp/berth-gemspec-pwned-${process.pid}`;
  const env = memoryEnv();
  const cases: [string, RegExp | { name: string; version: string; licenses: string[] }][] = [
    [`Gem::Specification.new do |s|\n  s.name = "evil"; system("touch ${marker}")\n  s.version = "1.0"\nend\n`, /no literal `name`/],
    [`Gem::Specification.new do |s|\n  s.name = "#{\`touch ${marker}\`}"\n  s.version = "1.0"\nend\n`, /no literal `name`/],
    [`Gem::Specification.new do |s|\n  s.name = \`touch ${marker}\`\n  s.version = "1.0"\nend\n`, /no literal `name`/],
    [`Gem::Specification.new do |s|\n  s.name = "ok"\n  s.version = Evil::VERSION\nend\n`, /no literal `version`/],
    [`Gem::Specification.new do |s|\n  s.name = "ok"\n  s.version = "1.0" + eval("File.write('${marker}', 1)")\nend\n`, /no literal `version`/],
    [`eval(File.read("${marker}"))\nGem::Specification.new do |s|\n  s.name = "ok"\n  s.version = "1.0"\n  s.licenses = ["MIT", %x(touch ${marker})]\n  s.license = "#@{x}"\nend\n`, { name: "ok", version: "1.0", licenses: [] }],
    [`Gem::Specification.new do |s|\n  s.name = "ok"\n  s.version = "1.0\\"; system(\\"id"\nend\n`, /invalid gem version/],
    [`s.name = "x"\ns.version = "1"\n`, /no `Gem::Specification.new do \|s\|` block/],
    [`Gem::Specification.new do |s|\n  s.name = "../../../etc/passwd"\n  s.version = "1"\nend\n`, /invalid gem name/],
  ];
  for (const [text, want] of cases) {
    const r = await rubyInstalledCataloger.parse(fileOf("specifications/x.gemspec", text), env);
    if (want instanceof RegExp) {
      assert.equal(r.packages.length, 0, text);
      assert.match(r.unknowns[0]!.message, want, text);
    } else {
      assert.deepEqual(r.packages.map((p) => ({ name: p.name, version: p.version, licenses: [...p.licenses] })), [want], text);
    }
  }
  assert.ok(!existsSync(marker), "a gemspec was executed");
});

test("hostile gemspecs: binary garbage, megabyte lines, unterminated literals", async () => {
  const env = memoryEnv();
  const garbage = Buffer.from(Array.from({ length: 65536 }, (_, i) => (i * 211 + 5) % 256));
  for (const data of [garbage, Buffer.from(`Gem::Specification.new do |s|\n  s.name = "${"a".repeat(2_000_000)}"\n  s.version = "1"\nend\n`), Buffer.from(`Gem::Specification.new do |s|\n  s.name = %q{unterminated\n  s.version = "1\nend\n`), Buffer.from(`Gem::Specification.new do |s|\n  s.licenses = [${'"x",'.repeat(100_000)}]\n  s.name = "a"\n  s.version = "1"\nend\n`)]) {
    const r = await rubyInstalledCataloger.parse(fileOf("specifications/x.gemspec", data), env);
    assert.ok(r.packages.length + r.unknowns.length === 1);
    for (const p of r.packages) assert.ok(p.licenses.length <= 64);
  }
});

test("claims: specifications/ and specifications/default/ only", () => {
  const info = { mode: 0o644, size: 1 };
  assert.ok(rubyInstalledCataloger.claims("usr/local/bundle/specifications/rack-3.0.0.gemspec", info));
  assert.ok(rubyInstalledCataloger.claims("usr/lib/ruby/gems/3.3.0/specifications/default/json-2.7.1.gemspec", info));
  assert.ok(!rubyInstalledCataloger.claims("app/rack.gemspec", info));
  assert.ok(!rubyInstalledCataloger.claims("usr/local/bundle/gems/rack-3.0.0/rack.gemspec", info));
});
