// Berth's generic registry notification, for registries and scripts that speak neither the
// Distribution envelope nor Harbor's webhook:
//   { "events": [ { "action": "push" | "pull" | "delete",
//                   "registry": "registry.example.com[:port]", "repository": "team/app",
//                   "digest": "sha256:…", "tag"?: "1.0", "at"?: RFC 3339 time,
//                   "id"?: "<unique event id>", "actor"?: "<who>", "mediaType"?: "<manifest media type>" } ] }
// A push or pull names a digest; a delete names a digest or a tag. Without `id`, the id is derived
// from the other fields, so a redelivery is recognised (send `id` or `at` to tell two otherwise
// identical pulls apart). Without `mediaType` the digest is taken to name a manifest or index.
import type { RegistryAction, RegistryEvent } from "./distribution.js";
import { isRecord, isValidDigest, parseEventList, str } from "./distribution.js";
import { derivedEventId, isRegistryHost, isRepositoryName, isTag } from "./reference-fields.js";

const ACTIONS: readonly RegistryAction[] = ["push", "pull", "delete"];
const MAX_ID = 256;
const FIELDS: ReadonlySet<string> = new Set(["action", "registry", "repository", "digest", "tag", "at", "id", "actor", "mediaType"]);

/** An `{"events": [...]}` envelope whose events name a `registry` (the Distribution ones carry a `target`). */
export function isGenericEnvelope(body: unknown): boolean {
  if (!isRecord(body) || !Array.isArray(body.events)) return false;
  const first: unknown = body.events[0];
  return isRecord(first) && "registry" in first && !("target" in first);
}

/** Parses the generic form; throws BerthError("input") listing every invalid field. */
export function parseGenericEnvelope(body: unknown): RegistryEvent[] {
  return parseEventList(body, "generic registry", (ev, path, errors) => {
    const unknown = Object.keys(ev).filter((k) => !FIELDS.has(k));
    if (unknown.length) errors.push(`${path}: unknown field ${unknown.slice(0, 3).map((k) => `"${k.slice(0, 40)}"`).join(", ")}`);
    const action = str(ev, "action", path, errors, true);
    if (action !== undefined && !(ACTIONS as readonly string[]).includes(action)) errors.push(`${path}.action: "${action.slice(0, 40)}" is not one of ${ACTIONS.join(", ")}`);
    const registry = str(ev, "registry", path, errors, true);
    if (registry !== undefined && !isRegistryHost(registry)) errors.push(`${path}.registry: expected a host[:port]`);
    const repository = str(ev, "repository", path, errors, true);
    if (repository !== undefined && !isRepositoryName(repository)) errors.push(`${path}.repository: not a repository name`);
    const digest = str(ev, "digest", path, errors, action === "push" || action === "pull");
    if (digest !== undefined && !isValidDigest(digest)) errors.push(`${path}.digest: not a sha256/sha512 digest`);
    const tag = str(ev, "tag", path, errors);
    if (tag !== undefined && !isTag(tag)) errors.push(`${path}.tag: not a valid tag`);
    if (action === "delete" && digest === undefined && tag === undefined) errors.push(`${path}: a delete names a digest or a tag`);
    const at = str(ev, "at", path, errors);
    if (at !== undefined && Number.isNaN(Date.parse(at))) errors.push(`${path}.at: not an RFC 3339 time`);
    const id = str(ev, "id", path, errors);
    if (id !== undefined && id.length > MAX_ID) errors.push(`${path}.id: longer than ${MAX_ID} characters`);
    const actor = str(ev, "actor", path, errors);
    const mediaType = str(ev, "mediaType", path, errors);
    if (action === undefined || registry === undefined || repository === undefined) return undefined;
    const act = action as RegistryAction;
    return {
      id: id !== undefined ? `generic:${id}` : derivedEventId("generic", [act, registry, repository, digest, tag, at, actor]),
      action: act,
      repository,
      host: registry,
      ...(digest !== undefined ? { digest } : {}),
      ...(tag !== undefined ? { tag } : {}),
      ...(at !== undefined ? { timestamp: at } : {}),
      ...(actor !== undefined ? { actor } : {}),
      ...(mediaType !== undefined ? { mediaType } : {}),
      source: "generic",
      raw: ev,
    };
  });
}
