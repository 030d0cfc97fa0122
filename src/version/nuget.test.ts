import { test } from "node:test";
import assert from "node:assert/strict";
import { nuget } from "./nuget.js";

// There is no NuGet tool on these machines. These rows come from NuGet's "Package versioning"
// documentation (learn.microsoft.com/nuget/concepts/package-versioning) where marked [doc], and
// otherwise from NuGet.Versioning's documented parsing and comparison rules (NuGetVersion.TryParse,
// VersionComparer.Default).

test("nuget: pre-release precedence, highest first [doc]", () => {
  const order = ["1.0.1", "1.0.1-zzz", "1.0.1-rc.10", "1.0.1-rc.2", "1.0.1-open", "1.0.1-beta", "1.0.1-alpha2", "1.0.1-alpha10", "1.0.1-aaa"];
  for (let i = 0; i + 1 < order.length; i++) {
    const hi = order[i] as string;
    const lo = order[i + 1] as string;
    assert.equal(nuget.compare(hi, lo), 1, `${hi} > ${lo}`);
    assert.equal(nuget.compare(lo, hi), -1, `${lo} < ${hi}`);
  }
});

test("nuget: normalised version numbers compare equal [doc]", () => {
  for (const [a, b] of [
    ["1.00", "1.0"],
    ["1.01.1", "1.1.1"],
    ["1.00.0.1", "1.0.0.1"],
    ["1.0.0.0", "1.0.0"],
    ["1.0.01.0", "1.0.1"],
    ["1.0.7+r3456", "1.0.7"],
  ] as const) {
    assert.equal(nuget.compare(a, b), 0, `${a} = ${b}`);
  }
});

test("nuget: four-part versions, labels, metadata", () => {
  const rows: [string, string, -1 | 0 | 1][] = [
    ["1.0.0.1", "1.0.0", 1],
    ["1.0.0.1-beta", "1.0.0.1", -1],
    ["1.0.0.1-beta", "1.0.0", 1],
    ["1", "1.0.0", 0],
    ["1.0", "1.0.0.0", 0],
    ["2.0.0", "10.0.0", -1],
    ["1.0.0-BETA", "1.0.0-beta", 0],
    ["1.0.0-Beta.2", "1.0.0-beta.10", -1],
    ["1.0.0-1", "1.0.0-a", -1],
    ["1.0.0-alpha", "1.0.0-alpha.1", -1],
    ["1.0.0-alpha.1", "1.0.0-alpha.beta", -1],
    ["1.0.0-a-b", "1.0.0-a", 1],
    ["1.0.0-0A", "1.0.0-0", 1],
    ["1.0.0+build.1", "1.0.0+build.2", 0],
    ["1.0.0-rc.1+abc", "1.0.0-rc.1", 0],
    ["1.0.0+001", "1.0.0", 0],
    [" 1.0.0 ", "1.0.0", 0],
    ["2147483647.0", "2147483646.0", 1],
  ];
  for (const [a, b, want] of rows) {
    assert.equal(nuget.compare(a, b), want, `${a} vs ${b}`);
    assert.equal(nuget.compare(b, a), -want || 0, `${b} vs ${a}`);
  }
});

test("nuget: strings NuGet does not parse are refused", () => {
  for (const v of ["", "1.0.0.0.0", "1.", ".1", "a", "1.0.0-", "1.0.0+", "1.0.0-01", "1.0.0-a..b", "1.0.0-a_b", "1.0.0+a_b", "1.0.0-a+", "2147483648.0", "-1.0", "1.0.0-é", "v1.0.0"]) {
    assert.notEqual(nuget.validate(v), undefined, JSON.stringify(v));
    assert.throws(() => nuget.compare(v, "1.0.0"), { code: "input" });
  }
  assert.equal(nuget.validate("1.0.0-0"), undefined);
  assert.equal(nuget.validate("1.0.0+01"), undefined);
});
