// The signing seam. Everything that signs (image signatures, DSSE envelopes) takes a `Signer`;
// everything that verifies takes `Verifier`s. A key file is one implementation; a KMS or HSM
// (Azure Key Vault, AWS KMS, HashiCorp Vault transit, PKCS#11) is another, plugged in through a
// `SignerProvider` keyed by the URI scheme of `--key` (cosign's key-reference shapes:
// `azurekms://…`, `awskms://…`, `hashivault://…`, `pkcs11:…`) without touching any caller.
// See README.md beside this file for the contract a provider must keep.
import { sign as cryptoSign, verify as cryptoVerify, type KeyObject } from "node:crypto";
import { readFile } from "node:fs/promises";
import { BerthError } from "../util/errors.js";
import { loadPrivateKey, loadPublicKey, type KeyAlgorithm } from "./keys.js";

export interface Signer {
  /** "sha256:<hex>" of the public key's SPKI DER (the same id verifiers compute). */
  readonly keyId: string;
  readonly algorithm: KeyAlgorithm;
  /** The public key as SPKI PEM, so callers can export it or embed its id. */
  readonly publicKeyPem: string;
  /**
   * Signs `message` (the whole message, not a digest). ECDSA P-256: SHA-256 of the message, the
   * signature ASN.1 DER-encoded (what cosign and DSSE verifiers expect; convert a KMS's raw r||s).
   * Ed25519: pure Ed25519 over the message, 64 bytes.
   */
  sign(message: Uint8Array): Promise<Uint8Array>;
}

export interface Verifier {
  readonly keyId: string;
  readonly algorithm: KeyAlgorithm;
  /** A name for messages: the file or trust-store entry the key came from. */
  readonly source: string;
  verify(message: Uint8Array, signature: Uint8Array): boolean;
}

function hashFor(algorithm: KeyAlgorithm): string | null {
  return algorithm === "ecdsa-p256" ? "sha256" : null;
}

/** A signer over an in-memory private key. */
export function keySigner(key: KeyObject, algorithm: KeyAlgorithm, keyId: string, publicKeyPem: string): Signer {
  return {
    keyId,
    algorithm,
    publicKeyPem,
    sign: async (message) => new Uint8Array(cryptoSign(hashFor(algorithm), message, key)),
  };
}

/** A signer from a private key PEM (encrypted PKCS#8 from `berth key generate`, or unencrypted). */
export function pemSigner(pem: string, passphrase: string, what: string): Signer {
  const k = loadPrivateKey(pem, passphrase, what);
  return keySigner(k.key, k.algorithm, k.keyId, k.publicKeyPem);
}

/** A verifier from a public key PEM. */
export function pemVerifier(pem: string, source: string): Verifier {
  const k = loadPublicKey(pem, source);
  const hash = hashFor(k.algorithm);
  return {
    keyId: k.keyId,
    algorithm: k.algorithm,
    source,
    verify: (message, signature) => {
      try {
        return cryptoVerify(hash, message, k.key, signature);
      } catch {
        return false; // a malformed signature is just a signature that does not verify
      }
    },
  };
}

export interface SignerRequest {
  /** Asked only when the key needs it (an encrypted key file). */
  readonly passphrase: () => Promise<string>;
}

/** Builds a signer for a key reference of one URI scheme (e.g. "azurekms"). */
export type SignerProvider = (ref: string, req: SignerRequest) => Promise<Signer>;

const KMS_SCHEMES = ["azurekms", "awskms", "gcpkms", "hashivault", "pkcs11"];

function schemeOf(ref: string): string | undefined {
  const m = /^([a-z][a-z0-9+.-]*):/.exec(ref);
  // a Windows drive letter ("C:\…") is a path, not a scheme
  return m && m[1]!.length > 1 ? m[1] : undefined;
}

const MAX_KEY_FILE = 64 * 1024;

async function readKeyFile(path: string): Promise<string> {
  let text: Buffer;
  try {
    text = await readFile(path);
  } catch (e) {
    throw new BerthError("input", `cannot read key ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  if (text.length > MAX_KEY_FILE) throw new BerthError("limit", `${path}: larger than ${MAX_KEY_FILE} bytes; not a key file`);
  return text.toString("utf8");
}

/**
 * The signer for `--key REF`: a file path (or `file://` URI), or a URI whose scheme has a
 * provider. Unknown KMS schemes fail with a message saying how to plug one in.
 */
export async function resolveSigner(ref: string, req: SignerRequest, providers: Readonly<Record<string, SignerProvider>> = {}): Promise<Signer> {
  const scheme = schemeOf(ref);
  if (scheme && scheme !== "file") {
    const provider = providers[scheme];
    if (provider) return provider(ref, req);
    if (KMS_SCHEMES.includes(scheme)) throw new BerthError("unsupported", `--key ${ref}: no signer provider for ${scheme}:// is built in; see src/attest/README.md (SignerProvider) to plug one in`);
    throw new BerthError("usage", `--key ${ref}: unknown key reference scheme "${scheme}:" (give a key file path)`);
  }
  const path = scheme === "file" ? ref.replace(/^file:(\/\/)?/, "") : ref;
  const pem = await readKeyFile(path);
  const encrypted = pem.includes("-----BEGIN ENCRYPTED PRIVATE KEY-----");
  return pemSigner(pem, encrypted ? await req.passphrase() : "", path);
}

/** A verifier for a public key file. */
export async function loadVerifier(path: string): Promise<Verifier> {
  return pemVerifier(await readKeyFile(path), path);
}
