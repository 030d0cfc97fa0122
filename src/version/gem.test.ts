import { test } from "node:test";
import assert from "node:assert/strict";
import { gem } from "./gem.js";
import { answers, differential, gen, pairsFrom, requireTool, run, wire, type Gen, SCALE, type Pair } from "./testdata/harness.js";

// Hand-picked edge cases; testdata/gem.tsv holds Gem::Version's answers for them.
const EDGE: Pair[] = [
  ["1", "1.0"],
  ["1.0", "1.0.0"],
  ["1.0.a", "1.0"],
  ["1.0.a", "1.0.b"],
  ["1.0.a1", "1.0.a"],
  ["1.0.a10", "1.0.a9"],
  ["1.0.0.pre1", "1.0.0"],
  ["1.0.0.rc1", "1.0.0.pre1"],
  ["1.0.0-rc1", "1.0.0.rc1"],
  ["1.0.0-rc1", "1.0.0.pre.rc1"],
  ["1.0-1", "1.0.pre.1"],
  ["1.0.A", "1.0.a"],
  ["1.0.Z", "1.0.a"],
  ["1.a", "1.0.a"],
  ["1.0.a.0", "1.0.a"],
  ["1.0.a.1", "1.0.a"],
  ["1.2b3", "1.2.b.3"],
  ["2.0.0.beta", "2.0.0.alpha"],
  ["7.0.8.1", "7.0.8"],
  ["6.1.7.3", "6.1.7.10"],
  ["1.01", "1.1"],
  ["1.0.0.0.0.1", "1.0.0.0.0.0.1"],
  ["99999999999999999999999", "99999999999999999999998"],
  ["", "0"],
  ["  ", "0"],
  [" 1.0 ", "1.0"],
  ["1.0\f", "1.0"],
  ["1..0", "1.0"],
  ["1.0.", "1.0"],
  [".1", "0.1"],
  ["a", "1"],
  ["1.0 a", "1.0"],
  ["1.0-", "1.0"],
  ["1.0-a-b", "1.0.pre.a.pre.b"],
  ["1.0_1", "1.0"],
  ["1.0+1", "1.0"],
  ["1.0-+", "1.0"],
];

const WORDS = ["a", "b", "alpha", "beta", "pre", "rc", "A", "Z", "dev", "x"];

function makeVersion(g: Gen): string {
  let s = g.num();
  const n = g.int(0, 4);
  for (let i = 0; i < n; i++) s += `.${g.chance(0.7) ? g.num() : g.pick(WORDS) + (g.chance(0.5) ? g.num() : "")}`;
  if (g.chance(0.15)) s += `${g.pick(WORDS)}${g.chance(0.5) ? g.num() : ""}`;
  if (g.chance(0.15)) s += `-${g.pick(WORDS)}${g.chance(0.5) ? `.${g.num()}` : ""}`;
  return s;
}

function mutate(g: Gen, v: string): string {
  switch (g.int(0, 7)) {
    case 0:
      return v.replace(/([0-9]+)(?!.*[0-9])/, (d) => String(Number(d) + g.int(0, 1)));
    case 1:
      return `${v}.0`;
    case 2:
      return v.replace(/-/, ".pre.");
    case 3:
      return v.toUpperCase();
    case 4:
      return v.replace(/\.([a-z])/i, "$1");
    case 5:
      return `${v}.${g.pick(WORDS)}`;
    case 6:
      return v.replace(/[0-9]+/, (d) => `0${d}`);
    default:
      return g.pick([` ${v}`, `${v}-`, `${v}..`, `${v}_1`, `v${v}`]);
  }
}

const RUBY_ORACLE = `
STDOUT.sync = false
STDIN.binmode
out = []
STDIN.each_line do |raw|
  a, b = raw.chomp("\\n").force_encoding("UTF-8").split("\\x1f", 2)
  begin
    c = Gem::Version.new(a) <=> Gem::Version.new(b)
    out << (c < 0 ? "<" : c > 0 ? ">" : "=")
  rescue ArgumentError
    out << "!"
  end
end
puts out.join("\\n")
`;

test("gem: agrees with RubyGems' Gem::Version on edge cases and generated pairs", (t) => {
  requireTool("ruby", ["--version"], "ruby");
  const toolVersion = run("ruby", ["-e", 'puts "RubyGems #{Gem::VERSION} on Ruby #{RUBY_VERSION}"'], "").trim();
  const g = gen(0x9e3);
  const generated = pairsFrom(g, () => makeVersion(g), (v) => mutate(g, v), 4000, "0123456789.-abzAZ_+ ");
  const { total, summary } = differential({
    name: "gem",
    scheme: gem,
    tool: "Gem::Version",
    toolVersion,
    edgeCases: EDGE,
    generated,
    ask: (pairs) => answers(run("ruby", ["-e", RUBY_ORACLE], wire(pairs)), pairs.length, "Gem::Version"),
  });
  t.diagnostic(summary);
  assert.ok(total > 4000 * SCALE);
});
