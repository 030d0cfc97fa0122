import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { go } from "./go.js";
import { answers, differential, gen, pairsFrom, requireTool, run, wire, withTempDir, type Gen, SCALE, type Pair } from "./testdata/harness.js";

// Hand-picked edge cases; testdata/go.tsv holds x/mod/semver's answers for them.
const EDGE: Pair[] = [
  ["v1.0.0", "v1.0.0"],
  ["v1", "v1.0.0"],
  ["v1.2", "v1.2.0"],
  ["v1.2.3", "v1.2.4"],
  ["v1.2.3-pre", "v1.2.3"],
  ["v1.2.3-alpha", "v1.2.3-alpha.1"],
  ["v1.2.3-alpha.1", "v1.2.3-alpha.beta"],
  ["v1.2.3-alpha.beta", "v1.2.3-beta"],
  ["v1.2.3-beta.2", "v1.2.3-beta.11"],
  ["v1.2.3-beta.11", "v1.2.3-rc.1"],
  ["v1.2.3-1", "v1.2.3-a"],
  ["v1.2.3-A", "v1.2.3-a"],
  ["v1.2.3-a-b", "v1.2.3-a"],
  ["v1.2.3+build", "v1.2.3"],
  ["v1.2.3+build.1", "v1.2.3+build.2"],
  ["v2.0.0+incompatible", "v2.0.0"],
  ["v2.0.0+incompatible", "v2.0.1"],
  ["v0.0.0-20191109021931-daa7c04131f5", "v0.0.1"],
  ["v0.0.0-20191109021931-daa7c04131f5", "v0.0.0-20200101000000-aaaaaaaaaaaa"],
  ["v1.2.4-0.20191109021931-daa7c04131f5", "v1.2.3"],
  ["v1.2.4-0.20191109021931-daa7c04131f5", "v1.2.4"],
  ["v1.2.3-pre.0.20191109021931-daa7c04131f5", "v1.2.3-pre"],
  ["v1.2.3-pre.0.20191109021931-daa7c04131f5", "v1.2.3-pre.1"],
  ["v10.0.0", "v9.0.0"],
  ["v99999999999999999999.0.0", "v99999999999999999998.0.0"],
  ["v01.0.0", "v1.0.0"],
  ["v1.02.0", "v1.2.0"],
  ["v1.2.3-01", "v1.2.3-1"],
  ["v1.2.3-", "v1.2.3"],
  ["v1.2.3+", "v1.2.3"],
  ["v1.2.3-a..b", "v1.2.3"],
  ["v1.2-pre", "v1.2.0-pre"],
  ["v1-pre", "v1.0.0-pre"],
  ["v1.2.3.4", "v1.2.3"],
  ["V1.2.3", "v1.2.3"],
  ["v", "v0"],
  ["v1.2.3-é", "v1.2.3"],
  ["1.2.3", "v1.2.3"],
];

function ident(g: Gen): string {
  return g.chance(0.5) ? String(g.int(0, 20)) : g.pick(["alpha", "beta", "rc", "pre", "A", "a-b", "x1", "0a", "incompatible"]);
}

function makeVersion(g: Gen): string {
  const roll = g.int(0, 9);
  if (roll === 0) return `v0.0.0-${g.int(20180101, 20251231)}${String(g.int(0, 235959)).padStart(6, "0")}-${g.pick(["daa7c04131f5", "0123456789ab", "abcdefabcdef"])}`;
  if (roll === 1) return `v${g.int(0, 3)}.${g.int(0, 9)}.${g.int(1, 9)}-0.${g.int(20180101, 20251231)}000000-${g.pick(["daa7c04131f5", "0123456789ab"])}`;
  let s = `v${g.chance(0.9) ? String(g.int(0, 12)) : g.num()}`;
  const parts = g.chance(0.9) ? 2 : g.int(0, 1);
  for (let i = 0; i < parts; i++) s += `.${g.chance(0.9) ? String(g.int(0, 30)) : g.num()}`;
  if (parts === 2 && g.chance(0.35)) {
    s += `-${ident(g)}`;
    const n = g.int(0, 2);
    for (let i = 0; i < n; i++) s += `.${ident(g)}`;
  }
  if (parts === 2 && g.chance(0.1)) s += g.pick(["+incompatible", "+build.1", "+meta"]);
  return s;
}

