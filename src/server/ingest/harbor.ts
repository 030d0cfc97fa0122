// Harbor 2.x webhooks (project webhook policy, HTTP endpoint), in both payload formats Harbor offers:
//   Default:     { type: "PUSH_ARTIFACT", occur_at: <unix s>, operator,
//                  event_data: { resources: [{ digest, tag, resource_url }],
//                                repository: { name, namespace, repo_full_name, repo_type } } }
//   CloudEvents: { specversion: "1.0", id, source, type: "harbor.artifact.pushed", time: RFC 3339,
//                  operator, data: { resources, repository } }   (content type application/cloudevents+json)
// Pushes, pulls and deletes of artifacts become the same RegistryEvents the Distribution parser
// makes, one per resource; other event types (scans, quotas, replication, retention) are skipped.
// Harbor sends no event id usable across formats, so the id is derived from the event's content:
// a retried delivery is recognised. The registry host is the first component of `resource_url`.
import type { RegistryAction, RegistryEvent } from "./distribution.js";
import { isRecord, isValidDigest, MAX_EVENTS, str } from "./distribution.js";
import { derivedEventId, invalidNotification, isRegistryHost, isRepositoryName, isTag } from "./reference-fields.js";
import { BerthError } from "../../util/errors.js";

export const CLOUDEVENTS_MEDIA_TYPE = "application/cloudevents+json";

const DEFAULT_TYPES: Readonly<Record<string, RegistryAction>> = { PUSH_ARTIFACT: "push", PULL_ARTIFACT: "pull", DELETE_ARTIFACT: "delete" };
const CLOUDEVENT_TYPES: Readonly<Record<string, RegistryAction>> = { "harbor.artifact.pushed": "push", "harbor.artifact.pulled": "pull", "harbor.artifact.deleted": "delete" };
// Unix seconds up to the year 9999: anything larger is not a time Harbor sent.
const MAX_UNIX_SECONDS = 253_402_300_799;

export interface ParsedWebhook {
  readonly events: RegistryEvent[];
  /** Notifications of kinds Berth does not act on (scan results, quotas, replication, …). */
  readonly skipped: number;
}

/** Harbor's Default format: a `type` and `event_data`, or its CloudEvents format with a `harbor.` type. */
export function isHarborPayload(body: unknown): boolean {
  if (!isRecord(body) || typeof body.type !== "string") return false;
  if (typeof body.specversion === "string") return body.type.startsWith("harbor.");
  return "event_data" in body || "occur_at" in body;
}

interface Envelope {
  /** Where the resources are: `event_data` (Default format) or `data` (CloudEvents). */
  readonly dataKey: "event_data" | "data";
  readonly action: RegistryAction | undefined;
  readonly occurAt: number | undefined;
  readonly operator: string | undefined;
  readonly data: unknown;
}

function envelopeOf(body: Record<string, unknown>, errors: string[]): Envelope {
  const type = str(body, "type", "", errors, true);
  const operator = str(body, "operator", "", errors);
  if (typeof body.specversion === "string") {
    const time = str(body, "time", "", errors);
    const ms = time === undefined ? NaN : Date.parse(time);
    if (time !== undefined && Number.isNaN(ms)) errors.push(".time: not an RFC 3339 time");
    return { dataKey: "data", action: type === undefined ? undefined : CLOUDEVENT_TYPES[type], occurAt: Number.isNaN(ms) ? undefined : Math.floor(ms / 1000), operator, data: body.data };
  }
  const occurAt = body.occur_at;
  const valid = typeof occurAt === "number" && Number.isInteger(occurAt) && occurAt >= 0 && occurAt <= MAX_UNIX_SECONDS;
  if (occurAt !== undefined && !valid) errors.push(".occur_at: expected unix seconds");
  return { dataKey: "event_data", action: type === undefined ? undefined : DEFAULT_TYPES[type], occurAt: valid ? occurAt : undefined, operator, data: body.event_data };
}

