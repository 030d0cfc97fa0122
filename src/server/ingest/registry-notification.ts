// One route, three notification formats, told apart by shape (never by a header a sender may not
// set): a Harbor webhook has a top-level `type`; an `{"events": [...]}` envelope is Berth's generic
// form when its events name a `registry`, the CNCF Distribution envelope otherwise (its events
// carry a `target`). Each parser yields the same RegistryEvents (ingest/registry-events.ts applies them).
import { BerthError } from "../../util/errors.js";
import { isRecord, parseDistributionEnvelope, type RegistryEvent, type RegistryEventSource } from "./distribution.js";
import { isGenericEnvelope, parseGenericEnvelope } from "./generic.js";
import { isHarborPayload, parseHarborWebhook } from "./harbor.js";

export interface ParsedNotification {
  readonly source: RegistryEventSource;
  readonly events: RegistryEvent[];
  /** Notifications Berth does not act on (e.g. Harbor scan results): counted as ignored. */
  readonly skipped: number;
}

export function parseRegistryNotification(body: unknown): ParsedNotification {
  if (isHarborPayload(body)) return { source: "harbor", ...parseHarborWebhook(body) };
  if (isGenericEnvelope(body)) return { source: "generic", events: parseGenericEnvelope(body), skipped: 0 };
  if (!isRecord(body) || !Array.isArray(body.events)) {
    throw new BerthError("input", 'not a registry notification: expected a Distribution or generic envelope {"events": [...]} or a Harbor webhook {"type": …, "event_data": …}');
  }
  return { source: "distribution", events: parseDistributionEnvelope(body), skipped: 0 };
}
