// The CNCF Distribution notification envelope (docker-registry's `notifications.endpoints`):
//   { events: [{ id, timestamp, action: push|pull|delete|mount,
//                target: { mediaType, digest, repository, tag, url, size }, request: { host, … },
//                actor: { name }, source: { addr, instanceID } }] }
// Validated field by field (untrusted input); every problem is named before the envelope is refused.
import { BerthError } from "../../util/errors.js";

export const DISTRIBUTION_EVENTS_MEDIA_TYPE = "application/vnd.docker.distribution.events.v1+json";

export type RegistryAction = "push" | "pull" | "delete" | "mount";

export interface RegistryEvent {
  readonly id: string;
  readonly action: RegistryAction;
  readonly timestamp?: string;
  readonly mediaType?: string;
  readonly digest?: string;
  readonly repository: string;
  readonly tag?: string;
  /** Registry host as the client addressed it ("127.0.0.1:5000"), from target.url or request.host. */
  readonly host?: string;
  readonly actor?: string;
  /** The event as received, for the record. */
  readonly raw: unknown;
}

/** Media types of manifests and indexes: the events that name an image (not a layer blob). */
export const MANIFEST_MEDIA_TYPES: ReadonlySet<string> = new Set([
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.docker.distribution.manifest.v2+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
]);

export const INDEX_MEDIA_TYPES: ReadonlySet<string> = new Set(["application/vnd.oci.image.index.v1+json", "application/vnd.docker.distribution.manifest.list.v2+json"]);

const ACTIONS: readonly RegistryAction[] = ["push", "pull", "delete", "mount"];
const DIGEST_RE = /^sha(256:[a-f0-9]{64}|512:[a-f0-9]{128})$/;
const MAX_EVENTS = 1000;
const MAX_STRING = 4096;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function str(obj: Record<string, unknown>, key: string, path: string, errors: string[], required = false): string | undefined {
  const v = obj[key];
  if (v === undefined || v === null || v === "") {
    if (required) errors.push(`${path}.${key}: required`);
    return undefined;
  }
  if (typeof v !== "string") {
    errors.push(`${path}.${key}: expected a string`);
    return undefined;
  }
  if (v.length > MAX_STRING) {
    errors.push(`${path}.${key}: longer than ${MAX_STRING} characters`);
    return undefined;
  }
  return v;
}

function hostOf(url: string | undefined, requestHost: string | undefined): string | undefined {
  if (url) {
    try {
      const u = new URL(url);
      if (u.host) return u.host;
    } catch {
      // fall back to request.host
    }
  }
  return requestHost;
}

export function isValidDigest(s: string): boolean {
  return DIGEST_RE.test(s);
}

/** Parses an envelope; throws BerthError("input") listing every invalid field. */
export function parseDistributionEnvelope(body: unknown): RegistryEvent[] {
  if (!isRecord(body) || !Array.isArray(body.events)) throw new BerthError("input", "not a Distribution notification envelope: expected {\"events\": [...]}");
  if (body.events.length > MAX_EVENTS) throw new BerthError("limit", `envelope has ${body.events.length} events; at most ${MAX_EVENTS} are accepted`);
  const errors: string[] = [];
  const out: RegistryEvent[] = [];
  body.events.forEach((ev: unknown, i: number) => {
    const path = `events[${i}]`;
    if (!isRecord(ev)) {
      errors.push(`${path}: expected an object`);
      return;
    }
    const before = errors.length;
    const id = str(ev, "id", path, errors, true);
    const action = str(ev, "action", path, errors, true);
    if (action !== undefined && !(ACTIONS as readonly string[]).includes(action)) errors.push(`${path}.action: "${action}" is not one of ${ACTIONS.join(", ")}`);
    const target = ev.target;
    if (!isRecord(target)) {
      errors.push(`${path}.target: expected an object`);
      return;
    }
    const repository = str(target, "repository", `${path}.target`, errors, true);
    const digest = str(target, "digest", `${path}.target`, errors);
    if (digest !== undefined && !isValidDigest(digest)) errors.push(`${path}.target.digest: not a sha256/sha512 digest`);
    const mediaType = str(target, "mediaType", `${path}.target`, errors);
    const tag = str(target, "tag", `${path}.target`, errors);
    const url = str(target, "url", `${path}.target`, errors);
    const request = isRecord(ev.request) ? ev.request : {};
    const requestHost = str(request, "host", `${path}.request`, errors);
    const actor = isRecord(ev.actor) ? str(ev.actor, "name", `${path}.actor`, errors) : undefined;
    const timestamp = str(ev, "timestamp", path, errors);
    if (errors.length > before || !id || !action || !repository) return;
    const host = hostOf(url, requestHost);
    out.push({
      id,
      action: action as RegistryAction,
      repository,
      ...(timestamp ? { timestamp } : {}),
      ...(mediaType ? { mediaType } : {}),
      ...(digest ? { digest } : {}),
      ...(tag ? { tag } : {}),
      ...(host ? { host } : {}),
      ...(actor ? { actor } : {}),
      raw: ev,
    });
  });
  if (errors.length) throw new BerthError("input", `invalid registry notification: ${errors.slice(0, 10).join("; ")}${errors.length > 10 ? ` (and ${errors.length - 10} more)` : ""}`);
  return out;
}

/** True when the event names an image manifest or index (layer blob events are only recorded). */
export function namesImage(ev: RegistryEvent): boolean {
  return ev.digest !== undefined && ev.mediaType !== undefined && MANIFEST_MEDIA_TYPES.has(ev.mediaType);
}