function repositoryOf(data: Record<string, unknown>, path: string, errors: string[]): string | undefined {
  const repo = data.repository;
  if (!isRecord(repo)) {
    errors.push(`${path}.repository: expected an object`);
    return undefined;
  }
  const full = str(repo, "repo_full_name", `${path}.repository`, errors);
  const namespace = str(repo, "namespace", `${path}.repository`, errors);
  const name = str(repo, "name", `${path}.repository`, errors);
  const repository = full ?? (namespace && name ? `${namespace}/${name}` : undefined);
  if (repository === undefined) errors.push(`${path}.repository.repo_full_name: required`);
  else if (!isRepositoryName(repository)) errors.push(`${path}.repository.repo_full_name: not a repository name`);
  return repository;
}

function refuse(errors: readonly string[]): BerthError {
  // Root fields are named without the leading dot str() puts before them.
  return invalidNotification("Harbor webhook", errors.map((e) => e.replace(/^\./, "")));
}

/** `harbor.example.com/library/app:1.0` → `harbor.example.com`. */
function hostOfResourceUrl(url: string | undefined, path: string, errors: string[]): string | undefined {
  if (url === undefined) return undefined;
  const host = url.split("/", 1)[0] ?? "";
  if (!url.includes("/") || !isRegistryHost(host)) {
    errors.push(`${path}.resource_url: expected <registry host>/<repository>…`);
    return undefined;
  }
  return host;
}

/** Parses a Harbor webhook; throws BerthError("input") listing every invalid field. */
export function parseHarborWebhook(body: unknown): ParsedWebhook {
  if (!isRecord(body)) throw new BerthError("input", "not a Harbor webhook: expected a JSON object");
  const errors: string[] = [];
  const env = envelopeOf(body, errors);
  if (errors.length) throw refuse(errors);
  const data = env.data;
  const resources = isRecord(data) ? data.resources : undefined;
  const count = Array.isArray(resources) ? resources.length : 0;
  if (env.action === undefined) return { events: [], skipped: Math.max(1, count) };
  if (!isRecord(data) || !Array.isArray(resources)) throw refuse([`${env.dataKey}.resources: expected a list`]);
  if (resources.length > MAX_EVENTS) throw new BerthError("limit", `Harbor webhook has ${resources.length} resources; at most ${MAX_EVENTS} are accepted`);
  const repository = repositoryOf(data, env.dataKey, errors);
  const events: RegistryEvent[] = [];
  resources.forEach((r: unknown, i: number) => {
    const path = `${env.dataKey}.resources[${i}]`;
    if (!isRecord(r)) {
      errors.push(`${path}: expected an object`);
      return;
    }
    const before = errors.length;
    const digest = str(r, "digest", path, errors, true);
    if (digest !== undefined && !isValidDigest(digest)) errors.push(`${path}.digest: not a sha256/sha512 digest`);
    // Harbor reports a pull or push by digest with the digest in `tag`: that is no tag.
    const rawTag = str(r, "tag", path, errors);
    const tag = rawTag !== undefined && !rawTag.includes(":") ? rawTag : undefined;
    if (tag !== undefined && !isTag(tag)) errors.push(`${path}.tag: not a valid tag`);
    const host = hostOfResourceUrl(str(r, "resource_url", path, errors), path, errors);
    if (errors.length > before || digest === undefined || repository === undefined || env.action === undefined) return;
    events.push({
      id: derivedEventId("harbor", [env.action, env.occurAt, env.operator, host, repository, digest, tag]),
      action: env.action,
      repository,
      digest,
      ...(env.occurAt !== undefined ? { timestamp: new Date(env.occurAt * 1000).toISOString() } : {}),
      ...(tag !== undefined ? { tag } : {}),
      ...(host !== undefined ? { host } : {}),
      ...(env.operator !== undefined ? { actor: env.operator } : {}),
      source: "harbor",
      raw: { ...body, [env.dataKey]: { ...data, resources: [r] } },
    });
  });
  if (errors.length) throw refuse(errors);
  return { events, skipped: 0 };
}
