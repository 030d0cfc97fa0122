import { test } from "node:test";
import assert from "node:assert/strict";
import { pep440 } from "./pep440.js";
import { answers, differential, gen, pairsFrom, requireTool, run, wire, type Gen, SCALE, type Pair } from "./testdata/harness.js";

// Hand-picked edge cases; testdata/pep440.tsv holds packaging's answers for them.
const EDGE: Pair[] = [
  ["1.0", "1.0.0"],
  ["1.0", "1"],
  ["1.0.dev0", "1.0a0"],
  ["1.0.dev1", "1.0"],
  ["1.0a1", "1.0b1"],
  ["1.0b2", "1.0rc1"],
  ["1.0rc1", "1.0"],
  ["1.0", "1.0.post1"],
  ["1.0.post1.dev1", "1.0.post1"],
  ["1.0.post1.dev1", "1.0"],
  ["1.0a1.dev1", "1.0a1"],
  ["1.0a1.post1", "1.0a2"],
  ["1.0a1.post1.dev1", "1.0a1.post1"],
  ["1.0-1", "1.0.post1"],
  ["1.0-r1", "1.0.post1"],
  ["1.0rev1", "1.0.post1"],
  ["1.0c1", "1.0rc1"],
  ["1.0pre1", "1.0rc1"],
  ["1.0preview1", "1.0rc1"],
  ["1.0alpha1", "1.0a1"],
  ["1.0BETA1", "1.0b1"],
  ["1.0a", "1.0a0"],
  ["1.0.post", "1.0.post0"],
  ["1.0.dev", "1.0.dev0"],
  ["1.0-a.1", "1.0a1"],
  ["1.0_post_1", "1.0.post1"],
  ["v1.0", "1.0"],
  ["V1.0", "1.0"],
  [" 1.0 ", "1.0"],
  ["\t1.0\u000b", "1.0"],
  ["1!1.0", "2.0"],
  ["0!1.0", "1.0"],
  ["1.0+local", "1.0"],
  ["1.0+local", "1.0+local.1"],
  ["1.0+abc", "1.0+1"],
  ["1.0+1", "1.0+01"],
  ["1.0+a.b", "1.0+a-b"],
  ["1.0+A", "1.0+a"],
  ["1.0+1e5", "1.0+100000"],
  ["1.0+ubuntu1", "1.0+ubuntu1.1"],
  ["1.0.post1", "1.0+local"],
  ["1.01", "1.1"],
  ["2.0.0.0.0", "2"],
  ["18446744073709551617", "18446744073709551616"],
  ["9007199254740993", "9007199254740992"],
  ["1.0.0a1", "1.0a1"],
  ["1.0..0", "1.0"],
  ["1.0.", "1.0"],
  [".1", "0.1"],
  ["1.0+", "1.0"],
  ["1.0+local!", "1.0"],
  ["1.0a1b1", "1.0"],
  ["1.0.dev1.post1", "1.0"],
  ["1.0-dev", "1.0.dev0"],
  ["1.0-", "1.0"],
  ["1.0.post-1", "1.0.post1"],
  ["vv1.0", "1.0"],
  ["1.0 1", "1.0"],
  ["", "1.0"],
  ["latest", "1.0"],
  ["2.0.0-beta.1", "2.0.0b1"],
];

const PRE = ["a", "b", "rc", "alpha", "beta", "c", "pre", "preview", "A", "RC", "Beta"];
const POST = ["post", "rev", "r", "POST"];
const SEPS = ["", ".", "-", "_"];

function makeVersion(g: Gen): string {
  let s = g.chance(0.1) ? `${g.pick(["0", "1", "2", "01"])}!` : "";
  if (g.chance(0.05)) s = `${g.pick(["v", "V"])}${s}`;
  s += g.num();
  const parts = g.int(0, 4);
  for (let i = 0; i < parts; i++) s += `.${g.num()}`;
  if (g.chance(0.35)) s += `${g.pick(SEPS)}${g.pick(PRE)}${g.chance(0.3) ? "" : g.pick(SEPS)}${g.chance(0.2) ? "" : g.num()}`;
  if (g.chance(0.25)) s += g.chance(0.3) ? `-${g.num()}` : `${g.pick(SEPS)}${g.pick(POST)}${g.chance(0.3) ? "" : g.pick(SEPS)}${g.chance(0.2) ? "" : g.num()}`;
  if (g.chance(0.25)) s += `${g.pick(SEPS)}${g.pick(["dev", "DEV"])}${g.chance(0.3) ? "" : g.pick(SEPS)}${g.chance(0.2) ? "" : g.num()}`;
  if (g.chance(0.2)) {
    s += `+${g.pick(["ubuntu", "local", "abc", "1", "01", "cpu", "cu118", "Deb"])}`;
    const n = g.int(0, 2);
    for (let i = 0; i < n; i++) s += `${g.pick([".", "-", "_"])}${g.chance(0.5) ? g.num() : g.pick(["a", "b", "x1", "Z"])}`;
  }
  if (g.chance(0.03)) s = ` ${s}\t`;
  return s;
}

function mutate(g: Gen, v: string): string {
  switch (g.int(0, 9)) {
    case 0:
      return v.replace(/([0-9]+)(?!.*[0-9])/, (d) => String(Number(d) + g.int(0, 1)));
    case 1:
      return `${v}.0`;
    case 2:
      return v.replace(/\+.*$/, "");
    case 3:
      return `${v}.dev0`;
    case 4:
      return v.replace(/\.0+(?=[^0-9]|$)/, "");
    case 5:
      return v.toUpperCase();
    case 6:
      return v.replace(/\./, "-");
    case 7:
      return `${v}+local`;
    case 8:
      return v.replace(/[0-9]+/, (d) => `0${d}`);
    default:
      return g.pick([`${v}a`, `${v}.post`, `${v}x`, `${v}..1`, `${v}-`]);
  }
}

const PY_ORACLE = `
import sys
from packaging.version import Version, InvalidVersion
out = []
for raw in sys.stdin.buffer.read().split(b"\\n"):
    if not raw:
        continue
    a, b = raw.decode("utf-8").split("\\x1f")
    try:
        va, vb = Version(a), Version(b)
    except InvalidVersion:
        out.append("!")
        continue
    out.append("<" if va < vb else ">" if va > vb else "=")
sys.stdout.write("\\n".join(out) + "\\n")
`;

test("pep440: agrees with Python's packaging.version on edge cases and generated pairs", (t) => {
  requireTool("python3", ["--version"], "python3");
  let toolVersion: string;
  try {
    toolVersion = run("python3", ["-c", "import sys, packaging; print('packaging', packaging.__version__, 'on Python', sys.version.split()[0])"], "").trim();
  } catch (e) {
    throw new Error(`the differential test needs Python's packaging library (Debian package python3-packaging, or pip install packaging): ${String(e)}`);
  }
  const g = gen(0x440);
  const generated = pairsFrom(g, () => makeVersion(g), (v) => mutate(g, v), 4000, "0123456789.-_+!vVabcrpostdevlREVé ");
  const { total, summary } = differential({
    name: "pep440",
    scheme: pep440,
    tool: "packaging.version.Version",
    toolVersion,
    edgeCases: EDGE,
    generated,
    ask: (pairs) => answers(run("python3", ["-c", PY_ORACLE], wire(pairs)), pairs.length, "python3 packaging"),
  });
  t.diagnostic(summary);
  assert.ok(total > 4000 * SCALE);
});
