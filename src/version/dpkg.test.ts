import { test } from "node:test";
import assert from "node:assert/strict";
import { dpkg } from "./dpkg.js";
import { answers, differential, gen, pairsFrom, requireTool, run, wire, type Gen, SCALE, type Pair } from "./testdata/harness.js";

// Hand-picked edge cases; testdata/dpkg.tsv holds dpkg's answers for them.
const EDGE: Pair[] = [
  ["1.0", "1.0-0"],
  ["1.0", "1.0-1"],
  ["1.0~rc1", "1.0"],
  ["1.0~~", "1.0~"],
  ["1.0~~a", "1.0~~"],
  ["1.0~", "1.0"],
  ["1.0", "1.0+b1"],
  ["1.0a", "1.0+"],
  ["1.0a", "1.0."],
  ["1.0.", "1.0+"],
  ["1:1.0", "2.0"],
  ["0:1.0", "1.0"],
  ["00:1.0", "1.0"],
  ["1.0", "1.00"],
  ["1.0.0", "1.00"],
  ["1.01", "1.1"],
  ["2.30", "2.4"],
  ["1.0-1", "1.0-1ubuntu1"],
  ["1.0-1~bpo11+1", "1.0-1"],
  ["1.0-0.1", "1.0-1"],
  ["1.2.3-1+deb12u1", "1.2.3-1"],
  ["1.2.3-1+deb12u1", "1.2.3-1+deb12u2"],
  ["2.36-9+deb12u4", "2.36-9+deb12u10"],
  ["3.0.11-1~deb12u2", "3.0.11-1"],
  ["1:2.38.1-5+deb12u1", "2.38.1-5+deb12u1"],
  ["7.88.1-10+deb12u5", "7.88.1-10+deb12u12"],
  ["1.0-a-b", "1.0-a"],
  ["1.0-1.2-3", "1.0-1.2"],
  ["1:2:3", "1:2"],
  ["1:2:3", "2:3"],
  ["1.0+~", "1.0~+"],
  ["1.0ZZ", "1.0zz"],
  ["1.0A", "1.0~"],
  ["0", "00"],
  ["0", "0.0"],
  ["9", "10"],
  ["1.0~rc1-1", "1.0-1"],
  ["1.0+dfsg-1", "1.0-1"],
  ["1.0+dfsg1-1", "1.0+dfsg-1"],
  ["2.0really1.0-1", "2.0-1"],
  ["1.18.0+really1.16.0-1", "1.18.0-1"],
  ["20230101", "20221231.1"],
  [" 1.0", "1.0"],
  ["1.0 ", "1.0"],
  ["1.0\t", "1.0"],
  ["2147483647:1", "1"],
  ["+1:2", "1:2"],
  ["99999999999999999999999999.0", "99999999999999999999999998.0"],
  // dpkg warns about these and still orders them.
  ["a1", "1"],
  ["1.0_x", "1.0"],
  ["1.0-a_b", "1.0-a"],
  ["1:a", "1"],
  ["~", "~~"],
  ["1.0é", "1.0+"],
  ["1.0é", "1.0z"],
  ["1.0-é", "1.0-~"],
  // dpkg refuses these.
  ["1.0-", "1.0"],
  [":1", "1"],
  ["1:", "1"],
  ["x:1.0", "1.0"],
  ["-1:1.0", "1.0"],
  ["1 0", "1"],
  ["2147483648:1", "1"],
  ["-1", "1"],
  ["1:-1", "1"],
];

const WORDS = ["a", "b", "rc", "alpha", "beta", "dfsg", "ds", "git", "really", "svn", "pre", "deb", "ubuntu", "build", "bpo", "Z", "z", "xz", "A"];
const SEPS = [".", ".", ".", "+", "~", "-", ":"];

function upstream(g: Gen, colonOk: boolean, dashOk: boolean): string {
  let s = g.chance(0.97) ? g.num() : g.pick(WORDS);
  const n = g.int(0, 5);
  for (let i = 0; i < n; i++) {
    let sep = g.pick(SEPS);
    if ((sep === ":" && !colonOk) || (sep === "-" && !dashOk)) sep = ".";
    if (g.chance(0.25)) sep = "";
    const piece = g.chance(0.6) ? g.num() : g.pick(WORDS) + (g.chance(0.5) ? g.num() : "");
    s += sep + piece;
  }
  if (g.chance(0.15)) s += g.pick(["~", "~~", "+", "~rc1", "~beta2", "+b1", "+dfsg", ".", "a"]);
  return s;
}

