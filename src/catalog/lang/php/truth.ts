// Truth for the Composer tests: Composer itself (Debian's `composer`) run on a scratch copy of a
// fixture project. `composer show` lists only packages whose install directory exists, so empty
// directories are made for each one.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runTool } from "../python/testkit.js";

export interface Shown {
  name: string;
  version: string;
  "direct-dependency"?: boolean;
  requires?: { name: string }[];
}

export interface ComposerTruth {
  installed: Shown[];
  installedNoDev: string[];
  tree: Shown[];
  licenses: Record<string, { version: string; license: string[] }>;
  locked: Shown[];
  lockedNoDev: string[];
}

export function composerTruth(fixture: string, what: "installed" | "locked"): ComposerTruth {
  const dir = mkdtempSync(join(tmpdir(), "berth-composer-"));
  try {
    cpSync(fixture, dir, { recursive: true });
    const empty: ComposerTruth = { installed: [], installedNoDev: [], tree: [], licenses: {}, locked: [], lockedNoDev: [] };
    const installed = JSON.parse(readFileSync(join(dir, "vendor/composer/installed.json"), "utf8")) as { name: string }[] | { packages: { name: string }[] };
    for (const p of Array.isArray(installed) ? installed : installed.packages) mkdirSync(join(dir, "vendor", p.name), { recursive: true });
    const env = { ...process.env, COMPOSER_HOME: join(dir, ".composer-home"), COMPOSER_DISABLE_NETWORK: "1", COMPOSER_NO_INTERACTION: "1" };
    const run = (...args: string[]) => JSON.parse(runTool("composer", [...args, "--format=json", "--no-ansi"], { cwd: dir, env })) as Record<string, unknown>;
    const names = (v: unknown) => ((v ?? []) as Shown[]).map((p) => p.name);
    if (what === "locked") return { ...empty, locked: (run("show", "--locked")["locked"] ?? []) as Shown[], lockedNoDev: names(run("show", "--locked", "--no-dev")["locked"]) };
    return {
      ...empty,
      installed: (run("show")["installed"] ?? []) as Shown[],
      installedNoDev: names(run("show", "--no-dev")["installed"]),
      tree: (run("show", "--tree")["installed"] ?? []) as Shown[],
      licenses: run("licenses")["dependencies"] as ComposerTruth["licenses"],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
