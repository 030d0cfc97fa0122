// Test harness: a real PostgreSQL (Debian's `postgresql`, 15) in a temp directory, on 127.0.0.1
// with a free port, trust authentication, and its socket in the same directory. As root (CI), the
// server runs as the `postgres` user through `runuser`, since PostgreSQL refuses to run as root.
//
//   const pg = await startPostgres();
//   ... pg.url ("postgres://postgres@127.0.0.1:PORT/postgres"), await pg.createDatabase("t1") ...
//   await pg.stop();
import { execFile } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { chmod, chown, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { freePort } from "./registry.js";

const run = promisify(execFile);

export interface TestPostgres {
  /** Connection URL of the `postgres` database. */
  readonly url: string;
  readonly port: number;
  /** Creates an empty database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

function binDir(): string {
  for (const v of ["17", "16", "15"]) {
    const d = `/usr/lib/postgresql/${v}/bin`;
    if (existsSync(join(d, "initdb"))) return d;
  }
  throw new Error("PostgreSQL is not installed (apt-get install -y postgresql): no /usr/lib/postgresql/*/bin/initdb");
}

async function postgresIds(): Promise<{ uid: number; gid: number }> {
  const uid = Number((await run("id", ["-u", "postgres"])).stdout.trim());
  const gid = Number((await run("id", ["-g", "postgres"])).stdout.trim());
  return { uid, gid };
}

export async function startPostgres(): Promise<TestPostgres> {
  const bin = binDir();
  const root = await mkdtemp(join(tmpdir(), "berth-pg-"));
  const data = join(root, "data");
  const asRoot = process.getuid?.() === 0;
  // initdb and pg_ctl write to /dev/null. On a machine where /dev/null has been replaced by a
  // root-owned regular file they fail as `postgres`; run them then in a private mount namespace
  // with a real null device bound over it (the machine's /dev is left as it is).
  const devNullBroken = asRoot && !statSync("/dev/null").isCharacterDevice();
  if (devNullBroken) await run("mknod", ["-m", "666", join(root, "null"), "c", "1", "3"]);
  const exec = async (cmd: string, args: string[]): Promise<string> => {
    const full = join(bin, cmd);
    if (!asRoot) return (await run(full, args, { cwd: root })).stdout;
    const asPostgres = ["runuser", "-u", "postgres", "--", full, ...args];
    const r = devNullBroken
      ? await run("unshare", ["-m", "--propagation", "private", "sh", "-c", 'mount --bind "$0" /dev/null && exec "$@"', join(root, "null"), ...asPostgres], { cwd: root })
      : await run(asPostgres[0]!, asPostgres.slice(1), { cwd: root });
    return r.stdout;
  };
  if (asRoot) {
    const { uid, gid } = await postgresIds();
    await chown(root, uid, gid);
    await chmod(root, 0o700);
  }
  const port = await freePort();
  let started = false;
  try {
    await exec("initdb", ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-instructions"]);
    await exec("pg_ctl", ["-D", data, "-l", join(root, "log"), "-w", "-t", "30", "-o", `-p ${port} -k ${root} -c listen_addresses=127.0.0.1 -c fsync=off`, "start"]);
    started = true;
  } catch (e) {
    if (started) await exec("pg_ctl", ["-D", data, "-m", "immediate", "stop"]).catch(() => "");
    await rm(root, { recursive: true, force: true });
    throw e;
  }
  const url = (db: string) => `postgres://postgres@127.0.0.1:${port}/${db}`;
  return {
    url: url("postgres"),
    port,
    async createDatabase(name) {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`bad database name ${name}`);
      await exec("psql", ["-h", "127.0.0.1", "-p", String(port), "-U", "postgres", "-d", "postgres", "-c", `CREATE DATABASE ${name}`]);
      return url(name);
    },
    async stop() {
      await exec("pg_ctl", ["-D", data, "-m", "fast", "-w", "stop"]).catch(() => "");
      await rm(root, { recursive: true, force: true });
    },
  };
}
