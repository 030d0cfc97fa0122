// What a registry event does to the graph, one transaction per event: the event id is recorded
// first (a redelivery is recognised and changes nothing); a push records the tag and enqueues a
// scan of a not-yet-scanned image; a pull records the pull (last pulled) and enqueues a scan of an
// image never scanned; a delete removes the tag. Scan jobs are deduplicated by digest (at most one
// queued or running job per digest).
import type { Repositories } from "../../store/index.js";
import { INDEX_MEDIA_TYPES, namesImage, type RegistryEvent } from "./distribution.js";
import { enqueueAttestationsForTag } from "../attestations.js";

export interface ScanJobPayload {
  readonly digest: string;
  /** Registry host the image is pulled from ("127.0.0.1:5000"). */
  readonly host: string;
  readonly repository: string;
}

export const SCAN_JOB = "scan-image";

export function scanDedupeKey(digest: string): string {
  return `scan:${digest}`;
}

export interface IngestOutcome {
  readonly accepted: number;
  readonly duplicates: number;
  readonly ignored: number;
  readonly enqueued: number;
}

/** Berth's registry client identifies itself as "berth" (image/registry/client.ts). */
function isBerthClient(userAgent: string | undefined): boolean {
  return userAgent !== undefined && /^berth(\/|$)/i.test(userAgent);
}

export async function ingestRegistryEvents(repos: Repositories, events: readonly RegistryEvent[], now: Date): Promise<IngestOutcome> {
  let accepted = 0;
  let duplicates = 0;
  let ignored = 0;
  let enqueued = 0;
  for (const ev of events) {
    const at = ev.timestamp && !Number.isNaN(Date.parse(ev.timestamp)) ? new Date(ev.timestamp) : now;
    const result = await repos.store.db.transaction().execute(async (tx) => {
      const fresh = await repos.registry.markReceived({ eventId: ev.id, action: ev.action, ...(ev.digest ? { digest: ev.digest } : {}), repository: ev.repository, raw: ev.raw }, now, tx);
      if (!fresh) return "duplicate" as const;
      if (!ev.host || (ev.action !== "delete" && !namesImage(ev))) return "ignored" as const;
      const loc = { host: ev.host, repository: ev.repository, ...(ev.tag ? { tag: ev.tag } : {}) };
      if (ev.action === "delete") {
        await repos.registry.recordDelete(loc, ev.digest, at, ev.actor, tx);
        return "accepted" as const;
      }
      if (ev.action === "mount" || !ev.digest) return "ignored" as const;
      // Berth's own reads (scans, evidence discovery) come back as pull events: they are not pulls
      // by a workload or a person, and must neither move "last pulled" nor queue anything.
      if (ev.action === "pull" && isBerthClient(ev.userAgent)) return "ignored" as const;
      if (ev.action === "push") await repos.registry.recordPush(loc, ev.digest, at, ev.actor, tx);
      else await repos.registry.recordPull(loc, ev.digest, at, ev.actor, tx);
      // Signatures and attestations next to an image (referrers tag schema, cosign tags) are not scanned; a push re-discovers that image's evidence.
      if (ev.tag) {
        const queued = await enqueueAttestationsForTag(repos, { action: ev.action, host: ev.host, repository: ev.repository, tag: ev.tag, digest: ev.digest }, now, tx);
        if (queued !== undefined) return queued ? ("enqueued" as const) : ("accepted" as const);
      }
      const known = await repos.images.get(ev.digest, tx);
      await repos.images.ensure({ digest: ev.digest, ...(ev.mediaType ? { mediaType: ev.mediaType } : {}) }, now, tx);
      // A push scans anything not scanned yet (a re-push retries a failed scan). A pull scans only
      // an image never scanned: the scanner's own manifest reads arrive as pull events too, and
      // must not re-queue a scan that failed for good.
      const wanted = ev.action === "push" ? known?.scan_status !== "scanned" : known === undefined || known.scan_status === "pending";
      if (wanted) {
        const payload: ScanJobPayload = { digest: ev.digest, host: ev.host, repository: ev.repository };
        if (await repos.jobs.enqueue({ kind: SCAN_JOB, dedupeKey: scanDedupeKey(ev.digest), payload }, now, tx)) return "enqueued" as const;
      }
      return "accepted" as const;
    });
    if (result === "duplicate") duplicates++;
    else if (result === "ignored") ignored++;
    else {
      accepted++;
      if (result === "enqueued") enqueued++;
    }
  }
  return { accepted, duplicates, ignored, enqueued };
}

export function isIndexMediaType(mediaType: string | null | undefined): boolean {
  return mediaType !== null && mediaType !== undefined && INDEX_MEDIA_TYPES.has(mediaType);
}
