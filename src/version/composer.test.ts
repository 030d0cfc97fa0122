import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { composer, normalizeComposer, phpVersionCompare } from "./composer.js";
import { answers, differential, gen, pairsFrom, requireTool, run, wire, type Gen, SCALE, type Pair } from "./testdata/harness.js";

// Hand-picked edge cases; testdata/composer.tsv holds composer/semver's answers for them.
const EDGE: Pair[] = [
  ["1.0", "1.0.0"],
  ["1", "1.0.0.0"],
  ["v1.0.0", "1.0.0"],
  ["V1.0.0", "1.0.0"],
  ["1.0.0-beta", "1.0.0"],
  ["1.0.0-beta1", "1.0.0-beta.1"],
  ["1.0.0-beta2", "1.0.0-beta10"],
  ["1.0.0-alpha", "1.0.0-beta"],
  ["1.0.0-a1", "1.0.0-alpha1"],
  ["1.0.0-b1", "1.0.0-beta1"],
  ["1.0.0-RC1", "1.0.0-rc1"],
  ["1.0.0RC1", "1.0.0-RC1"],
  ["1.0.0-rc1", "1.0.0"],
  ["1.0.0-patch1", "1.0.0"],
  ["1.0.0-p1", "1.0.0-pl1"],
  ["1.0.0-pl1", "1.0.0-patch1"],
  ["1.0.0-stable", "1.0.0"],
  ["1.0.0-STABLE", "1.0.0"],
  ["1.0.0-dev", "1.0.0-alpha"],
  ["1.0.0-beta1-dev", "1.0.0-beta1"],
  ["1.0.x-dev", "1.0.0"],
  ["1.x-dev", "1.9.0"],
  ["2.x-dev", "1.x-dev"],
  ["1.0.0+build5", "1.0.0"],
  ["1.0.0@beta", "1.0.0"],
  ["1.0.0 as 2.0.0", "1.0.0"],
  ["2010.01.02", "2010.1.2"],
  ["2010-01-02", "2010.01.02"],
  ["20100102", "2010.01.02"],
  ["20100102.1", "20100102"],
  ["2010-01-02.5", "2010-01-02"],
  ["1.2.3.4", "1.2.3.5"],
  ["1.2.3.4.5", "1.2.3.4"],
  ["123456.1", "1.0"],
  ["12345.1", "1.0"],
  ["99999999999999999999.0", "1.0"],
  ["1.99999999999999999999", "1.99999999999999999998"],
  ["1.0.0-beta.1.2", "1.0.0-beta1.2"],
  [" 1.0 ", "1.0"],
  ["dev-master", "dev-master"],
  ["master", "dev-master"],
  ["dev-master", "1.0.0"],
  ["dev-feature", "dev-master"],
  ["DEV-feature", "dev-feature"],
  ["trunk", "dev-trunk"],
  ["1.0-foo", "1.0"],
  ["foo", "1.0"],
  ["1.0.0.0.0", "1.0"],
  ["", "1.0"],
  ["1.0.0-beta.1+build", "1.0.0-beta1"],
  ["v1.0.0-dev", "1.0.0-dev"],
];

const STAB = ["alpha", "beta", "RC", "rc", "a", "b", "patch", "pl", "p", "stable", "Beta", "dev"];

function makeVersion(g: Gen): string {
  const roll = g.int(0, 19);
  if (roll === 0) return g.pick(["dev-master", "dev-main", "master", "dev-feature/x", "trunk", "dev-1.x"]);
  if (roll === 1) return `${g.int(1, 5)}.${g.pick(["x", "X", "*", String(g.int(0, 9))])}${g.chance(0.5) ? ".x" : ""}-dev`;
  if (roll === 2) return `${g.int(2000, 2030)}${g.pick(["", ".", "-"])}${String(g.int(1, 12)).padStart(2, "0")}${g.pick(["", ".", "-"])}${String(g.int(1, 28)).padStart(2, "0")}`;
  let s = `${g.chance(0.2) ? "v" : ""}${g.chance(0.95) ? String(g.int(0, 30)) : g.num()}`;
  const n = g.int(0, 3);
  for (let i = 0; i < n; i++) s += `.${g.num()}`;
  if (g.chance(0.35)) s += `${g.pick(["", "-", ".", "_"])}${g.pick(STAB)}${g.chance(0.6) ? `${g.pick(["", ".", "-"])}${g.int(0, 12)}` : ""}`;
  if (g.chance(0.1)) s += g.pick(["-dev", ".dev", "dev"]);
  if (g.chance(0.05)) s += `+${g.pick(["build1", "001", "sha.abc"])}`;
  return s;
}

