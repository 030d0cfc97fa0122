// berth scan image|fs|sbom <target>: catalog + match against the local database, report in the
// formats CI and people use, and gate the build (exit codes: 0 ok, N when policy fails, 2 input).
import { readFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { Command, Option } from "commander";
import type { ReportDocument } from "../report/document.js";
import { renderReport, reportFormatNames, type ReportFormat } from "../report/index.js";
import type { VexStatement } from "../match/vex.js";
import { gate, parseSeverity, parseSeverityList, reported, type Policy } from "../scan/policy.js";
import type { ScanOutcome } from "../scan/scan.js";
import { BERTH_VERSION, documentTime } from "../util/about.js";
import { BerthError } from "../util/errors.js";
import { resolveCacheDir } from "../util/cache-dir.js";
import { limitsFromFlags, logger, parsePlatformOption, progress, writeOutput, type ImageFlags, type Io } from "./common.js";
import { addImageOptions } from "./image-options.js";

interface ScanFlags extends ImageFlags {
  format: ReportFormat;
  output?: string;
  severity?: string;
  ignoreUnfixed?: boolean;
  exitCode?: string;
  failOn?: string;
  vex?: string[];
  ignorefile?: string;
  offline?: boolean;
  skipDbUpdate?: boolean;
  dbSource?: string;
  quiet?: boolean;
  showSuppressed?: boolean;
  category?: string;
  artifactPath?: string;
}

type Kind = "image" | "fs" | "sbom";

function policyFrom(f: ScanFlags): Policy {
  let exitCode: number | undefined;
  if (f.exitCode !== undefined) {
    if (!/^\d+$/.test(f.exitCode) || Number(f.exitCode) > 255) throw new BerthError("usage", `--exit-code: expected 0–255, got "${f.exitCode}"`);
    exitCode = Number(f.exitCode);
  }
  return {
    ...(f.severity ? { severities: parseSeverityList(f.severity) } : {}),
    ignoreUnfixed: !!f.ignoreUnfixed,
    ...(f.failOn ? { failOn: parseSeverity(f.failOn) } : {}),
    ...(exitCode !== undefined ? { exitCode } : {}),
  };
}

async function loadVex(files: readonly string[]): Promise<VexStatement[]> {
  const { parseVex } = await import("../match/vex.js");
  const out: VexStatement[] = [];
  for (const f of files) {
    const bytes = await readFile(f).catch((e: NodeJS.ErrnoException) => {
      throw new BerthError("not-found", `cannot read VEX file ${f} (${e.code ?? e.message})`);
    });
    out.push(...parseVex(bytes, f));
  }
  return out;
}

function categoryFor(kind: Kind, target: string): string {
  const name = target.replace(/^[a-z-]+:/, "").replace(/[@:].*$/, "").replace(/[^A-Za-z0-9._/-]+/g, "-");
  return `berth/${kind}/${name}`;
}

function scanCommandFor(io: Io, kind: Kind): Command {
  const what = { image: "an image (registry reference, archive or layout)", fs: "a directory (root filesystem or source tree)", sbom: "a CycloneDX or SPDX JSON SBOM (no image is pulled)" }[kind];
  const cmd = new Command(kind)
    .summary(`scan ${what}`)
    .argument("<target>", kind === "sbom" ? "SBOM file" : kind === "fs" ? "directory" : "image reference, archive or layout")
    .addOption(new Option("-f, --format <format>", "output format").choices(reportFormatNames).default("table"))
    .option("-o, --output <file>", "write the report to a file (atomically) instead of stdout")
    .option("-s, --severity <list>", "severities to report, comma-separated (critical,high,medium,low,unknown)")
    .option("--ignore-unfixed", "report only vulnerabilities with a fixed version")
    .option("--exit-code <n>", "exit code when the policy fails (alone: fail when anything is reported, as in Trivy)")
    .option("--fail-on <severity>", "fail when a finding at or above this severity is reported (as in Grype); exit code 1 or --exit-code")
    .option("--vex <file>", "OpenVEX or CycloneDX VEX document (repeatable); not_affected/fixed statements suppress findings", (v: string, prev: string[] = []) => [...prev, v])
    .option("--ignorefile <file>", "ignore file (default ./.berthignore when present)")
    .option("--offline", "never touch the network (no DB update, no registry pulls beyond what the target needs)")
    .option("--skip-db-update", "use the database as it is, even when stale")
    .option("--db-source <url|dir>", "where a DB update reads OSV advisories (default OSV's bucket)")
    .option("--show-suppressed", "list suppressed findings in the table and SARIF too")
    .option("--category <id>", "SARIF automationDetails.id category (default berth/<kind>/<name>)")
    .option("--artifact-path <path>", "repository file SARIF results point to (e.g. Dockerfile)")
    .option("-q, --quiet", "no log lines on stderr");
  if (kind !== "sbom") addImageOptions(cmd);
  else cmd.option("--cache-dir <dir>", "cache directory (default: $BERTH_CACHE_DIR or ~/.cache/berth)");
  cmd.action(async (target: string, flags: ScanFlags) => {
    const log = logger(io, flags.quiet);
    const policy = policyFrom(flags);
    const now = documentTime(io.env);
    const cacheDir = resolveCacheDir({ ...(flags.cacheDir ? { cacheDir: flags.cacheDir } : {}), env: io.env });
    // The pipeline loads here, not at start-up (see report/index.ts).
    const { scanSbomFile, scanTarget } = await import("../scan/scan.js");
    const { openScanDb } = await import("../scan/db.js");
    const { parseIgnoreFile } = await import("../match/ignore.js");
    const vex = await loadVex(flags.vex ?? []);
    const ignorePath = flags.ignorefile ?? (existsSync(".berthignore") ? ".berthignore" : undefined);
    const ignore = ignorePath ? { rules: parseIgnoreFile(await readFile(ignorePath, "utf8").catch(() => { throw new BerthError("not-found", `cannot read ignore file ${ignorePath}`); }), ignorePath), source: ignorePath } : undefined;
    const db = await openScanDb({ cacheDir, offline: !!flags.offline, skipUpdate: !!flags.skipDbUpdate, ...(flags.dbSource ? { source: flags.dbSource } : {}), now, log });
    const meta = db.metadata();
    let outcome: ScanOutcome;
    try {
      const matchOpts = { db, vex, ...(ignore ? { ignore } : {}), now };
      if (kind === "sbom") outcome = await scanSbomFile(target, matchOpts);
      else {
        const bar = progress(io);
        outcome = await scanTarget(kind === "fs" && !target.startsWith("dir:") ? `dir:${target}` : target, {
          ...matchOpts,
          platform: parsePlatformOption(flags.platform),
          ...(flags.platform ? { requirePlatform: true } : {}),
          limits: limitsFromFlags(flags),
          ...(flags.insecure ? { insecure: true } : {}),
          ...(flags.cache !== false ? { cacheDir } : {}),
          log,
          env: io.env,
          onLayer: (i, n, cached) => bar.update(`reading layer ${i + 1}/${n}${cached ? " (cached)" : ""}`),
        });
        bar.done();
      }
    } finally {
      db.close();
    }
    for (const w of outcome.warnings) log(`warning: ${w}`);
    // Shown even with --quiet: an exception that silently stopped applying changes the gate.
    for (const r of outcome.expiredIgnores) io.stderr.write(`berth: warning: ignore rule for ${r.id}${r.package ? ` (${r.package})` : ""} expired on ${r.expires}; it no longer applies\n`);
    const t = outcome.target;
    const doc: ReportDocument = {
      schema: "https://berth.dev/schemas/report/v1",
      tool: { name: "Berth", version: BERTH_VERSION, informationUri: "https://github.com/berth-dev/berth" },
      timestamp: now,
      targets: [{ ...t, findings: reported(t.findings, policy), ...(flags.artifactPath ? { artifactPath: flags.artifactPath } : {}) }],
      db: { builtAt: meta.builtAt, updatedAt: meta.updatedAt, sources: meta.sources.map((s) => ({ name: s.name, ...(s.snapshot ? { snapshot: s.snapshot } : {}) })) },
      category: flags.category ?? categoryFor(kind, target),
    };
    const color = flags.format === "table" && !flags.output && (io.stdout as { isTTY?: boolean }).isTTY === true;
    await writeOutput(io, await renderReport(flags.format, doc, { color, ...(flags.showSuppressed ? { showSuppressed: true } : {}) }), flags.output);
    const g = gate(t.findings, policy);
    if (g.failed) {
      log(`policy failed: ${g.reason}`);
      throw new PolicyFailure(g.exitCode);
    }
  });
  return cmd;
}

/** Thrown to end a scan whose policy failed with the chosen exit code (main maps it). */
export class PolicyFailure extends Error {
  constructor(readonly exitCode: number) {
    super(`policy failed (exit ${exitCode})`);
  }
}

export function scanCommand(io: Io): Command {
  const scan = new Command("scan").description("find vulnerabilities in an image, a directory or an SBOM, report them and gate the build");
  for (const k of ["image", "fs", "sbom"] as const) scan.addCommand(scanCommandFor(io, k));
  return scan;
}

