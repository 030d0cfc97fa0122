import { test } from "node:test";
import assert from "node:assert/strict";
import { go } from "./go.js";
import { semver } from "./semver.js";
import { berthAnswer, gen } from "./testdata/harness.js";

// The semver scheme is npm's own `semver` package, so there is no second implementation to
// differ from; these rows pin the SemVer 2.0.0 precedence rules (semver.org, §9–11) and npm's
// strictness, and cross-check against the Go scheme (proven against golang.org/x/mod/semver).

test("semver: SemVer 2.0.0 §11 precedence examples, in order", () => {
  const chains = [
    ["1.0.0", "2.0.0", "2.1.0", "2.1.1"],
    ["1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0"],
  ];
  for (const chain of chains) {
    for (let i = 0; i + 1 < chain.length; i++) {
      assert.equal(semver.compare(chain[i] as string, chain[i + 1] as string), -1, `${chain[i]} < ${chain[i + 1]}`);
      assert.equal(semver.compare(chain[i + 1] as string, chain[i] as string), 1);
    }
  }
});

test("semver: build metadata is ignored; a leading v is accepted; loose forms are refused", () => {
  assert.equal(semver.compare("1.0.0+build.1", "1.0.0+build.2"), 0);
  assert.equal(semver.compare("v1.2.3", "1.2.3"), 0);
  assert.equal(semver.compare("1.2.3-alpha.10", "1.2.3-alpha.9"), 1);
  for (const v of ["1.0", "1", "01.0.0", "1.0.0-01", "1.0.0-", "1.0.0+", "1.0.0-a..b", "a.b.c", "1.2.3.4", ""]) {
    assert.notEqual(semver.validate(v), undefined, JSON.stringify(v));
  }
  assert.throws(() => semver.compare("1.0", "1.0.0"), { code: "input", message: /^semver: invalid version "1.0"/ });
});

test("semver: agrees with the Go scheme on full semantic versions", () => {
  const g = gen(0x5e);
  const ident = (): string => (g.chance(0.5) ? String(g.int(0, 20)) : g.pick(["alpha", "beta", "rc", "A", "a-b", "x1", "0a"]));
  const make = (): string => {
    let s = `${g.int(0, 5)}.${g.int(0, 12)}.${g.int(0, 12)}`;
    if (g.chance(0.5)) {
      s += `-${ident()}`;
      for (let k = g.int(0, 2); k > 0; k--) s += `.${ident()}`;
    }
    if (g.chance(0.1)) s += "+build.5";
    return s;
  };
  for (let i = 0; i < 3000; i++) {
    const a = make();
    const b = g.chance(0.3) ? a.replace(/[0-9]+$/, (d) => String(Number(d) + 1)) : make();
    assert.equal(berthAnswer(semver, a, b), berthAnswer(go, `v${a}`, `v${b}`), `${a} vs ${b}`);
  }
});
