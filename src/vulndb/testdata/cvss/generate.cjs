// Regenerates the vector → score tables in this folder with an independent implementation
// (ae-cvss-calculator@1.0.13 from npm, installed in a scratch folder, never a project dependency):
//   mkdir /tmp/o && cd /tmp/o && npm i ae-cvss-calculator@1.0.13
//   NODE_PATH=/tmp/o/node_modules node generate.cjs
// v2/v3 rows are exhaustive over the base metrics; v4 rows are a fixed pseudo-random sample
// (seeded, so reruns give the same rows). Scores are printed with one decimal.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const ae = require("ae-cvss-calculator");

function product(lists) {
  return lists.reduce((acc, l) => acc.flatMap((a) => l.map((x) => [...a, x])), [[]]);
}
function write(name, header, rows) {
  fs.writeFileSync(path.join(__dirname, name), header + rows.join("\n") + "\n");
}
const head = (what) => `# ${what}\n# produced by ae-cvss-calculator@1.0.13 (see generate.cjs); columns: vector<TAB>base score\n`;

// CVSS v2.0: every base vector.
const v2 = product([["L", "A", "N"], ["H", "M", "L"], ["M", "S", "N"], ["N", "P", "C"], ["N", "P", "C"], ["N", "P", "C"]]).map(
  ([av, ac, au, c, i, a]) => `AV:${av}/AC:${ac}/Au:${au}/C:${c}/I:${i}/A:${a}`,
);
write("v2.tsv", head("CVSS v2.0, all 729 base vectors"), v2.map((v) => `${v}\t${new ae.Cvss2(v).calculateScores().base.toFixed(1)}`));

// CVSS v3.0 and v3.1: every base vector.
const v3parts = product([["N", "A", "L", "P"], ["L", "H"], ["N", "L", "H"], ["N", "R"], ["U", "C"], ["H", "L", "N"], ["H", "L", "N"], ["H", "L", "N"]]);
for (const [ver, Cls] of [["3.0", ae.Cvss3P0], ["3.1", ae.Cvss3P1]]) {
  const rows = v3parts.map(([av, ac, pr, ui, s, c, i, a]) => {
    const v = `CVSS:${ver}/AV:${av}/AC:${ac}/PR:${pr}/UI:${ui}/S:${s}/C:${c}/I:${i}/A:${a}`;
    return `${v}\t${new Cls(v).calculateScores().base.toFixed(1)}`;
  });
  write(`v${ver.replace(".", "")}.tsv`, head(`CVSS v${ver}, all 2592 base vectors`), rows);
}

// CVSS v4.0: seeded sample of base vectors, plus vectors with threat/environmental metrics whose
// base-only score ("baseMetricsOnly") and full score ("overall") are both recorded.
let seed = 20261122;
const rnd = (n) => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return Math.floor((seed / 2147483648) * n);
};
const pick = (l) => l[rnd(l.length)];
const base4 = [["AV", ["N", "A", "L", "P"]], ["AC", ["L", "H"]], ["AT", ["N", "P"]], ["PR", ["N", "L", "H"]], ["UI", ["N", "P", "A"]],
  ["VC", ["H", "L", "N"]], ["VI", ["H", "L", "N"]], ["VA", ["H", "L", "N"]], ["SC", ["H", "L", "N"]], ["SI", ["H", "L", "N"]], ["SA", ["H", "L", "N"]]];
const extra4 = [["E", ["X", "A", "P", "U"]], ["CR", ["X", "H", "M", "L"]], ["IR", ["X", "H", "M", "L"]], ["AR", ["X", "H", "M", "L"]],
  ["MAV", ["X", "N", "A", "L", "P"]], ["MAC", ["X", "L", "H"]], ["MAT", ["X", "N", "P"]], ["MPR", ["X", "N", "L", "H"]], ["MUI", ["X", "N", "P", "A"]],
  ["MVC", ["X", "H", "L", "N"]], ["MVI", ["X", "H", "L", "N"]], ["MVA", ["X", "H", "L", "N"]], ["MSC", ["X", "H", "L", "N"]],
  ["MSI", ["X", "S", "H", "L", "N"]], ["MSA", ["X", "S", "H", "L", "N"]]];
const seen = new Set();
const rows4 = [];
while (rows4.length < 3000) {
  const withExtra = rows4.length >= 2000;
  let v = "CVSS:4.0/" + base4.map(([k, vals]) => `${k}:${pick(vals)}`).join("/");
  if (withExtra) for (const [k, vals] of extra4) { const x = pick(vals); if (x !== "X") v += `/${k}:${x}`; }
  if (seen.has(v)) continue;
  seen.add(v);
  const s = new ae.Cvss4P0(v).calculateScores();
  rows4.push(`${v}\t${s.baseMetricsOnly.toFixed(1)}\t${s.overall.toFixed(1)}`);
}
fs.writeFileSync(path.join(__dirname, "v40.tsv"),
  "# CVSS v4.0, 2000 sampled base vectors and 1000 with threat/environmental metrics\n" +
  "# produced by ae-cvss-calculator@1.0.13 (see generate.cjs); columns: vector<TAB>base-metrics-only score<TAB>score of the whole vector\n" +
  rows4.join("\n") + "\n");
