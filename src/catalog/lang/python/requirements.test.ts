import { test } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { isRequirementsFile, parseRequirementsText, requirementsCataloger } from "./requirements.js";
import { catalogSources, fileOf, memoryEnv, python3Json } from "./testkit.js";
import { normalizeName } from "./common.js";

const root = fileURLToPath(new URL("./testdata/requirements/", import.meta.url));

// pip's own requirements-file parser (follows -r, joins continuations, strips comments and
// options) and pip's vendored `packaging` for the specifiers: (file, name, version) of every
// requirement pinned to exactly one == / === version without a wildcard.
const PIP_TRUTH = `
import json, os, sys
from pip._internal.req.req_file import parse_requirements
from pip._internal.network.session import PipSession
from pip._vendor.packaging.requirements import Requirement
os.chdir(sys.argv[1])
out, unpinned = [], []
for r in parse_requirements(sys.argv[2], session=PipSession()):
    req = Requirement(r.requirement)
    specs = list(req.specifier)
    src = r.comes_from.split(" ")[1]
    if len(specs) == 1 and specs[0].operator in ("==", "===") and "*" not in specs[0].version:
        out.append([src, req.name, specs[0].version])
    else:
        unpinned.append([src, req.name])
print(json.dumps({"pinned": sorted(out), "unpinned": unpinned}))
`;

test("pinned requirements match pip's own parser, per declaring file", async () => {
  const truth = python3Json<{ pinned: [string, string, string][]; unpinned: [string, string][] }>(PIP_TRUTH, [`${root}app`, "requirements/prod.txt"]);
  const inv = await catalogSources([`${root}`], [requirementsCataloger]);
  const ours = inv.packages
    .flatMap((p) => p.locations.filter((l) => l.path === "/app/requirements/prod.txt" || l.path === "/app/requirements/base.txt").map((l) => [l.path.slice("/app/".length), normalizeName(p.name), p.version]))
    .sort();
  // (the same pin in requirements.txt is merged under one displayed name: compare normalised names)
  assert.deepEqual(ours, truth.pinned.map(([f, n, v]) => [f, normalizeName(n), v]).sort());
  const prodUnknown = inv.unknowns.find((u) => u.path === "/app/requirements/prod.txt")!;
  assert.equal(prodUnknown.message, `${truth.unpinned.length} requirements without an exact == pin not reported: ${truth.unpinned.map(([, n]) => n).join(", ")}`);
  const dj = inv.packages.find((p) => p.name === "Django")!;
  assert.equal(dj.purl, "pkg:pypi/django@4.2.13");
  assert.equal(dj.evidence, "lockfile");
  assert.equal(dj.direct, undefined);
  assert.ok(inv.packages.some((p) => p.purl === `pkg:pypi/${normalizeName("Backports.ZoneInfo")}@0.2.1`));
});

test("requirements.txt: includes in the tree, outside it, missing; -e, URLs, paths and ranges are one unknown", async () => {
  const inv = await catalogSources([`${root}`], [requirementsCataloger]);
  const msgs = inv.unknowns.filter((u) => u.path === "/app/requirements.txt").map((u) => u.message);
  assert.deepEqual(msgs, [
    "5 requirements without an exact == pin not reported: gunicorn, celery, git+https://example.org/acme/toolbox.git#egg=toolbox, mylib, ./vendor/localpkg",
    "-r ../../outside.txt: outside the scanned tree, not followed",
    "-r missing.txt: /app/missing.txt is not among the requirements files read",
  ]);
  // -r requirements/base.txt is in the tree: catalogued as its own file, no unknown
  assert.ok(inv.packages.find((p) => p.name === "certifi")!.locations.some((l) => l.path === "/app/requirements/base.txt"));
  // the same pin in two files is one package with two locations
  const django = inv.packages.filter((p) => p.name === "Django");
  assert.equal(django.length, 1);
  assert.deepEqual(django[0]!.locations.map((l) => l.path).sort(), ["/app/requirements.txt", "/app/requirements/prod.txt"]);
  assert.ok(inv.packages.some((p) => p.name === "pytest" && p.locations[0]!.path === "/app/dev-requirements.txt"));
});

test("which files are requirements files", () => {
  for (const p of ["requirements.txt", "app/requirements-dev.txt", "app/dev-requirements.txt", "test_requirements.txt", "requirements/base.txt", "x/requirements/prod.txt"]) assert.ok(isRequirementsFile(p), p);
  for (const p of ["README.txt", "app/requirements.in", "notrequirements/x.txt", "LICENSE", "app/myrequirements/x.txt"]) assert.ok(!isRequirementsFile(p), p);
});

test("line syntax: continuations, comments, hashes, markers, extras, === and options", () => {
  const r = parseRequirementsText("a==1 \\\n  --hash=sha256:00\nb[x,y] == 2 ; os_name == 'nt'  # pin\n#c==3\nd==4#notacomment\n--pre\n-i https://x\ne===5.0-weird\nf==1.*\n");
  assert.deepEqual(r.pinned, [
    { name: "a", version: "1" },
    { name: "b", version: "2" },
    { name: "e", version: "5.0-weird" },
  ]);
  assert.deepEqual(r.unpinned, ["d", "f"]);
});

test("hostile requirements: binary garbage, huge lines, include loops", async () => {
  const env = memoryEnv({ "requirements.txt": "-r requirements.txt\n" });
  const garbage = Buffer.from(Array.from({ length: 8192 }, (_, i) => (i * 151 + 3) % 256));
  const r = await requirementsCataloger.parse(fileOf("requirements.txt", garbage), env);
  assert.equal(r.packages.length, 0);
  const loop = await requirementsCataloger.parse(fileOf("requirements.txt", "-r requirements.txt\n-r ./requirements.txt\nx==1\n"), env);
  assert.deepEqual(loop.packages.map((p) => p.name), ["x"]);
  assert.deepEqual(loop.unknowns, []);
  const huge = await requirementsCataloger.parse(fileOf("requirements.txt", `${"a".repeat(1_000_000)}==1\n${"b==".padEnd(500_000, "9")}\n`), env);
  assert.equal(huge.packages.length, 0);
  assert.equal(huge.unknowns.length, 1);
  assert.ok(huge.unknowns[0]!.message.length < 400);
});
