// `npm start`: the Berth server with its web UI on the demo dataset, offline. Seeds ./.berth (the
// embedded SQLite store) once with src/demo's dataset — real image inventories matched against the
// bundled real advisories, simulated CI records, registry history and two clusters — creates an
// admin API token (reused on later starts), starts `berth server` on 127.0.0.1:8080 (BERTH_LISTEN=HOST:PORT moves it,
// BERTH_DATA_DIR the data) with the bundled advisories as its vulnerability DB, and prints the URL.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { seedDemo } from "../dist/src/demo/seed.js";
import { main } from "../dist/src/cli/main.js";
import { parseListen } from "../dist/src/server/index.js";
import { openStore, repositories, storeLocation } from "../dist/src/store/index.js";

const demoDir = fileURLToPath(new URL("../demo", import.meta.url));
const dataDir = resolve(process.env.BERTH_DATA_DIR ?? ".berth");
const cacheDir = resolve(process.env.BERTH_CACHE_DIR ?? join(dataDir, "cache"));
const listen = process.env.BERTH_LISTEN ?? "127.0.0.1:8080";
const databaseUrl = process.env.BERTH_DATABASE_URL;
const log = (msg) => process.stderr.write(`${msg}\n`);

function fail(msg) {
  log(`npm start: ${msg}`);
  process.exit(1);
}

// The admin token `npm start` prints, kept in the data dir (0600) and reused while it is valid, so
// each start does not add a token (and the printed URL stays the same).
async function demoToken(repos) {
  const file = join(dataDir, "demo-admin-token");
  if (existsSync(file)) {
    const kept = readFileSync(file, "utf8").trim();
    if (kept && (await repos.tokens.verify(kept))) return kept;
  }
  const { token: created } = await repos.tokens.create("admin", "npm start (demo)", new Date());
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(`${file}.tmp`, `${created}\n`, { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
  return created;
}

let listenAt;
try {
  listenAt = parseListen(listen);
} catch (e) {
  fail(e.message);
}

const store = await openStore(storeLocation(dataDir, databaseUrl));
let seed;
let token;
try {
  seed = await seedDemo(repositories(store), { demoDir, cacheDir, now: new Date(), log });
  token = await demoToken(repositories(store));
} finally {
  await store.close();
}

const env = { ...process.env, BERTH_CACHE_DIR: cacheDir };
const server = main(["node", "berth", "server", "--data-dir", dataDir, "--cache-dir", cacheDir, "--listen", listen, ...(databaseUrl ? ["--database-url", databaseUrl] : [])], {
  stdout: process.stdout,
  stderr: process.stderr,
  env,
});
let stopped = false;
void server.then((code) => {
  stopped = true;
  process.exitCode = code;
});

// Print the URL once the server answers (the server command runs until SIGINT/SIGTERM).
const host = listenAt.host === "0.0.0.0" || listenAt.host === "::" ? "127.0.0.1" : listenAt.host.includes(":") ? `[${listenAt.host}]` : listenAt.host;
const base = `http://${host}:${listenAt.port}`;
for (let i = 0; i < 600 && !stopped; i++) {
  const ok = await fetch(`${base}/readyz`).then((r) => r.ok, () => false);
  if (ok) {
    process.stdout.write(
      [
        "",
        `Berth is running: ${base}/?token=${token}`,
        "",
        `  Dashboard   ${base}/`,
        `  Explorer    ${base}/explorer   (try: internet -> workload -> image[vuln.severity>=high] -> pipelinerun -> repository)`,
        `  An image    ${base}/images/${seed.featured}`,
        `  API         ${base}/openapi.json   (Authorization: Bearer <token>)`,
        "",
        `Demo data in ${dataDir} (delete it to start over). Ctrl-C stops the server.`,
        "",
      ].join("\n"),
    );
    break;
  }
  await new Promise((r) => setTimeout(r, 100));
}
