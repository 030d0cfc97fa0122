// The YAML config file and BERTH_* environment on the real `berth server` command (its action
// replaced by one that captures the options it would start the server with).
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { Command } from "commander";
import { serverCommand } from "./server.js";
import { workerCommand } from "./worker.js";
import { applyConfigSources, envName, MAX_CONFIG_BYTES } from "./config.js";
import { isBerthError } from "../util/errors.js";

const dir = mkdtempSync(join(tmpdir(), "berth-config-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

/** Parses `args` as `berth server` would and returns the options its action receives. */
async function resolved(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Record<string, unknown>> {
  const io = { stdout: new PassThrough(), stderr: new PassThrough(), env };
  const cmd = serverCommand(io).exitOverride();
  let got: Record<string, unknown> | undefined;
  cmd.action((opts: Record<string, unknown>) => {
    got = opts;
  });
  await cmd.parseAsync(args, { from: "user" });
  assert.ok(got);
  return got;
}

const yaml = file(
  "berth.yaml",
  `# a server configured from a file
dataDir: /srv/berth
listen: 0.0.0.0:9090
databaseUrl: postgres://berth@db:5432/berth
registrySecret: from-file
insecureRegistry: [registry.local:5000, 127.0.0.1:5000]
admissionMode: audit
concurrency: 4
oidc: false
`,
);

test("file only: every key reaches the command as its flag would", async () => {
  const o = await resolved(["--config", yaml]);
  assert.equal(o.dataDir, "/srv/berth");
  assert.equal(o.listen, "0.0.0.0:9090");
  assert.equal(o.databaseUrl, "postgres://berth@db:5432/berth");
  assert.equal(o.registrySecret, "from-file");
  assert.deepEqual(o.insecureRegistry, ["registry.local:5000", "127.0.0.1:5000"]);
  assert.equal(o.admissionMode, "audit");
  assert.equal(o.concurrency, "4", "a YAML number is the flag's text");
  assert.equal(o.oidc, false, "oidc: false is --no-oidc");
  assert.equal(o.rateLimit, "600:120", "defaults stay for keys the file does not set");
});

test("BERTH_CONFIG names the file; BERTH_* environment wins over it", async () => {
  const o = await resolved([], { BERTH_CONFIG: yaml, BERTH_LISTEN: "127.0.0.1:7000", BERTH_OIDC: "true", BERTH_INSECURE_REGISTRY: "env.local" });
  assert.equal(o.listen, "127.0.0.1:7000");
  assert.equal(o.oidc, true);
  assert.deepEqual(o.insecureRegistry, ["env.local"]);
  assert.equal(o.dataDir, "/srv/berth", "keys without an env var still come from the file");
});

test("flags win over the environment and the file; a repeated flag replaces the file's list", async () => {
  const o = await resolved(["--config", yaml, "--listen", "127.0.0.1:1", "--insecure-registry", "flag.local", "--concurrency", "1"], { BERTH_LISTEN: "127.0.0.1:7000" });
  assert.equal(o.listen, "127.0.0.1:1");
  assert.deepEqual(o.insecureRegistry, ["flag.local"]);
  assert.equal(o.concurrency, "1");
  assert.equal(o.registrySecret, "from-file");
});

test("without a file, the environment still fills every flag", async () => {
  const o = await resolved([], { BERTH_DATA_DIR: "/env/data", BERTH_RATE_LIMIT: "10:5" });
  assert.equal(o.dataDir, "/env/data");
  assert.equal(o.rateLimit, "10:5");
});

async function refusal(args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  try {
    await resolved(args, env);
  } catch (e) {
    assert.ok(isBerthError(e), String(e));
    assert.ok(!e.message.includes("\n"), e.message);
    return e.message;
  }
  assert.fail("not refused");
}

test("unknown keys, wrong types, bad YAML and missing files are refused in one line naming key and file", async () => {
  const unknown = file("unknown.yaml", "dataDir: /x\ndata-dir: /y\n");
  assert.match(await refusal(["--config", unknown]), new RegExp(`config file ${unknown}: unknown key "data-dir"`));
  assert.match(await refusal(["--config", file("list.yaml", "listen: [a, b]\n")]), /listen: takes one value, not a list/);
  assert.match(await refusal(["--config", file("bool.yaml", "listen: true\n")]), /config file .*bool\.yaml: listen: expected a string, got a boolean/);
  assert.match(await refusal(["--config", file("obj.yaml", "dataDir: {a: 1}\n")]), /dataDir: expected a string, got a mapping/);
  assert.match(await refusal(["--config", file("null.yaml", "registrySecret:\n")]), /registrySecret: expected a string, got null/);
  assert.match(await refusal(["--config", file("flag.yaml", "oidc: no thanks\n")]), /oidc: expected true or false, got a string/);
  assert.match(await refusal(["--config", file("top.yaml", "- a\n- b\n")]), /expected a mapping of settings at the top, got a list/);
  assert.match(await refusal(["--config", file("bad.yaml", "dataDir: [unclosed\n")]), /not valid YAML/);
  assert.match(await refusal(["--config", file("dup.yaml", "listen: a:1\nlisten: b:2\n")]), /not valid YAML/);
  assert.match(await refusal(["--config", join(dir, "missing.yaml")]), /config file .*missing\.yaml: no such file/);
  assert.match(await refusal([], { BERTH_CONFIG: join(dir, "missing.yaml") }), /missing\.yaml: no such file/);
  assert.match(await refusal([], { BERTH_OIDC: "maybe" }), /BERTH_OIDC: expected true or false/);
  assert.match(await refusal(["--config", file("config.yaml", "config: other.yaml\n")]), /unknown key "config"/);
  assert.match(await refusal(["--config", file("big.yaml", `dataDir: "${"x".repeat(MAX_CONFIG_BYTES)}"\n`)]), /at most 262144 are read/);
});

test("an empty file is an empty configuration", async () => {
  const o = await resolved(["--config", file("empty.yaml", "# nothing yet\n")]);
  assert.equal(o.dataDir, undefined);
});

function demoCommand(env: NodeJS.ProcessEnv, sink: (o: Record<string, unknown>) => void): Command {
  const cmd = new Command("demo")
    .exitOverride()
    .option("--config <file>")
    .option("--brand-new-flag <v>")
    .option("--level <n>", "", (v: string) => {
      if (!/^\d+$/.test(v)) throw new Error("not a number");
      return Number(v);
    })
    .option("--tag <t...>")
    .option("--verbose");
  return cmd.hook("preAction", (c) => applyConfigSources(c, env, { envPrefix: "DEMO_", fileOption: "config" })).action(sink);
}

test("generic: a flag added to a command works in the file and the environment with no other code", async () => {
  let got: Record<string, unknown> = {};
  const demo = file("demo.yaml", "brandNewFlag: yes-it-works\nlevel: 3\ntag: [a, b]\nverbose: true\n");
  await demoCommand({ DEMO_LEVEL: "7" }, (o) => (got = o)).parseAsync(["--config", demo], { from: "user" });
  assert.deepEqual(got, { config: demo, brandNewFlag: "yes-it-works", level: 7, tag: ["a", "b"], verbose: true });
  const cmd = demoCommand({}, () => undefined);
  assert.equal(envName(cmd.options.find((o) => o.long === "--brand-new-flag") ?? assert.fail(), "DEMO_"), "DEMO_BRAND_NEW_FLAG");
  await assert.rejects(cmd.parseAsync(["--config", file("demo2.yaml", "level: lots\n")], { from: "user" }), /demo2\.yaml: level: not a number/);
});

test("berth worker reads the server's file: shared keys apply, the server's own keys are ignored, unknown keys refused", async () => {
  const workerOptions = async (args: string[], env: NodeJS.ProcessEnv = {}): Promise<Record<string, unknown>> => {
    const cmd = workerCommand({ stdout: new PassThrough(), stderr: new PassThrough(), env }).exitOverride();
    let got: Record<string, unknown> | undefined;
    cmd.action((opts: Record<string, unknown>) => {
      got = opts;
    });
    await cmd.parseAsync(args, { from: "user" });
    return got ?? assert.fail("action not run");
  };
  const o = await workerOptions(["--config", yaml], { BERTH_CONCURRENCY: "3" });
  assert.equal(o.databaseUrl, "postgres://berth@db:5432/berth");
  assert.equal(o.dataDir, "/srv/berth");
  assert.deepEqual(o.insecureRegistry, ["registry.local:5000", "127.0.0.1:5000"]);
  assert.equal(o.concurrency, "3");
  assert.equal(o.listen, undefined);
  assert.equal((await workerOptions([], { BERTH_CONFIG: yaml, BERTH_DATABASE_URL: "postgres://other@db/b" })).databaseUrl, "postgres://other@db/b");
  await assert.rejects(workerOptions(["--config", file("worker-bad.yaml", "dataDir: /x\nlisten: a:1\nworkers: 3\n")]), /unknown key "workers" \(keys are the flags of "berth worker" or "berth server"/);
});
