import { test } from "node:test";
import assert from "node:assert/strict";
import { apk, apkCompareRaw } from "./apk.js";
import { berthAnswer, gen, readGolden, type Answer } from "./testdata/harness.js";

const flip = (a: Answer): Answer => (a === "<" ? ">" : a === ">" ? "<" : a);
const sym = (n: number): Answer => (n < 0 ? "<" : n > 0 ? ">" : "=");

test("apk: agrees with every row of apk-tools' own test vectors (testdata/apk.tsv)", (t) => {
  const { rows } = readGolden("apk");
  assert.ok(rows.length > 700);
  const bad: string[] = [];
  let refused = 0;
  for (const [a, b, want] of rows) {
    // apk-tools' comparison itself, including the rows with an invalid version…
    if (sym(apkCompareRaw(a, b)) !== want) bad.push(`raw ${a} vs ${b}: apk-tools says ${want}`);
    if (sym(apkCompareRaw(b, a)) !== flip(want)) bad.push(`raw ${b} vs ${a}: apk-tools says ${flip(want)}`);
    // …and the scheme, which refuses invalid versions instead of ordering them.
    const valid = apk.validate(a) === undefined && apk.validate(b) === undefined;
    const got = berthAnswer(apk, a, b);
    if (!valid) refused++;
    if (got !== (valid ? want : "!")) bad.push(`scheme ${a} vs ${b}: want ${valid ? want : "!"}, got ${got}`);
  }
  assert.deepEqual(bad, []);
  t.diagnostic(`${rows.length} apk-tools vectors agree (${refused} have a version Berth refuses as invalid)`);
});

// Berth's reading of apk-tools' src/version.c grammar for what the vectors do not cover.
// These are not apk-tools' own answers.
const GRAMMAR: [string, string, Answer][] = [
  ["1.0~abc123", "1.0~abc124", "<"],
  ["1.0~abc", "1.0", ">"],
  ["1.0~abc-r1", "1.0-r1", ">"],
  ["1.0_rc1~abc", "1.0_rc1", ">"],
  ["1.0_git20240101", "1.0", ">"],
  ["1.0_git20240101", "1.0_p1", "<"],
  ["1.0_cvs", "1.0_svn", "<"],
  ["1.0_hg", "1.0_git", ">"],
  ["1.0_p", "1.0_p0", "<"],
  ["1.0_alpha", "1.0_alpha0", "<"],
  ["1.0_rc_beta", "1.0_rc0", "<"],
  ["1.0_rc0", "1.0_rc_p", "<"],
  ["1.0-r0", "1.0", ">"],
  ["1.0a", "1.0_p1", ">"],
  ["1.0a", "1.0.1", "<"],
  ["1.01", "1.1", "<"],
  ["8.2.01", "8.2.001", ">"],
  ["01", "1", "="],
  ["1.0.0", "1.0", ">"],
  ["18446744073709551616", "0", "="],
  ["1.0", "1.0~ABC", "!"],
  ["1.0", "1.0~", "!"],
  ["1.0", "1.0A", "!"],
  ["1.0", "1.0-1", "!"],
  ["1.0", "1.0-r", "!"],
  ["1.0", "1.0_foo", "!"],
  ["1.0", "1.0_", "!"],
  ["1.0", "1.0.", "!"],
  ["1.0", "1..0", "!"],
  ["1.0", "v1.0", "!"],
  ["1.0", "", "!"],
  ["1.0", "1.0-r1-r2", "!"],
  ["1.0", "1.0-r1_p1", "!"],
  ["1.0", "1.0ab", "!"],
  ["1.0", "1.0_p1a", "!"],
];

test("apk: the grammar's corners as Berth reads apk-tools' src/version.c", () => {
  for (const [a, b, want] of GRAMMAR) {
    assert.equal(berthAnswer(apk, a, b), want, `${a} vs ${b}`);
    assert.equal(berthAnswer(apk, b, a), flip(want), `${b} vs ${a}`);
  }
});

test("apk: the order is a total order on generated versions (antisymmetric, transitive)", () => {
  const g = gen(0xa1);
  const vs: string[] = [];
  for (let i = 0; i < 400; i++) {
    let s = g.num();
    for (let k = g.int(0, 3); k > 0; k--) s += `.${g.num()}`;
    if (g.chance(0.2)) s += g.pick(["a", "b", "z"]);
    for (let k = g.int(0, 2); k > 0; k--) s += `_${g.pick(["alpha", "beta", "pre", "rc", "cvs", "svn", "git", "hg", "p"])}${g.chance(0.5) ? g.int(0, 20) : ""}`;
    if (g.chance(0.1)) s += `~${g.pick(["abc", "0f1e", "deadbeef"])}`;
    if (g.chance(0.5)) s += `-r${g.int(0, 12)}`;
    assert.equal(apk.validate(s), undefined, s);
    vs.push(s);
  }
  const sorted = [...vs].sort((a, b) => apk.compare(a, b));
  for (let i = 0; i + 1 < sorted.length; i++) {
    const a = sorted[i] as string;
    const b = sorted[i + 1] as string;
    assert.ok(apk.compare(a, b) <= 0 && apk.compare(b, a) >= 0, `${a} ≤ ${b}`);
  }
  for (let i = 0; i < 2000; i++) {
    const [a, b, c] = [g.pick(vs), g.pick(vs), g.pick(vs)];
    assert.equal(apk.compare(a, b), -apk.compare(b, a) || 0);
    if (apk.compare(a, b) <= 0 && apk.compare(b, c) <= 0) assert.ok(apk.compare(a, c) <= 0, `${a} ≤ ${b} ≤ ${c}`);
  }
});
