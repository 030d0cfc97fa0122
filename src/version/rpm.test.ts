import { test } from "node:test";
import assert from "node:assert/strict";
import { rpm, rpmvercmp } from "./rpm.js";
import { answers, differential, gen, pairsFrom, requireTool, run, wire, withTempDir, type Gen, SCALE, type Pair } from "./testdata/harness.js";
import { join } from "node:path";
import { writeFileSync } from "node:fs";

// Hand-picked edge cases; testdata/rpm.tsv holds rpm's answers for them.
const EDGE: Pair[] = [
  ["1.0", "1.0"],
  ["1.0", "1.0.0"],
  ["1.0", "1.0-0"],
  ["1.0-1", "1.0-1.el8"],
  ["1.0~rc1", "1.0"],
  ["1.0~rc1", "1.0~rc2"],
  ["1.0~~", "1.0~"],
  ["1.0^", "1.0"],
  ["1.0^git1", "1.0"],
  ["1.0^git1", "1.0.1"],
  ["1.0^git1", "1.0^git2"],
  ["1.0^git1~pre", "1.0^git1"],
  ["1.0~rc1^git1", "1.0~rc1"],
  ["1.0~rc1^git1", "1.0"],
  ["1.0a", "1.0"],
  ["1.0a", "1.0.1"],
  ["1.0.a", "1.0.1"],
  ["a", "1"],
  ["1.01", "1.1"],
  ["1.001", "1.1"],
  ["1_0", "1.0"],
  ["1+0", "1.0"],
  ["1..0", "1.0"],
  ["FC5", "fc4"],
  ["2a", "2.0"],
  ["1.0aa", "1.0a"],
  ["1.0010", "1.9"],
  ["1:1.0", "2.0"],
  ["0:1.0", "1.0"],
  [":1.0", "1.0"],
  ["1:", "1"],
  ["01:1.0", "1:1.0"],
  ["1a:2", "1"],
  ["1.0-1", "1.0-2"],
  ["1.0-1.el8_2", "1.0-1.el8_10"],
  ["2.28-225.el8", "2.28-225.el8_8.6"],
  ["3.0.7-25.el9_3", "3.0.7-24.el9"],
  ["1:1.1.1k-9.el8_7", "1:1.1.1k-12.el8_9"],
  ["4.18.0-1+deb12u1", "4.18.0-1"],
  ["1.2.3-0.rc1.fc39", "1.2.3-1.fc39"],
  ["1.0-1-2", "1.0-1"],
  ["-1", "1"],
  ["1-", "1"],
  ["1 0", "1.0"],
  [" 1", "1"],
  ["1.0é", "1.0"],
  ["99999999999999999999999.0", "99999999999999999999998.0"],
  ["", "1"],
];

const WORDS = ["a", "b", "rc", "alpha", "beta", "git", "pre", "el", "fc", "module", "svn", "Z", "z", "A", "snap"];

function segmentList(g: Gen): string {
  let s = g.chance(0.95) ? g.num() : g.pick(WORDS);
  const n = g.int(0, 4);
  for (let i = 0; i < n; i++) {
    const sep = g.pick([".", ".", ".", "", "_", "+", "~", "^", "~", "^"]);
    s += sep + (g.chance(0.6) ? g.num() : g.pick(WORDS) + (g.chance(0.5) ? g.num() : ""));
  }
  return s;
}

function release(g: Gen): string {
  return g.pick([
    () => String(g.int(0, 30)),
    () => `${g.int(0, 30)}.el${g.int(7, 9)}`,
    () => `${g.int(0, 30)}.el${g.int(7, 9)}_${g.int(0, 10)}`,
    () => `${g.int(0, 3)}.fc${g.int(36, 40)}`,
    () => `0.rc${g.int(1, 3)}.fc39`,
    () => `${g.int(1, 5)}.module+el8.${g.int(0, 9)}.0+${g.int(1000, 20000)}+${g.pick(["abcd", "1a2b", "deadbeef"])}`,
    () => segmentList(g),
  ])();
}

function makeVersion(g: Gen): string {
  const epoch = g.chance(0.25) ? `${g.pick(["0", "1", "2", "10", "01", ""])}:` : "";
  const rel = g.chance(0.7) ? `-${release(g)}` : "";
  return `${epoch}${segmentList(g)}${rel}`;
}

function mutate(g: Gen, v: string): string {
  switch (g.int(0, 9)) {
    case 0:
      return v.replace(/([0-9]+)(?!.*[0-9])/, (d) => String(Number(d) + g.int(0, 1)));
    case 1:
      return `${v}~rc1`;
    case 2:
      return `${v}^git1`;
    case 3:
      return v.replace(/-[^-]*$/, "");
    case 4:
      return v.includes(":") ? v.replace(/^[0-9]*:/, "") : `0:${v}`;
    case 5:
      return v.replace(/\./, "_");
    case 6:
      return v.replace(/\.([0-9])/, ".0$1");
    case 7:
      return `${v}.0`;
    case 8:
      return v.replace(/[~^]/, "");
    default:
      return v.replace(/[a-z]/, (c) => c.toUpperCase());
  }
}

/** Runs all pairs through rpm.vercmp in one `rpm --eval` of embedded Lua. */
function askRpm(pairs: readonly Pair[]): ReturnType<typeof answers> {
  return withTempDir((dir) => {
    const file = join(dir, "pairs");
    writeFileSync(file, wire(pairs));
    const lua = `for line in io.lines(${JSON.stringify(file)}) do
  local a, b = line:match("^(.-)\\31(.*)$")
  local ok, r = pcall(rpm.vercmp, a, b)
  if not ok then io.write("!\\n") elseif r < 0 then io.write("<\\n") elseif r > 0 then io.write(">\\n") else io.write("=\\n") end
end`;
    return answers(run("rpm", ["--eval", `%{lua:${lua}}`], ""), pairs.length, "rpm");
  });
}

test("rpm: agrees with rpm.vercmp on edge cases and generated pairs", (t) => {
  const toolVersion = requireTool("rpm", ["--version"], "rpm");
  const g = gen(0x4e7);
  const generated = pairsFrom(g, () => makeVersion(g), (v) => mutate(g, v), 4000, "0123456789.:-+~^abzAZ_ é");
  const { total, summary } = differential({ name: "rpm", scheme: rpm, tool: "rpm.vercmp (rpm --eval Lua)", toolVersion, edgeCases: EDGE, generated, ask: askRpm });
  t.diagnostic(summary);
  assert.ok(total > 4000 * SCALE);
});

test("rpm: rpmvercmp orders tilde below and caret above the base version", () => {
  assert.equal(rpmvercmp("1.0~rc1", "1.0"), -1);
  assert.equal(rpmvercmp("1.0^post1", "1.0"), 1);
  assert.equal(rpmvercmp("1.0^post1", "1.0.1"), -1);
  assert.equal(rpm.validate(""), "empty");
});