function revision(g: Gen): string {
  return g.pick(["1", "0", "2", "10", "1ubuntu1", "1+deb12u1", "1+deb12u10", "0.1", "3~bpo11+1", "1build1", "1~", "1.1", "0ubuntu0.22.04.1", "a", "2+b2", "1~exp1"]);
}

function makeVersion(g: Gen): string {
  const hasEpoch = g.chance(0.25);
  const hasRev = g.chance(0.65);
  const epoch = hasEpoch ? `${g.pick(["0", "1", "2", "10", "01", "3"])}:` : "";
  return `${epoch}${upstream(g, hasEpoch, hasRev)}${hasRev ? `-${revision(g)}` : ""}`;
}

function mutate(g: Gen, v: string): string {
  switch (g.int(0, 9)) {
    case 0:
      return `${v}~`;
    case 1:
      return `${v}+b1`;
    case 2:
      return v.replace(/[0-9]+/, (d) => String(Number(d) + g.int(0, 1)));
    case 3:
      return v.replace(/^[0-9]+:/, "");
    case 4:
      return v.includes(":") ? v : `1:${v}`;
    case 5:
      return v.replace(/-[^-]*$/, "");
    case 6:
      return v.replace(/\.([0-9])/, ".0$1");
    case 7:
      return `${v}.0`;
    case 8:
      return g.chance(0.8) ? v.replace(/~/, "") : g.pick([`${v}-`, `:${v}`, `${v}:`, `x${v}`, `${v}_1`]);
    default:
      return v.replace(/[a-z]/, (c) => c.toUpperCase());
  }
}

// Reads pairs on stdin; answers with `dpkg --compare-versions` (lt, then gt; neither means equal).
const DPKG_ORACLE = `
while IFS=$'\\x1f' read -r a b; do
  dpkg --compare-versions -- "$a" lt "$b" 2>/dev/null; r=$?
  if [ $r = 0 ]; then echo "<"
  elif [ $r = 1 ]; then
    dpkg --compare-versions -- "$a" gt "$b" 2>/dev/null; r=$?
    if [ $r = 0 ]; then echo ">"; elif [ $r = 1 ]; then echo "="; else echo "!"; fi
  else echo "!"; fi
done`;

test("dpkg: agrees with dpkg --compare-versions on edge cases and generated pairs", (t) => {
  const toolVersion = requireTool("dpkg", ["--version"], "dpkg");
  const g = gen(0xdeb);
  // dpkg's command line reads an empty argument as "no version"; parseversion refuses it, and so does Berth.
  const generated = pairsFrom(g, () => makeVersion(g), (v) => mutate(g, v), 2000, "0123456789.:-+~abzAZ_ é").filter(([a, b]) => a !== "" && b !== "");
  const { total, summary } = differential({
    name: "dpkg",
    scheme: dpkg,
    tool: "dpkg --compare-versions",
    toolVersion,
    edgeCases: EDGE,
    generated,
    ask: (pairs) => answers(run("bash", ["-c", DPKG_ORACLE], wire(pairs)), pairs.length, "dpkg"),
  });
  t.diagnostic(summary);
  assert.ok(total > 2000 * SCALE);
});

test("dpkg: invalid versions are refused with a one-line input error naming the scheme", () => {
  assert.throws(() => dpkg.compare("1.0-", "1.0"), { name: "BerthError", code: "input", message: 'dpkg: invalid version "1.0-": revision number is empty' });
  assert.equal(dpkg.validate("1:"), "nothing after colon in version number");
  assert.equal(dpkg.validate("1.0"), undefined);
  const r = dpkg.tryCompare("1.0", "");
  assert.ok(typeof r === "object" && r.incomparable);
  assert.equal(dpkg.validate("1".repeat(300)), "longer than 256 characters");
});
