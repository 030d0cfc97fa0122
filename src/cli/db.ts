// `berth db …`: thin commands over src/vulndb. Input errors are thrown as BerthError; the main CLI
// turns them into a one-line message and exit code 2.
import { Command, Option } from "commander";
import { BerthError } from "../util/errors.js";
import type { UpdateProgress } from "../vulndb/index.js";
import { resolveCacheDir } from "../util/cache-dir.js";
import { OSV_BUCKET_URL } from "../vulndb/sources.js";

/** The database code loads when a db command runs, not at CLI start-up. */
const vulndb = () => import("../vulndb/index.js");

export interface DbCommandIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
}

const processIo: DbCommandIo = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  env: process.env,
};

interface CacheOpts {
  cacheDir?: string;
}

/** --cache-dir given on the subcommand or on any parent command (e.g. a global option). */
function cacheDirOf(cmd: Command, io: DbCommandIo): string {
  const all = cmd.optsWithGlobals<CacheOpts>();
  return resolveCacheDir({ ...(all.cacheDir ? { cacheDir: all.cacheDir } : {}), env: io.env });
}

const MAX_REJECTS_SHOWN = 20;

export function dbCommand(io: DbCommandIo = processIo): Command {
  const db = new Command("db").description("manage the vulnerability database (OSV advisories, KEV, EPSS)");
  const cacheOption = (): Option =>
    new Option("--cache-dir <dir>", "cache directory (default: $BERTH_CACHE_DIR, else $XDG_CACHE_HOME/berth or ~/.cache/berth)");

  db.command("update")
    .description("import OSV advisories from a mirror directory, a zip or a URL, and swap the new database in atomically")
    .option("--source <url|dir>", "OSV bucket layout: a base URL, a directory or a zip", OSV_BUCKET_URL)
    .addOption(cacheOption())
    .option("--ecosystems <list>", 'comma-separated ecosystem folders, or "all" (default: every folder of a local mirror; container ecosystems online)')
    .option("--kev <file|url>", "CISA KEV catalogue (default: <source>/kev/known_exploited_vulnerabilities.json)")
    .option("--no-kev", "do not import a KEV catalogue")
    .option("--epss <file|url>", "FIRST EPSS scores CSV (plain or .gz)")
    .option("--full", "re-import every source even when unchanged")
    .option("--strict", "fail (exit 2) when any source or advisory was rejected")
    .option("--quiet", "print only warnings")
    .action(async (opts: { source: string; ecosystems?: string; kev?: string | boolean; epss?: string; full?: boolean; strict?: boolean; quiet?: boolean }, cmd: Command) => {
      const cacheDir = cacheDirOf(cmd, io);
      const ecosystems = opts.ecosystems === undefined ? undefined : opts.ecosystems.trim() === "all" ? ("all" as const) : opts.ecosystems.split(",").map((s) => s.trim()).filter(Boolean);
      const onProgress = (p: UpdateProgress): void => {
        if (opts.quiet) return;
        if (p.phase === "imported") io.stderr(`imported ${p.source}: ${p.records} advisories${p.rejected > 0 ? `, ${p.rejected} rejected` : ""}\n`);
      };
      const { updateDb } = await vulndb();
      const r = await updateDb({
        cacheDir,
        source: opts.source,
        ...(ecosystems !== undefined ? { ecosystems } : {}),
        ...(opts.kev === false ? { kev: false as const } : typeof opts.kev === "string" ? { kev: opts.kev } : {}),
        ...(opts.epss !== undefined ? { epss: opts.epss } : {}),
        ...(opts.full ? { full: true } : {}),
        onProgress,
      });
      for (const f of r.failed) io.stderr(`warning: ${f.name} (${f.location}): ${f.message}; its previous data, if any, is kept\n`);
      for (const x of r.rejects.slice(0, MAX_REJECTS_SHOWN)) io.stderr(`warning: rejected ${x.file}: ${x.reason}\n`);
      if (r.rejects.length > MAX_REJECTS_SHOWN) io.stderr(`warning: … and ${r.rejects.length - MAX_REJECTS_SHOWN} more rejects (see "berth db status --json")\n`);
      if (!opts.quiet) {
        const unchanged = r.sources.filter((s) => s.status === "unchanged").map((s) => s.name);
        if (unchanged.length > 0) io.stdout(`unchanged: ${unchanged.join(", ")}\n`);
        io.stdout(`${r.dbPath}: ${r.counts.advisories} advisories, ${r.counts.affected} package entries, KEV ${r.counts.kev}, EPSS ${r.counts.epss}\n`);
      }
      if (opts.strict && (r.failed.length > 0 || r.rejects.length > 0)) {
        throw new BerthError("input", `${r.failed.length} source(s) failed and ${r.rejects.length} advisory file(s) were rejected`);
      }
    });

  db.command("status")
    .description("show the database's build time, sources, snapshot times and counts; warn when it is old")
    .addOption(cacheOption())
    .option("--max-age <duration>", "warn when the last update is older than this (e.g. 3d, 12h)", "3d")
    .option("--json", "print the status as JSON")
    .action(async (opts: { maxAge: string; json?: boolean }, cmd: Command) => {
      const { dbPath, dbStatus, DEFAULT_MAX_AGE_MS, formatStatus, parseDuration } = await vulndb();
      const maxAgeMs = opts.maxAge ? parseDuration(opts.maxAge) : DEFAULT_MAX_AGE_MS;
      const s = dbStatus(dbPath(cacheDirOf(cmd, io)), { maxAgeMs });
      if (s.warning) io.stderr(`warning: ${s.warning}\n`);
      io.stdout(opts.json ? `${JSON.stringify(s, null, 2)}\n` : `${formatStatus(s)}\n`);
    });

  db.command("bundle")
    .description("write the database as a .tar.zst bundle for an air-gapped site")
    .argument("<out>", "bundle file to write (e.g. berth-db.tar.zst)")
    .addOption(cacheOption())
    .action(async (out: string, _opts: CacheOpts, cmd: Command) => {
      const { createBundle } = await vulndb();
      const r = await createBundle({ cacheDir: cacheDirOf(cmd, io), out });
      io.stdout(`${r.out}: ${r.bytes} bytes, ${r.manifest.counts.advisories} advisories, sha256 of database ${r.manifest.sha256}\n`);
    });

  db.command("import")
    .description("replace the database with one from a bundle written by \"berth db bundle\"")
    .argument("<bundle>", "bundle file (.tar.zst)")
    .addOption(cacheOption())
    .action(async (bundle: string, _opts: CacheOpts, cmd: Command) => {
      const { importBundle } = await vulndb();
      const r = await importBundle({ cacheDir: cacheDirOf(cmd, io), bundle });
      io.stdout(`${r.dbPath}: imported ${r.manifest.counts.advisories} advisories (built ${r.manifest.builtAt})\n`);
    });

  return db;
}
