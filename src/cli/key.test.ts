import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runAttestCli } from "../../test/support/attest-cli.js";
import { loadPrivateKey } from "../attest/keys.js";

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "berth-keycli-"));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test("key generate: <prefix>.key (0600, encrypted with BERTH_PASSWORD) and <prefix>.pub; refuses to overwrite without --force", () =>
  withDir(async (dir) => {
    const prefix = join(dir, "release");
    const r = await runAttestCli(["key", "generate", "--output-prefix", prefix], { BERTH_PASSWORD: "pw" });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /wrote .*release\.key \(private, ecdsa-p256\) and .*release\.pub \(public\); key id sha256:[a-f0-9]{64}/);
    assert.equal((await stat(`${prefix}.key`)).mode & 0o777, 0o600);
    const key = await readFile(`${prefix}.key`, "utf8");
    assert.equal(loadPrivateKey(key, "pw", "k").publicKeyPem, await readFile(`${prefix}.pub`, "utf8"));
    const again = await runAttestCli(["key", "generate", "--output-prefix", prefix], { BERTH_PASSWORD: "pw" });
    assert.equal(again.code, 2);
    assert.match(again.stderr, /release\.key already exists \(use --force to overwrite\)/);
    assert.equal(await readFile(`${prefix}.key`, "utf8"), key);
    const forced = await runAttestCli(["key", "generate", "--output-prefix", prefix, "--force", "-a", "ed25519"], { BERTH_PASSWORD: "pw" });
    assert.equal(forced.code, 0, forced.stderr);
    assert.equal(loadPrivateKey(await readFile(`${prefix}.key`, "utf8"), "pw", "k").algorithm, "ed25519");
  }));

test("key generate: the prompt asks twice when BERTH_PASSWORD is unset; a mismatch or no terminal is a usage error", () =>
  withDir(async (dir) => {
    const answers = ["typed", "typed"];
    const asked: string[] = [];
    const ok = await runAttestCli(["key", "generate", "--output-prefix", join(dir, "p")], {}, { prompt: async (q) => (asked.push(q), answers.shift() ?? "") });
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(asked.length, 2);
    assert.match(asked[0]!, /Enter passphrase for .*p\.key: /);
    assert.equal(loadPrivateKey(await readFile(join(dir, "p.key"), "utf8"), "typed", "k").algorithm, "ecdsa-p256");
    const mismatch = await runAttestCli(["key", "generate", "--output-prefix", join(dir, "q")], {}, { prompt: async (q) => (q.includes("again") ? "b" : "a") });
    assert.equal(mismatch.code, 2);
    assert.match(mismatch.stderr, /the passphrases do not match/);
    const noTty = await runAttestCli(["key", "generate", "--output-prefix", join(dir, "r")]);
    assert.equal(noTty.code, 2);
    assert.match(noTty.stderr, /set BERTH_PASSWORD \(there is no terminal to ask for the passphrase on\)/);
  }));

test("key public: prints the public key; a wrong passphrase and a bad algorithm are input errors", () =>
  withDir(async (dir) => {
    const prefix = join(dir, "berth");
    assert.equal((await runAttestCli(["key", "generate", "--output-prefix", prefix], { BERTH_PASSWORD: "pw" })).code, 0);
    const pub = await runAttestCli(["key", "public", "--key", `${prefix}.key`], { BERTH_PASSWORD: "pw" });
    assert.equal(pub.code, 0, pub.stderr);
    assert.equal(pub.stdout, await readFile(`${prefix}.pub`, "utf8"));
    const wrong = await runAttestCli(["key", "public", "--key", `${prefix}.key`], { BERTH_PASSWORD: "nope" });
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /berth: .*berth\.key: cannot decrypt the private key: wrong passphrase \(BERTH_PASSWORD\)\?/);
    const alg = await runAttestCli(["key", "generate", "--output-prefix", prefix, "-a", "rsa"], { BERTH_PASSWORD: "pw" });
    assert.equal(alg.code, 2);
    await writeFile(join(dir, "junk.key"), "not a key");
    const junk = await runAttestCli(["key", "public", "--key", join(dir, "junk.key")], { BERTH_PASSWORD: "pw" });
    assert.match(junk.stderr, /junk\.key: not a PEM file/);
  }));
