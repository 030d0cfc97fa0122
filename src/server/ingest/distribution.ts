// The CNCF Distribution notification envelope (docker-registry's `notifications.endpoints`):
//   { events: [{ id, timestamp, action: push|pull|delete|mount,
//                target: { mediaType, digest, repository, tag, url, size }, request: { host, … },
//                actor: { name }, source: { addr, instanceID } }] }
// Validated field by field (untrusted input); every problem is named before the envelope is refused.
import { BerthError } from "../../util/errors.js";
import { invalidNotification } from "./reference-fields.js";

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
  /** The HTTP client that caused it (Distribution's request.useragent): tells Berth's own reads apart. */
  readonly userAgent?: string;
  /** The format it arrived in (absent: Distribution). Harbor and generic events carry no media type. */
  readonly source?: RegistryEventSource;
  /** The event as received, for the record. */
  readonly raw: unknown;
}

export type RegistryEventSource = "distribution" | "harbor" | "generic";

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
/** Bounds shared by every notification format (ingest/harbor.ts, ingest/generic.ts). */
export const MAX_EVENTS = 1000;
export const MAX_STRING = 4096;

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A bounded optional (or required) string field; problems are appended to `errors` with their path. */
export function str(obj: Record<string, unknown>, key: string, path: string, errors: string[], required = false): string | undefined {
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

/**
 * The `{"events": [...]}` walk the Distribution and generic envelopes share: the count bounded, each
 * event an object, every problem collected with its path before one refusal (BerthError "input").
 * `parseEvent` appends to `errors` and returns undefined for an event it refuses.
 */
export function parseEventList(
  body: unknown,
  what: string,
  parseEvent: (ev: Record<string, unknown>, path: string, errors: string[]) => RegistryEvent | undefined,
): RegistryEvent[] {
  if (!isRecord(body) || !Array.isArray(body.events)) throw new BerthError("input", `not a ${what} envelope: expected {"events": [...]}`);
  if (body.events.length > MAX_EVENTS) throw new BerthError("limit", `${what} envelope has ${body.events.length} events; at most ${MAX_EVENTS} are accepted`);
  const errors: string[] = [];
  const out: RegistryEvent[] = [];
  body.events.forEach((ev: unknown, i: number) => {
    const path = `events[${i}]`;
    if (!isRecord(ev)) {
      errors.push(`${path}: expected an object`);
      return;
    }
    const before = errors.length;
    const parsed = parseEvent(ev, path, errors);
    if (parsed && errors.length === before) out.push(parsed);
  });
  if (errors.length) throw invalidNotification(`${what} notification`, errors);
  return out;
}

/** Parses an envelope; throws BerthError("input") listing every invalid field. */
export function parseDistributionEnvelope(body: unknown): RegistryEvent[] {
  return parseEventList(body, "Distribution", (ev, path, errors) => {
    const id = str(ev, "id", path, errors, true);
    const action = str(ev, "action", path, errors, true);
    if (action !== undefined && !(ACTIONS as readonly string[]).includes(action)) errors.push(`${path}.action: "${action}" is not one of ${ACTIONS.join(", ")}`);
    const target = ev.target;
    if (!isRecord(target)) {
      errors.push(`${path}.target: expected an object`);
      return undefined;
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
    // Informational only: a long or odd user agent is cut, never a reason to refuse the envelope.
    const userAgent = typeof request.useragent === "string" && request.useragent !== "" ? request.useragent.slice(0, 256) : undefined;
    const timestamp = str(ev, "timestamp", path, errors);
    if (!id || !action || !repository) return undefined;
    const host = hostOf(url, requestHost);
    return {
      id,
      action: action as RegistryAction,
      repository,
      ...(timestamp ? { timestamp } : {}),
      ...(mediaType ? { mediaType } : {}),
      ...(digest ? { digest } : {}),
      ...(tag ? { tag } : {}),
      ...(host ? { host } : {}),
      ...(actor ? { actor } : {}),
      ...(userAgent ? { userAgent } : {}),
      raw: ev,
    };
  });
}

/**
 * True when the event names an image manifest or index (layer blob events are only recorded).
 * Harbor and generic events name artifacts (manifests) and may carry no media type at all.
 */
export function namesImage(ev: RegistryEvent): boolean {
  if (ev.digest === undefined) return false;
  if (ev.mediaType !== undefined) return MANIFEST_MEDIA_TYPES.has(ev.mediaType);
  return ev.source === "harbor" || ev.source === "generic";
}