function mutate(g: Gen, v: string): string {
  switch (g.int(0, 7)) {
    case 0:
      return v.replace(/([0-9]+)(?!.*[0-9])/, (d) => String(Number(d) + g.int(0, 1)));
    case 1:
      return `${v}.0`;
    case 2:
      return v.replace(/^v/, "");
    case 3:
      return v.toUpperCase();
    case 4:
      return v.replace(/-/, "");
    case 5:
      return `${v}-${g.pick(STAB)}`;
    case 6:
      return v.replace(/[0-9]+/, (d) => `0${d}`);
    default:
      return g.pick([`${v}x`, `${v}-foo`, `${v}.`, `v${v}`]);
  }
}

const AUTOLOAD = "/usr/share/php/Composer/Semver/autoload.php";

// Normalises with VersionParser, then orders with Constraint::versionCompare (branches not
// compared), as Composer's constraints do: no operator true means "no order".
const PHP_ORACLE = `<?php
require ${JSON.stringify(AUTOLOAD)};
use Composer\\Semver\\VersionParser;
use Composer\\Semver\\Constraint\\Constraint;
$p = new VersionParser();
$c = new Constraint('==', '1.0.0.0');
$out = [];
while (($line = fgets(STDIN)) !== false) {
  [$a, $b] = explode("\\x1f", rtrim($line, "\\n"), 2);
  try { $na = $p->normalize($a); $nb = $p->normalize($b); }
  catch (\\UnexpectedValueException $e) { $out[] = '!'; continue; }
  $lt = $c->versionCompare($na, $nb, '<');
  $eq = $c->versionCompare($na, $nb, '==');
  $gt = $c->versionCompare($na, $nb, '>');
  $out[] = ($lt + $eq + $gt) !== 1 ? '!' : ($lt ? '<' : ($gt ? '>' : '='));
}
echo implode("\\n", $out), "\\n";
`;

test("composer: agrees with composer/semver (VersionParser + Constraint) on edge cases and generated pairs", (t) => {
  requireTool("php", ["--version"], "php-cli");
  assert.ok(existsSync(AUTOLOAD), `the differential test needs ${AUTOLOAD} (Debian package php-composer-semver: apt-get install -y php-composer-semver)`);
  const toolVersion = run("dpkg-query", ["-W", "-f=composer/semver ${Version}", "php-composer-semver"], "").trim() + ` on PHP ${run("php", ["-r", "echo PHP_VERSION;"], "")}`;
  const g = gen(0xc03);
  const generated = pairsFrom(g, () => makeVersion(g), (v) => mutate(g, v), 4000, "0123456789.-_+@vVabpldevRCstx*X ");
  const { total, summary } = differential({
    name: "composer",
    scheme: composer,
    tool: "composer/semver",
    toolVersion,
    edgeCases: EDGE,
    generated,
    ask: (pairs) => answers(run("php", ["-r", PHP_ORACLE.replace(/^<\?php\n/, "")], wire(pairs)), pairs.length, "composer/semver"),
  });
  t.diagnostic(summary);
  assert.ok(total > 4000 * SCALE);
});

test("composer: normalisation and PHP's version_compare on known values", () => {
  assert.equal(normalizeComposer("v1.2"), "1.2.0.0");
  assert.equal(normalizeComposer("1.0RC1"), "1.0.0.0-RC1");
  assert.equal(normalizeComposer("1.x-dev"), "1.9999999.9999999.9999999-dev");
  assert.equal(normalizeComposer("master"), "dev-master");
  assert.equal(normalizeComposer("not a version"), undefined);
  // PCRE's "$" also matches before a final newline, and "." stops only at "\n" (answers from PHP 8.2).
  assert.equal(normalizeComposer("1.0+abc\n@dev"), "1.0.0.0");
  assert.equal(normalizeComposer("x\n1.0-dev"), "1.0.9999999.9999999-dev");
  assert.equal(normalizeComposer("x\r1.0-dev"), undefined);
  assert.equal(phpVersionCompare("1.0", "1.0.0"), -1);
  assert.equal(phpVersionCompare("1.0rc1", "1.0"), -1);
  assert.equal(phpVersionCompare("1.0pl1", "1.0"), 1);
  const r = composer.tryCompare("dev-main", "1.0.0");
  assert.ok(typeof r === "object" && r.incomparable && r.reason.includes("dev branch"));
});
