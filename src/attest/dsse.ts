// DSSE (Dead Simple Signing Envelope) v1: the pre-authentication encoding, signing, strict
// parsing of untrusted envelopes and verification against trusted keys.
//   PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body   (LEN: ASCII decimal bytes)
import { BerthError } from "../util/errors.js";
import type { Signer, Verifier } from "./signer.js";

export interface DsseSignature {
  readonly keyid: string;
  readonly sig: string;
}

export interface DsseEnvelope {
  readonly payloadType: string;
  /** Base64 of the payload bytes. */
  readonly payload: string;
  readonly signatures: readonly DsseSignature[];
}

export function pae(payloadType: string, payload: Uint8Array): Buffer {
  const type = Buffer.from(payloadType, "utf8");
  return Buffer.concat([Buffer.from(`DSSEv1 ${type.length} `, "utf8"), type, Buffer.from(` ${payload.length} `, "utf8"), payload]);
}

export async function signEnvelope(payloadType: string, payload: Uint8Array, signer: Signer): Promise<DsseEnvelope> {
  const sig = await signer.sign(pae(payloadType, payload));
  return { payloadType, payload: Buffer.from(payload).toString("base64"), signatures: [{ keyid: signer.keyId, sig: Buffer.from(sig).toString("base64") }] };
}

const B64_RE = /^(?:[A-Za-z0-9+/]*={0,2}|[A-Za-z0-9_-]*={0,2})$/;

/** Decodes standard or URL-safe base64 (DSSE accepts both), refusing anything else. */
export function decodeBase64Strict(s: string, what: string): Buffer {
  if (!B64_RE.test(s) || s.replace(/=+$/, "").length % 4 === 1) throw new BerthError("corrupt", `${what}: not valid base64`);
  return Buffer.from(s.replace(/-/g, "+").replace(/_/g, "/"), "base64");
}

const MAX_SIGNATURES = 16;

/** Parses and validates an envelope from untrusted JSON bytes. */
export function parseEnvelope(bytes: Uint8Array, what: string): DsseEnvelope {
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(bytes).toString("utf8"));
  } catch {
    throw new BerthError("corrupt", `${what}: DSSE envelope is not valid JSON`);
  }
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new BerthError("corrupt", `${what}: DSSE envelope is not a JSON object`);
  const o = v as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof o.payloadType !== "string" || o.payloadType === "") problems.push("payloadType is missing");
  if (typeof o.payload !== "string") problems.push("payload is missing");
  else if (!B64_RE.test(o.payload)) problems.push("payload is not base64");
  const sigs: DsseSignature[] = [];
  if (!Array.isArray(o.signatures) || o.signatures.length === 0) problems.push("signatures is missing or empty");
  else if (o.signatures.length > MAX_SIGNATURES) problems.push(`more than ${MAX_SIGNATURES} signatures`);
  else
    o.signatures.forEach((s: unknown, i) => {
      const r = (typeof s === "object" && s !== null ? s : {}) as Record<string, unknown>;
      if (typeof r.sig !== "string" || r.sig === "" || !B64_RE.test(r.sig)) problems.push(`signatures[${i}].sig is missing or not base64`);
      else sigs.push({ keyid: typeof r.keyid === "string" ? r.keyid : "", sig: r.sig });
    });
  if (problems.length) throw new BerthError("corrupt", `${what}: invalid DSSE envelope: ${problems.join("; ")}`);
  return { payloadType: o.payloadType as string, payload: o.payload as string, signatures: sigs };
}

export type EnvelopeCheck =
  | { readonly ok: true; readonly payload: Buffer; readonly keyId: string; readonly source: string }
  | { readonly ok: false; readonly reason: string; readonly claimedKeyIds: readonly string[] };

/**
 * Verifies an envelope: its payloadType must be `expectedType`, and one signature must verify
 * over PAE with one of the trusted keys. Never throws for a bad signature; says why instead.
 */
export function verifyEnvelope(env: DsseEnvelope, verifiers: readonly Verifier[], expectedType: string): EnvelopeCheck {
  const claimedKeyIds = env.signatures.map((s) => s.keyid).filter(Boolean);
  if (env.payloadType !== expectedType) return { ok: false, reason: `payloadType is "${env.payloadType.slice(0, 100)}", expected "${expectedType}"`, claimedKeyIds };
  let payload: Buffer;
  try {
    payload = decodeBase64Strict(env.payload, "payload");
  } catch {
    return { ok: false, reason: "payload is not valid base64", claimedKeyIds };
  }
  const message = pae(env.payloadType, payload);
  for (const s of env.signatures) {
    let sig: Buffer;
    try {
      sig = decodeBase64Strict(s.sig, "sig");
    } catch {
      continue;
    }
    // a keyid is a hint: try the named key first, but never trust it on its own
    const ordered = [...verifiers].sort((a, b) => Number(b.keyId === s.keyid) - Number(a.keyId === s.keyid));
    for (const v of ordered) if (v.verify(message, sig)) return { ok: true, payload, keyId: v.keyId, source: v.source };
  }
  if (verifiers.length === 0) return { ok: false, reason: "no trusted keys to verify with", claimedKeyIds };
  return { ok: false, reason: `no signature verifies with a trusted key (${env.signatures.length} signature${env.signatures.length === 1 ? "" : "s"}${claimedKeyIds.length ? ` by ${claimedKeyIds.join(", ")}` : ""})`, claimedKeyIds };
}