function mutate(g: Gen, v: string): string {
  switch (g.int(0, 6)) {
    case 0:
      return v.replace(/([0-9]+)(?!.*[0-9])/, (d) => String(Number(d) + g.int(0, 1)));
    case 1:
      return v.replace(/\.0$/, "");
    case 2:
      return `${v}+incompatible`;
    case 3:
      return v.replace(/-.*$/, "");
    case 4:
      return `${v}-pre`;
    case 5:
      return v.replace(/[0-9]+/, (d) => `0${d}`);
    default:
      return g.pick([`${v}.`, `${v}-`, v.slice(1), `${v}.1`]);
  }
}

const GOPATH = "/usr/share/gocode";

const GO_ORACLE = `package main

import (
	"bufio"
	"fmt"
	"os"
	"strings"

	"golang.org/x/mod/semver"
)

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<20)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	for in.Scan() {
		f := strings.SplitN(in.Text(), "\\x1f", 2)
		a, b := f[0], f[1]
		if !semver.IsValid(a) || !semver.IsValid(b) {
			fmt.Fprintln(out, "!")
			continue
		}
		fmt.Fprintln(out, map[int]string{-1: "<", 0: "=", 1: ">"}[semver.Compare(a, b)])
	}
}
`;

test("go: agrees with golang.org/x/mod/semver on edge cases and generated pairs", (t) => {
  const goVersion = requireTool("go", ["version"], "golang-go");
  assert.ok(existsSync(join(GOPATH, "src/golang.org/x/mod/semver")), `the differential test needs golang.org/x/mod/semver under ${GOPATH} (Debian package golang-golang-x-mod-dev)`);
  const modVersion = run("dpkg-query", ["-W", "-f=${Version}", "golang-golang-x-mod-dev"], "").trim();
  const g = gen(0x60);
  const generated = pairsFrom(g, () => makeVersion(g), (v) => mutate(g, v), 4000, "0123456789.-+vabzAZé");
  // The tool needs the "v"; Berth adds a missing one itself (tested below), so the tool sees only "v" forms.
  const toolPairs = generated.filter(([a, b]) => a.startsWith("v") && b.startsWith("v"));
  const { total, summary } = differential({
    name: "go",
    scheme: go,
    tool: "golang.org/x/mod/semver",
    toolVersion: `golang-golang-x-mod-dev ${modVersion}, ${goVersion}`,
    edgeCases: EDGE.filter(([a, b]) => a.startsWith("v") && b.startsWith("v")),
    generated: toolPairs,
    ask: (pairs) =>
      withTempDir((dir) => {
        mkdirSync(join(dir, "cache"));
        writeFileSync(join(dir, "oracle.go"), GO_ORACLE);
        const env = { ...process.env, GO111MODULE: "off", GOPATH, GOCACHE: join(dir, "cache"), GOFLAGS: "" };
        run("go", ["build", "-o", join(dir, "oracle"), join(dir, "oracle.go")], "", env, dir);
        return answers(run(join(dir, "oracle"), [], wire(pairs)), pairs.length, "x/mod/semver");
      }),
  });
  t.diagnostic(summary);
  assert.ok(total > 3000 * SCALE);
});

test("go: OSV's versions without the v compare like the v forms", () => {
  assert.equal(go.compare("1.2.3", "v1.2.3"), 0);
  assert.equal(go.compare("1.2.3", "1.2.4"), -1);
  assert.equal(go.compare("0.0.0-20191109021931-daa7c04131f5", "v0.0.1"), -1);
  assert.equal(go.validate("V1.2.3"), 'a Go module version starts with "v"');
});
