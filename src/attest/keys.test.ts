import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { generateKeyPair, loadPrivateKey, loadPublicKey } from "./keys.js";
import { pemSigner, pemVerifier, resolveSigner } from "./signer.js";

const run = promisify(execFile);

async function openssl(args: string[], dir: string): Promise<Buffer> {
  try {
    return (await run("openssl", args, { cwd: dir, encoding: "buffer" })).stdout;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") throw new Error("openssl is not installed (apt-get install -y openssl)");
    throw new Error(`openssl ${args.join(" ")}: ${String((e as { stderr?: Buffer }).stderr ?? e)}`);
  }
}

for (const algorithm of ["ecdsa-p256", "ed25519"] as const) {
  test(`generateKeyPair (${algorithm}): openssl decrypts the private key with the passphrase; the key id is the SHA-256 of the SPKI DER`, async () => {
    const kp = generateKeyPair(algorithm, "correct horse");
    assert.match(kp.privateKeyPem, /^-----BEGIN ENCRYPTED PRIVATE KEY-----/);
    assert.match(kp.publicKeyPem, /^-----BEGIN PUBLIC KEY-----/);
    const dir = await mkdtemp(join(tmpdir(), "berth-keys-"));
    try {
      await writeFile(join(dir, "k.pem"), kp.privateKeyPem);
      const pub = (await openssl(["pkey", "-in", "k.pem", "-passin", "pass:correct horse", "-pubout"], dir)).toString();
      assert.equal(pub, kp.publicKeyPem);
      await writeFile(join(dir, "p.pem"), kp.publicKeyPem);
      const der = await openssl(["pkey", "-pubin", "-in", "p.pem", "-outform", "DER"], dir);
      assert.equal(kp.keyId, `sha256:${createHash("sha256").update(der).digest("hex")}`);
      // and the signer made from it signs what the public key verifies
      const signer = pemSigner(kp.privateKeyPem, "correct horse", "k.pem");
      assert.equal(signer.algorithm, algorithm);
      const sig = await signer.sign(Buffer.from("msg"));
      assert.equal(pemVerifier(kp.publicKeyPem, "p").verify(Buffer.from("msg"), sig), true);
      assert.equal(pemVerifier(kp.publicKeyPem, "p").verify(Buffer.from("msh"), sig), false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
}

test("loadPrivateKey: a wrong passphrase is a clear input error, not a crash or a prompt", () => {
  const kp = generateKeyPair("ecdsa-p256", "right");
  assert.throws(() => loadPrivateKey(kp.privateKeyPem, "wrong", "berth.key"), (e: Error & { code?: string }) => {
    assert.equal(e.code, "input");
    assert.equal(e.message, "berth.key: cannot decrypt the private key: wrong passphrase (BERTH_PASSWORD)?");
    return true;
  });
  assert.throws(() => loadPrivateKey(kp.privateKeyPem, "", "berth.key"), /wrong passphrase/);
});

test("keys from openssl are accepted; other key kinds and files are refused by name", async () => {
  const dir = await mkdtemp(join(tmpdir(), "berth-keys-"));
  try {
    await openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "ec.pem"], dir);
    await openssl(["ec", "-in", "ec.pem", "-out", "sec1.pem"], dir);
    await openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384", "-out", "p384.pem"], dir);
    await openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024", "-out", "rsa.pem"], dir);
    const ec = await readFile(join(dir, "ec.pem"), "utf8");
    assert.equal(loadPrivateKey(ec, "", "ec.pem").algorithm, "ecdsa-p256");
    assert.equal(loadPrivateKey(await readFile(join(dir, "sec1.pem"), "utf8"), "", "sec1.pem").algorithm, "ecdsa-p256");
    const p384 = await readFile(join(dir, "p384.pem"), "utf8");
    const rsa = await readFile(join(dir, "rsa.pem"), "utf8");
    assert.throws(() => loadPrivateKey(p384, "", "p384.pem"), /EC curve secp384r1 is not supported/);
    assert.throws(() => loadPrivateKey(rsa, "", "rsa.pem"), /rsa keys are not supported/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const kp = generateKeyPair("ed25519", "x");
  assert.throws(() => loadPrivateKey(kp.publicKeyPem, "x", "berth.pub"), /berth.pub: this is a public key; signing needs the private key/);
  assert.throws(() => loadPublicKey(kp.privateKeyPem, "berth.key"), /berth.key: this is a private key; verification takes the public key/);
  assert.throws(() => loadPublicKey("hello", "x.pub"), /x.pub: not a PEM file/);
  assert.throws(() => loadPrivateKey("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\nAA\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n", "x", "cosign.key"), /cosign's own key format is not supported/);
  assert.throws(() => loadPublicKey("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", "bad.pub"), /bad.pub: unreadable public key/);
});

test("resolveSigner: files ask for the passphrase only when encrypted; KMS references name the seam", async () => {
  const dir = await mkdtemp(join(tmpdir(), "berth-keys-"));
  try {
    const kp = generateKeyPair("ecdsa-p256", "pw");
    await writeFile(join(dir, "berth.key"), kp.privateKeyPem);
    let asked = 0;
    const s = await resolveSigner(join(dir, "berth.key"), { passphrase: async () => (asked++, "pw") });
    assert.equal(s.keyId, kp.keyId);
    assert.equal(asked, 1);
    const s2 = await resolveSigner(`file://${join(dir, "berth.key")}`, { passphrase: async () => "pw" });
    assert.equal(s2.keyId, kp.keyId);
    await assert.rejects(resolveSigner("azurekms://vault.example/key", { passphrase: async () => "" }), /no signer provider for azurekms:\/\/ is built in; see src\/attest\/README.md/);
    await assert.rejects(resolveSigner("weird://x", { passphrase: async () => "" }), /unknown key reference scheme "weird:"/);
    await assert.rejects(resolveSigner(join(dir, "missing.key"), { passphrase: async () => "" }), /cannot read key .*missing.key \(ENOENT\)/);
    const provided = await resolveSigner("awskms:///alias/release", { passphrase: async () => "" }, { awskms: async (ref) => ({ ...s, keyId: `kms:${ref}` }) });
    assert.equal(provided.keyId, "kms:awskms:///alias/release");
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
