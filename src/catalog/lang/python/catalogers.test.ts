import { test } from "node:test";
import assert from "node:assert/strict";
import { pythonCatalogers } from "./index.js";
import { catalogSources } from "./testkit.js";

test("all Python catalogers over one project: installed metadata wins over the lockfile beside it", async () => {
  const inv = await catalogSources(
    [
      {
        "app/poetry.lock": '[[package]]\nname = "pyyaml"\nversion = "6.0.1"\ngroups = ["main"]\n\n[[package]]\nname = "idna"\nversion = "3.7"\ngroups = ["main"]\n',
        "app/pyproject.toml": '[project]\nname = "app"\ndependencies = ["PyYAML>=6"]\n',
        "app/.venv/lib/python3.12/site-packages/PyYAML-6.0.2.dist-info/METADATA": "Metadata-Version: 2.1\nName: PyYAML\nVersion: 6.0.2\nLicense: MIT\n",
        "app/requirements.txt": "idna==3.7\n",
      },
    ],
    pythonCatalogers,
  );
  assert.deepEqual(
    inv.packages.map((p) => [p.purl, p.evidence, p.locations.map((l) => l.path).sort()]).sort(),
    [
      ["pkg:pypi/idna@3.7", "lockfile", ["/app/poetry.lock", "/app/requirements.txt"]],
      ["pkg:pypi/pyyaml@6.0.2", "installed", ["/app/.venv/lib/python3.12/site-packages/PyYAML-6.0.2.dist-info/METADATA"]],
    ],
  );
});
