// Field rules the Harbor and generic notification parsers share: registry host, repository name
// and tag as the OCI distribution spec allows them, and event ids derived from an event's content
// when the sender gives none (so a redelivered event maps to the same id and changes nothing).
import { createHash } from "node:crypto";
import { BerthError } from "../../util/errors.js";

// OCI distribution spec: path components of lowercase alphanumerics joined by separators.
const REPOSITORY_RE = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$/;
const TAG_RE = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
// A DNS name or IPv4 address with an optional port, or a bracketed IPv6 address with an optional port.
const HOST_RE = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;
const MAX_REPOSITORY = 255;

export function isRepositoryName(s: string): boolean {
  return s.length <= MAX_REPOSITORY && REPOSITORY_RE.test(s);
}

export function isTag(s: string): boolean {
  return TAG_RE.test(s);
}

export function isRegistryHost(s: string): boolean {
  return s.length <= 255 && HOST_RE.test(s);
}

/**
 * A stable id for an event that has none: the sender's name and a sha256 over the fields that make
 * the event what it is. The same delivery sent twice gets the same id; two different events differ
 * in at least one field.
 */
export function derivedEventId(source: string, fields: readonly (string | number | undefined)[]): string {
  const canonical = JSON.stringify(fields.map((f) => f ?? null));
  return `${source}:${createHash("sha256").update(canonical).digest("hex")}`;
}

/** The one-line refusal of a notification, naming the first ten bad fields. */
export function invalidNotification(what: string, errors: readonly string[]): BerthError {
  return new BerthError("input", `invalid ${what}: ${errors.slice(0, 10).join("; ")}${errors.length > 10 ? ` (and ${errors.length - 10} more)` : ""}`);
}
