// Signing keys: ECDSA P-256 and Ed25519 pairs, the private key as an encrypted PKCS#8 PEM
// (PBES2 + AES-256-CBC, readable by `openssl pkey -passin`), the public key as an SPKI PEM (the
// same `PUBLIC KEY` file cosign writes as cosign.pub). A key's id is the SHA-256 of its SPKI DER.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import { BerthError } from "../util/errors.js";

export type KeyAlgorithm = "ecdsa-p256" | "ed25519";
export const keyAlgorithms: readonly KeyAlgorithm[] = ["ecdsa-p256", "ed25519"];

export interface GeneratedKeyPair {
  readonly algorithm: KeyAlgorithm;
  readonly keyId: string;
  /** `-----BEGIN ENCRYPTED PRIVATE KEY-----` (PKCS#8, PBES2/AES-256-CBC). */
  readonly privateKeyPem: string;
  /** `-----BEGIN PUBLIC KEY-----` (SPKI). */
  readonly publicKeyPem: string;
}

export interface LoadedPrivateKey {
  readonly algorithm: KeyAlgorithm;
  readonly keyId: string;
  readonly key: KeyObject;
  readonly publicKeyPem: string;
}

export interface LoadedPublicKey {
  readonly algorithm: KeyAlgorithm;
  readonly keyId: string;
  readonly key: KeyObject;
  readonly publicKeyPem: string;
}

/** "sha256:<hex>" of the public key's SPKI DER encoding. */
export function keyIdOf(publicKey: KeyObject): string {
  const der = publicKey.export({ type: "spki", format: "der" });
  return `sha256:${createHash("sha256").update(der).digest("hex")}`;
}

export function spkiPem(publicKey: KeyObject): string {
  return publicKey.export({ type: "spki", format: "pem" }).toString();
}

/** The key's algorithm, or a BerthError naming what it is instead. */
export function algorithmOf(key: KeyObject, what: string): KeyAlgorithm {
  if (key.asymmetricKeyType === "ed25519") return "ed25519";
  if (key.asymmetricKeyType === "ec") {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (curve === "prime256v1" || curve === "P-256") return "ecdsa-p256";
    throw new BerthError("unsupported", `${what}: EC curve ${curve ?? "unknown"} is not supported (use P-256 or Ed25519)`);
  }
  throw new BerthError("unsupported", `${what}: ${key.asymmetricKeyType ?? "unknown"} keys are not supported (use ECDSA P-256 or Ed25519)`);
}

export function generateKeyPair(algorithm: KeyAlgorithm, passphrase: string): GeneratedKeyPair {
  const { privateKey, publicKey } = algorithm === "ed25519" ? generateKeyPairSync("ed25519") : generateKeyPairSync("ec", { namedCurve: "P-256" });
  return {
    algorithm,
    keyId: keyIdOf(publicKey),
    privateKeyPem: privateKey.export({ type: "pkcs8", format: "pem", cipher: "aes-256-cbc", passphrase }).toString(),
    publicKeyPem: spkiPem(publicKey),
  };
}

const PEM_RE = /-----BEGIN ([A-Z0-9 ]+)-----/;

function pemLabel(text: string): string | undefined {
  return PEM_RE.exec(text)?.[1];
}

/**
 * Reads a private key PEM. Encrypted PKCS#8 (what `berth key generate` writes) needs the
 * passphrase; unencrypted PKCS#8 / SEC1 keys (e.g. from openssl) are accepted as they are.
 */
export function loadPrivateKey(pem: string, passphrase: string, what: string): LoadedPrivateKey {
  const label = pemLabel(pem);
  if (label === undefined) throw new BerthError("input", `${what}: not a PEM file`);
  if (label === "ENCRYPTED SIGSTORE PRIVATE KEY" || label === "ENCRYPTED COSIGN PRIVATE KEY") {
    throw new BerthError("unsupported", `${what}: cosign's own key format is not supported; export it as PKCS#8 PEM (openssl) or generate a key with \`berth key generate\``);
  }
  if (label === "PUBLIC KEY") throw new BerthError("input", `${what}: this is a public key; signing needs the private key (berth.key)`);
  if (!label.includes("PRIVATE KEY")) throw new BerthError("input", `${what}: not a private key (PEM "${label}")`);
  let key: KeyObject;
  try {
    // a passphrase is always given, so OpenSSL never prompts on the terminal itself
    key = createPrivateKey({ key: pem, format: "pem", passphrase });
  } catch (e) {
    if (label === "ENCRYPTED PRIVATE KEY") throw new BerthError("input", `${what}: cannot decrypt the private key: wrong passphrase (BERTH_PASSWORD)?`, { cause: e });
    throw new BerthError("input", `${what}: unreadable private key (${(e as Error).message.split("\n")[0]})`, { cause: e });
  }
  const algorithm = algorithmOf(key, what);
  const pub = createPublicKey(key);
  return { algorithm, keyId: keyIdOf(pub), key, publicKeyPem: spkiPem(pub) };
}

/** Reads a `PUBLIC KEY` PEM (what `berth key generate` and `cosign generate-key-pair` write). */
export function loadPublicKey(pem: string, what: string): LoadedPublicKey {
  const label = pemLabel(pem);
  if (label === undefined) throw new BerthError("input", `${what}: not a PEM file`);
  if (label.includes("PRIVATE KEY")) throw new BerthError("input", `${what}: this is a private key; verification takes the public key (berth.pub)`);
  if (label !== "PUBLIC KEY") throw new BerthError("input", `${what}: not a public key (PEM "${label}")`);
  let key: KeyObject;
  try {
    key = createPublicKey({ key: pem, format: "pem" });
  } catch (e) {
    throw new BerthError("input", `${what}: unreadable public key (${(e as Error).message.split("\n")[0]})`, { cause: e });
  }
  const algorithm = algorithmOf(key, what);
  return { algorithm, keyId: keyIdOf(key), key, publicKeyPem: spkiPem(key) };
}

/** A short form of a key id for display: "sha256:1a2b3c4d5e6f". */
export function shortKeyId(keyId: string): string {
  return keyId.startsWith("sha256:") ? keyId.slice(0, 7 + 12) : keyId.slice(0, 19);
}
