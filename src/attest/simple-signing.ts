// cosign's signature payload: the "simple signing" JSON of containers/image, with critical.type
// "cosign container image signature". The signature is over these exact bytes.
import { BerthError } from "../util/errors.js";
import { isDigest } from "../image/digest.js";

export const COSIGN_SIGNATURE_TYPE = "cosign container image signature";

export interface SimpleSigning {
  readonly dockerReference: string;
  readonly manifestDigest: string;
  readonly optional: Readonly<Record<string, unknown>> | null;
}

/** The payload bytes for an image: docker-reference is the repository, as cosign writes it. */
export function simpleSigningPayload(dockerReference: string, manifestDigest: string, optional?: Readonly<Record<string, string>>): Uint8Array {
  const doc = {
    critical: { identity: { "docker-reference": dockerReference }, image: { "docker-manifest-digest": manifestDigest }, type: COSIGN_SIGNATURE_TYPE },
    optional: optional && Object.keys(optional).length ? optional : null,
  };
  return new Uint8Array(Buffer.from(JSON.stringify(doc), "utf8"));
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A field by name, falling back to a case-insensitive match (Go's JSON decoding, which cosign uses, is case-insensitive). */
function field(o: Json, name: string): unknown {
  if (name in o) return o[name];
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(o)) if (k.toLowerCase() === lower) return v;
  return undefined;
}

/** Parses an untrusted simple signing payload (call only after its signature verified). */
export function parseSimpleSigning(bytes: Uint8Array, what: string): SimpleSigning {
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(bytes).toString("utf8"));
  } catch {
    throw new BerthError("corrupt", `${what}: signature payload is not valid JSON`);
  }
  if (!isObject(v)) throw new BerthError("corrupt", `${what}: signature payload is not a JSON object`);
  const critical = field(v, "critical");
  if (!isObject(critical)) throw new BerthError("corrupt", `${what}: signature payload has no "critical" section`);
  const type = field(critical, "type");
  if (type !== COSIGN_SIGNATURE_TYPE) throw new BerthError("corrupt", `${what}: signature payload type is ${JSON.stringify(type)?.slice(0, 80)}, expected "${COSIGN_SIGNATURE_TYPE}"`);
  const image = field(critical, "image");
  const digest = isObject(image) ? field(image, "docker-manifest-digest") : undefined;
  if (typeof digest !== "string" || !isDigest(digest)) throw new BerthError("corrupt", `${what}: signature payload has no valid critical.image.docker-manifest-digest`);
  const identity = field(critical, "identity");
  const ref = isObject(identity) ? field(identity, "docker-reference") : undefined;
  const optional = field(v, "optional");
  return { dockerReference: typeof ref === "string" ? ref : "", manifestDigest: digest, optional: isObject(optional) ? optional : null };
}
