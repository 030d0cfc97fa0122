import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { dsse as sigstoreDsse } from "@sigstore/core";
import { decodeBase64Strict, pae, parseEnvelope, signEnvelope, verifyEnvelope } from "./dsse.js";
import { generateKeyPair } from "./keys.js";
import { pemSigner, pemVerifier } from "./signer.js";

const run = promisify(execFile);

async function openssl(args: string[]): Promise<{ ok: boolean; out: string }> {
  try {
    const r = await run("openssl", args);
    return { ok: true, out: r.stdout + r.stderr };
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stdout?: string; stderr?: string };
    if (err.code === "ENOENT") throw new Error("openssl is not installed (apt-get install -y openssl)");
    return { ok: false, out: `${err.stdout ?? ""}${err.stderr ?? ""}` };
  }
}

const TYPE = "application/vnd.in-toto+json";

test("pae: byte-identical to @sigstore/core's preAuthEncoding, multi-byte payloads included", () => {
  for (const [type, body] of [
    [TYPE, '{"a":1}'],
    ["", ""],
    ["application/x", "héllo wörld ✓"],
    ["t", "x".repeat(1000)],
  ] as const) {
    assert.deepEqual(pae(type, Buffer.from(body)), sigstoreDsse.preAuthEncoding(type, Buffer.from(body)));
  }
  assert.equal(pae("ab", Buffer.from("xyz")).toString(), "DSSEv1 2 ab 3 xyz");
});

for (const algorithm of ["ecdsa-p256", "ed25519"] as const) {
  test(`signEnvelope (${algorithm}): verifies here and with openssl over the independently built PAE bytes`, async () => {
    const kp = generateKeyPair(algorithm, "pw");
    const signer = pemSigner(kp.privateKeyPem, "pw", "key");
    const payload = Buffer.from(JSON.stringify({ _type: "https://in-toto.io/Statement/v1", subject: [] }));
    const env = await signEnvelope(TYPE, payload, signer);
    assert.equal(env.signatures[0]!.keyid, kp.keyId);
    const check = verifyEnvelope(env, [pemVerifier(kp.publicKeyPem, "pub")], TYPE);
    assert.equal(check.ok, true);

    const dir = await mkdtemp(join(tmpdir(), "berth-dsse-"));
    try {
      await writeFile(join(dir, "pub.pem"), kp.publicKeyPem);
      await writeFile(join(dir, "pae.bin"), sigstoreDsse.preAuthEncoding(env.payloadType, Buffer.from(env.payload, "base64")));
      await writeFile(join(dir, "sig.bin"), Buffer.from(env.signatures[0]!.sig, "base64"));
      const args =
        algorithm === "ecdsa-p256"
          ? ["dgst", "-sha256", "-verify", join(dir, "pub.pem"), "-signature", join(dir, "sig.bin"), join(dir, "pae.bin")]
          : ["pkeyutl", "-verify", "-pubin", "-inkey", join(dir, "pub.pem"), "-rawin", "-in", join(dir, "pae.bin"), "-sigfile", join(dir, "sig.bin")];
      const good = await openssl(args);
      assert.equal(good.ok, true, good.out);
      assert.match(good.out, /Verified OK|Signature Verified Successfully/);
      // one changed payload byte: openssl refuses too
      const tampered = Buffer.from(env.payload, "base64");
      tampered.writeUInt8(tampered.readUInt8(tampered.length - 2) ^ 1, tampered.length - 2);
      await writeFile(join(dir, "pae.bin"), sigstoreDsse.preAuthEncoding(env.payloadType, tampered));
      assert.equal((await openssl(args)).ok, false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
}

test("verifyEnvelope: a tampered payload, a wrong payload type, an untrusted key each fail with a reason", async () => {
  const kp = generateKeyPair("ecdsa-p256", "pw");
  const other = generateKeyPair("ecdsa-p256", "pw");
  const env = await signEnvelope(TYPE, Buffer.from('{"x":1}'), pemSigner(kp.privateKeyPem, "pw", "k"));
  const trusted = [pemVerifier(kp.publicKeyPem, "trusted.pub")];

  const tampered = { ...env, payload: Buffer.from('{"x":2}').toString("base64") };
  const t = verifyEnvelope(tampered, trusted, TYPE);
  assert.equal(t.ok, false);
  assert.match(!t.ok ? t.reason : "", /no signature verifies with a trusted key/);

  const wrongType = verifyEnvelope({ ...env, payloadType: "application/json" }, trusted, TYPE);
  assert.equal(wrongType.ok, false);
  assert.match(!wrongType.ok ? wrongType.reason : "", /payloadType is "application\/json", expected "application\/vnd.in-toto\+json"/);

  // the payload type is signed: relabelling the type breaks the signature even if accepted
  assert.equal(verifyEnvelope({ ...env, payloadType: "application/json" }, trusted, "application/json").ok, false);

  const untrusted = verifyEnvelope(env, [pemVerifier(other.publicKeyPem, "other.pub")], TYPE);
  assert.equal(untrusted.ok, false);
  assert.match(!untrusted.ok ? untrusted.reason : "", new RegExp(kp.keyId));

  // a lying keyid does not matter: the trusted key is tried anyway
  const relabelled = { ...env, signatures: [{ keyid: other.keyId, sig: env.signatures[0]!.sig }] };
  assert.equal(verifyEnvelope(relabelled, trusted, TYPE).ok, true);
});

test("parseEnvelope: malformed envelopes are refused with every problem named", () => {
  const bad = (s: string): string => {
    try {
      parseEnvelope(Buffer.from(s), "env.json");
    } catch (e) {
      return (e as Error).message;
    }
    return "accepted";
  };
  assert.match(bad("not json"), /env.json: DSSE envelope is not valid JSON/);
  assert.match(bad("[]"), /not a JSON object/);
  assert.match(bad("{}"), /payloadType is missing; payload is missing; signatures is missing or empty/);
  assert.match(bad('{"payloadType":"t","payload":"%%%","signatures":[{"sig":"AA=="}]}'), /payload is not base64/);
  assert.match(bad('{"payloadType":"t","payload":"","signatures":[{"keyid":"k"}]}'), /signatures\[0\].sig is missing/);
  assert.match(bad(`{"payloadType":"t","payload":"","signatures":[${Array(17).fill('{"sig":"AA=="}').join(",")}]}`), /more than 16 signatures/);
  assert.deepEqual(parseEnvelope(Buffer.from('{"payloadType":"t","payload":"e30","signatures":[{"sig":"AA"}]}'), "x").signatures, [{ keyid: "", sig: "AA" }]);
});

test("decodeBase64Strict: standard and URL-safe alphabets, nothing else", () => {
  assert.equal(decodeBase64Strict("aGk_", "x").toString("latin1"), Buffer.from("aGk/", "base64").toString("latin1"));
  assert.equal(decodeBase64Strict("aGk=", "x").toString(), "hi");
  assert.throws(() => decodeBase64Strict("a b", "x"), /not valid base64/);
  assert.throws(() => decodeBase64Strict("aGk+_", "x"), /not valid base64/);
});
